"""Group targets into services: declared in config first, then labels, then workload names.

Only workloads (and `.prc.yaml` declarations) make a service; everything else joins one or is UNASSIGNED,
which is reported but never scored or gated on its verdict.
"""

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


def service_names(objects: list[K8sObject], config: Config) -> list[str]:
    """The services a scan reports: those of its workloads, and declared ones that some object belongs to."""
    names = {o.service for o in objects if isinstance(o, Workload)}
    names |= {o.service for o in objects if config.declared(o.service)}
    return sorted(n for n in names if n and n != UNASSIGNED)


def _label_service(labels: dict) -> str | None:
    for key in NAME_LABELS:
        if labels.get(key):
            return labels[key]
    return None


def assign_services(objects: list[K8sObject], config: Config) -> None:
    """Set `service` on every object. Workloads make services; related objects follow the workloads they serve.

    A service exists when a workload belongs to it or it is declared in `.prc.yaml`. An object that neither
    follows a workload nor is declared, and whose name label names no such service, is UNASSIGNED.
    """
    workloads = sorted((o for o in objects if isinstance(o, Workload)), key=lambda w: (w.file, w.doc.line))
    for w in workloads:
        labels = {**w.labels, **w.pod_labels}
        w.service = _declared_service(w, labels, config) or _label_service(labels) or w.name
    known = {w.service for w in workloads} | {d.name for d in config.services}

    followers: dict[int, str] = {}
    sa_services: dict[tuple[str, str], str] = {}
    for w in workloads:
        for related in (*w.services, *w.pdbs, *w.hpas, *w.monitors, *w.virtual_services, *w.destination_rules):
            followers.setdefault(id(related), w.service)
        # A ServiceAccount (and the RBAC bound to it) follows the first workload that runs as it.
        sa_services.setdefault((w.effective_namespace, w.service_account_name), w.service)

    roles = bindings_by_role(objects)
    for obj in objects:
        if isinstance(obj, Workload):
            continue
        declared = _declared_service(obj, obj.labels, config)
        if declared:
            obj.service = declared
            continue
        if id(obj) in followers:
            found = followers[id(obj)]
        elif obj.kind == "ServiceAccount":
            found = sa_services.get((obj.effective_namespace, obj.name))
        elif isinstance(obj, RbacBinding):
            found = _binding_service(obj, sa_services)
        elif isinstance(obj, RbacRole):
            # A Role is bound only from its own namespace; a ClusterRole from anywhere.
            bindings = [b for b in roles.get((obj.kind, obj.name), [])
                        if obj.kind == "ClusterRole" or b.effective_namespace == obj.effective_namespace]
            bound = [_binding_service(b, sa_services) for b in bindings]
            found = next((s for s in bound if s), None)
        else:
            found = None
        label = _label_service(obj.labels)
        obj.service = found or (label if label in known else None) or UNASSIGNED


def _binding_service(binding: RbacBinding, sa_services: dict) -> str | None:
    for subject in binding.subjects:
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
            namespace = str(subject.get("namespace") or binding.effective_namespace)
            found = sa_services.get((namespace, str(subject.get("name"))))
            if found:
                return found
    return None
