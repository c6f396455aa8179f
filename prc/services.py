"""Group targets into services: declared in config first, then labels, then workload names."""

from __future__ import annotations

import fnmatch

from .config import Config
from .loaders.k8s_links import bindings_by_role
from .targets import K8sObject, RbacBinding, RbacRole, Workload

NAME_LABELS = ("app.kubernetes.io/name", "app")
UNASSIGNED = "(unassigned)"


def _declared_service(obj: K8sObject, labels: dict, config: Config) -> str | None:
    for decl in config.services:
        if decl.paths and any(fnmatch.fnmatchcase(obj.file, p) or obj.file.startswith(p.rstrip("*/") + "/")
                              for p in decl.paths):
            return decl.name
        if decl.selector and all(labels.get(k) == v for k, v in decl.selector):
            return decl.name
    return None


def _label_service(labels: dict) -> str | None:
    for key in NAME_LABELS:
        if labels.get(key):
            return labels[key]
    return None


def assign_services(objects: list[K8sObject], config: Config) -> None:
    """Set `service` on every object. Workloads first; related objects follow the workloads they serve."""
    workloads = [o for o in objects if isinstance(o, Workload)]
    for w in workloads:
        labels = {**w.labels, **w.pod_labels}
        w.service = _declared_service(w, labels, config) or _label_service(labels) or w.name

    followers: dict[int, str] = {}
    for w in sorted(workloads, key=lambda w: (w.file, w.doc.line)):
        for related in (*w.services, *w.pdbs, *w.hpas, *w.monitors, *w.virtual_services, *w.destination_rules):
            followers.setdefault(id(related), w.service)

    roles = bindings_by_role(objects)
    sa_services = {(w.effective_namespace, w.service_account_name): w.service for w in workloads}
    for obj in objects:
        if isinstance(obj, Workload):
            continue
        declared = _declared_service(obj, obj.labels, config)
        if declared:
            obj.service = declared
        elif id(obj) in followers:
            obj.service = followers[id(obj)]
        elif isinstance(obj, RbacBinding):
            obj.service = _binding_service(obj, sa_services) or _label_service(obj.labels) or UNASSIGNED
        elif isinstance(obj, RbacRole):
            bound = [_binding_service(b, sa_services) for b in roles.get((obj.kind, obj.name), [])]
            obj.service = next((s for s in bound if s), None) or _label_service(obj.labels) or UNASSIGNED
        else:
            obj.service = _label_service(obj.labels) or UNASSIGNED


def _binding_service(binding: RbacBinding, sa_services: dict) -> str | None:
    for subject in binding.subjects:
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
            namespace = str(subject.get("namespace") or binding.effective_namespace)
            found = sa_services.get((namespace, str(subject.get("name"))))
            if found:
                return found
    return None
