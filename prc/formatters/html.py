"""HTML report for audits: one self-contained file that needs no network to view.

Inline CSS and JS only (a Content-Security-Policy with their hashes forbids anything else: no fonts, scripts,
images or requests from elsewhere). It holds the gate, a score chart per service and category drawn as inline
SVG from the report's numbers, every checklist item with its status per service, and every result in one
table a reader can filter by service, severity and status. The filter is plain JS on data attributes and reads
and writes the URL fragment (`#service=checkout&severity=high&status=FAIL`), so a filtered view can be linked;
without JS the table shows everything.

Like every formatter it only selects, sorts and presents what the Report holds. Output is deterministic (no
clock: a date appears only when the report carries one) and every piece of text from the scanned repository is
escaped with html.escape.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from html import escape

from ..model import SEVERITY_ORDER, Result, Status
from ..report import Report
from ..scoring import ServiceScore

NO_SERVICE = "(no service)"  # results outside every service that no loader could place (input errors)
STATUSES = ("FAIL", "ERROR", "UNKNOWN", "SUPPRESSED", "PASS")  # the order of the findings table
CHART_BAR = 260  # px of a 100 % bar

_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible(text: str) -> str:
    """Control characters, bidirectional overrides (Trojan Source) and undecodable bytes of a file name (lone
    surrogates, which could not even be written as UTF-8) as a visible code."""
    if text.isprintable() and not _BIDI.intersection(text):
        return text
    out = []
    for c in text:
        category = unicodedata.category(c)
        if c in "\n\t":
            out.append(c)
        elif c == "\r":
            continue
        elif c in _BIDI or category == "Cc":
            out.append(f"<U+{ord(c):04X}>")
        elif category == "Cs":
            out.append(f"\\x{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else f"<U+{ord(c):04X}>")
        else:
            out.append(c)
    return "".join(out)


def e(text: object) -> str:
    """Escaped for HTML text and for a double- or single-quoted attribute."""
    return escape(_visible(str(text)), quote=True)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _band(value: float | None) -> str:
    # Display bands only (as Lighthouse draws them); the verdict is the report's, shown beside the chart.
    if value is None:
        return "none"
    return "good" if value >= 90 else ("fair" if value >= 50 else "poor")


def _service_label(name: str) -> str:
    return name or NO_SERVICE


def _status_key(r: Result) -> str:
    return "SUPPRESSED" if r.suppressed else r.status.value


def _link(url: str) -> str:
    """A link only for http(s) URLs; anything else (javascript:, data:, a path) stays text."""
    if url.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in url):
        return f'<a href="{e(url)}" rel="noopener noreferrer" referrerpolicy="no-referrer">{e(url)}</a>'
    return e(url)


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {kind}">{e(text)}</span>'


def _soft(kind: str, required: bool, good: str) -> str:
    """A gap in an item the tier does not require is drawn muted: it cannot change the verdict."""
    return kind if required or kind == good else f"{kind} optional"


def _verdict(s: ServiceScore) -> str:
    return _badge(s.verdict, "ready" if s.ready else "not-ready")


# Charts --------------------------------------------------------------------------------------------------


def _bars(rows: list[tuple[str, float | None, bool]], title: str, chart_id: str) -> str:
    """A horizontal bar per row (label, score, bold); drawn from the numbers, nothing computed but the widths."""
    label_w, gap, row_h = 150, 8, 24
    width = label_w + CHART_BAR + gap + 48
    height = row_h * len(rows) + 4
    parts = [f'<svg class="chart" role="img" aria-labelledby="{chart_id}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title id="{chart_id}">{e(title)}</title>']
    for n, (label, value, strong) in enumerate(rows):
        y = n * row_h + 4
        cls = ' class="total"' if strong else ""
        # A long service name is cut to fit beside its bar; the whole name is its tooltip.
        shown = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<text x="0" y="{y + 13}"{cls}><title>{e(label)}</title>{e(shown)}</text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 2}" width="{CHART_BAR}" height="14" rx="2"/>')
        if value is not None:
            bar = f"{CHART_BAR * max(0.0, min(value, 100.0)) / 100:.1f}"
            parts.append(f'<rect class="bar {_band(value)}" x="{label_w}" y="{y + 2}" width="{bar}" height="14" '
                         f'rx="2"/>')
        parts.append(f'<text class="value{" total" if strong else ""}" x="{label_w + CHART_BAR + gap}" '
                     f'y="{y + 13}">{e(_score(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


# Sections ------------------------------------------------------------------------------------------------


def _header(report: Report) -> list[str]:
    gate = report.gate
    out = ['<header>', '<h1>Production readiness report</h1>']
    if gate.passed:
        out.append('<p class="gate passed"><strong>Gate passed</strong></p>')
    else:
        out.append('<div class="gate failed"><strong>Gate failed</strong><ul>')
        out += [f"<li>{e(reason)}</li>" for reason in gate.reasons or ("(no reason given)",)]
        out.append("</ul></div>")
    facts = [("prc", report.version), ("Config", report.config_path or "none (no .prc.yaml)")]
    if report.today:
        facts.append(("Judged on", report.today))
    ready = sum(1 for s in report.services if s.ready)
    facts += [("Services", f"{len(report.services)} ({ready} ready, {len(report.services) - ready} not ready)"),
              # An audit reads no files: name what it judged instead.
              ("Audited", report.source) if report.source else ("Files scanned", str(report.files_scanned)),
              ("Objects", str(report.objects)),
              ("Checks run", str(len(report.checks)))]
    out.append('<dl class="facts">' + "".join(f"<div><dt>{e(k)}</dt><dd>{e(v)}</dd></div>" for k, v in facts)
               + "</dl>")
    out.append("</header>")
    return out


def _nav(report: Report) -> list[str]:
    links = [("services", "Services")]
    links += [(f"service-{n}", s.name) for n, s in enumerate(report.services, 1)]
    if report.baseline is not None:
        links.append(("baseline", "Baseline"))
    if report.expiring_waivers or report.expired_waivers:
        links.append(("waivers", "Waivers"))
    links.append(("findings", "Findings"))
    if report.skipped:
        links.append(("skipped", "Skipped"))
    return ['<nav aria-label="Contents"><ul>' + "".join(f'<li><a href="#{a}">{e(t)}</a></li>' for a, t in links)
            + "</ul></nav>"]


def _services_summary(report: Report) -> list[str]:
    out = ['<section id="services"><h2>Services</h2>']
    if not report.services:
        out.append("<p>No services: no workload found and none declared in .prc.yaml.</p></section>")
        return out
    out.append(_bars([(s.name, s.score, False) for s in report.services], "Overall score per service",
                     "chart-overall"))
    heads = ["Service", "Tier", "Verdict", "Score", *[sev.value.capitalize() for sev in SEVERITY_ORDER],
             "Unknown / error", "Suppressed"]
    out.append('<table class="summary"><thead><tr>' + "".join(f'<th scope="col">{h}</th>' for h in heads)
               + "</tr></thead><tbody>")
    for n, s in enumerate(report.services, 1):
        fails = dict(s.fails_by_severity)
        counts = dict(s.counts)
        cells = [f'<th scope="row"><a href="#service-{n}">{e(s.name)}</a></th>', f"<td>{e(s.tier)}</td>",
                 f"<td>{_verdict(s)}</td>", f'<td class="num">{e(_score(s.score))}</td>',
                 *[f'<td class="num">{fails.get(sev.value, 0)}</td>' for sev in SEVERITY_ORDER],
                 f'<td class="num">{counts.get("UNKNOWN", 0) + counts.get("ERROR", 0)}</td>',
                 f'<td class="num">{counts.get("SUPPRESSED", 0)}</td>']
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")
    return out


def _service(n: int, s: ServiceScore) -> list[str]:
    out = [f'<section class="service" id="service-{n}">',
           f'<h2>{e(s.name)} {_verdict(s)}</h2>',
           f'<p class="sub">Tier <strong>{e(s.tier)}</strong> · score <strong>{e(_score(s.score))}</strong></p>']
    rows = [("overall", s.score, True), *[(name, value, False) for name, value in s.categories]]
    out.append(_bars(rows, f"Scores by category for {s.name}", f"chart-{n}"))
    out.append('<h3>Checklist items</h3>')
    if s.items:
        out.append('<table class="items"><thead><tr><th scope="col">Item</th><th scope="col">Category</th>'
                   '<th scope="col">For this tier</th><th scope="col">Status</th><th scope="col">Failing checks</th>'
                   "</tr></thead><tbody>")
        for i in s.items:
            out.append(f'<tr><th scope="row">{e(i.item.title)}</th><td>{e(i.item.category)}</td>'
                       f"<td>{'required' if i.required else 'recommended'}</td>"
                       f"<td>{_badge(i.status, _soft(i.status.lower(), i.required, 'pass'))}</td>"
                       f'<td class="mono">{e(", ".join(i.failing_checks))}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No automated item was checked for this service.</p>")
    out.append('<h3>Manual items</h3><table class="items"><thead><tr><th scope="col">Item</th>'
               '<th scope="col">Category</th><th scope="col">For this tier</th><th scope="col">Status</th>'
               '<th scope="col">Evidence</th><th scope="col">Attested</th><th scope="col">Expires</th>'
               "</tr></thead><tbody>")
    for m in s.manual:
        out.append(f'<tr><th scope="row">{e(m.item.title)}</th><td>{e(m.item.category)}</td>'
                   f"<td>{'required' if m.required else 'recommended'}</td>"
                   f"<td>{_badge(m.status, _soft(m.status, m.required, 'attested'))}</td><td>{_link(m.evidence)}</td>"
                   f'<td class="date">{e(m.date)}</td><td class="date">{e(m.expires)}</td></tr>')
    out.append("</tbody></table></section>")
    return out


def _path(text: object) -> str:
    """Escaped, with a line-break opportunity after each slash so long paths wrap at their parts."""
    return e(text).replace("/", "/<wbr>")


def _result_cells(r: Result, new: set[str]) -> str:
    status = _status_key(r)
    marks = _badge(status, status.lower()) + (" " + _badge("new", "new") if new and r.fingerprint in new else "")
    if r.suppressed:
        marks += f'<div class="was">was {e(r.status.value)}</div>'

    where = (f'<div class="loc">{_path(r.location)}</div>'
             f'<div><span class="check">{e(r.check.id)}</span> <span class="slug">{e(r.check.slug)}</span></div>'
             f'<div class="target">{_path(r.target)}</div>')
    detail = [f'<div class="msg">{e(r.message)}</div>']
    if r.status is Status.FAIL and r.check.remediation:
        detail.append(f'<div class="fix"><span>Fix:</span> {e(r.check.remediation)}</div>')
    if r.suppression is not None:
        sup = r.suppression
        when = f", expires {e(sup.expires)}" if sup.expires else ""
        source = f", {e(sup.source)}" if sup.source else ""
        detail.append(f'<div class="note">Suppressed ({e(sup.kind)}{when}{source}): {e(sup.reason)}</div>')
    if r.expired_waiver is not None:
        w = r.expired_waiver
        detail.append(f'<div class="note">Waiver expired {e(w.expires)} ({e(w.source)}): {e(w.reason)}</div>')
    return (f"<td>{marks}</td><td>{_badge(r.severity.value, r.severity.value)}</td>"
            f"<td>{e(_service_label(r.service))}</td><td class=\"where mono\">{where}</td>"
            f'<td>{"".join(detail)}</td>')


def _findings(report: Report) -> list[str]:
    new = {r.fingerprint for r in report.baseline.new} if report.baseline else set()
    order = {s: n for n, s in enumerate(STATUSES)}
    results = sorted(report.results, key=lambda r: (order[_status_key(r)], r.severity.rank,
                                                    bool(new) and r.fingerprint not in new, r.sort_key()))
    services = sorted({_service_label(r.service) for r in results})
    present_status = [s for s in STATUSES if any(_status_key(r) == s for r in results)]
    present_sev = [s.value for s in SEVERITY_ORDER if any(r.severity is s for r in results)]

    def select(name: str, label: str, values: list[str]) -> str:
        options = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)
        return (f'<label>{label} <select name="{name}" id="filter-{name}"><option value="">all</option>{options}'
                "</select></label>")

    failures = len(report.failures)
    out = ['<section id="findings"><h2>Findings</h2>',
           f"<p>{failures} findings (failing, not suppressed) among {len(results)} results; passes and suppressed "
           "results are listed too.</p>",
           # Shown by the script: without JS there is nothing to filter with and every row shows.
           '<form id="filters" class="filters" hidden>' + select("service", "Service", services)
           + select("severity", "Severity", present_sev) + select("status", "Status", present_status)
           + '<button type="reset">Show all</button></form>',
           f'<p id="shown" aria-live="polite">{len(results)} results</p>']
    out.append('<table id="results" class="results"><colgroup><col class="c-status"><col class="c-severity">'
               '<col class="c-service"><col class="c-where"><col></colgroup><thead><tr>'
               '<th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Service</th>'
               '<th scope="col">Location, check and target</th><th scope="col">Message</th></tr></thead><tbody>')
    for r in results:
        out.append(f'<tr data-service="{e(_service_label(r.service))}" data-severity="{r.severity.value}" '
                   f'data-status="{_status_key(r)}">{_result_cells(r, new)}</tr>')
    out.append("</tbody></table></section>")
    return out


def _baseline(report: Report) -> list[str]:
    b = report.baseline
    if b is None:
        return []
    out = ['<section id="baseline"><h2>Against the baseline</h2>',
           f'<p>Baseline <span class="mono">{e(b.path)}</span>: <strong>{len(b.new)} new</strong>, '
           f"{len(b.existing)} existing, {len(b.fixed)} fixed.</p>"]
    if b.new:
        out.append("<h3>New findings</h3><table><thead><tr><th>Severity</th><th>Location</th><th>Check</th>"
                   "<th>Service</th><th>Target</th><th>Message</th></tr></thead><tbody>")
        for r in sorted(b.new, key=lambda r: (r.severity.rank, r.check.id, r.sort_key())):
            out.append(f"<tr><td>{_badge(r.severity.value, r.severity.value)}</td>"
                       f'<td class="mono">{e(r.location)}</td><td class="mono">{e(r.check.id)}</td>'
                       f"<td>{e(_service_label(r.service))}</td><td class=\"mono\">{e(r.target)}</td>"
                       f"<td>{e(r.message)}</td></tr>")
        out.append("</tbody></table>")
    if b.fixed:
        out.append("<h3>Fixed since the baseline</h3><table><thead><tr><th>File</th><th>Check</th><th>Service</th>"
                   "<th>Target</th><th>Message</th></tr></thead><tbody>")
        for f in sorted(b.fixed, key=lambda f: (f.check_id, f.service, f.file, f.target, f.fingerprint)):
            out.append(f'<tr><td class="mono">{e(f.file)}</td><td class="mono">{e(f.check_id)}</td>'
                       f"<td>{e(_service_label(f.service))}</td><td class=\"mono\">{e(f.target)}</td>"
                       f"<td>{e(f.message)}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def _waivers(report: Report) -> list[str]:
    expiring = sorted(report.expiring_waivers, key=lambda w: (w.days_left, w.expires, w.check, w.source))
    expired = report.expired_waivers
    if not (expiring or expired):
        return []
    out = ['<section id="waivers"><h2>Waivers</h2>']
    if expiring:
        out.append("<h3>Expiring within 14 days</h3><table><thead><tr><th>Check</th><th>Expires</th>"
                   "<th>Days left</th><th>Reason</th><th>Written at</th></tr></thead><tbody>")
        out += [f'<tr><td class="mono">{e(w.check)}</td><td>{e(w.expires)}</td><td class="num">{w.days_left}</td>'
                f'<td>{e(w.reason)}</td><td class="mono">{e(w.source)}</td></tr>' for w in expiring]
        out.append("</tbody></table>")
    if expired:
        out.append("<h3>Expired: these results count again</h3><table><thead><tr><th>Check</th><th>Target</th>"
                   "<th>Expired</th><th>Reason</th><th>Written at</th></tr></thead><tbody>")
        out += [f'<tr><td class="mono">{e(r.check.id)}</td><td class="mono">{e(r.target)}</td>'
                f"<td>{e(r.expired_waiver.expires)}</td><td>{e(r.expired_waiver.reason)}</td>"
                f'<td class="mono">{e(r.expired_waiver.source)}</td></tr>' for r in expired]
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def _skipped(report: Report) -> list[str]:
    if not report.skipped:
        return []
    rows = "".join(f'<tr><td class="mono">{e(s.path)}</td><td>{e(s.reason)}</td></tr>' for s in report.skipped)
    return ['<section id="skipped"><h2>Skipped paths</h2>',
            f"<details><summary>{len(report.skipped)} paths the scan passed over</summary>"
            f"<table><thead><tr><th>Path</th><th>Reason</th></tr></thead><tbody>{rows}</tbody></table></details>",
            "</section>"]


CSS = """
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa;
  --good: #1a7f37; --fair: #bf8700; --poor: #cf222e; --track: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 12px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
a { color: #0969da; }
.mono, code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12.5px; overflow-wrap: break-word; }
.gate { padding: 10px 14px; border-radius: 6px; margin: 0 0 14px; font-size: 16px; }
.gate ul { margin: 4px 0 0; padding-left: 20px; font-size: 14px; }
.gate.passed { background: #dafbe1; border: 1px solid #4ac26b; }
.gate.failed { background: #ffebe9; border: 1px solid #ff8182; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 0; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; margin: 16px 0 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 500; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.summary td:nth-child(n+4), .summary th:nth-child(n+4) { text-align: right; font-variant-numeric: tabular-nums; }
.date { white-space: nowrap; }
.sub { color: var(--muted); margin: 0 0 8px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600;
  line-height: 20px; white-space: nowrap; border: 1px solid transparent; }
.badge.ready, .badge.pass, .badge.attested { background: #dafbe1; color: #116329; border-color: #4ac26b; }
.badge.not-ready, .badge.fail, .badge.missing, .badge.expired { background: #ffebe9; color: #a40e26;
  border-color: #ff8182; }
.badge.optional { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.badge.unknown { background: #fbefff; color: #6e40c9; border-color: #d8b9ff; }
.badge.error { background: #6e40c9; color: #fff; }
.badge.suppressed { background: var(--bg-soft); color: var(--muted); border-color: var(--line); }
.badge.new { background: #ddf4ff; color: #0550ae; border-color: #54aeff; }
.badge.critical { background: #a40e26; color: #fff; }
.badge.high { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.badge.medium { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.badge.low { background: #ddf4ff; color: #0550ae; border-color: #54aeff; }
h2 .badge { vertical-align: middle; font-size: 13px; margin-left: 6px; }
svg.chart { display: block; margin: 8px 0 4px; max-width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: var(--fg); }
svg.chart text.total { font-weight: 700; }
svg.chart .track { fill: var(--track); }
svg.chart .bar.good { fill: var(--good); }
svg.chart .bar.fair { fill: var(--fair); }
svg.chart .bar.poor { fill: var(--poor); }
.results { table-layout: fixed; }
.results .c-status { width: 120px; } .results .c-severity { width: 84px; } .results .c-service { width: 130px; }
.results .c-where { width: 32%; }
.results td { overflow-wrap: anywhere; }
.results .check { font-weight: 600; }
.results .was { color: var(--muted); font-size: 12px; }
.results .slug, .results .target { color: var(--muted); }
.msg { white-space: pre-line; }
.fix { color: var(--muted); margin-top: 2px; }
.fix span { font-weight: 600; }
.note { color: var(--muted); font-style: italic; margin-top: 2px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 10px;
  background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; }
.filters[hidden] { display: none; }
.filters select { max-width: 240px; }
#shown { color: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { .filters, nav { display: none; } tr { break-inside: avoid; } }
""".strip()

JS = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("results");
  if (!form || !table) { return; }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var fields = ["service", "severity", "status"];
  var shown = document.getElementById("shown");
  function has(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }
  function fromHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    fields.forEach(function (f) {
      var v = params.get(f) || "";
      form.elements[f].value = has(form.elements[f], v) ? v : "";
    });
  }
  function toHash() {
    var params = new URLSearchParams();
    fields.forEach(function (f) { if (form.elements[f].value) { params.set(f, form.elements[f].value); } });
    var hash = params.toString();
    try {
      history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
    } catch (err) {
      window.location.hash = hash;
    }
  }
  function apply() {
    var want = {};
    fields.forEach(function (f) { want[f] = form.elements[f].value; });
    var count = 0;
    rows.forEach(function (row) {
      var keep = fields.every(function (f) { return !want[f] || row.getAttribute("data-" + f) === want[f]; });
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count === rows.length ? rows.length + " results" :
      "Showing " + count + " of " + rows.length + " results";
  }
  form.hidden = false;
  form.addEventListener("change", function () { toHash(); apply(); });
  form.addEventListener("reset", function () { setTimeout(function () { toHash(); apply(); }, 0); });
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  document.documentElement.setAttribute("data-filter-ready", "1");
})();
""".strip()


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


# Only the style and script written here may run; nothing may be fetched while the report is viewed.
CSP = (f"default-src 'none'; style-src {_sha256(CSS)}; script-src {_sha256(JS)}; img-src 'none'; "
       "base-uri 'none'; form-action 'none'")


def render(report: Report) -> str:
    title = f"prc report: gate {'passed' if report.gate.passed else 'failed'}"
    body = [*_header(report), *_nav(report), *_services_summary(report)]
    for n, s in enumerate(report.services, 1):
        body += _service(n, s)
    body += [*_baseline(report), *_waivers(report), *_findings(report), *_skipped(report)]
    body.append(f"<footer>Written by prc {e(report.version)}. Self-contained: viewing it fetches nothing."
                "</footer>")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        f"<script>{JS}</script>",
        "</body>",
        "</html>",
    ]) + "\n"
