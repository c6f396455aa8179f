"""The kinds `prc audit k8s` reads, and where the API serves them.

Every kind the PRC-K8S checks judge or the linker consults (prc/loaders/k8s_links.py): workloads, the objects
that select them (Services, budgets, autoscalers, scrape configurations, Istio routes) and what their pods run
as (ServiceAccounts, RBAC). A kind whose API group the server does not serve (no Prometheus Operator, no Argo
Rollouts) is skipped, never an error. docs/prc-auditor-clusterrole.yaml grants exactly these, get and list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str  # "" for the core group
    resource: str  # the plural the REST path names
    namespaced: bool = True

    @property
    def qualified(self) -> str:
        """`deployments.apps`, as kubectl and RBAC error messages spell a resource."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


NAMESPACE = Kind("Namespace", "", "namespaces", namespaced=False)

# In the order they are read (and shown in progress); ownership filters need no order.
KINDS: tuple[Kind, ...] = (
    Kind("Deployment", "apps", "deployments"),
    Kind("StatefulSet", "apps", "statefulsets"),
    Kind("DaemonSet", "apps", "daemonsets"),
    Kind("ReplicaSet", "apps", "replicasets"),
    Kind("ReplicationController", "", "replicationcontrollers"),
    Kind("Job", "batch", "jobs"),
    Kind("CronJob", "batch", "cronjobs"),
    Kind("Pod", "", "pods"),
    Kind("Rollout", "argoproj.io", "rollouts"),
    Kind("Service", "", "services"),
    Kind("ServiceAccount", "", "serviceaccounts"),
    Kind("PodDisruptionBudget", "policy", "poddisruptionbudgets"),
    Kind("HorizontalPodAutoscaler", "autoscaling", "horizontalpodautoscalers"),
    Kind("ScaledObject", "keda.sh", "scaledobjects"),
    Kind("ServiceMonitor", "monitoring.coreos.com", "servicemonitors"),
    Kind("PodMonitor", "monitoring.coreos.com", "podmonitors"),
    Kind("PrometheusRule", "monitoring.coreos.com", "prometheusrules"),
    Kind("VMServiceScrape", "operator.victoriametrics.com", "vmservicescrapes"),
    Kind("VMPodScrape", "operator.victoriametrics.com", "vmpodscrapes"),
    Kind("PodMonitoring", "monitoring.googleapis.com", "podmonitorings"),
    Kind("ClusterPodMonitoring", "monitoring.googleapis.com", "clusterpodmonitorings", namespaced=False),
    Kind("VirtualService", "networking.istio.io", "virtualservices"),
    Kind("DestinationRule", "networking.istio.io", "destinationrules"),
    Kind("Role", "rbac.authorization.k8s.io", "roles"),
    Kind("RoleBinding", "rbac.authorization.k8s.io", "rolebindings"),
    Kind("ClusterRole", "rbac.authorization.k8s.io", "clusterroles", namespaced=False),
    Kind("ClusterRoleBinding", "rbac.authorization.k8s.io", "clusterrolebindings", namespaced=False),
)

BY_KIND = {k.kind: k for k in (*KINDS, NAMESPACE)}

# Products of a controller that is judged itself: a Pod with any owner (a ReplicaSet, Job, StatefulSet,
# DaemonSet, a node for a mirror pod), a ReplicaSet a Deployment or Rollout runs, a Job a CronJob starts.
OWNED_SKIPPED = {"Pod": None, "ReplicaSet": frozenset({"Deployment", "Rollout"}), "Job": frozenset({"CronJob"})}


def owned_by_controller(obj: dict) -> bool:
    """Whether a listed object is the product of a controller prc judges instead (OWNED_SKIPPED)."""
    owners = obj.get("metadata", {}).get("ownerReferences") or []
    kinds = OWNED_SKIPPED.get(obj.get("kind", ""), ())
    if kinds is None:
        return bool(owners)
    return any(isinstance(o, dict) and o.get("kind") in kinds for o in owners)
