"""JSON report: every result (passes included), scores and gate, with sorted keys and no timestamps."""

from __future__ import annotations

import json
from typing import Iterator

from . import jsontext
from ..model import Result, Status, Suppression
from ..report import BaselineDiff, BaselineEntry, Report
from ..scoring import ServiceScore


def _suppression(s: Suppression | None) -> dict | None:
    if s is None:
        return None
    return {"kind": s.kind, "reason": s.reason, "expires": s.expires or None, "source": s.source}


def result_dict(r: Result) -> dict:
    return {
        "check_id": r.check.id, "slug": r.check.slug, "item": r.check.item, "category": r.check.category,
        "severity": r.severity.value, "status": r.status.value, "message": r.message,
        "remediation": r.check.remediation, "service": r.service,
        "target": {"kind": r.target.kind, "name": r.target.name, "namespace": r.target.namespace,
                   "part": r.target.part},
        "file": r.location.file, "line": r.location.line, "fingerprint": r.fingerprint,
        "suppression": _suppression(r.suppression), "expired_waiver": _suppression(r.expired_waiver),
    }


def service_dict(s: ServiceScore) -> dict:
    return {
        "name": s.name, "tier": s.tier, "verdict": s.verdict, "score": s.score,
        "categories": dict(s.categories), "counts": dict(s.counts), "fails_by_severity": dict(s.fails_by_severity),
        "items": [{"item": i.item.slug, "title": i.item.title, "category": i.item.category, "status": i.status,
                   "required": i.required, "failing_checks": list(i.failing_checks)} for i in s.items],
        "manual_items": [{"item": m.item.slug, "title": m.item.title, "status": m.status, "required": m.required,
                          "evidence": m.evidence or None, "date": m.date or None, "expires": m.expires or None}
                         for m in s.manual],
    }


def _entry_dict(e: BaselineEntry) -> dict:
    return {"fingerprint": e.fingerprint, "check_id": e.check_id, "service": e.service, "target": e.target,
            "file": e.file, "message": e.message}


def baseline_dict(diff: BaselineDiff | None) -> dict | None:
    """The comparison with --baseline; each result also says whether it is new or existing."""
    if diff is None:
        return None
    return {
        "path": diff.path,
        "counts": {"new": len(diff.new), "existing": len(diff.existing), "fixed": len(diff.fixed),
                   "new_manual": len(diff.new_manual)},
        "fixed": [_entry_dict(e) for e in diff.fixed],
        "new_manual": [{"service": service, "item": item} for service, item in diff.new_manual],
        "scores": dict(diff.scores),
    }


def _results(report: Report) -> Iterator[dict]:
    """Each result's dict, made when it is written: a report of 100,000 results never holds them all as dicts."""
    diff = report.baseline
    marks = {} if diff is None else {**{r.fingerprint: "existing" for r in diff.existing},
                                     **{r.fingerprint: "new" for r in diff.new}}
    for r in report.results:
        d = result_dict(r)
        d["baseline"] = marks.get(r.fingerprint) if r.status in (Status.FAIL, Status.UNKNOWN) and not r.suppressed \
            else None
        yield d


def report_dict(report: Report, with_results: bool = True) -> dict:
    counts = {s.value: sum(1 for r in report.results if r.status is s and not r.suppressed) for s in Status}
    counts["SUPPRESSED"] = len(report.suppressed)
    return {
        "tool": {"name": "prc", "version": report.version},
        "config": report.config_path or None,
        "today": report.today or None,
        "summary": {
            "files_scanned": report.files_scanned,
            "objects": report.objects,
            "services": len(report.services),
            "ready": sum(1 for s in report.services if s.ready),
            "not_ready": sum(1 for s in report.services if not s.ready),
            "results": counts,
        },
        "gate": {"passed": report.gate.passed, "reasons": list(report.gate.reasons)},
        "checks": [{"id": c.id, "slug": c.slug, "item": c.item, "category": c.category,
                    "severity": c.severity.value} for c in report.checks],
        "services": [service_dict(s) for s in report.services],
        **({"results": list(_results(report))} if with_results else {}),
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "baseline": baseline_dict(report.baseline),
        "expiring_waivers": [{"check": w.check, "reason": w.reason, "expires": w.expires, "source": w.source,
                              "days_left": w.days_left, "scope": w.scope} for w in report.expiring_waivers],
    }


def chunks(report: Report) -> Iterator[str]:
    """The report's text in pieces, byte for byte what json.dumps(report_dict(report), indent=2, sort_keys=True)
    gives, with the results encoded one at a time: at 10,000 files the results as one dict tree and one string
    were most of the scan's peak memory."""
    top = report_dict(report, with_results=False)
    yield "{"
    for i, key in enumerate(sorted([*top, "results"])):
        yield f'{"," if i else ""}\n  {json.dumps(key)}: '
        if key != "results":
            yield jsontext.dumps(top[key], "  ")
            continue
        count = 0
        for count, result in enumerate(_results(report), 1):
            yield ("[" if count == 1 else ",") + "\n    " + jsontext.dumps(result, "    ")
        yield "\n  ]" if count else "[]"
    yield "\n}\n"


def render(report: Report) -> str:
    return "".join(chunks(report))
