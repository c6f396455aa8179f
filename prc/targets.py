"""Typed targets that checks inspect. Loaders build them; checks only read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Location, Outcome, Severity, Status, TargetRef
from .yamlsrc import LDict, LList, line_of

EMPTY = LDict()


class Checkable:
    """Helpers a check uses to say what it found about this target."""

    def ok(self, message: str = "", at: str = "") -> Outcome:
        return Outcome(Status.PASS, message, at, target=self)

    def fail(self, message: str, at: str = "", severity: Severity | str | None = None) -> Outcome:
        return Outcome(Status.FAIL, message, at, Severity(severity) if severity else None, target=self)

    def unknown(self, reason: str, at: str = "") -> Outcome:
        return Outcome(Status.UNKNOWN, reason, at, target=self)

    # Overridden by each target type.
    @property
    def ref(self) -> TargetRef:  # pragma: no cover - abstract
        raise NotImplementedError

    def locate(self, at: str) -> Location:  # pragma: no cover - abstract
        raise NotImplementedError


def mapping(value: object) -> LDict:
    """A mapping field, or an empty one when the manifest omits it or gives the wrong type."""
    return value if isinstance(value, dict) else EMPTY


def sequence(value: object) -> list:
    return value if isinstance(value, list) else []


@dataclass(eq=False)
class Artifact(Checkable):
    """An owner that is not a Kubernetes object: a Dockerfile, a Terraform resource.

    `service_hint` is the service its own content names (a Terraform `Service`
    tag, the directory a Dockerfile sits in); services.py decides with it.
    """

    kind: str
    name: str
    file: str
    line: int
    service: str = ""
    tags: dict = field(default_factory=dict)
    service_hint: str = ""
    # Why services.py put it in its service (the rule that matched), for `prc services`.
    service_reason: str = ""

    @property
    def header_line(self) -> int:
        return self.line

    # Whether `service_hint` is the artifact saying which service it belongs to (an SLO document's `service`, an
    # alert's `service` label), which outranks the directory it sits in; a Dockerfile's directory name does not.
    explicit_hint = False

    @property
    def hint_reason(self) -> str:
        """Why `service_hint` names a service, as `prc services` shows it; a target type says it better."""
        return f"names the service {self.service_hint}"

    @property
    def owner(self) -> "Artifact":
        return self

    @property
    def ref(self) -> TargetRef:
        return TargetRef(self.kind, self.name)

    def locate(self, at: str) -> Location:
        return Location(self.file, self.line)


@dataclass(eq=False)
class K8sObject(Checkable):
    """One Kubernetes object from a manifest, with links to the objects that refer to it."""

    kind: str
    api_version: str
    name: str
    namespace: str
    doc: LDict
    file: str
    service: str = ""
    # Why services.py put it in its service (the rule that matched), for `prc services`.
    service_reason: str = ""
    # Workloads this object selects or targets (a Service, PDB, HPA or ScaledObject, a scrape configuration, or an
    # Istio VirtualService or DestinationRule through the Services it names), each once, set by the linker.
    selects: list = field(default_factory=list)

    @property
    def header_line(self) -> int:
        """The object's first line: an ignore comment above it covers the whole object."""
        return self.doc.line

    @property
    def metadata(self) -> LDict:
        return mapping(self.doc.get("metadata"))

    @property
    def labels(self) -> dict:
        return {str(k): str(v) for k, v in mapping(self.metadata.get("labels")).items()}

    @property
    def annotations(self) -> dict:
        return {str(k): str(v) for k, v in mapping(self.metadata.get("annotations")).items()}

    @property
    def spec(self) -> LDict:
        return mapping(self.doc.get("spec"))

    @property
    def effective_namespace(self) -> str:
        return self.namespace or "default"

    @property
    def ref(self) -> TargetRef:
        return TargetRef(self.kind, self.name, self.namespace)

    def locate(self, at: str) -> Location:
        return Location(self.file, line_of(self.doc, at))

    @property
    def owner(self) -> "K8sObject":
        return self


# Kinds whose pods run until stopped; Jobs and CronJobs run to completion.
LONG_RUNNING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
                                "Rollout", "Pod"})
WORKLOAD_KINDS = LONG_RUNNING_KINDS | {"Job", "CronJob"}
# Kinds with spec.replicas (omitted means 1).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"})


@dataclass(eq=False)
class Workload(K8sObject):
    """An object that runs pods, with its pod template resolved and its related objects linked."""

    pod_spec: LDict = field(default_factory=LDict)
    pod_metadata: LDict = field(default_factory=LDict)
    # Path from the document root to the pod spec, for locating results.
    pod_spec_path: str = ""
    containers: list["Container"] = field(default_factory=list)
    init_containers: list["Container"] = field(default_factory=list)
    # Linked by the loader from the same scan.
    services: list[K8sObject] = field(default_factory=list)
    pdbs: list[K8sObject] = field(default_factory=list)
    hpas: list[K8sObject] = field(default_factory=list)
    monitors: list[K8sObject] = field(default_factory=list)
    virtual_services: list[K8sObject] = field(default_factory=list)
    destination_rules: list[K8sObject] = field(default_factory=list)
    namespace_object: K8sObject | None = None
    # The ServiceAccount the pods run as, when it is in the scan, and the bindings naming it as a subject.
    service_account: K8sObject | None = None
    service_account_bindings: list["RbacBinding"] = field(default_factory=list)
    # The object whose pod template this workload runs (what an Argo Rollout's spec.workloadRef names), set by
    # the linker; None when the template is the workload's own. Results about the template point into its file.
    template_source: K8sObject | None = None
    # Argo Rollouts that take their pod template from this workload through spec.workloadRef, set by the linker.
    rollout_refs: list["Workload"] = field(default_factory=list)
    # Why the pod template could not be resolved (a Rollout whose workloadRef is not in the scan), "" when it is.
    # Pod-level checks report UNKNOWN with this reason instead of judging an empty pod spec.
    pod_template_missing: str = ""

    @property
    def service_account_name(self) -> str:
        spec = self.pod_spec
        return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")

    @property
    def long_running(self) -> bool:
        return self.kind in LONG_RUNNING_KINDS

    @property
    def pod_labels(self) -> dict:
        labels = mapping(self.pod_metadata.get("labels"))
        if self.kind == "Pod":
            labels = mapping(self.metadata.get("labels"))
        return {str(k): str(v) for k, v in labels.items()}

    @property
    def pod_annotations(self) -> dict:
        annotations = mapping(self.pod_metadata.get("annotations"))
        if self.kind == "Pod":
            annotations = mapping(self.metadata.get("annotations"))
        return {str(k): str(v) for k, v in annotations.items()}

    @property
    def replicas(self) -> object:
        """spec.replicas as written (None when omitted, which Kubernetes reads as 1)."""
        return self.spec.get("replicas") if self.kind in REPLICATED_KINDS else None

    @property
    def template_owner(self) -> K8sObject:
        """The object whose document holds the pod template: this workload, or the one its workloadRef names."""
        return self.template_source or self

    @property
    def template_path(self) -> str:
        """Path from the document root to the pod template (metadata and spec); "" for a Pod."""
        return self.pod_spec_path.rpartition(".")[0] if "." in self.pod_spec_path else ""

    def locate(self, at: str) -> Location:
        source = self.template_source
        prefix = self.template_path
        if source is not None and prefix and (at == prefix or at.startswith(prefix + ".")):
            return Location(source.file, line_of(source.doc, at) or source.doc.line)
        return super().locate(at)

    def set_pod_template(self, metadata: LDict, spec: LDict, spec_path: str) -> None:
        """Run this pod template: its metadata, its spec (at `spec_path` in the template owner's document)
        and one Container per container entry."""
        self.pod_metadata = metadata
        self.pod_spec = spec
        self.pod_spec_path = spec_path
        self.containers = [Container(self, c, i) for i, c in enumerate(sequence(spec.get("containers")))
                           if isinstance(c, LDict)]
        self.init_containers = [Container(self, c, i, init=True)
                                for i, c in enumerate(sequence(spec.get("initContainers"))) if isinstance(c, LDict)]

    def pod_path(self, rest: str = "") -> str:
        if not rest:
            return self.pod_spec_path
        return f"{self.pod_spec_path}.{rest}" if self.pod_spec_path else rest


@dataclass(eq=False)
class Container(Checkable):
    """One container of a workload's pod template."""

    workload: Workload
    spec: LDict
    index: int
    init: bool = False

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or f"#{self.index}")

    @property
    def native_sidecar(self) -> bool:
        """An init container with restartPolicy Always runs beside the app (Kubernetes 1.28+)."""
        return self.init and self.spec.get("restartPolicy") == "Always"

    @property
    def ports(self) -> list:
        return sequence(self.spec.get("ports"))

    @property
    def serves_traffic(self) -> bool:
        """Receives traffic that a Service (or a client, when no Service is in the scan) sends to the pods.

        With no selecting Service, any declared containerPort counts. When Services select the pods, only a
        port some Service targets counts (targetPort as a number or a port name; omitted, the Service's port).
        A pod's only app container also serves when a Service targets a port no container declares, or when
        it declares no ports at all; a headless Service without ports exposes every port.
        """
        if self.init and not self.native_sidecar:
            return False
        services = self.workload.services
        if not services:
            return bool(self.ports)
        targets = [t for s in services for t in service_target_ports(s)]
        if any(t is None for t in targets):  # a Service without ports
            return bool(self.ports) or self._only_app_container
        if any(_targets_port(t, p) for t in targets for p in self.ports):
            return True
        pod_ports = [p for c in (*self.workload.containers, *self.workload.init_containers) for p in c.ports]
        untargeted = any(not any(_targets_port(t, p) for p in pod_ports) for t in targets)
        return self._only_app_container and (not self.ports or untargeted)

    @property
    def _only_app_container(self) -> bool:
        return not self.init and len(self.workload.containers) == 1

    @property
    def path(self) -> str:
        field_name = "initContainers" if self.init else "containers"
        return self.workload.pod_path(f"{field_name}[{self.index}]")

    @property
    def service(self) -> str:
        return self.workload.service

    @property
    def owner(self) -> K8sObject:
        return self.workload

    @property
    def file(self) -> str:
        """The file the container is written in (for a Rollout with a workloadRef, the referenced object's)."""
        return self.workload.template_owner.file

    @property
    def ref(self) -> TargetRef:
        w = self.workload
        return TargetRef(w.kind, w.name, w.namespace, f"{'init:' if self.init else ''}{self.name}")

    def locate(self, at: str) -> Location:
        line = line_of(self.spec, at) if at else self.spec.line
        return Location(self.file, line or self.workload.template_owner.doc.line)


def service_target_ports(service: K8sObject) -> list[tuple[object, str] | None]:
    """(targetPort, protocol) for each port of a Service, the targetPort defaulting to the port;
    [None] when the Service lists no ports (a headless Service reaches the pods on any port)."""
    ports = [mapping(p) for p in sequence(service.spec.get("ports"))]
    if not ports:
        return [None]
    found = []
    for port in ports:
        target = port.get("targetPort", port.get("port"))
        found.append((target, str(port.get("protocol") or "TCP")))
    return found


def _targets_port(target: tuple[object, str] | None, port: object) -> bool:
    """Whether a Service's (targetPort, protocol) reaches a container port entry."""
    if target is None:
        return True
    value, protocol = target
    port = mapping(port)
    if str(port.get("protocol") or "TCP") != protocol:
        return False
    if isinstance(value, bool):
        return False
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return str(port.get("containerPort")) == str(value)
    return isinstance(value, str) and value != "" and port.get("name") == value


@dataclass(eq=False)
class RbacRole(K8sObject):
    """A Role or ClusterRole."""

    @property
    def rules(self) -> list:
        return sequence(self.doc.get("rules"))


@dataclass(eq=False)
class RbacBinding(K8sObject):
    """A RoleBinding or ClusterRoleBinding."""

    @property
    def role_ref(self) -> LDict:
        return mapping(self.doc.get("roleRef"))

    @property
    def subjects(self) -> list:
        return sequence(self.doc.get("subjects"))
