"""Helpers shared by the built-in Kubernetes checks (this module defines no checks)."""

from __future__ import annotations

from prc.model import Outcome
from prc.targets import Workload


def pod_template_unknown(w: Workload) -> Outcome | None:
    """The one UNKNOWN a pod-level workload check gives when the pod template could not be resolved (an Argo
    Rollout whose spec.workloadRef names an object the scan does not hold), instead of judging an empty pod spec;
    None when the template is known."""
    if not w.pod_template_missing:
        return None
    return w.unknown(f"{w.kind} {w.name}: the pod template is unknown ({w.pod_template_missing}), so its pods cannot "
                     "be checked", at="spec.workloadRef")


def scaled_by_rollout(w: Workload) -> bool:
    """An object whose pod template an Argo Rollout runs through spec.workloadRef: the Rollout owns scaling and
    rollouts, and the object itself is usually scaled to 0 on purpose, so replica and rollout checks skip it."""
    return bool(w.rollout_refs)
