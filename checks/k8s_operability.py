"""Kubernetes operability checks: ownership is declared on the workload."""

from __future__ import annotations

from prc.registry import check
from prc.targets import Workload, mapping

from ._common import pod_template_unknown

_VARIABLE_MARKERS = ("${", "{{", "$(")


def _pod_metadata_path(w: Workload, rest: str) -> str:
    """Path from the document root to a field of the pod template's metadata (the object's own for a Pod)."""
    base = w.pod_spec_path.rpartition(".")[0] if "." in w.pod_spec_path else ""
    return f"{base}.metadata.{rest}" if base else f"metadata.{rest}"


def _owner_entries(w: Workload) -> list[tuple[str, str, str, str]]:
    """(where, key, value, path) of every label and annotation on the workload, its pod template and Namespace."""
    found = []
    places = [("", w.metadata, "metadata")]
    if w.kind != "Pod":
        places.append(("pod template ", w.pod_metadata, _pod_metadata_path(w, "").rstrip(".")))
    if w.namespace_object is not None:
        places.append((f"Namespace {w.namespace_object.name} ", w.namespace_object.metadata, ""))
    for where, meta, path in places:
        for field_name in ("labels", "annotations"):
            for key, value in mapping(meta.get(field_name)).items():
                found.append((f"{where}{field_name[:-1]} {key}", str(key), "" if value is None else str(value),
                              f"{path}.{field_name}.{key}" if path else ""))
    return found


@check(id="PRC-K8S-110", slug="owner-label", target=Workload, item="ownership", severity="medium",
       fix="Add an owner label naming the owning team, e.g. metadata.labels.team: payments.",
       options={"keys": (["owner", "team", "app.kubernetes.io/owner", "app.kubernetes.io/team", "prc.dev/owner"],
                         "label or annotation keys that name the owning team (compared case-insensitively)")})
def owner_label(w: Workload, opts):
    """What: every workload names its owner: a label or annotation with one of the configured keys (owner, team, app.kubernetes.io/owner, app.kubernetes.io/team, prc.dev/owner by default) and a non-empty value, on the workload, on its pod template, or on its Namespace when that is in the scan.

    Why: during an incident, whoever finds a misbehaving pod must know within seconds which team to page; cost reports, policy exceptions and cleanups need the same answer, and a label is the one place every tool (kubectl, dashboards, alerts) can read it.

    How to fix: add a label such as team: payments to the workload's metadata and its pod template (so it reaches metrics and logs), or once on the Namespace; use the same key across the organisation and list it in the check's keys option if it is not a default.
    """
    keys = {str(k).lower() for k in opts["keys"]}
    candidates = [entry for entry in _owner_entries(w) if entry[1].lower() in keys]
    unresolved = [e for e in candidates if any(marker in e[2] for marker in _VARIABLE_MARKERS)]
    for entry in candidates:
        what, _, value, path = entry
        if value.strip() and entry not in unresolved:
            yield w.ok(f"owned by {value} ({what})", at=path)
            return
    unknown = pod_template_unknown(w)  # the owner may be on the pod template prc could not see
    if unknown:
        yield unknown
        return
    if unresolved:
        what, _, value, path = unresolved[0]
        yield w.unknown(f"{w.kind} {w.name}: {what} is an unresolved variable ({value})", at=path)
    elif candidates:
        what, _, _, path = candidates[0]
        yield w.fail(f"{w.kind} {w.name}: {what} is empty", at=path)
    else:
        names = ", ".join(sorted(str(k) for k in opts["keys"]))
        yield w.fail(f"{w.kind} {w.name} has no owner label or annotation ({names})",
                     at="metadata.labels")
