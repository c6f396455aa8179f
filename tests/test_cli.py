"""The command line end to end: subcommands, gate options and exit codes, deterministic JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prc import __version__
from prc.cli import main

GOOD = (Path(__file__).parent / "checks" / "PRC-K8S-001" / "good.yaml").read_text()
NO_PROBE = GOOD.replace("          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n"
                        "            periodSeconds: 5\n", "")


def prc(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    """The real thing, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "prc.cli", *args], cwd=cwd, input=input, capture_output=True,
                          text=True, timeout=20, env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture
def cli(monkeypatch, capsys):
    """`prc` in this process, without interpreter start-up.

    cli(*args, cwd=..., stdin=b"...") gives a CompletedProcess with returncode, stdout and stderr.
    """

    def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("NO_COLOR", "1")
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: usage errors, --version
            code = exc.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["prc", *args], code, out, err)

    return run


def repo(root: Path, files: dict[str, str], config: str = "checks: {enable: [PRC-K8S-001]}\n") -> Path:
    (root / ".git").mkdir(exist_ok=True)
    (root / ".prc.yaml").write_text("version: 1\n" + textwrap.dedent(config))
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_version():
    done = prc("--version", cwd=Path.cwd())
    assert (done.returncode, done.stdout) == (0, f"prc {__version__}\n")


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: prc" in capsys.readouterr().out


def test_checks_table(tmp_path, cli):
    done = cli("checks", cwd=tmp_path)
    assert done.returncode == 0
    header = done.stdout.splitlines()[1]
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == [
        "ID", "Slug", "Severity", "Category", "Item", "Required for"]
    row = next(line for line in done.stdout.splitlines() if "PRC-K8S-001" in line)
    assert [cell.strip() for cell in row.split("│")[1:5]] == ["PRC-K8S-001", "readiness-probe", "high", "lifecycle"]


def test_checks_markdown(tmp_path, cli, registry):
    done = cli("checks", "--format", "markdown", cwd=tmp_path)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("# Checks\n")
    assert ("| [PRC-K8S-001](#prc-k8s-001) | `readiness-probe` | high | lifecycle | Readiness is probed | "
            "critical, standard, experimental |") in text
    readiness = registry.find("PRC-K8S-001")
    assert (f"\n## PRC-K8S-001\n\n`readiness-probe`, high, lifecycle\n\n**What.** {readiness.what}\n\n"
            f"**Why.** {readiness.why}\n\n**How to fix.** {readiness.how_to_fix}\n") in text
    assert text.count("\n## ") == len(registry.checks)


def test_explain_by_id_by_slug_and_case_insensitively(tmp_path, cli):
    by_id = cli("explain", "PRC-K8S-001", cwd=tmp_path)
    assert by_id.returncode == 0
    lines = by_id.stdout.splitlines()
    assert lines[0] == "PRC-K8S-001 readiness-probe"
    assert lines[1] == "Severity: high    Category: lifecycle    Item: Readiness is probed"
    assert lines[2] == "Required for tiers: critical, standard, experimental"
    assert [line.split(":")[0] for line in lines if line.startswith(("What:", "Why:", "How to fix:"))] == [
        "What", "Why", "How to fix"]
    assert cli("explain", "readiness-probe", cwd=tmp_path).stdout == by_id.stdout
    assert cli("explain", "prc-k8s-001", cwd=tmp_path).stdout == by_id.stdout


def test_explain_unknown_check_is_exit_2(tmp_path, cli):
    done = cli("explain", "PRC-K8S-999", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert "prc: no check has the id or slug 'PRC-K8S-999'; `prc checks` lists them" in done.stderr


# --- gate and exit codes --------------------------------------------------------------------


@pytest.fixture
def mixed(tmp_path):
    """Service web passes PRC-K8S-001 (score 100), service api fails it (score 0); tier standard, nothing attested."""
    return repo(tmp_path, {"web.yaml": GOOD, "api.yaml": NO_PROBE.replace("web", "api")})


@pytest.mark.parametrize("args, code, reason", [
    ([], 1, "Gate: failed: NOT READY: api, web"),
    (["--fail-on", "high"], 1, "Gate: failed: 1 findings at high severity or above"),
    (["--fail-on", "critical"], 0, "Gate: passed"),
    (["--fail-on", "never"], 0, "Gate: passed"),
    (["--fail-on", "never", "--min-score", "50"], 1, "Gate: failed: score below 50: api 0.0"),
    (["--fail-on", "critical", "--min-score", "0"], 0, "Gate: passed"),
])
def test_gate_options_and_exit_codes(mixed, cli, args, code, reason):
    done = cli("scan", ".", "--no-color", *args, cwd=mixed)
    assert done.returncode == code, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == reason


def test_min_score_is_checked_per_service(tmp_path, cli):
    repo(tmp_path, {"web.yaml": GOOD})
    assert cli("scan", ".", "--fail-on", "never", "--min-score", "100", cwd=tmp_path).returncode == 0
    assert cli("scan", ".", "--fail-on", "never", "--min-score", "100.1", cwd=tmp_path).returncode == 1


def test_ready_service_passes_the_default_gate(tmp_path, cli):
    repo(tmp_path, {"web.yaml": GOOD}, "default_tier: experimental\nchecks: {enable: [PRC-K8S-001]}\n")
    done = cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    row = next(line for line in done.stdout.splitlines() if " web " in line)
    assert [cell.strip() for cell in row.split("│")[1:5]] == ["web", "experimental", "100.0", "READY"]


def test_input_errors_fail_every_gate_but_never(tmp_path, cli):
    repo(tmp_path, {"web.yaml": GOOD, "broken.yaml": "a: [1\n"})
    assert prc("scan", ".", "--fail-on", "low", cwd=tmp_path).returncode == 1  # the real process exit code
    assert cli("scan", ".", "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_a_scan_that_found_no_kubernetes_object_fails_the_gate_unless_allowed(tmp_path, cli):
    chart = tmp_path / "chart" / "templates"
    chart.mkdir(parents=True)
    (chart / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                           "  name: {{ .Release.Name }}\n")
    (tmp_path / "chart" / "values.yaml").write_text("replicaCount: 2\n")
    repo(tmp_path, {})
    done = cli("scan", "chart", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    lines = done.stdout.rstrip().splitlines()
    assert lines[1] == "Nothing was checked: no Kubernetes objects found (see Skipped below)"
    assert lines[-1] == "Gate: failed: nothing was checked: no Kubernetes objects found in chart (1 files skipped)"
    assert cli("scan", "chart", "--fail-on", "low", cwd=tmp_path).returncode == 1
    allowed = cli("scan", "chart", "--allow-empty", cwd=tmp_path)
    assert allowed.returncode == 0 and allowed.stdout.rstrip().splitlines()[-1] == "Gate: passed"
    assert cli("scan", "chart", "--fail-on", "never", cwd=tmp_path).returncode == 0
    report = json.loads(cli("scan", "chart", "--format", "json", cwd=tmp_path).stdout)
    assert report["gate"] == {"passed": False, "reasons": [
        "nothing was checked: no Kubernetes objects found in chart (1 files skipped)"]}


def test_empty_standard_input_is_nothing_checked(tmp_path, cli):
    repo(tmp_path, {})
    done = cli("scan", "-", cwd=tmp_path, stdin=b"")
    assert done.returncode == 1
    assert done.stdout.rstrip().splitlines()[-1] == (
        "Gate: failed: nothing was checked: no Kubernetes objects found in standard input (1 files skipped)")


def test_objects_outside_any_service_are_listed_apart_and_gate_only_on_severity(tmp_path, cli):
    role = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\n"
            "rules:\n  - {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n")
    repo(tmp_path, {"web.yaml": GOOD, "rbac.yaml": role},
         "default_tier: experimental\nchecks: {enable: [PRC-K8S-001, PRC-K8S-086]}\n")
    done = cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "(unassigned)" not in done.stdout
    outside = done.stdout.split("Outside any service", 1)[1]
    assert "rbac.yaml:5  PRC-K8S-086 rbac-no-wildcards" in outside
    assert done.stdout.startswith(f"prc {__version__}: 2 files, 1 services")
    assert cli("scan", ".", "--fail-on", "high", cwd=tmp_path).returncode == 1
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [s["name"] for s in report["services"]] == ["web"]
    assert {r["service"] for r in report["results"]} == {"web", "(unassigned)"}


@pytest.mark.parametrize("args, message", [
    (["scan", "missing-dir"], "prc: missing-dir: no such file or directory"),
    (["scan", ".", "--today", "23/11/2026"], "expected a date as YYYY-MM-DD, got '23/11/2026'"),
    (["scan", ".", "--format", "xml"], "invalid choice: 'xml'"),
    (["scan", ".", "--fail-on", "sometimes"], "invalid choice: 'sometimes'"),
    (["scan"], "the following arguments are required: PATH"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors_exit_2_without_a_report(mixed, cli, args, message):
    done = cli(*args, cwd=mixed)
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr


# --- output -----------------------------------------------------------------------------------


def test_json_is_byte_identical_across_runs(tmp_path):
    repo(tmp_path, {
        "web.yaml": GOOD,
        "api.yaml": NO_PROBE.replace("web", "api"),
        "shop.yaml": NO_PROBE.replace("web", "shop").replace("- name: app", "- name: app  # prc:ignore "
                                                             "PRC-K8S-001 mesh probes it"),
        "broken.yaml": "a: [1\n",
        "empty.yaml": "",
    }, """\
        checks: {enable: [PRC-K8S-001]}
        waivers:
          - {check: PRC-K8S-001, service: api, reason: retiring soon, expires: 2026-01-01}
    """)
    first = prc("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path)
    second = prc("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path)
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    assert report["summary"]["results"] == {"PASS": 1, "FAIL": 1, "UNKNOWN": 0, "ERROR": 1, "SUPPRESSED": 1}
    assert report["today"] == "2026-11-23"
    assert list(report) == sorted(report)


def test_console_report_is_stable_and_plain_off_a_terminal(mixed):
    first = prc("scan", ".", cwd=mixed)
    assert first.stdout == prc("scan", ".", cwd=mixed).stdout
    assert "\x1b[" not in first.stdout
    assert ("HIGH      api.yaml:13  PRC-K8S-001 readiness-probe\n"
            "          Deployment/api[app]: container app has no readinessProbe\n") in first.stdout
    assert not any(line.endswith(" ") for line in first.stdout.splitlines())
