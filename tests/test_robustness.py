"""A tree with what large repositories contain: deep directories, symlink loops, a FIFO, a dangling link,
unreadable files and files that vanish during the scan. The scan finishes and every readable file is scanned.

The tree and the checks are bench/robust_tree.py's (its 10,000-file run is the benchmark variant); here on
about 400 files, in a second or two."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from prc.model import Status

from .conftest import REPO, TODAY


@pytest.fixture(scope="module")
def robust_tree():
    path = REPO / "bench" / "robust_tree.py"
    spec = importlib.util.spec_from_file_location("robust_tree", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("robust_tree", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scanned(robust_tree, tmp_path_factory):
    root = tmp_path_factory.mktemp("robust") / "tree"
    faults = robust_tree.build(root, 400, seed=1)
    problems, _, report = robust_tree.verify(root, faults, today=TODAY)
    return root, faults, problems, report


def test_every_readable_file_is_scanned_whatever_else_the_tree_holds(scanned):
    _, faults, problems, report = scanned
    assert problems == []
    # One unreadable and one vanishing file of each kind, all three sources.
    assert len(faults.unreadable) == len(faults.vanishing) == 3
    assert report.files_scanned > 350  # the 400 files less runbooks (read by no source), plus the deep ones


def test_files_deep_in_the_tree_are_read_and_checked(scanned):
    _, _, _, report = scanned
    deep = {r.location.file.rsplit("/", 1)[1] for r in report.results
            if r.location.file.startswith("deep/") and r.location.file.count("/") > 60}
    assert deep == {"deployment.yaml", "Dockerfile", "main.tf"}


def test_faults_are_reported_where_a_person_looks(scanned):
    _, faults, _, report = scanned
    errors = {(r.location.file, r.message) for r in report.results
              if r.status is Status.ERROR and r.check.id == "PRC-INPUT"}
    assert {(f, "cannot read file: Permission denied") for f in faults.unreadable} <= errors
    assert {(f, "cannot read file: No such file or directory") for f in faults.vanishing} <= errors
    reasons = {s.path: s.reason for s in report.skipped}
    assert reasons["services/svc-0000/k8s/pipe.yaml"] == "not a regular file"
    assert reasons["services/svc-0000/k8s/dangling.yaml"] == "broken symlink"
    assert sum(reason.startswith("symlink loop") for reason in reasons.values()) == 2


def test_the_robustness_check_itself_catches_a_file_silently_dropped(robust_tree, tmp_path, monkeypatch):
    """A guard on the guard: were discovery to lose a file without a word, verify() would say so."""
    import prc.discovery

    root = tmp_path / "tree"
    faults = robust_tree.build(root, 60, seed=2)
    real_discover = prc.discovery.discover

    def lose_one(*args, **kwargs):
        found, skipped = real_discover(*args, **kwargs)
        return [f for f in found if f.display != "services/svc-0001/Dockerfile"], skipped

    monkeypatch.setattr(prc.discovery, "discover", lose_one)
    problems, _, _ = robust_tree.verify(root, faults, today=TODAY)
    assert any("not read: ['services/svc-0001/Dockerfile']" in p for p in problems)


def test_the_monorepo_generator_is_deterministic_and_mixes_every_kind(robust_tree):
    import gen_monorepo  # on sys.path through bench/robust_tree.py

    files = gen_monorepo.generate(300, 0)
    assert files == gen_monorepo.generate(300, 0) and len(files) == 300
    assert files != gen_monorepo.generate(300, 1)
    names = [path for path, _ in files]
    assert len(set(names)) == 300
    for part in ("/k8s/", "/terraform/", "/Dockerfile", "/slo/", "alerts.yaml", "modules/app_asg/"):
        assert any(part in name for name in names), part
    kinds = {doc.split("kind: ", 1)[1].split("\n", 1)[0] for _, text in files for doc in text.split("\n---\n")
             if "\nkind: " in "\n" + doc}
    assert {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "PrometheusRule", "SLO"} <= kinds
