"""action.yml and .pre-commit-hooks.yaml, run locally the way a runner and pre-commit run them.

The action's steps run with bash as a GitHub runner runs a composite step (`bash --noprofile --norc -eo
pipefail FILE`), in a workspace, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_WORKSPACE and
RUNNER_TEMP set, after substituting `${{ inputs.x }}` (the input given, else its default) and
`${{ github.action_path }}` (this repository) the way the runner does. The install step is skipped: on a
runner it makes a virtual environment, installs prc from the action's directory into it and puts its bin
directory on GITHUB_PATH; here the already-installed .venv's bin directory goes first on PATH instead (and
the test checks the step does what it says). Nothing here needs the network.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from . import test_baseline
from .conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
VENV_BIN = Path(sys.executable).parent  # the environment prc is installed in (.venv/bin under CI)
TODAY = "2026-11-23"

# The same service as the baseline tests: one Deployment that is NOT READY, and a sidecar added later.
WEB, SIDECAR = test_baseline.WEB, test_baseline.SIDECAR

EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def _substitute(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            name = expression.removeprefix("inputs.")
            assert name in ACTION["inputs"], f"action.yml uses an undeclared input {name}"
            return inputs.get(name, ACTION["inputs"][name].get("default", ""))
        if expression == "github.action_path":
            return str(REPO)
        raise AssertionError(f"the test does not know how a runner substitutes ${{{{ {expression} }}}}")

    return EXPRESSION.sub(value, text)


class Runner:
    """What a runner gives a composite action's steps: the files and variables, and the step outputs."""

    def __init__(self, tmp_path: Path):
        self.workspace = tmp_path / "workspace"
        self.temp = tmp_path / "runner-temp"
        self.workspace.mkdir()
        self.temp.mkdir()
        self.summary = tmp_path / "step_summary.md"
        self.output = tmp_path / "github_output"
        self.path_file = tmp_path / "github_path"
        for f in (self.summary, self.output, self.path_file):
            f.write_text("", encoding="utf-8")

    def run_action(self, **inputs: str) -> tuple[int, str]:
        """Every step but the install one, in order; stops at the first failing step as a runner does."""
        inputs = {k.replace("_", "-"): v for k, v in inputs.items()}
        log = ""
        for step in ACTION["runs"]["steps"]:
            if step.get("id") == "install":
                continue
            assert "uses" not in step, "a step the test cannot run locally"
            script = self.temp / f"{step['id']}.sh"
            script.write_text(_substitute(step["run"], inputs), encoding="utf-8")
            env = {
                "PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(self.temp), "CI": "true", "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_STEP_SUMMARY": str(self.summary),
                "GITHUB_OUTPUT": str(self.output), "GITHUB_PATH": str(self.path_file), "RUNNER_TEMP": str(self.temp),
                "NO_COLOR": "1",
                **{k: _substitute(str(v), inputs) for k, v in step.get("env", {}).items()},
            }
            assert step["shell"] == "bash"
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.workspace, env=env, capture_output=True, text=True)
            log += done.stdout + done.stderr
            if done.returncode:
                return done.returncode, log
        return 0, log

    def outputs(self) -> dict[str, str]:
        """The step outputs, and the action outputs that map them (`${{ steps.scan.outputs.x }}`)."""
        lines = self.output.read_text(encoding="utf-8").splitlines()
        steps = dict(line.split("=", 1) for line in lines)
        mapped = {}
        for name, spec in ACTION["outputs"].items():
            match = re.fullmatch(r"\$\{\{ steps\.scan\.outputs\.([\w-]+) \}\}", spec["value"])
            assert match, spec
            mapped[name] = steps.get(match.group(1), "")
        return mapped


@pytest.fixture
def runner(tmp_path):
    r = Runner(tmp_path)
    (r.workspace / ".git").mkdir()
    (r.workspace / "deploy" / "web").mkdir(parents=True)
    (r.workspace / "deploy" / "web" / "deploy.yaml").write_text(WEB, encoding="utf-8")
    return r


def _prc_json(workspace: Path, *argv: str) -> dict:
    done = subprocess.run([str(VENV_BIN / "prc"), "scan", *argv, "--format", "json"], cwd=workspace,
                          capture_output=True, text=True, env={"PATH": f"{VENV_BIN}:/usr/bin:/bin"})
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_action_metadata_declares_the_inputs_and_outputs_and_installs_from_its_own_directory():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"paths", "tier", "min-score", "fail-on", "baseline", "sarif", "markdown"}
    assert set(ACTION["outputs"]) >= {"score", "verdict", "new-findings"}
    install = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    assert install["env"]["PRC_ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet --disable-pip-version-check "$PRC_ACTION_PATH"' in install["run"]
    assert '>> "$GITHUB_PATH"' in install["run"]
    # Inputs reach the scripts through env, never spliced into the script text (no script injection).
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"]


def test_action_gate_failure_writes_summary_outputs_and_sarif(runner):
    code, log = runner.run_action(paths="deploy", fail_on="verdict")
    assert code == 1, log
    expected = _prc_json(runner.workspace, "deploy")
    web = expected["services"][0]
    assert runner.outputs() == {"score": f"{web['score']:.1f}", "verdict": "NOT READY", "gate": "failed",
                                "new-findings": str(len([r for r in expected["results"]
                                                         if r["status"] in ("FAIL", "UNKNOWN")])),
                                "exit-code": "1"}
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary == (runner.temp / "prc-summary.md").read_text(encoding="utf-8")
    assert "web" in summary and "NOT READY" in summary
    sarif = json.loads((runner.workspace / "prc.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    # The SARIF upload annotates the diff: prc's own annotations would show each finding twice.
    assert "::error file=" not in log and "::warning file=" not in log


def test_action_with_a_baseline_fails_only_for_new_findings(runner):
    done = subprocess.run([str(VENV_BIN / "prc"), "baseline", "create", "deploy"], cwd=runner.workspace,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (runner.workspace / "reports").mkdir()
    code, log = runner.run_action(paths="deploy", baseline=".prc-baseline.json", ratchet="true",
                                  markdown="reports/summary.md", sarif="")
    assert code == 0, log
    outputs = runner.outputs()
    assert outputs["gate"] == "passed" and outputs["new-findings"] == "0" and outputs["verdict"] == "NOT READY"
    assert runner.summary.read_text(encoding="utf-8") == (runner.workspace / "reports" / "summary.md").read_text()
    assert not (runner.workspace / "prc.sarif").exists()
    # Without SARIF to upload, prc's annotations are what reach the diff.
    assert "::error file=deploy/web/deploy.yaml" in log or "::warning file=deploy/web/deploy.yaml" in log

    (runner.workspace / "deploy" / "web" / "deploy.yaml").write_text(WEB + SIDECAR, encoding="utf-8")
    runner.output.write_text("", encoding="utf-8")
    code, log = runner.run_action(paths="deploy", baseline=".prc-baseline.json")
    assert code == 1, log
    expected = _prc_json(runner.workspace, "deploy", "--baseline", ".prc-baseline.json")
    assert runner.outputs()["new-findings"] == str(expected["baseline"]["counts"]["new"]) != "0"
    assert runner.outputs()["gate"] == "failed"


def test_action_tier_and_min_score_inputs_reach_prc(runner):
    code, log = runner.run_action(paths="deploy", fail_on="never", tier="experimental", min_score="")
    assert code == 0, log
    expected = _prc_json(runner.workspace, "deploy", "--tier", "experimental")
    assert expected["services"][0]["tier"] == "experimental"
    assert runner.outputs()["verdict"] == expected["services"][0]["verdict"]
    runner.output.write_text("", encoding="utf-8")
    code, log = runner.run_action(paths="deploy", fail_on="never", min_score="99")
    assert code == 1 and runner.outputs()["gate"] == "failed"


def test_action_bad_input_exits_2_and_says_so_in_the_summary(runner):
    code, log = runner.run_action(paths="deploy", baseline="missing.json")
    assert code == 2
    assert "prc: missing.json: no such baseline file" in log
    assert runner.outputs()["exit-code"] == "2" and runner.outputs()["gate"] == ""
    assert runner.summary.read_text(encoding="utf-8") == (
        "### prc could not run (exit 2)\n\nSee the step log for the reason.\n")


def test_action_docs_example_uses_the_inputs_the_action_declares():
    docs = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    workflows = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)\n```", docs, re.S)]
    jobs = [job for w in workflows if isinstance(w, dict) and "jobs" in w for job in w["jobs"].values()]
    steps = [step for job in jobs for step in job["steps"]]
    prc_steps = [s for s in steps if "prc" in str(s.get("uses", "")) and "with" in s]
    assert prc_steps
    for step in prc_steps:
        assert set(step["with"]) <= set(ACTION["inputs"])
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "always()"


# --- pre-commit -------------------------------------------------------------------------------------------------

def _pre_commit(hook: dict, files: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """As pre-commit runs a hook: entry, then args, then the staged files its `files` pattern selects."""
    selected = [f for f in files if re.search(hook["files"], f) and not re.search(hook.get("exclude", "^$"), f)]
    if not selected:
        return subprocess.CompletedProcess([], 0, "", "")
    entry = shlex.split(hook["entry"])
    command = [str(VENV_BIN / entry[0]), *entry[1:], *hook.get("args", []), *selected]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "NO_COLOR": "1"})


@pytest.fixture
def two_services(tmp_path):
    (tmp_path / ".git").mkdir()
    for name in ("web", "api"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "deploy.yaml").write_text(WEB.replace("web", name), encoding="utf-8")
    (tmp_path / "README.md").write_text("# services\n", encoding="utf-8")
    return tmp_path


def test_pre_commit_hook_judges_only_the_services_of_the_changed_files(two_services):
    hook = next(h for h in HOOKS if h["id"] == "prc")
    assert hook["language"] == "python" and hook["pass_filenames"] is True and hook["require_serial"] is True
    done = _pre_commit({**hook, "args": ["--today", TODAY]}, ["api/deploy.yaml", "README.md"], two_services)
    assert done.returncode == 1, done.stderr
    assert "│ api " in done.stdout and "│ web " not in done.stdout
    assert done.stdout.endswith("Gate: failed: NOT READY: api\n")
    # A commit that touches no service's file passes without a report.
    done = _pre_commit(hook, ["README.md"], two_services)
    assert (done.returncode, done.stdout) == (0, "")
    done = _pre_commit(hook, ["notes.yaml"], two_services)
    assert (done.returncode, done.stdout) == (0, "prc: no service owns the changed files (notes.yaml); nothing to "
                                                 "check\n")
    # A file with no finding of its own belongs to the services of its directory (here a .dockerignore).
    done = _pre_commit({**hook, "args": ["--today", TODAY]}, ["web/.dockerignore"], two_services)
    assert done.returncode == 1 and "│ web " in done.stdout and "│ api " not in done.stdout


def test_pre_commit_hook_with_a_baseline_passes_until_something_new_appears(two_services):
    done = subprocess.run([str(VENV_BIN / "prc"), "baseline", "create", "."], cwd=two_services,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    hook = {**next(h for h in HOOKS if h["id"] == "prc"), "args": ["--baseline", ".prc-baseline.json"]}
    done = _pre_commit(hook, ["web/deploy.yaml"], two_services)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Baseline .prc-baseline.json: 0 new" in done.stdout and "0 fixed" in done.stdout
    (two_services / "web" / "deploy.yaml").write_text(WEB + SIDECAR, encoding="utf-8")
    done = _pre_commit(hook, ["web/deploy.yaml"], two_services)
    assert done.returncode == 1
    assert "Gate: failed: NOT READY with new failures: web (" in done.stdout
