"""Kubernetes availability checks: redundancy, disruption budgets, zone spread, autoscaling, mesh resilience.

Replica semantics used throughout: spec.replicas omitted means 1; when a
HorizontalPodAutoscaler scales a workload it owns the replica count, so its
minReplicas (default 1), not spec.replicas, is the lowest scale the workload
runs at. KEDA ScaledObjects (minReplicaCount, default 0) are understood too
when the loader links them into Workload.hpas.

Checks about a PodDisruptionBudget, a VirtualService route or a
DestinationRule run on that object and report on it once, so the line
points where the fix goes and a budget or route shared by several
workloads is one finding; they read the replica counts and Services of the
workloads the linker attached to it (K8sObject.selects).

An object whose pod template an Argo Rollout runs through spec.workloadRef
(Workload.rollout_refs) is skipped by the replica checks: the Rollout owns
the replica count, and scaling the Deployment to 0 is the documented
pattern. A Rollout whose workloadRef is not in the scan gets one UNKNOWN
from each check that reads its pod template.
"""

from __future__ import annotations

import re

from prc.loaders.k8s_links import selector_matches
from prc.registry import check
from prc.targets import REPLICATED_KINDS, K8sObject, Workload, mapping, sequence

from ._common import pod_template_unknown, scaled_by_rollout

ZONE_KEYS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
HOSTNAME_KEY = "kubernetes.io/hostname"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _plural(n: int, word: str = "replica") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _autoscaler_min(scaler: K8sObject) -> tuple[str, object, int]:
    """(field name, value as written or None, default) of an autoscaler's lower bound."""
    if scaler.kind == "ScaledObject":
        return "minReplicaCount", scaler.spec.get("minReplicaCount"), 0
    return "minReplicas", scaler.spec.get("minReplicas"), 1


def _autoscaler_max(scaler: K8sObject) -> object:
    if scaler.kind == "ScaledObject":
        return scaler.spec.get("maxReplicaCount", 100)
    return scaler.spec.get("maxReplicas")


class _Unknown(Exception):
    """A replica count written as something other than a number (a template placeholder)."""


def _lowest_scale(w: Workload) -> tuple[int, K8sObject | None, str]:
    """The fewest pods the workload runs: (count, the autoscaler that sets it or None, how the field reads).

    The last part is "" when spec.replicas is written out, since the count says it all.

    Raises _Unknown with a reason when the number is not written as an integer.
    """
    if w.hpas:
        lows = []
        for scaler in w.hpas:
            field_name, raw, default = _autoscaler_min(scaler)
            value = default if raw is None else _int(raw)
            if value is None:
                raise _Unknown(f"{scaler.kind} {scaler.name}: {field_name} {raw!r} is not a number")
            written = f"{field_name} {raw}" if raw is not None else f"{field_name} omitted, defaults to {default}"
            lows.append((value, scaler, written))
        return min(lows, key=lambda low: low[0])
    raw = w.replicas
    if raw is None:
        return 1, None, "replicas omitted, defaults to 1"
    value = _int(raw)
    if value is None:
        raise _Unknown(f"{w.kind} {w.name}: replicas {raw!r} is not a number")
    return value, None, ""


def _replicated(w: Workload) -> bool:
    """A workload whose own replica count the availability checks judge (not one a Rollout scales for it)."""
    return w.kind in REPLICATED_KINDS and not scaled_by_rollout(w)


def _may_run_several(w: Workload) -> bool:
    """Whether the workload can run more than one pod (unknown counts as yes: the check then decides on the rest)."""
    if not _replicated(w):
        return False
    if w.hpas:
        return any(_int(_autoscaler_max(s)) is None or _int(_autoscaler_max(s)) >= 2 for s in w.hpas)
    replicas = w.replicas
    return replicas is not None and (_int(replicas) is None or replicas >= 2)


# --- PRC-K8S-030 ---------------------------------------------------------------------------------------------------

@check(id="PRC-K8S-030", slug="min-replicas", target=Workload, item="redundancy", severity="high",
       fix="Set spec.replicas to 2 or more, or give its HorizontalPodAutoscaler minReplicas: 2 or more.",
       options={"min_replicas": (2, "the fewest pods a workload may run at")})
def min_replicas(w: Workload, opts):
    """What: a Deployment, StatefulSet, ReplicaSet, ReplicationController or Argo Rollout runs at least 2 pods: spec.replicas >= 2 (omitted means 1), or, when a HorizontalPodAutoscaler scales it, the HPA's minReplicas >= 2 (omitted means 1; the HPA overrides spec.replicas). A bare Pod (one without ownerReferences) always fails; DaemonSets, Jobs and CronJobs are not checked, nor is a Deployment whose pod template an Argo Rollout runs through workloadRef (the Rollout's replicas count; the Deployment is usually scaled to 0 on purpose).

    Why: a single pod is a single point of failure. A node failure, a node drain during a cluster upgrade, an eviction or a crash loop takes the whole service down until a replacement is scheduled and ready, and a bare Pod is not replaced at all.

    How to fix: set spec.replicas to 2 or more (3 for services spread across zones), or set minReplicas to 2 or more on the HorizontalPodAutoscaler; run bare Pods under a Deployment.
    """
    minimum = int(opts["min_replicas"])
    if w.kind == "Pod":
        if w.metadata.get("ownerReferences"):
            return  # exported from a cluster: its controller is what should be checked
        yield w.fail(f"bare Pod {w.name} is a single replica that nothing recreates when its node fails or is drained",
                     at="metadata.name")
        return
    if not _replicated(w):
        return
    try:
        lowest, scaler, written = _lowest_scale(w)
    except _Unknown as exc:
        yield w.unknown(str(exc), at="spec.replicas")
        return
    if lowest >= minimum:
        yield w.ok(at="spec.replicas")
    elif scaler is not None:
        yield w.fail(f"{scaler.kind} {scaler.name} can scale {w.kind} {w.name} down to {_plural(lowest)} ({written}); "
                     f"the minimum is {minimum}", at="spec.replicas")
    else:
        detail = f" ({written})" if written else ""
        yield w.fail(f"{w.kind} {w.name} runs {_plural(lowest)}{detail}; the minimum is {minimum}", at="spec.replicas")


# --- PRC-K8S-031 ---------------------------------------------------------------------------------------------------

def _pdb_limits(pdb: K8sObject) -> tuple[str, object] | None:
    """The field a PDB limits disruptions with, and its value; None when it sets neither.

    policy/v1beta1 defaulted an empty PDB to minAvailable 1; policy/v1 does
    not, and an empty v1 PDB allows every eviction.
    """
    for name in ("maxUnavailable", "minAvailable"):
        if pdb.spec.get(name) is not None:
            return name, pdb.spec.get(name)
    if pdb.api_version == "policy/v1beta1":
        return "minAvailable", 1
    return None


def _protected(w: Workload) -> bool:
    """Whether a budget that limits disruptions selects the workload's pods."""
    return any(_pdb_limits(pdb) is not None for pdb in w.pdbs)


@check(id="PRC-K8S-031", slug="pod-disruption-budget", target=K8sObject, item="disruption-budget",
       severity="medium",
       fix="Add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the pod template's labels.")
def pod_disruption_budget(obj: K8sObject, opts):
    """What: a PodDisruptionBudget that sets minAvailable or maxUnavailable selects the pods of every Deployment, StatefulSet, ReplicaSet, ReplicationController and Argo Rollout that can run more than one pod (single-replica workloads are left to PRC-K8S-030, since a budget on one pod can only block drains). A policy/v1 budget that sets neither allows every eviction; it is reported once, on the budget, naming the workloads it leaves unprotected.

    Why: without a budget, a node drain (cluster upgrade, autoscaler scale-down, spot reclaim) may evict all replicas at once; the budget makes the eviction API wait until enough pods are ready elsewhere.

    How to fix: add a policy/v1 PodDisruptionBudget in the workload's namespace whose selector matches the pod template labels, usually with maxUnavailable: 1.
    """
    if obj.kind == "PodDisruptionBudget":
        if _pdb_limits(obj) is not None:
            return  # PRC-K8S-032 judges what it allows
        exposed = [w for w in obj.selects if isinstance(w, Workload) and _may_run_several(w) and not _protected(w)]
        if exposed:
            pods_of = " and ".join(f"{w.kind} {w.name}" for w in exposed)
            yield obj.fail(f"PodDisruptionBudget {obj.name} sets neither minAvailable nor maxUnavailable, so it "
                           f"allows every eviction of the pods of {pods_of}", at="spec")
        return
    if not isinstance(obj, Workload) or not _may_run_several(obj):
        return
    w = obj
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    labels = ", ".join(f"{k}={v}" for k, v in sorted(w.pod_labels.items())) or "none"
    if not w.pdbs:
        yield w.fail(f"no PodDisruptionBudget selects the pods of {w.kind} {w.name} (pod labels: {labels})",
                     at="metadata.name")
    elif _protected(w):
        yield w.ok(at="metadata.name")
    # else: only budgets that limit nothing select the pods; each is reported once, on the budget


# --- PRC-K8S-032 ---------------------------------------------------------------------------------------------------

_PERCENT_RE = re.compile(r"(\d+)%", re.ASCII)


def _scaled(value: object, total: int) -> int | None:
    """An IntOrString (3 or "25%") as a pod count out of total, rounded up as the disruption controller does."""
    number = _int(value)
    if number is not None:
        return number
    match = _PERCENT_RE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return None
    return -(-int(match[1]) * total // 100)


@check(id="PRC-K8S-032", slug="pdb-allows-eviction", target=K8sObject, item="disruption-budget", severity="medium",
       fix="Let the PodDisruptionBudget allow at least one disruption: maxUnavailable: 1, or minAvailable below the "
           "lowest replica count.")
def pdb_allows_eviction(pdb: K8sObject, opts):
    """What: each PodDisruptionBudget that selects Deployments, StatefulSets, ReplicaSets, ReplicationControllers or Argo Rollouts allows at least one voluntary eviction when all their pods are healthy at the lowest scale (spec.replicas, or HPA minReplicas when an HPA scales a workload; summed when one budget selects several workloads). Blocking budgets are maxUnavailable 0 or "0%", minAvailable >= that pod count, or a minAvailable percentage that rounds up to it (90% of 3 is 3).

    Why: a budget that allows zero disruptions makes every node drain hang: cluster upgrades stall, the cluster autoscaler cannot remove nodes, and operators end up deleting the budget or the pods by hand, which removes the protection when it matters.

    How to fix: use maxUnavailable: 1 (it stays correct when the replica count changes), or set minAvailable below the lowest replica count, and run at least 2 replicas.
    """
    if pdb.kind != "PodDisruptionBudget":
        return
    workloads = [w for w in pdb.selects if isinstance(w, Workload) and _replicated(w)]
    if not workloads:
        return
    limit = _pdb_limits(pdb)
    if limit is None:
        return  # allows everything; PRC-K8S-031 reports the empty budget
    field_name, value = limit
    at = f"spec.{field_name}"
    pods_of = " and ".join(f"{w.kind} {w.name}" for w in workloads)
    if field_name == "maxUnavailable":
        allowed = _scaled(value, 100)
        if allowed is None:
            yield pdb.unknown(f"PodDisruptionBudget {pdb.name}: maxUnavailable {value!r} is neither an integer "
                              "nor a percentage", at=at)
        elif allowed <= 0:
            yield pdb.fail(f"PodDisruptionBudget {pdb.name}: maxUnavailable {value} blocks every voluntary "
                           f"eviction of the pods of {pods_of}; node drains will hang", at=at)
        else:
            yield pdb.ok(at=at)
        return
    scales = []
    for w in workloads:
        try:
            lowest, scaler, written = _lowest_scale(w)
        except _Unknown as exc:
            yield pdb.unknown(f"PodDisruptionBudget {pdb.name}: cannot tell whether minAvailable {value} leaves room "
                              f"for an eviction ({exc})", at=at)
            return
        lowest = max(lowest, 1)  # a workload scaled to zero has nothing to evict
        if scaler is not None:
            scale = f"its lowest scale of {_plural(lowest)} ({scaler.kind} {scaler.name} {written})"
        else:
            scale = _plural(lowest) + (f" ({written})" if written else "")
        scales.append((w, lowest, scale))
    lowest = sum(count for _, count, _ in scales)
    required = _scaled(value, lowest)
    if required is None:
        yield pdb.unknown(f"PodDisruptionBudget {pdb.name}: minAvailable {value!r} is neither an integer nor a "
                          "percentage", at=at)
    elif required >= lowest:
        rounded = ""
        if isinstance(value, str):
            inexact = int(value[:-1]) * lowest % 100 != 0
            rounded = f" (= {_plural(required, 'pod')}{', rounded up' if inexact else ''})"
        at_scale = " and ".join(f"{w.kind} {w.name} at {scale}" for w, _, scale in scales)
        total = f" ({_plural(lowest, 'pod')} in all)" if len(scales) > 1 else ""
        yield pdb.fail(f"PodDisruptionBudget {pdb.name}: minAvailable {value}{rounded} with {at_scale}{total} "
                       "allows no voluntary eviction; node drains will hang", at=at)
    else:
        yield pdb.ok(at=at)


# --- PRC-K8S-033 ---------------------------------------------------------------------------------------------------

def _selects_own_pods(selector: object, labels: dict) -> bool:
    """Whether a labelSelector selects the workload's own pods; a missing one selects nothing, {} selects all."""
    if not isinstance(selector, dict):
        return False
    if not mapping(selector.get("matchLabels")) and not sequence(selector.get("matchExpressions")):
        return True
    return selector_matches(selector, labels)


def _spread_rules(w: Workload) -> list[tuple[str, str, bool]]:
    """(path, topologyKey, selects the workload's own pods) for every spread rule of the pod spec."""
    rules = []
    for i, constraint in enumerate(sequence(w.pod_spec.get("topologySpreadConstraints"))):
        constraint = mapping(constraint)
        rules.append((w.pod_path(f"topologySpreadConstraints[{i}]"), str(constraint.get("topologyKey", "")),
                      _selects_own_pods(constraint.get("labelSelector"), w.pod_labels)))
    anti = mapping(mapping(w.pod_spec.get("affinity")).get("podAntiAffinity"))
    base = "affinity.podAntiAffinity"
    for i, term in enumerate(sequence(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))):
        term = mapping(term)
        rules.append((w.pod_path(f"{base}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
                      str(term.get("topologyKey", "")), _selects_own_pods(term.get("labelSelector"), w.pod_labels)))
    for i, weighted in enumerate(sequence(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        term = mapping(mapping(weighted).get("podAffinityTerm"))
        rules.append((w.pod_path(f"{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"),
                      str(term.get("topologyKey", "")), _selects_own_pods(term.get("labelSelector"), w.pod_labels)))
    return rules


def _pinned_zone(w: Workload, zone_keys: tuple) -> tuple[str, str] | None:
    """(zone, field inside the pod spec) when a nodeSelector or required node affinity confines every pod to one zone."""
    node_selector = mapping(w.pod_spec.get("nodeSelector"))
    for key in zone_keys:
        if key in node_selector:
            return str(node_selector[key]), "nodeSelector"
    required = mapping(mapping(mapping(w.pod_spec.get("affinity")).get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))
    terms = sequence(required.get("nodeSelectorTerms"))
    zones: set[str] = set()
    for term in terms:  # terms are ORed; the expressions within a term are ANDed
        allowed = None
        for expression in sequence(mapping(term).get("matchExpressions")):
            expression = mapping(expression)
            if expression.get("key") in zone_keys and expression.get("operator") == "In":
                values = {str(v) for v in sequence(expression.get("values"))}
                allowed = values if allowed is None else allowed & values
        if allowed is None:
            return None  # this term allows any zone
        zones |= allowed
    if len(zones) == 1:
        return next(iter(zones)), "affinity.nodeAffinity"
    return None


@check(id="PRC-K8S-033", slug="zone-spread", target=Workload, item="zone-spread", severity="medium",
       fix="Add a topologySpreadConstraint on topology.kubernetes.io/zone (maxSkew 1) whose labelSelector matches "
           "the pod labels.",
       options={"zone_keys": (list(ZONE_KEYS), "node labels that name a zone")})
def zone_spread(w: Workload, opts):
    """What: a Deployment, StatefulSet, ReplicaSet, ReplicationController or Argo Rollout that can run more than one pod spreads them across zones: a topologySpreadConstraint, or a required or preferred podAntiAffinity term, on topology.kubernetes.io/zone (or the legacy failure-domain.beta.kubernetes.io/zone) whose labelSelector selects the workload's own pods, and no nodeSelector or node affinity that pins every pod to one zone. Spreading only across nodes (kubernetes.io/hostname) is a partial pass, reported as a low-severity failure. A zone or hostname rule whose labelSelector selects none of the workload's own pods spreads nothing and is reported at that rule.

    Why: the scheduler's built-in spreading is best-effort and can place every replica in one zone, so a single zone outage takes the whole service down even though it has several replicas.

    How to fix: add a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone, maxSkew 1 and a labelSelector matching the pod labels (whenUnsatisfiable ScheduleAnyway, or DoNotSchedule for strict spreading), and run at least as many replicas as zones.
    """
    if not _may_run_several(w):
        return
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    zone_keys = (opts["zone_keys"],) if isinstance(opts["zone_keys"], str) else tuple(opts["zone_keys"])
    pinned = _pinned_zone(w, zone_keys)
    if pinned:
        zone, field_name = pinned
        yield w.fail(f"{w.kind} {w.name}: {field_name} pins every pod to zone {zone}, so they cannot spread across "
                     "zones", at=w.pod_path(field_name))
        return
    rules = _spread_rules(w)
    for path, key, own in rules:
        if key in zone_keys and own:
            yield w.ok(at=path)
            return
    labels = ", ".join(f"{k}={v}" for k, v in sorted(w.pod_labels.items())) or "none"
    for path, key, own in rules:
        if key in zone_keys:
            rule = path[len(w.pod_path()) + 1:] if w.pod_path() else path
            yield w.fail(f"{w.kind} {w.name}: {rule} on {key} does not select the workload's own pods "
                         f"(pod labels: {labels}), so it does not spread them", at=path)
            return
    for path, key, own in rules:
        if key == HOSTNAME_KEY and own:
            yield w.fail(f"partial: {w.kind} {w.name} spreads its pods across nodes ({HOSTNAME_KEY}) but not across "
                         f"zones", at=path, severity="low")
            return
    for path, key, own in rules:
        if key == HOSTNAME_KEY:
            rule = path[len(w.pod_path()) + 1:] if w.pod_path() else path
            yield w.fail(f"{w.kind} {w.name}: {rule} on {HOSTNAME_KEY} does not select the workload's own pods (pod "
                         f"labels: {labels}), so it spreads them neither across nodes nor across zones", at=path)
            return
    yield w.fail(f"{w.kind} {w.name} has no topologySpreadConstraints or podAntiAffinity on {zone_keys[0]}",
                 at=w.pod_path("topologySpreadConstraints"))


# --- PRC-K8S-034 ---------------------------------------------------------------------------------------------------

@check(id="PRC-K8S-034", slug="hpa-present", target=Workload, item="autoscaling", severity="low",
       fix="Add a HorizontalPodAutoscaler (autoscaling/v2) whose scaleTargetRef names the Deployment.")
def hpa_present(w: Workload, opts):
    """What: every Deployment and Argo Rollout is scaled by a HorizontalPodAutoscaler whose scaleTargetRef names it (kind and name, in the same namespace). A Deployment whose pod template an Argo Rollout runs through workloadRef is not checked: the autoscaler belongs on the Rollout. StatefulSets, ReplicaSets and ReplicationControllers can be autoscaled too but are not asked to be (a StatefulSet usually holds state sized by hand; the other two are normally managed by something else).

    Why: a fixed replica count is sized for one load. A traffic peak saturates it, and sizing it for the peak wastes capacity the rest of the time; an autoscaler follows the load within bounds you choose.

    How to fix: add an autoscaling/v2 HorizontalPodAutoscaler with scaleTargetRef naming the workload, minReplicas of 2 or more and a CPU (or custom metric) target, and remove spec.replicas from the workload so a re-apply does not fight the autoscaler.
    """
    if w.kind not in ("Deployment", "Rollout") or scaled_by_rollout(w):
        return
    if w.hpas:
        yield w.ok(at="spec.replicas")
    else:
        replicas = 1 if w.replicas is None else _int(w.replicas)
        fixed = f"; it stays at {_plural(replicas)} whatever the load" if replicas is not None else ""
        yield w.fail(f"no HorizontalPodAutoscaler scales {w.kind} {w.name}{fixed}", at="spec.replicas")


# --- PRC-K8S-040 ---------------------------------------------------------------------------------------------------

def _service_key(host: object, namespace: str) -> tuple[str, str] | None:
    """(service, namespace) an Istio host names: "web", "web.shop", "web.shop.svc.cluster.local"."""
    if not isinstance(host, str) or not host or "*" in host:
        return None
    parts = host.split(".")
    return (parts[0], namespace) if len(parts) == 1 else (parts[0], parts[1])


_ZERO_DURATION_RE = re.compile(r"0+(\.0*)?(h|m|s|ms|us|µs|ns)?")


def _outlier_detection(rule: K8sObject) -> tuple[str, dict] | None:
    """(path, settings) of the outlier detection a DestinationRule applies to its host's traffic."""
    policy = mapping(rule.spec.get("trafficPolicy"))
    if isinstance(policy.get("outlierDetection"), dict):
        return "spec.trafficPolicy.outlierDetection", policy["outlierDetection"]
    for i, port in enumerate(sequence(policy.get("portLevelSettings"))):
        if isinstance(mapping(port).get("outlierDetection"), dict):
            return f"spec.trafficPolicy.portLevelSettings[{i}].outlierDetection", port["outlierDetection"]
    subsets = [mapping(mapping(s).get("trafficPolicy")).get("outlierDetection")
               for s in sequence(rule.spec.get("subsets"))]
    if subsets and all(isinstance(settings, dict) for settings in subsets):
        return "spec.subsets[0].trafficPolicy.outlierDetection", subsets[0]
    return None


def _ejects_nothing(settings: dict) -> bool:
    """Istio ejects on consecutive5xxErrors (default 5) or consecutiveGatewayErrors (default off); 0 disables each."""
    five_xx = settings.get("consecutive5xxErrors", settings.get("consecutiveErrors", 5))
    gateway = settings.get("consecutiveGatewayErrors", 0)
    return _int(five_xx) == 0 and _int(gateway) in (0, None)


def _mesh_workloads(obj: K8sObject) -> list[Workload]:
    """The long-running workloads whose Services a VirtualService or DestinationRule names (set by the linker)."""
    return [w for w in obj.selects if isinstance(w, Workload) and w.long_running]


def _outlier_detection_works(rule: K8sObject) -> bool:
    detection = _outlier_detection(rule)
    return detection is not None and not _ejects_nothing(detection[1])


@check(id="PRC-K8S-040", slug="mesh-timeouts-and-outlier-detection", target=K8sObject, item="dependencies-fail-fast",
       severity="low",
       fix="Set a timeout on every http route of the VirtualService and trafficPolicy.outlierDetection on the "
           "DestinationRule.")
def mesh_timeouts_and_outlier_detection(obj: K8sObject, opts):
    """What: where Istio VirtualServices or DestinationRules exist for a workload's Service, every http route that sends traffic to that Service sets a timeout other than 0s, and a DestinationRule for the Service sets outlierDetection (at the top of trafficPolicy, for a port, or on every subset) without disabling ejection. Not applicable when no mesh object names the Service. Each route and each DestinationRule is reported once, on that object, however many workloads sit behind it; a workload whose Service has a VirtualService but no DestinationRule is reported on the workload.

    Why: Istio sets no timeout on HTTP routes by default, so callers of a hung service wait until their own deadline and their threads and connections pile up; without outlier detection, the mesh keeps sending requests to a pod that fails every one of them.

    How to fix: set timeout on each http route (a little above the service's p99.9 latency) and add trafficPolicy.outlierDetection to the DestinationRule, for example consecutive5xxErrors 5, interval 10s, baseEjectionTime 30s.
    """
    if isinstance(obj, Workload):
        yield from _mesh_workload(obj)
    elif obj.kind == "VirtualService":
        yield from _mesh_routes(obj)
    elif obj.kind == "DestinationRule":
        yield from _mesh_destination_rule(obj)


def _mesh_workload(w: Workload):
    if w.long_running and w.virtual_services and not w.destination_rules:
        names = ", ".join(sorted(s.name for s in w.services))
        yield w.fail(f"{w.kind} {w.name}: no DestinationRule sets outlierDetection for its Service {names}",
                     at="metadata.name")


def _mesh_routes(vs: K8sObject):
    own = {(s.name, s.effective_namespace) for w in _mesh_workloads(vs) for s in w.services}
    if not own:
        return
    for i, route in enumerate(sequence(vs.spec.get("http"))):
        route = mapping(route)
        targets = [_service_key(mapping(mapping(d).get("destination")).get("host"), vs.effective_namespace)
                   for d in sequence(route.get("route"))]
        served = sorted({t[0] for t in targets if t in own})
        if not served:
            continue  # routes outside the scan, redirects, or returns a direct response
        label = f'http route "{route["name"]}"' if route.get("name") else f"http route #{i}"
        timeout = route.get("timeout")
        if timeout is None:
            yield vs.fail(f"VirtualService {vs.name}: {label} to {', '.join(served)} sets no timeout, and Istio "
                          "applies none by default", at=f"spec.http[{i}]")
        elif _ZERO_DURATION_RE.fullmatch(str(timeout)):
            yield vs.fail(f"VirtualService {vs.name}: {label} to {', '.join(served)} sets timeout {timeout}, which "
                          "disables the timeout", at=f"spec.http[{i}].timeout")
        else:
            yield vs.ok(at=f"spec.http[{i}].timeout")


def _mesh_destination_rule(rule: K8sObject):
    workloads = _mesh_workloads(rule)
    if not workloads:
        return
    detection = _outlier_detection(rule)
    if detection and not _ejects_nothing(detection[1]):
        yield rule.ok(at=detection[0])
        return
    # Another DestinationRule that ejects failing endpoints of every workload behind this one covers them.
    if all(any(_outlier_detection_works(other) for other in w.destination_rules) for w in workloads):
        return
    if detection:
        yield rule.fail(f"DestinationRule {rule.name}: outlierDetection sets consecutive5xxErrors 0 and no "
                        "consecutiveGatewayErrors, so it never ejects a failing endpoint", at=detection[0])
    else:
        key = _service_key(rule.spec.get("host"), rule.effective_namespace)
        host = key[0] if key else str(rule.spec.get("host"))
        yield rule.fail(f"DestinationRule {rule.name} for {host} sets no trafficPolicy.outlierDetection",
                        at="spec.trafficPolicy")
