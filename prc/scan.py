"""One scan, in one direction: discover -> load (per source) -> services -> checks -> suppressions -> scores."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import Config
from .discovery import DEFAULT_MAX_FILE_BYTES, discover, found_dirs
from .engine import input_errors, plugin_errors, run_checks, selected_checks
from .loaders.k8s import STDIN
from .model import Result
from .registry import Registry
from .report import ExpiringWaiver, Report
from .scoring import score_services
from .service_model import RepoFacts, ServiceView, repo_facts, service_views
from .services import Homes, assign_services, service_names, service_of_path
from .sources import LoadContext, Loaded, load_all
from .suppress import Suppressor
from .memory import long_lived, release
from .parsing import Parser
from .timings import Timings, current, phase, recording

__all__ = ["STDIN", "ScanInput", "load_inputs", "scan"]


@dataclass(frozen=True)
class ScanInput:
    paths: tuple[Path, ...]
    root: Path
    stdin_text: str | None = None  # text read from `-`
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    check_links: bool = False  # --check-links: ask whether absolute runbook URLs answer
    jobs: int = 1  # processes parsing files (--jobs); 1 parses here
    cache_dir: Path | None = None  # the parse cache's directory; None: no cache (--no-cache)


def load_inputs(scan_input: ScanInput, config: Config, today: dt.date | None = None) -> tuple[Loaded, RepoFacts]:
    inventory: set[str] = set()
    with phase("discovery"):
        found, skipped = discover(list(scan_input.paths), scan_input.root, config.exclude, inventory)
        scanned_dirs = [d.display for d in found_dirs(scan_input.paths, scan_input.root)]
    if (timings := current()) is not None:
        timings.add("discovery", 0.0, len(found))
    # Each source times its own parsing (sources.load_all).
    parser = _parser(scan_input)
    try:
        with long_lived():
            loaded = load_all(found, LoadContext(scan_input.root, scan_input.max_file_bytes, config,
                                                 scan_input.stdin_text, today, parser))
    finally:
        parser.close()
    if (timings := current()) is not None:
        timings.note("files parsed", ", ".join(f"{count} {how}" for how, count in parser.counts.items() if count)
                     or "none")
    loaded.skipped += skipped
    if scan_input.check_links:
        from .loaders.alerts import ask_runbook_links

        with phase("runbook links (--check-links)"):
            ask_runbook_links(loaded.targets)
    # The repository facts stat a few known paths on disk: that time belongs to the service model they serve.
    with phase("service model"):
        declared = [d.runbook.removeprefix("./") for d in config.services if d.runbook and "://" not in d.runbook]
        repo = repo_facts(scan_input.root, inventory, scanned_dirs, declared)
    return loaded, repo


def _parser(scan_input: ScanInput) -> Parser:
    cache = None
    if scan_input.cache_dir is not None:
        from .parse_cache import ParseCache

        with phase("parse cache (open)"):
            cache = ParseCache.open(scan_input.cache_dir)
    return Parser(scan_input.jobs, cache)


def model_services(scan_input: ScanInput, config: Config,
                   today: dt.date | None = None) -> tuple[Loaded, list[ServiceView]]:
    """Load every input and group it into services: what `prc services` shows and `scan` judges."""
    loaded, repo = load_inputs(scan_input, config, today)
    with phase("service model"):
        assign_services(loaded.owners, config, loaded.targets)
        views = service_views(service_names(loaded.owners, config), loaded.owners, loaded.targets, config, repo)
    return loaded, views


def scan(scan_input: ScanInput, config: Config, registry: Registry, today: dt.date,
         timings: Timings | None = None) -> Report:
    """One scan. With `timings`, where the time went is recorded into it (else into the recorder a caller made
    active with prc.timings.recording, if any); the report is the same either way."""
    if timings is not None:
        with recording(timings):
            return scan(scan_input, config, registry, today)
    try:
        return _scan(scan_input, config, registry, today)
    finally:
        release()


def _scan(scan_input: ScanInput, config: Config, registry: Registry, today: dt.date) -> Report:
    loaded, views = model_services(scan_input, config, today)
    owners = loaded.owners

    checks = selected_checks(registry, config)
    known = frozenset({c.id for c in registry.checks} | {c.slug for c in registry.checks})
    suppressor = Suppressor(config, loaded.ignores, today, known)
    targets = [*loaded.targets, *views]
    with phase("checks", len(checks)):
        results = _run_checks(checks, targets, config, suppressor.apply)
    with phase("results (input errors, sort)"):
        problems = loaded.problems + suppressor.invalid_inline() + suppressor.invalid_annotations(owners)
        results += input_errors(problems, _service_locator(owners, config))
        results += plugin_errors(registry.load_errors)
        results.sort(key=Result.sort_key)
    with phase("scoring"):
        scores = score_services(results, [v.name for v in views], config, today)
    return Report(
        version=__version__, config_path=config.path, checks=tuple(checks), results=tuple(results),
        services=tuple(scores), skipped=tuple(sorted(loaded.skipped, key=lambda s: (s.path, s.reason))),
        files_scanned=loaded.files, objects=len(owners),
        # The date matters only to expiries; without any, the same input gives the same bytes on any day.
        today=today.isoformat() if config.waivers or config.attestations or _dated(owners) else "",
        expiring_waivers=expiring_waivers(config, today),
    )


def _run_checks(checks: list, targets: list, config: Config, suppress) -> list[Result]:
    """run_checks, one check at a time when timings are recorded so each check's seconds are known. The results
    are the same list either way: run_checks goes check by check over the targets in their order."""
    timings = current()
    if timings is None:
        return run_checks(checks, targets, config, suppress)
    results: list[Result] = []
    for check in checks:
        start = time.perf_counter()
        results += run_checks([check], targets, config, suppress)
        timings.add_check(f"{check.id} {check.slug}", time.perf_counter() - start)
    return results


EXPIRY_WARNING_DAYS = 14


def expiring_waivers(config: Config, today: dt.date, days: int = EXPIRY_WARNING_DAYS) -> tuple[ExpiringWaiver, ...]:
    """Waivers still in force that run out within `days` of the scan date (today included: a waiver is in
    force through its expiry date), soonest first, so a team renews or fixes before the gate turns red."""
    found = []
    for w in config.waivers:
        try:
            left = (dt.date.fromisoformat(str(w.expires)) - today).days
        except ValueError:
            continue  # the config schema rejects it; nothing to warn about here
        if 0 <= left <= days:
            scope = ", ".join(f"{name} {value}" for name, value in
                              (("service", w.service), ("target", w.target), ("path", w.path)) if value)
            found.append(ExpiringWaiver(w.check, w.reason, str(w.expires), f"{config.path}:{w.line}", left, scope))
    return tuple(sorted(found, key=lambda e: (e.expires, e.check, e.source, e.scope)))


def _service_locator(owners: list, config: Config):
    """service_at(file, line): the service of the object whose text holds a line (the last one starting at or
    above it), else of a file that yielded no object: the declared service whose paths match it, or the one
    sharing its directory. The indexes are built once, however many problems there are."""
    by_file: dict[str, list] = {}
    for o in owners:
        by_file.setdefault(o.file, []).append(o)
    homes = Homes(owners)

    def service_at(file: str, line: int) -> str:
        above = [o for o in by_file.get(file, ()) if o.header_line <= line]
        if above:
            return max(above, key=lambda o: o.header_line).service
        return service_of_path(file, homes, config) or ""

    return service_at


def _dated(owners: list) -> bool:
    """Whether a document's verdict depends on the date (an SLO with a next review date)."""
    return any(getattr(o, "next_review", "") for o in owners)
