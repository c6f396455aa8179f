"""The formatter registry: a format name -> the module that renders a Report as text.

Every module named here has `render(report: Report) -> str` and computes nothing of its own: scores, verdicts,
the gate and the baseline diff are already in the Report. Modules are imported only when their format is
asked for, so a scan that writes JSON never imports the HTML renderer.

`console` is the exception: it draws on a terminal (rich, colour, width) and is for standard output only.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> module (relative to this package). The order is the order `--help` and error messages list them in.
FORMATS: dict[str, str] = {
    "console": "console",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}

# Formats only standard output can take: they render for a terminal, not for a file.
STDOUT_ONLY = frozenset({"console"})

# What `--output FORMAT=PATH` accepts.
FILE_FORMATS = tuple(name for name in FORMATS if name not in STDOUT_ONLY)


class FormatterUnavailable(Exception):
    """A known format whose module cannot be imported (a broken or partial installation)."""


def load(name: str) -> ModuleType:
    """The module rendering `name`. KeyError for an unknown name; FormatterUnavailable when it cannot be imported."""
    module_name = FORMATS[name]
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except Exception as exc:  # ImportError, or a SyntaxError in a half-installed module
        raise FormatterUnavailable(f"the {name} format is not available in this installation of prc "
                                   f"({type(exc).__name__}: {exc})") from exc
    if not callable(getattr(module, "render", None)):
        raise FormatterUnavailable(f"the {name} format is not available: {module.__name__} has no render()")
    return module
