"""Where a scan's time goes: the recorder behind `prc scan --timings`.

A `Timings` collects wall-clock seconds (time.perf_counter) per named phase and per check. Code marks a phase
with `with phase("parse terraform"):`; the mark costs next to nothing when no recorder is active, which is the
case unless the command line asked for timings or a caller wrapped its work in `recording(Timings())`.

The active recorder lives in a context variable set by `recording()` and reset when it ends, so nothing leaks
from one scan to the next in one process (tests run many), and each thread sees only its own. Phases nest:
each phase's figure excludes the phases marked inside it (the alert and SLO readers run inside the Kubernetes
source), so the phases add up to the time they cover.

Work done elsewhere (say, parsing in worker processes) reports with `Timings.add(name, seconds, count)`, which
adds to the same figures; the phase names are free text, rendered in a fixed order for the known ones.
"""

from __future__ import annotations

import contextvars
import time
from contextlib import contextmanager, nullcontext
from typing import Iterator

# Known phases, in the order a scan runs them; any other name is printed after these, in the order first seen.
ORDER = (
    "registry (load checks)",
    "config",
    "discovery",
    "parse cache (open)",
    "parse kubernetes",
    "parse alert rules and SLO documents",
    "parse dockerfile",
    "parse terraform",
    "garbage collection",
    "runbook links (--check-links)",
    "service model",
    "checks",
    "results (input errors, sort)",
    "scoring",
    "baseline",
    "gate",
    "rendering",
)

SLOWEST = 5

_current: contextvars.ContextVar["Timings | None"] = contextvars.ContextVar("prc_timings", default=None)
_NOTHING = nullcontext()


class Timings:
    """Seconds per phase and per check, with how many items (files, checks) each phase covered."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.checks: dict[str, float] = {}
        self.notes: dict[str, str] = {}  # facts about the run shown under the figures (how files were parsed)
        self._nested: list[list[float]] = []  # per open phase: seconds spent in phases nested inside it

    @contextmanager
    def phase(self, name: str, count: int = 0) -> Iterator[None]:
        inner = [0.0]
        self._nested.append(inner)
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self._nested.pop()
            self.add(name, max(elapsed - inner[0], 0.0), count)
            if self._nested:
                self._nested[-1][0] += elapsed

    def add(self, name: str, seconds: float, count: int = 0) -> None:
        self.phases[name] = self.phases.get(name, 0.0) + seconds
        if count:
            self.counts[name] = self.counts.get(name, 0) + count

    def add_check(self, check: str, seconds: float) -> None:
        self.checks[check] = self.checks.get(check, 0.0) + seconds

    def note(self, name: str, text: str) -> None:
        self.notes[name] = text

    def total(self) -> float:
        return sum(self.phases.values())

    def render(self, wall: float | None = None) -> str:
        """The table `--timings` prints. `wall`, when given, is the time the whole command took; what the
        phases do not cover (imports, argument parsing, writing) is shown as `other`."""
        names = [n for n in ORDER if n in self.phases] + [n for n in self.phases if n not in ORDER]
        width = max([len(n) for n in names] + [len("other (imports, arguments)"), 24])
        lines = ["prc: timings (wall-clock seconds; a phase excludes the phases nested in it)"]
        for name in names:
            count = self.counts.get(name)
            what = " checks" if name == "checks" else " files" if name.startswith(("parse ", "discovery")) else ""
            lines.append(f"  {name:<{width}} {self.phases[name]:8.3f}" + (f"  ({count}{what})" if count else ""))
            if name == "checks" and self.checks:
                slowest = sorted(self.checks.items(), key=lambda item: (-item[1], item[0]))[:SLOWEST]
                for check, seconds in slowest:
                    lines.append(f"    {check:<{width - 2}} {seconds:8.3f}")
        lines += [f"  {name}: {text}" for name, text in self.notes.items()]
        covered = self.total()
        if wall is not None:
            lines.append(f"  {'other (imports, arguments)':<{width}} {max(wall - covered, 0.0):8.3f}")
            lines.append(f"  {'total':<{width}} {wall:8.3f}")
        else:
            lines.append(f"  {'total':<{width}} {covered:8.3f}")
        return "\n".join(lines) + "\n"


def current() -> Timings | None:
    """The active recorder, or None when nobody asked for timings."""
    return _current.get()


def phase(name: str, count: int = 0):
    """A context manager timing `name` into the active recorder; a no-op without one."""
    timings = _current.get()
    return _NOTHING if timings is None else timings.phase(name, count)


@contextmanager
def recording(timings: Timings | None) -> Iterator[Timings | None]:
    """Make `timings` the active recorder for the block (None: record nothing), then restore the previous one."""
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)
