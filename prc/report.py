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
class BaselineEntry:
    """A finding as a baseline file keeps it: identified by its fingerprint (never by its line)."""

    fingerprint: str
    check_id: str
    service: str
    target: str
    file: str
    message: str


@dataclass(frozen=True)
class BaselineDiff:
    """The findings of this scan against a baseline: what is new (fails the gate), what was already there, and
    what the baseline holds that this scan no longer finds (fixed)."""

    path: str  # the baseline file, as shown to the user
    new: tuple[Result, ...] = ()
    existing: tuple[Result, ...] = ()
    fixed: tuple[BaselineEntry, ...] = ()
    # Service -> its score when the baseline was written, for --ratchet.
    scores: tuple[tuple[str, float | None], ...] = ()
    # (service, manual item slug): required attestations missing or expired now that the baseline did not
    # record as missing; like a new finding, they fail the verdict gate.
    new_manual: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExpiringWaiver:
    """A waiver in .prc.yaml that runs out soon (within 14 days of the scan date)."""

    check: str
    reason: str
    expires: str
    source: str  # .prc.yaml:LINE
    days_left: int
    scope: str = ""  # what the waiver covers besides the check: "service x, target Deployment/y, path z"


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
    baseline: BaselineDiff | None = None  # set when the scan ran with --baseline
    expiring_waivers: tuple[ExpiringWaiver, ...] = ()
    # What was judged when it is not files: "AWS account 123456789012, 2 regions" for an audit; "" for a scan
    # (whose reports count the files read instead). Not part of the JSON report.
    source: str = ""

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
