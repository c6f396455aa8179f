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
    assert [(s, t) for s, t, _ in _run(pod_disruption_budget, objects["Deployment/web"])] == [
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
    assert _run(mesh_timeouts_and_outlier_detection, objects["Deployment/web"]) == [
        (Status.PASS, "VirtualService/edge", ""),
        # An empty outlierDetection takes Istio's defaults (5 consecutive 5xx), which eject.
        (Status.PASS, "DestinationRule/web", ""),
    ]


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
    assert _run(mesh_timeouts_and_outlier_detection, objects["Deployment/web"]) == [
        (Status.FAIL, "DestinationRule/web", "DestinationRule web for web sets no trafficPolicy.outlierDetection")]


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
