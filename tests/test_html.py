"""The HTML audit report: what it holds (read back with an HTML parser), that it needs nothing from the network,
that text from a scanned repository cannot inject markup, and, in headless Chromium, what a reader sees and that
the findings filter really hides rows.

The Chromium tests need Debian's `chromium` at /usr/bin/chromium (CI: `apt-get update && apt-get install -y
chromium`); they are skipped, with that reason, only when it is absent.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from prc.formatters import html as html_report
from prc.gate import evaluate
from prc.items import ITEMS
from prc.model import Suppression, TargetRef
from prc.scan import ScanInput, scan
from prc.scoring import ManualStatus

from .conftest import REPO, TODAY
from .test_markdown import (HOSTILE_FILE, HOSTILE_MESSAGE, LIVENESS, PRIVILEGED, big_report, result, small_report,
                            with_baseline)

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless Chromium is not installed: run `apt-get update && apt-get install -y chromium` (CI must too)")


# A small DOM: enough to read the report back the way a browser builds it ----------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and all(_has(c, k.rstrip("_"), v) for k, v in attrs.items()):
                    found.append(c)
                found += c.find_all(tag, **attrs)
        return found

    def find(self, tag: str | None = None, **attrs) -> Node:
        hits = self.find_all(tag, **attrs)
        assert hits, f"no <{tag}> with {attrs}"
        return hits[0]

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


def _has(node: Node, name: str, value) -> bool:
    if name == "cls":
        return value in node.classes
    if value is True:
        return name.replace("_", "-") in node.attrs
    return node.attrs.get(name.replace("_", "-")) == value


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.unclosed: list[str] = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        node = self.current
        while node is not self.root and node.tag != tag:
            self.unclosed.append(node.tag)
            node = node.parent
        assert node is not self.root, f"</{tag}> closes nothing"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    # <p> may be closed implicitly by a browser; nothing else the report writes may be left open.
    assert builder.current is builder.root and not set(builder.unclosed) - {"p"}, builder.unclosed
    return builder.root


def results_rows(page: Node) -> list[Node]:
    return page.find("table", id="results").find("tbody").find_all("tr")


# What the report holds ------------------------------------------------------------------------------------


def test_small_report_structure():
    page = dom(html_report.render(small_report()))
    assert page.find("title").text() == "prc report: gate failed"
    gate = page.find("div", cls="gate")
    assert "failed" in gate.classes
    assert [li.text() for li in gate.find_all("li")] == [
        "NOT READY: web", "1 errors (input that could not be read or checks that crashed)"]
    facts = {d.find("dt").text(): d.find("dd").text() for d in page.find("dl", cls="facts").find_all("div")}
    assert facts == {"prc": "0.1.0", "Config": ".prc.yaml", "Judged on": "2026-11-23",
                     "Services": "2 (1 ready, 1 not ready)", "Files scanned": "4", "Objects": "3", "Checks run": "0"}

    summary = page.find("table", cls="summary").find("tbody").find_all("tr")
    assert [[c.text() for c in row.children if not isinstance(c, str)] for row in summary] == [
        ["api", "critical", "READY", "100.0", "0", "0", "0", "0", "0", "0"],
        ["web", "standard", "NOT READY", "62.5", "1", "0", "1", "0", "0", "1"]]
    assert summary[1].find("a").attrs["href"] == "#service-2"

    web = page.find("section", id="service-2")
    assert web.find("h2").text() == "web NOT READY"
    assert "not-ready" in web.find("h2").find("span").classes
    # The chart: overall then each category, a bar as wide as the score (260 px for 100), none where n/a.
    chart = web.find("svg")
    assert chart.find("title").text() == "Scores by category for web"
    labels = [t.children[-1] for t in chart.find_all("text") if "value" not in t.classes]
    values = [t.text() for t in chart.find_all("text", cls="value")]
    assert labels == ["overall", "lifecycle", "availability", "capacity", "observability", "security", "release",
                      "operability"]
    assert values == ["62.5", "71.4", "n/a", "n/a", "n/a", "0.0", "n/a", "n/a"]
    bars = [(r.attrs["width"], r.attrs["class"]) for r in chart.find_all("rect", cls="bar")]
    assert bars == [("162.5", "bar fair"), ("185.6", "bar fair"), ("0.0", "bar poor")]

    items, manual = web.find_all("table", cls="items")
    assert [[c.text() for c in row.children if not isinstance(c, str)] for row in items.find("tbody").find_all("tr")] \
        == [["Readiness is probed", "lifecycle", "required", "PASS", ""],
            ["Liveness is probed sanely", "lifecycle", "required", "FAIL", "PRC-K8S-002"],
            ["Container hardening", "security", "required", "FAIL", "PRC-K8S-082"],
            ["Autoscaling", "availability", "recommended", "PASS", ""]]
    manual_rows = manual.find("tbody").find_all("tr")
    assert [[c.text() for c in row.children if not isinstance(c, str)] for row in manual_rows] == [
        ["Load test done", "capacity", "recommended", "missing", "", "", ""],
        ["Security review done", "security", "required", "missing", "", "", ""],
        ["On-call rotation staffed", "operability", "required", "expired", "https://pager.example/s/1", "2025-01-01",
         "2026-01-01"]]
    # A gap the tier does not require is drawn muted; a required one is not.
    assert "optional" in manual_rows[0].find("span", cls="badge").classes
    assert "optional" not in manual_rows[1].find("span", cls="badge").classes
    assert manual_rows[2].find("a").attrs["href"] == "https://pager.example/s/1"

    rows = results_rows(page)
    assert [(r.attrs["data-status"], r.attrs["data-severity"], r.attrs["data-service"]) for r in rows] == [
        ("FAIL", "critical", "web"), ("FAIL", "medium", "web"), ("ERROR", "high", "(no service)"),
        ("SUPPRESSED", "low", "web"), ("PASS", "high", "api"), ("PASS", "high", "web")]
    first = rows[0]
    assert first.find("div", cls="loc").text() == "k8s/web.yaml:30"
    assert first.find("span", cls="check").text() == "PRC-K8S-082"
    assert first.find("div", cls="target").text() == "Deployment/prod/web[app]"
    assert first.find("div", cls="fix").text() == "Fix: Remove securityContext.privileged: true."
    assert rows[3].find("div", cls="note").text() == "Suppressed (inline, k8s/web.yaml:1): fixed size by design"
    assert rows[3].find("div", cls="was").text() == "was FAIL"

    # The filter: hidden until the script shows it, one option per value present, "all" first.
    form = page.find("form", id="filters")
    assert "hidden" in form.attrs
    options = {s.attrs["name"]: [o.attrs["value"] for o in s.find_all("option")] for s in form.find_all("select")}
    assert options == {"service": ["", "(no service)", "api", "web"],
                       "severity": ["", "critical", "high", "medium", "low"],
                       "status": ["", "FAIL", "ERROR", "SUPPRESSED", "PASS"]}
    assert page.find("p", id="shown").text() == "6 results"

    waivers = page.find("section", id="waivers")
    assert [c.text() for c in waivers.find("tbody").find("tr").children if not isinstance(c, str)] == [
        "PRC-K8S-085", "2026-12-01", "8", "licence server needs node IPs", ".prc.yaml:23"]
    assert page.find("section", id="skipped").find("td").text() == "docs/notes.txt"
    assert [a.attrs["href"] for a in page.find("nav").find_all("a")] == [
        "#services", "#service-1", "#service-2", "#waivers", "#findings", "#skipped"]


def test_baseline_section_and_new_marks():
    page = dom(html_report.render(with_baseline(small_report())))
    section = page.find("section", id="baseline")
    assert section.find("p").text() == "Baseline .prc-baseline.json: 1 new, 1 existing, 1 fixed."
    new_table, fixed_table = section.find_all("table")
    assert [c.text() for c in new_table.find("tbody").find("tr").children if not isinstance(c, str)] == [
        "critical", "k8s/web.yaml:30", "PRC-K8S-082", "web", "Deployment/prod/web[app]",
        "container app runs privileged"]
    assert fixed_table.find("tbody").find("td").text() == "k8s/web.yaml"
    rows = results_rows(page)
    assert [r.find_all("span", cls="new") != [] for r in rows] == [True, False, False, False, False, False]


def test_gate_passed_no_date_no_services():
    report = small_report(gate=replace(small_report().gate, passed=True, reasons=()), services=(), results=(),
                          today="", skipped=(), expiring_waivers=())
    page = dom(html_report.render(report))
    assert page.find("p", cls="gate").text() == "Gate passed"
    assert "Judged on" not in page.text()
    assert "No services" in page.find("section", id="services").text()
    assert results_rows(page) == []


# Self-contained --------------------------------------------------------------------------------------------


def test_needs_nothing_from_the_network():
    text = html_report.render(with_baseline(small_report()))
    page = dom(text)
    assert "<script src" not in text and "<link" not in text and "@import" not in text and "url(" not in text
    assert not page.find_all("img") and not page.find_all("iframe") and not page.find_all("object")
    assert [s.attrs for s in page.find_all("script")] == [{}]
    # The only URLs are user data: the attestation evidence, written as text and as its link.
    evidence = {"https://pager.example/s/1", "https://wiki.example/load"}
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == evidence
    assert {a.attrs["href"] for a in page.find_all("a") if not a.attrs["href"].startswith("#")} == evidence
    # A Content-Security-Policy lets only this file's own style and script run and fetches nothing.
    csp = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp and "img-src 'none'" in csp
    for tag in ("style", "script"):
        body = page.find(tag).text()
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in csp


# Hostile input, non-ASCII, determinism, size ------------------------------------------------------------


def _hostile_report():
    report = small_report()
    name = '<script>alert(1)</script>" onmouseover="alert(2)'
    hostile = result(PRIVILEGED, "FAIL", HOSTILE_MESSAGE, HOSTILE_FILE, 7, name,
                     TargetRef("Deployment", "<b>x</b>", "prod", "'y'"),
                     suppression=None)
    suppressed = result(LIVENESS, "FAIL", "m", "f.yaml", 1, "web",
                        suppression=Suppression("inline", "<i>because</i>", source="<u>f.yaml:1</u>"))
    web = report.services[1]
    evil_manual = (ManualStatus(ITEMS["load-test"], "attested", True, "javascript:alert(5)", "2026-01-01", ""),
                   ManualStatus(ITEMS["security-review"], "attested", True, "https://ok.example/\"><script>", "", ""))
    services = (report.services[0], replace(web, name=name, manual=evil_manual))
    return replace(report, results=(*report.results, hostile, suppressed), services=services,
                   gate=replace(report.gate, reasons=("NOT READY: <img src=x onerror=alert(4)>",))), name


def test_hostile_text_cannot_inject_markup():
    report, name = _hostile_report()
    text = html_report.render(report)
    page = dom(text)
    assert len(page.find_all("script")) == 1  # ours
    assert not page.find_all("img") and not page.find_all("b") and not page.find_all("i") and not page.find_all("u")
    for node in page.find_all():
        assert not any(attr.startswith("on") for attr in node.attrs), node.attrs
    assert {a.attrs["href"] for a in page.find_all("a") if not a.attrs["href"].startswith("#")} == {
        "https://wiki.example/load", "https://ok.example/\"><script>"}  # a link, escaped; javascript: stays text
    assert "javascript:alert(5)" in page.find("section", id="service-2").text()
    # Text reads back as written.
    assert page.find("div", cls="gate").find("li").text() == "NOT READY: <img src=x onerror=alert(4)>"
    assert page.find("section", id="service-2").find("h2").text() == f"{name} NOT READY"
    row = next(r for r in results_rows(page) if r.attrs["data-service"] == name)
    assert row.find("div", cls="loc").text() == HOSTILE_FILE + ":7"
    assert row.find("div", cls="msg").text() == HOSTILE_MESSAGE.replace("\u202e", "<U+202E>")
    assert row.find("div", cls="target").text() == "Deployment/prod/<b>x</b>['y']"
    assert name in [o.attrs["value"] for o in page.find("select", name="service").find_all("option")]
    # In the overview chart the long name is cut to fit beside its bar, and whole in its tooltip.
    label = page.find("svg", aria_labelledby="chart-overall").find_all("text")[2]
    assert label.find("title").text() == name and label.children[-1] == name[:21] + "…"


def test_non_ascii_and_undecodable_names():
    report = small_report()
    odd = result(LIVENESS, "FAIL", "conteneur « café » sans sonde ✓", "déploiement/サービス.yaml", 4,
                 "wéb-サービス")
    raw = result(LIVENESS, "FAIL", "bytes", "bad-\udcff-name.yaml", 1, "web")
    text = html_report.render(replace(report, results=(*report.results, odd, raw)))
    text.encode("utf-8")
    page = dom(text)
    locations = [r.find("div", cls="loc").text() for r in results_rows(page)]
    assert "déploiement/サービス.yaml:4" in locations and "bad-\\xFF-name.yaml:1" in locations
    assert "wéb-サービス" in [o.attrs["value"] for o in page.find("select", name="service").find_all("option")]
    assert "conteneur « café » sans sonde ✓" in text


def test_same_report_same_bytes():
    assert html_report.render(with_baseline(small_report())) == html_report.render(with_baseline(small_report()))


def test_two_thousand_findings_all_listed_and_filterable():
    report = big_report()
    text = html_report.render(report)
    page = dom(text)
    rows = results_rows(page)
    assert len(rows) == 2_000
    assert {r.attrs["data-severity"] for r in rows} == {"critical", "high", "medium", "low"}
    assert sum(1 for r in rows if r.find_all("span", cls="new")) == 500
    assert len(text.encode("utf-8")) < 4_000_000


# In a browser ----------------------------------------------------------------------------------------------


def _chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=3000", *args, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def sample_report_file(tmp_path_factory, registry):
    """The bundled sample services' report, as `prc scan sample_services/` judges them (read-only)."""
    from prc.config import load_config

    root = REPO / "sample_services"
    config = load_config(root / ".prc.yaml", "sample_services/.prc.yaml", registry, shown_in_report=".prc.yaml")
    report = evaluate(scan(ScanInput((root,), root), config, registry, TODAY))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html_report.render(report), encoding="utf-8")
    return path, report


@needs_chromium
def test_chromium_shows_services_verdicts_and_filters_from_the_url(sample_report_file, tmp_path):
    path, report = sample_report_file
    page = dom(_chromium(tmp_path, path.as_uri() + "#service=search-api&status=FAIL", "--dump-dom").stdout)
    # The script ran (the CSP let it), showed the filter and applied the one in the URL.
    assert "hidden" not in page.find("form", id="filters").attrs
    rows = results_rows(page)
    shown = [r for r in rows if "hidden" not in r.attrs]
    expected = [r for r in report.results if r.service == "search-api" and r.status.value == "FAIL"
                and not r.suppressed]
    assert len(rows) == len(report.results) and 0 < len(shown) == len(expected) < len(rows)
    assert {(r.attrs["data-service"], r.attrs["data-status"]) for r in shown} == {("search-api", "FAIL")}
    assert page.find("p", id="shown").text() == f"Showing {len(expected)} of {len(rows)} results"
    # What a reader sees at the top: each service with its verdict.
    summary = page.find("table", cls="summary")
    seen = {row.find("th").text(): row.find("span", cls="badge").text() for row in summary.find("tbody").find_all("tr")}
    assert seen == {s.name: s.verdict for s in report.services}
    assert {"checkout", "legacy-reports", "search-api"} <= set(seen)
    assert page.find("div", cls="gate").find("strong").text() == "Gate failed"


@needs_chromium
def test_chromium_without_javascript_shows_every_row(sample_report_file, tmp_path):
    """As a browser with JS off renders it (the script removed: --dump-dom itself needs JS enabled)."""
    path, report = sample_report_file
    text = path.read_text(encoding="utf-8")
    no_js = tmp_path / "no-js.html"
    no_js.write_text(re.sub(r"<script>.*?</script>", "", text, flags=re.S), encoding="utf-8")
    page = dom(_chromium(tmp_path, no_js.as_uri() + "#service=search-api&status=FAIL", "--dump-dom").stdout)
    assert not page.find_all("script")
    assert "hidden" in page.find("form", id="filters").attrs
    rows = results_rows(page)
    assert len(rows) == len(report.results) and not [r for r in rows if "hidden" in r.attrs]
    assert page.find("p", id="shown").text() == f"{len(rows)} results"


@needs_chromium
def test_chromium_screenshot(sample_report_file, tmp_path):
    path, _ = sample_report_file
    shot = tmp_path / "report.png"
    _chromium(tmp_path, path.as_uri(), "--window-size=1280,2000", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a page with text, tables and charts, not a blank one


def test_sample_services_report_is_deterministic(sample_report_file, registry):
    """A second scan of the same tree gives the same bytes: no clock, no set order, no memory addresses."""
    from prc.config import load_config

    path, _ = sample_report_file
    root = REPO / "sample_services"
    config = load_config(root / ".prc.yaml", "sample_services/.prc.yaml", registry, shown_in_report=".prc.yaml")
    again = evaluate(scan(ScanInput((root,), root), config, registry, TODAY))
    assert html_report.render(again) == path.read_text(encoding="utf-8")
    assert again.today == TODAY.isoformat()
