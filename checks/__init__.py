"""Built-in checks, installed as the `prc_checks` package and loaded through the `prc.checks` entry points."""
