"""The read-only guard, the policy in the docs, pagination and the credential report, and that `prc scan`
never imports boto3."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from prc.aws.collect import IAM_PREFIX, OPERATIONS, collect_credential_report, collect_iam
from prc.aws.session import ReadOnlySession, ReadOnlyViolation, allowed_operation

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("operation, allowed", [
    ("DescribeInstances", True), ("GetAccountAuthorizationDetails", True), ("ListRoles", True),
    ("GenerateCredentialReport", True), ("GenerateServiceLastAccessedDetails", False), ("DeleteUser", False),
    ("RunInstances", False), ("PutMetricAlarm", False), ("CreateAccessKey", False), ("UpdateAssumeRolePolicy", False),
])
def test_allowed_operations(operation, allowed):
    assert allowed_operation(operation) is allowed


def test_every_collector_operation_is_read_only():
    assert all(allowed_operation(op) for _, op in OPERATIONS)


def test_a_write_is_refused_before_it_is_sent(account):
    import boto3

    session = ReadOnlySession(endpoint_url=account)
    iam = session.client("iam")
    with pytest.raises(ReadOnlyViolation, match="iam:DeleteUser"):
        iam.delete_user(UserName="bob")
    with pytest.raises(ReadOnlyViolation, match="ec2:TerminateInstances"):
        session.client("ec2", "us-east-1").terminate_instances(InstanceIds=["i-0123456789abcdef0"])
    # Nothing was sent: bob is still there.
    assert boto3.client("iam", endpoint_url=account).get_user(UserName="bob")["User"]["UserName"] == "bob"
    assert ("iam", "DeleteUser") not in session.calls.counts


def test_the_documented_policy_grants_every_operation_the_collector_can_call():
    text = (REPO / "docs" / "aws-audit.md").read_text()
    block = re.search(r"```json\n(.*?)\n```", text, re.S).group(1)
    policy = json.loads(block)
    granted = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    needed = {f"{IAM_PREFIX.get(service, service)}:{op}" for service, op in OPERATIONS}
    assert needed - granted == set()
    # And nothing that writes.
    assert all(allowed_operation(a.split(":", 1)[1]) for a in granted)


class _Stubbed:
    """A ReadOnlySession whose clients answer from botocore's Stubber: recorded real-format responses."""

    def __init__(self, responses):
        from botocore.stub import Stubber

        self.real = ReadOnlySession(endpoint_url="http://127.0.0.1:9")
        self.clients = {}
        self.responses = responses
        self.stubbers = []
        self.Stubber = Stubber

    def client(self, service, region=None):
        if service not in self.clients:
            c = self.real.client(service, region)
            stub = self.Stubber(c)
            for operation, response, params in self.responses[service]:
                stub.add_response(operation, response, params)
            stub.activate()
            self.stubbers.append(stub)
            self.clients[service] = c
        return self.clients[service]


def _role(name):
    return {"RoleName": name, "RoleId": f"AROA{name.upper():X<17}"[:21],
            "Arn": f"arn:aws:iam::111122223333:role/{name}",
            "Path": "/", "CreateDate": "2025-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
            "RoleLastUsed": {"LastUsedDate": dt.datetime(2026, 11, 1, 10, tzinfo=dt.timezone.utc),
                             "Region": "eu-west-1"}}


def test_iam_follows_every_page_of_get_account_authorization_details(aws_env):
    filters = {"Filter": ["User", "Role", "Group", "LocalManagedPolicy"]}
    session = _Stubbed({"iam": [
        ("get_account_authorization_details", {"RoleDetailList": [_role("a"), _role("b")], "IsTruncated": True,
                                               "Marker": "page-2"}, filters),
        ("get_account_authorization_details", {"RoleDetailList": [_role("c")], "IsTruncated": False},
         {**filters, "Marker": "page-2"}),
    ]})
    found = collect_iam(session)
    assert [r["RoleName"] for r in found["RoleDetailList"]] == ["a", "b", "c"]
    # The trust policy is decoded (botocore URL-decodes and parses IAM policy documents) and dates are text.
    assert found["RoleDetailList"][0]["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": []}
    assert found["RoleDetailList"][0]["RoleLastUsed"]["LastUsedDate"] == "2026-11-01T10:00:00+00:00"
    for stub in session.stubbers:
        stub.assert_no_pending_responses()


REPORT = (b"user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          b"password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
          b"access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
          b"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,"
          b"access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
          b"<root_account>,arn:aws:iam::111122223333:root,2019-04-02T08:00:00+00:00,not_supported,"
          b"2026-10-30T08:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
          b"false,N/A,false,N/A\n")


def test_the_credential_report_is_polled_a_bounded_number_of_times_then_parsed(aws_env):
    session = _Stubbed({"iam": [
        ("generate_credential_report", {"State": "STARTED"}, {}),
        ("generate_credential_report", {"State": "INPROGRESS"}, {}),
        ("generate_credential_report", {"State": "COMPLETE"}, {}),
        ("get_credential_report", {"Content": REPORT, "ReportFormat": "text/csv"}, {}),
    ]})
    waits = []
    rows = collect_credential_report(session, sleep=waits.append)
    assert waits == [2.0, 2.0]
    assert rows[0]["user"] == "<root_account>" and rows[0]["mfa_active"] == "true"


def test_a_report_that_never_completes_gives_up(aws_env):
    from prc.aws import collect

    session = _Stubbed({"iam": [("generate_credential_report", {"State": "INPROGRESS"}, {})]
                        * collect.REPORT_MAX_POLLS})
    with pytest.raises(TimeoutError):
        collect_credential_report(session, sleep=lambda s: None)


def test_a_scan_never_imports_boto3():
    code = ("import sys\nfrom prc.cli import main\n"
            f"main(['scan', {str(REPO / 'tests/checks/PRC-TF-100/bad.tf')!r}, '--fail-on', 'never', "
            "'--format', 'json'])\nprint('boto3' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_a_role_arn_profile_assumes_its_role_and_the_audit_still_only_reads(account, tmp_path, monkeypatch):
    """botocore's own sts:AssumeRole (a role_arn profile, the usual way into production) is credential
    resolution, not a call of prc's: it must go through, while prc's own clients stay guarded."""
    (tmp_path / "config").write_text("[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/auditor\n"
                                     "source_profile = src\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text("[src]\naws_access_key_id = testing\n"
                                          "aws_secret_access_key = testing-secret-never-printed\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", account)  # botocore's STS call goes to the moto server too
    session = ReadOnlySession(profile="audit", endpoint_url=account)
    iam = session.client("iam")
    assert iam.get_user(UserName="bob")["User"]["UserName"] == "bob"
    with pytest.raises(ReadOnlyViolation, match="iam:DeleteUser"):
        iam.delete_user(UserName="bob")
    assert ("sts", "AssumeRole") not in session.calls.counts  # not prc's call, and not counted as one


def test_launch_template_user_data_never_reaches_the_snapshot(account):
    import base64
    import json

    import boto3

    from prc.aws.collect import collect_launch_templates

    secret = "export DB_PASSWORD=hunter2-SUPERSECRET"
    # A region the seeded account does not use, so no other test sees this template.
    boto3.client("ec2", "ap-southeast-2", endpoint_url=account).create_launch_template(
        LaunchTemplateName="boots-with-secrets",
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro",
                            "UserData": base64.b64encode(secret.encode()).decode(),
                            "MetadataOptions": {"HttpTokens": "required"}})
    templates = collect_launch_templates(ReadOnlySession(endpoint_url=account), "ap-southeast-2")
    [mine] = [t for t in templates if t["LaunchTemplateName"] == "boots-with-secrets"]
    assert mine["DefaultVersionData"]["MetadataOptions"]["HttpTokens"] == "required"
    assert "UserData" not in mine["DefaultVersionData"]
    assert base64.b64encode(secret.encode()).decode() not in json.dumps(templates)
