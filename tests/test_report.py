"""The JSON report: valid against schemas/report.schema.json, byte-identical across runs, stable fingerprints."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema

from prc.config import load_schema
from prc.formatters import json_report

from .conftest import REPO, run_scan

CHECK_FIXTURES = REPO / "tests" / "checks"


def _json_scan(path: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prc.cli", "scan", str(path), "--format", "json",
                           "--today", "2026-11-23"], cwd=cwd, capture_output=True, text=True)


def test_report_of_every_check_fixture_is_valid_against_the_schema(registry):
    report = run_scan([CHECK_FIXTURES], registry)
    document = json.loads(json_report.render(report))
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
    # The fixtures exercise every status the schema allows for results.
    assert {r["status"] for r in document["results"]} >= {"PASS", "FAIL"}


def test_json_output_is_byte_identical_across_runs(tmp_path):
    first = _json_scan(CHECK_FIXTURES, REPO)
    second = _json_scan(CHECK_FIXTURES, REPO)
    assert first.returncode in (0, 1), first.stderr
    assert first.stdout == second.stdout
    assert first.stdout.strip().startswith("{")


def test_fingerprints_survive_unrelated_line_moves(tmp_path, registry):
    source = CHECK_FIXTURES / "PRC-K8S-001" / "bad.yaml"
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    before_dir.mkdir()
    after_dir.mkdir()
    shutil.copy(source, before_dir / "app.yaml")
    (after_dir / "app.yaml").write_text("# a new header comment\n\n# and another\n" + source.read_text())

    def failures(directory):
        report = run_scan([directory], registry)
        return {(r.check.id, str(r.target)): (r.fingerprint, r.location.line)
                for r in report.results if r.status.value == "FAIL"}

    before, after = failures(before_dir), failures(after_dir)
    assert before.keys() == after.keys() and before
    for key in before:
        assert before[key][0] == after[key][0]
        assert after[key][1] == before[key][1] + 3


def test_results_outside_any_service_are_in_the_report_but_not_in_services(tmp_path, registry):
    (tmp_path / "rbac.yaml").write_text("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                                        "metadata: {name: everything}\nrules:\n"
                                        "  - {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n")
    document = json.loads(json_report.render(run_scan([tmp_path], registry)))
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
    assert document["services"] == [] and document["summary"]["services"] == 0
    assert [(r["check_id"], r["service"], r["status"]) for r in document["results"]] == [
        ("PRC-K8S-086", "(unassigned)", "FAIL")]


def test_a_file_name_that_is_not_utf8_is_scanned_and_fingerprinted(tmp_path, registry):
    import os

    from prc.config import Config

    from .conftest import run_scan

    (tmp_path / ".git").mkdir()
    name = os.fsdecode(b"caf\xe9.yaml")  # Latin-1 bytes in a name: a surrogate escape in Python
    (tmp_path / name).write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
                                 "spec: {containers: [{name: app, image: nginx:1.27.2}]}\n")
    report = run_scan([tmp_path], registry, Config(enable=["PRC-K8S-100"]), root=tmp_path)
    [result] = report.results
    assert result.location.file == name and len(result.fingerprint) == 32
