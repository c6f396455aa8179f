"""Run checks on the targets they declare and turn what they yield into Results."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from .config import Config
from .model import CheckInfo, Location, Outcome, Result, Severity, Status, TargetRef
from .registry import Check, Registry

# Input that could not be read is reported through the same Result type as
# check verdicts, under this pseudo-check, so every formatter shows it.
INPUT_CHECK = CheckInfo("PRC-INPUT", "input-error", "", "", Severity.HIGH,
                        "Fix the file so it parses as intended, or exclude its path in .prc.yaml")


def selected_checks(registry: Registry, config: Config) -> list[Check]:
    if config.enable:
        chosen = {c.id: c for selector in config.enable for c in registry.select(selector)}
    else:
        chosen = {c.id: c for c in registry.checks if c.enabled_by_default}
    for selector in config.disable:
        for c in registry.select(selector):
            chosen.pop(c.id, None)
    return sorted(chosen.values(), key=lambda c: c.id)


def _configured(check: Check, table: dict):
    return table.get(check.id, table.get(check.slug))


def _unchanged(result: Result, owner: object) -> Result:
    return result


def run_checks(checks: list[Check], targets: Iterable[object], config: Config,
               suppress: Callable[[Result, object], Result] = _unchanged) -> list[Result]:
    """Every selected check on every target of its declared types; `suppress` sees each result with its owner."""
    by_type: dict[type, list] = defaultdict(list)
    for target in targets:
        by_type[type(target)].append(target)
    results: list[Result] = []
    for check in checks:
        severity = _configured(check, config.severity)
        info = check.info(Severity(severity) if severity else None)
        options = {**check.default_options(), **(_configured(check, config.options) or {})}
        for target_type, members in by_type.items():
            if not issubclass(target_type, check.targets):
                continue
            for target in members:
                results.extend(suppress(r, owner) for r, owner in _run_one(check, info, target, options))
    return results


def _run_one(check: Check, info: CheckInfo, target, options: dict) -> list[tuple[Result, object]]:
    """Results with the object that owns each one (whose annotations and document can suppress it)."""
    # Turning outcomes into results is guarded too: a check that yields something
    # other than an Outcome, or an `at` that cannot be located, is as broken as
    # one that raises, and must not abort the scan either.
    try:
        results = []
        for outcome in check.run(target, options):
            if not isinstance(outcome, Outcome):
                raise TypeError(f"yielded {type(outcome).__name__} {outcome!r} instead of an Outcome")
            about = outcome.target or target
            results.append((Result(info, outcome.status, outcome.message, about.ref, about.locate(outcome.at),
                                   about.service, outcome.severity, outcome.at), about.owner))
        return results
    except Exception as exc:  # one broken check must never abort the scan
        return [(Result(info, Status.ERROR, f"check {check.id} ({check.slug}) crashed: {type(exc).__name__}: {exc}",
                        target.ref, target.locate(""), target.service), target.owner)]


def input_error(file: str, line: int, message: str, service: str = "") -> Result:
    return Result(INPUT_CHECK, Status.ERROR, message, TargetRef("File", file), Location(file, line), service)
