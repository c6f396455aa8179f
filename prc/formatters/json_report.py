"""JSON report: every result (passes included), scores and gate, with sorted keys and no timestamps."""

from __future__ import annotations

import json

from ..model import Result, Status, Suppression
from ..report import Report
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


def report_dict(report: Report) -> dict:
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
        "results": [result_dict(r) for r in report.results],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
