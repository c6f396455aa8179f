"""GitHub Actions workflow commands: one `::error|warning|notice file=...,line=...,title=...::message` line per
unsuppressed FAIL, UNKNOWN or ERROR result, which GitHub turns into annotations on the pull request's diff.

Levels: critical and high findings and ERROR results -> error, medium -> warning, low and UNKNOWN -> notice.
Most severe first, because GitHub shows only the first few annotations of each level per step. Escaping follows
the runner: in the message `%`, CR and LF are percent-encoded; in properties `:` and `,` are too.
"""

from __future__ import annotations

from ..model import SEVERITY_ORDER, Result, Severity, Status
from ..report import Report

COMMAND = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(r: Result) -> str:
    if r.status is Status.ERROR:
        return "error"
    if r.status is Status.UNKNOWN:
        return "notice"
    return COMMAND[r.severity]


def annotation(r: Result) -> str:
    properties = []
    # A result at `-` (standard input) or `(plugins)` is about no file in the repository.
    if r.location.file not in ("-", "(plugins)"):
        properties.append(f"file={escape_property(r.location.file)}")
        if r.location.line:
            properties.append(f"line={r.location.line}")
    label = r.severity.value if r.status is Status.FAIL else r.status.value
    properties.append(f"title={escape_property(f'{r.check.id} {r.check.slug} ({label})')}")
    message = f"{r.target}: {r.message}"
    if r.status is Status.UNKNOWN:
        message = f"could not decide: {message}"
    if r.status is Status.FAIL and r.check.remediation:
        message += f"\nfix: {r.check.remediation}"
    if r.service:
        message += f"\nservice: {r.service}"
    return f"::{_command(r)} {','.join(properties)}::{escape_data(message)}"


def render(report: Report) -> str:
    shown = [r for r in report.results if r.status is not Status.PASS and not r.suppressed]
    order = {"error": 0, "warning": 1, "notice": 2}
    shown.sort(key=lambda r: (order[_command(r)], SEVERITY_ORDER.index(r.severity), r.sort_key()))
    return "".join(annotation(r) + "\n" for r in shown)
