"""Group targets into services: declared in config first, then labels, then workload names.

Only workloads (and `.prc.yaml` declarations) make a service; everything else joins one or is UNASSIGNED,
which is reported but never scored or gated on its verdict.
"""

from __future__ import annotations

import fnmatch

from .config import Config
from .loaders.k8s_links import bindings_by_role
from .targets import Artifact, K8sObject, RbacBinding, RbacRole, Workload

NAME_LABELS = ("app.kubernetes.io/name", "app")
UNASSIGNED = "(unassigned)"


def _declared_service(obj, labels: dict, config: Config, tags: dict | None = None) -> tuple[str, str] | None:
    """The service `.prc.yaml` puts an object in, with the rule that matched."""
    for decl in config.services:
        if decl.paths and _path_matches(obj.file, decl.paths):
            pattern = next(p for p in decl.paths if _path_matches(obj.file, (p,)))
            return decl.name, f"declared in {config.path or '.prc.yaml'}: path {pattern}"
        if decl.selector and all(labels.get(k) == v for k, v in decl.selector):
            shown = ",".join(f"{k}={v}" for k, v in decl.selector)
            return decl.name, f"declared in {config.path or '.prc.yaml'}: selector {shown}"
        if decl.tags and tags is not None and all(tags.get(k) == v for k, v in decl.tags):
            shown = ",".join(f"{k}={v}" for k, v in decl.tags)
            return decl.name, f"declared in {config.path or '.prc.yaml'}: tags {shown}"
    return None


def _set(obj, found: tuple[str, str] | None) -> bool:
    if found is None:
        return False
    obj.service, obj.service_reason = found
    return True


def service_names(owners: list, config: Config) -> list[str]:
    """The services a scan reports: those of its workloads, those artifacts name themselves (a Dockerfile's
    directory, a Service tag), and declared ones that something belongs to."""
    names = {o.service for o in owners if isinstance(o, Workload)}
    names |= {o.service for o in owners if isinstance(o, Artifact) and o.service == o.service_hint}
    names |= {o.service for o in owners if config.declared(o.service)}
    return sorted(n for n in names if n and n != UNASSIGNED)


def _label_service(labels: dict) -> tuple[str, str] | None:
    for key in NAME_LABELS:
        if labels.get(key):
            return labels[key], f"label {key}={labels[key]}"
    return None


def assign_services(owners: list, config: Config, targets: list = ()) -> None:
    """Set `service` and `service_reason` on every owner: Kubernetes objects first, then the artifacts that join
    their services, then the alert rules among `targets` (a PrometheusRule's rules are not owners)."""
    objects = [o for o in owners if isinstance(o, K8sObject)]
    _assign_k8s(objects, config)
    homes = Homes(objects)
    runs_image = _image_services(objects)
    artifacts = [o for o in owners if isinstance(o, Artifact)]
    # Services that exist whatever the directories say: those of workloads, declarations, and artifacts that
    # name their own service (a Service tag, an SLO's service field).
    known = {o.service for o in objects if isinstance(o, Workload)} | {d.name for d in config.services}
    known |= {a.service_hint for a in artifacts if a.service_hint and (
        a.explicit_hint or a.tags.get(config.service_tag) == a.service_hint)}
    for artifact in artifacts:
        _set(artifact, _artifact_service(artifact, config, homes, runs_image, known))
    known |= {a.service for a in artifacts if a.service != UNASSIGNED}
    _link_images(owners, objects, config, runs_image)
    # Alert rules last: their expressions name services the other artifacts made.
    from .loaders.alerts import AlertRule

    rules = [t for t in targets if isinstance(t, AlertRule)]
    if rules:
        index = name_index(owners, config)
        for rule in rules:
            found = _rule_service(rule, config, index, homes, known)
            if found:
                _set(rule, found)


def _rule_service(rule, config: Config, index: NameIndex, homes: Homes,
                  known: set[str]) -> tuple[str, str] | None:
    """A rule's service: declared, its `service` label, the PrometheusRule it is written in (None: the rule
    follows its object), what its expression selects, its directory. A rule that selects several services
    belongs to none of them by its expression. A rule inside a PrometheusRule makes no service of its own:
    its `service` label counts only when it names one that exists."""
    declared = _declared_service(rule, {}, config)
    if declared:
        return declared
    if rule.service_hint and (rule.owner is rule or rule.service_hint in known):
        return rule.service_hint, rule.hint_reason
    if rule.origin is not None and rule.origin.service != UNASSIGNED:
        return None
    selected = index.services_selected_by(rule.matchers)
    if len(selected) == 1:
        service, matcher = next(iter(selected.items()))
        return service, f"its expression selects {matcher}"
    near = homes.nearest(rule.file)
    if near:
        return near[0], f"shares the directory {near[1]}/ with its workloads"
    return UNASSIGNED, "no declaration, label, selector or directory names a service"


# Prometheus labels whose value names a workload, a job or a service (kube-state-metrics, cAdvisor, the
# Prometheus Operator's job label, Sloth's and prc's SLO series).
WORKLOAD_LABELS = frozenset({
    "job", "service", "app", "application", "app_kubernetes_io_name", "app_kubernetes_io_instance", "deployment",
    "statefulset", "daemonset", "replicaset", "cronjob", "job_name", "container", "workload", "pod",
    "kube_deployment", "exported_job", "exported_service", "sloth_service", "slo_service", "service_name",
})


def workload_names(w: Workload) -> set[str]:
    """The names a monitoring system knows a workload by: its name, its name labels, its containers, the
    Services that select it."""
    names = {w.name} | {c.name for c in w.containers} | {svc.name for svc in w.services}
    names |= {v for k, v in {**w.labels, **w.pod_labels}.items() if k in NAME_LABELS}
    return {n for n in names if n}


class NameIndex:
    """Name -> service for every name that points at exactly one service (a container called `app` in two
    services names neither), and which services an alert's label matchers select. Regexes from the scanned
    repo run through promql.LabelMatcher.matches (never one that could backtrack for hours), each distinct
    matcher once per scan."""

    def __init__(self, names: dict[str, set[str]]):
        self.names = {name: next(iter(services)) for name, services in names.items() if len(services) == 1}
        self._ordered = sorted(self.names)
        self._selected: dict[tuple, frozenset[tuple[str, str]]] = {}

    def selected(self, matcher) -> frozenset[tuple[str, str]]:
        """(service, name) pairs a positive matcher (= or =~) selects, a pod named after a workload included."""
        key = (matcher.op, matcher.value)
        if key not in self._selected:
            if matcher.op == "=":
                found = {(self.names[matcher.value], matcher.value)} if matcher.value in self.names else set()
            elif matcher.op == "=~":
                found = {(self.names[n], n) for n in self._ordered
                         if matcher.matches(n) or matcher.matches(n + POD_SUFFIX)}
            else:
                found = set()
            self._selected[key] = frozenset(found)
        return self._selected[key]

    def services_selected_by(self, matchers) -> dict[str, str]:
        """Service -> the first matcher (as text) through which an expression selects it."""
        found: dict[str, str] = {}
        for m in matchers:
            if m.name in WORKLOAD_LABELS:
                for service, _ in sorted(self.selected(m)):
                    found.setdefault(service, str(m))
        return found


# A pod name as a ReplicaSet makes it, to test `pod=~"checkout-.*"` against.
POD_SUFFIX = "-7d9f8b6c5-x2x4z"


def name_index(owners: list, config: Config, tf_names: bool = False) -> NameIndex:
    """The names a monitoring system knows each service's parts by: the service, its workloads, their name
    labels, containers and Services, declared and self-named services, and (`tf_names`) the `name` of its
    Terraform resources, which CloudWatch dimensions give."""
    seen: dict[str, set[str]] = {}
    for o in owners:
        if o.service in (UNASSIGNED, ""):
            continue
        seen.setdefault(o.service, set()).add(o.service)
        if isinstance(o, Workload):
            for name in workload_names(o):
                seen.setdefault(name, set()).add(o.service)
        elif tf_names and isinstance(getattr(o, "attrs", None), dict) and isinstance(o.attrs.get("name"), str):
            seen.setdefault(o.attrs["name"], set()).add(o.service)
    for d in config.services:
        seen.setdefault(d.name, set()).add(d.name)
    return NameIndex(seen)


def _artifact_service(artifact: Artifact, config: Config, homes: Homes, runs_image: dict,
                      known: set[str] = frozenset()) -> tuple[str, str]:
    declared = _declared_service(artifact, {}, config, artifact.tags)
    if declared:
        return declared
    built = config.builds.get(artifact.file)
    if built and image_repository(built) in runs_image:
        service, workload = runs_image[image_repository(built)]
        return service, f"builds {image_repository(built)} (builds in {config.path or '.prc.yaml'}), which {workload} runs"
    # An explicit Service tag, or a document naming its service, says more than where the file happens to sit.
    hint = artifact.service_hint
    if hint and artifact.explicit_hint:
        return hint, artifact.hint_reason
    if hint and artifact.tags.get(config.service_tag) == hint:
        return hint, f"tag {config.service_tag}={hint}"
    # A Dockerfile in orders/ belongs to the service orders when there is one, whatever shares its parent.
    if hint and hint in known:
        return hint, f"{artifact.hint_reason}, a service"
    near = homes.nearest(artifact.file)
    if near:
        return near[0], f"shares the directory {near[1]}/ with its workloads"
    if hint:
        return hint, artifact.hint_reason
    if "/" not in artifact.file and len(known) == 1:
        # A Dockerfile at the top of a repository that holds one service is that service's.
        only = next(iter(known))
        return only, f"sits at the top of the scan, which holds one service, {only}"
    return UNASSIGNED, "no declaration, tag, label or directory names a service"


def _link_images(owners: list, objects: list[K8sObject], config: Config, runs_image: dict[str, str]) -> None:
    """Tell each Dockerfile whether the image it builds runs on Kubernetes: a workload runs the image `builds`
    maps it to or, without a `builds` entry, a workload belongs to the same service. Kubernetes ignores a
    HEALTHCHECK, so a Dockerfile deployed there is judged by the workload's probes instead."""
    k8s_services = {o.service for o in objects if isinstance(o, Workload)}
    for artifact in owners:
        if not hasattr(artifact, "runs_on_kubernetes"):
            continue
        built = config.builds.get(artifact.file)
        artifact.builds_image = image_repository(built) if built else ""
        artifact.runs_on_kubernetes = (image_repository(built) in runs_image if built
                                       else artifact.service in k8s_services)


def service_of_path(file: str, homes: Homes, config: Config) -> str | None:
    """The service a file belongs to by its path alone: declared paths, else the workloads sharing its directory."""
    declared = next((d.name for d in config.services if d.paths and _path_matches(file, d.paths)), None)
    near = homes.nearest(file)
    return declared or (near[0] if near else None)


def _path_matches(file: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(file, p) or file.startswith(p.rstrip("*/") + "/") for p in patterns)


def image_repository(image: str) -> str:
    """`registry:5000/team/app:1.2@sha256:...` -> `registry:5000/team/app`."""
    image = image.split("@", 1)[0]
    name_start = image.rfind("/") + 1
    colon = image.find(":", name_start)
    return image[:colon] if colon != -1 else image


def _image_services(objects: list[K8sObject]) -> dict[str, tuple[str, str]]:
    """Image repository -> (service, workload) of the first workload (in file order) that runs it."""
    found: dict[str, tuple[str, str]] = {}
    for w in sorted((o for o in objects if isinstance(o, Workload)), key=lambda w: (w.file, w.doc.line)):
        for c in (*w.containers, *w.init_containers):
            image = c.spec.get("image")
            if isinstance(image, str) and image:
                found.setdefault(image_repository(image), (w.service, f"{w.kind}/{w.name}"))
    return found


class Homes:
    """Where each service's workloads are written: for every directory (and each directory above it), the
    services with a workload file at or below it. Built once per scan; a lookup walks up one path."""

    def __init__(self, objects: list):
        self.holders: dict[str, set[str]] = {}
        for w in objects:
            if isinstance(w, Workload) and w.file != "-":
                directory = _parent(w.file)
                while directory:
                    self.holders.setdefault(directory, set()).add(w.service)
                    directory = _parent(directory)

    def nearest(self, file: str) -> tuple[str, str] | None:
        """(service, directory): the one service whose workload files share the deepest directory with `file`,
        at least one level deep; None when none does or several tie."""
        directory = _parent(file)
        while directory:
            services = self.holders.get(directory)
            if services:
                return (next(iter(services)), directory) if len(services) == 1 else None
            directory = _parent(directory)
        return None


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _assign_k8s(objects: list[K8sObject], config: Config) -> None:
    """Set `service` on every object. Workloads make services; related objects follow the workloads they serve.

    A service exists when a workload belongs to it or it is declared in `.prc.yaml`. An object that neither
    follows a workload nor is declared, and whose name label names no such service, is UNASSIGNED.
    """
    workloads = sorted((o for o in objects if isinstance(o, Workload)), key=lambda w: (w.file, w.doc.line))
    for w in workloads:
        labels = {**w.labels, **w.pod_labels}
        _set(w, _declared_service(w, labels, config) or _label_service(labels) or (w.name, "workload name"))
    known = {w.service for w in workloads} | {d.name for d in config.services}

    followers: dict[int, tuple[str, str]] = {}
    sa_services: dict[tuple[str, str], tuple[str, str]] = {}
    for w in workloads:
        for related in (*w.services, *w.pdbs, *w.hpas, *w.monitors, *w.virtual_services, *w.destination_rules):
            followers.setdefault(id(related), (w.service, f"selects or targets {w.kind}/{w.name}"))
        # A ServiceAccount (and the RBAC bound to it) follows the first workload that runs as it.
        sa_services.setdefault((w.effective_namespace, w.service_account_name),
                               (w.service, f"{w.kind}/{w.name} runs as it"))

    roles = bindings_by_role(objects)
    for obj in objects:
        if isinstance(obj, Workload) or _set(obj, _declared_service(obj, obj.labels, config)):
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
            bound = [(b, _binding_service(b, sa_services)) for b in bindings]
            found = next(((s[0], f"bound by {b.kind}/{b.name} to a ServiceAccount of the service")
                          for b, s in bound if s), None)
        else:
            found = None
        label = _label_service(obj.labels)
        _set(obj, found or (label if label and label[0] in known else None)
             or (UNASSIGNED, "follows no workload and names no known service"))


def _binding_service(binding: RbacBinding, sa_services: dict) -> tuple[str, str] | None:
    for subject in binding.subjects:
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
            namespace = str(subject.get("namespace") or binding.effective_namespace)
            found = sa_services.get((namespace, str(subject.get("name"))))
            if found:
                return found[0], f"binds ServiceAccount {namespace}/{subject.get('name')}"
    return None
