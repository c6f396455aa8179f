"""SLO documents: prc's own format (schemas/slo.schema.json), OpenSLO v1 and Sloth, read into one `Slo` per objective.

Each format says some things and not others; the loader records what the document says, where, and in which unit,
and never judges whether it is enough (PRC-SLO-001 and PRC-SLO-002 do):

- prc (`apiVersion: prc.dev/v1`, `kind: SLO`): the SLOs of one service with their owner, approver, dates, next
  review and error budget policy, validated against the schema. Targets are percentages.
- OpenSLO (`apiVersion: openslo/v1`, `kind: SLO`): one SLO per document, one `Slo` per entry of
  `spec.objectives` (`target` is a fraction, `targetPercent` a percentage). OpenSLO has no owner, approver, dates
  or policy fields, so they are read from `metadata.annotations` under `prc.dev/` (the owner also from a `team`
  or `owner` label).
- Sloth (`version: prometheus/v1`, and the `sloth.slok.dev/v1` PrometheusServiceLevel object whose `spec` has the
  same shape): one `Slo` per entry of `slos`; `objective` is a percentage. The window is not in a Sloth document
  (it is `sloth generate --default-slo-period`, 30d unless set), so it is Sloth's default unless the document
  says otherwise. A plain Sloth file keeps prc's fields in a top-level `x-prc` block, which Sloth ignores; the
  object keeps them in `prc.dev/` annotations.

Targets are stored as fractions (0.999). A value that cannot be meant as written (100%, a fraction in a
percentage field, a percentage in a fraction field) is a problem with file and line, and the `Slo` keeps the field
as unusable, with the reason, instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..config import _line_at, format_path, load_schema
from ..discovery import Problem, Skipped
from ..model import Location, TargetRef
from ..targets import Artifact, mapping
from ..yamlsrc import Document, LDict, LList, line_of

if TYPE_CHECKING:  # pragma: no cover
    import jsonschema  # imported where used: _validator

    from ..sources import Loaded

PRC = "prc"
OPENSLO = "openslo"
SLOTH = "sloth"
SLOTH_CRD = "sloth-crd"

PRC_API_VERSION = "prc.dev/v1"
OPENSLO_API_VERSION = "openslo/v1"
SLOTH_VERSION = "prometheus/v1"
SLOTH_CRD_API_GROUP = "sloth.slok.dev/"
SLOTH_DEFAULT_WINDOW = "30d"
ANNOTATION_PREFIX = "prc.dev/"

# No real objective lets half of its events fail: a value below this is a fraction typed into a percentage
# field, or a typo, and is refused rather than read literally.
MIN_OBJECTIVE = 0.5

# Fields every format can give, in the order PRC-SLO-001 lists them.
FIELDS = ("sli", "objective", "window", "owner", "approver", "created", "approved", "next_review")
FIELD_LABELS = {"sli": "SLI definition", "objective": "target", "window": "window", "owner": "owner",
                "approver": "approver", "created": "created date", "approved": "approved date",
                "next_review": "next review date", "policy": "error budget policy"}

# How each format spells a field: what a message tells the user to add.
_ANNOTATED_KEYS = {"owner": "annotation prc.dev/owner", "approver": "annotation prc.dev/approver",
                   "created": "annotation prc.dev/created", "approved": "annotation prc.dev/approved",
                   "next_review": "annotation prc.dev/next-review", "window": "annotation prc.dev/window",
                   "policy.actions": "annotation prc.dev/error-budget-actions",
                   "policy.escalation": "annotation prc.dev/error-budget-escalation"}
FIELD_KEYS = {
    PRC: {"sli": "sli", "objective": "target", "window": "window", "owner": "owner", "approver": "approver",
          "created": "created", "approved": "approved", "next_review": "nextReview",
          "policy.actions": "errorBudgetPolicy.whenExhausted", "policy.escalation": "errorBudgetPolicy.escalation"},
    OPENSLO: {**_ANNOTATED_KEYS, "sli": "spec.indicator (or indicatorRef)",
              "objective": "target (or targetPercent)", "window": "spec.timeWindow"},
    SLOTH: {"sli": "sli", "objective": "objective", "window": "x-prc.window", "owner": "x-prc.owner",
            "approver": "x-prc.approver", "created": "x-prc.created", "approved": "x-prc.approved",
            "next_review": "x-prc.nextReview", "policy.actions": "x-prc.errorBudgetPolicy.whenExhausted",
            "policy.escalation": "x-prc.errorBudgetPolicy.escalation"},
    SLOTH_CRD: {**_ANNOTATED_KEYS, "sli": "sli", "objective": "objective"},
}


@dataclass(frozen=True)
class Sli:
    """What an SLO measures. `queries` are (role, text) pairs, the text as written (PromQL with Sloth's
    `{{.window}}` left in). Roles: good, bad, total (a ratio of events), error_ratio / success_ratio (a ratio
    already computed), value (a query whose value is compared with `threshold`)."""

    kind: str  # ratio, latency, raw, threshold, plugin, ref
    queries: tuple[tuple[str, str], ...] = ()
    threshold: str = ""  # a latency threshold (300ms) or an OpenSLO comparison (lte 0.3)
    ref: str = ""  # the OpenSLO indicatorRef, or the Sloth plugin id
    incomplete: str = ""  # why the definition cannot be evaluated; "" when it can

    def query(self, role: str) -> str:
        return next((text for r, text in self.queries if r == role), "")


@dataclass(frozen=True)
class ErrorBudgetPolicy:
    """What the team does when the budget is spent (`actions`) and who is told and decides (`escalation`)."""

    actions: tuple[str, ...] = ()
    escalation: tuple[str, ...] = ()
    url: str = ""  # where the full policy is written
    path: str = ""  # where the policy is in the document


@dataclass(eq=False)
class Slo(Artifact):
    """One objective of one SLO document. `name` is `service/slo` (the SLO's own name is `slo_name`).

    Fields the document does not give are "" or None; fields it gives in a form that cannot be used are None too,
    with the reason in `invalid` (keyed like FIELDS, plus "policy"). `paths` maps a field to where it is written
    in `doc`, for `locate`.
    """

    explicit_hint = True  # the document's `service` field names its service

    @property
    def hint_reason(self) -> str:
        return f"its service field names {self.service_hint}"


    format: str = ""
    slo_name: str = ""
    description: str = ""
    namespace: str = ""
    # Distinguishes objectives of one OpenSLO document, and SLOs that share a name in one document.
    part: str = ""
    objective: float | None = None  # a fraction: 0.999
    objective_text: str = ""  # as written, with its field: "targetPercent: 99.9"
    window_seconds: int | None = None
    window_text: str = ""  # as written: 28d, 1M
    window_default: bool = False  # not in the document: Sloth's default period
    window_rolling: bool = True
    budgeting_method: str = ""
    sli: Sli | None = None
    owned_by: str = ""
    approver: str = ""
    created: str = ""  # ISO dates
    approved: str = ""
    next_review: str = ""
    policy: ErrorBudgetPolicy | None = None
    # Multiwindow burn-rate alerts the tool that reads this document generates itself (Sloth: page and ticket,
    # unless disabled); empty for formats that generate none.
    generated_alerts: tuple[str, ...] = ()
    # The scan's date when the loader was given one (ISO); "" when not, and then nothing can be overdue.
    as_of: str = ""
    doc: LDict = field(default_factory=LDict)
    base: str = ""  # path of this SLO's entry in `doc`
    document_line: int = 0
    paths: dict = field(default_factory=dict)
    invalid: dict = field(default_factory=dict)

    @property
    def header_line(self) -> int:
        """The document's first line: an ignore above it covers all of its SLOs, and input problems anywhere in
        the document belong to its service."""
        return self.document_line or self.line

    @property
    def ref(self) -> TargetRef:
        return TargetRef(self.kind, self.name, self.namespace, self.part)

    @property
    def annotations(self) -> dict:
        """The document's Kubernetes-style annotations (OpenSLO, the Sloth object), so `prc.dev/ignore` works."""
        if self.format not in (OPENSLO, SLOTH_CRD):
            return {}
        return {str(k): str(v) for k, v in mapping(mapping(self.doc.get("metadata")).get("annotations")).items()}

    def path(self, name: str) -> str:
        """Where a field is written, or this SLO's entry when it is not."""
        return self.paths.get(name, self.base)

    def key(self, name: str) -> str:
        """How this SLO's format spells a field: what to add when it is missing."""
        return FIELD_KEYS.get(self.format, {}).get(name, name)

    def locate(self, at: str) -> Location:
        return Location(self.file, (line_of(self.doc, at) if at else 0) or self.line)


# --------------------------------------------------------------------------- values


_DURATION_RE = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")
# OpenSLO's calendar units have no fixed length; these nominal ones serve for arithmetic only.
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "M": 30 * 86400, "Q": 90 * 86400,
                 "Y": 365 * 86400}
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_window(text: object, calendar_units: bool = False) -> int | None:
    """Seconds in a duration shorthand (28d, 4w, 12h; with `calendar_units` also OpenSLO's 1M, 1Q, 1Y), or None."""
    if not isinstance(text, str):
        return None
    match = _DURATION_RE.match(text.strip())
    if not match or (match.group(2) in "MQY" and not calendar_units):
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _num(value: float) -> str:
    return format(round(value, 10), "g")


def objective_from(value: object, unit: str, alternative: str = "") -> tuple[float | None, str]:
    """A target written in `unit` ("percent" or "fraction") as a fraction, or None and why it cannot be meant
    as written. `alternative` names the field to use for the other unit, when the format has one."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None, f"{value!r} is not a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"{value!r} is not a number"
    if unit == "percent":
        return _from_percent(float(value), alternative)
    return _from_fraction(float(value), alternative)


def _from_percent(value: float, alternative: str) -> tuple[float | None, str]:
    shown = _num(value)
    if value == 100:
        return None, "100 is not below 100 (a target of 100% leaves no error budget)"
    if value > 100:
        return None, f"{shown} is above 100 (this field is a percentage)"
    if value <= 0:
        return None, f"{shown} is not above 0"
    if value <= 1:
        other = f", or {alternative}: {shown} for a fraction" if alternative else ""
        return None, (f"{shown} is a percentage here, so it would mean {shown}%: write {_num(value * 100)} for "
                      f"{_num(value * 100)}%{other}")
    if value < MIN_OBJECTIVE * 100:
        return None, (f"{shown} would mean {shown}% (letting {_num(100 - value)}% of events fail); a target below "
                      f"{_num(MIN_OBJECTIVE * 100)}% is taken for a typo: write the percentage of good events, "
                      "like 99.9")
    return round(value / 100, 12), ""


def _from_fraction(value: float, alternative: str) -> tuple[float | None, str]:
    shown = _num(value)
    if value == 1:
        return None, "1 is not below 1 (a target of 100% leaves no error budget)"
    if value > 1:
        other = f"; for a percentage write {alternative}: {shown}" if alternative and value < 100 else ""
        return None, f"{shown} is above 1, but this field is a fraction (0.999 means 99.9%){other}"
    if value <= 0:
        return None, f"{shown} is not above 0"
    if value < MIN_OBJECTIVE:
        return None, (f"{shown} would mean {_num(value * 100)}% (letting {_num(100 - value * 100)}% of events fail); "
                      f"a target below {_num(MIN_OBJECTIVE * 100)}% is taken for a typo: write the fraction of good "
                      "events, like 0.999")
    return value, ""


def _date_problem(value: object) -> str:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return f"{value!r} is not a date like 2026-01-31"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a calendar date"
    return ""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _steps(value: object) -> tuple[str, ...]:
    """Policy steps: a list of strings, or one string with one step per line (an annotation)."""
    if isinstance(value, list):
        return tuple(s.strip() for s in value if isinstance(s, str) and s.strip())
    if isinstance(value, str):
        lines = (re.sub(r"^\s*(?:[-*]|\d+[.)])\s+", "", line).strip() for line in value.splitlines())
        return tuple(line for line in lines if line)
    return ()


def _as_of(ctx) -> str:
    today = getattr(ctx, "today", None)
    if today is None:
        return ""
    return today.isoformat() if hasattr(today, "isoformat") else str(today)


# --------------------------------------------------------------------------- reading one document


class _Reading:
    """What reading one document produced: its Slos and its problems."""

    def __init__(self, display: str, document: Document, ctx, fmt: str):
        self.display = display
        self.doc = document.data
        self.document_line = document.line
        self.ctx = ctx
        self.format = fmt
        self.slos: list[Slo] = []
        self.problems: list[Problem] = []
        self.skipped: list[Skipped] = []
        # Path (a tuple) where the schema found an error -> the message: values there are not used.
        self.rejected: dict[tuple, str] = {}

    def problem(self, path: str | tuple, message: str) -> None:
        parts = tuple(path) if isinstance(path, tuple) else None
        line = _line_at(self.doc, parts) if parts is not None else line_of(self.doc, path)
        shown = format_path(parts) if parts is not None else path
        self.problems.append(Problem(self.display, line or self.document_line, f"{shown}: {message}"))

    def reject(self, parts: tuple, message: str) -> None:
        self.rejected.setdefault(parts, message)
        self.problem(parts, message)

    def is_rejected(self, parts: tuple) -> bool:
        return any(bad[:len(parts)] == parts for bad in self.rejected)

    def rejected_reason(self, parts: tuple) -> str:
        """Why the value at a path was rejected (naming the part inside it, when the error is deeper)."""
        for bad, message in sorted(self.rejected.items(), key=lambda item: tuple(map(str, item[0]))):
            if bad[:len(parts)] == parts:
                inner = bad[len(parts):]
                return f"{format_path(inner)}: {message}" if inner else message
        return ""

    def new_slo(self, service: str, slo_name: str, base: str, line: int, **values) -> Slo:
        service_tag = getattr(getattr(self.ctx, "config", None), "service_tag", "Service")
        name = f"{service}/{slo_name}" if service else slo_name
        slo = Slo("SLO", name, self.display, line or self.document_line, service_hint=service,
                  # An SLO document names its service outright, which says more than the directory it sits in.
                  tags={service_tag: service} if service else {},
                  format=self.format, slo_name=slo_name, doc=self.doc, base=base,
                  document_line=self.document_line, as_of=_as_of(self.ctx), **values)
        self.slos.append(slo)
        return slo

    def loaded(self) -> "Loaded":
        from ..sources import Loaded

        _distinguish_duplicates(self)
        problems = sorted(set(self.problems), key=lambda p: (p.line, p.message))
        return Loaded(owners=list(self.slos), targets=list(self.slos), problems=problems, skipped=self.skipped)


def _distinguish_duplicates(reading: _Reading) -> None:
    """Two SLOs sharing a name in one document get distinct identities (and so fingerprints); the second one
    is also a problem, since the tools that read these documents would make one SLO of them."""
    seen: dict[tuple[str, str], list[Slo]] = {}
    for slo in reading.slos:
        same = seen.setdefault((slo.name, slo.part), [])
        same.append(slo)
        if len(same) > 1:
            reading.problem(slo.path("name"), f"{slo.slo_name} is also the name of the SLO at line {same[0].line}; "
                                              "SLO names must be unique within a service")
            slo.part = f"{slo.part}#{len(same)}"


def from_document(display: str, document: Document, ctx):
    """A `Loaded` with one Slo per objective when the document is an SLO document prc reads; None otherwise.
    `ctx` is the scan's LoadContext (None in unit tests); its `today`, when it has one, dates the review checks."""
    data = document.data
    if not isinstance(data, dict):
        return None
    fmt = _format_of(data)
    if fmt is None:
        return None
    reading = _Reading(display, document, ctx, fmt)
    {PRC: _read_prc, OPENSLO: _read_openslo, SLOTH: _read_sloth, SLOTH_CRD: _read_sloth_crd}[fmt](reading)
    return reading.loaded()


_PRC_KIND_RE = re.compile(r"^(slos?|service-?level-?objectives?)$", re.IGNORECASE)


def _format_of(data: dict) -> str | None:
    api, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api, str):
        if api.startswith("prc.dev/") and isinstance(kind, str) and _PRC_KIND_RE.match(kind):
            return PRC
        if api.startswith("openslo/"):
            return OPENSLO
        if api.startswith(SLOTH_CRD_API_GROUP) and kind == "PrometheusServiceLevel":
            return SLOTH_CRD
        return None
    version = data.get("version")
    if isinstance(version, str) and version.startswith("prometheus/") and ("slos" in data or "service" in data):
        return SLOTH
    return None


# --------------------------------------------------------------------------- prc's format


def _read_prc(r: _Reading) -> None:
    doc = r.doc
    if doc.get("apiVersion") != PRC_API_VERSION:
        r.problem("apiVersion", f"{doc.get('apiVersion')} is not a version this prc reads (expected {PRC_API_VERSION})")
        return
    if doc.get("kind") != "SLO":
        r.problem("kind", f"{doc.get('kind')}: a {PRC_API_VERSION} SLO document has kind: SLO")
        return
    for parts, message in schema_problems(doc):
        r.reject(parts, message)
    slos = doc.get("slos")
    if not isinstance(slos, list):
        return
    service = _text(doc.get("service")) if not r.is_rejected(("service",)) else ""
    common = _governance(r, doc, ())
    for index, entry in enumerate(slos):
        if isinstance(entry, dict):
            _prc_slo(r, service, index, entry, common)


def _prc_slo(r: _Reading, service: str, index: int, entry: LDict, common: dict) -> None:
    at = ("slos", index)
    base = format_path(at)
    name = _text(entry.get("name")) if not r.is_rejected(at + ("name",)) else ""
    values = dict(common, paths=dict(common["paths"]), invalid=dict(common["invalid"]))
    values["description"] = _text(entry.get("description"))
    slo = r.new_slo(service, name or base, base, r.doc["slos"].item_lines[index], **values)
    slo.paths["name"] = f"{base}.name"
    if "target" in entry:
        slo.paths["objective"] = f"{base}.target"
        slo.objective_text = f"target: {_num(entry['target'])}" if _is_number(entry["target"]) else ""
        if r.is_rejected(at + ("target",)):
            slo.invalid["objective"] = r.rejected_reason(at + ("target",))
        else:
            slo.objective = round(entry["target"] / 100, 12)
    if "window" in entry:
        slo.paths["window"] = f"{base}.window"
        _set_window(r, slo, entry["window"], at + ("window",))
    if "sli" in entry:
        slo.paths["sli"] = f"{base}.sli"
        if r.is_rejected(at + ("sli",)):
            slo.invalid["sli"] = r.rejected_reason(at + ("sli",))
        else:
            slo.sli = _prc_sli(mapping(entry["sli"]))


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _set_window(r: _Reading, slo: Slo, value: object, parts: tuple, calendar_units: bool = False) -> None:
    slo.window_text = value if isinstance(value, str) else str(value)
    if r.is_rejected(parts):
        slo.invalid["window"] = r.rejected_reason(parts)
        return
    seconds = parse_window(value, calendar_units)
    if seconds is None:
        units = "m, h, d, w, M, Q or Y" if calendar_units else "m, h, d or w"
        reason = f"{value!r} is not a duration like 28d or 4w (a whole number and {units})"
        r.problem(parts, reason)
        slo.invalid["window"] = reason
        return
    slo.window_seconds = seconds


def _prc_sli(sli: LDict) -> Sli:
    if "ratio" in sli:
        ratio = mapping(sli["ratio"])
        role = "good" if "good" in ratio else "bad"
        queries = tuple((k, ratio[k]) for k in (role, "total") if isinstance(ratio.get(k), str))
        incomplete = "" if len(queries) == 2 else "a ratio SLI needs total and one of good or bad"
        return Sli("ratio", queries, incomplete=incomplete)
    latency = mapping(sli.get("latency"))
    queries = tuple((role, latency[key]) for key, role in (("good", "good"), ("total", "total"), ("query", "value"))
                    if isinstance(latency.get(key), str))
    complete = {r for r, _ in queries} in ({"good", "total"}, {"value"})
    return Sli("latency", queries, threshold=_text(latency.get("threshold")),
               incomplete="" if complete else "a latency SLI needs good and total, or query")


def _governance(r: _Reading, block: LDict, at: tuple) -> dict:
    """Owner, approver, dates and policy from a block written like the top of a prc document (prc's own format,
    or the x-prc block of a Sloth file); `at` is where the block sits."""
    values: dict = {"paths": {}, "invalid": {}}
    for name, key in (("owned_by", "owner"), ("approver", "approver"), ("created", "created"),
                      ("approved", "approved"), ("next_review", "nextReview")):
        if key not in block:
            continue
        field_name = "owner" if name == "owned_by" else name
        values["paths"][field_name] = format_path(at + (key,))
        if r.is_rejected(at + (key,)):
            values["invalid"][field_name] = r.rejected_reason(at + (key,))
        else:
            values[name] = _text(block[key])
    if "errorBudgetPolicy" in block:
        parts = at + ("errorBudgetPolicy",)
        values["paths"]["policy"] = format_path(parts)
        if r.is_rejected(parts):
            values["invalid"]["policy"] = r.rejected_reason(parts)
        else:
            policy = mapping(block["errorBudgetPolicy"])
            values["policy"] = ErrorBudgetPolicy(_steps(policy.get("whenExhausted")), _steps(policy.get("escalation")),
                                                 _text(policy.get("url")), format_path(parts))
    return values


# --------------------------------------------------------------------------- JSON Schema messages


@lru_cache(maxsize=None)
def _validator(definition: str = "") -> jsonschema.Draft202012Validator:
    import jsonschema  # ~50 ms of imports: only when an SLO document is read

    schema = load_schema("slo.schema.json")
    if definition:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_problems(data: object, definition: str = "") -> list[tuple[tuple, str]]:
    """(path, message) for each way a document breaks the prc SLO schema (or one of its definitions), with
    messages that say what was meant; sorted by path."""
    found = []
    for error in _validator(definition).iter_errors(data):
        found += [(parts, message, error.validator) for parts, message in _explain(error)]
    # A malformed date breaks both its pattern and its format: say it once.
    shaped = {parts for parts, _, validator in found if validator != "format"}
    kept = {(parts, message) for parts, message, validator in found if validator != "format" or parts not in shaped}
    return sorted(kept, key=lambda item: (tuple(map(str, item[0])), item[1]))


_PATTERN_MESSAGES = {
    "date": "is not a date like 2026-01-31",
    "duration": "is not a duration like 28d, 30d or 4w (a whole number and m, h, d or w)",
    "name": "is not a name of lowercase letters, digits and dashes",
    "threshold": "is not a duration like 300ms or 1.5s",
}
_PATTERN_KIND = {"created": "date", "approved": "date", "nextReview": "date", "window": "duration",
                 "name": "name", "threshold": "threshold"}
def _type_name(value: object) -> str:
    for kind, name in ((bool, "a boolean"), (dict, "a mapping"), (list, "a list"), (str, "a string"),
                       ((int, float), "a number"), (type(None), "nothing")):
        if isinstance(value, kind):
            return name
    return type(value).__name__
_EXPECTED = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number"}


def _explain(error: jsonschema.ValidationError) -> list[tuple[tuple, str]]:
    path = tuple(error.absolute_path)
    last = path[-1] if path else ""
    value = error.instance
    v = error.validator
    if v == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = [k for k in value if k not in known and not str(k).startswith("x-")]
        return [(path + (k,), f"unknown field (expected one of: {', '.join(known)})") for k in extra]
    if v == "required":
        return [(path + (k,), "is required") for k in error.validator_value if k not in value]
    if last == "target":
        return [(path, _target_message(v, value, error.message))]
    if v == "type":
        return [(path, f"expected {_EXPECTED.get(str(error.validator_value), error.validator_value)}, got "
                       f"{_type_name(value)}")]
    if v == "pattern":
        if error.validator_value == "\\S":
            return [(path, "is blank")]
        return [(path, f"{value!r} {_PATTERN_MESSAGES.get(_PATTERN_KIND.get(str(last), ''), 'is not valid')}")]
    if v == "format":
        return [(path, f"{value!r} is not a calendar date")]
    if v == "not":
        both = "query and good" if last == "latency" else "good and bad"
        return [(path, f"gives {both}; give one of them")]
    if v in ("minProperties", "maxProperties"):
        return [(path, "give exactly one of ratio or latency")]
    if v == "minItems":
        return [(path, "lists no SLO")]
    return [(path, error.message)]


def _target_message(validator: str, value: object, fallback: str) -> str:
    if validator in ("exclusiveMaximum", "minimum"):
        return _from_percent(float(value), "")[1] or fallback
    if validator == "type":
        return f"{value!r} is not a number: write the percentage as a number, like 99.9"
    return fallback


# --------------------------------------------------------------------------- OpenSLO


def _read_openslo(r: _Reading) -> None:
    doc = r.doc
    if doc.get("kind") != "SLO":
        return  # an SLI, Service, DataSource or alerting object: part of OpenSLO, not an SLO to judge
    name = _text(mapping(doc.get("metadata")).get("name"))
    if doc.get("apiVersion") != OPENSLO_API_VERSION:
        r.skipped.append(Skipped(r.display, f"OpenSLO SLO {name or '(unnamed)'} at line {r.document_line} is "
                                            f"{doc.get('apiVersion')}; prc reads {OPENSLO_API_VERSION}"))
        return
    metadata, spec = _mapping_at(r, doc, "metadata"), _mapping_at(r, doc, "spec")
    if not name:
        r.problem("metadata.name", "is required: the SLO's name")
        name = f"line-{r.document_line}"
    service = _text(spec.get("service"))
    common = {"description": _text(spec.get("description")), "namespace": _text(metadata.get("namespace")),
              "budgeting_method": _text(spec.get("budgetingMethod"))}
    governance = _annotated_governance(r, metadata)
    objectives = _list_at(r, spec, "spec.objectives")
    entries = [(i, o) for i, o in enumerate(objectives) if _is_mapping_item(r, o, f"spec.objectives[{i}]")]
    for index, objective in entries or [(None, LDict())]:
        base = f"spec.objectives[{index}]" if index is not None else ""
        line = objectives.item_lines[index] if index is not None and len(entries) > 1 else r.document_line
        values = {**common, **governance, "paths": dict(governance["paths"]), "invalid": dict(governance["invalid"])}
        slo = r.new_slo(service, name, base, line, **values)
        slo.paths["name"] = "metadata.name"
        if len(entries) > 1:
            slo.part = _text(objective.get("displayName")) or f"objectives[{index}]"
        _openslo_window(r, slo, spec)
        _openslo_objective(r, slo, objective, base)
        slo.sli = _openslo_sli(r, slo, spec, objective, base)


def _mapping_at(r: _Reading, parent: LDict, key: str, shown: str = "") -> LDict:
    value = parent.get(key)
    if value is not None and not isinstance(value, dict):
        r.problem(shown or key, f"expected a mapping, got {_type_name(value)}")
    return mapping(value)


def _list_at(r: _Reading, parent: LDict, shown: str) -> LList:
    key = shown.rsplit(".", 1)[-1]
    value = parent.get(key)
    if value is not None and not isinstance(value, list):
        r.problem(shown, f"expected a list, got {_type_name(value)}")
    return value if isinstance(value, LList) else LList()


def _is_mapping_item(r: _Reading, item: object, shown: str) -> bool:
    if not isinstance(item, dict):
        r.problem(shown, f"expected a mapping, got {_type_name(item)}")
        return False
    return True


def _openslo_window(r: _Reading, slo: Slo, spec: LDict) -> None:
    if "timeWindow" not in spec:
        return
    slo.paths["window"] = "spec.timeWindow"
    windows = _list_at(r, spec, "spec.timeWindow")
    if not windows:
        if isinstance(spec["timeWindow"], list):
            r.problem("spec.timeWindow", "lists no window; OpenSLO takes exactly one")
        slo.invalid["window"] = "spec.timeWindow lists no window"
        return
    if len(windows) > 1:
        r.problem("spec.timeWindow", f"lists {len(windows)} windows; OpenSLO allows exactly one")
    first = windows[0]
    if not _is_mapping_item(r, first, "spec.timeWindow[0]"):
        slo.invalid["window"] = "spec.timeWindow[0] is not a mapping"
        return
    if "duration" not in first:
        r.problem("spec.timeWindow[0].duration", "is required: the window's length, like 28d")
        slo.invalid["window"] = "spec.timeWindow[0] gives no duration"
        return
    slo.paths["window"] = "spec.timeWindow[0].duration"
    slo.window_rolling = first.get("isRolling") is True or ("calendar" not in first and first.get("isRolling") is None)
    _set_window(r, slo, first["duration"], ("spec", "timeWindow", 0, "duration"), calendar_units=True)


def _openslo_objective(r: _Reading, slo: Slo, objective: LDict, base: str) -> None:
    given = [k for k in ("target", "targetPercent") if k in objective]
    if not given:
        return
    slo.paths["objective"] = f"{base}.{given[0]}"
    if len(given) == 2:
        reason = "gives target and targetPercent; give one of them"
        r.problem(base, reason)
        slo.invalid["objective"] = reason
        return
    key = given[0]
    unit, other = ("fraction", "targetPercent") if key == "target" else ("percent", "target")
    value, reason = objective_from(objective[key], unit, other)
    slo.objective_text = f"{key}: {objective[key]}"
    if reason:
        r.problem(f"{base}.{key}", reason)
        slo.invalid["objective"] = reason
    slo.objective = value


def _openslo_sli(r: _Reading, slo: Slo, spec: LDict, objective: LDict, base: str) -> Sli | None:
    if "indicator" in spec and "indicatorRef" in spec:
        r.problem("spec.indicatorRef", "is given with spec.indicator; give one of them")
    if "indicator" in spec:
        slo.paths["sli"] = "spec.indicator"
        indicator_spec = _mapping_at(r, _mapping_at(r, spec, "indicator", "spec.indicator"), "spec",
                                     "spec.indicator.spec")
        return _openslo_indicator(r, indicator_spec, objective)
    if "indicatorRef" in spec:
        slo.paths["sli"] = "spec.indicatorRef"
        ref = _text(spec.get("indicatorRef"))
        # The SLI is another document; the reference is the definition this document gives.
        return Sli("ref", ref=ref, incomplete="" if ref else "indicatorRef names no SLI")
    return None


def _openslo_indicator(r: _Reading, spec: LDict, objective: LDict) -> Sli:
    if "ratioMetric" in spec:
        ratio = _mapping_at(r, spec, "ratioMetric", "spec.indicator.spec.ratioMetric")
        if "raw" in ratio:
            role = "error_ratio" if ratio.get("rawType") == "failure" else "success_ratio"
            query = _metric_query(ratio.get("raw"))
            return Sli("raw", ((role, query),) if query else (),
                       incomplete="" if query and ratio.get("rawType") in ("success", "failure")
                       else "a raw ratioMetric needs a query and rawType success or failure")
        if "good" in ratio and "bad" in ratio:
            r.problem("spec.indicator.spec.ratioMetric", "gives good and bad; give one of them")
        role = "good" if "good" in ratio else "bad"
        queries = tuple((k, q) for k in (role, "total") if (q := _metric_query(ratio.get(k))))
        return Sli("ratio", queries, incomplete="" if len(queries) == 2
                   else "a ratioMetric needs total and one of good or bad, each with a metricSource")
    if "thresholdMetric" in spec:
        query = _metric_query(_mapping_at(r, spec, "thresholdMetric", "spec.indicator.spec.thresholdMetric"))
        op, value = objective.get("op"), objective.get("value")
        threshold = f"{op} {value}" if op and value is not None else ""
        missing = [what for what, ok in (("a metricSource", query), ("the objective's op and value", threshold))
                   if not ok]
        return Sli("threshold", (("value", query),) if query else (), threshold=threshold,
                   incomplete=f"a thresholdMetric needs {' and '.join(missing)}" if missing else "")
    return Sli("ratio", incomplete="spec.indicator.spec has neither ratioMetric nor thresholdMetric")


def _metric_query(metric: object) -> str:
    """The text of an OpenSLO metric: `metricSource.spec.query` when the source has one, else the whole source
    spec as sorted JSON (sources such as CloudWatch describe the metric in several fields)."""
    source = mapping(mapping(metric).get("metricSource"))
    spec = source.get("spec")
    if isinstance(mapping(spec).get("query"), str):
        return spec["query"]
    if isinstance(spec, dict) and spec:
        return json.dumps(spec, sort_keys=True, default=str)
    return ""


_LABEL_OWNER_KEYS = ("owner", "team")


def _annotated_governance(r: _Reading, metadata: LDict, extra_labels: LDict | None = None,
                          labels_at: str = "") -> dict:
    """Owner, approver, dates, window and policy from `prc.dev/` annotations (OpenSLO, the Sloth object); the
    owner falls back to an owner or team label."""
    annotations = _mapping_at(r, metadata, "annotations", "metadata.annotations")
    values: dict = {"paths": {}, "invalid": {}}
    for name, key in (("owned_by", "owner"), ("approver", "approver"), ("created", "created"),
                      ("approved", "approved"), ("next_review", "next-review")):
        annotation = ANNOTATION_PREFIX + key
        if annotation not in annotations:
            continue
        field_name = "owner" if name == "owned_by" else name
        where = f"metadata.annotations.{annotation}"
        values["paths"][field_name] = where
        text = _text(annotations[annotation])
        problem = _date_problem(text) if name in ("created", "approved", "next_review") else ""
        if problem:
            r.problem(where, problem)
            values["invalid"][field_name] = problem
        else:
            values[name] = text
    if "owner" not in values["paths"]:
        _owner_from_labels(values, [("metadata.labels", _mapping_at(r, metadata, "labels", "metadata.labels")),
                                    (labels_at, extra_labels or LDict())])
    policy = _annotated_policy(annotations)
    if policy is not None:
        values["policy"] = policy
        values["paths"]["policy"] = policy.path
    return values


def _owner_from_labels(values: dict, sources: list[tuple[str, LDict]]) -> None:
    for where, labels in sources:
        for key in _LABEL_OWNER_KEYS:
            value = labels.get(key)
            owner = ", ".join(v for v in value if isinstance(v, str)) if isinstance(value, list) else _text(value)
            if owner:
                values["owned_by"] = owner
                values["paths"]["owner"] = f"{where}.{key}"
                return


def _annotated_policy(annotations: LDict) -> ErrorBudgetPolicy | None:
    keys = {part: ANNOTATION_PREFIX + name for part, name in (
        ("url", "error-budget-policy"), ("actions", "error-budget-actions"), ("escalation", "error-budget-escalation"))}
    if not any(k in annotations for k in keys.values()):
        return None
    first = next(k for k in (keys["actions"], keys["escalation"], keys["url"]) if k in annotations)
    return ErrorBudgetPolicy(_steps(annotations.get(keys["actions"])), _steps(annotations.get(keys["escalation"])),
                             _text(annotations.get(keys["url"])), f"metadata.annotations.{first}")


# --------------------------------------------------------------------------- Sloth


def _read_sloth(r: _Reading) -> None:
    doc = r.doc
    if doc.get("version") != SLOTH_VERSION:
        r.skipped.append(Skipped(r.display, f"Sloth spec version {doc.get('version')} at line {r.document_line}: "
                                            f"prc reads {SLOTH_VERSION}"))
        return
    governance: dict = {"paths": {}, "invalid": {}}
    window = None
    if "x-prc" in doc:
        block = doc["x-prc"]
        for parts, message in schema_problems(block, "governance"):
            r.reject(("x-prc",) + parts, message)
        if isinstance(block, dict):
            governance = _governance(r, block, ("x-prc",))
            window = ("x-prc.window", block.get("window"), ("x-prc", "window")) if "window" in block else None
    if "owner" not in governance["paths"]:
        _owner_from_labels(governance, [("labels", _mapping_at(r, doc, "labels"))])
    _sloth_slos(r, doc, "", governance, window)


def _read_sloth_crd(r: _Reading) -> None:
    doc = r.doc
    metadata, spec = _mapping_at(r, doc, "metadata"), _mapping_at(r, doc, "spec")
    governance = _annotated_governance(r, metadata, _mapping_at(r, spec, "labels", "spec.labels"), "spec.labels")
    annotation = f"{ANNOTATION_PREFIX}window"
    annotations = mapping(metadata.get("annotations"))
    window = None
    if annotation in annotations:
        where = f"metadata.annotations.{annotation}"
        window = (where, annotations[annotation], tuple(["metadata", "annotations", annotation]))
    governance["namespace"] = _text(metadata.get("namespace"))
    _sloth_slos(r, spec, "spec.", governance, window)


def _sloth_slos(r: _Reading, spec: LDict, prefix: str, governance: dict, window: tuple | None) -> None:
    service = _text(spec.get("service"))
    if not service:
        r.problem(f"{prefix}service", "is required: the service these SLOs are about")
    slos = _list_at(r, spec, f"{prefix}slos")
    for index, entry in enumerate(slos):
        base = f"{prefix}slos[{index}]"
        if not _is_mapping_item(r, entry, base):
            continue
        name = _text(entry.get("name"))
        if not name:
            r.problem(f"{base}.name", "is required: the SLO's name")
        values = dict(governance, paths=dict(governance["paths"]), invalid=dict(governance["invalid"]),
                      description=_text(entry.get("description")))
        slo = r.new_slo(service, name or base, base, slos.item_lines[index], **values)
        slo.paths["name"] = f"{base}.name"
        _sloth_window(r, slo, window)
        _sloth_objective(r, slo, entry, base)
        slo.sli = _sloth_sli(r, slo, entry, base)
        slo.generated_alerts = _sloth_alerts(entry)


def _sloth_window(r: _Reading, slo: Slo, window: tuple | None) -> None:
    if window is None:
        # Sloth takes the period from `sloth generate --default-slo-period`, which defaults to 30 days.
        slo.window_text, slo.window_seconds, slo.window_default = SLOTH_DEFAULT_WINDOW, 30 * 86400, True
        return
    where, value, parts = window
    slo.paths["window"] = where
    _set_window(r, slo, value, parts)


def _sloth_objective(r: _Reading, slo: Slo, entry: LDict, base: str) -> None:
    if "objective" not in entry:
        return
    slo.paths["objective"] = f"{base}.objective"
    slo.objective_text = f"objective: {entry['objective']}"
    value, reason = objective_from(entry["objective"], "percent")
    if reason:
        r.problem(f"{base}.objective", reason)
        slo.invalid["objective"] = reason
    slo.objective = value


def _sloth_sli(r: _Reading, slo: Slo, entry: LDict, base: str) -> Sli | None:
    if "sli" not in entry:
        return None
    slo.paths["sli"] = f"{base}.sli"
    sli = _mapping_at(r, entry, "sli", f"{base}.sli")
    kinds = [k for k in ("events", "raw", "plugin") if k in sli]
    if len(kinds) > 1:
        r.problem(f"{base}.sli", f"gives {' and '.join(kinds)}; Sloth takes one of events, raw or plugin")
    if not kinds:
        return Sli("ratio", incomplete="sli gives none of events, raw or plugin")
    kind, body = kinds[0], _mapping_at(r, sli, kinds[0], f"{base}.sli.{kinds[0]}")
    if kind == "events":
        queries = tuple((role, body[k]) for k, role in (("error_query", "bad"), ("total_query", "total"))
                        if _text(body.get(k)))
        return Sli("ratio", queries, incomplete="" if len(queries) == 2 else "events needs error_query and total_query")
    if kind == "raw":
        query = _text(body.get("error_ratio_query")) or _text(body.get("errorRatioQuery"))
        return Sli("raw", (("error_ratio", query),) if query else (),
                   incomplete="" if query else "raw needs error_ratio_query")
    plugin = _text(body.get("id"))
    return Sli("plugin", ref=plugin, incomplete="" if plugin else "plugin needs an id")


def _sloth_alerts(entry: LDict) -> tuple[str, ...]:
    """The multiwindow burn-rate alerts Sloth generates for an SLO: page and ticket, unless disabled. The
    prometheus/v1 file spells the blocks page_alert / ticket_alert, the Kubernetes CRD pageAlert / ticketAlert."""
    alerting = mapping(entry.get("alerting"))
    return tuple(kind for kind, keys in (("page", ("page_alert", "pageAlert")),
                                         ("ticket", ("ticket_alert", "ticketAlert")))
                 if not any(mapping(alerting.get(key)).get("disable") is True for key in keys))
