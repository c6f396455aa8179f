"""Plan files: the JSON of `terraform show -json PLANFILE`.

Read: `format_version` (0.x and 1.x: Terraform 0.12 to 1.x), `terraform_version`, and every resource of
`planned_values` (the root module and nested `child_modules`) with its address, mode, type, name, index
and values. Attributes the plan marks unknown in `resource_changes[].change.after_unknown` are
Unresolved ("known only after apply"), never left out or guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .terraform_eval import Unresolved
from .terraform_hcl import LineIndex

SUPPORTED_MAJORS = (0, 1)

# `module.a["x"].module.b[0].data.aws_iam_policy_document.p[2]`, quoted keys may hold dots.
_INDEX = r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]'
_MODULE_STEP = re.compile(r'module\.([^.\[\]]+)(' + _INDEX + r')?\.')
_RESOURCE = re.compile(r'(data\.)?([^.\[\]]+)\.([^.\[\]]+)(' + _INDEX + r')?$')
_ADDRESS_KEY = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


class PlanError(Exception):
    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class PlanResource:
    address: str  # as in the plan, instance keys included: module.app.aws_instance.web[0]
    block_address: str  # without instance keys: module.app.aws_instance.web
    module: tuple[str, ...]
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: object  # None, an int (count) or a str (for_each)
    values: dict
    line: int  # of the resource's "address" key in planned_values


@dataclass
class PlanFile:
    display: str
    format_version: str
    terraform_version: str
    resources: list[PlanResource] = field(default_factory=list)


def parse_address(address: str) -> tuple[tuple[str, ...], str, str, str, object] | None:
    """(module path, mode, type, name, index) of a resource instance address; None when it is not one."""
    pos = 0
    modules = []
    while True:
        match = _MODULE_STEP.match(address, pos)
        if not match:
            break
        modules.append(match.group(1))
        pos = match.end()
    match = _RESOURCE.match(address, pos)
    if not match:
        return None
    index = match.group(4)
    if index:
        inner = index[1:-1]
        index = json.loads(inner) if inner.startswith('"') else int(inner)
    return tuple(modules), "data" if match.group(1) else "managed", match.group(2), match.group(3), index


def block_address(modules: tuple[str, ...], mode: str, type_: str, name: str) -> str:
    prefix = "".join(f"module.{m}." for m in modules)
    return f"{prefix}{'data.' if mode == 'data' else ''}{type_}.{name}"


def looks_like_plan(data: object) -> bool:
    return isinstance(data, dict) and "format_version" in data and (
        "planned_values" in data or "resource_changes" in data)


def _key_line(text: str, key: str) -> int:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def check_version(data: dict, text: str) -> str:
    version = data.get("format_version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+(\.\d+)*", version):
        raise PlanError(f"plan format_version {json.dumps(version)} is not a version number like \"1.2\"",
                        _key_line(text, "format_version"))
    major = int(version.split(".")[0])
    if major not in SUPPORTED_MAJORS:
        raise PlanError(
            f'plan format_version "{version}" is not supported: prc reads format_version 0.x and 1.x '
            "(terraform show -json from Terraform 0.12 to 1.x); the plan was not read",
            _key_line(text, "format_version"))
    return version


def _with_unknown(values: object, unknown: object, path: str, address: str) -> object:
    """`values` with the parts `after_unknown` marks true replaced by Unresolved."""
    if unknown is True:
        return Unresolved(f"{address}.{path}" if path else address,
                          "known only after apply (the plan marks it unknown)")
    if isinstance(unknown, dict):
        out = dict(values) if isinstance(values, dict) else {}
        for key, marker in unknown.items():
            out[key] = _with_unknown(out.get(key), marker, f"{path}.{key}" if path else key, address)
        return out
    if isinstance(unknown, list):
        items = list(values) if isinstance(values, list) else []
        for i, marker in enumerate(unknown):
            if i < len(items):
                items[i] = _with_unknown(items[i], marker, f"{path}[{i}]", address)
            elif marker is not False:
                items.append(_with_unknown(None, marker, f"{path}[{i}]", address))
        return items
    return values


def read_plan(display: str, text: str, data: dict) -> PlanFile:
    """The resources of a plan already decoded from `text`; PlanError for an unsupported or broken plan."""
    version = check_version(data, text)
    plan = PlanFile(display, version, str(data.get("terraform_version", "")))
    planned = data.get("planned_values")
    if not isinstance(planned, dict):
        return plan
    unknowns: dict[str, object] = {}
    for change in _list(data.get("resource_changes")):
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            after_unknown = change["change"].get("after_unknown")
            # Terraform writes an object (attribute -> marker); anything else says nothing about the attributes.
            if isinstance(after_unknown, dict) and isinstance(change.get("address"), str):
                unknowns[change["address"]] = after_unknown
    lines = _address_lines(text)
    stack = [planned.get("root_module")]
    while stack:
        module = stack.pop(0)
        if not isinstance(module, dict):
            continue
        for raw in _list(module.get("resources")):
            resource = _resource(raw, unknowns, lines)
            if resource is not None:
                plan.resources.append(resource)
        stack.extend(_list(module.get("child_modules")))
    return plan


def _list(value: object) -> list:
    """A JSON array of the plan, or nothing when the plan holds something else there (a hand-edited plan)."""
    return value if isinstance(value, list) else []


def _resource(raw: object, unknowns: dict, lines: dict) -> PlanResource | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("address"), str):
        return None
    address = raw["address"]
    parsed = parse_address(address)
    if parsed is None:
        return None
    modules, mode, type_, name, index = parsed
    # The address decides what the plan's own fields do not say well: a mode other than managed/data, or an
    # instance key that is neither a count index nor a for_each key (a list would not even be hashable).
    mode = raw["mode"] if raw.get("mode") in ("managed", "data") else mode
    raw_index = raw.get("index", index)
    if raw_index is not None and (isinstance(raw_index, bool) or not isinstance(raw_index, (int, str))):
        raw_index = index
    values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
    if address in unknowns:
        values = _with_unknown(values, unknowns[address], "", address)
    return PlanResource(address, block_address(modules, mode, type_, name), modules, mode,
                        str(raw.get("type", type_)), str(raw.get("name", name)), raw_index, values,
                        lines.get(address, 1))


def _address_lines(text: str) -> dict[str, int]:
    """Line of the first `"address": "..."` of each address inside planned_values (scanning the text is
    cheaper than a line-aware JSON parser, and the address key is unique per resource there)."""
    start = text.find('"planned_values"')
    if start < 0:
        return {}
    index = LineIndex(text)
    found: dict[str, int] = {}
    for match in _ADDRESS_KEY.finditer(text, start):
        try:
            address = json.loads(f'"{match.group(1)}"')
        except json.JSONDecodeError:
            continue
        found.setdefault(address, index.line(match.start()))
    return found
