"""The service model's edges: what a review found grouping, service-level checks and their identities doing
wrong on real-looking trees, each now pinned down."""

from __future__ import annotations

import textwrap
from pathlib import Path

from prc.config import Config
from prc.model import Status

from .conftest import run_scan


def tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def deployment(name: str, container: str | None = None, labels: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels: {{app.kubernetes.io/name: {name}{labels}}}
        spec:
          replicas: 2
          selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
          template:
            metadata: {{labels: {{app.kubernetes.io/name: {name}}}}}
            spec:
              containers:
                - name: {container or name}
                  image: registry.example.com/{name}:1.4.2
                  ports: [{{containerPort: 8080}}]
        """)


def results(root: Path, registry, check: str, **kwargs):
    report = run_scan([root], registry, Config(enable=[check], **kwargs), root=root)
    return [r for r in report.results if r.check.id == check]


def test_a_service_result_keeps_its_fingerprint_when_a_file_is_added(tmp_path, registry):
    root = tree(tmp_path, {"k8s/web.yaml": deployment("checkout")})
    before = {r.check.id: r.fingerprint for r in run_scan([root], registry, Config(), root=root).results
              if r.target.kind == "service"}
    # A CronJob of the same service sorts first and becomes where the service's results are written.
    (root / "k8s" / "a-cron.yaml").write_text(textwrap.dedent("""\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: cleanup, labels: {app.kubernetes.io/name: checkout}}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app.kubernetes.io/name: checkout}}
                spec: {containers: [{name: cleanup, image: registry.example.com/cleanup:1.0.0}]}
        """))
    after_report = run_scan([root], registry, Config(), root=root)
    after = {r.check.id: r.fingerprint for r in after_report.results if r.target.kind == "service"}
    assert before and before == after
    assert {r.location.file for r in after_report.results if r.target.kind == "service"} == {"k8s/a-cron.yaml"}


def test_an_alert_on_a_container_name_two_services_share_watches_neither(tmp_path, registry):
    root = tree(tmp_path, {
        "a/k8s.yaml": deployment("svc-a", "app"), "b/k8s.yaml": deployment("svc-b", "app"),
        "a/rules.yaml": """\
            groups:
              - name: a
                rules:
                  - alert: AppRestarting
                    expr: increase(kube_pod_container_status_restarts_total{container="app"}[15m]) > 3
                    for: 5m
            """})
    found = {r.service: r.status for r in results(root, registry, "PRC-XA-010")}
    assert found == {"svc-a": Status.FAIL, "svc-b": Status.FAIL}


def test_an_alarm_that_notifies_a_topic_does_not_watch_the_topic_s_service(tmp_path, registry):
    root = tree(tmp_path, {
        "web/k8s.yaml": deployment("web"),
        "infra/main.tf": """\
            resource "aws_sns_topic" "pager" {
              name = "pager"
              tags = { Service = "alerting" }
            }
            resource "aws_cloudwatch_metric_alarm" "web_cpu" {
              alarm_name    = "web-cpu"
              namespace     = "AWS/EC2"
              metric_name   = "CPUUtilization"
              dimensions    = { AutoScalingGroupName = "web" }
              alarm_actions = [aws_sns_topic.pager.arn]
              tags = { Service = "web" }
            }
            """})
    found = {r.service: (r.status, r.message) for r in results(root, registry, "PRC-XA-010")}
    assert found["alerting"][0] is Status.FAIL
    assert found["web"][0] is Status.PASS and "aws_cloudwatch_metric_alarm.web_cpu" in found["web"][1]


def test_a_service_whose_only_alert_does_not_parse_is_unknown_not_unwatched(tmp_path, registry):
    root = tree(tmp_path, {
        "checkout/k8s.yaml": deployment("checkout"),
        "checkout/rules.yaml": """\
            groups:
              - name: checkout
                rules:
                  - alert: CheckoutDown
                    expr: sum(up{job="checkout"} == 0
                    for: 5m
            """})
    [result] = results(root, registry, "PRC-XA-010")
    assert result.status is Status.UNKNOWN
    assert "CheckoutDown have expressions prc could not read" in result.message


def test_a_service_label_inside_a_prometheusrule_names_no_new_service(tmp_path, registry):
    root = tree(tmp_path, {
        "web/k8s.yaml": deployment("web"),
        "mon/prule.yaml": """\
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata: {name: shared, namespace: monitoring}
            spec:
              groups:
                - name: g
                  rules:
                    - alert: Ghost
                      expr: up{job="ghost"} == 0
                      for: 5m
                      labels: {service: ghost, severity: critical}
                    - alert: Templated
                      expr: up == 0
                      for: 5m
                      labels: {service: "{{ $labels.job }}", severity: critical}
            """})
    report = run_scan([root], registry, Config(enable=["PRC-ALERT-001"]), root=root)
    assert {r.service for r in report.results} == {"(unassigned)"}
    assert [s.name for s in report.services] == ["web"]


def test_a_sloth_crd_with_its_alerts_disabled_has_no_burn_rate_alerts(tmp_path, registry):
    root = tree(tmp_path, {"cart/slo.yaml": """\
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata: {name: cart}
        spec:
          service: cart
          slos:
            - name: availability
              objective: 99.5
              sli:
                events:
                  errorQuery: sum(rate(http_requests_total{job="cart",code=~"5.."}[{{.window}}]))
                  totalQuery: sum(rate(http_requests_total{job="cart"}[{{.window}}]))
              alerting:
                name: CartAvailability
                pageAlert: {disable: true}
                ticketAlert: {disable: true}
        """})
    [result] = results(root, registry, "PRC-SLO-010")
    assert result.status is Status.FAIL and result.message.startswith("SLO availability (99.5%): no burn-rate alert")


def test_an_ansible_playbook_is_not_a_runbook_and_a_runbook_at_the_top_of_a_one_service_repo_is(tmp_path, registry):
    root = tree(tmp_path, {"svc/k8s/web.yaml": deployment("web"), "svc/playbooks/site.yml": "- hosts: all\n"})
    [result] = results(root, registry, "PRC-REPO-010")
    assert result.status is Status.FAIL
    (root / "RUNBOOK.md").write_text("# web runbook\n")
    [result] = results(root, registry, "PRC-REPO-010")
    assert (result.status, result.message) == (Status.PASS, "runbook: RUNBOOK.md")


def test_a_runbook_beside_the_service_counts_even_when_its_slo_sits_in_a_shared_directory(tmp_path, registry):
    root = tree(tmp_path, {
        "apps/a/k8s.yaml": deployment("a"), "apps/a/RUNBOOK.md": "# a\n", "apps/b/k8s.yaml": deployment("b"),
        "slos/a.yaml": "apiVersion: prc.dev/v1\nkind: SLO\nservice: a\nslos:\n  - name: x\n    target: 99\n"
                       "    window: 28d\n"})
    found = {r.service: r.status for r in results(root, registry, "PRC-REPO-010")}
    assert found == {"a": Status.PASS, "b": Status.FAIL}


def test_a_scan_of_a_subdirectory_still_sees_the_root_s_renovate_config_and_declared_runbook(tmp_path, registry):
    root = tree(tmp_path, {"svc/deploy/web.yaml": deployment("web"), "renovate.json": "{}\n",
                           "svc/docs/runbook.md": "# web\n"})
    from prc.config import ServiceDecl
    from prc.scan import ScanInput, scan

    config = Config(enable=["PRC-REPO-002", "PRC-REPO-010"],
                    services=[ServiceDecl("web", paths=("svc/**",), runbook="./svc/docs/runbook.md", line=3)],
                    path=".prc.yaml")
    import datetime as dt

    report = scan(ScanInput((root / "svc" / "deploy",), root), config, registry, dt.date(2026, 12, 4))
    assert sorted((r.check.id, r.status.value, r.message) for r in report.results) == [
        ("PRC-REPO-002", "PASS", "dependency updates are configured: renovate.json"),
        ("PRC-REPO-010", "PASS", "runbook declared in .prc.yaml: svc/docs/runbook.md"),
    ]


def test_a_target_group_prc_cannot_read_does_not_hide_a_known_too_long_delay(tmp_path, registry):
    root = tree(tmp_path, {
        "api/k8s.yaml": deployment("api"),
        "api/lb.tf": """\
            variable "tt" { type = string }
            resource "aws_lb_target_group" "api" {
              target_type = "ip"
              tags = { Service = "api" }
            }
            resource "aws_lb_target_group" "admin" {
              target_type = var.tt
              tags = { Service = "api" }
            }
            """})
    [result] = [r for r in results(root, registry, "PRC-XA-001") if r.target.kind == "Deployment"]
    assert result.status is Status.FAIL and "aws_lb_target_group.api deregistration_delay 300 s" in result.message


def test_two_dockerfiles_building_one_image_give_one_result_for_its_container(tmp_path, registry):
    root = tree(tmp_path, {
        "checkout/k8s.yaml": deployment("checkout"),
        "checkout/Dockerfile": "FROM python:3.12.7-slim\nUSER 10001\nCMD python -m checkout\n",
        "images/checkout/Dockerfile": 'FROM python:3.12.7-slim\nUSER 10001\nCMD ["python", "-m", "checkout"]\n'})
    found = [r for r in results(root, registry, "PRC-XA-001")]
    assert [(r.status, r.target.part) for r in found] == [(Status.FAIL, "checkout")]
    assert "checkout/Dockerfile builds" in found[0].message
