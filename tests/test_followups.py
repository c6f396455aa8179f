"""Review follow-ups: what an audit's report header names, `scan --changed` outputs when no service owns the
changed files, the action's annotations next to its SARIF, and the warning for a declared service nothing
belongs to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from prc.cli import main
from prc.config import load_schema

from .conftest import REPO
from .test_action import WEB, Runner

VENV_BIN = Path(sys.executable).parent
TODAY = "2026-11-23"
SNAPSHOT = REPO / "tests" / "checks" / "PRC-AWS-001" / "good.snapshot.json"
SARIF_SCHEMA = REPO.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def _prc(cwd: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "prc"), *argv], cwd=cwd, capture_output=True, text=True, input=stdin,
                          env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(cwd)})


# --- 1. an audit's report names what it audited, not "0 files" ---------------------------------------------------


@pytest.fixture
def snapshots(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(SNAPSHOT.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert data["regions"] == ["eu-west-1"]
    data["regions"] = ["eu-west-1", "us-east-1"]
    two = tmp_path / "two.json"
    two.write_text(json.dumps(data), encoding="utf-8")
    return data["account_id"], one, two


def _audit(capsys, snapshot: Path, fmt: str, *extra: str) -> str:
    capsys.readouterr()
    code = main(["audit", "aws", "--from-snapshot", str(snapshot), "--today", TODAY, "--fail-on", "never",
                 "--no-color", "--annotations", "never", "--format", fmt, *extra])
    assert code == 0
    return capsys.readouterr().out


def test_console_header_of_an_audit_names_the_account_and_regions(snapshots, capsys, tmp_path, monkeypatch):
    account, one, two = snapshots
    monkeypatch.chdir(tmp_path)
    first = _audit(capsys, two, "console").splitlines()[0]
    assert f"AWS account {account}, 2 regions" in first and "files" not in first, first
    first = _audit(capsys, one, "console").splitlines()[0]
    assert f"AWS account {account}, 1 region," in first and "files" not in first, first


def test_markdown_and_html_of_an_audit_name_the_account_and_regions(snapshots, capsys, tmp_path, monkeypatch):
    account, _, two = snapshots
    monkeypatch.chdir(tmp_path)
    markdown = _audit(capsys, two, "markdown", "--output", "html=report.html")
    facts = next(line for line in markdown.splitlines() if "prc " in line and " · " in line)
    assert f"AWS account {account}, 2 regions" in facts and "scanned" not in facts, facts
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Files scanned" not in html
    assert f"<dt>Audited</dt><dd>AWS account {account}, 2 regions</dd>" in html


def test_a_file_scan_still_counts_files_and_its_json_has_no_new_field(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "deploy.yaml").write_text(WEB, encoding="utf-8")
    done = _prc(tmp_path, "scan", ".", "--today", TODAY)
    assert done.stdout.splitlines()[0].startswith("prc ") and ": 1 files, 1 services" in done.stdout.splitlines()[0]
    done = _prc(tmp_path, "scan", ".", "--today", TODAY, "--format", "markdown")
    assert "1 file scanned" in done.stdout
    done = _prc(tmp_path, "scan", ".", "--today", TODAY, "--format", "json")
    report = json.loads(done.stdout)
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    assert "source" not in report and "source" not in report["summary"]


# --- 2. scan --changed writes every requested output even when no service owns the changed files ----------------


@pytest.fixture
def two_services(tmp_path):
    (tmp_path / ".git").mkdir()
    for name in ("web", "api"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "deploy.yaml").write_text(WEB.replace("web", name), encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("hello: world\n", encoding="utf-8")
    return tmp_path


def _sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_changed_with_no_owner_still_writes_every_output(two_services):
    done = _prc(two_services, "scan", "--changed", "notes.yaml", "--today", TODAY, "--output", "sarif=out.sarif",
                "--output", "json=out.json", "--output", "markdown=out.md", "--output", "html=out.html",
                "--output", "junit=out.xml")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "prc: no service owns the changed files (notes.yaml); nothing to check\n"
    sarif = json.loads((two_services / "out.sarif").read_text(encoding="utf-8"))
    _sarif_validator().validate(sarif)
    assert sarif["runs"][0]["results"] == []
    report = json.loads((two_services / "out.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    assert report["services"] == [] and report["results"] == [] and report["gate"] == {"passed": True,
                                                                                       "reasons": []}
    assert "gate passed" in (two_services / "out.md").read_text(encoding="utf-8")
    assert (two_services / "out.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "<testsuites" in (two_services / "out.xml").read_text(encoding="utf-8")


def test_changed_with_no_owner_and_a_machine_format_on_stdout_writes_that_format(two_services):
    done = _prc(two_services, "scan", "--changed", "notes.yaml", "--today", TODAY, "--format", "sarif")
    assert done.returncode == 0, done.stderr
    sarif = json.loads(done.stdout)
    _sarif_validator().validate(sarif)
    assert sarif["runs"][0]["results"] == []
    assert "no service owns the changed files (notes.yaml)" in done.stderr


# --- 3. the action does not annotate twice when it writes SARIF -------------------------------------------------


def test_action_passes_annotations_never_only_when_it_writes_sarif(tmp_path):
    runner = Runner(tmp_path)
    (runner.workspace / ".git").mkdir()
    (runner.workspace / "deploy" / "web").mkdir(parents=True)
    (runner.workspace / "deploy" / "web" / "deploy.yaml").write_text(WEB, encoding="utf-8")
    scan = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    assert "--annotations never" in scan["run"]
    code, log = runner.run_action(paths="deploy")
    assert code == 1, log
    assert json.loads((runner.workspace / "prc.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert "::error " not in log and "::warning " not in log and "::notice " not in log, log
    # Without SARIF the annotations are the only way findings reach the diff: they stay.
    runner.output.write_text("", encoding="utf-8")
    code, log = runner.run_action(paths="deploy", sarif="")
    assert code == 1, log
    assert "::error file=deploy/web/deploy.yaml" in log or "::warning file=deploy/web/deploy.yaml" in log


# --- 4. scan warns about a declared service nothing belongs to --------------------------------------------------


CONFIG = """\
services:
  - name: web
    tier: standard
    paths: ["web/**"]
  - name: payments
    tier: critical
    paths: ["paymnets/**"]
"""
WARNING = ("prc: warning: service payments is declared in .prc.yaml but nothing in the scanned paths belongs to "
           "it\n")


@pytest.fixture
def declared(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".prc.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "deploy.yaml").write_text(WEB, encoding="utf-8")
    return tmp_path


def test_scan_warns_once_per_declared_service_nothing_belongs_to(declared):
    done = _prc(declared, "scan", ".", "--today", TODAY, "--format", "json")
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("prc: warning: service") == 1 and WARNING in done.stderr, done.stderr
    # The report is what it was: payments (under its typo) is not in it.
    assert "payments" not in [s["name"] for s in json.loads(done.stdout)["services"]]
    # The same line as `prc services`.
    services = _prc(declared, "services", ".")
    assert WARNING in services.stderr
    # Once something belongs to it, no warning.
    (declared / "paymnets").mkdir()
    (declared / "paymnets" / "deploy.yaml").write_text(WEB.replace("web", "payments"), encoding="utf-8")
    done = _prc(declared, "scan", ".", "--today", TODAY)
    assert "prc: warning" not in done.stderr, done.stderr


def test_scan_changed_warns_only_for_declared_services_in_the_changed_set(declared):
    done = _prc(declared, "scan", "--changed", "web/deploy.yaml", "--today", TODAY)
    assert done.returncode == 1 and "│ web " in done.stdout
    assert "prc: warning" not in done.stderr, done.stderr
    # A change to .prc.yaml touches every declared service, the one nothing belongs to included.
    done = _prc(declared, "scan", "--changed", ".prc.yaml", "--today", TODAY)
    assert WARNING in done.stderr and done.stderr.count("prc: warning: service") == 1, done.stderr
    # A changed file under the (mistyped) declared path: the service is in the changed set.
    (declared / "paymnets").mkdir()
    (declared / "paymnets" / "README.md").write_text("# moved\n", encoding="utf-8")
    done = _prc(declared, "scan", "--changed", "paymnets/README.md", "--today", TODAY)
    assert done.returncode == 0 and WARNING in done.stderr, done.stderr


def test_scan_of_standard_input_only_does_not_warn(declared):
    done = _prc(declared, "scan", "-", "--today", TODAY, stdin=WEB)
    assert done.returncode in (0, 1), done.stderr
    assert "prc: warning" not in done.stderr, done.stderr
