"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines, test-reporter actions).

One <testsuite> per service, one more for results outside any service; one <testcase> per result, that is per
check and target (classname "ID slug", name the target), passes included so a reader sees what held too:
FAIL -> <failure>, ERROR -> <error>, UNKNOWN -> <skipped> with why, a suppressed result -> <skipped> with the
suppression's reason. No times (the same Report gives the same bytes); characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..model import Result, Status
from ..report import Report

NO_SERVICE = "(no service)"

# Characters XML 1.0 does not allow anywhere, escaped or not: C0 controls but tab, LF and CR; lone surrogates;
# U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def _outcome(r: Result) -> tuple[str, str] | None:
    """(kind, message) of the element under the test case, or None for a pass."""
    if r.suppression is not None:
        s = r.suppression
        expiry = f", expires {s.expires}" if s.expires else ""
        return "skipped", f"suppressed by {s.kind} ({s.source}{expiry}): {s.reason}"
    if r.status is Status.FAIL:
        return "failure", r.message
    if r.status is Status.ERROR:
        return "error", r.message
    if r.status is Status.UNKNOWN:
        return "skipped", f"could not decide: {r.message}"
    return None


def _testcase(r: Result) -> ET.Element:
    case = ET.Element("testcase", {
        "classname": _clean(f"{r.check.id} {r.check.slug}"),
        "name": _clean(str(r.target)),
        "file": _clean(r.location.file),
    })
    if r.location.line:
        case.set("line", str(r.location.line))
    outcome = _outcome(r)
    if outcome is None:
        return case
    kind, message = outcome
    child = ET.SubElement(case, kind, {"message": _clean(message)})
    if kind == "skipped":
        return case
    child.set("type", r.severity.value if kind == "failure" else "ERROR")
    body = [f"{r.location}: {r.check.id} {r.check.slug} ({r.severity.value})", f"{r.target}: {r.message}"]
    if kind == "failure" and r.check.remediation:
        body.append(f"fix: {r.check.remediation}")
    child.text = _clean("\n".join(body))
    return case


def _counts(cases: list[ET.Element]) -> dict[str, str]:
    def count(kind: str) -> int:
        return sum(1 for c in cases if c.find(kind) is not None)

    return {"tests": str(len(cases)), "failures": str(count("failure")), "errors": str(count("error")),
            "skipped": str(count("skipped"))}


def render(report: Report) -> str:
    names = [s.name for s in report.services]
    by_service: dict[str, list[Result]] = {name: [] for name in names}
    for r in report.results:
        by_service.setdefault(r.service or NO_SERVICE, []).append(r)
    scores = {s.name: s for s in report.services}
    root = ET.Element("testsuites", {"name": "prc"})
    all_cases: list[ET.Element] = []
    # Declared services in the report's order, then the rest (unassigned objects, input problems) by name.
    order = names + sorted(name for name in by_service if name not in scores)
    for name in order:
        cases = [_testcase(r) for r in by_service[name]]
        if not cases and name not in scores:
            continue
        suite = ET.SubElement(root, "testsuite", {"name": _clean(name), **_counts(cases)})
        score = scores.get(name)
        if score is not None:
            props = ET.SubElement(suite, "properties")
            for key, value in (("tier", score.tier), ("verdict", score.verdict),
                               ("score", "-" if score.score is None else f"{score.score:.1f}")):
                ET.SubElement(props, "property", {"name": key, "value": _clean(value)})
        suite.extend(cases)
        all_cases += cases
    root.attrib.update(_counts(all_cases))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
