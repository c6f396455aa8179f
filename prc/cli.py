"""Command line: `prc scan`, `prc services`, `prc checks`, `prc explain`, `prc init`, `prc --version`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    from .gate import FAIL_ON_CHOICES

    parser = argparse.ArgumentParser(prog="prc", description="Production readiness checklist linter.")
    parser.add_argument("--version", action="version", version=f"prc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan manifests and report readiness per service")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - reads manifests from stdin")
    scan.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up from the scan root")
    scan.add_argument("--format", choices=("console", "json"), default="console")
    scan.add_argument("--verbose", "-v", action="store_true", help="also list passing checks and every skipped file")
    scan.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="verdict",
                      help="gate on service verdicts (default), on findings of a severity or above, or never")
    scan.add_argument("--min-score", type=float, metavar="N", help="also fail when any service scores below N")
    scan.add_argument("--allow-empty", action="store_true",
                      help="pass the gate when no Kubernetes object is found (by default that fails it)")
    scan.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    scan.add_argument("--today", type=_date, help="evaluate waiver and attestation expiry as of this date")
    scan.add_argument("--max-file-size", type=int, default=20, metavar="MIB",
                      help="skip files larger than this many MiB with an error (default 20)")
    scan.add_argument("--var-file", action="append", default=[], metavar="FILE",
                      help="a Terraform variable file applied to every root module after the automatic tfvars and "
                           "the config's terraform.var_files, like terraform plan -var-file; repeatable")

    services = sub.add_parser("services", help="list each service with the artifacts it gathered and why")
    services.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - reads manifests from stdin")
    services.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up from the scan root")
    services.add_argument("--format", choices=("text", "json"), default="text")
    services.add_argument("--max-file-size", type=int, default=20, metavar="MIB",
                          help="skip files larger than this many MiB with an error (default 20)")
    services.add_argument("--var-file", action="append", default=[], metavar="FILE",
                          help="a Terraform variable file, as for scan (a tag set by a variable can decide a service)")

    checks = sub.add_parser("checks", help="list the available checks")
    checks.add_argument("--format", choices=("table", "markdown"), default="table")

    explain = sub.add_parser("explain", help="explain one check: what, why, how to fix, options")
    explain.add_argument("check", metavar="ID-or-slug")

    init = sub.add_parser("init", help="write a commented starter .prc.yaml")
    init.add_argument("directory", nargs="?", type=Path, default=Path("."))
    init.add_argument("--force", action="store_true", help="overwrite an existing .prc.yaml")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return EXIT_USAGE
    handler = {"scan": _scan, "services": _services, "checks": _checks, "explain": _explain,
               "init": _init}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # `prc ... | head` is a normal thing to do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # a bug must never read as "gate failed" (1) or "bad usage" (2)
        import traceback

        traceback.print_exc()
        print("prc: internal error; please report it with the traceback above", file=sys.stderr)
        return EXIT_INTERNAL


def _registry_or_exit():
    from .registry import load_registry

    registry = load_registry()
    for error in registry.load_errors:
        print(f"prc: warning: {error}", file=sys.stderr)
    return registry


def _scan_root(paths: list[Path]) -> Path:
    """Where paths in reports start when there is no .prc.yaml: the working directory when every path is
    inside it, else the deepest directory holding them all. Symlinks are kept as given, not resolved."""
    cwd = Path.cwd()
    if not paths or all(_is_inside(p, cwd) for p in paths):
        return cwd
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in paths]))


def _is_inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _prepare(args):
    """What `scan` and `services` share: the registry, the configuration and the scan input; or an exit code
    when the paths or the configuration are unusable (the reason is on stderr)."""
    from .config import Config, ConfigError, find_config, load_config
    from .discovery import FileReadError
    from .scan import STDIN, ScanInput

    registry = _registry_or_exit()
    # Absolute but not resolved: a symlinked directory is scanned, and named in reports, as the user gave it.
    file_paths = [Path(os.path.abspath(p)) for p in args.paths if p != STDIN]
    missing = [p for p in args.paths if p != STDIN and not os.path.lexists(p)]
    if missing:
        for p in missing:
            print(f"prc: {p}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    var_files = args.var_file
    missing_vars = [p for p in var_files if not os.path.isfile(p)]
    if missing_vars:
        for p in missing_vars:
            print(f"prc: --var-file {p}: no such file", file=sys.stderr)
        return EXIT_USAGE
    stdin_text = None
    if STDIN in args.paths:
        try:
            stdin_text = _read_stdin(args.max_file_size * 1024 * 1024)
        except FileReadError as exc:
            print(f"prc: standard input: {exc.message}" + (f" (line {exc.line})" if exc.line else ""),
                  file=sys.stderr)
            return EXIT_USAGE
    first = file_paths[0] if file_paths else Path.cwd()
    config_path = args.config or find_config(first if first.is_dir() else first.parent)
    if args.config and not args.config.is_file():
        print(f"prc: {args.config}: no such config file", file=sys.stderr)
        return EXIT_USAGE
    config = Config()
    root = _scan_root(file_paths)
    if config_path:
        # Paths in the config, and so in every report, are relative to the directory holding it.
        root = Path(os.path.abspath(config_path)).parent
        try:
            config = load_config(config_path, _shown(config_path), registry, shown_in_report=config_path.name)
        except ConfigError as exc:
            for message in exc.messages:
                print(message, file=sys.stderr)
            return EXIT_USAGE
    # After the config's own var files: the later file wins, as with several -var-file options.
    config.terraform_var_files = [*config.terraform_var_files, *(os.path.abspath(p) for p in var_files)]
    scan_input = ScanInput(tuple(file_paths), root, stdin_text, args.max_file_size * 1024 * 1024)
    return registry, config, scan_input, config_path


def _scan(args) -> int:
    from .formatters import console as console_fmt
    from .formatters import json_report
    from .gate import evaluate
    from .scan import STDIN, scan

    prepared = _prepare(args)
    if isinstance(prepared, int):
        return prepared
    registry, config, scan_input, config_path = prepared
    report = scan(scan_input, config, registry, args.today or dt.date.today())
    shown_paths = ", ".join("standard input" if p == STDIN else p for p in args.paths)
    report = evaluate(report, args.fail_on, args.min_score, allow_empty=args.allow_empty, paths=shown_paths)
    if args.format == "json":
        sys.stdout.write(json_report.render(report))
    else:
        console = console_fmt.make_console(sys.stdout, color=False if args.no_color or os.environ.get("NO_COLOR")
                                           else None)
        console_fmt.render(report, console, args.verbose, _shown(config_path) if config_path else "")
    return EXIT_OK if report.gate.passed else EXIT_GATE


def _services(args) -> int:
    from .formatters import services as services_fmt
    from .scan import model_services
    from .services import UNASSIGNED

    prepared = _prepare(args)
    if isinstance(prepared, int):
        return prepared
    _, config, scan_input, _ = prepared
    loaded, views = model_services(scan_input, config)
    unassigned = [o for o in loaded.owners if o.service == UNASSIGNED]
    render = services_fmt.render_json if args.format == "json" else services_fmt.render_text
    sys.stdout.write(render(views, unassigned))
    return EXIT_OK


def _read_stdin(max_bytes: int) -> str:
    """Standard input under the same size limit and UTF-8 rules as a file."""
    from .discovery import FileReadError, decode

    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(max_bytes + 1) if stream is not None else sys.stdin.read().encode("utf-8")
    if len(data) > max_bytes:
        raise FileReadError(f"above the {max_bytes / 1048576:.0f} MiB limit; raise --max-file-size to scan it")
    return decode(data)


def _shown(path: Path) -> str:
    """A path as a person at this working directory would type it."""
    return Path(os.path.relpath(os.path.abspath(path))).as_posix()


def _checks(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from .docs import checks_markdown
    from .items import ITEMS

    registry = _registry_or_exit()
    if args.format == "markdown":
        sys.stdout.write(checks_markdown(registry))
        return EXIT_OK
    table = Table(show_header=True, header_style="bold")
    for column in ("ID", "Slug", "Severity", "Category", "Item", "Required for"):
        table.add_column(column)
    for c in registry.checks:
        item = ITEMS.get(c.item)
        table.add_row(c.id, c.slug, c.severity.value, c.category, item.title if item else c.item,
                      ", ".join(c.tiers) or "recommended" + ("" if c.enabled_by_default else " (off)"))
    Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140).print(table)
    return EXIT_OK


def _explain(args) -> int:
    from .docs import explain

    registry = _registry_or_exit()
    found = registry.find(args.check)
    if found is None:
        print(f"prc: no check has the id or slug {args.check!r}; `prc checks` lists them", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(explain(found))
    return EXIT_OK


def _init(args) -> int:
    from .starter import STARTER_CONFIG

    target = args.directory / ".prc.yaml"
    if not args.directory.is_dir():
        print(f"prc: {args.directory}: no such directory", file=sys.stderr)
        return EXIT_USAGE
    if target.exists() and not args.force:
        print(f"prc: {target} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    try:
        target.write_text(STARTER_CONFIG, encoding="utf-8")
    except OSError as exc:
        print(f"prc: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {target}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
