"""The report: data only. Formatters render it; nothing here renders or computes scores."""

from __future__ import annotations

from dataclasses import dataclass, field

from .discovery import Skipped
from .model import Result
from .registry import Check
from .scoring import ServiceScore


@dataclass(frozen=True)
class Gate:
    passed: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    version: str
    config_path: str
    checks: tuple[Check, ...]  # the checks that ran
    results: tuple[Result, ...]  # sorted
    services: tuple[ServiceScore, ...]
    skipped: tuple[Skipped, ...]
    files_scanned: int
    today: str  # ISO date expiries were judged against; "" when the config has none
    objects: int = 0  # Kubernetes objects found; 0 means nothing was checked
    gate: Gate = field(default_factory=lambda: Gate(True))

    @property
    def failures(self) -> list[Result]:
        from .model import Status

        return [r for r in self.results if r.status is Status.FAIL and not r.suppressed]

    @property
    def suppressed(self) -> list[Result]:
        return [r for r in self.results if r.suppressed]

    @property
    def expired_waivers(self) -> list[Result]:
        return [r for r in self.results if r.expired_waiver is not None]
