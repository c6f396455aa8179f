"""The least-privilege questions asked of one policy document.

Pure functions of the document (and the action catalogue): no Terraform, no
AWS API. The Terraform checks and the live audit feed documents in and turn
the findings into results; each rule maps to one checklist item:

    admin                 PRC-TF-080 / PRC-AWS-080
    service-wildcard      PRC-TF-081 / PRC-AWS-081
    write-on-star         PRC-TF-082 / PRC-AWS-082
    privilege-escalation  PRC-TF-083 / PRC-AWS-083
    not-action            PRC-TF-084 / PRC-AWS-084
    trust-too-broad       PRC-TF-085 / PRC-AWS-085
    unknown-action        not an item: an action the catalogue does not know

Each rule answers its own question literally, so one statement can give
several findings: Action "*" on Resource "*" is admin, a service wildcard,
write on "*" and privilege escalation at once. A check that wants only the
strongest can filter on `rule`.

Deny statements never give least-privilege findings. The one thing reported
in a Deny is an unknown action, because a misspelled Deny silently denies
nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from . import conditions, escalation
from .catalogue import ActionInfo, Catalogue, get_catalogue, wildcard_regex
from .policy import ConditionEntry, Policy, PolicyError, Statement, parse_policy

ADMIN = "admin"
SERVICE_WILDCARD = "service-wildcard"
WRITE_ON_STAR = "write-on-star"
PRIVILEGE_ESCALATION = "privilege-escalation"
NOT_ACTION = "not-action"
TRUST_TOO_BROAD = "trust-too-broad"
UNKNOWN_ACTION = "unknown-action"
RULES = (ADMIN, SERVICE_WILDCARD, WRITE_ON_STAR, PRIVILEGE_ESCALATION, NOT_ACTION, TRUST_TOO_BROAD, UNKNOWN_ACTION)

# How many action names a message spells out before "and N more".
MESSAGE_ACTIONS = 6


@dataclass(frozen=True)
class IamFinding:
    """One least-privilege problem in one statement (or one attached managed policy).

    `actions` are the catalogue's spelling of the actions that triggered the
    rule (the pattern as written for admin, service-wildcard, not-action and
    unknown-action); `resources` and `principals` are as written.
    `condition_keys` are the statement's restricting Condition keys; when there
    are any, `lowered` is True and the message names the conditions.
    `line` is the statement's 1-based line in the JSON text, when the policy
    was given as text (add it to the line where the text starts).
    """

    rule: str
    message: str
    statement_index: int | None = None
    sid: str | None = None
    line: int | None = None
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    condition_keys: tuple[str, ...] = ()
    lowered: bool = False

    @property
    def statement_label(self) -> str:
        if self.statement_index is None:
            return ""
        if self.sid:
            return f'Statement[{self.statement_index}] (Sid "{self.sid}")'
        return f"Statement[{self.statement_index}]"


# --- one statement, expanded -----------------------------------------------------


@dataclass
class _Grant:
    statement: Statement
    actions: dict[str, ActionInfo]  # lower-case full name -> catalogue entry
    star: bool  # applies to every resource: Resource "*" or NotResource
    restricting: tuple[ConditionEntry, ...]
    unknown: list[IamFinding] = field(default_factory=list)

    @property
    def s(self) -> Statement:
        return self.statement


def _wild(text: str) -> bool:
    return bool(text) and not text.strip("*?")


def _star(resource: str) -> bool:
    """Resource "*", or an ARN whose service and resource are only wildcards ("arn:aws:*:*:*:*")."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    _, _, service, region, account, res = parts
    return _wild(service) and _wild(res) and all(f == "" or _wild(f) for f in (region, account))


_TYPE_WILDCARD = re.compile(r"[A-Za-z0-9_.-]*[/:]?\*")


def _broad(resource: str) -> bool:
    """Every resource, or every resource of one type: "*", "arn:aws:iam::123:role/*"."""
    if _star(resource):
        return True
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and bool(_TYPE_WILDCARD.fullmatch(parts[5]))


def _could_name(resource: str, services: tuple[str, ...]) -> bool:
    """Whether a Resource could name something of these ARN services.

    A value that is not an ARN (an unresolved reference) could name anything.
    """
    if resource == "*" or not resource.startswith("arn:"):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 3:
        return True
    rx = wildcard_regex(parts[2])
    return any(rx.fullmatch(svc) for svc in services)


def _reach(s: Statement, key: str) -> tuple[bool, bool, tuple[str, ...]]:
    """(granted at all, granted on every resource of its type, the resources that do it) for one action."""
    if s.not_resources is not None:
        return True, True, s.not_resources
    services = escalation.arn_services(key)
    relevant = tuple(r for r in s.resources or () if _could_name(r, services))
    broad = tuple(r for r in relevant if _broad(r))
    return bool(relevant), bool(broad), broad or relevant


def _grant(statement: Statement, catalogue: Catalogue) -> _Grant:
    actions: dict[str, ActionInfo] = {}
    unknown: list[IamFinding] = []
    element = "Action" if statement.actions is not None else "NotAction"
    patterns = statement.actions if statement.actions is not None else statement.not_actions or ()
    matched: dict[str, ActionInfo] = {}
    for pattern in patterns:
        infos, problem = _resolve(pattern, catalogue)
        if problem:
            unknown.append(_unknown_finding(statement, element, pattern, problem))
        for info in infos:
            matched[info.key] = info
    if statement.actions is not None:
        actions = matched
    else:  # NotAction: every catalogue action except the matched ones
        actions = catalogue.all_actions_except(frozenset(matched))
    star = statement.not_resources is not None or any(_star(r) for r in statement.resources or ())
    return _Grant(statement, actions, star, conditions.restricting(statement), unknown)


def _resolve(pattern: str, catalogue: Catalogue) -> tuple[list[ActionInfo], str]:
    """The actions a pattern matches, and why it matches none ("" when it matches some)."""
    found = catalogue.expand(pattern)
    if found:
        return found, ""
    return [], _why_unknown(pattern, catalogue)


def _why_unknown(pattern: str, catalogue: Catalogue) -> str:
    service, sep, name = pattern.partition(":")
    if not sep or not service or not name:
        return 'is not of the form "service:Action"'
    if "*" not in service and "?" not in service and not catalogue.has_service(service):
        hint = catalogue.close_matches(pattern)
        more = f'; did you mean "{hint[0]}"?' if hint else ""
        return (
            f'names a service prefix "{service}" that the IAM action catalogue ({catalogue.source}) '
            f"does not know{more}"
        )
    hint = catalogue.close_matches(pattern) if "*" not in name and "?" not in name else []
    more = f'; did you mean "{hint[0]}"?' if hint else ""
    what = "matches no action" if ("*" in pattern or "?" in pattern) else "is not an action"
    return f"{what} in the IAM action catalogue ({catalogue.source}): misspelled, or newer than the catalogue{more}"


def _unknown_finding(statement: Statement, element: str, pattern: str, problem: str) -> IamFinding:
    return IamFinding(
        rule=UNKNOWN_ACTION,
        message=f'{statement.label} {element} "{pattern}" {problem}',
        statement_index=statement.index,
        sid=statement.sid,
        line=statement.line,
        actions=(pattern,),
        resources=statement.resources or statement.not_resources or (),
    )


# --- message pieces ------------------------------------------------------------------


def _quote_list(values: Iterable[str]) -> str:
    items = [f'"{v}"' for v in values]
    return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"


def _resources_text(s: Statement, only: tuple[str, ...] | None = None) -> str:
    if s.not_resources is not None:
        return f"NotResource {_quote_list(s.not_resources)} (every other resource)"
    return f"Resource {_quote_list(only if only is not None else s.resources or ())}"


def _names(actions: list[str]) -> str:
    if len(actions) <= MESSAGE_ACTIONS:
        return ", ".join(actions)
    return f"{', '.join(actions[:MESSAGE_ACTIONS])} and {len(actions) - MESSAGE_ACTIONS} more"


def _lowered_text(entries: tuple[ConditionEntry, ...]) -> str:
    if not entries:
        return ""
    return f"; restricted by Condition {conditions.describe(entries)}, so the severity is lowered"


def _finding(rule: str, g: _Grant, message: str, actions: Iterable[str], resources: Iterable[str]) -> IamFinding:
    return IamFinding(
        rule=rule,
        message=message + _lowered_text(g.restricting),
        statement_index=g.s.index,
        sid=g.s.sid,
        line=g.s.line,
        actions=tuple(actions),
        resources=tuple(resources),
        condition_keys=tuple(dict.fromkeys(e.key for e in g.restricting)),
        lowered=bool(g.restricting),
    )


def _star_resources(s: Statement) -> tuple[str, ...]:
    if s.not_resources is not None:
        return s.not_resources
    return tuple(r for r in s.resources or () if _star(r))


# --- identity policies --------------------------------------------------------------


def analyse_identity_policy(
    document: str | bytes | Mapping[str, Any], *, catalogue: Catalogue | None = None
) -> list[IamFinding]:
    """Least-privilege findings of an identity policy (attached to a user, group or role).

    Raises PolicyError (with line and column for JSON text) when the document
    cannot be read as a policy.
    """
    policy = parse_policy(document)
    for s in policy.statements:
        if s.resources is None and s.not_resources is None:
            raise PolicyError(
                "statement has neither Resource nor NotResource, which an identity policy requires",
                s.line,
                path=f"Statement[{s.index}]",
            )
    catalogue = catalogue or get_catalogue()
    grants = [_grant(s, catalogue) for s in policy.statements]
    findings: list[IamFinding] = []
    for g in grants:
        findings.extend(g.unknown)
    allowed = [g for g in grants if g.s.allows]
    for g in allowed:
        findings.extend(_admin(g))
        findings.extend(_service_wildcard(g, catalogue))
        findings.extend(_write_on_star(g))
        findings.extend(_not_action(g))
    findings.extend(_privilege_escalation(allowed, policy))
    return sorted(findings, key=_order)


def _order(f: IamFinding) -> tuple:
    return (-1 if f.statement_index is None else f.statement_index, RULES.index(f.rule), f.actions)


def _admin(g: _Grant) -> list[IamFinding]:
    s = g.s
    if s.actions is None or not g.star:
        return []
    written = [a for a in s.actions if a in ("*", "*:*")]
    if not written:
        return []
    star = _star_resources(s)
    msg = f"{s.label} allows Action {_quote_list(written)} on {_resources_text(s, star)}: full administrator access"
    return [_finding(ADMIN, g, msg, written, star)]


def _service_wildcard(g: _Grant, catalogue: Catalogue) -> list[IamFinding]:
    s = g.s
    if s.actions is None:
        return []
    hits = []
    for pattern in s.actions:
        service, _, name = pattern.partition(":")
        if pattern in ("*", "*:*"):
            hits.append((pattern, "every action of every service"))
        elif name == "*" and service and not any(c in service for c in "*?") and catalogue.has_service(service):
            count = len(catalogue.actions_of(service))
            hits.append((pattern, f"all {count} {service.lower()} actions, and any AWS adds later"))
    if not hits:
        return []
    resources = s.resources if s.resources is not None else s.not_resources or ()
    what = "; ".join(f'"{p}" ({why})' for p, why in hits)
    msg = f"{s.label} allows {what} on {_resources_text(s)}"
    return [_finding(SERVICE_WILDCARD, g, msg, [p for p, _ in hits], resources)]


def _write_on_star(g: _Grant) -> list[IamFinding]:
    s = g.s
    if not g.star:
        return []
    hits = sorted((a for a in g.actions.values() if a.is_write and a.resource_level), key=lambda a: a.key)
    if not hits:
        return []
    names = [a.full_name for a in hits]
    star = _star_resources(s)
    source = (
        f"Action {_quote_list(s.actions)}" if s.actions is not None else f"NotAction {_quote_list(s.not_actions or ())}"
    )
    count = f"{len(names)} write or permissions-management action{'s' if len(names) != 1 else ''}"
    msg = (
        f"{s.label} allows {count} on {_resources_text(s, star)} that could be scoped to specific resources "
        f"({source}): {_names(names)}"
    )
    return [_finding(WRITE_ON_STAR, g, msg, names, star)]


def _not_action(g: _Grant) -> list[IamFinding]:
    s = g.s
    parts = []
    if s.not_actions is not None:
        parts.append(f"NotAction {_quote_list(s.not_actions)} (every other action, including any AWS adds later)")
    if s.not_resources is not None:
        parts.append(f"NotResource {_quote_list(s.not_resources)} (every other resource)")
    if not parts:
        return []
    where = "" if s.not_resources is not None else f" on {_resources_text(s)}"
    msg = f"{s.label} allows {' with '.join(parts)}{where}"
    actions = s.not_actions if s.not_actions is not None else s.actions or ()
    resources = s.not_resources if s.not_resources is not None else s.resources or ()
    return [_finding(NOT_ACTION, g, msg, actions, resources)]


_SELF_USER = re.compile(r"arn:[^:]*:iam::[^:]*:user/(?:[^:]*/)?\$\{aws:username\}", re.IGNORECASE)


def _self_scoped(s: Statement, policy: Policy) -> bool:
    """Every resource is the calling user itself (user/${aws:username})."""
    if not policy.has_policy_variables or s.resources is None or not s.resources:
        return False
    return all(_SELF_USER.fullmatch(r) for r in s.resources)


def _version_text(policy: Policy) -> str:
    return f'"{policy.version}"' if policy.version else "missing (which means 2008-10-17)"


def _privilege_escalation(allowed: list[_Grant], policy: Policy) -> list[IamFinding]:
    # The first statement granting each PassRole target action, for the combinations.
    anywhere: dict[str, _Grant] = {}
    for g in allowed:
        for key in escalation.PASSROLE_TARGETS:
            if key in g.actions and key not in anywhere and _reach(g.s, key)[0]:
                anywhere[key] = g
    findings = []
    for g in allowed:
        s = g.s
        hits: list[tuple[ActionInfo, str]] = []
        extra: list[str] = []
        resources: dict[str, None] = {}
        # iam:PassRole first: it is the one most often granted by accident.
        keys = sorted(
            (k for k in escalation.ESCALATION_KEYS if k in g.actions), key=lambda k: (k != escalation.PASS_ROLE, k)
        )
        for key in keys:
            info = g.actions[key]
            granted, broad, reached = _reach(s, key)
            if not granted:
                continue
            if key in escalation.PRINCIPAL_ACTIONS:
                if key in escalation.SELF_SERVICE_ACTIONS and _self_scoped(s, policy):
                    continue
                why = escalation.PRINCIPAL_ACTIONS[key]
                unexpanded = not policy.has_policy_variables and any("${" in r for r in reached)
                if key in escalation.SELF_SERVICE_ACTIONS and unexpanded:
                    why += (
                        '; the policy variable in its Resource is only expanded when Version is "2012-10-17", '
                        f"and this policy's Version is {_version_text(policy)}"
                    )
            elif key in escalation.HIJACK_ACTIONS and broad:
                why = escalation.HIJACK_ACTIONS[key]
            elif key == escalation.PASS_ROLE and broad:
                why = "pass any role to an AWS service and act with that role's permissions"
                combos = [t for t in sorted(escalation.PASSROLE_TARGETS) if t in anywhere]
                if combos:
                    uses = []
                    for t in combos:
                        other = anywhere[t]
                        where = "" if other is g else f" in {other.s.label}"
                        uses.append(f"{other.actions[t].full_name}{where} to {escalation.PASSROLE_TARGETS[t]}")
                        extra.append(other.actions[t].full_name)
                    more = f", and {len(uses) - 3} more" if len(uses) > 3 else ""
                    why += "; with " + ", and ".join(uses[:3]) + more
            else:
                continue
            hits.append((info, why))
            resources.update(dict.fromkeys(reached))
        if not hits:
            continue
        names = [a.full_name for a, _ in hits]
        shown = hits[:MESSAGE_ACTIONS]
        detail = "; ".join(f"{a.full_name} (can {why})" for a, why in shown)
        if len(hits) > MESSAGE_ACTIONS:
            detail += f"; and {len(hits) - MESSAGE_ACTIONS} more: {', '.join(names[MESSAGE_ACTIONS:])}"
        noun = "a privilege-escalation action" if len(hits) == 1 else f"{len(hits)} privilege-escalation actions"
        where = _resources_text(s, None if s.not_resources is not None else tuple(resources))
        msg = f"{s.label} allows {noun} on {where}: {detail}"
        findings.append(_finding(PRIVILEGE_ESCALATION, g, msg, list(dict.fromkeys(names + extra)), tuple(resources)))
    return findings


# --- trust policies -------------------------------------------------------------------

_ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity")
_ACCOUNT_ARN = re.compile(r"arn:[^:]+:(?:iam|sts)::([^:]*):.*")
# Federated identity providers whose tokens must be pinned by a condition, and the key that pins them.
_WEB_IDENTITY_KEYS = {
    "cognito-identity.amazonaws.com": "aud",
    "accounts.google.com": "aud",
    "graph.facebook.com": "app_id",
    "www.amazon.com": "app_id",
}


def analyse_trust_policy(
    document: str | bytes | Mapping[str, Any],
    *,
    own_account_id: str | Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
) -> list[IamFinding]:
    """Findings of a role's trust (assume-role) policy.

    Reported as trust-too-broad:
    - Principal "*" or {"AWS": "*"} (or an account wildcard such as
      arn:aws:iam::*:root), and NotPrincipal in an Allow; lowered when a
      restricting Condition (aws:PrincipalOrgID, aws:SourceArn, sts:ExternalId...)
      narrows it.
    - An AWS principal in another account without an sts:ExternalId Condition.
      "Another account" needs `own_account_id` (one ID or several, for an
      organisation's accounts): a policy alone cannot tell its own account, so
      without it no principal is taken to be cross-account.
    - A web-identity (OIDC) provider without a Condition pinning the token's
      subject (`<provider>:sub`; `:aud` or `:app_id` for Cognito, Google,
      Facebook and Amazon): any identity the provider issues tokens to (for
      GitHub Actions, any repository) could assume the role.
    """
    policy = parse_policy(document)
    catalogue = catalogue or get_catalogue()
    own = _accounts(own_account_id)
    findings: list[IamFinding] = []
    for s in policy.statements:
        g = _grant(s, catalogue)
        findings.extend(g.unknown)
        if not s.allows or not _assumes(s, g):
            continue
        findings.extend(_trust_statement(g, own))
    return sorted(findings, key=_order)


def _accounts(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value.strip()})
    return frozenset(v.strip() for v in value)


def _assumes(s: Statement, g: _Grant) -> bool:
    if s.actions is None:
        return any(a in g.actions for a in _ASSUME_ACTIONS)
    return any(a in g.actions for a in _ASSUME_ACTIONS) or any(p in ("*", "*:*") for p in s.actions)


def _account_of(principal: str) -> str | None:
    if re.fullmatch(r"\d{12}", principal):
        return principal
    m = _ACCOUNT_ARN.fullmatch(principal)
    return m.group(1) if m else None


def _trust_finding(
    g: _Grant, message: str, principals: Iterable[str], restricting: tuple[ConditionEntry, ...]
) -> IamFinding:
    return IamFinding(
        rule=TRUST_TOO_BROAD,
        message=message + _lowered_text(restricting),
        statement_index=g.s.index,
        sid=g.s.sid,
        line=g.s.line,
        actions=tuple(a.full_name for a in sorted(g.actions.values(), key=lambda a: a.key) if a.key in _ASSUME_ACTIONS),
        principals=tuple(principals),
        condition_keys=tuple(dict.fromkeys(e.key for e in restricting)),
        lowered=bool(restricting),
    )


def _trust_statement(g: _Grant, own: frozenset[str]) -> list[IamFinding]:
    s = g.s
    out: list[IamFinding] = []
    if s.not_principals is not None:
        names = [f"{k}: {v}" for k, vs in s.not_principals.items() for v in vs]
        msg = f"{s.label} lets every principal except NotPrincipal {_quote_list(names)} assume this role"
        out.append(_trust_finding(g, msg, names, g.restricting))
        return out
    principals = s.principals or {}
    aws = principals.get("AWS", ())
    everyone = list(principals.get("*", ())) + [p for p in aws if p == "*" or _wild(_account_of(p) or "")]
    if everyone:
        shown = 'Principal "*"' if "*" in principals else f'Principal {{"AWS": {_quote_list(everyone)}}}'
        cond = "" if g.restricting else " with no Condition restricting who"
        msg = f"{s.label} lets any AWS principal in any account assume this role ({shown}){cond}"
        out.append(_trust_finding(g, msg, everyone, g.restricting))
    if own:
        foreign = [p for p in aws if p not in everyone and _account_of(p) not in (None, *own)]
        if foreign and not conditions.find(s, "sts:ExternalId"):
            accounts = sorted({_account_of(p) or "" for p in foreign})
            acct_text = ", ".join(accounts)
            own_text = ", ".join(sorted(own))
            msg = (
                f"{s.label} lets account{'s' if len(accounts) > 1 else ''} {acct_text} "
                f"({_quote_list(foreign)}), not this account ({own_text}), assume this role "
                "without an sts:ExternalId Condition"
            )
            out.append(_trust_finding(g, msg, foreign, g.restricting))
    for provider in principals.get("Federated", ()):
        key = _web_identity_key(provider)
        if key is None:
            continue  # SAML providers and anything else: bounded by the identity provider itself
        if conditions.find(s, key):
            continue
        host = key.rsplit(":", 1)[0]
        msg = (
            f"{s.label} lets identities from {host} assume this role without a Condition on {key}: "
            "anyone that provider issues a token to (for GitHub Actions, any repository) can assume it"
        )
        out.append(_trust_finding(g, msg, [provider], g.restricting))
    return out


def _web_identity_key(provider: str) -> str | None:
    if provider in _WEB_IDENTITY_KEYS:
        return f"{provider}:{_WEB_IDENTITY_KEYS[provider]}"
    marker = ":oidc-provider/"
    if provider.startswith("arn:") and marker in provider:
        host = provider.split(marker, 1)[1]
        return f"{host}:{_WEB_IDENTITY_KEYS.get(host, 'sub')}"
    return None


# --- attached AWS managed policies ------------------------------------------------------

# Decided here: PowerUserAccess counts as admin-class. It allows every action of
# every service except IAM, Organizations and Account management (NotAction):
# all data and all infrastructure, which is as far from least privilege as
# AdministratorAccess for everything a service owns. IAMFullAccess is reported
# as privilege escalation: it can attach AdministratorAccess to anyone.
ADMIN_CLASS_MANAGED_POLICIES: dict[str, tuple[str, str]] = {
    "AdministratorAccess": (ADMIN, "every action on every resource: full administrator access"),
    "PowerUserAccess": (
        ADMIN,
        "every action of every service except IAM, Organizations and Account management, on every resource",
    ),
    "IAMFullAccess": (
        PRIVILEGE_ESCALATION,
        "every IAM action: the holder can attach AdministratorAccess to itself",
    ),
}
_MANAGED_ARN = re.compile(r"arn:aws(?:-[a-z-]+)?:iam::aws:policy/(?:[^/]+/)*([^/]+)")


def managed_policy_finding(arn_or_name: str) -> IamFinding | None:
    """A finding for an attached admin-class AWS managed policy, else None.

    Takes an ARN ("arn:aws:iam::aws:policy/AdministratorAccess") or a bare name.
    A customer managed policy that merely shares the name (an account ID in
    place of "aws" in the ARN) is not an AWS managed policy: None, analyse its
    document instead. Names are matched exactly, as IAM ARNs are.
    """
    value = arn_or_name.strip()
    if value.startswith("arn:"):
        m = _MANAGED_ARN.fullmatch(value)
        if not m:
            return None
        name = m.group(1)
    else:
        name = value
    hit = ADMIN_CLASS_MANAGED_POLICIES.get(name)
    if hit is None:
        return None
    rule, what = hit
    return IamFinding(
        rule=rule,
        message=f"the AWS managed policy {name} is attached ({value}): {what}",
        actions=("*",) if name != "IAMFullAccess" else ("iam:*",),
        resources=("*",),
    )


def is_admin_managed_policy(arn_or_name: str) -> bool:
    """True for AdministratorAccess, PowerUserAccess and IAMFullAccess (as ARN or name)."""
    return managed_policy_finding(arn_or_name) is not None
