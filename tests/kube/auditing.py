"""What the `prc audit k8s` tests share: the fixture cluster, and the command line run in this process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from prc.cli import main
from tests.kube.apiserver import load_manifests

FIXTURES = Path(__file__).parent / "fixtures_audit"
# The manifests a repository of five namespaces would hold: several services, good and bad, with every kind the
# audit reads (at least two objects of each, so a page size of 1 makes every list span pages).
CLUSTER = FIXTURES / "cluster"
# What the controllers of CLUSTER made: only in the cluster, never judged.
OWNED = FIXTURES / "owned.yaml"
TODAY = "2026-11-23"


def cluster_objects() -> list[dict]:
    return load_manifests(CLUSTER, OWNED)


@pytest.fixture()
def prc(monkeypatch, capsys, tmp_path):
    """`prc` in this process: prc(*args, cwd=...) -> CompletedProcess, in tmp_path unless told (so no .prc.yaml
    of the repository is found), without colour or GitHub annotations."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd or tmp_path)
        monkeypatch.setenv("NO_COLOR", "1")
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["prc", *args], code, out, err)

    return run


def audit_json(prc, kubeconfig: Path, *args: str) -> tuple[int, dict, str]:
    done = prc("audit", "k8s", "--kubeconfig", str(kubeconfig), "--today", TODAY, "--format", "json", *args)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def finding(r: dict) -> tuple:
    """A result without where it is written (file, line, fingerprint): what it says about which object."""
    t = r["target"]
    suppression = r.get("suppression") or {}
    return (r["check_id"], r["status"], r["service"], t["kind"], t.get("namespace", ""), t["name"], t.get("part", ""),
            r["severity"], r["message"], suppression.get("kind"), suppression.get("reason"))
