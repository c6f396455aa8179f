"""The README shows real output and starts with the two commands CI and users run."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_install_and_test_commands_and_ci_runs_the_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    install, tests = blocks[0], blocks[1]
    assert "pip install" in install and "prc scan sample_services/" in install
    assert "pytest" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_readme_sample_output_is_what_prc_prints():
    done = subprocess.run([sys.executable, "-m", "prc.cli", "scan", "sample_services/", "--today", "2026-11-23"],
                          cwd=REPO, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert done.returncode == 1, done.stderr
    shown = re.search(r"<summary>The whole output \((\d+) lines\)</summary>\n\n```\n(.*?)\n```", README, re.S)
    assert shown, "README lost its full sample output block"
    assert shown.group(2) + "\n" == done.stdout, "README sample output drifted; paste the new output"
    assert int(shown.group(1)) == len(done.stdout.splitlines())
