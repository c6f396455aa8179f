"""Which services exist, which objects join them, and what happens to objects outside any service."""

from __future__ import annotations

import textwrap

from prc.config import Config, ServiceDecl
from prc.gate import evaluate
from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.services import UNASSIGNED, assign_services, service_names

from .conftest import run_scan

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: grafana, namespace: monitoring, labels: {app.kubernetes.io/name: grafana}}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: grafana}
    spec:
      serviceAccountName: grafana
      containers: [{name: grafana, image: grafana/grafana:11.3.0}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: grafana, namespace: monitoring}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: unused, namespace: monitoring, labels: {app.kubernetes.io/name: alertmanager}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: grafana-dashboards, namespace: monitoring, labels: {app.kubernetes.io/name: grafana}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: alertmanager, namespace: monitoring, labels: {app.kubernetes.io/name: alertmanager}}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app.kubernetes.io/name: alertmanager}}
---
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring, labels: {app.kubernetes.io/name: alertmanager}}
spec: {replicas: 3}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: monitoring}
spec: {gatewayClassName: istio, listeners: []}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: monitoring}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: grafana-reader, namespace: monitoring}
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: ServiceAccount, name: grafana}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: elsewhere}
rules: []
"""


def _assign(config: Config | None = None) -> tuple[dict, list[str]]:
    loaded = load_k8s_text("monitoring.yaml", MANIFESTS)
    assert loaded.problems == []
    link(loaded.objects)
    config = config or Config()
    assign_services(loaded.objects, config)
    return ({(o.kind, o.namespace, o.name): o.service for o in loaded.objects},
            service_names(loaded.objects, config))


def test_only_workloads_make_services_and_service_accounts_follow_them():
    services, names = _assign()
    assert names == ["grafana"]
    assert services[("Deployment", "monitoring", "grafana")] == "grafana"
    assert services[("ServiceAccount", "monitoring", "grafana")] == "grafana"  # the pods run as it
    assert services[("ConfigMap", "monitoring", "grafana-dashboards")] == "grafana"  # its label names a service
    assert services[("RoleBinding", "monitoring", "grafana-reader")] == "grafana"
    assert services[("Role", "monitoring", "reader")] == "grafana"
    # A Role of the same name in another namespace is not the one that binding grants.
    assert services[("Role", "elsewhere", "reader")] == UNASSIGNED
    # No workload runs as it, and its label names no service in the scan.
    assert services[("ServiceAccount", "monitoring", "unused")] == UNASSIGNED
    # A PDB and a custom resource whose workload is not in the scan make no service of their own.
    assert services[("PodDisruptionBudget", "monitoring", "alertmanager")] == UNASSIGNED
    assert services[("Alertmanager", "monitoring", "main")] == UNASSIGNED
    assert services[("Namespace", "", "monitoring")] == UNASSIGNED
    assert services[("Gateway", "monitoring", "public")] == UNASSIGNED


def test_declared_services_exist_without_a_workload():
    config = Config(services=[ServiceDecl("alertmanager", selector=(("app.kubernetes.io/name", "alertmanager"),)),
                              ServiceDecl("not-in-this-scan", paths=("elsewhere/**",))])
    services, names = _assign(config)
    assert names == ["alertmanager", "grafana"]  # a declared service with no object here is not reported
    assert services[("PodDisruptionBudget", "monitoring", "alertmanager")] == "alertmanager"
    assert services[("Alertmanager", "monitoring", "main")] == "alertmanager"
    assert services[("ServiceAccount", "monitoring", "unused")] == "alertmanager"
    # A name label naming a declared service joins it too.
    config = Config(services=[ServiceDecl("alertmanager", paths=("nowhere/**",))])
    services, names = _assign(config)
    assert services[("Alertmanager", "monitoring", "main")] == "alertmanager"


WILDCARD_ROLE = textwrap.dedent("""\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: everything}
    rules:
      - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: tools}
""")


def test_unassigned_objects_are_reported_but_never_scored_or_gated_on_a_verdict(tmp_path, registry):
    (tmp_path / "rbac.yaml").write_text(WILDCARD_ROLE)
    config = Config(enable=["PRC-K8S-086"], default_tier="experimental")
    report = run_scan([tmp_path], registry, config)
    assert report.services == ()
    failing = [(r.check.id, str(r.target), r.service) for r in report.failures]
    assert failing == [("PRC-K8S-086", "ClusterRole/everything", UNASSIGNED)]
    assert report.objects == 2 and evaluate(report, "verdict").gate.passed
    assert evaluate(report, "verdict", min_score=100).gate.passed
    gate = evaluate(report, "high").gate
    assert (gate.passed, gate.reasons) == (False, ("1 findings at high severity or above",))


# --- artifacts (Dockerfiles, Terraform resources) join services -------------------------------------------------

from prc.services import image_repository  # noqa: E402
from prc.targets import Artifact  # noqa: E402

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout}
spec:
  template:
    metadata: {labels: {app: checkout}}
    spec:
      containers: [{name: app, image: "registry.example.com/shop/checkout:1.2.0"}]
"""


def _assign_artifacts(artifacts, config=None, workload_files=("checkout/k8s/deploy.yaml",)):
    from prc.loaders.k8s import load_k8s_text

    objects = [o for f in workload_files for o in load_k8s_text(f, WORKLOADS).objects]
    assign_services([*objects, *artifacts], config or Config())
    return [a.service for a in artifacts]


def test_an_artifact_joins_the_service_whose_workloads_share_its_directory():
    dockerfile = Artifact("Dockerfile", "checkout/Dockerfile", "checkout/Dockerfile", 1, service_hint="checkout")
    terraform = Artifact("aws_lb", "aws_lb.main", "checkout/terraform/lb.tf", 3)
    elsewhere = Artifact("aws_s3_bucket", "aws_s3_bucket.logs", "platform/logs.tf", 1)
    assert _assign_artifacts([dockerfile, terraform, elsewhere]) == ["checkout", "checkout", UNASSIGNED]


def test_an_artifact_names_its_own_service_when_no_workload_is_near():
    dockerfile = Artifact("Dockerfile", "billing/Dockerfile", "billing/Dockerfile", 1, service_hint="billing")
    tagged = Artifact("aws_instance", "aws_instance.api", "infra/ec2.tf", 1, tags={"Service": "ledger"},
                      service_hint="ledger")
    assert _assign_artifacts([dockerfile, tagged]) == ["billing", "ledger"]
    assert service_names([dockerfile, tagged], Config()) == ["billing", "ledger"]


def test_declared_paths_and_tags_win_and_builds_map_a_dockerfile_to_the_workload_running_its_image():
    config = Config(services=[ServiceDecl("payments", tags=(("Team", "payments"),))],
                    builds={"docker/api.Dockerfile": "registry.example.com/shop/checkout"})
    tagged = Artifact("aws_sqs_queue", "aws_sqs_queue.q", "infra/q.tf", 1, tags={"Team": "payments"})
    built = Artifact("Dockerfile", "docker/api.Dockerfile", "docker/api.Dockerfile", 1, service_hint="docker")
    assert _assign_artifacts([tagged, built], config) == ["payments", "checkout"]


def test_image_repository_strips_tag_and_digest_but_not_a_registry_port():
    assert image_repository("registry:5000/team/app:1.2@sha256:" + "a" * 64) == "registry:5000/team/app"
    assert image_repository("registry:5000/app") == "registry:5000/app"
    assert image_repository("nginx") == "nginx"


def test_an_explicit_service_tag_wins_over_the_directory():
    tagged = Artifact("aws_sqs_queue", "aws_sqs_queue.jobs", "checkout/terraform/q.tf", 1,
                      tags={"Service": "billing"}, service_hint="billing")
    assert _assign_artifacts([tagged]) == ["billing"]
