"""Replica, disruption-budget, zone-spread and mesh semantics of the availability checks."""

from __future__ import annotations

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.model import Status
from prc_checks.k8s_availability import (
    _ZERO_DURATION_RE,
    _scaled,
    _service_key,
    hpa_present,
    mesh_timeouts_and_outlier_detection,
    min_replicas,
    pdb_allows_eviction,
    pod_disruption_budget,
    zone_spread,
)


def _objects(text: str) -> dict:
    loaded = load_k8s_text("manifests.yaml", text)
    assert not loaded.problems
    link(loaded.objects)
    return {f"{o.kind}/{o.name}": o for o in loaded.objects}


def _run(check, target, **options):
    return [(o.status, str(o.target.ref) if o.target else "", o.message)
            for o in check.run(target, {**check.default_options(), **options})]


def _only_pdb(objects):
    pdb, = [o for key, o in objects.items() if key.startswith("PodDisruptionBudget/")]
    return pdb


def _deployment(name="web", replicas="", pod_spec="", labels="{app: web}", kind="Deployment"):
    replicas_line = f"  replicas: {replicas}\n" if replicas != "" else ""
    return f"""\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: {name}}}
spec:
{replicas_line}  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/{name}:1.0.0
{pod_spec}"""


def _hpa(target="web", min_line="minReplicas: 2", max_replicas=10, kind="Deployment"):
    return f"""\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {target}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}
  {min_line}
  maxReplicas: {max_replicas}
"""


def _pdb(body: str, api_version="policy/v1", name="web", labels="{app: web}"):
    return f"""\
---
apiVersion: {api_version}
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {labels}}}
{body}"""


# --- intstr and durations --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, total, expected", [
    (2, 5, 2), (0, 5, 0), ("0%", 5, 0), ("100%", 3, 3), ("90%", 3, 3), ("50%", 3, 2), ("50%", 1, 1),
    ("10%", 3, 1), ("25%", 4, 1), ("1", 3, None), ("12.5%", 8, None), ("${MIN}", 3, None), (True, 3, None),
])
def test_intstr_percentages_round_up_like_the_disruption_controller(value, total, expected):
    assert _scaled(value, total) == expected


@pytest.mark.parametrize("text, zero", [("0s", True), ("0", True), ("0.0s", True), ("0ms", True), ("0.5s", False),
                                        ("10s", False), ("1m", False), ("100ms", False)])
def test_zero_durations(text, zero):
    assert bool(_ZERO_DURATION_RE.fullmatch(text)) is zero


@pytest.mark.parametrize("host, expected", [
    ("reviews", ("reviews", "shop")), ("reviews.prod", ("reviews", "prod")),
    ("reviews.prod.svc.cluster.local", ("reviews", "prod")), ("*.prod.svc.cluster.local", None), ("", None),
])
def test_istio_hosts_name_services(host, expected):
    assert _service_key(host, "shop") == expected


# --- PRC-K8S-030 ----------------------------------------------------------------------------------------------------

def test_hpa_minimum_overrides_spec_replicas():
    objects = _objects(_deployment(replicas=5) + _hpa(min_line="minReplicas: 1"))
    assert _run(min_replicas, objects["Deployment/web"]) == [
        (Status.FAIL, "Deployment/web",
         "HorizontalPodAutoscaler web can scale Deployment web down to 1 replica (minReplicas 1); the minimum is 2")]
    objects = _objects(_deployment() + _hpa(min_line="minReplicas: 3"))
    assert _run(min_replicas, objects["Deployment/web"]) == [(Status.PASS, "Deployment/web", "")]


def test_min_replicas_option_and_unknown_hpa_minimum():
    objects = _objects(_deployment(replicas=2))
    assert _run(min_replicas, objects["Deployment/web"], min_replicas=3) == [
        (Status.FAIL, "Deployment/web", "Deployment web runs 2 replicas; the minimum is 3")]
    objects = _objects(_deployment() + _hpa(min_line='minReplicas: "${MIN}"'))
    assert _run(min_replicas, objects["Deployment/web"]) == [
        (Status.UNKNOWN, "Deployment/web", "HorizontalPodAutoscaler web: minReplicas '${MIN}' is not a number")]


def test_boolean_replicas_are_not_a_number():
    objects = _objects(_deployment(replicas="true"))
    assert [s for s, _, _ in _run(min_replicas, objects["Deployment/web"])] == [Status.UNKNOWN]


def test_daemonsets_and_jobs_are_not_checked_for_replicas():
    objects = _objects(_deployment(name="agent", kind="DaemonSet"))
    assert _run(min_replicas, objects["DaemonSet/agent"]) == []


# --- PRC-K8S-031 / 032 ----------------------------------------------------------------------------------------------

def test_single_replica_workloads_need_no_pdb_but_hpa_scaled_ones_do():
    objects = _objects(_deployment(replicas=1))
    assert _run(pod_disruption_budget, objects["Deployment/web"]) == []
    objects = _objects(_deployment() + _hpa(min_line="minReplicas: 1", max_replicas=4))
    assert [s for s, _, _ in _run(pod_disruption_budget, objects["Deployment/web"])] == [Status.FAIL]


def test_v1beta1_pdb_without_limits_defaults_to_min_available_1():
    objects = _objects(_deployment(replicas=1) + _pdb("", api_version="policy/v1beta1"))
    assert _run(pdb_allows_eviction, _only_pdb(objects)) == [
        (Status.FAIL, "PodDisruptionBudget/web", "PodDisruptionBudget web: minAvailable 1 with Deployment web at "
         "1 replica allows no voluntary eviction; node drains will hang")]
    # A policy/v1 one sets nothing: it allows everything (PRC-K8S-031 reports it), and 032 says nothing.
    objects = _objects(_deployment(replicas=3) + _pdb(""))
    assert _run(pdb_allows_eviction, _only_pdb(objects)) == []
    assert _run(pod_disruption_budget, objects["Deployment/web"]) == []
    assert [(s, t) for s, t, _ in _run(pod_disruption_budget, _only_pdb(objects))] == [
        (Status.FAIL, "PodDisruptionBudget/web")]


@pytest.mark.parametrize("body, replicas, status", [
    ("  maxUnavailable: 1\n", 1, Status.PASS),
    ('  maxUnavailable: "0%"\n', 3, Status.FAIL),
    ("  maxUnavailable: 10%\n", 3, Status.PASS),  # ceil(0.3) = 1 pod may go
    ("  minAvailable: 2\n", 3, Status.PASS),
    ("  minAvailable: 3\n", 3, Status.FAIL),
    ("  minAvailable: 5\n", 3, Status.FAIL),
    ("  minAvailable: 100%\n", 5, Status.FAIL),
    ("  minAvailable: 66%\n", 3, Status.PASS),  # ceil(1.98) = 2 of 3
    ("  minAvailable: 67%\n", 3, Status.FAIL),  # ceil(2.01) = 3 of 3
    ("  minAvailable: 1\n", "", Status.FAIL),  # replicas omitted: 1
    ('  minAvailable: "1"\n', 3, Status.UNKNOWN),  # a string that is not a percentage
    ("  maxUnavailable: 1\n", '"${N}"', Status.PASS),  # does not depend on the replica count
    ("  minAvailable: 1\n", '"${N}"', Status.UNKNOWN),
])
def test_pdb_blocking_cases(body, replicas, status):
    objects = _objects(_deployment(replicas=replicas) + _pdb(body))
    assert [s for s, _, _ in _run(pdb_allows_eviction, _only_pdb(objects))] == [status]


def test_pdb_is_judged_at_the_hpa_minimum():
    objects = _objects(_deployment(replicas=6) + _hpa(min_line="minReplicas: 3") + _pdb("  minAvailable: 3\n"))
    assert _run(pdb_allows_eviction, _only_pdb(objects)) == [
        (Status.FAIL, "PodDisruptionBudget/web", "PodDisruptionBudget web: minAvailable 3 with Deployment web at "
         "its lowest scale of 3 replicas (HorizontalPodAutoscaler web minReplicas 3) allows no voluntary eviction; "
         "node drains will hang")]
    objects = _objects(_deployment() + _hpa(min_line="minReplicas: 4") + _pdb("  minAvailable: 3\n"))
    assert [s for s, _, _ in _run(pdb_allows_eviction, _only_pdb(objects))] == [Status.PASS]


# --- PRC-K8S-033 ----------------------------------------------------------------------------------------------------

ZONE_TSC = """\
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: {selector}
"""


@pytest.mark.parametrize("selector, status", [
    ("{matchLabels: {app: web}}", Status.PASS),
    ("{}", Status.PASS),  # an empty selector selects every pod, its own included
    ("{matchExpressions: [{key: app, operator: In, values: [web, api]}]}", Status.PASS),
    ("{matchLabels: {app: api}}", Status.FAIL),
    ("null", Status.FAIL),  # no selector: the constraint counts no pods
])
def test_zone_constraint_must_select_own_pods(selector, status):
    objects = _objects(_deployment(replicas=3, pod_spec=ZONE_TSC.format(selector=selector)))
    assert [s for s, _, _ in _run(zone_spread, objects["Deployment/web"])] == [status]


def test_single_replica_and_unknown_replicas():
    objects = _objects(_deployment(replicas=1))
    assert _run(zone_spread, objects["Deployment/web"]) == []
    objects = _objects(_deployment(replicas='"${N}"'))
    assert [s for s, _, _ in _run(zone_spread, objects["Deployment/web"])] == [Status.FAIL]


def test_node_affinity_pinning_one_zone_defeats_spread():
    pinned = """\
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: topology.kubernetes.io/zone, operator: In, values: [eu-west-1b]}
                  - {key: node.kubernetes.io/instance-type, operator: In, values: [m6i.large]}
""" + ZONE_TSC.format(selector="{matchLabels: {app: web}}")
    objects = _objects(_deployment(replicas=3, pod_spec=pinned))
    assert _run(zone_spread, objects["Deployment/web"]) == [
        (Status.FAIL, "Deployment/web",
         "Deployment web: affinity.nodeAffinity pins every pod to zone eu-west-1b, so they cannot spread across zones")]
    # A second term that allows any zone lifts the pin.
    any_zone_term = """\
              - matchExpressions:
                  - {key: node.kubernetes.io/instance-type, operator: In, values: [m7i.large]}
"""
    unpinned = pinned.replace("      topologySpreadConstraints:", any_zone_term + "      topologySpreadConstraints:")
    objects = _objects(_deployment(replicas=3, pod_spec=unpinned))
    assert [s for s, _, _ in _run(zone_spread, objects["Deployment/web"])] == [Status.PASS]


def test_hostname_spread_is_a_low_severity_partial_pass():
    spec = ZONE_TSC.format(selector="{matchLabels: {app: web}}").replace(
        "topology.kubernetes.io/zone", "kubernetes.io/hostname")
    objects = _objects(_deployment(replicas=3, pod_spec=spec))
    outcomes = list(zone_spread.run(objects["Deployment/web"], zone_spread.default_options()))
    assert [(o.status, o.severity and o.severity.value) for o in outcomes] == [(Status.FAIL, "low")]
    assert outcomes[0].message.startswith("partial: ")


def test_hostname_rule_that_selects_none_of_its_own_pods_is_reported_at_the_rule():
    anti = """\
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector:
                matchExpressions: [{key: app, operator: In, values: [zk]}]
              topologyKey: kubernetes.io/hostname
"""
    objects = _objects(_deployment(replicas=3, pod_spec=anti, labels="{app.kubernetes.io/name: zk}"))
    outcomes = list(zone_spread.run(objects["Deployment/web"], zone_spread.default_options()))
    assert [(o.status, o.severity, o.at) for o in outcomes] == [
        (Status.FAIL, None, "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]")]
    assert outcomes[0].message == (
        "Deployment web: affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] on "
        "kubernetes.io/hostname does not select the workload's own pods (pod labels: app.kubernetes.io/name=zk), so "
        "it spreads them neither across nodes nor across zones")


def test_custom_zone_keys_option():
    spec = ZONE_TSC.format(selector="{matchLabels: {app: web}}").replace(
        "topology.kubernetes.io/zone", "topology.example.com/rack-row")
    objects = _objects(_deployment(replicas=3, pod_spec=spec))
    assert [s for s, _, _ in _run(zone_spread, objects["Deployment/web"])] == [Status.FAIL]
    assert [s for s, _, _ in _run(zone_spread, objects["Deployment/web"],
                                  zone_keys=["topology.example.com/rack-row"])] == [Status.PASS]


# --- PRC-K8S-034 ----------------------------------------------------------------------------------------------------

def test_hpa_must_name_the_workload_kind():
    objects = _objects(_deployment(replicas=3) + _hpa(kind="StatefulSet"))
    assert [s for s, _, _ in _run(hpa_present, objects["Deployment/web"])] == [Status.FAIL]
    objects = _objects(_deployment(name="db", kind="StatefulSet", labels="{app: db}", replicas=3))
    assert _run(hpa_present, objects["StatefulSet/db"]) == []


# --- PRC-K8S-040 ----------------------------------------------------------------------------------------------------

MESH = """\
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def test_no_mesh_objects_means_not_applicable():
    objects = _objects(_deployment(replicas=2) + MESH)
    assert _run(mesh_timeouts_and_outlier_detection, objects["Deployment/web"]) == []


def test_routes_to_other_services_are_not_this_workloads_business():
    text = _deployment(replicas=2) + MESH + """\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: edge}
spec:
  hosts: [shop.example.com]
  http:
    - route: [{destination: {host: web}}]
      timeout: 3s
    - route: [{destination: {host: catalog}}]
    - redirect: {uri: /new}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    outlierDetection: {}
"""
    objects = _objects(text)
    assert _run(mesh_timeouts_and_outlier_detection, objects["Deployment/web"]) == []
    assert _run(mesh_timeouts_and_outlier_detection, objects["VirtualService/edge"]) == [
        (Status.PASS, "VirtualService/edge", "")]
    # An empty outlierDetection takes Istio's defaults (5 consecutive 5xx), which eject.
    assert _run(mesh_timeouts_and_outlier_detection, objects["DestinationRule/web"]) == [
        (Status.PASS, "DestinationRule/web", "")]


def test_subset_outlier_detection_must_cover_every_subset():
    text = _deployment(replicas=2) + MESH + """\
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  subsets:
    - name: v1
      labels: {version: v1}
      trafficPolicy:
        outlierDetection: {consecutive5xxErrors: 3}
    - name: v2
      labels: {version: v2}
"""
    objects = _objects(text)
    assert _run(mesh_timeouts_and_outlier_detection, objects["DestinationRule/web"]) == [
        (Status.FAIL, "DestinationRule/web", "DestinationRule web for web sets no trafficPolicy.outlierDetection")]


def test_mesh_objects_shared_by_several_workloads_are_reported_once():
    # Istio bookinfo: reviews v1, v2 and v3 behind one Service, one VirtualService and one DestinationRule.
    text = "---\n".join(_deployment(f"reviews-{v}", 1, labels="{app: reviews, version: " + v + "}")
                         for v in ("v1", "v2", "v3")) + """\
---
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
    - route:
        - {destination: {host: reviews, subset: v1}, weight: 50}
        - {destination: {host: reviews, subset: v3}, weight: 50}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
    - {name: v3, labels: {version: v3}}
"""
    objects = _objects(text)
    for v in ("v1", "v2", "v3"):
        assert _run(mesh_timeouts_and_outlier_detection, objects[f"Deployment/reviews-{v}"]) == []
    assert _run(mesh_timeouts_and_outlier_detection, objects["VirtualService/reviews"]) == [
        (Status.FAIL, "VirtualService/reviews", "VirtualService reviews: http route #0 to reviews sets no timeout, "
         "and Istio applies none by default")]
    assert _run(mesh_timeouts_and_outlier_detection, objects["DestinationRule/reviews"]) == [
        (Status.FAIL, "DestinationRule/reviews", "DestinationRule reviews for reviews sets no "
         "trafficPolicy.outlierDetection")]


def test_a_virtual_service_without_a_destination_rule_is_reported_on_each_workload():
    text = _deployment(replicas=2) + MESH + """\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec:
  hosts: [web.shop.svc.cluster.local]
  http:
    - {name: primary, route: [{destination: {host: web}}], timeout: 0s}
"""
    objects = _objects(text)
    assert _run(mesh_timeouts_and_outlier_detection, objects["Deployment/web"]) == [
        (Status.FAIL, "Deployment/web", "Deployment web: no DestinationRule sets outlierDetection for its Service web")]
    assert _run(mesh_timeouts_and_outlier_detection, objects["VirtualService/web"]) == [
        (Status.FAIL, "VirtualService/web", 'VirtualService web: http route "primary" to web sets timeout 0s, which '
         "disables the timeout")]


def test_an_empty_pdb_over_two_workloads_is_reported_once_on_the_budget():
    text = _deployment("web", 3) + "---\n" + _deployment("web-canary", 2) + "---\n" + _deployment("web-v0", 1) + """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
"""
    objects = _objects(text)
    for name in ("web", "web-canary", "web-v0"):
        assert _run(pod_disruption_budget, objects[f"Deployment/{name}"]) == []
    assert _run(pod_disruption_budget, _only_pdb(objects)) == [
        (Status.FAIL, "PodDisruptionBudget/web", "PodDisruptionBudget web sets neither minAvailable nor "
         "maxUnavailable, so it allows every eviction of the pods of Deployment web and Deployment web-canary")]
    # Another budget that does limit disruptions covers the pods: nothing to report on the empty one.
    objects = _objects(text + _pdb("  maxUnavailable: 1\n", name="web-strict"))
    assert _run(pod_disruption_budget, objects["PodDisruptionBudget/web"]) == []
    assert [s for s, _, _ in _run(pod_disruption_budget, objects["Deployment/web"])] == [Status.PASS]


def test_one_pdb_over_two_workloads_is_judged_once_on_their_pods_together():
    text = _deployment("web", 1) + "---\n" + _deployment("web-canary", 1) + """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
"""
    objects = _objects(text)
    # Two single-replica workloads behind one budget: 2 pods, one may go.
    assert [s for s, _, _ in _run(pdb_allows_eviction, _only_pdb(objects))] == [Status.PASS]


# --- Argo Rollout workloadRef and ReplicationController -------------------------------------------------------------

from prc_checks import k8s_lifecycle, k8s_observability, k8s_operability, k8s_security  # noqa: E402
from prc_checks.k8s_availability import pdb_allows_eviction as _pdb_check  # noqa: E402

REFERENCED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: catalog}
spec:
  replicas: 0
  selector: {matchLabels: {app: catalog}}
  template:
    metadata: {labels: {app: catalog}}
    spec:
      containers:
        - name: app
          image: registry.example.com/catalog:4.0.2
          ports: [{containerPort: 8080}]
"""

ROLLOUT = """\
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: catalog}
spec:
  replicas: 3
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: catalog}
  strategy:
    canary: {steps: [{setWeight: 25}]}
"""

REPLICA_CHECKS = [k8s_lifecycle.rolling_update_strategy, k8s_lifecycle.min_ready_seconds, min_replicas,
                  pod_disruption_budget, zone_spread, hpa_present]


@pytest.mark.parametrize("check", REPLICA_CHECKS, ids=lambda c: c.id)
def test_a_deployment_whose_template_a_rollout_runs_is_left_to_the_rollout(check):
    objects = _objects(REFERENCED + ROLLOUT)
    deployment, rollout = objects["Deployment/catalog"], objects["Rollout/catalog"]
    assert deployment.rollout_refs == [rollout]
    assert _run(check, deployment) == []
    assert _run(check, rollout) != []  # the Rollout is judged in its place


def test_a_budget_over_a_rollout_and_its_template_deployment_counts_the_rollout_only():
    objects = _objects(REFERENCED + ROLLOUT + _pdb("  minAvailable: 2\n", labels="{app: catalog}"))
    assert _run(_pdb_check, _only_pdb(objects)) == [(Status.PASS, "PodDisruptionBudget/web", "")]
    objects = _objects(REFERENCED + ROLLOUT + _pdb("  minAvailable: 3\n", labels="{app: catalog}"))
    assert _run(_pdb_check, _only_pdb(objects)) == [
        (Status.FAIL, "PodDisruptionBudget/web", "PodDisruptionBudget web: minAvailable 3 with Rollout catalog at 3 "
         "replicas allows no voluntary eviction; node drains will hang")]


# Workload-level checks that read the pod template.
POD_TEMPLATE_CHECKS = [
    k8s_lifecycle.grace_period_covers_prestop, k8s_lifecycle.sidecar_lifecycle, pod_disruption_budget, zone_spread,
    k8s_observability.metrics_scraped, k8s_observability.tracing_configured, k8s_security.no_host_namespaces,
    k8s_security.service_account_token, k8s_operability.owner_label,
]


@pytest.mark.parametrize("check", POD_TEMPLATE_CHECKS, ids=lambda c: c.id)
def test_a_rollout_whose_template_is_not_in_the_scan_is_unknown_once(check):
    objects = _objects(ROLLOUT.removeprefix("---\n"))
    rollout = objects["Rollout/catalog"]
    assert rollout.pod_template_missing
    outcomes = list(check.run(rollout, check.default_options()))
    assert [(o.status, o.at) for o in outcomes] == [(Status.UNKNOWN, "spec.workloadRef")]
    assert outcomes[0].message == ("Rollout catalog: the pod template is unknown (workloadRef Deployment/catalog not "
                                   "in the scan), so its pods cannot be checked")


def test_an_owner_label_on_the_rollout_itself_passes_without_the_template():
    text = ROLLOUT.removeprefix("---\n").replace("metadata: {name: catalog}",
                                                 "metadata: {name: catalog, labels: {team: catalog}}")
    rollout = _objects(text)["Rollout/catalog"]
    assert [o.status for o in k8s_operability.owner_label.run(rollout, k8s_operability.owner_label.default_options())] \
        == [Status.PASS]


def test_replication_controllers_are_replicated_workloads_but_need_no_hpa():
    rc = _deployment(name="legacy", replicas=1, kind="ReplicationController").replace(
        "apiVersion: apps/v1", "apiVersion: v1").replace("selector: {matchLabels: {app: web}}", "selector: {app: web}")
    objects = _objects(rc)
    assert _run(min_replicas, objects["ReplicationController/legacy"]) == [
        (Status.FAIL, "ReplicationController/legacy", "ReplicationController legacy runs 1 replica; the minimum is 2")]
    objects = _objects(rc.replace("replicas: 1", "replicas: 3"))
    assert [s for s, _, _ in _run(pod_disruption_budget, objects["ReplicationController/legacy"])] == [Status.FAIL]
    assert [s for s, _, _ in _run(zone_spread, objects["ReplicationController/legacy"])] == [Status.FAIL]
    assert _run(hpa_present, objects["ReplicationController/legacy"]) == []
    objects = _objects(rc.replace("replicas: 1", "replicas: 3") + _pdb("  minAvailable: 3\n"))
    assert [s for s, _, _ in _run(_pdb_check, _only_pdb(objects))] == [Status.FAIL]
