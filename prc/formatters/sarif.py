"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

One `tool.driver.rules[]` entry per check that ran (plus the pseudo-checks of input and plugin errors when they
occur), one result per FAIL, UNKNOWN or ERROR result (PASS is not a SARIF result), suppressed results marked
with `suppressions` so viewers show them as dismissed. Nothing is computed here: levels come from the result's
severity, fingerprints from `Result.fingerprint`, everything else from the Report. The same Report gives the
same bytes: rules sorted by id, results in the report's order, no timestamps, no absolute paths.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from . import jsontext
from ..model import CheckInfo, Result, Severity, Status, Suppression
from ..report import Report
from ..registry import Check

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "prcFingerprint/v1"

# Where a rule's help lives on the web. Empty until prc has a public home: a URL that 404s is worse than none,
# and the whole help (what, why, how to fix) is already in the rule's `help`, which code scanning shows.
# When set, a rule's helpUri is HELP_URI_BASE + "#" + the lower-case check id (docs/checks.md's anchors).
HELP_URI_BASE = ""

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}

# GitHub shows `security-severity` as Critical (9.0 and above), High (7.0-8.9), Medium (4.0-6.9) or Low
# (0.1-3.9). A value inside each band, not on its edge, keeps GitHub's label equal to prc's severity.
# Only security-category checks carry it: GitHub treats every rule with a security-severity as a security alert.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}

# Suppression kinds in prc -> SARIF's: written next to the finding, or kept apart from it (.prc.yaml).
SUPPRESSION_KIND = {"inline": "inSource", "annotation": "inSource", "waiver": "external"}

# Short descriptions of the pseudo-checks the engine reports problems under (they are not in the registry).
PSEUDO_CHECKS = {
    "PRC-INPUT": "Input that prc could not read",
    "PRC-PLUGIN": "A check plugin that failed to load",
}

REPORTED = (Status.FAIL, Status.UNKNOWN, Status.ERROR)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _first_sentence(text: str, limit: int = 200) -> str:
    cut = text.find(". ")
    first = text if cut < 0 else text[: cut + 1]
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + "..."
    return _sentence(first)


def _uri(path: str) -> str:
    """A relative URI reference for a report path: `/` kept, everything else outside RFC 3986's unreserved
    characters percent-encoded as UTF-8 (so a non-ASCII or spaced file name is still a valid URI). A name that
    is not UTF-8 at all (Python holds its bytes as surrogates) gets its own bytes encoded."""
    return quote(path.replace("\\", "/"), safe="/", errors="surrogateescape")


def _physical(file: str, line: int) -> dict:
    location: dict = {"artifactLocation": {"uri": _uri(file), "uriBaseId": SRCROOT}}
    if line > 0:
        location["region"] = {"startLine": line}
    return location


def _rule_for_check(check: Check) -> dict:
    rule: dict = {
        "id": check.id,
        "name": check.slug,
        "shortDescription": {"text": _first_sentence(check.what)},
        "fullDescription": {"text": _sentence(check.what)},
        "help": {
            "text": f"{check.remediation}\n\nWhy: {_sentence(check.why)}\n\nHow to fix: {_sentence(check.how_to_fix)}"
                    f"\n\n(prc explain {check.id})",
            "markdown": f"**Fix.** {check.remediation}\n\n**Why.** {_sentence(check.why)}\n\n"
                        f"**How to fix.** {_sentence(check.how_to_fix)}\n\n`prc explain {check.id}`",
        },
        "defaultConfiguration": {"level": LEVEL[check.severity]},
    }
    if HELP_URI_BASE:
        rule["helpUri"] = f"{HELP_URI_BASE}#{check.id.lower()}"
    rule["properties"] = _rule_properties(check.id, check.category, check.item, check.severity)
    return rule


def _rule_for_info(info: CheckInfo) -> dict:
    """A rule for a result whose check is not among the checks that ran: the engine's pseudo-checks."""
    text = PSEUDO_CHECKS.get(info.id, f"{info.id} {info.slug}")
    return {
        "id": info.id,
        "name": info.slug,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": info.remediation, "markdown": f"**Fix.** {info.remediation}"},
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": _rule_properties(info.id, info.category, info.item, info.severity),
    }


def _rule_properties(check_id: str, category: str, item: str, severity: Severity) -> dict:
    tags = ["production-readiness", *([category] if category else [])]
    properties: dict = {"category": category or None, "item": item or None, "severity": severity.value}
    if category == "security":
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    properties["tags"] = sorted(set(tags))
    return {k: v for k, v in properties.items() if v is not None}


def _source_location(source: str) -> dict | None:
    """`file:line` (where a suppression is written) as a SARIF location."""
    file, sep, line = source.rpartition(":")
    if not sep or not line.isdigit():
        return {"physicalLocation": _physical(source, 0)} if source else None
    return {"physicalLocation": _physical(file, int(line))}


def _suppression(s: Suppression) -> dict:
    out: dict = {"kind": SUPPRESSION_KIND.get(s.kind, "external"), "status": "accepted", "justification": s.reason}
    location = _source_location(s.source)
    if location:
        out["location"] = location
    out["properties"] = {"prcKind": s.kind, **({"expires": s.expires} if s.expires else {})}
    return out


def _message(r: Result) -> str:
    if r.status is Status.UNKNOWN:
        return f"Could not decide: {r.target}: {r.message}"
    return f"{r.target}: {r.message}"


def _level(r: Result) -> str:
    if r.status is Status.ERROR:
        return "error"  # unreadable input or a crashed check fails every gate but `never`
    if r.status is Status.UNKNOWN:
        return "note"  # not a finding: a person has to look
    return LEVEL[r.severity]


def _result(r: Result, index: int, baseline_state: str | None) -> dict:
    out: dict = {
        "ruleId": r.check.id,
        "ruleIndex": index,
        "level": _level(r),
        "message": {"text": _message(r)},
        "locations": [{
            "physicalLocation": _physical(r.location.file, r.location.line),
            "logicalLocations": [{"fullyQualifiedName": str(r.target), "kind": "resource"}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: r.fingerprint},
    }
    if baseline_state:
        out["baselineState"] = baseline_state
    if r.suppression is not None:
        out["suppressions"] = [_suppression(r.suppression)]
    properties: dict = {"service": r.service, "status": r.status.value, "severity": r.severity.value}
    if r.status is Status.FAIL and r.check.remediation:
        properties["fix"] = r.check.remediation
    if r.expired_waiver is not None:
        properties["expiredWaiver"] = {"reason": r.expired_waiver.reason, "expires": r.expired_waiver.expires,
                                       "source": r.expired_waiver.source}
    out["properties"] = properties
    return out


def _reported(report: Report) -> tuple[list[Result], dict[str, dict], dict[str, str]]:
    """The results the log lists, every rule by id, and each result's baselineState by fingerprint."""
    reported = [r for r in report.results if r.status in REPORTED]
    rules_by_id: dict[str, dict] = {c.id: _rule_for_check(c) for c in report.checks}
    for r in reported:
        if r.check.id not in rules_by_id:
            rules_by_id[r.check.id] = _rule_for_info(r.check)
    state: dict[str, str] = {}
    if report.baseline is not None:
        state.update({r.fingerprint: "unchanged" for r in report.baseline.existing})
        state.update({r.fingerprint: "new" for r in report.baseline.new})
    return reported, rules_by_id, state


def _result_dicts(report: Report) -> Iterator[dict]:
    reported, rules_by_id, state = _reported(report)
    index = {rule_id: i for i, rule_id in enumerate(sorted(rules_by_id))}
    for r in reported:
        yield _result(r, index[r.check.id], state.get(r.fingerprint))


def sarif_dict(report: Report, with_results: bool = True) -> dict:
    _, rules_by_id, _ = _reported(report)
    run = {
        "tool": {"driver": {
            "name": "prc",
            "version": report.version,
            "semanticVersion": report.version,
            "rules": [rules_by_id[rule_id] for rule_id in sorted(rules_by_id)],
        }},
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The directory holding .prc.yaml, or the scan root without one: every path prc reports is "
                    "relative to it."}}},
        "columnKind": "unicodeCodePoints",
        "results": list(_result_dicts(report)) if with_results else [],
        "properties": {
            "config": report.config_path or None,
            "gate": {"passed": report.gate.passed, "reasons": list(report.gate.reasons)},
            "services": [{"name": s.name, "tier": s.tier, "verdict": s.verdict, "score": s.score}
                         for s in report.services],
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


# Where the run's results go in the log's text: a key at the run's depth (strings hold no raw newline, so only
# the layout can put one before it).
_RESULTS_SLOT = '\n      "results": []'


def chunks(report: Report) -> Iterator[str]:
    """The log in pieces, byte for byte what json.dumps(sarif_dict(report), indent=2) gives, with the results
    encoded one at a time, so a large report is never held as dicts and one string."""
    skeleton = jsontext.dumps(sarif_dict(report, with_results=False), sort_keys=False) + "\n"
    before, after = skeleton.split(_RESULTS_SLOT, 1)
    yield before + _RESULTS_SLOT[:-1]
    count = 0
    for count, result in enumerate(_result_dicts(report), 1):
        yield ("" if count == 1 else ",") + "\n        " + jsontext.dumps(result, "        ", sort_keys=False)
    yield ("\n      ]" if count else "]") + after


def render(report: Report) -> str:
    return "".join(chunks(report))
