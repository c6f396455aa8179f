"""What a list the audit could not read hides, and what that does to the results.

A check that looks across objects (does a PDB select these pods? does an HPA scale this Deployment? is the
ServiceAccount bound to a role?) cannot decide when the objects it looks for could not be listed in that
namespace: its PASS or FAIL would be a verdict on missing data. So after a check has run, each of its results
whose owner sits in a namespace where a kind the check READS was not listed becomes UNKNOWN with the reason
("cannot list poddisruptionbudgets in namespace payments: forbidden"). The checks themselves stay pure and
unchanged; a file scan never has gaps, so its results are untouched.

Where more objects can only add evidence for a PASS (a budget that protects the pods keeps protecting them
whatever else exists), the check is marked PASS_HOLDS and only its FAILs become UNKNOWN. Everywhere else both
PASS and FAIL do: a missing HPA can lower a workload's lowest scale as well as raise it.

Workloads that could not be listed at all are worse than unknown checks: whole services may be missing. Every
service with objects in such a namespace gets an input ERROR (so it cannot be READY), and a namespace where no
service was seen gets one too (so the gate does not pass on what was never read), as `prc audit aws` does for a
region whose collector failed.
"""

from __future__ import annotations

from dataclasses import replace

from ..engine import INPUT_CHECK
from ..loaders.k8s_links import POD_MONITOR_KINDS, SERVICE_MONITOR_KINDS
from ..model import Location, Result, Status, TargetRef
from ..services import UNASSIGNED
from ..targets import WORKLOAD_KINDS
from .collect import Gap

SERVICES = frozenset({"Service"})
BUDGETS = frozenset({"PodDisruptionBudget"})
SCALERS = frozenset({"HorizontalPodAutoscaler", "ScaledObject"})
# A Deployment whose pod template a Rollout runs is skipped by the replica and rollout checks (scaled_by_rollout).
ROLLOUTS = frozenset({"Rollout"})
# ServiceMonitors select pods through the Services that select them.
MONITORS = POD_MONITOR_KINDS | SERVICE_MONITOR_KINDS | SERVICES
MESH = frozenset({"VirtualService", "DestinationRule"})
NAMESPACES = frozenset({"Namespace"})
ACCOUNTS = frozenset({"ServiceAccount", "RoleBinding", "ClusterRoleBinding"})
# Checks that judge a budget or a route read the workloads it selects.
WORKLOADS = frozenset(WORKLOAD_KINDS)

# The kinds each built-in PRC-K8S check reads besides the object it judges (found by reading checks/k8s_*.py and
# what they take from prc.loaders.k8s_links). tests/kube/test_audit_gaps.py fails when a PRC-K8S check is in
# neither READS nor SELF_CONTAINED, so a new check must say which it is.
READS: dict[str, frozenset[str]] = {
    "PRC-K8S-001": SERVICES,  # serves_traffic: a Service can make a port-less container serve, or a port not
    "PRC-K8S-010": SERVICES,
    "PRC-K8S-011": SERVICES,
    "PRC-K8S-012": NAMESPACES,  # Istio injection from the namespace's labels
    "PRC-K8S-020": SCALERS | ROLLOUTS,  # maxUnavailable against HPA minReplicas
    "PRC-K8S-021": ROLLOUTS,
    "PRC-K8S-030": SCALERS | ROLLOUTS,
    "PRC-K8S-031": BUDGETS | SCALERS | ROLLOUTS | WORKLOADS,
    "PRC-K8S-032": SCALERS | ROLLOUTS | WORKLOADS,
    "PRC-K8S-033": SCALERS | ROLLOUTS,  # whether the workload can run several pods
    "PRC-K8S-034": SCALERS | ROLLOUTS,
    "PRC-K8S-040": SERVICES | MESH | WORKLOADS,
    "PRC-K8S-070": MONITORS,
    "PRC-K8S-071": NAMESPACES,  # instrumentation annotations on the namespace
    "PRC-K8S-087": ACCOUNTS,
    "PRC-K8S-110": NAMESPACES,  # an owner label on the namespace
}
SELF_CONTAINED = frozenset({
    "PRC-K8S-002", "PRC-K8S-003", "PRC-K8S-004", "PRC-K8S-050", "PRC-K8S-051", "PRC-K8S-052", "PRC-K8S-080",
    "PRC-K8S-081", "PRC-K8S-082", "PRC-K8S-083", "PRC-K8S-084", "PRC-K8S-085", "PRC-K8S-086", "PRC-K8S-090",
    "PRC-K8S-100",
})
# Checks whose PASS is proved by objects that were read: a missing object could only have turned a FAIL into a
# PASS (a budget, an autoscaler, a monitor, a binding, an owner label found elsewhere), never the reverse.
PASS_HOLDS = frozenset({"PRC-K8S-031", "PRC-K8S-034", "PRC-K8S-070", "PRC-K8S-071", "PRC-K8S-087", "PRC-K8S-110"})


class Gaps:
    """The gaps of one collection, by namespace ("" for those that hold in every namespace)."""

    def __init__(self, gaps: list[Gap]):
        self.gaps = sorted(gaps, key=lambda g: (g.namespace, g.kind, g.what))

    def __bool__(self) -> bool:
        return bool(self.gaps)

    def hiding(self, check_id: str, namespace: str) -> list[Gap]:
        """The gaps that hide what a check reads in a namespace. A check prc does not know (a plugin) may read
        anything, so every gap there hides something from it."""
        reads = READS.get(check_id, frozenset() if check_id in SELF_CONTAINED else None)
        return [g for g in self.gaps if g.namespace in ("", namespace) and (reads is None or g.kind in reads)]

    def judge(self, result: Result, owner) -> Result:
        """The result, or UNKNOWN with the reason when a kind its check reads was not listed where its owner is."""
        if not self.gaps or result.status not in (Status.PASS, Status.FAIL):
            return result
        if result.status is Status.PASS and result.check.id in PASS_HOLDS:
            return result
        hidden = self.hiding(result.check.id, getattr(owner, "effective_namespace", ""))
        if not hidden:
            return result
        return replace(result, status=Status.UNKNOWN, severity_override=None,
                       message="; ".join(dict.fromkeys(g.text for g in hidden)))

    def unread_workloads(self, owners: list, context: str) -> list[Result]:
        """An ERROR per service with objects in a namespace where a workload kind could not be listed, and one for
        such a namespace where no service was seen: workloads never read must not let a service, or the gate,
        pass."""
        found = []
        for gap in (g for g in self.gaps if g.kind in WORKLOAD_KINDS):
            services = sorted({o.service for o in owners if o.service and o.service != UNASSIGNED
                               and (not gap.namespace or o.effective_namespace == gap.namespace)})
            where = f"k8s://{context}/{gap.namespace}" if gap.namespace else f"k8s://{context}"
            target = TargetRef("Namespace", gap.namespace) if gap.namespace else TargetRef("Cluster", context)
            at = f"{gap.namespace or '*'}/{gap.kind}"
            unjudged = f"no {gap.kind} there was judged"
            for service in services:
                found.append(Result(INPUT_CHECK, Status.ERROR, f"{gap.what}, where the service has objects: "
                                    f"{gap.reason}; {unjudged}", target, Location(where), service, at=at))
            if not services:
                found.append(Result(INPUT_CHECK, Status.ERROR, f"{gap.text}; {unjudged}", target, Location(where), "",
                                    at=at))
        return found
