"""`prc services`: each service with the artifacts it gathered and the rule that put each one there.

The point is steering: a user who sees a Dockerfile or an alarm in the wrong service can tell which rule
matched and fix the label, tag, path or `.prc.yaml` declaration that caused it.
"""

from __future__ import annotations

import json

from ..service_model import ServiceView
from ..services import UNASSIGNED


def member_rows(members: list) -> list[dict]:
    rows = []
    for m in members:
        rows.append({"kind": m.kind, "name": _name(m), "file": m.file, "line": m.header_line,
                     "reason": m.service_reason})
    return sorted(rows, key=lambda r: (r["file"], r["line"], r["kind"], r["name"]))


def _name(member) -> str:
    namespace = getattr(member, "namespace", "")
    return f"{namespace}/{member.name}" if namespace else member.name


def _label(row: dict) -> str:
    # A Terraform address (aws_iam_role.app) or a Dockerfile's path already says what it is.
    return row["name"] if row["kind"] in row["name"] else f"{row['kind']}/{row['name']}"


def as_dict(views: list[ServiceView], unassigned: list) -> dict:
    return {
        "services": [{"name": v.name, "tier": v.tier, "declared": bool(v.declaration),
                      "location": str(v.locate("")), "artifacts": member_rows(v.members)} for v in views],
        "unassigned": member_rows(unassigned),
    }


def render_json(views: list[ServiceView], unassigned: list) -> str:
    return json.dumps(as_dict(views, unassigned), indent=2, sort_keys=True) + "\n"


def render_text(views: list[ServiceView], unassigned: list) -> str:
    lines: list[str] = []
    for v in views:
        origin = f"declared at {v.locate('')}" if v.declaration else "inferred"
        lines.append(f"{v.name}  (tier {v.tier}, {origin}, {len(v.members)} artifact"
                     f"{'' if len(v.members) == 1 else 's'})")
        lines += _table(member_rows(v.members))
        lines.append("")
    if unassigned:
        lines.append(f"{UNASSIGNED}  ({len(unassigned)} artifact{'' if len(unassigned) == 1 else 's'}, "
                     "reported but never scored)")
        lines += _table(member_rows(unassigned))
        lines.append("")
    if not views and not unassigned:
        lines.append("no services: nothing in the scanned paths makes or joins one")
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(rows: list[dict]) -> list[str]:
    cells = [(_label(r), f"{r['file']}:{r['line']}" if r["line"] else r["file"], r["reason"])
             for r in rows]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(2)]
    return [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in cells]
