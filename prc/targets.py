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
class K8sObject(Checkable):
    """One Kubernetes object from a manifest, with links to the objects that refer to it."""

    kind: str
    api_version: str
    name: str
    namespace: str
    doc: LDict
    file: str
    # Lines of the YAML document holding the object, for inline suppressions.
    doc_line: int = 0
    service: str = ""
    # Workloads this object selects or targets (a Service, PDB, HPA or monitor), set by the linker.
    selects: list = field(default_factory=list)

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
LONG_RUNNING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "Pod"})
WORKLOAD_KINDS = LONG_RUNNING_KINDS | {"Job", "CronJob"}


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
        return self.spec.get("replicas") if self.kind in ("Deployment", "StatefulSet", "ReplicaSet", "Rollout") else None

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
        """Exposes a port, or is the workload's only container and a Service selects the pods."""
        if self.init and not self.native_sidecar:
            return False
        if self.ports:
            return True
        app_containers = [c for c in self.workload.containers]
        return bool(self.workload.services) and len(app_containers) == 1 and not self.init

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
        return self.workload.file

    @property
    def ref(self) -> TargetRef:
        w = self.workload
        return TargetRef(w.kind, w.name, w.namespace, f"{'init:' if self.init else ''}{self.name}")

    def locate(self, at: str) -> Location:
        line = line_of(self.spec, at) if at else self.spec.line
        return Location(self.workload.file, line or self.workload.doc.line)


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
