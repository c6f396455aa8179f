"""What is read from a cluster: discovery, then every served kind of kinds.KINDS, page by page, per namespace.

The result is plain JSON objects in the shape of a manifest (kind and apiVersion filled in from the list, since
list items omit them), minus what the API server adds that no check judges and that changes with every write
(managedFields, uid, resourceVersion, status...), minus the products of controllers prc judges instead.

What could not be read is recorded, never guessed: a kind the server does not serve is `unserved` (a cluster
without the Prometheus Operator has no ServiceMonitors), a list the identity may not read (403) or that fails is
a Gap for its namespace (or for all of them), which prc.kube.gaps turns into UNKNOWN results.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .kinds import KINDS, NAMESPACE, Kind, owned_by_controller
from .session import ClusterError, ReadOnlyCluster

# Objects per list request, as kubectl asks; tests lower it to make every kind span several pages.
PAGE_SIZE = 500

# Server-side bookkeeping: changes with every write (or every controller pass) and is never judged. Dropping it
# keeps reports byte-identical for the same desired state, and keeps it out of messages and fingerprints.
_DROPPED_METADATA = ("managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink")
# A copy of the whole object that kubectl apply keeps; judging it would judge the object twice.
_DROPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


@dataclass(frozen=True)
class Gap:
    """A list (or get) that failed: the kind, the namespace ("" for every namespace) and why."""

    kind: str
    namespace: str
    what: str  # "cannot list poddisruptionbudgets in namespace payments"
    reason: str  # "forbidden"

    @property
    def text(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass
class Collection:
    context: str
    server: str
    # The namespaces audited: those asked for, or with --all-namespaces those listed (or seen on objects).
    namespaces: list[str] = field(default_factory=list)
    all_namespaces: bool = False
    # Sorted by namespace, kind, name; Namespace objects included.
    objects: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    unserved: list[Kind] = field(default_factory=list)
    # Products of controllers left out (owned Pods, ReplicaSets, Jobs), per kind.
    owned: dict[str, int] = field(default_factory=dict)
    requests: int = 0


Progress = Callable[[str], None]


def collect(cluster: ReadOnlyCluster, namespaces: list[str] | None, page_size: int = PAGE_SIZE,
            progress: Progress | None = None) -> Collection:
    """Read the namespaces (None: every namespace, listed cluster-wide) and the cluster-scoped kinds once.
    Raises ClusterError when the cluster cannot be reached, rejects the credentials, or a namespace asked for
    does not exist."""
    progress = progress or (lambda text: None)
    target = cluster.target
    found = Collection(target.context, target.server, all_namespaces=namespaces is None)
    served, found.unserved, failed = discover(cluster)
    found.gaps += failed
    lister = _Lister(cluster, page_size, found)

    if namespaces is None:
        listed = lister.list(NAMESPACE, "", served[NAMESPACE]) if NAMESPACE in served else []
        scopes = [""]
    else:
        listed = [obj for ns in dict.fromkeys(namespaces) if (obj := lister.get_namespace(ns)) is not None]
        scopes = list(dict.fromkeys(namespaces))
    objects = list(listed)
    namespaced = [k for k in KINDS if k in served and k.namespaced]
    cluster_wide = [k for k in KINDS if k in served and not k.namespaced]
    steps = len(namespaced) * len(scopes) + len(cluster_wide)
    step = 0
    for scope in scopes:
        for kind in namespaced:
            step += 1
            progress(f"listing {kind.resource} in {scope or 'all namespaces'} ({step}/{steps})")
            objects += lister.list(kind, scope, served[kind])
    for kind in cluster_wide:
        step += 1
        progress(f"listing {kind.resource} ({step}/{steps})")
        objects += lister.list(kind, "", served[kind])

    kept = [o for o in objects if not owned_by_controller(o)]
    found.owned = dict(sorted(Counter(o["kind"] for o in objects if owned_by_controller(o)).items()))
    found.objects = sorted(kept, key=_order)
    if namespaces is None:
        seen = {o["metadata"].get("namespace") for o in kept} | {o["metadata"]["name"] for o in listed}
        found.namespaces = sorted(n for n in seen if n)
    else:
        found.namespaces = scopes
    found.gaps.sort(key=lambda g: (g.namespace, g.kind, g.what))
    found.requests = len(cluster.sent)
    return found


def _order(obj: dict) -> tuple:
    meta = obj["metadata"]
    return meta.get("namespace") or "", obj["kind"], meta["name"]


def discover(cluster: ReadOnlyCluster) -> tuple[dict[Kind, str], list[Kind], list[Gap]]:
    """(kind -> the path prefix that serves it, kinds not served, gaps for API groups whose discovery failed).

    The group's preferred version is asked first, then its other versions, newest first as the server lists
    them: a kind is read in the first version that serves it with the verbs prc uses."""
    wanted_groups = list(dict.fromkeys(k.group for k in (*KINDS, NAMESPACE)))
    versions: dict[str, list[str]] = {"": [f"/api/{v}" for v in _required(cluster, "/api").get("versions") or []]}
    for group in _required(cluster, "/apis").get("groups") or []:
        name = group.get("name")
        if name in wanted_groups:
            preferred = (group.get("preferredVersion") or {}).get("groupVersion")
            listed = [v.get("groupVersion") for v in group.get("versions") or [] if v.get("groupVersion")]
            ordered = list(dict.fromkeys([preferred, *listed] if preferred else listed))
            versions[name] = [f"/apis/{gv}" for gv in ordered]
    served: dict[Kind, str] = {}
    unserved: list[Kind] = []
    gaps: list[Gap] = []
    for group in wanted_groups:
        kinds = [k for k in (*KINDS, NAMESPACE) if k.group == group]
        failure = ""
        for prefix in versions.get(group, []):
            if all(k in served for k in kinds):
                break
            response = cluster.get(prefix)
            if response.status != 200 or not isinstance(response.body, dict):
                failure = failure or f"discovery of {prefix} failed: {_reason(response)}"
                continue
            for resource in response.body.get("resources") or []:
                verbs = set(resource.get("verbs") or [])
                for kind in kinds:
                    if (kind not in served and kind.resource == resource.get("name")
                            and kind.kind == resource.get("kind") and {"get", "list"} <= verbs):
                        served[kind] = prefix
        missing = [k for k in kinds if k not in served]
        # A version whose discovery failed may be the one that serves the kind: unknown, not absent.
        gaps += [Gap(k.kind, "", f"cannot list {k.qualified}", failure) for k in missing if failure]
        unserved += [k for k in missing if not failure]
    return served, unserved, gaps


def _required(cluster: ReadOnlyCluster, path: str) -> dict:
    """A discovery document every API server serves to every authenticated identity; without it, nothing."""
    response = cluster.get(path)
    if response.status != 200 or not isinstance(response.body, dict):
        raise ClusterError(f"the API server {cluster.target.server} of context {cluster.target.context} refused "
                           f"discovery ({path}): {_reason(response)}")
    return response.body


def _reason(response) -> str:
    """Why a request failed, briefly: RBAC's answer in its own word, anything else with the server's message."""
    if response.status == 403:
        return "forbidden"
    plain = f"HTTP {response.status}"
    return plain if response.message == plain else f"{plain}: {response.message}"


class _Lister:
    def __init__(self, cluster: ReadOnlyCluster, page_size: int, found: Collection):
        self.cluster = cluster
        self.page_size = page_size
        self.found = found

    def get_namespace(self, name: str) -> dict | None:
        response = self.cluster.get(f"/api/v1/namespaces/{name}")
        if response.status == 404:
            raise ClusterError(f"namespace {name} does not exist in context {self.cluster.target.context}")
        if response.status != 200 or not isinstance(response.body, dict):
            self.found.gaps.append(Gap("Namespace", name, f"cannot get namespace {name}", _reason(response)))
            return None
        return clean(response.body, NAMESPACE, "v1")

    def list(self, kind: Kind, namespace: str, prefix: str) -> list[dict]:
        """Every object of a kind in a namespace ("" for cluster-scoped kinds, or every namespace), page by page.
        A failed page records a Gap and yields nothing for the kind there: a partial list would read as
        complete."""
        path = f"{prefix}/namespaces/{namespace}/{kind.resource}" if namespace else f"{prefix}/{kind.resource}"
        api_version = prefix.removeprefix("/apis/").removeprefix("/api/")
        items: list[dict] = []
        token = ""
        restarted = False
        seen_tokens: set[str] = set()
        while True:
            query: list[tuple[str, object]] = [("limit", self.page_size)] + ([("continue", token)] if token else [])
            response = self.cluster.get(path, query)
            if response.status == 410 and token and not restarted:
                # The continue token expired (a slow list of a large cluster): start the list again, once.
                items, token, restarted = [], "", True
                seen_tokens.clear()
                continue
            if response.status != 200 or not isinstance(response.body, dict):
                self.found.gaps.append(Gap(kind.kind, namespace, _what(kind, namespace, self.found.all_namespaces),
                                           _reason(response)))
                return []
            items += [clean(item, kind, api_version) for item in response.body.get("items") or []
                      if isinstance(item, dict)]
            token = str((response.body.get("metadata") or {}).get("continue") or "")
            if not token:
                return items
            if token in seen_tokens:
                self.found.gaps.append(Gap(kind.kind, namespace, _what(kind, namespace, self.found.all_namespaces),
                                           "the API server repeated a continue token"))
                return []
            seen_tokens.add(token)


def _what(kind: Kind, namespace: str, all_namespaces: bool) -> str:
    if namespace:
        return f"cannot list {kind.resource} in namespace {namespace}"
    if kind.namespaced and all_namespaces:
        return f"cannot list {kind.resource} across namespaces"
    return f"cannot list {kind.resource}"


def clean(obj: dict, kind: Kind, api_version: str) -> dict:
    """A listed object in the shape of its manifest: kind and apiVersion filled in, server bookkeeping dropped."""
    obj = dict(obj)
    obj.pop("status", None)
    obj["kind"] = obj.get("kind") or kind.kind
    obj["apiVersion"] = obj.get("apiVersion") or api_version
    metadata = dict(obj.get("metadata") or {})
    for key in _DROPPED_METADATA:
        metadata.pop(key, None)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict) and any(a in annotations for a in _DROPPED_ANNOTATIONS):
        metadata["annotations"] = {k: v for k, v in annotations.items() if k not in _DROPPED_ANNOTATIONS}
    obj["metadata"] = metadata
    # The object's own kind first, as a manifest writes it.
    return {"apiVersion": obj.pop("apiVersion"), "kind": obj.pop("kind"), **obj}
