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


def _unchanged(result: Result, owner: object, target: object = None) -> Result:
    return result


def run_checks(checks: list[Check], targets: Iterable[object], config: Config,
               suppress: Callable[[Result, object, object], Result] = _unchanged) -> list[Result]:
    """Every selected check on every target of its declared types; `suppress` sees each result with its owner
    and the target it is about."""
    by_type: dict[type, list] = defaultdict(list)
    for target in targets:
        by_type[type(target)].append(target)
    results: list[Result] = []
    for check in checks:
        severity = config.severity.get(check.id)
        info = check.info(Severity(severity) if severity else None)
        options = {**check.default_options(), **config.options.get(check.id, {})}
        for target_type, members in by_type.items():
            if not issubclass(target_type, check.targets):
                continue
            for target in members:
                results.extend(suppress(r, owner, about) for r, owner, about in
                               _run_one(check, info, target, options, severity_fixed=bool(severity)))
    return results


def _run_one(check: Check, info: CheckInfo, target, options: dict,
             severity_fixed: bool = False) -> list[tuple[Result, object, object]]:
    """Results with the object that owns each one (whose annotations and document can suppress it) and the
    target each is about.

    A severity the user set in .prc.yaml wins over one a check sets on a single finding.
    """
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
                                   about.service, None if severity_fixed else outcome.severity, outcome.at),
                        about.owner, about))
        return results
    except Exception as exc:  # one broken check must never abort the scan
        return [(Result(info, Status.ERROR, f"check {check.id} ({check.slug}) crashed: {type(exc).__name__}: {exc}",
                        target.ref, target.locate(""), target.service), target.owner, target)]


PLUGIN_CHECK = CheckInfo("PRC-PLUGIN", "plugin-error", "", "", Severity.HIGH,
                         "Fix or uninstall the plugin package; until then its checks do not run")


def plugin_errors(load_errors: list[str]) -> list[Result]:
    """A plugin that failed to load is an ERROR in the report: its checks silently not running would pass a gate."""
    return [Result(PLUGIN_CHECK, Status.ERROR, error, TargetRef("Plugin", error.split(" ")[2].rstrip(":")),
                   Location("(plugins)"), "", at=error) for error in load_errors]


def input_errors(problems, service_of) -> list[Result]:
    """One ERROR result per problem. Each gets its own fingerprint without using its line: the message and
    how many times the same message came before it in the file."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    results = []
    for p in sorted(problems, key=lambda p: (p.file, p.line, p.message)):
        seen[(p.file, p.message)] += 1
        results.append(Result(INPUT_CHECK, Status.ERROR, p.message, TargetRef("File", p.file), Location(p.file, p.line),
                              service_of(p.file, p.line), at=f"{p.message}#{seen[(p.file, p.message)]}"))
    return results
