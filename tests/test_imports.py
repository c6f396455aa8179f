"""Start-up cost: `prc --version` and a scan with nothing to read must not import heavy dependencies.

Each case runs the real command line in a fresh interpreter and reads `sys.modules` after `main` returns, so
an import anywhere in the graph (the command line, the registry, the check modules loaded through entry
points) is seen. Nothing here measures time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Imported only by the commands that need them: the AWS audit (boto3, botocore, policy_sentry), cluster audits
# (kubernetes), a .prc.yaml or an SLO document to validate (jsonschema), the console report (rich), alert rules
# (promql_parser).
HEAVY = ("boto3", "botocore", "kubernetes", "jsonschema", "rich", "promql_parser", "policy_sentry")

_WRAPPER = """
import json, sys
from prc.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code if isinstance(code, int) else 0)
"""


def _modules_after(args: list[str], cwd) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    line = next(line for line in proc.stderr.splitlines() if line.startswith("MODULES "))
    return proc.returncode, set(json.loads(line[len("MODULES "):])), proc.stdout


def _heavy(modules: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY and m.split(".")[0] not in allowed)


def test_version_imports_nothing_heavy(tmp_path):
    code, modules, out = _modules_after(["--version"], tmp_path)
    assert code == 0 and out.startswith("prc ")
    assert _heavy(modules) == []
    # Nor the report, scoring and configuration modules: --version only builds the argument parser.
    assert not {"prc.gate", "prc.report", "prc.config", "prc.registry"} & modules


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_scan_of_empty_directory_imports_nothing_heavy(tmp_path, fmt):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, modules, out = _modules_after(["scan", str(empty), "--format", fmt], tmp_path)
    assert code == 1  # nothing checked fails the gate
    assert out.strip()  # a report was written
    assert "prc.scan" in modules and "prc_checks.alerts" in modules  # the checks were loaded
    assert _heavy(modules) == []


def test_console_scan_of_empty_directory_imports_rich_only(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, modules, _ = _modules_after(["scan", str(empty), "--no-color"], tmp_path)
    assert code == 1
    assert "rich" in modules
    assert _heavy(modules, allowed=("rich",)) == []


def test_config_and_alert_rules_still_load_their_dependencies(tmp_path):
    """The imports moved into functions still happen when there is something to validate or parse."""
    (tmp_path / ".prc.yaml").write_text("checks:\n  enable: [observability]\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(
        "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: sum(rate(errors_total[5m])) > 1\n"
        "    labels: {severity: page}\n", encoding="utf-8")
    code, modules, out = _modules_after(["scan", str(tmp_path), "--format", "json"], tmp_path)
    assert code in (0, 1), out
    assert {"jsonschema", "promql_parser"} <= modules
    assert _heavy(modules, allowed=("jsonschema", "promql_parser")) == []
