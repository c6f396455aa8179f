"""Markdown report for a pull-request comment or `$GITHUB_STEP_SUMMARY` (GitHub-flavoured Markdown).

Order: the gate, a table of services, the failing required items, what changed against the baseline, the
findings by severity (collapsed), errors and unknowns, waivers about to expire. Like every formatter it only
selects, sorts and presents what the Report holds.

Two limits shape it. A reader: each list shows its first rows, then "and K more". GitHub: a comment over
65,536 characters is rejected, so the rows per list and the length of a cell shrink, step by step, until the
whole text fits in MAX_BYTES (UTF-8 bytes, never fewer than characters, with room for a wrapper around it).

Everything that comes from the scanned repository (file names, targets, messages, reasons, service names) is
escaped: it can neither format the comment, nor inject HTML, nor mention a person or an issue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..model import SEVERITY_ORDER, Result, Status
from ..report import BaselineEntry, Report
from ..scoring import ServiceScore

MAX_BYTES = 60_000
MARKER = "<!-- prc-report -->"  # lets an Action find and update its own comment


@dataclass(frozen=True)
class Limits:
    rows: int  # rows per list before "and K more"
    services: int  # rows of the services table
    cell: int  # characters of one free-text cell (message, fix, reason)


# Tried in order; the first whose text fits MAX_BYTES wins. The last one bounds every part of the text.
LEVELS = (Limits(50, 100, 400), Limits(40, 80, 320), Limits(30, 60, 280), Limits(25, 50, 240), Limits(20, 40, 200),
          Limits(15, 30, 160), Limits(10, 25, 160), Limits(5, 10, 120), Limits(0, 10, 80))

READY_MARK = "✅ READY"
NOT_READY_MARK = "❌ NOT READY"

# Visual-only characters that reorder or hide text (Trojan Source): shown as their code point.
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ESCAPES = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    "$": "\\$", "<": "&lt;", ">": "&gt;", "&": "&amp;",
    # A zero-width space keeps "@team" and "#12" from mentioning a person or linking an issue.
    "@": "@&#8203;", "#": "#&#8203;",
    "\n": "<br>",
}
_SPECIAL = re.compile(r"[\\`*_\[\]|~$<>&\n]|@(?=\w)|#(?=\d)")


def _visible(text: str) -> str:
    """Text a reader sees as it is: line ends as one newline; control characters, bidirectional overrides
    (Trojan Source) and undecodable bytes of a file name (lone surrogates) as a visible code."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable() and not _BIDI.intersection(text):
        return text
    out = []
    for c in text:
        category = unicodedata.category(c)
        if c in "\n\t":
            out.append(c if c == "\n" else " ")
        elif c in _BIDI or category == "Cc":
            out.append(f"<U+{ord(c):04X}>")
        elif category == "Cs":
            out.append(f"\\x{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else f"<U+{ord(c):04X}>")
        elif category in ("Zl", "Zp"):
            out.append("\n")
        else:
            out.append(c)
    return "".join(out)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def esc(text: str, limit: int | None = None) -> str:
    """Markdown text that shows `text` as written, safe in a table cell and in running text."""
    text = _visible(str(text))
    if limit is not None:
        text = _cut(text, limit)
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], text)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _service_name(name: str) -> str:
    return "(no service)" if not name else name


def _table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """`align`: one letter per column, l or r. Cells are already escaped."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def _listing(header: list[str], align: str, rows: list[list[str]], total: int, what: str) -> list[str]:
    """A table of the rows shown (the first ones), then how many more there are."""
    lines = _table(header, align, rows) if rows else []
    if total > len(rows):
        lines += [""] if lines else []
        lines.append(f"…and {total - len(rows):,} more {what}." if rows else
                     f"{total:,} {what}, not listed to fit a GitHub comment.")
    return lines


def _details(summary: str, body: list[str], open_: bool = False) -> list[str]:
    # A blank line after <summary> and before </details> lets GitHub read the Markdown inside.
    return ["<details open>" if open_ else "<details>", f"<summary>{summary}</summary>", "", *body, "",
            "</details>", ""]


# Sections ------------------------------------------------------------------------------------------------


def _header(report: Report, lim: Limits) -> list[str]:
    passed = report.gate.passed
    lines = [MARKER, f"## {'✅' if passed else '❌'} prc: gate {'passed' if passed else 'failed'}", ""]
    if not passed:
        reasons = report.gate.reasons or ("(no reason given)",)
        if len(reasons) == 1:
            lines.append(f"**Gate failed:** {esc(reasons[0], lim.cell * 4)}")
        else:
            lines.append("**Gate failed:**")
            lines += [f"- {esc(reason, lim.cell * 4)}" for reason in reasons]
        lines.append("")
    ready = sum(1 for s in report.services if s.ready)
    facts = [f"{_count(len(report.services), 'service')}: {ready:,} ready, {len(report.services) - ready:,} not ready"]
    failures = report.failures
    by_severity = {sev: 0 for sev in SEVERITY_ORDER}
    for r in failures:
        by_severity[r.severity] += 1
    detail = ", ".join(f"{n:,} {sev.value}" for sev, n in by_severity.items() if n)
    facts.append(_count(len(failures), "finding") + (f" ({detail})" if detail else ""))
    # An audit reads no files: name what it judged instead.
    facts.append(esc(report.source) if report.source else f"{_count(report.files_scanned, 'file')} scanned")
    facts.append(f"config {esc(report.config_path)}" if report.config_path else "no .prc.yaml")
    facts.append(f"prc {esc(report.version)}")
    if report.today:
        facts.append(f"judged on {esc(report.today)}")
    lines += [" · ".join(facts), ""]
    return lines


def _services(report: Report, lim: Limits) -> list[str]:
    if not report.services:
        return ["No services: no workload found and none declared in .prc.yaml.", ""]
    # What blocks the merge first; each group in the report's (name) order.
    ordered = [s for s in report.services if not s.ready] + [s for s in report.services if s.ready]
    shown = ordered[: lim.services]
    rows = []
    for s in shown:
        fails = dict(s.fails_by_severity)
        counts = dict(s.counts)
        rows.append([esc(s.name, lim.cell), esc(s.tier), READY_MARK if s.ready else NOT_READY_MARK, _score(s.score),
                     *[f"{fails.get(sev.value, 0):,}" for sev in SEVERITY_ORDER],
                     f"{counts.get('UNKNOWN', 0) + counts.get('ERROR', 0):,}"])
    lines = _table(["Service", "Tier", "Verdict", "Score", "Critical", "High", "Medium", "Low", "Unknown / error"],
                   "lllrrrrrr", rows)
    hidden = ordered[len(shown):]
    if hidden:
        not_ready = sum(1 for s in hidden if not s.ready)
        lines += ["", f"…and {len(hidden):,} more services ({not_ready:,} not ready, "
                      f"{len(hidden) - not_ready:,} ready)."]
    return lines + [""]


def _failing_item_rows(s: ServiceScore, lim: Limits) -> list[list[str]]:
    rows = []
    for i in s.items:
        if i.required and i.status != "PASS":
            rows.append([esc(s.name, lim.cell), esc(i.item.title), i.status, esc(", ".join(i.failing_checks),
                                                                                  lim.cell)])
    for m in s.manual:
        if m.required and m.status != "attested":
            rows.append([esc(s.name, lim.cell), esc(m.item.title) + " (manual)", m.status.upper(),
                         "expired " + esc(m.expires) + ": attest it again in .prc.yaml" if m.status == "expired"
                         else "attest it in .prc.yaml"])
    return rows


def _failing_items(report: Report, lim: Limits) -> list[str]:
    rows = [row for s in report.services if not s.ready for row in _failing_item_rows(s, lim)]
    if not rows:
        return []
    return ["### Failing required items", "",
            *_listing(["Service", "Item", "Status", "Failing checks"], "llll", rows[: lim.rows], len(rows),
                      "failing required items"), ""]


FINDING_HEADER = ["Location", "Check", "Service", "Target", "Message", "Fix"]


def _finding_rows(results: list[Result], lim: Limits, new: set[str], with_fix: bool = True) -> list[list[str]]:
    rows = []
    last_check = None
    for r in results:
        check = esc(f"{r.check.id} {r.check.slug}")
        if new and r.fingerprint in new:
            check += " **(new)**"
        row = [esc(str(r.location), lim.cell), check, esc(_service_name(r.service), lim.cell),
               esc(str(r.target), lim.cell), esc(r.message, lim.cell)]
        if with_fix:
            # Rows are grouped by check: its fix is written once per group.
            fix = esc(r.check.remediation, lim.cell) if r.status is Status.FAIL else ""
            row.append(fix if r.check.id != last_check else ("″" if fix else ""))
        last_check = r.check.id
        rows.append(row)
    return rows


def _by_check(results: list[Result], new: set[str]) -> list[Result]:
    """New findings first, then grouped by check so that one fix covers a run of rows."""
    return sorted(results, key=lambda r: (bool(new) and r.fingerprint not in new, r.check.id, r.sort_key()))


def _findings(report: Report, lim: Limits, new: set[str]) -> list[str]:
    failures = report.failures
    lines = ["### Findings", ""]
    if not failures:
        return [*lines, "No findings.", ""]
    for sev in SEVERITY_ORDER:
        mine = [r for r in failures if r.severity is sev]
        if not mine:
            continue
        fresh = sum(1 for r in mine if r.fingerprint in new) if new else 0
        summary = f"{sev.value.capitalize()}: {_count(len(mine), 'finding')}" + (f", {fresh:,} new" if new else "")
        rows = _finding_rows(_by_check(mine, new)[: lim.rows], lim, new)
        lines += _details(summary, _listing(FINDING_HEADER, "llllll", rows, len(mine), f"{sev.value} findings"))
    return lines


def _not_judged(report: Report, lim: Limits) -> list[str]:
    order = {Status.ERROR: 0, Status.UNKNOWN: 1}
    results = sorted((r for r in report.results if r.status in order and not r.suppressed),
                     key=lambda r: (order[r.status], r.sort_key()))
    if not results:
        return []
    errors = sum(1 for r in results if r.status is Status.ERROR)
    summary = f"Not judged: {_count(errors, 'error')}, {len(results) - errors:,} unknown"
    shown = results[: lim.rows]
    rows = [[r.status.value, *row] for r, row in zip(shown, _finding_rows(shown, lim, set(), with_fix=False))]
    return ["### Errors and unknowns", "",
            *_details(summary, _listing(["Status", *FINDING_HEADER[:-1]], "llllll", rows, len(results),
                                        "errors and unknowns"))]


def _fixed_rows(entries: list[BaselineEntry], lim: Limits) -> list[list[str]]:
    return [[esc(e.file, lim.cell), esc(e.check_id), esc(_service_name(e.service), lim.cell), esc(e.target, lim.cell),
             esc(e.message, lim.cell)] for e in entries]


def _baseline(report: Report, lim: Limits) -> list[str]:
    b = report.baseline
    if b is None:
        return []
    lines = ["### Against the baseline", "",
             f"Baseline {esc(b.path)}: **{len(b.new):,} new** · {len(b.existing):,} existing · "
             f"{len(b.fixed):,} fixed", ""]
    if b.new:
        new = sorted(b.new, key=lambda r: (r.severity.rank, r.check.id, r.sort_key()))[: lim.rows]
        rows = [[r.severity.value, *row] for r, row in zip(new, _finding_rows(new, lim, set()))]
        lines += _details(f"New findings: {len(b.new):,}",
                          _listing(["Severity", *FINDING_HEADER], "lllllll", rows, len(b.new), "new findings"),
                          open_=True)
    if b.fixed:
        fixed = sorted(b.fixed, key=lambda e: (e.check_id, e.service, e.file, e.target, e.fingerprint))[: lim.rows]
        lines += _details(f"Fixed since the baseline: {len(b.fixed):,}",
                          _listing(["File", "Check", "Service", "Target", "Message"], "lllll",
                                   _fixed_rows(fixed, lim), len(b.fixed), "fixed findings"))
    return lines


def _waivers(report: Report, lim: Limits) -> list[str]:
    lines = []
    if report.expiring_waivers:
        expiring = sorted(report.expiring_waivers, key=lambda w: (w.days_left, w.expires, w.check, w.source))
        rows = [[esc(w.check), esc(w.expires), f"{w.days_left:,}", esc(w.reason, lim.cell), esc(w.source, lim.cell)]
                for w in expiring[: lim.rows]]
        lines += ["### Waivers expiring within 14 days", "",
                  *_listing(["Check", "Expires", "Days left", "Reason", "Written at"], "llrll", rows, len(expiring),
                            "expiring waivers"), ""]
    expired = report.expired_waivers
    if expired:
        rows = [[esc(r.check.id), esc(str(r.target), lim.cell), esc(r.expired_waiver.expires),
                 esc(r.expired_waiver.source, lim.cell)] for r in expired[: lim.rows]]
        lines += ["### Expired waivers", "",
                  f"{_count(len(expired), 'result')} no longer hidden: the waiver expired.", "",
                  *_listing(["Check", "Target", "Expired", "Written at"], "llll", rows, len(expired),
                            "results with an expired waiver"), ""]
    return lines


def _footer(report: Report, lim: Limits, shrunk: bool) -> list[str]:
    notes = []
    if report.suppressed:
        notes.append(f"{_count(len(report.suppressed), 'result')} suppressed (listed in the HTML and JSON reports, "
                     "not scored)")
    if report.skipped:
        notes.append(f"{_count(len(report.skipped), 'path')} skipped")
    if shrunk:
        notes.append(f"lists cut to {lim.rows:,} rows to fit a GitHub comment; the HTML and JSON reports have them all")
    if not notes:
        return []
    text = " · ".join(notes)
    return [text[0].upper() + text[1:] + ".", ""]


def _render(report: Report, lim: Limits, shrunk: bool) -> str:
    new = {r.fingerprint for r in report.baseline.new} if report.baseline else set()
    lines = [*_header(report, lim), *_services(report, lim), *_failing_items(report, lim),
             *_baseline(report, lim), *_findings(report, lim, new), *_not_judged(report, lim),
             *_waivers(report, lim), *_footer(report, lim, shrunk)]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def render(report: Report) -> str:
    text = ""
    for n, lim in enumerate(LEVELS):
        text = _render(report, lim, shrunk=n > 0)
        if len(text.encode("utf-8")) <= MAX_BYTES:
            return text
    # Unreachable for any report LEVELS[-1] was sized for; never hand GitHub a comment it rejects.
    cut = text.encode("utf-8")[: MAX_BYTES - 200].decode("utf-8", "ignore")
    cut = cut[: cut.rfind("\n") + 1]
    closing = "</details>\n" * (cut.count("<details") - cut.count("</details>"))
    return cut + "\n" + closing + "\n…report cut to fit a GitHub comment; see the HTML or JSON report.\n"
