"""`prc scan --changed FILE...`: judge only the services that own the files a commit changes.

The whole tree under the scan root is still loaded: a service's verdict depends on objects outside the changed
file (the PodDisruptionBudget in another directory, the alarm in Terraform), so scanning only the changed
files, or their directories, would report things as missing that are only elsewhere. What is narrowed is the
report: the services touched by a changed file, their results, and the input errors in the changed files.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from pathlib import Path

from .report import Report
from .services import UNASSIGNED, _path_matches


def relative(files: list[str], root: Path) -> set[str]:
    """Changed files as reports name them: relative to the scan root, with forward slashes."""
    return {Path(os.path.relpath(os.path.abspath(f), root)).as_posix() for f in files}


def touched_services(report: Report, changed: set[str], config_file: str = "") -> set[str]:
    """The services with a result located in a changed file. A changed file with no result of its own (a
    .dockerignore, a values file) touches the services with results in its directory; the config itself
    touches every service (it can move an object to another service or change a tier)."""
    if config_file and config_file in changed:
        return {s.name for s in report.services} | {r.service for r in report.results if r.service}
    by_file: dict[str, set[str]] = {}
    for r in report.results:
        if r.service:
            by_file.setdefault(r.location.file, set()).add(r.service)
    touched: set[str] = set()
    for file in changed:
        if file in by_file:
            touched |= by_file[file]
        else:
            directory = posixpath.dirname(file)
            touched |= {s for f, services in by_file.items() if posixpath.dirname(f) == directory for s in services}
    return touched


def only_changed(report: Report, changed: set[str], config_file: str = "") -> Report:
    touched = touched_services(report, changed, config_file)

    def kept(r) -> bool:
        if r.service == UNASSIGNED or not r.service:
            # Objects outside any service, and input errors outside any object: only those in changed files.
            return r.location.file in changed
        return r.service in touched

    return replace(report, results=tuple(r for r in report.results if kept(r)),
                   services=tuple(s for s in report.services if s.name in touched))


def declared_in_changed(declared: list, changed: set[str], config_file: str = "") -> list:
    """Of the services declared in the config (ServiceDecl), those a change is about: every one when the config
    itself changed, else those whose declared `paths` hold a changed file."""
    if config_file and config_file in changed:
        return list(declared)
    return [d for d in declared if d.paths and any(_path_matches(f, d.paths) for f in changed)]
