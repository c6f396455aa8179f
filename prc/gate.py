"""Whether a report passes the merge gate the user asked for."""

from __future__ import annotations

from dataclasses import replace

from .model import SEVERITY_ORDER, Severity, Status
from .report import Gate, Report

FAIL_ON_CHOICES = ("verdict", "critical", "high", "medium", "low", "never")


NOTHING_CHECKED = "nothing was checked"


def nothing_checked(paths: str, skipped: int) -> str:
    return f"{NOTHING_CHECKED}: no Kubernetes objects found in {paths or 'the input'} ({skipped} files skipped)"


def evaluate(report: Report, fail_on: str = "verdict", min_score: float | None = None, *,
             allow_empty: bool = False, paths: str = "") -> Report:
    """By default a NOT READY service fails the gate; --fail-on SEVERITY gates on findings instead.

    A scan that found no Kubernetes object fails every gate but `never`, unless
    `allow_empty`: a wrong path or an unrendered chart must not pass as clean.
    """
    reasons = []
    live = [r for r in report.results if not r.suppressed]
    if report.objects == 0 and not allow_empty and fail_on != "never":
        reasons.append(nothing_checked(paths, len(report.skipped)))
    if fail_on == "verdict":
        not_ready = [s.name for s in report.services if not s.ready]
        if not_ready:
            reasons.append(f"NOT READY: {', '.join(not_ready)}")
    elif fail_on != "never":
        threshold = SEVERITY_ORDER.index(Severity(fail_on))
        hits = [r for r in live if r.status is Status.FAIL and SEVERITY_ORDER.index(r.severity) <= threshold]
        if hits:
            reasons.append(f"{len(hits)} findings at {fail_on} severity or above")
    if fail_on != "never":
        errors = [r for r in live if r.status is Status.ERROR]
        if errors:
            reasons.append(f"{len(errors)} errors (input that could not be read or checks that crashed)")
    if min_score is not None:
        low = [f"{s.name} {s.score:.1f}" for s in report.services if s.score is not None and s.score < min_score]
        if low:
            reasons.append(f"score below {min_score:g}: {', '.join(low)}")
    return replace(report, gate=Gate(not reasons, tuple(reasons)))
