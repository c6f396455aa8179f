"""Live-audit checks on account shapes a review found them misjudging, each built from a checked-in fixture
snapshot with one change."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from prc.aws.audit import audit
from prc.aws.snapshot import Snapshot
from prc.config import Config
from prc.model import Status

from ..conftest import TODAY

CHECKS = Path(__file__).resolve().parent.parent / "checks"


def judged(registry, check_id: str, fixture: str, change, tmp_path: Path) -> list:
    data = json.loads((CHECKS / check_id / fixture).read_text())
    change(data)
    path = tmp_path / "account.snapshot.json"
    path.write_text(json.dumps(data))
    report = audit(Snapshot.load(path), Config(enable=[check_id]), registry, TODAY)
    return [r for r in report.results if r.check.id == check_id]


def test_a_stopped_instance_is_no_redundancy(registry, tmp_path):
    def stop_one(data):
        region = next(iter(data["regional"].values()))
        region["instances"][1]["State"] = {"Code": 80, "Name": "stopped"}

    before = judged(registry, "PRC-AWS-030", "good.snapshot.json", lambda d: None, tmp_path)
    after = judged(registry, "PRC-AWS-030", "good.snapshot.json", stop_one, tmp_path)
    assert {r.status for r in before} == {Status.PASS}
    assert Status.FAIL in {r.status for r in after}


def test_a_backup_selection_that_excludes_a_tag_does_not_back_those_volumes_up(registry, tmp_path):
    def exclude_everything_tagged(data):
        region = next(iter(data["regional"].values()))
        plan = region["backup"][0]
        plan["Selections"] = [{"SelectionName": "all-but", "Resources": ["*"],
                               "Conditions": {"StringNotLike": [{"ConditionKey": "aws:ResourceTag/Backup",
                                                                 "ConditionValue": "*"}]}}]
        region["snapshots"] = []

    before = judged(registry, "PRC-AWS-040", "good.snapshot.json", lambda d: None, tmp_path)
    after = judged(registry, "PRC-AWS-040", "good.snapshot.json", exclude_everything_tagged, tmp_path)
    assert {r.status for r in before} == {Status.PASS}
    # The volumes tagged Backup=daily are excluded now, and nothing else covers them.
    assert Status.FAIL in {r.status for r in after}


def test_a_console_password_set_last_week_is_not_stale_however_old_the_user(registry, tmp_path):
    def new_password_for_an_old_user(data):
        row = copy.deepcopy(data["credential_report"][0])
        row.update(user="dana", arn="arn:aws:iam::111122223333:user/dana", password_enabled="true",
                   password_last_used="no_information", password_last_changed="2026-11-20T09:00:00+00:00",
                   user_creation_time="2024-01-05T10:00:00+00:00")
        data["credential_report"].append(row)

    results = judged(registry, "PRC-AWS-094", "good.snapshot.json", new_password_for_an_old_user, tmp_path)
    assert [r.status for r in results if "dana" in str(r.target)] == [Status.PASS]


def test_an_audit_that_could_read_nothing_fails_every_gate_but_never(registry, tmp_path, capsys, monkeypatch):
    from prc.cli import main

    data = json.loads((CHECKS / "PRC-AWS-030" / "good.snapshot.json").read_text())
    from prc.aws.snapshot import GLOBAL, GLOBAL_COLLECTORS, REGIONAL_COLLECTORS

    data["iam"], data["credential_report"], data["password_policy"], data["account_summary"] = {}, [], None, {}
    for region in data["regional"]:
        data["regional"][region] = {}
    data["errors"] = [{"region": GLOBAL, "collector": c, "reason": "AccessDenied: not authorized"}
                      for c in GLOBAL_COLLECTORS] + [
        {"region": region, "collector": c, "reason": "UnauthorizedOperation: not authorized"}
        for region in data["regional"] for c in REGIONAL_COLLECTORS]
    path = tmp_path / "denied.snapshot.json"
    path.write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path)
    for fail_on, expected in (("critical", 1), ("low", 1), ("never", 0)):
        code = main(["audit", "aws", "--from-snapshot", str(path), "--today", "2026-11-23", "--fail-on", fail_on,
                     "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        assert code == expected, (fail_on, report["gate"])
    assert report["summary"]["objects"] == 0


def test_a_snapshot_with_a_field_of_the_wrong_type_is_refused_with_its_name(tmp_path):
    import pytest

    from prc.aws.snapshot import SnapshotError

    for field_name, value, message in (("regions", "eu-west-1", "regions: expected a list, got str"),
                                       ("credential_report", None, "credential_report: expected a list, got NoneType"),
                                       ("regions", [1], "regions[0]: expected a string (a region name), got int")):
        data = json.loads((CHECKS / "PRC-AWS-030" / "good.snapshot.json").read_text())
        data[field_name] = value
        path = tmp_path / "odd.snapshot.json"
        path.write_text(json.dumps(data))
        with pytest.raises(SnapshotError) as raised:
            Snapshot.load(path)
        assert str(raised.value) == message


def test_a_service_whose_region_could_not_be_fully_read_is_not_ready(registry, tmp_path):
    def deny_alarms(data):
        data["errors"].append({"region": "eu-west-1", "collector": "alarms",
                               "reason": "AccessDenied on DescribeAlarms: not authorized"})

    data = json.loads((CHECKS / "PRC-AWS-030" / "good.snapshot.json").read_text())
    deny_alarms(data)
    path = tmp_path / "partial.snapshot.json"
    path.write_text(json.dumps(data))
    report = audit(Snapshot.load(path), Config(enable=["PRC-AWS-030"]), registry, TODAY)
    errors = [r for r in report.results if r.status is Status.ERROR]
    assert [(r.service, str(r.target), r.location.file, r.message) for r in errors] == [
        (service, f"service/{service}", "aws://111122223333/eu-west-1",
         "alarms could not be read in eu-west-1, where the service has resources: "
         "AccessDenied on DescribeAlarms: not authorized") for service in ("orders", "reports")]
    # Its redundancy passed on what was read, but a verdict on what was not read cannot be READY.
    assert {r.status for r in report.results if r.check.id == "PRC-AWS-030"} == {Status.PASS}
    assert {s.name: s.verdict for s in report.services}["reports"] == "NOT READY"


def test_the_partition_comes_from_the_caller_s_arn():
    from prc.aws.collect import caller

    class Sts:
        def get_caller_identity(self):
            return {"Account": "123456789012", "Arn": "arn:aws-us-gov:iam::123456789012:user/auditor"}

    class Session:
        def client(self, service):
            assert service == "sts"
            return Sts()

    assert caller(Session()) == ("123456789012", "aws-us-gov")
