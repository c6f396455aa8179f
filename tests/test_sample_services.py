"""The bundled sample services give the verdicts and findings they were written to show.

`prc scan sample_services/` is the README demo, so these tests run it the
way a user would: through the CLI, from the repository root, with the
date fixed so attestation and waiver expiry do not drift.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"

# What each sample was written to fail, check by check (see sample_services/README.md).
LEGACY_FAILING = {
    "PRC-K8S-001",  # no readinessProbe
    "PRC-K8S-002",  # no livenessProbe
    "PRC-K8S-010",  # no preStop hook
    "PRC-K8S-011",  # terminationGracePeriodSeconds: 0
    "PRC-K8S-020",  # strategy Recreate
    "PRC-K8S-021",  # no minReadySeconds
    "PRC-K8S-030",  # replicas: 1, no HPA
    "PRC-K8S-034",  # no HPA
    "PRC-K8S-050",  # no requests (Deployment and CronJob)
    "PRC-K8S-051",  # no memory limit (Deployment and CronJob)
    "PRC-K8S-070",  # not scraped
    "PRC-K8S-071",  # no tracing
    "PRC-K8S-080",  # runAsNonRoot not set
    "PRC-K8S-081",  # allowPrivilegeEscalation not false (and privileged)
    "PRC-K8S-082",  # privileged: true
    "PRC-K8S-083",  # capabilities not dropped
    "PRC-K8S-084",  # writable root filesystem
    "PRC-K8S-086",  # ClusterRole with "*" verbs and resources
    "PRC-K8S-087",  # the CronJob mounts the default ServiceAccount's token
    "PRC-K8S-090",  # literal DB_PASSWORD and SFTP_PASSWORD
    "PRC-K8S-100",  # :latest, and an untagged image in the CronJob
    "PRC-K8S-110",  # no owner/team label
    "PRC-DKR-010",  # shell-form CMD: /bin/sh is PID 1 and SIGTERM never reaches gunicorn
    "PRC-DKR-011",  # no init and no STOPSIGNAL
    "PRC-DKR-020",  # no USER: runs as root
    "PRC-DKR-030",  # ENV DB_PASSWORD literal
    "PRC-DKR-040",  # FROM python:latest
    "PRC-DKR-041",  # curl ... | bash
    "PRC-DKR-042",  # ADD of local files
    "PRC-REPO-001",  # no .dockerignore beside the Dockerfile
    "PRC-TF-030", "PRC-TF-034", "PRC-TF-040", "PRC-TF-041", "PRC-TF-070",  # lone EC2 renderer, fragile RDS
    "PRC-TF-080", "PRC-TF-085",  # AdministratorAccess attached, trust open to everyone
    "PRC-TF-100", "PRC-TF-101", "PRC-TF-102", "PRC-TF-110",  # no IMDSv2, unencrypted, SSH open, no owner tag
    "PRC-XA-001",  # the shell-form CMD again, on the Deployment and CronJob that run the image
    # Alerts copied from Nagios: no runbook, severity P1, no `for`, a runbook path that does not exist and
    # PromQL with an unclosed parenthesis; the CloudWatch alarm has no runbook and its actions are disabled.
    "PRC-ALERT-001", "PRC-ALERT-002", "PRC-ALERT-003", "PRC-ALERT-004", "PRC-ALERT-005",
    "PRC-TF-060", "PRC-TF-062",
    "PRC-SLO-001",  # no SLO document names the service
}
# PRC-DKR-001 (HEALTHCHECK) does not apply: the image runs on Kubernetes, which ignores HEALTHCHECK.
# hostNetwork: true (PRC-K8S-085) is waived in sample_services/.prc.yaml. With a single
# replica, the missing PodDisruptionBudget and zone spread (PRC-K8S-031, 033) are left to
# PRC-K8S-030: a budget or a spread over one pod would change nothing.

SEARCH_FAILING = {
    "PRC-K8S-003",  # liveness identical to readiness
    "PRC-K8S-004",  # liveness initialDelaySeconds 45 instead of a startupProbe
    "PRC-K8S-010",  # no preStop hook
    "PRC-K8S-012",  # fluent-bit is a regular container, not a native sidecar
    "PRC-K8S-031",  # no PodDisruptionBudget
    "PRC-K8S-033",  # hostname-only spread (partial)
    "PRC-K8S-100",  # fluent/fluent-bit:latest
    "PRC-TF-062",  # the priority-1 Datadog monitor notifies Slack only: nobody is paged
    "PRC-SLO-001",  # the OpenSLO document was never approved and has no review date
    "PRC-SLO-002",  # and states no error budget policy
    "PRC-SLO-010",  # and no burn-rate alert protects it (recommended for a standard service)
}

# Checks whose every result on checkout must be a PASS: the READY example is only convincing if each of
# them looked at it.
CHECKOUT_OBSERVED = {
    "PRC-ALERT-001", "PRC-ALERT-002", "PRC-ALERT-003", "PRC-ALERT-004", "PRC-ALERT-005",
    "PRC-TF-060", "PRC-TF-062", "PRC-XA-001", "PRC-XA-010",
    "PRC-SLO-001", "PRC-SLO-002", "PRC-SLO-003", "PRC-SLO-010", "PRC-REPO-002", "PRC-REPO-010",
}


@pytest.fixture(scope="module")
def scan():
    proc = subprocess.run(
        [sys.executable, "-m", "prc.cli", "scan", "sample_services", "--format", "json", "--today", TODAY],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.stderr == ""
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def report(scan):
    return scan[1]


def _service(report, name):
    found = [s for s in report["services"] if s["name"] == name]
    assert len(found) == 1, f"service {name} not in the report: {[s['name'] for s in report['services']]}"
    return found[0]


def _results(report, service, status=None, suppressed=None):
    return [
        r for r in report["results"]
        if r["service"] == service
        and (status is None or r["status"] == status)
        and (suppressed is None or (r["suppression"] is not None) == suppressed)
    ]


def _failing(report, service):
    return {r["check_id"] for r in _results(report, service, "FAIL", suppressed=False)}


def test_exactly_three_services_from_the_config(report):
    assert [s["name"] for s in report["services"]] == ["checkout", "legacy-reports", "search-api"]
    assert report["config"] == ".prc.yaml"  # relative to the report root: the directory holding it


def test_gate_fails_because_two_services_are_not_ready(scan, report):
    returncode, _ = scan
    assert returncode == 1
    assert report["gate"]["passed"] is False
    assert report["gate"]["reasons"] == ["NOT READY: legacy-reports, search-api"]
    assert report["summary"]["ready"] == 1
    assert report["summary"]["not_ready"] == 2


def test_no_input_errors_and_kustomizations_pass_quietly(report):
    assert [r for r in report["results"] if r["check_id"] == "PRC-INPUT" or r["status"] == "ERROR"] == []
    assert report["skipped"] == []
    # kustomization.yaml files are read, found to hold no Kubernetes objects, and say nothing.
    files = {r["file"] for r in report["results"]}
    assert not any(f.endswith("kustomization.yaml") for f in files)


def test_every_result_belongs_to_a_declared_service(report):
    assert {r["service"] for r in report["results"]} == {"checkout", "legacy-reports", "search-api"}
    prefixes = {"checkout": "checkout/", "legacy-reports": "legacy-reports/", "search-api": "search-api/"}
    for r in report["results"]:
        if r["target"]["kind"] == "service":  # about the service as a whole: at its declaration
            assert (r["file"], r["target"]["name"]) == (".prc.yaml", r["service"]), r
        else:
            assert r["file"].startswith(prefixes[r["service"]]), r


def test_checkout_is_ready_at_critical_with_full_score(report):
    checkout = _service(report, "checkout")
    assert checkout["tier"] == "critical"
    assert checkout["verdict"] == "READY"
    assert checkout["score"] == 100.0
    mine = _results(report, "checkout")
    assert [r for r in mine if r["status"] in ("FAIL", "UNKNOWN", "ERROR")] == []
    assert [r for r in mine if r["suppression"]] == []
    assert all(i["status"] == "PASS" for i in checkout["items"])
    assert {m["item"]: m["status"] for m in checkout["manual_items"]} == {
        "load-test": "attested", "failover-rehearsed": "attested", "capacity-plan": "attested",
        "security-review": "attested", "oncall-staffed": "attested", "postmortem-template": "attested",
    }


def test_checkout_exercises_every_kubernetes_check(report):
    """The good example is only convincing if each check looked at it and passed it."""
    ran = {c["id"] for c in report["checks"] if c["id"].startswith("PRC-K8S-")}
    passed = {r["check_id"] for r in _results(report, "checkout", "PASS")}
    # checkout needs no Kubernetes API access, so it has no Role for PRC-K8S-086 to judge.
    assert ran - passed == {"PRC-K8S-086"} & ran


def test_checkout_exercises_the_alerting_slo_and_repository_checks(report):
    passed = {r["check_id"] for r in _results(report, "checkout", "PASS")}
    assert CHECKOUT_OBSERVED - passed == set()
    items = {i["item"]: i for i in _service(report, "checkout")["items"]}
    for slug in ("alerted", "alert-runbooks", "alerts-routed", "slos-defined", "burn-rate-alerts", "oncall-docs"):
        assert items[slug]["status"] == "PASS" and items[slug]["required"], slug
    # The burn-rate alerts are recognised through the recording rules, and a relative runbook link resolves.
    burn = [r for r in _results(report, "checkout", "PASS") if r["check_id"] == "PRC-SLO-010"]
    assert len(burn) == 1 and "1h/5m at 14.4x (CheckoutErrorBudgetBurn)" in burn[0]["message"]
    link = [r for r in _results(report, "checkout", "PASS") if r["check_id"] == "PRC-ALERT-002"
            and "../docs/runbook.md" in r["message"]]
    assert len(link) == 1


def test_checkout_items_include_the_critical_only_ones(report):
    items = {i["item"]: i for i in _service(report, "checkout")["items"]}
    assert items["zone-spread"]["required"] is True
    assert items["zone-spread"]["status"] == "PASS"
    assert items["dependencies-fail-fast"]["status"] == "PASS"


def test_legacy_reports_fails_most_of_the_checklist(report):
    legacy = _service(report, "legacy-reports")
    assert legacy["tier"] == "standard"
    assert legacy["verdict"] == "NOT READY"
    assert legacy["score"] < 50
    assert _failing(report, "legacy-reports") == LEGACY_FAILING


def test_legacy_reports_named_findings(report):
    fails = _results(report, "legacy-reports", "FAIL", suppressed=False)

    def hits(check_id, kind, name, file):
        return [r for r in fails if r["check_id"] == check_id and r["target"]["kind"] == kind
                and r["target"]["name"] == name and r["file"] == file]

    deployment, cronjob = "legacy-reports/deploy/deployment.yaml", "legacy-reports/deploy/cronjob.yaml"
    assert hits("PRC-K8S-082", "Deployment", "legacy-reports", deployment)
    assert hits("PRC-K8S-100", "Deployment", "legacy-reports", deployment)
    assert hits("PRC-K8S-100", "CronJob", "legacy-reports-monthly", cronjob)
    assert hits("PRC-K8S-090", "Deployment", "legacy-reports", deployment)
    assert hits("PRC-K8S-090", "CronJob", "legacy-reports-monthly", cronjob)
    assert hits("PRC-K8S-086", "ClusterRole", "legacy-reports", "legacy-reports/deploy/rbac.yaml")
    # The CronJob's DB_PASSWORD comes from a secretKeyRef; only SFTP_PASSWORD is a literal.
    cron_secrets = hits("PRC-K8S-090", "CronJob", "legacy-reports-monthly", cronjob)
    assert len(cron_secrets) == 1 and "SFTP_PASSWORD" in cron_secrets[0]["message"]
    assert all(r["severity"] == "critical" for r in hits("PRC-K8S-082", "Deployment", "legacy-reports", deployment))


def test_legacy_reports_required_items_fail(report):
    items = {i["item"]: i for i in _service(report, "legacy-reports")["items"]}
    for slug in ("readiness", "graceful-shutdown", "zero-downtime-rollout", "redundancy", "requests-and-limits",
                 "container-hardening", "secrets-not-literals", "images-pinned", "ownership"):
        assert items[slug]["status"] == "FAIL" and items[slug]["required"], slug
    # Zone spread is required only for critical services (and says nothing about one replica).
    assert "zone-spread" not in items or items["zone-spread"]["required"] is False


def test_legacy_reports_host_network_is_waived_until_2027(report):
    waived = _results(report, "legacy-reports", suppressed=True)
    assert [(r["check_id"], r["target"]["name"], r["suppression"]["kind"], r["suppression"]["expires"])
            for r in waived] == [("PRC-K8S-085", "legacy-reports", "waiver", "2027-03-31")]
    assert waived[0]["status"] == "FAIL"
    assert waived[0]["suppression"]["source"].startswith(".prc.yaml:")


def test_legacy_reports_oncall_attestation_expired(report):
    manual = {m["item"]: m for m in _service(report, "legacy-reports")["manual_items"]}
    assert manual["oncall-staffed"]["status"] == "expired"
    assert manual["oncall-staffed"]["expires"] == "2026-06-30"
    assert manual["security-review"]["status"] == "missing"


def test_search_api_sits_between_the_two(report):
    search = _service(report, "search-api")
    assert search["tier"] == "standard"
    assert search["verdict"] == "NOT READY"
    assert _service(report, "legacy-reports")["score"] < search["score"] < 100.0
    assert search["score"] >= 75
    assert _failing(report, "search-api") == SEARCH_FAILING


def test_search_api_specific_findings(report):
    fails = _results(report, "search-api", "FAIL", suppressed=False)

    def containers(check_id):
        return sorted(r["target"]["part"] for r in fails if r["check_id"] == check_id)

    assert containers("PRC-K8S-003") == ["search-api"]
    assert containers("PRC-K8S-004") == ["search-api"]
    assert containers("PRC-K8S-100") == ["fluent-bit"]  # 4.7.0 without a digest is accepted
    assert containers("PRC-K8S-010") == ["search-api"]  # fluent-bit serves nothing
    sidecar = [r for r in fails if r["check_id"] == "PRC-K8S-012"]
    assert len(sidecar) == 1 and "fluent-bit" in sidecar[0]["message"]
    zone = [r for r in fails if r["check_id"] == "PRC-K8S-033"]
    assert len(zone) == 1 and zone[0]["severity"] == "low"  # hostname-only spread is a partial pass
    items = {i["item"]: i for i in _service(report, "search-api")["items"]}
    assert items["zone-spread"]["required"] is False
    for slug in ("liveness", "graceful-shutdown", "disruption-budget", "images-pinned"):
        assert items[slug]["status"] == "FAIL" and items[slug]["required"], slug
    for slug in ("readiness", "redundancy", "requests-and-limits", "container-hardening", "secrets-not-literals",
                 "ownership", "telemetry"):
        assert items[slug]["status"] == "PASS", slug
    manual = {m["item"]: m["status"] for m in _service(report, "search-api")["manual_items"]}
    assert manual["security-review"] == manual["oncall-staffed"] == "attested"
    assert manual["postmortem-template"] == "missing"


def test_search_api_suppressions_are_applied(report):
    suppressed = _results(report, "search-api", suppressed=True)
    by_kind = {r["suppression"]["kind"]: r for r in suppressed}
    assert sorted(by_kind) == ["annotation", "inline"] and len(suppressed) == 2

    inline = by_kind["inline"]
    assert (inline["check_id"], inline["target"]["part"], inline["status"]) == ("PRC-K8S-084", "search-api", "FAIL")
    assert "SEARCH-412" in inline["suppression"]["reason"]
    assert inline["suppression"]["source"] == f"search-api/deploy/deployment.yaml:{inline['line'] - 1}"

    annotation = by_kind["annotation"]
    assert (annotation["check_id"], annotation["target"]["name"]) == ("PRC-K8S-034", "search-api")
    assert "capacity plan" in annotation["suppression"]["reason"]
    assert annotation["suppression"]["source"].startswith("search-api/deploy/deployment.yaml:")


def test_console_report_leads_with_the_verdicts():
    proc = subprocess.run(
        [sys.executable, "-m", "prc.cli", "scan", "sample_services", "--today", TODAY],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    out = proc.stdout
    rows = {line.split()[1]: line.split()[1:] for line in out.splitlines()
            if line.startswith("│") and len(line.split()) > 8}
    assert rows["checkout"][:7] == ["checkout", "│", "critical", "│", "100.0", "│", "READY"]
    assert "legacy-reports (standard): NOT READY" in out
    assert "search-api (standard): NOT READY" in out
    assert "Gate: failed: NOT READY: legacy-reports, search-api" in out
