"""docs/prc-auditor-clusterrole.yaml grants exactly what the audit reads, get and list only, and prc finds
nothing wrong with it; the README says how the audit is tested."""

from __future__ import annotations

import json

import yaml

from prc.kube.kinds import KINDS, NAMESPACE
from tests.conftest import REPO
from tests.kube.auditing import prc  # noqa: F401 (fixture)

CLUSTERROLE = REPO / "docs" / "prc-auditor-clusterrole.yaml"


def _role() -> dict:
    documents = list(yaml.safe_load_all(CLUSTERROLE.read_text(encoding="utf-8")))
    (role,) = [d for d in documents if d["kind"] == "ClusterRole"]
    return role


def test_the_clusterrole_grants_get_and_list_on_exactly_the_kinds_read():
    granted = set()
    for rule in _role()["rules"]:
        assert rule["verbs"] == ["get", "list"], rule
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule
        granted |= {(group, resource) for group in rule["apiGroups"] for resource in rule["resources"]}
    assert granted == {(k.group, k.resource) for k in (*KINDS, NAMESPACE)}


def test_prc_scan_of_the_clusterrole_is_clean(prc):
    done = prc("scan", str(CLUSTERROLE), "--format", "json", cwd=REPO)
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout
    statuses = [(r["check_id"], r["target"]["kind"], r["status"]) for r in report["results"]]
    # The RBAC check judged both the role and its binding, and passed them; nothing else was found.
    assert sorted(statuses) == [("PRC-K8S-086", "ClusterRole", "PASS"), ("PRC-K8S-086", "ClusterRoleBinding", "PASS")]


def test_the_docs_and_the_readme_say_how_the_audit_is_tested():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/k8s-audit.md" in readme
    section = readme.split("### Auditing a live cluster", 1)[1].split("\n#", 1)[0]
    assert "fake API server" in section and "127.0.0.1" in section and "kubernetes" in section
    doc = (REPO / "docs" / "k8s-audit.md").read_text(encoding="utf-8")
    assert "prc-auditor-clusterrole.yaml" in doc and "## How it is tested" in doc
