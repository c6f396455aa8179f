"""`.prc.yaml`: found from the scan root upwards, validated against schemas/config.schema.json."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .discovery import FileReadError, read_text
from .registry import Registry
from .yamlsrc import LDict, LList, YamlError, parse_yaml

CONFIG_NAMES = (".prc.yaml", ".prc.yml")


class ConfigError(Exception):
    """An invalid configuration: every message names the file, the path inside it and the line."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class ServiceDecl:
    name: str
    tier: str | None = None
    paths: tuple[str, ...] = ()
    selector: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    runbook: str = ""
    owner: str = ""
    line: int = 0  # of its entry in .prc.yaml


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    expires: str
    target: str = ""
    path: str = ""
    service: str = ""
    line: int = 0


@dataclass(frozen=True)
class Attestation:
    item: str
    evidence: str
    date: str
    expires: str = ""
    service: str = ""
    by: str = ""


@dataclass
class Config:
    path: str = ""  # as shown to the user; empty when no file was found
    default_tier: str = "standard"
    service_tag: str = "Service"
    # Dockerfile path (relative to the config file) -> image repository it builds.
    builds: dict[str, str] = field(default_factory=dict)
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    services: list[ServiceDecl] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    # Terraform variable files applied to every root module after the automatic tfvars, in order, like
    # `terraform plan -var-file`: relative to the config file's directory (the scan root), or absolute (--var-file).
    terraform_var_files: list[str] = field(default_factory=list)

    def tier_of(self, service: str) -> str:
        for decl in self.services:
            if decl.name == service and decl.tier:
                return decl.tier
        return self.default_tier

    def declared(self, service: str) -> ServiceDecl | None:
        return next((d for d in self.services if d.name == service), None)


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    return json.loads(resources.files("prc_schemas").joinpath(name).read_text(encoding="utf-8"))


def find_config(start: Path) -> Path | None:
    """The nearest .prc.yaml at or above the scan root, not past the repository's top."""
    directory = start if start.is_dir() else start.parent
    for candidate_dir in [directory, *directory.parents]:
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if candidate.is_file():
                return candidate
        if (candidate_dir / ".git").exists():
            return None
    return None


def format_path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_at(data: object, parts) -> int:
    line = getattr(data, "line", 0)
    node = data
    for part in parts:
        if isinstance(node, LDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def load_config(path: Path, display: str, registry: Registry, shown_in_report: str = "") -> Config:
    """`display` names the file in error messages; `shown_in_report` (default the same) in reports, where
    paths are relative to the directory holding the file."""
    try:
        text = read_text(path)
        parsed = parse_yaml(text)
    except (FileReadError, YamlError) as exc:
        where = f"{display}:{exc.line}" if exc.line else display
        raise ConfigError([f"{where}: {exc.message}"]) from None
    data = parsed.documents[0].data if parsed.documents else LDict()
    if len(parsed.documents) > 1:
        raise ConfigError([f"{display}: expected one YAML document, found {len(parsed.documents)}"])
    import jsonschema  # ~50 ms of imports: only when there is a .prc.yaml to validate

    validator = jsonschema.Draft202012Validator(load_schema("config.schema.json"),
                                                format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        raise ConfigError([
            f"{display}: {format_path(e.absolute_path)}: {e.message} (line {_line_at(data, e.absolute_path)})"
            for e in errors
        ])
    config = _build(data, shown_in_report or display)
    problems = _check_references(config, data, display, registry)
    problems += _check_var_files(config, data, display, path)
    if problems:
        raise ConfigError(problems)
    return config


def _build(data: dict, display: str) -> Config:
    checks = data.get("checks", {})
    waivers = data.get("waivers", [])
    services = data.get("services", [])
    return Config(
        path=display,
        default_tier=data.get("default_tier", "standard"),
        service_tag=data.get("service_tag", "Service"),
        # Keys are compared with scan paths, which never start with ./ (as runbook: paths are read).
        builds={b["dockerfile"].removeprefix("./"): b["image"] for b in data.get("builds", [])},
        enable=list(checks.get("enable", [])),
        disable=list(checks.get("disable", [])),
        severity=dict(checks.get("severity", {})),
        options={k: dict(v) for k, v in checks.get("options", {}).items()},
        exclude=list(data.get("exclude", [])),
        terraform_var_files=list(data.get("terraform", {}).get("var_files", [])),
        services=[
            ServiceDecl(s["name"], s.get("tier"), tuple(s.get("paths", [])),
                        tuple(sorted(s.get("selector", {}).items())), tuple(sorted(s.get("tags", {}).items())),
                        s.get("runbook", ""), s.get("owner", ""),
                        services.item_lines[i] if isinstance(services, LList) else 0)
            for i, s in enumerate(services)
        ],
        waivers=[
            Waiver(w["check"], w["reason"], w["expires"], w.get("target", ""), w.get("path", ""),
                   w.get("service", ""), waivers.item_lines[i] if isinstance(waivers, LList) else 0)
            for i, w in enumerate(waivers)
        ],
        attestations=[
            Attestation(a["item"], a["evidence"], a["date"], a.get("expires", ""), a.get("service", ""),
                        a.get("by", ""))
            for a in data.get("attestations", [])
        ],
    )


def _option_problems(check, values: dict, display: str, data: dict, key: str) -> list[str]:
    """Unknown option names, and values whose type differs from the option's default."""
    problems = []
    for name, value in values.items():
        where = f"(line {_line_at(data, ['checks', 'options', key, name])})"
        if name not in check.options:
            known = ", ".join(sorted(check.options)) or "none"
            problems.append(f"{display}: checks.options.{key}.{name}: {check.id} has no such option "
                            f"(known: {known}) {where}")
            continue
        expected = _type_name(check.options[name].default)
        if expected and _type_name(value) != expected and not (expected == "number" and _type_name(value) == "integer"):
            problems.append(f"{display}: checks.options.{key}.{name}: expected {expected} like "
                            f"{check.options[name].default!r}, got {value!r} {where}")
        elif expected == "list" and check.options[name].default:
            inner = _type_name(check.options[name].default[0])
            wrong = [v for v in value if _type_name(v) != inner]
            if wrong:
                problems.append(f"{display}: checks.options.{key}.{name}: expected a list of {inner}s, got "
                                f"{wrong[0]!r} {where}")
    return problems


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return ""


def _check_references(config: Config, data: dict, display: str, registry: Registry) -> list[str]:
    """Names of checks and options must exist: a typo would otherwise silently do nothing."""
    problems = []
    for section in ("enable", "disable"):
        for i, selector in enumerate(getattr(config, section)):
            if not registry.select(selector):
                problems.append(f"{display}: checks.{section}[{i}]: {selector!r} names no check, prefix or category "
                                f"(line {_line_at(data, ['checks', section, i])})")
    for section in ("severity", "options"):
        canonical = {}
        for key, value in getattr(config, section).items():
            found = registry.find(key)
            if found is None:
                problems.append(f"{display}: checks.{section}.{key}: no check has this id or slug "
                                f"(line {_line_at(data, ['checks', section, key])})")
                continue
            # The engine looks checks up by id only, so `prc-k8s-030` and the slug work alike.
            canonical[found.id] = value
            if section == "options":
                problems += _option_problems(found, value, display, data, key)
        setattr(config, section, canonical)
    for i, waiver in enumerate(config.waivers):
        # A waiver names a check by id, slug or id prefix (see suppress.waiver_applies).
        if not registry.select(waiver.check, category=False):
            problems.append(f"{display}: waivers[{i}].check: {waiver.check!r} names no check id, slug or id prefix "
                            f"(line {_line_at(data, ['waivers', i, 'check'])})")
    return problems


def _check_var_files(config: Config, data: dict, display: str, path: Path) -> list[str]:
    """Each var file must be a file inside the directory holding the configuration: a repository's own .prc.yaml
    must not make prc read files outside the tree it scans (--var-file, typed by the user, may point anywhere)."""
    base = Path(os.path.abspath(path)).parent
    real_base = os.path.realpath(base)
    problems = []
    for i, name in enumerate(config.terraform_var_files):
        where = f"(line {_line_at(data, ['terraform', 'var_files', i])})"
        candidate = base / name
        real = os.path.realpath(candidate)
        if os.path.commonpath([real, real_base]) != real_base:
            problems.append(f"{display}: terraform.var_files[{i}]: {name} is outside the directory of this file; "
                            f"give a path inside it, or pass the file with --var-file {where}")
        elif not candidate.is_file():
            problems.append(f"{display}: terraform.var_files[{i}]: no such file: {name} (relative to the directory "
                            f"of this file) {where}")
    return problems
