"""One scan, in one direction: discover -> load -> link -> services -> checks -> suppressions -> scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import Config
from .discovery import DEFAULT_MAX_FILE_BYTES, FileReadError, Skipped, discover, read_text
from .engine import input_error, run_checks, selected_checks
from .loaders.k8s import LoadedFile, Problem, load_k8s_text
from .loaders.k8s_links import link
from .loaders.kustomize import kustomize_patches
from .model import Result
from .registry import Registry
from .report import Report
from .scoring import score_services
from .services import assign_services, service_names
from .suppress import Suppressor
from .targets import K8sObject, Workload

STDIN = "-"


@dataclass(frozen=True)
class ScanInput:
    paths: tuple[Path, ...]
    root: Path
    stdin_text: str | None = None  # text read from `-`
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES


def load_inputs(scan_input: ScanInput, config: Config) -> tuple[list[LoadedFile], list[Skipped], int]:
    found, skipped = discover(list(scan_input.paths), scan_input.root, config.exclude)
    patches = kustomize_patches(found, scan_input.root, scan_input.max_file_bytes)
    skipped = skipped + [Skipped(display, reason) for display, reason in patches.items()]
    found = [item for item in found if item.display not in patches]
    loaded = []
    for item in found:
        try:
            text = read_text(item.path, scan_input.max_file_bytes)
        except FileReadError as exc:
            failed = LoadedFile(item.display)
            failed.problems.append(Problem(item.display, exc.line, exc.message))
            loaded.append(failed)
            continue
        loaded.append(load_k8s_text(item.display, text))
    if scan_input.stdin_text is not None:
        loaded.append(load_k8s_text(STDIN, scan_input.stdin_text))
    return loaded, skipped, len(found) + (scan_input.stdin_text is not None)


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


def scan(scan_input: ScanInput, config: Config, registry: Registry, today: dt.date) -> Report:
    loaded, skipped, file_count = load_inputs(scan_input, config)
    objects = [obj for f in loaded for obj in f.objects]
    link(objects)
    assign_services(objects, config)

    checks = selected_checks(registry, config)
    known = frozenset({c.id for c in registry.checks} | {c.slug for c in registry.checks})
    suppressor = Suppressor(config, {f.display: f.ignores for f in loaded if f.ignores}, today, known)
    results = run_checks(checks, targets_of(objects), config, suppressor.apply)
    problems = [p for f in loaded for p in f.problems]
    problems += suppressor.invalid_inline() + suppressor.invalid_annotations(objects)
    results += [input_error(p.file, p.line, p.message, _service_at(p.file, p.line, objects)) for p in problems]
    results.sort(key=Result.sort_key)
    scores = score_services(results, service_names(objects, config), config, today)
    skipped_all = sorted(skipped + [s for f in loaded for s in f.skipped], key=lambda s: (s.path, s.reason))
    return Report(
        version=__version__, config_path=config.path, checks=tuple(checks), results=tuple(results),
        services=tuple(scores), skipped=tuple(skipped_all), files_scanned=file_count, today=today.isoformat(),
        objects=len(objects),
    )


def _service_at(file: str, line: int, objects: list[K8sObject]) -> str:
    """The service of the object whose YAML document holds a line: the last one starting at or above it."""
    above = [o for o in objects if o.file == file and o.doc_line <= line]
    return max(above, key=lambda o: o.doc_line).service if above else ""
