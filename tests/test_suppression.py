"""Inline `# prc:ignore` comments and `prc.dev/ignore` annotations: what they hide, and what is invalid.

Each manifest below is Deployment/web whose container `app` has no
readinessProbe, so PRC-K8S-001 fails on the container's line unless hidden.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from prc.config import Config
from prc.model import Status
from prc.suppress import parse_annotation

from .conftest import run_scan
from .test_cli import cli  # noqa: F401  (fixture: prc in this process)

ONLY_001 = Config(enable=["PRC-K8S-001"])


def deployment(name: str = "web", containers: str = "        - name: app\n", annotations: str = "",
               before: str = "") -> str:
    """Deployment text: apiVersion on line 1, name on 4, annotations from 6, then the pod spec.

    Each `- name:` line in `containers` gets an image and a port after it,
    unless `containers` spells out its own image lines.
    """
    body = containers
    if "image:" not in containers:
        image = f"          image: registry.example.com/{name}:1.4.2\n          ports: [{{containerPort: 8080}}]\n"
        body = "".join(line + (image if line.lstrip().startswith("- name:") else "")
                       for line in containers.splitlines(keepends=True))
    return before + textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels: {{app: {name}}}
        """) + annotations + textwrap.dedent(f"""\
        spec:
          selector: {{matchLabels: {{app: {name}}}}}
          template:
            metadata: {{labels: {{app: {name}}}}}
            spec:
              containers:
        """) + body


def scan_text(tmp_path: Path, registry, text: str, name: str = "web.yaml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return run_scan([tmp_path / name], registry, ONLY_001, root=tmp_path)


def outcome(report, display: str = "web.yaml") -> list[tuple]:
    """(check, target, status, line, suppression kind, reason, source) per result in a file."""
    return [(r.check.id, str(r.target), r.status.value, r.location.line,
             r.suppression.kind if r.suppression else None, r.suppression.reason if r.suppression else None,
             r.suppression.source if r.suppression else None)
            for r in report.results if r.location.file == display]


def test_unsuppressed_baseline(tmp_path, registry):
    text = deployment()
    assert text.splitlines()[11] == "        - name: app"
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, None, None, None)]


# --- inline comments ------------------------------------------------------------------


def test_trailing_comment_on_the_finding_line(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore PRC-K8S-001 probed by the mesh sidecar\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, "inline", "probed by the mesh sidecar", "web.yaml:12")]


def test_comment_on_its_own_line_above_the_finding(tmp_path, registry):
    text = deployment(containers="        # prc:ignore PRC-K8S-001 probed by the mesh sidecar\n        - name: app\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 13, "inline", "probed by the mesh sidecar", "web.yaml:12")]


def test_stacked_comments_above_one_line(tmp_path, registry):
    text = deployment(containers="        # prc:ignore liveness-probe no liveness needed\n"
                                 "\n"
                                 "        # prc:ignore readiness-probe probed by the mesh\n"
                                 "        - name: app\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 15, "inline", "probed by the mesh", "web.yaml:14")]


def test_comment_on_another_line_does_not_apply(tmp_path, registry):
    text = deployment(containers="        - name: app\n"
                                 "          image: registry.example.com/web:1.4.2"
                                 "  # prc:ignore PRC-K8S-001 wrong line\n"
                                 "          ports: [{containerPort: 8080}]\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, None, None, None)]


def test_comment_for_another_check_does_not_apply(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore PRC-K8S-002 liveness handled elsewhere\n")
    assert outcome(scan_text(tmp_path, registry, text))[0][4] is None


def test_comment_above_the_document_covers_the_whole_object(tmp_path, registry):
    containers = "        - name: app\n        - name: proxy\n"
    text = ("# prc:ignore PRC-K8S-001 probes are added by the platform's admission webhook\n"
            + deployment(containers=containers) + "---\n" + deployment("shop", containers=containers))
    reason = "probes are added by the platform's admission webhook"
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/shop[app]", "FAIL", 31, None, None, None),
        ("PRC-K8S-001", "Deployment/shop[proxy]", "FAIL", 34, None, None, None),
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 13, "inline", reason, "web.yaml:1"),
        ("PRC-K8S-001", "Deployment/web[proxy]", "FAIL", 16, "inline", reason, "web.yaml:1"),
    ]


def test_comment_above_a_later_document_after_its_separator(tmp_path, registry):
    text = (deployment() + "---\n# prc:ignore readiness-probe scaled to zero outside business hours\n"
            + deployment("shop"))
    got = outcome(scan_text(tmp_path, registry, text))
    assert [(t, kind) for _, t, _, _, kind, _, _ in got] == [("Deployment/shop[app]", "inline"),
                                                              ("Deployment/web[app]", None)]


def test_by_slug_and_several_checks_in_one_comment(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore liveness-probe,readiness-probe mesh probes it\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, "inline", "mesh probes it", "web.yaml:12")]


def test_several_checks_with_spaces_after_the_commas(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore liveness-probe, PRC-K8S-001 mesh probes it\n")
    assert outcome(scan_text(tmp_path, registry, text)) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, "inline", "mesh probes it", "web.yaml:12")]


def test_comment_without_reason_is_not_applied_and_is_an_error(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore PRC-K8S-001\n")
    report = scan_text(tmp_path, registry, text)
    assert outcome(report) == [
        ("PRC-INPUT", "File/web.yaml", "ERROR", 12, None, None, None),
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, None, None, None),
    ]
    [error] = [r for r in report.results if r.status is Status.ERROR]
    assert str(error.location) == "web.yaml:12"
    assert error.message == ("prc:ignore PRC-K8S-001 has no reason; it is not applied until a reason follows "
                             "the check id")
    assert error.service == "web"  # it makes the service's verdict unprovable


def test_comment_without_check_is_an_error(tmp_path, registry):
    text = deployment(containers="        # prc:ignore\n        - name: app\n")
    report = scan_text(tmp_path, registry, text)
    assert [(r.status, r.location.line, r.message) for r in report.results if r.check.id == "PRC-INPUT"] == [
        (Status.ERROR, 12, "prc:ignore names no check; expected `# prc:ignore PRC-K8S-001 <reason>`")]
    assert [r.suppressed for r in report.results if r.check.id == "PRC-K8S-001"] == [False]


def test_comment_naming_an_unknown_check_is_an_error(tmp_path, registry):
    text = deployment(containers="        - name: app  # prc:ignore PRC-K8S-999 typo in the id\n")
    report = scan_text(tmp_path, registry, text)
    assert [(r.status, r.location.line, r.message) for r in report.results if r.check.id == "PRC-INPUT"] == [
        (Status.ERROR, 12, "prc:ignore names PRC-K8S-999, which is no check's id or slug; `prc checks` lists them")]
    assert [r.suppressed for r in report.results if r.check.id == "PRC-K8S-001"] == [False]


def test_annotation_naming_an_unknown_check_is_an_error(tmp_path, registry):
    text = deployment(annotations='  annotations:\n    prc.dev/ignore: "readines-probe: typo in the slug"\n')
    report = scan_text(tmp_path, registry, text)
    assert [(r.location.line, r.message) for r in report.results if r.check.id == "PRC-INPUT"] == [
        (7, "prc.dev/ignore on Deployment/web names readines-probe, which is no check's id or slug; "
            "`prc checks` lists them")]


def test_inline_comment_in_stdin(registry):
    text = deployment(containers="        - name: app  # prc:ignore PRC-K8S-001 rendered chart, probe via mesh\n")
    report = run_scan([], registry, ONLY_001, root=Path.cwd(), stdin_text=text)
    assert outcome(report, "-") == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 12, "inline", "rendered chart, probe via mesh", "-:12")]


# --- annotations ---------------------------------------------------------------------


def test_parse_annotation():
    assert parse_annotation("PRC-K8S-001: probed by the mesh; PRC-K8S-030: singleton by design;") == [
        ("PRC-K8S-001", "probed by the mesh"), ("PRC-K8S-030", "singleton by design")]
    assert parse_annotation(" readiness-probe : see https://wiki.example.com/x ; PRC-K8S-030") == [
        ("readiness-probe", "see https://wiki.example.com/x"), ("PRC-K8S-030", "")]


def test_annotation_with_two_entries(tmp_path, registry):
    annotations = ("  annotations:\n"
                   '    prc.dev/ignore: "PRC-K8S-030: singleton by design; PRC-K8S-001: probed by the mesh"\n')
    report = scan_text(tmp_path, registry, deployment(annotations=annotations))
    assert outcome(report) == [
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 14, "annotation", "probed by the mesh", "web.yaml:7")]
    assert not [r for r in report.results if r.status is Status.ERROR]


def test_annotation_by_slug(tmp_path, registry):
    annotations = "  annotations:\n    prc.dev/ignore: 'readiness-probe: probed by the mesh'\n"
    assert outcome(scan_text(tmp_path, registry, deployment(annotations=annotations)))[0][4:] == (
        "annotation", "probed by the mesh", "web.yaml:7")


def test_annotation_entry_without_reason_is_not_applied_and_is_reported(tmp_path, registry):
    annotations = "  annotations:\n    prc.dev/ignore: 'PRC-K8S-030: singleton by design; PRC-K8S-001'\n"
    report = scan_text(tmp_path, registry, deployment(annotations=annotations))
    assert outcome(report) == [
        ("PRC-INPUT", "File/web.yaml", "ERROR", 7, None, None, None),
        ("PRC-K8S-001", "Deployment/web[app]", "FAIL", 14, None, None, None),
    ]
    [error] = [r for r in report.results if r.status is Status.ERROR]
    assert error.message == ("prc.dev/ignore entry 'PRC-K8S-001' on Deployment/web has no reason; "
                             "expected `PRC-K8S-001: <reason>`")


def test_annotation_only_covers_its_own_object(tmp_path, registry):
    annotations = "  annotations:\n    prc.dev/ignore: 'PRC-K8S-001: probed by the mesh'\n"
    text = deployment(annotations=annotations) + "---\n" + deployment("shop")
    got = outcome(scan_text(tmp_path, registry, text))
    assert [(t, kind) for _, t, _, _, kind, _, _ in got] == [("Deployment/shop[app]", None),
                                                              ("Deployment/web[app]", "annotation")]


# --- suppressed results are reported, never dropped ----------------------------------------


def test_suppressed_results_are_in_json_and_counted(tmp_path, cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".prc.yaml").write_text("version: 1\nchecks: {enable: [PRC-K8S-001]}\n")
    (tmp_path / "web.yaml").write_text(
        deployment(containers="        - name: app  # prc:ignore PRC-K8S-001 probed by the mesh\n"))
    (tmp_path / "shop.yaml").write_text(deployment("shop", annotations=(
        "  annotations:\n    prc.dev/ignore: 'readiness-probe: batch-like, no traffic'\n")))
    done = cli("scan", ".", "--format", "json", "--fail-on", "high", cwd=tmp_path)
    assert done.returncode == 0, done.stdout  # suppressed failures do not trip the gate
    report = json.loads(done.stdout)
    assert [(r["file"], r["status"], r["suppression"]) for r in report["results"]] == [
        ("shop.yaml", "FAIL", {"kind": "annotation", "reason": "batch-like, no traffic", "expires": None,
                               "source": "shop.yaml:7"}),
        ("web.yaml", "FAIL", {"kind": "inline", "reason": "probed by the mesh", "expires": None,
                              "source": "web.yaml:12"}),
    ]
    assert report["summary"]["results"] == {"PASS": 0, "FAIL": 0, "UNKNOWN": 0, "ERROR": 0, "SUPPRESSED": 2}
    for service in report["services"]:
        assert service["counts"]["SUPPRESSED"] == 1
        assert service["counts"]["FAIL"] == 0
        assert service["score"] is None  # nothing left to score

    console = cli("scan", ".", "--fail-on", "high", cwd=tmp_path).stdout
    assert "Suppressed: 2" in console
    assert "inline     web.yaml:12  PRC-K8S-001 Deployment/web[app] (FAIL)\n           probed by the mesh" in console
