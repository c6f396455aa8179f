"""Objects read from a cluster -> the same typed, linked targets the file loader makes from manifests.

Each object is typed by prc.loaders.k8s.make_object (the file loader's own), so every check sees a live Deployment
exactly as it sees one written in a file, and linked by prc.loaders.k8s_links.link (Services, PDBs, HPAs,
monitors, RBAC). What differs is where it is: instead of file:line, a pseudo location
`k8s://<context>/<namespace>/<Kind>/<name>` (`k8s://<context>/<Kind>/<name>` for a cluster-scoped object), line 0.
"""

from __future__ import annotations

from ..loaders.k8s import make_object, targets_of
from ..loaders.k8s_links import link
from ..targets import K8sObject
from ..yamlsrc import LDict, LList
from .collect import Collection

SCHEME = "k8s://"


def location(context: str, obj: dict) -> str:
    """Where an object is, as a file is for a manifest: `k8s://<context>/<namespace>/<Kind>/<name>`."""
    meta = obj["metadata"]
    namespace = meta.get("namespace")
    middle = f"{namespace}/" if namespace else ""
    return f"{SCHEME}{context}/{middle}{obj['kind']}/{meta['name']}"


def to_ldict(value: object) -> object:
    """JSON as the YAML reader gives it (LDict / LList, which checks and the linker expect), every line 0."""
    if isinstance(value, dict):
        out = LDict()
        for key, item in value.items():
            out[key] = to_ldict(item)
        return out
    if isinstance(value, list):
        seq = LList()
        seq.extend(to_ldict(item) for item in value)
        seq.item_lines = [0] * len(seq)
        return seq
    return value


def build_targets(collection: Collection) -> tuple[list[K8sObject], list[object]]:
    """(owners: every object, whose annotations can suppress results; targets: what checks run on, the objects
    and their containers), linked as one scan of all of them would link them."""
    objects = []
    for obj in collection.objects:
        meta = obj["metadata"]
        objects.append(make_object(to_ldict(obj), location(collection.context, obj), str(meta["name"]),
                                   str(meta.get("namespace") or "")))
    link(objects)
    return objects, targets_of(objects)
