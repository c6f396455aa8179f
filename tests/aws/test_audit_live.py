"""`prc audit aws` end to end against the seeded moto server: the exact findings, the server's own record of
the requests it received, and a snapshot round trip."""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request

import pytest

from prc.aws.collect import OPERATIONS
from prc.aws.session import allowed_operation
from prc.cli import main

from .conftest import AWS_ENV, audit_args, labels, relabel

# What the seeded account must give, every result that is not a PASS: (status, check, severity, service,
# target, message). Random IDs are replaced by <name> (see conftest.labels). Where moto differs from AWS:
# instances an Auto Scaling group launches do not inherit the launch template's metadata options (so the
# orders group's members show HttpTokens "optional"), the credential report has no root row (the root checks
# read the account summary), and RoleLastUsed is always empty.
EXPECTED = sorted([
    ("FAIL", "PRC-AWS-001", "medium", "checkout", "AwsAsg/us-east-1/checkout",
     "HealthCheckType is EC2: the group serves a load balancer but replaces only instances whose VM fails, not "
     "those the load balancer finds unhealthy"),
    ("FAIL", "PRC-AWS-010", "medium", "checkout", "AwsAsg/us-east-1/checkout",
     "no lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING: instances stop without draining"),
    ("FAIL", "PRC-AWS-030", "high", "checkout", "AwsAsg/us-east-1/checkout",
     "MinSize is 1: the group may run fewer than 2 instances, so the loss of one instance or zone takes the service "
     "down"),
    ("FAIL", "PRC-AWS-033", "high", "checkout", "AwsAsg/us-east-1/checkout",
     "the group runs in only us-east-1a: losing that zone takes the service down"),
    ("FAIL", "PRC-AWS-040", "medium", "account", "AwsVolume/us-east-1/<disk-of-bastion>",
     "it has no snapshot (none in the last 7 days) and no AWS Backup plan selects it"),
    ("FAIL", "PRC-AWS-040", "medium", "account", "AwsVolume/us-east-1/<disk-of-orders-member>",
     "it has no snapshot (none in the last 7 days) and no AWS Backup plan selects it"),
    ("FAIL", "PRC-AWS-040", "medium", "account", "AwsVolume/us-east-1/<disk-of-orders-member>",
     "it has no snapshot (none in the last 7 days) and no AWS Backup plan selects it"),
    ("FAIL", "PRC-AWS-060", "medium", "checkout", "AwsAlarm/us-east-1/checkout-cpu",
     "AlarmDescription links https://example.com/cpu but nothing marks a runbook; write the runbook link as "
     "Runbook: <url>"),
    ("FAIL", "PRC-AWS-062", "high", "checkout", "AwsAlarm/us-east-1/checkout-cpu",
     "the alarm has no AlarmActions: it changes state and notifies no one"),
    ("FAIL", "PRC-AWS-070", "low", "account", "AwsInstance/us-east-1/<bastion>",
     "detailed monitoring is disabled: metrics come every five minutes"),
    ("FAIL", "PRC-AWS-070", "low", "orders", "AwsInstance/us-east-1/<orders-member>",
     "detailed monitoring is disabled: metrics come every five minutes"),
    ("FAIL", "PRC-AWS-070", "low", "orders", "AwsInstance/us-east-1/<orders-member>",
     "detailed monitoring is disabled: metrics come every five minutes"),
    ("FAIL", "PRC-AWS-080", "critical", "account", "AwsRole/arn:aws:iam::123456789012:role/legacy-admin",
     "the AWS managed policy AdministratorAccess is attached (arn:aws:iam::aws:policy/AdministratorAccess): every "
     "action on every resource: full administrator access"),
    ("FAIL", "PRC-AWS-080", "critical", "billing", "AwsPolicy/arn:aws:iam::123456789012:policy/app-admin",
     'policy app-admin (v1): Statement[0] allows Action "*" on Resource "*": full administrator access'),
    ("FAIL", "PRC-AWS-081", "high", "billing", "AwsPolicy/arn:aws:iam::123456789012:policy/app-admin",
     'policy app-admin (v1): Statement[0] allows "*" (every action of every service) on Resource "*"'),
    ("FAIL", "PRC-AWS-081", "high", "orders", "AwsRole/arn:aws:iam::123456789012:role/ci-deployer",
     'inline policy broad: Statement[0] allows "s3:*" (all 168 s3 actions, and any AWS adds later) on Resource "*"'),
    ("FAIL", "PRC-AWS-082", "high", "account", "AwsPolicy/arn:aws:iam::123456789012:policy/not-action", None),
    ("FAIL", "PRC-AWS-082", "high", "billing", "AwsPolicy/arn:aws:iam::123456789012:policy/app-admin", None),
    ("FAIL", "PRC-AWS-082", "high", "orders", "AwsPolicy/arn:aws:iam::123456789012:policy/deploy-passrole", None),
    ("FAIL", "PRC-AWS-082", "high", "orders", "AwsRole/arn:aws:iam::123456789012:role/ci-deployer", None),
    ("FAIL", "PRC-AWS-083", "critical", "account", "AwsPolicy/arn:aws:iam::123456789012:policy/not-action", None),
    ("FAIL", "PRC-AWS-083", "critical", "billing", "AwsPolicy/arn:aws:iam::123456789012:policy/app-admin", None),
    ("FAIL", "PRC-AWS-083", "critical", "orders", "AwsPolicy/arn:aws:iam::123456789012:policy/deploy-passrole",
     None),
    ("FAIL", "PRC-AWS-084", "high", "account", "AwsPolicy/arn:aws:iam::123456789012:policy/not-action",
     'policy not-action (v1): Statement[0] allows NotAction "iam:*" (every other action, including any AWS adds '
     'later) on Resource "*"'),
    ("FAIL", "PRC-AWS-085", "critical", "account", "AwsRole/arn:aws:iam::123456789012:role/legacy-admin",
     'trust policy of legacy-admin: Statement[0] lets any AWS principal in any account assume this role (Principal '
     '{"AWS": "*"}) with no Condition restricting who'),
    ("FAIL", "PRC-AWS-085", "critical", "orders", "AwsRole/arn:aws:iam::123456789012:role/ci-deployer",
     'trust policy of ci-deployer: Statement[0] lets account 999999999999 ("arn:aws:iam::999999999999:root"), not '
     'this account (123456789012), assume this role without an sts:ExternalId Condition'),
    ("FAIL", "PRC-AWS-091", "critical", "account", "AwsAccount/123456789012",
     "the root user has no MFA (account summary: AccountMFAEnabled is 0)"),
    ("FAIL", "PRC-AWS-092", "high", "account", "AwsUser/arn:aws:iam::123456789012:user/bob",
     "the user can sign in to the console with a password and has no MFA device"),
    ("FAIL", "PRC-AWS-093", "medium", "billing", "AwsUser/arn:aws:iam::123456789012:user/svc-legacy",
     "access key 1 was last rotated 317 days ago (2026-01-10), more than 90"),
    ("FAIL", "PRC-AWS-094", "medium", "account", "AwsUser/arn:aws:iam::123456789012:user/bob",
     "the console password has never been used in the 317 days since 2026-01-10, more than 90"),
    ("FAIL", "PRC-AWS-094", "medium", "billing", "AwsUser/arn:aws:iam::123456789012:user/svc-legacy",
     "the access key 1 has never been used in the 317 days since 2026-01-10, more than 90"),
    ("FAIL", "PRC-AWS-095", "low", "account", "AwsAccount/123456789012",
     "the account has no password policy: IAM accepts any password of 8 characters or more"),
    ("FAIL", "PRC-AWS-096", "low", "account", "AwsRole/arn:aws:iam::123456789012:role/legacy-admin",
     "the role has not been used since it was created 317 days ago (2026-01-10)"),
    ("FAIL", "PRC-AWS-100", "high", "account", "AwsInstance/us-east-1/<bastion>",
     'MetadataOptions.HttpTokens is "optional": IMDSv1 hands the instance role\'s credentials to any request the '
     "instance can be tricked into making"),
    ("FAIL", "PRC-AWS-100", "high", "account", "AwsLaunchTemplate/us-east-1/<lt:batch>",
     'MetadataOptions sets no HttpTokens, so it defaults to "optional" and IMDSv1 stays open'),
    ("FAIL", "PRC-AWS-100", "high", "orders", "AwsInstance/us-east-1/<orders-member>",
     'MetadataOptions.HttpTokens is "optional": IMDSv1 hands the instance role\'s credentials to any request the '
     "instance can be tricked into making"),
    ("FAIL", "PRC-AWS-100", "high", "orders", "AwsInstance/us-east-1/<orders-member>",
     'MetadataOptions.HttpTokens is "optional": IMDSv1 hands the instance role\'s credentials to any request the '
     "instance can be tricked into making"),
    ("FAIL", "PRC-AWS-101", "medium", "account", "AwsRegion/us-east-1/us-east-1",
     "EBS encryption by default is off: a volume is unencrypted unless whoever creates it asks"),
    ("FAIL", "PRC-AWS-101", "medium", "account", "AwsVolume/us-east-1/<disk-of-bastion>",
     "the volume is not encrypted and encryption by default is off; attached to <bastion>"),
    ("FAIL", "PRC-AWS-101", "medium", "account", "AwsVolume/us-east-1/<disk-of-orders-member>",
     "the volume is not encrypted and encryption by default is off; attached to <orders-member>"),
    ("FAIL", "PRC-AWS-101", "medium", "account", "AwsVolume/us-east-1/<disk-of-orders-member>",
     "the volume is not encrypted and encryption by default is off; attached to <orders-member>"),
    ("FAIL", "PRC-AWS-101", "medium", "account", "AwsVolume/us-east-1/<disk-of-orders-web>",
     "the volume is not encrypted and encryption by default is off; attached to <orders-web>"),
    ("FAIL", "PRC-AWS-101", "medium", "orders", "AwsVolume/us-east-1/<orders-data-plain>",
     "the volume is not encrypted and encryption by default is off"),
    ("FAIL", "PRC-AWS-102", "critical", "account", "AwsSecurityGroup/eu-west-1/<sg:rdp-open>",
     "IpPermissions[0] opens ports 3000-4000, which include RDP (3389) to ::/0"),
    ("FAIL", "PRC-AWS-102", "critical", "account", "AwsSecurityGroup/us-east-1/<sg:ssh-open>",
     "IpPermissions[0] opens SSH (22) to 0.0.0.0/0"),
], key=lambda e: tuple(x or "" for x in e))


def _run(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def live(account, tmp_path_factory):
    """One live audit: (its JSON report, the snapshot it saved, the requests moto recorded meanwhile)."""
    import contextlib
    import io
    import os

    directory = tmp_path_factory.mktemp("audit")
    snapshot = directory / "snapshot.json"
    _moto_api(account, "reset-recording")
    _moto_api(account, "start-recording")
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        with contextlib.redirect_stdout(out):
            code = main(audit_args(account, "--format", "json", "--save-snapshot", str(snapshot)))
    finally:
        os.chdir(cwd)
        _moto_api(account, "stop-recording")
    recording = urllib.request.urlopen(f"{account}/moto-api/recorder/download-recording").read().decode()
    assert code == 0
    return out.getvalue(), snapshot, recording


def _moto_api(url: str, action: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/recorder/{action}", method="POST")).read()


def test_the_audit_gives_exactly_the_expected_findings(live):
    report, snapshot, _ = live
    names = labels(json.loads(snapshot.read_text()))
    found = []
    for r in json.loads(report)["results"]:
        if r["status"] == "PASS":
            continue
        t = r["target"]
        target = relabel(f"{t['kind']}/{t['namespace'] + '/' if t['namespace'] else ''}{t['name']}", names)
        found.append((r["status"], r["check_id"], r["severity"], r["service"], target, relabel(r["message"], names)))
    found.sort()
    # Messages that list thousands of catalogue actions are checked by their start only.
    shown = [e if e[5] is not None else e[:5] for e in EXPECTED]
    got = [f if shown[i][5:] else f[:5] for i, f in enumerate(found[:len(shown)])] + found[len(shown):]
    assert got == shown


def test_services_come_from_the_service_tag(live):
    report, _, _ = live
    services = {s["name"]: s for s in json.loads(report)["services"]}
    assert sorted(services) == ["account", "billing", "checkout", "orders"]
    assert services["orders"]["verdict"] == "NOT READY"


def _rest_operation(service: str, method: str, url: str) -> str | None:
    """The operation of a REST request (AWS Backup): the one whose HTTP method and request URI template match."""
    import re

    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    path = urllib.parse.urlparse(url).path
    for name in model.operation_names:
        http = model.operation_model(name).http
        template = http["requestUri"].split("?")[0]
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/")))
        if http["method"] == method and re.fullmatch(pattern + "/?", path):
            return name
    return None


def _operations(recording: str) -> list[tuple[str, str]]:
    """(service hint, operation) of each request moto recorded: the Action of a query-protocol body, the
    X-Amz-Target of a JSON request, the path of a Smithy RPC v2 request, or the method and URI template of a
    REST request."""
    found = []
    for line in recording.splitlines():
        entry = json.loads(line)
        headers = {k.lower(): v for k, v in entry["headers"].items()}
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode("utf-8", "replace")
        scope = headers.get("authorization", "").split("Credential=")[-1].split("/")
        service = scope[3] if len(scope) > 3 else "?"
        if "x-amz-target" in headers:
            found.append((service, headers["x-amz-target"].rsplit(".", 1)[-1]))
        elif "/operation/" in entry["url"]:
            found.append((service, entry["url"].rsplit("/operation/", 1)[-1].split("?")[0]))
        else:
            action = urllib.parse.parse_qs(body).get("Action") or urllib.parse.parse_qs(
                urllib.parse.urlparse(entry["url"]).query).get("Action")
            operation = action[0] if action else _rest_operation(service, entry["method"], entry["url"])
            found.append((service, operation or f"{entry['method']} {entry['url']}"))
    return found


def test_moto_recorded_only_read_operations(live):
    _, _, recording = live
    operations = _operations(recording)
    assert operations, "moto recorded nothing: the recorder is not working"
    names = {op for _, op in operations}
    assert all(allowed_operation(op) for op in names), sorted(n for n in names if not allowed_operation(n))
    # Every collector ran, and nothing else was sent (no --all-regions here, and the account has no backup plan
    # whose selections to read).
    assert names == {op for _, op in OPERATIONS} - {"DescribeRegions", "ListBackupSelections", "GetBackupSelection"}
    # IAM in one paginated call, never one call per role or user.
    assert "GetAccountAuthorizationDetails" in names
    assert not names & {"GetRole", "ListRoles", "GetRolePolicy", "ListAttachedRolePolicies", "GetUser"}


def test_no_credential_reaches_the_snapshot_or_the_report(live):
    report, snapshot, _ = live
    for secret in (AWS_ENV["AWS_SECRET_ACCESS_KEY"], AWS_ENV["AWS_SESSION_TOKEN"]):
        assert secret not in report
        assert secret not in snapshot.read_text()


def test_a_saved_snapshot_gives_the_same_report_byte_for_byte(live, capsys, tmp_path, monkeypatch):
    report, snapshot, _ = live
    monkeypatch.chdir(tmp_path)
    code, offline = _run(capsys, "audit", "aws", "--from-snapshot", str(snapshot), "--today", "2026-11-23",
                         "--fail-on", "never", "--format", "json")
    assert code == 0
    assert offline == report


def test_the_gate_fails_on_the_bad_account(live, capsys, tmp_path, monkeypatch):
    _, snapshot, _ = live
    monkeypatch.chdir(tmp_path)
    code, out = _run(capsys, "audit", "aws", "--from-snapshot", str(snapshot), "--today", "2026-11-23",
                     "--fail-on", "critical", "--format", "json")
    assert code == 1
    assert json.loads(out)["gate"]["reasons"] == ["10 findings at critical severity or above"]


def test_waivers_and_the_service_tag_of_prc_yaml_apply_to_the_audit(live, capsys, tmp_path, monkeypatch):
    _, snapshot, _ = live
    (tmp_path / ".prc.yaml").write_text(
        "service_tag: Name\n"
        "waivers:\n"
        "  - check: PRC-AWS-092\n"
        "    target: AwsUser/arn:aws:iam::123456789012:user/bob\n"
        "    reason: break-glass user, MFA token in the safe\n"
        "    expires: 2027-01-31\n")
    monkeypatch.chdir(tmp_path)
    code, out = _run(capsys, "audit", "aws", "--from-snapshot", str(snapshot), "--today", "2026-11-23",
                     "--fail-on", "never", "--format", "json")
    assert code == 0
    report = json.loads(out)
    bob = [r for r in report["results"] if r["check_id"] == "PRC-AWS-092" and r["target"]["name"].endswith("/bob")]
    assert [(r["status"], r["suppression"]["reason"]) for r in bob] == [
        ("FAIL", "break-glass user, MFA token in the safe")]
    # Services now come from the Name tag.
    assert {"bastion", "orders-web"} <= {s["name"] for s in report["services"]}


def test_service_tag_option_wins_over_the_config(live, capsys, tmp_path, monkeypatch):
    _, snapshot, _ = live
    (tmp_path / ".prc.yaml").write_text("service_tag: Name\n")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "audit", "aws", "--from-snapshot", str(snapshot), "--today", "2026-11-23",
                  "--fail-on", "never", "--format", "json", "--service-tag", "Service")
    assert sorted(s["name"] for s in json.loads(out)["services"]) == ["account", "billing", "checkout", "orders"]


def test_a_snapshot_that_is_not_one_is_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text('{"hello": 1}')
    code = main(["audit", "aws", "--from-snapshot", "x.json"])
    assert code == 2
    assert "not a prc AWS snapshot" in capsys.readouterr().err


def test_a_snapshot_and_live_options_do_not_mix(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["audit", "aws", "--from-snapshot", "x.json", "--region", "eu-west-1"])
    assert code == 2
    assert "apply only to a live audit" in capsys.readouterr().err
