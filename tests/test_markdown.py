"""The Markdown report (PR comment, $GITHUB_STEP_SUMMARY): its exact shape on a small report, its limits on a
huge one, and that nothing a scanned repository writes (file names, messages) can format, inject or mention.

Reports here are built by hand (`small_report`, `big_report`) so the expected text does not drift with the
checks' messages; one test renders a real scan of a small tree through the whole pipeline.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt

from prc.discovery import Skipped
from prc.formatters import markdown
from prc.items import ITEMS
from prc.model import CheckInfo, Location, Result, Severity, Status, Suppression, TargetRef
from prc.report import BaselineDiff, BaselineEntry, ExpiringWaiver, Gate, Report
from prc.scoring import ItemStatus, ManualStatus, ServiceScore

from .conftest import run_scan

HOSTILE_FILE = "k8s/<script>alert(1)</script>|`x`*y*_z_[a](javascript:alert(2)).yaml"
HOSTILE_MESSAGE = ("line one\nline two | `code` **bold** <img src=x onerror=alert(3)> [click](https://evil.example) "
                   "@octo-org/admins #12 $x$ ~~gone~~ &lt;b&gt; \\| \u202egnp.exe")


# Builders shared with tests/test_html.py --------------------------------------------------------------------


def check(id_: str, slug: str, severity: str = "high", item: str = "readiness", category: str = "lifecycle",
          remediation: str = "Fix it.") -> CheckInfo:
    return CheckInfo(id_, slug, item, category, Severity(severity), remediation, "experimental")


def result(info: CheckInfo, status: str, message: str, file: str, line: int, service: str,
           target: TargetRef | None = None, suppression: Suppression | None = None, at: str = "",
           expired_waiver: Suppression | None = None) -> Result:
    return Result(info, Status(status), message, target or TargetRef("Deployment", service or "orphan", "prod"),
                  Location(file, line), service, at=at, suppression=suppression, expired_waiver=expired_waiver)


def service(name: str, tier: str, verdict: str, score: float | None, items=(), manual=(),
            fails=(0, 0, 0, 0), unknown: int = 0, errors: int = 0, passes: int = 0, suppressed: int = 0,
            categories: dict | None = None) -> ServiceScore:
    cats = {c: None for c in ("lifecycle", "availability", "capacity", "observability", "security", "release",
                              "operability")}
    cats.update(categories or {})
    return ServiceScore(
        name=name, tier=tier, verdict=verdict, score=score, categories=tuple(cats.items()), items=tuple(items),
        manual=tuple(manual),
        counts=(("PASS", passes), ("FAIL", sum(fails)), ("UNKNOWN", unknown), ("ERROR", errors),
                ("SUPPRESSED", suppressed)),
        fails_by_severity=tuple(zip(("critical", "high", "medium", "low"), fails)))


PRIVILEGED = check("PRC-K8S-082", "not-privileged", "critical", "container-hardening", "security",
                   "Remove securityContext.privileged: true.")
LIVENESS = check("PRC-K8S-002", "liveness-probe", "medium", "liveness", "lifecycle", "Add a livenessProbe.")
READINESS = check("PRC-K8S-001", "readiness-probe", "high")
HPA = check("PRC-K8S-034", "hpa-present", "low", "autoscaling", "availability", "Add an HPA.")
INPUT = check("PRC-INPUT-001", "input-error", "high", "", "operability", "")


def small_report(**changes) -> Report:
    web_target = TargetRef("Deployment", "web", "prod", "app")
    results = (
        result(READINESS, "PASS", "container app has a readinessProbe", "k8s/web.yaml", 18, "web", web_target),
        result(LIVENESS, "FAIL", "container app has no livenessProbe", "k8s/web.yaml", 20, "web", web_target),
        result(PRIVILEGED, "FAIL", "container app runs privileged", "k8s/web.yaml", 30, "web", web_target),
        result(HPA, "FAIL", "no HorizontalPodAutoscaler", "k8s/web.yaml", 2, "web",
               suppression=Suppression("inline", "fixed size by design", source="k8s/web.yaml:1")),
        result(INPUT, "ERROR", "could not parse YAML: bad indentation", "bad.yaml", 3, "",
               TargetRef("file", "bad.yaml")),
        result(READINESS, "PASS", "container api has a readinessProbe", "k8s/api.yaml", 18, "api"),
    )
    web = service(
        "web", "standard", "NOT READY", 62.5, fails=(1, 0, 1, 0), errors=0, passes=1, suppressed=1,
        categories={"lifecycle": 71.4, "security": 0.0},
        items=[ItemStatus(ITEMS["readiness"], "PASS", True),
               ItemStatus(ITEMS["liveness"], "FAIL", True, ("PRC-K8S-002",)),
               ItemStatus(ITEMS["container-hardening"], "FAIL", True, ("PRC-K8S-082",)),
               ItemStatus(ITEMS["autoscaling"], "PASS", False)],
        manual=[ManualStatus(ITEMS["load-test"], "missing", False),
                ManualStatus(ITEMS["security-review"], "missing", True),
                ManualStatus(ITEMS["oncall-staffed"], "expired", True, "https://pager.example/s/1", "2025-01-01",
                             "2026-01-01")])
    api = service("api", "critical", "READY", 100.0, passes=1, categories={"lifecycle": 100.0},
                  items=[ItemStatus(ITEMS["readiness"], "PASS", True)],
                  manual=[ManualStatus(ITEMS["load-test"], "attested", True, "https://wiki.example/load", "2026-10-01",
                                       "2027-04-01")])
    report = Report(
        version="0.1.0", config_path=".prc.yaml", checks=(), results=results, services=(api, web),
        skipped=(Skipped("docs/notes.txt", "not a Kubernetes, Terraform or Docker file"),), files_scanned=4,
        today="2026-11-23", objects=3,
        gate=Gate(False, ("NOT READY: web", "1 errors (input that could not be read or checks that crashed)")),
        expiring_waivers=(ExpiringWaiver("PRC-K8S-085", "licence server needs node IPs", "2026-12-01",
                                         ".prc.yaml:23", 8),),
    )
    return replace(report, **changes)


def with_baseline(report: Report) -> Report:
    liveness, privileged = report.results[1], report.results[2]
    fixed = BaselineEntry("f" * 32, "PRC-K8S-100", "web", "Deployment/prod/web[app]", "k8s/web.yaml",
                          "image uses the floating tag latest")
    return replace(report, baseline=BaselineDiff(".prc-baseline.json", new=(privileged,), existing=(liveness,),
                                                 fixed=(fixed,)))


SEVERITIES = ("critical", "high", "medium", "low")


def big_report(findings: int = 2_000, services: int = 3, message_len: int = 120, fixed: int = 300) -> Report:
    """`findings` failing results spread over severities, checks, files and services, each message unique."""
    checks = [check(f"PRC-K8S-{n:03d}", f"check-{n}", SEVERITIES[n % 4], remediation="Do the right thing " * 6)
              for n in range(40)]
    names = [f"svc-{n:03d}" for n in range(services)]
    results = []
    for n in range(findings):
        info = checks[n % len(checks)]
        body = f"finding {n}: " + ("the container is misconfigured in a way that matters " * 20)
        results.append(result(info, "FAIL", body[:message_len], f"deploy/{names[n % services]}/file-{n // 7}.yaml",
                              n % 300 + 1, names[n % services], TargetRef("Deployment", f"app-{n}", "prod", "main")))
    results.sort(key=Result.sort_key)
    scores = [service(name, "standard", "NOT READY", 40.0, fails=(10, 20, 30, 40),
                      items=[ItemStatus(ITEMS["readiness"], "FAIL", True, ("PRC-K8S-000",))]) for name in names]
    entries = tuple(BaselineEntry(f"{n:032x}", "PRC-K8S-999", names[0], f"Deployment/prod/old-{n}",
                                  f"deploy/old-{n}.yaml", "an old finding, now fixed") for n in range(fixed))
    return Report(version="0.1.0", config_path=".prc.yaml", checks=(), results=tuple(results),
                  services=tuple(scores), skipped=(), files_scanned=findings // 7, today="", objects=findings,
                  gate=Gate(False, (f"NOT READY: {', '.join(names)}",)),
                  baseline=BaselineDiff(".prc-baseline.json", new=tuple(results[: findings // 4]),
                                        existing=tuple(results[findings // 4:]), fixed=entries))


# Helpers ----------------------------------------------------------------------------------------------------


def parse(text: str):
    """GitHub-flavoured Markdown as GitHub reads it: tables, strikethrough and the raw HTML it allows."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def to_html(text: str) -> str:
    return parse(text).render(text)


def cells(text: str) -> list[list[str]]:
    """The text of every table body cell, row by row, as a reader sees it."""
    md = parse(text)
    rows, row, inside = [], None, False
    for token in md.parse(text):
        if token.type == "tr_open":
            row = []
        elif token.type == "td_open":
            inside = True
        elif token.type == "inline" and inside:
            row.append("".join(_plain(child) for child in token.children))
        elif token.type == "td_close":
            inside = False
        elif token.type == "tr_close" and row is not None:
            rows.append(row) if row else None
            row = None
    return rows


def _plain(token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "html_inline":
        return "\n" if token.content.lower() in ("<br>", "<br/>") else token.content
    return ""


def _unescape_entities(text: str) -> str:
    """Cell text as read (the parser already decoded entities), less the zero-width spaces after @ and #."""
    return text.replace("\u200b", "")


# The exact shape ------------------------------------------------------------------------------------------

SMALL = """\
<!-- prc-report -->
## ❌ prc: gate failed

**Gate failed:**
- NOT READY: web
- 1 errors (input that could not be read or checks that crashed)

2 services: 1 ready, 1 not ready · 2 findings (1 critical, 1 medium) · 4 files scanned · config .prc.yaml · \
prc 0.1.0 · judged on 2026-11-23

| Service | Tier | Verdict | Score | Critical | High | Medium | Low | Unknown / error |
|:--|:--|:--|--:|--:|--:|--:|--:|--:|
| web | standard | ❌ NOT READY | 62.5 | 1 | 0 | 1 | 0 | 0 |
| api | critical | ✅ READY | 100.0 | 0 | 0 | 0 | 0 | 0 |

### Failing required items

| Service | Item | Status | Failing checks |
|:--|:--|:--|:--|
| web | Liveness is probed sanely | FAIL | PRC-K8S-002 |
| web | Container hardening | FAIL | PRC-K8S-082 |
| web | Security review done (manual) | MISSING | attest it in .prc.yaml |
| web | On-call rotation staffed (manual) | EXPIRED | expired 2026-01-01: attest it again in .prc.yaml |

### Findings

<details>
<summary>Critical: 1 finding</summary>

| Location | Check | Service | Target | Message | Fix |
|:--|:--|:--|:--|:--|:--|
| k8s/web.yaml:30 | PRC-K8S-082 not-privileged | web | Deployment/prod/web\\[app\\] | container app runs privileged | \
Remove securityContext.privileged: true. |

</details>

<details>
<summary>Medium: 1 finding</summary>

| Location | Check | Service | Target | Message | Fix |
|:--|:--|:--|:--|:--|:--|
| k8s/web.yaml:20 | PRC-K8S-002 liveness-probe | web | Deployment/prod/web\\[app\\] | \
container app has no livenessProbe | Add a livenessProbe. |

</details>

### Errors and unknowns

<details>
<summary>Not judged: 1 error, 0 unknown</summary>

| Status | Location | Check | Service | Target | Message |
|:--|:--|:--|:--|:--|:--|
| ERROR | bad.yaml:3 | PRC-INPUT-001 input-error | (no service) | file/bad.yaml | \
could not parse YAML: bad indentation |

</details>

### Waivers expiring within 14 days

| Check | Expires | Days left | Reason | Written at |
|:--|:--|--:|:--|:--|
| PRC-K8S-085 | 2026-12-01 | 8 | licence server needs node IPs | .prc.yaml:23 |

1 result suppressed (listed in the HTML and JSON reports, not scored) · 1 path skipped.
"""


def test_small_report_exact_text():
    assert markdown.render(small_report()) == SMALL


def test_gate_passed_and_no_findings():
    report = small_report(gate=Gate(True), results=(), expiring_waivers=(), skipped=(), today="")
    text = markdown.render(report)
    assert text.startswith("<!-- prc-report -->\n## ✅ prc: gate passed\n\n2 services: 1 ready, 1 not ready · "
                           "0 findings · 4 files scanned · config .prc.yaml · prc 0.1.0\n")
    assert "### Findings\n\nNo findings.\n" in text
    assert "judged on" not in text  # no date unless the report carries one
    assert "Errors and unknowns" not in text and "Waivers" not in text


def test_baseline_section_lists_new_findings_first_and_marks_them():
    text = markdown.render(with_baseline(small_report()))
    section = text[text.index("### Against the baseline"):text.index("### Findings")]
    assert "Baseline .prc-baseline.json: **1 new** · 1 existing · 1 fixed" in section
    assert section.index("<details open>\n<summary>New findings: 1</summary>") < section.index(
        "<details>\n<summary>Fixed since the baseline: 1</summary>")
    assert "| critical | k8s/web.yaml:30 | PRC-K8S-082 not-privileged | web |" in section
    assert "| k8s/web.yaml | PRC-K8S-100 | web | Deployment/prod/web\\[app\\] | image uses the floating tag latest |" \
        in section
    # In the findings by severity, the new one says so; the existing one does not.
    findings = text[text.index("### Findings"):]
    assert "<summary>Critical: 1 finding, 1 new</summary>" in findings
    assert "PRC-K8S-082 not-privileged **(new)**" in findings
    assert "<summary>Medium: 1 finding, 0 new</summary>" in findings
    assert "PRC-K8S-002 liveness-probe |" in findings
    # The baseline comes before the findings: what changed is what a reviewer reads first.
    assert text.index("### Against the baseline") < text.index("### Findings")


def test_expired_waivers_are_listed():
    waiver = Suppression("waiver", "temporary", "2026-11-01", ".prc.yaml:30")
    report = small_report()
    expired = replace(report.results[1], expired_waiver=waiver)
    text = markdown.render(replace(report, results=(report.results[0], expired, *report.results[2:])))
    assert "### Expired waivers\n\n1 result no longer hidden: the waiver expired.\n" in text
    assert "| PRC-K8S-002 | Deployment/prod/web\\[app\\] | 2026-11-01 | .prc.yaml:30 |" in text


def test_renders_as_github_would_read_it():
    html = to_html(markdown.render(with_baseline(small_report())))
    assert html.count("<table>") == 8  # services, items, new, fixed, critical, medium, errors, waivers
    assert html.count("<details") == html.count("</details>") == 5
    # A table inside <details> is read as a table: the blank lines around it are there.
    assert "<summary>Critical: 1 finding, 1 new</summary>\n<table>" in html


# Many findings --------------------------------------------------------------------------------------------


def _table_rows_after(text: str, summary: str) -> int:
    block = text[text.index(summary):]
    block = block[:block.index("</details>")]
    return sum(1 for line in block.splitlines() if line.startswith("| ") and not line.startswith("| Location"))


def test_two_thousand_findings_stay_readable_and_fit_a_github_comment():
    report = big_report()
    text = markdown.render(report)
    assert len(text) <= 65_536 and len(text.encode("utf-8")) <= markdown.MAX_BYTES
    per_severity = {sev: sum(1 for r in report.failures if r.severity.value == sev) for sev in SEVERITIES}
    assert sum(per_severity.values()) == 2_000
    for sev, total in per_severity.items():
        summary = f"<summary>{sev.capitalize()}: {total:,} findings, "
        assert summary in text
        shown = _table_rows_after(text, summary)
        assert 0 < shown <= 50
        assert f"…and {total - shown:,} more {sev} findings." in text
    # Top N, then a count, for the baseline too; the header counts are complete.
    assert "**500 new** · 1,500 existing · 300 fixed" in text
    assert re.search(r"…and [\d,]+ more new findings\.", text)
    assert re.search(r"…and [\d,]+ more fixed findings\.", text)
    assert "2,000 findings (500 critical, 500 high, 500 medium, 500 low)" in text
    # The reader is told the lists were shortened, and where the rest is.
    assert re.search(r"Lists cut to \d+ rows to fit a GitHub comment; the HTML and JSON reports have them all", text)


def test_huge_messages_and_many_services_still_fit():
    report = big_report(findings=5_000, services=400, message_len=2_000, fixed=2_000)
    text = markdown.render(report)
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    assert "…and 300 more services (300 not ready, 0 ready)." in text or "more services" in text
    assert text.count("<details") == text.count("</details>")
    to_html(text)  # still parses


def test_non_ascii_messages_count_in_bytes_not_characters():
    report = big_report(findings=2_000, message_len=300)
    wide = tuple(replace(r, message="サービスの設定が不完全です。" * 20) for r in report.results)
    text = markdown.render(replace(report, results=wide))
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    assert "サービスの設定が不完全です" in text


# Hostile input --------------------------------------------------------------------------------------------


def _hostile_report() -> Report:
    report = small_report()
    hostile = result(PRIVILEGED, "FAIL", HOSTILE_MESSAGE, HOSTILE_FILE, 7, "web",
                     TargetRef("Deployment", "we|b`<b>", "prod", "[x](y)"))
    return replace(report, results=(*report.results, hostile),
                   gate=Gate(False, ("NOT READY: <img src=x onerror=alert(4)>",)))


def test_hostile_file_names_and_messages_cannot_inject_html_or_markdown():
    text = markdown.render(_hostile_report())
    html = to_html(text)
    for raw in ("<script", "<img", "href=\"javascript", "href=\"https://evil", "<strong>bold", "<code>", "<del>",
                "<b>"):
        assert raw not in html, raw
    assert not re.search(r"<[^>]*onerror", html)
    # Every row of the critical table still has its six cells, and each cell reads exactly what was written.
    row = next(r for r in cells(text) if r[0].startswith("k8s/<script>"))
    assert len(row) == 6
    assert _unescape_entities(row[0]) == HOSTILE_FILE + ":7"
    assert _unescape_entities(row[3]) == "Deployment/prod/we|b`<b>[[x](y)]"
    assert _unescape_entities(row[4]) == HOSTILE_MESSAGE.replace("\u202e", "<U+202E>")


def test_hostile_text_cannot_mention_people_or_link_issues():
    text = markdown.render(_hostile_report())
    # A zero-width space after @ and # (as Renovate writes them) stops GitHub's mentions and issue links.
    assert "@octo-org" not in text and "@&#8203;octo-org/admins" in text
    assert "#12" not in text and "#&#8203;12" in text


def test_escape_helper():
    assert markdown.esc("a|b`c*d_e[f]g<h>i~j$k&l\\m") == "a\\|b\\`c\\*d\\_e\\[f\\]g&lt;h&gt;i\\~j\\$k&amp;l\\\\m"
    assert markdown.esc("one\r\ntwo\rthree\nfour") == "one<br>two<br>three<br>four"
    assert markdown.esc("tab\there\x07bell") == "tab here&lt;U+0007&gt;bell"
    assert markdown.esc("x" * 10, limit=5) == "xxxx…"
    assert markdown.esc("mail me: ops@example.com") == "mail me: ops@&#8203;example.com"


# Non-ASCII, determinism and a real scan -------------------------------------------------------------------


def test_non_ascii_and_undecodable_file_names():
    report = small_report()
    odd = result(LIVENESS, "FAIL", "conteneur « café » sans sonde ✓", "déploiement/サービス.yaml", 4, "web")
    raw = result(LIVENESS, "FAIL", "bytes", "bad-\udcff-name.yaml", 1, "web")  # os.fsdecode of a non-UTF-8 name
    text = markdown.render(replace(report, results=(*report.results, odd, raw)))
    text.encode("utf-8")  # no lone surrogate survives
    assert "déploiement/サービス.yaml:4" in text
    assert "conteneur « café » sans sonde ✓" in text
    assert "bad-\\\\xFF-name.yaml:1" in text


def test_same_report_same_bytes():
    assert markdown.render(with_baseline(small_report())) == markdown.render(with_baseline(small_report()))
    big = big_report()
    assert markdown.render(big) == markdown.render(big)


def test_real_scan_of_a_small_tree(tmp_path, registry):
    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wéb\n  labels: {app: web}\nspec:\n"
        "  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec:\n      containers:\n        - name: app\n          image: nginx:latest\n", encoding="utf-8")
    first = markdown.render(run_scan([tmp_path], registry))
    second = markdown.render(run_scan([tmp_path], registry))
    assert first == second
    assert first.startswith("<!-- prc-report -->\n## ")
    assert "| Service | Tier | Verdict | Score |" in first
    assert "❌ NOT READY" in first
    assert "PRC-K8S-002 liveness-probe" in first and "web.yaml:" in first
    to_html(first)


def test_docs_excerpt_is_what_prc_writes_for_the_sample_services(registry):
    """docs/reports.md shows real output: each line of its excerpt ("..." marks a cut) is in today's report."""
    from prc.config import load_config
    from prc.gate import evaluate
    from prc.scan import ScanInput, scan

    from .conftest import REPO, TODAY

    docs = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```markdown\n(.*?)\n```", docs, re.S).group(1)
    root = REPO / "sample_services"
    config = load_config(root / ".prc.yaml", "sample_services/.prc.yaml", registry, shown_in_report=".prc.yaml")
    text = markdown.render(evaluate(scan(ScanInput((root,), root), config, registry, TODAY)))
    lines = text.splitlines()
    missing = [line for line in excerpt.splitlines() if line != "..." and line not in lines]
    assert not missing, ("docs/reports.md's Markdown excerpt drifted from `prc scan sample_services/ --today "
                         f"2026-11-23 --output markdown=summary.md`; paste the new lines: {missing}")
