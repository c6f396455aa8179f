"""Prometheus alerting and recording rules: rule files (`groups:`) and PrometheusRule objects.

Every rule becomes an `AlertRule` with its file and line, its expression parsed once (prc.promql) and, for an
alerting rule, its runbook link resolved here, at load time, so that checks never touch the disk. A rule that
Prometheus would refuse (no `alert` or `record`, both, no `expr`) is reported as a problem with its line and left
out; the other rules of the file are read as usual.

Runbook links: an http(s) URL is only looked at, never fetched. A relative link is resolved from the directory
of the rule's file (a leading `/` from the scan root), without its `#anchor` or `?query`; a link that leaves the
scan root, also through a symbolic link, is recorded as outside the repository and its target is never opened or
stat'ed.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from collections import ChainMap
from collections.abc import Mapping
from functools import cached_property
from typing import Iterable, Sequence
from urllib.parse import unquote, urlsplit

from .. import promql
from ..discovery import Problem
from ..model import Location, TargetRef
from ..targets import Artifact, K8sObject, mapping
from ..yamlsrc import Document, LDict, LList, line_of

# The top-level keys of a Prometheus rule file (Prometheus allows only `groups`; Cortex, Mimir and Thanos tools
# add `namespace`).
RULE_FILE_KEYS = frozenset({"groups", "namespace"})
STDIN = "-"  # how the Kubernetes source names manifests piped to `prc scan -`

# What a runbook link turned out to be.
URL = "url"  # a well-formed http(s) URL with a host
BAD_URL = "bad-url"  # not an http(s) URL, or a malformed one
FILE = "file"  # a relative link to a file in the repository
MISSING = "missing"  # a relative link to nothing
DIRECTORY = "directory"  # a relative link to a directory
OUTSIDE = "outside"  # a relative link that leaves the scan root
UNRESOLVABLE = "unresolvable"  # a link prc cannot follow (a template, rules from standard input)

_MAX_SYMLINKS = 40  # as Linux's limit: more is a loop
# One dot-separated part of a host name; bounded so a hostile host cannot make the match backtrack for long.
_HOST_PART_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_IPV6_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]")
_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True)
class RunbookLink:
    """A rule's annotations.runbook_url as the loader found it: `status` is one of the constants above, `path`
    the file a relative link names (relative to the scan root) and `reason` what is wrong or unknown."""

    url: str
    status: str
    path: str = ""
    reason: str = ""
    # With --check-links, whether an absolute URL answered (None: not asked) and what it answered.
    reachable: bool | None = None
    answer: str = ""


def ask_runbook_links(targets) -> None:
    """--check-links: ask every well-formed runbook URL once (prc.links), and record the answer on each rule."""
    import dataclasses

    from .. import links

    rules = [t for t in targets if isinstance(t, AlertRule) and t.runbook is not None and t.runbook.status == URL]
    answers = links.ask([r.runbook.url for r in rules])
    for rule in rules:
        answer = answers[rule.runbook.url]
        rule.runbook = dataclasses.replace(rule.runbook, reachable=answer.reachable, answer=answer.detail)


@dataclass(eq=False)
class AlertRule(Artifact):
    """One alerting (`alert:`) or recording (`record:`) rule.

    `name` is the alert or record name. Paths for `locate` are relative to the rule's own mapping: `expr`, `for`,
    `labels.severity`, `annotations.runbook_url`. The rule's annotations are `rule_annotations`, not
    `annotations`: prc reads an owner's `annotations` for its own `prc.dev/ignore`, which Prometheus annotations
    are not.

    A rule of a PrometheusRule object has that object as `origin` and as owner, so the object's annotations,
    ignore comments and service apply to it.
    """

    group: str = ""
    record: bool = False  # a recording rule; else an alerting rule
    doc: LDict = field(default_factory=LDict, repr=False)
    expr: str = ""
    expr_line: int = 0
    labels: dict = field(default_factory=dict)
    rule_annotations: dict = field(default_factory=dict)
    for_: float | None = None  # seconds; None when `for` is absent or not a duration
    for_text: str = ""  # `for` as written, "" when absent
    promql: promql.PromQL = field(default_factory=lambda: promql.PromQL(""), repr=False)
    runbook: RunbookLink | None = None
    origin: K8sObject | None = field(default=None, repr=False)
    # Where the rule is written, for its identity: the file, or the PrometheusRule object.
    scope: str = ""
    # Set when a name repeats in a group (Sloth writes its page and ticket alerts under one name): `#2`, `#3`.
    part: str = ""
    # Recording rules written beside it (same file or object), by record name; burn_rate() reads them by default,
    # then those of the whole scan (one mapping shared by every rule, set by link_recording_rules).
    recording_rules: dict = field(default_factory=dict, repr=False)
    scan_recording_rules: Mapping = field(default_factory=dict, repr=False)
    _burn_rate: tuple | None = field(default=None, repr=False, compare=False)

    # The PrometheusRule's service is its rules' service, unless someone sets one on the rule itself.
    @property
    def service(self) -> str:
        own = getattr(self, "_service", "")
        return own or (self.origin.service if self.origin is not None else "")

    @service.setter
    def service(self, value: str) -> None:
        self._service = value

    @property
    def service_reason(self) -> str:
        own = getattr(self, "_service_reason", "")
        return own or (getattr(self.origin, "service_reason", "") if self.origin is not None else "")

    @service_reason.setter
    def service_reason(self, value: str) -> None:
        self._service_reason = value

    explicit_hint = True  # a `service` label names the rule's service

    @property
    def hint_reason(self) -> str:
        return f"its label service={self.service_hint}"

    @property
    def owner(self):
        return self.origin if self.origin is not None else self

    @property
    def ref(self) -> TargetRef:
        return TargetRef(self.kind, f"{self.group}/{self.name}", self.scope, self.part)

    def locate(self, at: str) -> Location:
        return Location(self.file, (line_of(self.doc, at) if at else 0) or self.line)

    @property
    def label(self) -> str:
        """How messages name it: `alerting rule HighErrorRate (group api)`."""
        return f"{'recording' if self.record else 'alerting'} rule {self.name} (group {self.group})"

    @property
    def selectors(self) -> tuple[promql.Selector, ...]:
        return self.promql.selectors

    @cached_property
    def matchers(self) -> tuple[promql.LabelMatcher, ...]:
        """Every label matcher of every selector (alternatives of `{a="1" or b="2"}` included), each once, in
        the order written: (name, op, value) tuples."""
        found = [m for s in self.selectors for m in (*s.matchers, *(m for alt in s.alternatives for m in alt))]
        return tuple(dict.fromkeys(found))

    def burn_rate(self, recording_rules: Mapping | None = None) -> tuple[promql.BurnRatePair, ...]:
        """(long, short, threshold) of each multiwindow burn-rate condition; () when it is not a burn-rate alert.
        `recording_rules` maps record names to AlertRules (one or a list, see `recording_rules_by_name`); by
        default, the recording rules written beside this one."""
        if recording_rules is not None:
            return burn_rate_windows(self, recording_rules)
        # Several checks ask every alert; the answer for the scan's own recording rules is computed once.
        if self._burn_rate is None:
            self._burn_rate = burn_rate_windows(self, ChainMap(self.recording_rules, self.scan_recording_rules))
        return self._burn_rate

    def is_burn_rate(self, recording_rules: Mapping | None = None) -> bool:
        return not self.record and bool(self.burn_rate(recording_rules))


def recording_rules_by_name(rules: Iterable[AlertRule]) -> dict[str, list[AlertRule]]:
    """Record name -> the recording rules that record it (Sloth records one name once per SLO)."""
    found: dict[str, list[AlertRule]] = {}
    for rule in rules:
        if rule.record:
            found.setdefault(rule.name, []).append(rule)
    return found


def link_recording_rules(targets: Iterable[object]) -> None:
    """Let every rule read the recording rules of the whole scan: a burn-rate alert often reads series that
    another file records (a shared recording-rules file, Sloth's generated rules beside hand-written alerts).
    The rules written beside it stay first, so a name recorded in several places resolves to its neighbour's.
    One mapping is shared by all rules: copying it into each would cost rules x names."""
    rules = [t for t in targets if isinstance(t, AlertRule)]
    everywhere = recording_rules_by_name(rules)
    for rule in rules:
        rule.scan_recording_rules = everywhere
        rule._burn_rate = None


def burn_rate_windows(rule: AlertRule, recording_rules: Mapping) -> tuple[promql.BurnRatePair, ...]:
    """The burn-rate pairs of an alerting rule, resolving the recording rules its expression reads through
    `recording_rules` (record name -> AlertRule or a sequence of them)."""
    if rule.record:
        return ()
    return promql.burn_rate(rule.promql, _Records(recording_rules))


class _Records(Mapping):
    """Record name -> the PromQL of the rules recording it, converted on lookup (the scan may record thousands
    of names; an expression reads a few)."""

    def __init__(self, rules: Mapping):
        self._rules = rules

    def __getitem__(self, name: str) -> list:
        return [r.promql for r in _as_rules(self._rules[name])]

    def __iter__(self):
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)


def _as_rules(value: object) -> Sequence[AlertRule]:
    if isinstance(value, AlertRule):
        return [value]
    return [v for v in value if isinstance(v, AlertRule)] if isinstance(value, (list, tuple)) else []


# --------------------------------------------------------------------------- entry points


def from_document(display: str, document: Document, ctx):
    """A rule file's rules, or None when the document is not a Prometheus rule file."""
    from ..sources import Loaded

    data = document.data
    if not _is_rule_file(data):
        return None
    reader = _Reader(display, display, "", None, ctx)
    rules = reader.groups(data.get("groups"), data.key_lines.get("groups", data.line), "`groups`")
    return Loaded(owners=list(rules), targets=list(rules), problems=reader.problems)


def from_prometheus_rule(obj: K8sObject, ctx):
    """The rules in spec.groups of a PrometheusRule object, owned by the object."""
    from ..sources import Loaded

    spec = mapping(obj.doc.get("spec"))
    if spec.get("groups") is None:
        return Loaded()  # an object with no rules yet: nothing to check and nothing wrong
    scope = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    reader = _Reader(obj.file, scope, f"PrometheusRule {obj.name}: ", obj, ctx)
    rules = reader.groups(spec["groups"], spec.key_lines.get("groups", spec.line), "spec.groups")
    return Loaded(targets=list(rules), problems=reader.problems)


def _is_rule_file(data: object) -> bool:
    if not isinstance(data, LDict) or "groups" not in data:
        return False
    if isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
        return False  # a Kubernetes object that happens to have a `groups` field
    if set(data) <= RULE_FILE_KEYS:
        return True
    # Extra top-level keys: a rule file only if its groups look like rule groups.
    groups = data.get("groups")
    return isinstance(groups, list) and any(isinstance(g, dict) and "rules" in g for g in groups)


# --------------------------------------------------------------------------- reading groups and rules


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string"


def _text(value: object) -> str | None:
    """A scalar as Prometheus's YAML decoding reads it into a string field; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _label_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else _text(value) or str(value)


class _Reader:
    """Reads the groups of one rule file or PrometheusRule object, collecting problems as it goes."""

    def __init__(self, file: str, scope: str, where: str, origin: K8sObject | None, ctx):
        self.file = file
        self.scope = scope
        self.where = where  # prefix of problem messages: which object, when it is not the file itself
        self.origin = origin
        self.ctx = ctx
        self.problems: list[Problem] = []
        self._seen: dict[tuple[str, str], int] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, self.where + message))

    def groups(self, groups: object, line: int, field_name: str) -> list[AlertRule]:
        if not isinstance(groups, LList):
            self.problem(line, f"{field_name} must be a list of rule groups, found {_kind_of(groups)}; "
                               "no rule in it was checked")
            return []
        names: dict[str, int] = {}
        rules: list[AlertRule] = []
        for index, group in enumerate(groups):
            group_line = groups.item_lines[index]
            if not isinstance(group, LDict):
                self.problem(group_line, f"rule group #{index + 1} must be a mapping with `name` and `rules`, "
                                         f"found {_kind_of(group)}; it was not checked")
                continue
            name = self._group_name(group, index, names)
            rules += self._rules(group, name)
        records = recording_rules_by_name(rules)
        for rule in rules:
            rule.recording_rules = records
        return rules

    def _group_name(self, group: LDict, index: int, names: dict[str, int]) -> str:
        name = _text(group.get("name"))
        if not name:
            self.problem(group.line, f"rule group #{index + 1} has no `name` (Prometheus refuses a group without "
                                     f"one); its rules are checked as group #{index + 1}")
            return f"#{index + 1}"
        if name in names:
            self.problem(group.key_lines.get("name", group.line),
                         f"rule group {name} is defined again (first at line {names[name]}); Prometheus refuses "
                         "two groups of one name in a file")
        else:
            names[name] = group.key_lines.get("name", group.line)
        return name

    def _rules(self, group: LDict, name: str) -> list[AlertRule]:
        rules = group.get("rules")
        if not isinstance(rules, LList):
            found = "" if rules is None else f", found {_kind_of(rules)}"
            self.problem(group.key_lines.get("rules", group.line),
                         f"rule group {name} has no `rules` list{found}; expected `rules:` with alerting and "
                         "recording rules")
            return []
        read = (self._rule(rule, i, rules.item_lines[i], name) for i, rule in enumerate(rules))
        return [rule for rule in read if rule is not None]

    def _rule(self, rule: object, index: int, line: int, group: str) -> AlertRule | None:
        which = f"rule #{index + 1} of group {group}"
        if not isinstance(rule, LDict):
            self.problem(line, f"{which} must be a mapping, found {_kind_of(rule)}; it was not checked")
            return None
        named = self._rule_name(rule, which)
        if named is None:
            return None
        is_record, name = named
        label = f"{'recording' if is_record else 'alerting'} rule {name} (group {group})"
        expr = self._expr(rule, label)
        if expr is None:
            return None
        found = AlertRule("AlertRule", name, self.file, rule.line, group=group, record=is_record, doc=rule,
                          expr=expr, expr_line=rule.key_lines.get("expr", rule.line), origin=self.origin,
                          scope=self.scope, part=self._part(group, name), promql=promql.parse(expr))
        found.labels = self._strings(rule, "labels", label)
        found.rule_annotations = self._strings(rule, "annotations", label)
        # A templated label (`{{ $labels.job }}`) is filled in when the alert fires: it names no service here.
        service = found.labels.get("service", "")
        found.service_hint = "" if "{{" in service else service
        if not is_record:
            found.for_text, found.for_ = self._for(rule, label)
            url = found.rule_annotations.get("runbook_url")
            found.runbook = resolve_runbook(url, self.file, self.ctx) if url and url.strip() else None
        return found

    def _rule_name(self, rule: LDict, which: str) -> tuple[bool, str] | None:
        alert, record = rule.get("alert"), rule.get("record")
        if "alert" in rule and "record" in rule:
            self.problem(rule.line, f"{which} has both `alert: {alert}` and `record: {record}`; a rule is one or "
                                    "the other, so it was not checked")
            return None
        if "alert" not in rule and "record" not in rule:
            self.problem(rule.line, f"{which} has neither `alert` nor `record`; it was not checked")
            return None
        key = "alert" if "alert" in rule else "record"
        name = _text(rule[key])
        if not name or not name.strip():
            self.problem(rule.key_lines.get(key, rule.line), f"{which} has an empty `{key}` name (expected "
                                                             f"`{key}: <name>`); it was not checked")
            return None
        return key == "record", name

    def _expr(self, rule: LDict, label: str) -> str | None:
        value = rule.get("expr")
        text = _text(value)
        if value is not None and text is None:
            self.problem(rule.key_lines.get("expr", rule.line),
                         f"{label}: `expr` must be a PromQL string, found {_kind_of(value)}; it was not checked")
            return None
        if text is None or not text.strip():
            self.problem(rule.key_lines.get("expr", rule.line), f"{label} has no `expr`; it was not checked")
            return None
        return text

    def _strings(self, rule: LDict, key: str, label: str) -> dict[str, str]:
        value = rule.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(rule.key_lines.get(key, rule.line),
                         f"{label}: `{key}` must be a mapping of names to values, found {_kind_of(value)}; "
                         "it was ignored")
            return {}
        return {str(k): _label_value(v) for k, v in value.items()}

    def _for(self, rule: LDict, label: str) -> tuple[str, float | None]:
        if "for" not in rule or rule["for"] is None:
            return "", None
        text = _text(rule["for"]) or ""
        seconds = promql.parse_duration(text.strip())
        if seconds is None:
            self.problem(rule.key_lines.get("for", rule.line),
                         f"{label}: `for: {rule['for']}` is not a duration (expected a number with a unit, like "
                         "5m or 1h30m); Prometheus refuses the file")
        return text, seconds

    def _part(self, group: str, name: str) -> str:
        key = (group, name)
        self._seen[key] = self._seen.get(key, 0) + 1
        return "" if self._seen[key] == 1 else f"#{self._seen[key]}"


# --------------------------------------------------------------------------- runbook links


def resolve_runbook(url: str, file: str, ctx) -> RunbookLink:
    """What a runbook link names, for a rule written in `file` (relative to the scan root `ctx.root`; `ctx` is
    None in unit tests, where relative links cannot be resolved)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme:
        return _absolute(text, parts)
    if text.startswith("//"):
        return RunbookLink(text, BAD_URL, reason="has no scheme (start it with https://)")
    if "{{" in parts.path:
        return RunbookLink(text, UNRESOLVABLE, reason="is a template, known only when the alert fires")
    path = unquote(parts.path)
    if not path:
        return RunbookLink(text, BAD_URL, reason="names no file, only an anchor or query")
    return _relative(text, path, file, ctx)


def _absolute(text: str, parts) -> RunbookLink:
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return RunbookLink(text, BAD_URL, reason=f"uses the {scheme}: scheme, not http or https")
    if "{{" in parts.netloc:
        return RunbookLink(text, UNRESOLVABLE, reason="has a templated host, known only when the alert fires")
    host, port = _host_and_port(parts.netloc.rpartition("@")[2])
    if port and int(port) > 65535:
        return RunbookLink(text, BAD_URL, reason=f"has an invalid port {port}")
    if not host:
        return RunbookLink(text, BAD_URL, reason="has no host")
    if not _valid_host(host):
        return RunbookLink(text, BAD_URL, reason=f"has an invalid host {host!r}")
    if re.search(r"\s", _TEMPLATE_RE.sub("", text)):
        return RunbookLink(text, BAD_URL, reason="contains whitespace (encode a space as %20)")
    return RunbookLink(text, URL)


def _host_and_port(netloc: str) -> tuple[str, str]:
    found = re.fullmatch(r"(.*?)(?::(\d*))?", netloc)
    return found.group(1), found.group(2) or ""


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        return _IPV6_RE.fullmatch(host) is not None
    return all(_HOST_PART_RE.fullmatch(part) for part in host.removesuffix(".").split("."))


def _relative(text: str, path: str, file: str, ctx) -> RunbookLink:
    if ctx is None:
        return RunbookLink(text, UNRESOLVABLE, reason="is relative and there is no scan root to resolve it from")
    if file == STDIN:
        return RunbookLink(text, UNRESOLVABLE, reason="is relative, and rules read from standard input have no "
                                                      "directory to resolve it from")
    if PurePosixPath(file).is_absolute():
        return RunbookLink(text, UNRESOLVABLE, reason="is relative, and the rule file is outside the scan root")
    base = "" if path.startswith("/") else posixpath.dirname(file)
    target = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    if target == ".." or target.startswith("../"):
        return RunbookLink(text, OUTSIDE, reason="leaves the repository (the scan root)")
    real = _inside_root(Path(ctx.root), target)
    if real is None:
        return RunbookLink(text, OUTSIDE, target, "leaves the repository (the scan root) through a symbolic link")
    if os.path.isfile(real):
        return RunbookLink(text, FILE, target)
    if os.path.isdir(real):
        return RunbookLink(text, DIRECTORY, target, "is a directory, not a file")
    return RunbookLink(text, MISSING, target, "does not exist")


def _inside_root(root: Path, target: str) -> str | None:
    """The real path of `target` (relative to root), following symbolic links only while they stay inside the
    root; None when one leads out or they loop. Only paths inside the root are ever looked at."""
    real_root = os.path.realpath(root)
    current = real_root
    pending = [p for p in target.split("/") if p not in ("", ".")]
    hops = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            if current == real_root:
                return None
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        if not os.path.islink(candidate):
            current = candidate
            continue
        hops += 1
        try:
            link = os.readlink(candidate)
        except OSError:
            return None
        if hops > _MAX_SYMLINKS:
            return None
        if os.path.isabs(link):
            inside = os.path.relpath(os.path.normpath(link), real_root)
            if inside == ".." or inside.startswith(".." + os.sep):
                return None
            current, link = real_root, inside
        pending = [p for p in link.split(os.sep) if p not in ("", ".")] + pending
    return current
