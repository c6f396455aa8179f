"""Kubernetes manifests: YAML text -> typed objects with file and line for every node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..discovery import Problem, Skipped
from ..targets import WORKLOAD_KINDS, K8sObject, RbacBinding, RbacRole, Workload, mapping
from ..parsing import Failure
from ..yamlsrc import Document, Ignore, LDict
from .alerts import link_recording_rules
from .documents import read_document, read_prometheus_rule


@dataclass
class LoadedFile:
    display: str
    objects: list[K8sObject] = field(default_factory=list)
    ignores: list[Ignore] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # What the document readers (prc.loaders.documents) made of documents that are not objects to apply:
    # Prometheus rule files, PrometheusRule objects, SLO documents.
    read: list = field(default_factory=list)


# Go template actions as Helm writes them: `{{ .Values.x }}`, `{{- include ... }}`.
_TEMPLATE_RE = re.compile(r"\{\{-?\s*[.$a-zA-Z/(]")
# An action using Helm's built-in objects, which no other Go template user (Prometheus, Alertmanager) has.
_HELM_OBJECT_RE = re.compile(r"\{\{-?[^}\n]*\.(?:Values|Release|Chart|Capabilities|Files)\b")
# A block scalar header after a key or a dash: `|`, `>-`, `|2+`, maybe with a tag or anchor and a comment.
_BLOCK_SCALAR_RE = re.compile(r"(?:[!&]\S*[ \t]+)*[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$")
_PLAIN_KEY_END_RE = re.compile(r":(?:[ \t]|$)")
_DASHES_RE = re.compile(r"[ \t]*(?:-(?:[ \t]+|$))*")


def _closing_quote(text: str, quote: str, start: int) -> int:
    """Index of the quote that ends a quoted scalar, searching from `start`; -1 when it goes on past the line."""
    i = start
    while i < len(text):
        ch = text[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and text[i + 1:i + 2] == "'":  # '' is an escaped quote
                i += 2
                continue
            return i
        i += 1
    return -1


def _template_action_line(text: str) -> int:
    """First line where a Go template action stands where YAML expects a node: alone at the start of a line,
    or as an unquoted value (`key: {{ ... }}`, `- {{ ... }}`). Text inside quoted strings and block scalars
    (a Prometheus rule's `description: |` with `{{ $labels.pod }}`) is a value, and is passed over."""
    block_indent = -1  # >= 0 inside a block scalar: its lines are indented more than this
    quote = ""  # inside a quoted scalar that continues past its line
    for number, line in enumerate(text.splitlines(), 1):
        if quote:
            if _closing_quote(line, quote, 0) >= 0:
                quote = ""
            continue
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if block_indent >= 0:
            if not stripped or indent > block_indent:
                # `{{- toYaml .Values.config | nindent 4 }}` in a ConfigMap's block is a chart, not alert text.
                if _TEMPLATE_RE.match(stripped) and _HELM_OBJECT_RE.match(stripped):
                    return number
                continue
            block_indent = -1
        if not stripped or stripped.startswith("#"):
            continue
        if _TEMPLATE_RE.match(stripped):
            return number
        prefix = _DASHES_RE.match(line).end()
        rest = line[prefix:]
        if _TEMPLATE_RE.match(rest):
            return number  # `- {{ ... }}`
        value, key_col = rest, -1
        if rest[:1] in ('"', "'"):
            end = _closing_quote(rest, rest[0], 1)
            if end < 0:
                quote = rest[0]
                continue
            after = rest[end + 1:]
            if after.lstrip(" \t").startswith(":"):
                key_col, value = prefix, after.lstrip(" \t")[1:]
            else:
                continue  # a quoted scalar on its own
        else:
            colon = _PLAIN_KEY_END_RE.search(rest)
            if colon:
                key_col, value = prefix, rest[colon.end():]
        value = value.strip(" \t")
        if _TEMPLATE_RE.match(value):
            return number  # `key: {{ ... }}`
        if _BLOCK_SCALAR_RE.fullmatch(value):
            # Content is indented more than the key, or than the dash of a `- |` item.
            block_indent = key_col if key_col >= 0 else max(line.rfind("-", 0, prefix), 0)
        elif value[:1] in ('"', "'") and _closing_quote(value, value[0], 1) < 0:
            quote = value[0]
    return 0


def helm_template_line(display: str, text: str) -> int:
    """The first line showing that a file is a Helm chart template rather than YAML; 0 when it is not one."""
    first = _TEMPLATE_RE.search(text)
    if not first:
        return 0
    if "templates" in PurePosixPath(display).parts:
        return text.count("\n", 0, first.start()) + 1
    return _template_action_line(text)


def unparsed_reason(display: str, text: str) -> str:
    """Why a YAML file is skipped without parsing it (empty, a Helm template); "" when it is to be parsed."""
    if not text.strip():
        return "empty file"
    template_line = helm_template_line(display, text)
    if template_line:
        return (f"Helm/Go template syntax ({{{{ ... }}}}) at line {template_line}; render it first: "
                "helm template CHART | prc scan -")
    return ""


def load_k8s_text(display: str, text: str, ctx=None, parsed=None) -> LoadedFile:
    """`ctx` (a sources.LoadContext) is what the document readers need to resolve paths; None in unit tests of
    Kubernetes objects alone. `parsed`: what the "yaml" parser (prc.parsing) made of the text, when the caller
    parsed it already (in worker processes, or from the cache)."""
    loaded = LoadedFile(display)
    reason = unparsed_reason(display, text)
    if reason:
        loaded.skipped.append(Skipped(display, reason))
        return loaded
    if parsed is None:
        from ..parsing import parse_one

        parsed = parse_one("yaml", text)
    if isinstance(parsed, Failure):
        loaded.problems.append(Problem(display, parsed.line, f"invalid YAML: {parsed.message}"))
        return loaded
    loaded.ignores = parsed.ignores
    for document in parsed.documents:
        # One parse serves every YAML source: a reader that recognises the document takes it.
        read = read_document(display, document, ctx)
        if read is None:
            _objects_from_document(document, loaded)
        else:
            loaded.read.append(read)
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
                _add_object(item, loaded)
        return
    _add_object(data, loaded)


def _add_object(doc: LDict, loaded: LoadedFile) -> None:
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
    loaded.objects.append(make_object(doc, loaded.display, name, namespace))


def make_object(doc: LDict, file: str, name: str, namespace: str) -> K8sObject:
    """One object typed as every source types it (a Workload with its pod template, an RBAC role or binding, or a
    plain K8sObject); the live audit (prc.kube) makes its targets with it too, from objects read from a cluster."""
    kind = doc["kind"]
    common = dict(kind=kind, api_version=doc["apiVersion"], name=name, namespace=namespace, doc=doc, file=file)
    if kind in WORKLOAD_KINDS:
        return _workload(common)
    if kind in ("Role", "ClusterRole"):
        return RbacRole(**common)
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        return RbacBinding(**common)
    return K8sObject(**common)


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
    workload.set_pod_template(mapping(template.get("metadata")), mapping(template.get("spec")),
                              ".".join(template_path + ("spec",)))
    return workload


def load(files, ctx) -> "Loaded":
    """The Kubernetes source: YAML files (minus kustomize patches) and stdin, parsed and linked."""
    from ..sources import Loaded, read_each
    from .k8s_links import link
    from .kustomize import kustomize_patches

    loaded = Loaded()
    patches = kustomize_patches(files, ctx.root, ctx.max_file_bytes)
    loaded.skipped += [Skipped(display, reason) for display, reason in patches.items()]
    texts = list(read_each([f for f in files if f.display not in patches], ctx, loaded))
    if ctx.stdin_text is not None:
        loaded.files += 1
        texts.append((None, ctx.stdin_text))
    objects: list[K8sObject] = []
    read = Loaded()
    displays = [found.display if found else STDIN for found, _ in texts]
    wanted = [not unparsed_reason(display, text) for display, (_, text) in zip(displays, texts)]
    # Consumed lazily: objects are built from the first files while later ones may still be parsing elsewhere.
    products = ctx.parse_iter("yaml", [text for (_, text), parse in zip(texts, wanted) if parse])
    for display, (_, text), parse in zip(displays, texts, wanted):
        one = load_k8s_text(display, text, ctx, next(products) if parse else None)
        objects += one.objects
        loaded.problems += one.problems
        loaded.skipped += one.skipped
        if one.ignores:
            loaded.ignores[one.display] = one.ignores
        for part in one.read:
            read.extend(part)
    link(objects)
    for obj in objects:
        # A PrometheusRule stays an object (its annotations and service apply to its rules) and yields its rules.
        if obj.kind == "PrometheusRule":
            read.extend(read_prometheus_rule(obj, ctx))
    link_recording_rules(read.targets)
    loaded.owners = objects + read.owners
    loaded.targets = targets_of(objects) + read.targets
    loaded.problems += read.problems
    loaded.skipped += read.skipped
    return loaded


STDIN = "-"


def targets_of(objects: list[K8sObject]) -> list[object]:
    targets: list[object] = []
    for obj in objects:
        if isinstance(obj, Workload) and obj.rollout_refs:
            # An Argo Rollout runs this pod template through spec.workloadRef and is judged on it,
            # with results at the same lines; judging the template twice would double every finding.
            continue
        targets.append(obj)
        if isinstance(obj, Workload):
            targets.extend(obj.containers)
            targets.extend(obj.init_containers)
    return targets
