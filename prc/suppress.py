"""Inline ignores, `prc.dev/ignore` annotations and config waivers: which results they hide, and which are invalid."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import replace

from .config import Config, Waiver
from .discovery import Problem
from .model import Result, Suppression
from .registry import names_check
from .yamlsrc import Ignore

ANNOTATION = "prc.dev/ignore"


def parse_annotation(value: str) -> list[tuple[str, str]]:
    """`PRC-K8S-001: reason; PRC-K8S-030: reason` -> [(check, reason)]; a missing reason gives ''."""
    entries = []
    for part in value.split(";"):
        if not part.strip():
            continue
        check, _, reason = part.partition(":")
        entries.append((check.strip(), reason.strip()))
    return entries


def _matches(result: Result, key: str, prefix: bool = False) -> bool:
    return names_check(key, result.check.id, result.check.slug, prefix=prefix)


def _target_matches(pattern: str, result: Result) -> bool:
    t = result.target
    forms = [f"{t.kind}/{t.name}", f"{t.kind}/{t.namespace or 'default'}/{t.name}", t.name]
    return any(fnmatch.fnmatchcase(form, pattern) for form in forms)


def waiver_applies(waiver: Waiver, result: Result) -> bool:
    if not _matches(result, waiver.check, prefix=True):
        return False
    if waiver.service and waiver.service != result.service:
        return False
    if waiver.target and not _target_matches(waiver.target, result):
        return False
    if waiver.path and not fnmatch.fnmatchcase(result.location.file, waiver.path):
        return False
    return True


class Suppressor:
    """Applies every kind of suppression to results and collects invalid suppressions as problems."""

    def __init__(self, config: Config, ignores_by_file: dict[str, list[Ignore]], today: dt.date,
                 known_checks: frozenset[str] = frozenset()):
        self.config = config
        self.ignores_by_file = ignores_by_file
        self.today = today.isoformat()
        # Ids (upper case) and slugs a suppression may name; empty means "do not check names".
        self.known_checks = known_checks

    def _unknown(self, key: str) -> bool:
        return bool(self.known_checks) and key.upper() not in self.known_checks and key.lower() not in self.known_checks

    def invalid_inline(self) -> list[Problem]:
        problems = []
        for file, ignores in sorted(self.ignores_by_file.items()):
            for ignore in ignores:
                if not ignore.checks:
                    problems.append(Problem(file, ignore.line, "prc:ignore names no check; expected "
                                            "`# prc:ignore PRC-K8S-001 <reason>`"))
                elif not ignore.reason:
                    problems.append(Problem(file, ignore.line, f"prc:ignore {','.join(ignore.checks)} has no reason; "
                                            "it is not applied until a reason follows the check id"))
                for key in ignore.checks:
                    if self._unknown(key):
                        problems.append(Problem(file, ignore.line, f"prc:ignore names {key}, which is no check's id "
                                                "or slug; `prc checks` lists them"))
        return problems

    def invalid_annotations(self, owners) -> list[Problem]:
        problems = []
        for owner in owners:
            value = getattr(owner, "annotations", {}).get(ANNOTATION)
            if value is None:
                continue
            line = owner.locate(f"metadata.annotations.{ANNOTATION}").line
            for check, reason in parse_annotation(value):
                if not reason:
                    problems.append(Problem(owner.file, line, f"{ANNOTATION} entry {check!r} on {owner.kind}/"
                                            f"{owner.name} has no reason; expected `{check}: <reason>`"))
                if self._unknown(check):
                    problems.append(Problem(owner.file, line, f"{ANNOTATION} on {owner.kind}/{owner.name} names "
                                            f"{check}, which is no check's id or slug; `prc checks` lists them"))
        return problems

    def apply(self, result: Result, owner, target=None) -> Result:
        suppression = self._inline(result, owner, target) or self._annotation(result, owner)
        if suppression:
            return replace(result, suppression=suppression)
        expired = None
        for waiver in self.config.waivers:
            if not waiver_applies(waiver, result):
                continue
            found = Suppression("waiver", waiver.reason, waiver.expires, f"{self.config.path}:{waiver.line}")
            if waiver.expires >= self.today:
                return replace(result, suppression=found)
            expired = expired or found
        return replace(result, expired_waiver=expired) if expired else result

    def _inline(self, result: Result, owner, target=None) -> Suppression | None:
        # Whole-object ignores sit above the first line of an object in the result's own file: the owner's,
        # or the object whose pod template it runs (an Argo Rollout's workloadRef).
        # A part written as a block of its own inside the owner (an alert rule of a PrometheusRule) is covered by
        # an ignore above its own first line too.
        part = target if target is not owner and isinstance(getattr(target, "header_line", None), int) else None
        related = [o for o in (owner, getattr(owner, "template_source", None), part) if o is not None]
        header_lines = {o.header_line for o in related if o.file == result.location.file}
        # A result located in another file (a policy read with file()) is also covered by an ignore above
        # the object that owns it.
        for o in related:
            if o.file == result.location.file:
                continue
            for ignore in self.ignores_by_file.get(o.file, ()):
                if ignore.reason and ignore.applies_to == o.header_line and any(_matches(result, k)
                                                                                for k in ignore.checks):
                    return Suppression("inline", ignore.reason, source=f"{o.file}:{ignore.line}")
        for ignore in self.ignores_by_file.get(result.location.file, ()):
            if not ignore.reason or (ignore.applies_to != result.location.line
                                      and ignore.applies_to not in header_lines):
                continue
            if any(_matches(result, key) for key in ignore.checks):
                return Suppression("inline", ignore.reason, source=f"{result.location.file}:{ignore.line}")
        return None

    def _annotation(self, result: Result, owner) -> Suppression | None:
        value = getattr(owner, "annotations", {}).get(ANNOTATION)
        if not value:
            return None
        for check, reason in parse_annotation(value):
            if reason and _matches(result, check):
                line = owner.locate(f"metadata.annotations.{ANNOTATION}").line
                return Suppression("annotation", reason, source=f"{owner.file}:{line}")
        return None
