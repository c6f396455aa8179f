"""The same manifests scanned as files and audited live give the same findings, services, scores and verdicts:
only where each finding is written differs (file:line against k8s://context/namespace/Kind/name).

The cluster also holds what its controllers made (tests/kube/fixtures_audit/owned.yaml, each written to fail
checks); judging any of them by mistake would add findings the scan does not have."""

from __future__ import annotations

import json
from collections import Counter

from tests.kube.auditing import CLUSTER, TODAY, audit_json, cluster_objects, finding, prc  # noqa: F401 (fixture)

CONFIG = """\
checks:
  enable: [PRC-K8S]
services:
  - name: checkout
    tier: critical
    selector: {app.kubernetes.io/name: checkout}
waivers:
  - check: PRC-K8S-030
    target: Pod/payments/debug-*
    reason: a shell for an incident, deleted after it
    expires: 2027-01-31
attestations:
  - {item: load-test, service: checkout, evidence: "https://wiki.example.com/lt", date: 2026-10-01}
  - {item: failover-rehearsed, service: checkout, evidence: "https://wiki.example.com/fo", date: 2026-10-01}
  - {item: capacity-plan, service: checkout, evidence: "https://wiki.example.com/cp", date: 2026-10-01}
  - {item: security-review, evidence: "https://wiki.example.com/sr", date: 2026-10-01}
  - {item: oncall-staffed, evidence: "https://wiki.example.com/oc", date: 2026-10-01}
  - {item: postmortem-template, evidence: "https://wiki.example.com/pm", date: 2026-10-01}
"""


def test_scan_of_the_files_and_audit_of_the_cluster_agree(fake_cluster, prc, tmp_path):
    config = tmp_path / "prc.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    server = fake_cluster(cluster_objects(), crds=True)
    code, audited, _ = audit_json(prc, server.kubeconfig(), "--all-namespaces", "--config", str(config))
    scanned_run = prc("scan", str(CLUSTER), "--format", "json", "--today", TODAY, "--config", str(config))
    scanned = json.loads(scanned_run.stdout)

    audit_findings = Counter(finding(r) for r in audited["results"])
    scan_findings = Counter(finding(r) for r in scanned["results"])
    assert audit_findings - scan_findings == Counter(), "found only by the audit"
    assert scan_findings - audit_findings == Counter(), "found only by the scan"
    assert [c["id"] for c in audited["checks"]] == [c["id"] for c in scanned["checks"]]
    # Scores per category, checklist items, counts and verdicts: the whole service entries.
    assert audited["services"] == scanned["services"]
    assert code == scanned_run.returncode == 1

    # The comparison is not vacuous: every status, suppressions of each kind, and findings on workloads,
    # containers, budgets, routes and RBAC objects of five namespaces.
    statuses = Counter(r["status"] for r in audited["results"])
    assert statuses["PASS"] > 100 and statuses["FAIL"] > 100 and statuses["UNKNOWN"] >= 1
    assert {(r["suppression"] or {}).get("kind") for r in audited["results"]} >= {"annotation", "waiver"}
    kinds = {r["target"]["kind"] for r in audited["results"] if r["status"] == "FAIL"}
    assert kinds >= {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "CronJob",
                     "Job", "Pod", "Rollout", "PodDisruptionBudget", "VirtualService", "DestinationRule",
                     "ClusterRole", "ClusterRoleBinding", "Role"}
    assert {r["target"]["namespace"] for r in audited["results"]} == {"", "batch", "ops", "payments", "shop", "web"}
    verdicts = {s["name"]: s["verdict"] for s in audited["services"]}
    assert verdicts["checkout"] == "READY" and verdicts["cart"] == "NOT READY"

    # Only where a finding is written differs.
    files = {r["file"] for r in audited["results"]}
    assert "k8s://fake/shop/Deployment/checkout" in files and "k8s://fake/ClusterRole/ledger-admin" in files
    assert {r["line"] for r in audited["results"]} == {0}
    assert all(f.startswith("tests/kube/fixtures_audit/cluster/") or f.startswith(str(CLUSTER))
               for f in {r["file"] for r in scanned["results"]})


def test_controller_products_in_the_cluster_are_not_judged(fake_cluster, prc):
    server = fake_cluster(cluster_objects(), crds=True)
    _, audited, _ = audit_json(prc, server.kubeconfig(), "--all-namespaces")
    names = {r["target"]["name"] for r in audited["results"]}
    owned = {"checkout-7d9f8b6c5", "storefront-6b7c9d", "checkout-7d9f8b6c5-x2x4z", "ledger-0",
             "kube-apiserver-node-1", "report-monthly-29000000"}
    assert not owned & names
    # Their controllers are.
    assert {"checkout", "storefront", "ledger", "report-monthly"} <= names
