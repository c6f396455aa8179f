"""The one result type that crosses every boundary, and the small value types it holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    ERROR = "ERROR"


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHTS[self]

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER.index(self)


SEVERITY_WEIGHTS = {Severity.CRITICAL: 10, Severity.HIGH: 5, Severity.MEDIUM: 2, Severity.LOW: 1}
# Most severe first: the order reports sort by.
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]

CATEGORIES = ("lifecycle", "availability", "capacity", "observability", "security", "release", "operability")

TIERS = ("critical", "standard", "experimental")
# `--fail-on` values (prc.gate reads them); here so the command line is built without importing the gate.
FAIL_ON_CHOICES = ("verdict", "critical", "high", "medium", "low", "never")


@dataclass(frozen=True, order=True)
class Location:
    """Where a node sits: a path relative to the scan root (or `-` for stdin) and a 1-based line."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, order=True)
class TargetRef:
    """The identity of what a result is about, independent of where it is written."""

    kind: str
    name: str
    namespace: str = ""
    # A part inside the object: a container name, a rule index.
    part: str = ""

    def __str__(self) -> str:
        text = f"{self.kind}/{self.namespace + '/' if self.namespace else ''}{self.name}"
        return f"{text}[{self.part}]" if self.part else text


@dataclass(frozen=True)
class Suppression:
    """Why a result does not count: an inline ignore, an annotation or a config waiver."""

    kind: str  # "inline", "annotation" or "waiver"
    reason: str
    expires: str = ""  # ISO date for waivers
    source: str = ""  # where the suppression is written


@dataclass(frozen=True)
class CheckInfo:
    """The part of a check's metadata that a result carries with it."""

    id: str
    slug: str
    item: str
    category: str
    severity: Severity
    remediation: str
    # Lowest tier that requires the check's item to hold; None when it is only recommended.
    required_from: str | None = None


@dataclass(frozen=True)
class Result:
    """One check's verdict on one target."""

    check: CheckInfo
    status: Status
    message: str
    target: TargetRef
    location: Location
    service: str = ""
    # Set when a check lowers or raises its own severity for this result
    # (a partial pass, a restricting condition); otherwise the check's.
    severity_override: Severity | None = None
    # Path inside the target the result points at, part of the fingerprint
    # so two results of one check on one object stay distinct.
    at: str = ""
    suppression: Suppression | None = None
    expired_waiver: Suppression | None = None

    @property
    def severity(self) -> Severity:
        return self.severity_override or self.check.severity

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: check, service, target identity and the path inside it, never a line."""
        # A result about a service as a whole is written where the service happens to be anchored (its first
        # workload's file when .prc.yaml does not declare it); adding a file must not make it a new finding.
        file = "" if self.target.kind == "service" else self.location.file
        key = "\x1f".join(
            [self.check.id, self.service, file, self.target.kind, self.target.namespace,
             self.target.name, self.target.part, self.at]
        )
        # A file name that is not UTF-8 reaches Python with surrogate escapes; it must still hash, and stably.
        return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.service, self.location.file, self.location.line, self.check.id, str(self.target), self.at,
                self.message)


@dataclass(frozen=True)
class Outcome:
    """What a check yields; the engine stamps check metadata, location and service to make a Result."""

    status: Status
    message: str
    at: str = ""
    severity: Severity | None = None
    # The target the outcome is about when it is not the checked one (a
    # workload check that blames its PodDisruptionBudget).
    target: object | None = None
