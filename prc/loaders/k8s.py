"""Kubernetes manifests: YAML text -> typed objects with file and line for every node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..discovery import Skipped
from ..targets import WORKLOAD_KINDS, Container, K8sObject, RbacBinding, RbacRole, Workload, mapping, sequence
from ..yamlsrc import Document, Ignore, LDict, YamlError, parse_yaml


@dataclass(frozen=True)
class Problem:
    """Input the scan could not read as the user meant it: shown with file and line, scored as ERROR."""

    file: str
    line: int
    message: str


@dataclass
class LoadedFile:
    display: str
    objects: list[K8sObject] = field(default_factory=list)
    ignores: list[Ignore] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# Go template actions as Helm writes them: `{{ .Values.x }}`, `{{- include ... }}`.
_TEMPLATE_RE = re.compile(r"\{\{-?\s*[.$a-zA-Z/(]")


def looks_like_helm_template(display: str, text: str) -> bool:
    """A chart template: Go template actions outside strings, or a file under a chart's templates/."""
    if not _TEMPLATE_RE.search(text):
        return False
    parts = PurePosixPath(display).parts
    if "templates" in parts:
        return True
    # Helm-style control lines (`{{- if ...}}` alone on a line) never occur in
    # plain YAML values, unlike `{{ $labels.x }}` inside an alert annotation.
    return any(line.lstrip().startswith("{{") for line in text.splitlines())


def load_k8s_text(display: str, text: str) -> LoadedFile:
    loaded = LoadedFile(display)
    if not text.strip():
        loaded.skipped.append(Skipped(display, "empty file"))
        return loaded
    if looks_like_helm_template(display, text):
        loaded.skipped.append(
            Skipped(display, "Helm template syntax ({{ ... }}); render it first: helm template CHART | prc scan -")
        )
        return loaded
    try:
        parsed = parse_yaml(text)
    except YamlError as exc:
        loaded.problems.append(Problem(display, exc.line, f"invalid YAML: {exc.message}"))
        return loaded
    loaded.ignores = parsed.ignores
    for document in parsed.documents:
        _objects_from_document(document, loaded)
    return loaded


# Client-side configuration files that carry apiVersion and kind but are not
# Kubernetes objects and have no metadata.name.
CLIENT_CONFIG_API_PREFIXES = ("kustomize.config.k8s.io/", "config.kubernetes.io/", "skaffold/", "kind.x-k8s.io/",
                              "kpt.dev/")


def _is_object(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)


def _objects_from_document(document: Document, loaded: LoadedFile) -> None:
    data = document.data
    if not _is_object(data):
        return  # not Kubernetes YAML (CI config, Helm values...): skipped quietly
    if data["apiVersion"].startswith(CLIENT_CONFIG_API_PREFIXES):
        return  # a kustomization.yaml or a tool's config: shaped like an object, never sent to a cluster
    if data["kind"].endswith("List") and isinstance(data.get("items"), list):
        for item in data["items"]:
            if _is_object(item):
                _add_object(item, document, loaded)
        return
    _add_object(data, document, loaded)


def _add_object(doc: LDict, document: Document, loaded: LoadedFile) -> None:
    metadata = mapping(doc.get("metadata"))
    name = metadata.get("name")
    kind = doc["kind"]
    if not isinstance(name, str) or not name:
        where = "metadata" if "metadata" in doc else "the object"
        loaded.problems.append(
            Problem(loaded.display, doc.line, f"{kind} has no metadata.name (expected a non-empty string in {where}); "
                    "object not checked")
        )
        return
    namespace = metadata.get("namespace")
    namespace = namespace if isinstance(namespace, str) else ""
    common = dict(kind=kind, api_version=doc["apiVersion"], name=name, namespace=namespace, doc=doc,
                  file=loaded.display, doc_line=document.line)
    if kind in WORKLOAD_KINDS:
        loaded.objects.append(_workload(common))
    elif kind in ("Role", "ClusterRole"):
        loaded.objects.append(RbacRole(**common))
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        loaded.objects.append(RbacBinding(**common))
    else:
        loaded.objects.append(K8sObject(**common))


_POD_TEMPLATE_PATHS = {
    "Pod": (),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
_DEFAULT_TEMPLATE_PATH = ("spec", "template")


def _workload(common: dict) -> Workload:
    workload = Workload(**common)
    template_path = _POD_TEMPLATE_PATHS.get(workload.kind, _DEFAULT_TEMPLATE_PATH)
    template = workload.doc
    for key in template_path:
        template = mapping(template.get(key))
    workload.pod_metadata = mapping(template.get("metadata"))
    workload.pod_spec = mapping(template.get("spec"))
    workload.pod_spec_path = ".".join(template_path + ("spec",))
    workload.containers = [
        Container(workload, c, i) for i, c in enumerate(sequence(workload.pod_spec.get("containers")))
        if isinstance(c, LDict)
    ]
    workload.init_containers = [
        Container(workload, c, i, init=True)
        for i, c in enumerate(sequence(workload.pod_spec.get("initContainers"))) if isinstance(c, LDict)
    ]
    return workload
