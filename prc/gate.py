"""Whether a report passes the merge gate the user asked for."""

from __future__ import annotations

from dataclasses import replace

from .model import FAIL_ON_CHOICES, SEVERITY_ORDER, Severity, Status
from .report import BaselineDiff, Gate, Report


NOTHING_CHECKED = "nothing was checked"


def nothing_checked(paths: str, skipped: int) -> str:
    if paths.startswith("AWS account"):
        return f"{NOTHING_CHECKED}: nothing could be read from {paths} (every collector failed or found nothing)"
    if paths.startswith("Kubernetes cluster"):
        return f"{NOTHING_CHECKED}: no workload or other object to judge was read from {paths}"
    return f"{NOTHING_CHECKED}: no Kubernetes objects found in {paths or 'the input'} ({skipped} files skipped)"


def evaluate(report: Report, fail_on: str = "verdict", min_score: float | None = None, *,
             allow_empty: bool = False, paths: str = "", ratchet: bool = False) -> Report:
    """The gate, in one rule: it fails when any of these holds, and passes otherwise.

    1. Nothing was checked (no Kubernetes object found), unless `allow_empty` or `--fail-on never`: a wrong
       path or an unrendered chart must not pass as clean.
    2. `--fail-on verdict` (the default): a service is NOT READY. With a baseline, only a NOT READY service
       with a new failure fails it: a required checklist item that holds a new FAIL or UNKNOWN result, or a
       required manual item missing or expired that the baseline did not record. A service NOT READY only
       because of baselined failures still shows NOT READY, but passes the gate.
    3. `--fail-on SEVERITY`: an unsuppressed FAIL at that severity or above; with a baseline, a new one.
    4. Any unsuppressed ERROR (unreadable input, a crashed check), unless `--fail-on never`. Errors are never
       baselined.
    5. `--min-score N`: a service scores below N. Scores count every unsuppressed finding, baselined or not.
    6. `--ratchet` (needs a baseline): a service scores below its score in the baseline.

    `--fail-on never` turns off 1 to 4, not 5 and 6, which the user asked for by name.
    """
    reasons = []
    live = [r for r in report.results if not r.suppressed]
    diff = report.baseline
    if report.objects == 0 and not allow_empty and fail_on != "never":
        reasons.append(nothing_checked(paths, len(report.skipped)))
    if fail_on == "verdict":
        if diff is None:
            not_ready = [s.name for s in report.services if not s.ready]
            if not_ready:
                reasons.append(f"NOT READY: {', '.join(not_ready)}")
        else:
            blamed = _newly_not_ready(report, diff)
            if blamed:
                reasons.append(f"NOT READY with new failures: {'; '.join(blamed)}")
    elif fail_on != "never":
        threshold = SEVERITY_ORDER.index(Severity(fail_on))
        pool = live if diff is None else diff.new
        hits = [r for r in pool if r.status is Status.FAIL and SEVERITY_ORDER.index(r.severity) <= threshold]
        if hits:
            reasons.append(f"{len(hits)} {'new ' if diff is not None else ''}findings at {fail_on} severity or above")
    if fail_on != "never":
        errors = [r for r in live if r.status is Status.ERROR]
        if errors:
            reasons.append(f"{len(errors)} errors (input that could not be read or checks that crashed)")
    if min_score is not None:
        low = [f"{s.name} {s.score:.1f}" for s in report.services if s.score is not None and s.score < min_score]
        if low:
            reasons.append(f"score below {min_score:g}: {', '.join(low)}")
    if ratchet and diff is not None:
        before = dict(diff.scores)
        fell = [f"{s.name} {s.score:.1f} < {before[s.name]:.1f}" for s in report.services
                if s.score is not None and before.get(s.name) is not None and s.score < before[s.name]]
        if fell:
            reasons.append(f"score fell below the baseline: {', '.join(fell)}")
    return replace(report, gate=Gate(not reasons, tuple(reasons)))


def _newly_not_ready(report: Report, diff: BaselineDiff) -> list[str]:
    """Each NOT READY service with a new failure, and the checklist items it is in: `svc (Item, Item)`."""
    new_items: dict[str, set[str]] = {}
    for r in diff.new:
        new_items.setdefault(r.service, set()).add(r.check.item)
    new_manual: dict[str, set[str]] = {}
    for service, item in diff.new_manual:
        new_manual.setdefault(service, set()).add(item)
    blamed = []
    for s in report.services:
        if s.ready:
            continue
        titles = [i.item.title for i in s.items
                  if i.required and i.status != "PASS" and i.item.slug in new_items.get(s.name, ())]
        titles += [f"{m.item.title} (manual)" for m in s.manual
                   if m.required and m.status != "attested" and m.item.slug in new_manual.get(s.name, ())]
        if titles:
            blamed.append(f"{s.name} ({', '.join(titles)})")
    return blamed
