""".prc-baseline.json: the findings a team has accepted for now, so that only new ones fail the gate.

The file is keyed on fingerprints (check, service, file, target identity and the path inside it, never a
line), so moving code around does not make an accepted finding new. It holds:

- every unsuppressed FAIL and UNKNOWN result. UNKNOWN is in because it keeps a checklist item from holding
  (and so the verdict from being READY) exactly as a FAIL does; leaving it out would make an old repo's
  UNKNOWNs fail every gate. ERROR results are never baselined: they mean input that could not be read or a
  check that crashed, and accepting one would hide a broken scan for good; fix the input or `exclude` it.
- the score of each service, for `--ratchet`;
- the required manual items (attestations) each service lacked, so that an old gap does not fail the
  verdict gate but a new one (an attestation that expired, a service whose tier went up) does.

The format is versioned; nothing in it depends on the date or the machine, so the same findings give the
same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .model import Result, Status
from .report import BaselineDiff, BaselineEntry, Report

FORMAT_VERSION = 1
DEFAULT_NAME = ".prc-baseline.json"
# The statuses a baseline accepts (see the module docstring for why not ERROR).
BASELINED = (Status.FAIL, Status.UNKNOWN)

_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
_ENTRY_FIELDS = ("fingerprint", "check_id", "service", "target", "file", "message")


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and says what to do."""


@dataclass(frozen=True)
class Baseline:
    findings: tuple[BaselineEntry, ...] = ()
    scores: tuple[tuple[str, float | None], ...] = ()  # sorted by service
    manual: tuple[tuple[str, str], ...] = ()  # (service, manual item slug) gaps, sorted
    tool: str = f"prc {__version__}"


def accepted(report: Report) -> list[Result]:
    """The results a baseline holds and a diff matches: unsuppressed FAIL and UNKNOWN."""
    return [r for r in report.results if r.status in BASELINED and not r.suppressed]


def entry_of(r: Result) -> BaselineEntry:
    return BaselineEntry(r.fingerprint, r.check.id, r.service, str(r.target), r.location.file, r.message)


def _entry_key(e: BaselineEntry) -> tuple:
    return (e.service, e.file, e.check_id, e.target, e.fingerprint, e.message)


def _manual_gaps(report: Report) -> set[tuple[str, str]]:
    return {(s.name, m.item.slug) for s in report.services for m in s.manual if m.required and m.status != "attested"}


def _unique(entries) -> tuple[BaselineEntry, ...]:
    seen: dict[str, BaselineEntry] = {}
    for e in sorted(entries, key=_entry_key):
        seen.setdefault(e.fingerprint, e)
    return tuple(sorted(seen.values(), key=_entry_key))


def from_report(report: Report) -> Baseline:
    return Baseline(
        findings=_unique(entry_of(r) for r in accepted(report)),
        scores=tuple(sorted((s.name, s.score) for s in report.services)),
        manual=tuple(sorted(_manual_gaps(report))),
    )


def render(baseline: Baseline) -> str:
    manual: dict[str, list[str]] = {}
    for service, item in baseline.manual:
        manual.setdefault(service, []).append(item)
    document = {
        "version": FORMAT_VERSION,
        "tool": f"prc {__version__}",
        "findings": [{name: getattr(e, name) for name in _ENTRY_FIELDS} for e in baseline.findings],
        "scores": dict(baseline.scores),
        "manual": manual,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _scope(report: Report) -> set[str]:
    """The services this scan judged: a baseline entry of any other service is out of its sight, neither
    found nor fixed (a scan of one directory must not call the rest of the repo fixed)."""
    return {s.name for s in report.services} | {r.service for r in report.results}


def diff(report: Report, baseline: Baseline, shown: str) -> BaselineDiff:
    known = {e.fingerprint for e in baseline.findings}
    found = accepted(report)
    seen = {r.fingerprint for r in found}
    scope = _scope(report)
    return BaselineDiff(
        path=shown,
        new=tuple(r for r in found if r.fingerprint not in known),
        existing=tuple(r for r in found if r.fingerprint in known),
        fixed=tuple(e for e in baseline.findings if e.service in scope and e.fingerprint not in seen),
        scores=baseline.scores,
        new_manual=tuple(sorted(_manual_gaps(report) - set(baseline.manual))),
    )


@dataclass(frozen=True)
class Update:
    baseline: Baseline
    dropped: int  # fixed findings removed
    added: int  # new findings added (--add-new)
    not_added: int  # new findings left out (no --add-new)


def update(baseline: Baseline, report: Report, add_new: bool = False) -> Update:
    """Drop what this scan no longer finds; add what is new only when asked. Scores only go up (the ratchet
    tightens) unless --add-new accepts the scan as it is; services the scan did not see keep everything."""
    d = diff(report, baseline, "")
    fixed = {e.fingerprint for e in d.fixed}
    findings = [e for e in baseline.findings if e.fingerprint not in fixed]
    new_entries = _unique(entry_of(r) for r in d.new)
    if add_new:
        findings += new_entries
    scores = dict(baseline.scores)
    for s in report.services:
        if s.name not in scores:
            if add_new:
                scores[s.name] = s.score
        elif add_new or scores[s.name] is None or (s.score is not None and s.score > scores[s.name]):
            scores[s.name] = s.score
    scope = _scope(report)
    gaps = _manual_gaps(report)
    manual = {m for m in baseline.manual if m[0] not in scope or m in gaps}
    if add_new:
        manual |= gaps
    return Update(Baseline(_unique(findings), tuple(sorted(scores.items())), tuple(sorted(manual))),
                  dropped=len(fixed), added=len(new_entries) if add_new else 0,
                  not_added=0 if add_new else len(new_entries))


def load(path: Path, shown: str) -> Baseline:
    """Read and check a baseline file; BaselineError names the file (and the line for bad JSON)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BaselineError(f"{shown}: no such baseline file; write one with `prc baseline create`") from None
    except IsADirectoryError:
        raise BaselineError(f"{shown}: is a directory, not a baseline file") from None
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot read the baseline: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{shown}: not a prc baseline: not UTF-8 text (byte {exc.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{shown}:{exc.lineno}: not a prc baseline: invalid JSON at line {exc.lineno}, column "
                            f"{exc.colno}: {exc.msg}; restore it from version control or write a new one with "
                            f"`prc baseline create --force`") from None
    return _parse(document, shown)


def _parse(document: object, shown: str) -> Baseline:
    def bad(where: str, what: str) -> BaselineError:
        return BaselineError(f"{shown}: not a usable prc baseline: {where}: {what}")

    if not isinstance(document, dict):
        raise bad("top level", f"expected a JSON object, got {_kind(document)}")
    tool = document.get("tool")
    if not isinstance(tool, str) or not (tool == "prc" or tool.startswith("prc ")):
        raise BaselineError(f"{shown}: not a prc baseline: its \"tool\" is {json.dumps(tool)}, expected \"prc "
                            f"<version>\"")
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise BaselineError(f"{shown}: baseline format version {json.dumps(version)} (written by {tool}) is not "
                            f"one prc {__version__} reads (version {FORMAT_VERSION}); write a new one with "
                            f"`prc baseline create --force`")
    unknown = sorted(set(document) - {"version", "tool", "findings", "scores", "manual"})
    if unknown:
        raise bad(unknown[0], "unknown key")
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise bad("findings", f"expected a list, got {_kind(findings)}")
    entries = []
    for i, raw in enumerate(findings):
        where = f"findings[{i}]"
        if not isinstance(raw, dict):
            raise bad(where, f"expected an object, got {_kind(raw)}")
        missing = [name for name in _ENTRY_FIELDS if name not in raw]
        if missing:
            raise bad(where, f"missing {', '.join(missing)}")
        extra = sorted(set(raw) - set(_ENTRY_FIELDS))
        if extra:
            raise bad(f"{where}.{extra[0]}", "unknown key")
        for name in _ENTRY_FIELDS:
            if not isinstance(raw[name], str):
                raise bad(f"{where}.{name}", f"expected a string, got {_kind(raw[name])}")
        if not _FINGERPRINT.match(raw["fingerprint"]):
            raise bad(f"{where}.fingerprint", f"expected 32 lower-case hex digits, got {raw['fingerprint']!r}")
        entries.append(BaselineEntry(*(raw[name] for name in _ENTRY_FIELDS)))
    scores = document.get("scores", {})
    if not isinstance(scores, dict):
        raise bad("scores", f"expected an object of service: score, got {_kind(scores)}")
    for service, score in scores.items():
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))
                                  or not 0 <= score <= 100):
            raise bad(f"scores.{service}", f"expected a number from 0 to 100 or null, got {json.dumps(score)}")
    manual = document.get("manual", {})
    if not isinstance(manual, dict) or not all(isinstance(v, list) and all(isinstance(i, str) for i in v)
                                               for v in manual.values()):
        raise bad("manual", "expected an object of service: [manual item slugs]")
    return Baseline(
        findings=_unique(entries),
        scores=tuple(sorted((k, None if v is None else float(v)) for k, v in scores.items())),
        manual=tuple(sorted({(service, item) for service, items in manual.items() for item in items})),
        tool=tool,
    )


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def write(path: Path, text: str) -> None:
    """Atomically: an interrupted write never leaves a half-written baseline behind."""
    from .atomic import write_atomically

    write_atomically(path, text)
