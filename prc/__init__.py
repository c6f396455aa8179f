"""prc: a production readiness checklist linter."""

__version__ = "0.1.0"
