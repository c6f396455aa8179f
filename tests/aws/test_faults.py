"""What an audit does when the account answers with AccessDenied or throttling: UNKNOWN for what it could not
read, with the reason, for that region or collector only; bounded retries; never a false PASS."""

from __future__ import annotations

import json

import pytest

from prc.aws.collect import collect
from prc.aws.session import ReadOnlySession
from prc.cli import main

from .conftest import REGIONS, TODAY
from .proxy import Fault, Proxy

DENIED = "You are not authorized to perform this operation."
IAM_DENIED = ("User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: "
              "iam:GetAccountAuthorizationDetails")


@pytest.fixture()
def proxy(account):
    p = Proxy(account)
    url = p.start()
    p.url = url
    yield p
    p.stop()


def test_access_denied_makes_those_checks_unknown_for_that_region_only(proxy, capsys, tmp_path, monkeypatch):
    proxy.faults[("DescribeInstances", "eu-west-1")] = Fault(400, "UnauthorizedOperation", DENIED)
    proxy.faults[("GetAccountAuthorizationDetails", "*")] = Fault(403, "AccessDenied", IAM_DENIED)
    monkeypatch.chdir(tmp_path)
    regions = [a for r in REGIONS for a in ("--region", r)]
    code = main(["audit", "aws", "--endpoint-url", proxy.url, *regions, "--today", TODAY, "--fail-on", "never",
                 "--format", "json"])
    assert code == 0
    results = json.loads(capsys.readouterr().out)["results"]
    unknown = sorted((r["check_id"], r["target"]["kind"], r["target"]["name"], r["message"])
                     for r in results if r["status"] == "UNKNOWN")
    iam = f"could not collect iam in the account: AccessDenied on GetAccountAuthorizationDetails: {IAM_DENIED}"
    ec2 = f"could not collect instances in eu-west-1: UnauthorizedOperation on DescribeInstances: {DENIED}"
    assert unknown == sorted([
        *[(f"PRC-AWS-08{n}", "AwsAccount", "123456789012", iam) for n in range(6)],
        ("PRC-AWS-096", "AwsAccount", "123456789012", iam),
        ("PRC-AWS-070", "AwsRegion", "eu-west-1", ec2),
        ("PRC-AWS-100", "AwsRegion", "eu-west-1", ec2),
    ])
    # Nothing about IAM principals or policies passes: they were never seen.
    assert not [r for r in results if r["target"]["kind"] in ("AwsRole", "AwsPolicy", "AwsGroup")]
    # The other region and the other collectors went on.
    assert any(r["check_id"] == "PRC-AWS-100" and r["target"]["namespace"] == "us-east-1" for r in results)
    assert any(r["check_id"] == "PRC-AWS-102" and r["target"]["namespace"] == "eu-west-1" for r in results)
    assert any(r["check_id"] == "PRC-AWS-092" for r in results)


def test_throttling_is_retried_a_bounded_number_of_times(proxy):
    proxy.faults[("DescribeVolumes", "us-east-1")] = Fault(503, "RequestLimitExceeded", "Request limit exceeded.")
    proxy.faults[("DescribeSecurityGroups", "eu-west-1")] = Fault(503, "RequestLimitExceeded",
                                                                  "Request limit exceeded.", times=1)
    session = ReadOnlySession(endpoint_url=proxy.url, max_attempts=2)
    snapshot = collect(session, list(REGIONS))
    assert snapshot.errors == [{"region": "us-east-1", "collector": "volumes",
                                "reason": "RequestLimitExceeded on DescribeVolumes: Request limit exceeded."}]
    assert proxy.count("DescribeVolumes", "us-east-1") == 2  # max_attempts, then it gives up
    # A transient throttle is retried and the data is there.
    assert proxy.count("DescribeSecurityGroups", "eu-west-1") == 2
    assert snapshot.region_data("eu-west-1", "security-groups")
    assert snapshot.region_data("eu-west-1", "volumes") is not None


def test_an_unreachable_endpoint_is_reported_not_fatal(aws_env):
    from .conftest import free_port

    session = ReadOnlySession(endpoint_url=f"http://127.0.0.1:{free_port()}", max_attempts=1)
    from prc.aws.collect import AuditError

    with pytest.raises(AuditError, match="cannot identify the account"):
        collect(session, ["us-east-1"])


def test_a_live_audit_is_silent_on_stderr_when_it_is_not_a_terminal(account, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    regions = [a for r in REGIONS for a in ("--region", r)]
    code = main(["audit", "aws", "--endpoint-url", account, *regions, "--today", TODAY, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1  # the seeded account is NOT READY
    assert captured.err == ""
    assert json.loads(captured.out)["gate"]["passed"] is False


def test_all_regions_lists_the_enabled_regions(account):
    from prc.aws.collect import enabled_regions

    regions = enabled_regions(ReadOnlySession(endpoint_url=account))
    assert regions == sorted(regions) and {"us-east-1", "eu-west-1"} <= set(regions)


def test_an_unreachable_region_is_reported_and_the_others_go_on(proxy):
    for operation in ("DescribeInstances", "DescribeSecurityGroups", "DescribeVolumes", "GetEbsEncryptionByDefault",
                      "DescribeLaunchTemplates", "DescribeSnapshots"):
        proxy.faults[(operation, "eu-west-1")] = Fault(0, "dropped", "")
    snapshot = collect(ReadOnlySession(endpoint_url=proxy.url, max_attempts=1), list(REGIONS))
    failed = {(e["region"], e["collector"]) for e in snapshot.errors}
    assert failed == {("eu-west-1", c) for c in ("instances", "security-groups", "volumes", "ebs-encryption-default",
                                                 "launch-templates", "snapshots")}
    assert all("ConnectionClosedError" in e["reason"] or "Connection" in e["reason"] for e in snapshot.errors)
    assert snapshot.region_data("us-east-1", "instances")
