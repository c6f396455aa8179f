"""`prc scan --output FORMAT=PATH` end to end: several reports from one run, bad output arguments, exit codes,
and GitHub annotations (with --format github, and on their own under GitHub Actions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prc.cli import main
from prc.formatters import FILE_FORMATS, FORMATS, FormatterUnavailable, load
from prc.formatters.github import escape_data, escape_property

from .conftest import REPO

SAMPLES = REPO / "sample_services"

CONFIG = """\
    version: 1
    checks: {enable: [PRC-K8S-001, PRC-K8S-030, PRC-K8S-082]}
    services:
      - name: cafe
        tier: standard
        paths: ["café/**"]
    waivers:
      - check: PRC-K8S-082
        target: Deployment/web
        reason: le moteur PDF exige le mode privilégié, remplacé dans FIN-2291
        expires: 2027-01-31
    """

# web: one replica (FAIL), no readinessProbe (FAIL), privileged but waived (FAIL, suppressed);
# worker: replicas from an unrendered template (UNKNOWN), no readinessProbe but an inline ignore.
MANIFEST = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: café-app
              image: registry.example.com/web:1.4.2
              ports: [{containerPort: 8080}]
              securityContext: {privileged: true}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
      labels: {app: worker}
    spec:
      replicas: "{{ .Values.replicas }}"
      selector: {matchLabels: {app: worker}}
      template:
        metadata: {labels: {app: worker}}
        spec:
          containers:
            - name: worker  # prc:ignore PRC-K8S-001 sondé par le sidecar du maillage
              image: registry.example.com/worker:1.4.2
              ports: [{containerPort: 8080}]
    """

MANIFEST_FILE = "café/déploiement.yaml"

# What the tree yields, one row per result that is not a PASS: (status, check, file, line, suppression kind).
EXPECTED = [
    ("ERROR", "PRC-INPUT", "broken.yaml", 4, None),
    ("FAIL", "PRC-K8S-030", MANIFEST_FILE, 7, None),
    ("FAIL", "PRC-K8S-001", MANIFEST_FILE, 13, None),
    ("FAIL", "PRC-K8S-082", MANIFEST_FILE, 16, "waiver"),
    ("UNKNOWN", "PRC-K8S-030", MANIFEST_FILE, 24, None),
    ("FAIL", "PRC-K8S-001", MANIFEST_FILE, 30, "inline"),
]


def make_tree(root: Path, manifest: str = MANIFEST) -> Path:
    """A small repository: one service with a non-ASCII directory and file name, a waiver, an inline ignore, an
    UNKNOWN and a file that does not parse."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / ".prc.yaml").write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    (root / "café").mkdir(exist_ok=True)
    (root / MANIFEST_FILE).write_text(textwrap.dedent(manifest), encoding="utf-8")
    (root / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n",
                                      encoding="utf-8")
    return root


@pytest.fixture
def prc(monkeypatch, capsys):
    """`prc` in this process: prc(*args, cwd=..., env={...}) -> CompletedProcess. GITHUB_ACTIONS is unset unless
    a test sets it, so the suite behaves the same on a developer's machine and on a GitHub runner."""

    def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("NO_COLOR", "1")
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["prc", *args], code, out, err)

    return run


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if ".git" not in p.parts)


# --- the registry ---------------------------------------------------------------------------------------------

def test_every_file_format_loads_and_renders_text(tmp_path, registry):
    from .conftest import run_scan

    report = run_scan([SAMPLES], registry)
    assert set(FORMATS) == {"console", "json", "sarif", "junit", "github", "markdown", "html"}
    assert "console" not in FILE_FORMATS
    for name in FILE_FORMATS:
        text = load(name).render(report)
        assert isinstance(text, str) and text, name


def test_a_format_that_cannot_be_imported_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(FORMATS, "broken", "no_such_module")
    with pytest.raises(FormatterUnavailable, match="the broken format is not available"):
        load("broken")


def test_a_missing_formatter_module_exits_3_with_a_message_and_no_traceback(tmp_path, prc, monkeypatch):
    make_tree(tmp_path)
    monkeypatch.setitem(FORMATS, "markdown", "no_such_module")
    done = prc("scan", ".", "--output", "sarif=a.sarif", "--output", "markdown=summary.md", cwd=tmp_path)
    assert done.returncode == 3
    assert done.stderr.startswith("prc: the markdown format is not available in this installation of prc")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "a.sarif").exists()


# --- several outputs in one run -------------------------------------------------------------------------------

def test_several_outputs_in_one_run_are_all_written_and_agree(tmp_path, prc):
    make_tree(tmp_path)
    (tmp_path / "out").mkdir()
    done = prc("scan", ".", "--today", "2026-11-23", "--format", "json",
               "--output", "sarif=out/prc.sarif", "--output", "junit=out/junit.xml",
               "--output", "markdown=out/summary.md", "--output", "html=out/report.html",
               "--output", "github=out/annotations.txt", "--output", "json=out/report.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert listing(tmp_path / "out") == ["annotations.txt", "junit.xml", "prc.sarif", "report.html", "report.json",
                                         "summary.md"]
    # Standard output got the same JSON the file did: one Report, every format.
    report = json.loads(done.stdout)
    assert (tmp_path / "out" / "report.json").read_text(encoding="utf-8") == done.stdout

    not_passed = [(r["status"], r["check_id"], r["file"], r["line"], (r["suppression"] or {}).get("kind"))
                  for r in report["results"] if r["status"] != "PASS"]
    assert not_passed == EXPECTED

    sarif = json.loads((tmp_path / "out" / "prc.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["partialFingerprints"]["prcFingerprint/v1"]) for r in results] == [
        (r["check_id"], r["fingerprint"]) for r in report["results"] if r["status"] != "PASS"]

    suites = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert int(suites.get("tests")) == len(report["results"])
    assert int(suites.get("failures")) == report["summary"]["results"]["FAIL"]
    assert int(suites.get("errors")) == report["summary"]["results"]["ERROR"]
    assert int(suites.get("skipped")) == report["summary"]["results"]["UNKNOWN"] + report["summary"]["results"][
        "SUPPRESSED"]

    annotations = (tmp_path / "out" / "annotations.txt").read_text(encoding="utf-8").splitlines()
    assert len(annotations) == sum(1 for row in EXPECTED if row[4] is None)

    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "cafe" in summary
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "cafe" in html and "café-app" in html


def test_outputs_are_written_even_when_the_gate_fails_and_exit_code_says_which(tmp_path, prc):
    make_tree(tmp_path)
    failed = prc("scan", ".", "--output", "sarif=failed.sarif", cwd=tmp_path)
    passed = prc("scan", ".", "--fail-on", "never", "--output", "sarif=passed.sarif", cwd=tmp_path)
    assert (failed.returncode, passed.returncode) == (1, 0)
    assert "Gate: failed" in failed.stdout and "Gate: passed" in passed.stdout
    failed_run = json.loads((tmp_path / "failed.sarif").read_text(encoding="utf-8"))["runs"][0]
    passed_run = json.loads((tmp_path / "passed.sarif").read_text(encoding="utf-8"))["runs"][0]
    assert failed_run["results"] == passed_run["results"]
    assert failed_run["properties"]["gate"]["passed"] is False and passed_run["properties"]["gate"]["passed"]


def test_each_stdout_format_is_accepted_by_format(tmp_path, prc):
    make_tree(tmp_path)
    for name in FORMATS:
        done = prc("scan", ".", "--format", name, cwd=tmp_path)
        assert done.returncode == 1, (name, done.stderr)
        assert done.stdout, name
    sarif = prc("scan", ".", "--format", "sarif", cwd=tmp_path)
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    junit = prc("scan", ".", "--format", "junit", cwd=tmp_path)
    assert ET.fromstring(junit.stdout.encode("utf-8")).tag == "testsuites"


def test_an_existing_output_file_is_replaced_whole_and_keeps_its_mode(tmp_path, prc):
    make_tree(tmp_path)
    target = tmp_path / "prc.sarif"
    target.write_text("x" * 1_000_000)
    target.chmod(0o640)
    done = prc("scan", ".", "--output", "sarif=prc.sarif", cwd=tmp_path)
    assert done.returncode == 1
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert target.stat().st_mode & 0o777 == 0o640
    assert listing(tmp_path) == [".prc.yaml", "broken.yaml", "café", MANIFEST_FILE, "prc.sarif"]  # no temp file left


def test_outputs_are_not_written_when_the_scan_cannot_run(tmp_path, prc):
    make_tree(tmp_path)
    (tmp_path / ".prc.yaml").write_text("version: 1\nservices: nope\n")
    done = prc("scan", ".", "--output", "sarif=prc.sarif", "--output", "junit=junit.xml", cwd=tmp_path)
    assert done.returncode == 2
    assert not (tmp_path / "prc.sarif").exists() and not (tmp_path / "junit.xml").exists()


# --- bad output arguments: exit 2, a message naming the problem, nothing written ------------------------------

@pytest.mark.parametrize(("outputs", "message"), [
    (["sarif=missing/dir/prc.sarif"],
     "prc: --output sarif=missing/dir/prc.sarif: directory missing/dir does not exist\n"),
    (["sarif=prc.sarif", "json=./sub/../prc.sarif"],
     "prc: --output sarif=prc.sarif and --output json=./sub/../prc.sarif write the same file prc.sarif\n"),
    (["pdf=report.pdf"],
     "prc: --output pdf=report.pdf: 'pdf' is not a known format; file formats: json, sarif, junit, github, "
     "markdown, html\n"),
    (["console=out.txt"],
     "prc: --output console=out.txt: 'console' is for standard output only; file formats: json, sarif, junit, "
     "github, markdown, html\n"),
    (["prc.sarif"], "prc: --output prc.sarif: expected FORMAT=PATH, e.g. --output sarif=prc.sarif\n"),
    (["sarif="], "prc: --output sarif=: expected FORMAT=PATH, e.g. --output sarif=prc.sarif\n"),
    (["sarif=sub"], "prc: --output sarif=sub: sub is a directory\n"),
])
def test_bad_output_arguments_exit_2_and_write_nothing(tmp_path, prc, outputs, message):
    make_tree(tmp_path)
    (tmp_path / "sub").mkdir()
    before = listing(tmp_path)
    args = [arg for output in ["junit=junit.xml", *outputs] for arg in ("--output", output)]
    done = prc("scan", ".", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == message
    assert done.stdout == ""  # no scan ran
    assert listing(tmp_path) == before  # not even the good junit.xml


def test_a_symlink_to_another_output_is_the_same_file(tmp_path, prc):
    make_tree(tmp_path)
    (tmp_path / "prc.sarif").write_text("")
    (tmp_path / "link.sarif").symlink_to("prc.sarif")
    done = prc("scan", ".", "--output", "sarif=prc.sarif", "--output", "json=link.sarif", cwd=tmp_path)
    assert done.returncode == 2
    assert "write the same file link.sarif" in done.stderr


def test_an_unknown_stdout_format_is_a_usage_error(tmp_path, prc):
    done = prc("scan", ".", "--format", "pdf", cwd=make_tree(tmp_path))
    assert done.returncode == 2
    assert "invalid choice: 'pdf'" in done.stderr and "sarif" in done.stderr


def test_a_scan_error_after_the_scan_is_exit_3_not_a_failed_gate(tmp_path, prc, monkeypatch):
    import prc.formatters.sarif as sarif

    def broken(report):
        # Halfway through: the SARIF log is written in pieces, and half a log must not reach the file.
        yield '{\n  "$schema": '
        raise RuntimeError("a bug")

    monkeypatch.setattr(sarif, "chunks", broken)
    done = prc("scan", ".", "--output", "sarif=prc.sarif", cwd=make_tree(tmp_path))
    assert done.returncode == 3
    assert "internal error" in done.stderr
    assert not (tmp_path / "prc.sarif").exists()


def test_exit_codes_through_a_fresh_interpreter(tmp_path):
    """0 passed, 1 failed, 2 bad input: what a CI script sees, from a real process."""
    make_tree(tmp_path)

    def run(*args):
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
        return subprocess.run([sys.executable, "-m", "prc.cli", "scan", ".", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, env={**env, "NO_COLOR": "1"}).returncode

    assert run("--output", "sarif=prc.sarif") == 1
    assert run("--fail-on", "never", "--output", "sarif=prc.sarif") == 0
    assert run("--output", "sarif=nowhere/prc.sarif") == 2
    assert run("--output", "sarif=a.sarif", "--output", "junit=a.sarif") == 2


# --- GitHub annotations ---------------------------------------------------------------------------------------

def test_format_github_prints_one_annotation_per_unsuppressed_finding(tmp_path, prc):
    done = prc("scan", ".", "--format", "github", cwd=make_tree(tmp_path))
    assert done.returncode == 1
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "::error file=broken.yaml,line=4,title=PRC-INPUT input-error (ERROR)::File/broken.yaml: invalid YAML: "
        "while parsing a flow mapping on line 3; did not find expected ',' or '}'",
        "::error file=café/déploiement.yaml,line=7,title=PRC-K8S-030 min-replicas (high)::Deployment/web: "
        "Deployment web runs 1 replica; the minimum is 2%0Afix: Set spec.replicas to 2 or more, or give its "
        "HorizontalPodAutoscaler minReplicas: 2 or more.%0Aservice: cafe",
        "::error file=café/déploiement.yaml,line=13,title=PRC-K8S-001 readiness-probe (high)::"
        "Deployment/web[café-app]: container café-app has no readinessProbe%0Afix: Add a readinessProbe (httpGet "
        "on a /ready endpoint, or tcpSocket) to the container.%0Aservice: cafe",
        "::notice file=café/déploiement.yaml,line=24,title=PRC-K8S-030 min-replicas (UNKNOWN)::could not decide: "
        "Deployment/worker: Deployment worker: replicas '{{ .Values.replicas }}' is not a number%0Aservice: cafe",
    ]


def test_annotation_levels_follow_severity(tmp_path, prc):
    done = prc("scan", str(SAMPLES), "--format", "github", "--today", "2026-11-23", cwd=tmp_path)
    report = json.loads(prc("scan", str(SAMPLES), "--format", "json", "--today", "2026-11-23", cwd=tmp_path).stdout)
    level = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
    findings = [r for r in report["results"] if r["status"] == "FAIL" and not r["suppression"]]
    lines = done.stdout.splitlines()
    assert len(lines) == len(findings)
    expected = sorted(level[r["severity"]] for r in findings)
    assert sorted(line[2:line.index(" ")] for line in lines) == expected
    # Most severe first: GitHub shows only the first annotations of each level in a step.
    order = ["error", "warning", "notice"]
    assert [order.index(line[2:line.index(" ")]) for line in lines] == sorted(
        order.index(line[2:line.index(" ")]) for line in lines)


def test_github_escaping():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir,a/b:c%.yaml\n") == "dir%2Ca/b%3Ac%25.yaml%0A"


def test_a_file_name_with_a_comma_and_colon_is_escaped_in_the_annotation(tmp_path, prc):
    make_tree(tmp_path)
    os.rename(tmp_path / MANIFEST_FILE, tmp_path / "café" / "web,v1:prod.yaml")
    done = prc("scan", ".", "--format", "github", cwd=tmp_path)
    assert "::error file=café/web%2Cv1%3Aprod.yaml,line=7,title=PRC-K8S-030 min-replicas (high)::" in done.stdout


def test_under_github_actions_annotations_go_to_stderr_beside_the_console_report(tmp_path, prc):
    make_tree(tmp_path)
    plain = prc("scan", ".", cwd=tmp_path)
    actions = prc("scan", ".", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    annotations = prc("scan", ".", "--format", "github", cwd=tmp_path).stdout
    assert plain.stderr == ""
    assert actions.stdout == plain.stdout  # the console report is untouched
    assert actions.stderr == annotations
    assert actions.returncode == plain.returncode == 1


def test_under_github_actions_a_json_stdout_stays_json(tmp_path, prc):
    make_tree(tmp_path)
    done = prc("scan", ".", "--format", "json", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    json.loads(done.stdout)
    assert done.stderr.startswith("::error ")


def test_annotations_never_and_always(tmp_path, prc):
    make_tree(tmp_path)
    never = prc("scan", ".", "--annotations", "never", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    always = prc("scan", ".", "--annotations", "always", cwd=tmp_path)
    not_twice = prc("scan", ".", "--format", "github", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert never.stderr == ""
    assert always.stderr.count("\n") == 4
    assert not_twice.stderr == "" and not_twice.stdout == always.stderr


# --- docs/outputs.md shows real output ------------------------------------------------------------------------

DOCS_EXAMPLE = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: app  # prc:ignore PRC-K8S-001 probed by the mesh sidecar
              image: registry.example.com/web:1.4.2
              ports: [{containerPort: 8080}]
              securityContext: {privileged: true}
    """


def test_the_examples_in_docs_outputs_are_what_prc_writes(tmp_path, prc):
    import re

    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    (tmp_path / ".prc.yaml").write_text("version: 1\nchecks: {enable: [PRC-K8S-001, PRC-K8S-030, PRC-K8S-082]}\n"
                                        "services:\n  - name: web\n    paths: [\"deploy/**\"]\n")
    (tmp_path / "deploy" / "web.yaml").write_text(textwrap.dedent(DOCS_EXAMPLE))
    done = prc("scan", ".", "--format", "github", "--output", "sarif=prc.sarif", "--output", "junit=junit.xml",
               cwd=tmp_path)
    docs = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    annotations = re.search(r"## `github`: annotations.*?```\n(.*?)\n```", docs, re.S).group(1)
    assert annotations + "\n" == done.stdout
    junit = re.search(r"```xml\n(.*?)\n  \.\.\.\n</testsuite>\n```", docs, re.S).group(1)
    assert junit in (tmp_path / "junit.xml").read_text(encoding="utf-8").replace("\n  ", "\n")
    example = json.loads(re.search(r"```json\n(.*?)\n```", docs, re.S).group(1))
    results = json.loads((tmp_path / "prc.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert example in results
