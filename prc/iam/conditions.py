"""Which Condition entries genuinely narrow a grant.

The principle: a condition restricts a grant when it limits *who* can use it
(the calling principal, its account or organisation), *where from* (the AWS
resource or account a service acts for, the VPC or network), or *what it
reaches* (the service a role is passed to, the policy that may be attached,
the tags or account of the target resource). Conditions that only shape the
request (region, TLS, time, MFA, user agent, the tags being written) leave
the same power in the same hands and do not count.

An entry counts only when its operator is a positive match (StringEquals,
StringLike, ArnLike, IpAddress, ForAnyValue:...); negated operators
(StringNotEquals...) allow everything but the listed values, ForAllValues:
and ...IfExists pass when the key is absent, and Null only tests presence.
The one ...IfExists exception is iam:PassedToService, which IAM always sets
on iam:PassRole. A value made only of wildcards ("*", "repo:*") restricts
nothing.
"""

from __future__ import annotations

from .policy import ConditionEntry, Statement

# Exact keys, lower case (condition keys are case-insensitive).
RESTRICTING_KEYS = frozenset(
    {
        # who calls
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:username",
        "sts:externalid",
        # on whose behalf a service calls / from where
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
        # what the grant reaches
        "iam:passedtoservice",
        "iam:associatedresourcearn",
        "iam:policyarn",
        "iam:permissionsboundary",
        "aws:resourceaccount",
        "aws:resourceorgid",
        "aws:resourceorgpaths",
    }
)
# Key prefixes: the tags of the target resource or of the calling principal.
RESTRICTING_PREFIXES = ("aws:resourcetag/", "aws:principaltag/")
# Service-specific resource-tag keys: ec2:ResourceTag/Team, iam:ResourceTag/Team.
RESTRICTING_SUFFIX_MARK = ":resourcetag/"

# Shown in docs and tests: keys deliberately not counted.
NOT_RESTRICTING_EXAMPLES = (
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:MultiFactorAuthPresent",
    "aws:CurrentTime",
    "aws:UserAgent",
    "aws:RequestTag/...",
    "aws:TagKeys",
    "aws:CalledVia",
)

_POSITIVE_OPERATORS = frozenset(
    {
        "stringequals",
        "stringequalsignorecase",
        "stringlike",
        "arnequals",
        "arnlike",
        "ipaddress",
        "numericequals",
        "bool",
    }
)


def is_wildcard_value(value: str) -> bool:
    """A value that matches anything worth matching: "*", "?*", "repo:*", "arn:*"."""
    if not value.strip("*?"):
        return True
    head, sep, rest = value.partition(":")
    return bool(sep) and not rest.replace(":", "").strip("*?")


def operator_restricts(operator: str, key: str) -> bool:
    op = operator.lower()
    if op.startswith("forallvalues:"):
        return False
    if op.startswith("foranyvalue:"):
        op = op[len("foranyvalue:") :]
    if op.endswith("ifexists"):
        if key.lower() != "iam:passedtoservice":
            return False
        op = op[: -len("ifexists")]
    return op in _POSITIVE_OPERATORS


def key_restricts(key: str) -> bool:
    k = key.lower()
    return k in RESTRICTING_KEYS or k.startswith(RESTRICTING_PREFIXES) or RESTRICTING_SUFFIX_MARK in k


def entry_restricts(entry: ConditionEntry) -> bool:
    return (
        key_restricts(entry.key)
        and operator_restricts(entry.operator, entry.key)
        and bool(entry.values)
        and not any(is_wildcard_value(v) for v in entry.values)
    )


def restricting(statement: Statement) -> tuple[ConditionEntry, ...]:
    """The statement's Condition entries that narrow its grant, in document order."""
    return tuple(e for e in statement.conditions if entry_restricts(e))


def find(statement: Statement, key: str) -> tuple[ConditionEntry, ...]:
    """Positive, non-wildcard entries on one key (any case)."""
    k = key.lower()
    return tuple(
        e
        for e in statement.conditions
        if e.key.lower() == k
        and operator_restricts(e.operator, e.key)
        and e.values
        and not any(is_wildcard_value(v) for v in e.values)
    )


def describe(entries: tuple[ConditionEntry, ...]) -> str:
    return "; ".join(e.describe() for e in entries)
