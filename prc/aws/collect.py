"""Read one account into a Snapshot: IAM once for the account, EC2 and friends per region, in parallel.

Every call goes through ReadOnlySession (session.py). A collector that fails (AccessDenied, throttling that
outlasts botocore's bounded retries, an unreachable endpoint) is recorded in `Snapshot.errors` with the
reason; the checks that need it report UNKNOWN for that region, and every other collector and region goes on.
"""

from __future__ import annotations

import csv
import io
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable

from .session import ReadOnlySession, ReadOnlyViolation, error_text
from .snapshot import GLOBAL, GLOBAL_COLLECTORS, REGIONAL_COLLECTORS, Snapshot, plain

# Every operation a collector can send, as (boto3 service name, operation). docs/aws-audit.md's policy must
# grant each one (a test checks it), and a test checks that an audit sends nothing else.
OPERATIONS = frozenset({
    ("sts", "GetCallerIdentity"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("iam", "GenerateCredentialReport"),
    ("iam", "GetCredentialReport"),
    ("iam", "GetAccountPasswordPolicy"),
    ("iam", "GetAccountSummary"),
    ("ec2", "DescribeRegions"),
    ("ec2", "DescribeInstances"),
    ("ec2", "DescribeSecurityGroups"),
    ("ec2", "DescribeVolumes"),
    ("ec2", "GetEbsEncryptionByDefault"),
    ("ec2", "DescribeSnapshots"),
    ("ec2", "DescribeLaunchTemplates"),
    ("ec2", "DescribeLaunchTemplateVersions"),
    ("autoscaling", "DescribeAutoScalingGroups"),
    ("autoscaling", "DescribeLifecycleHooks"),
    ("elbv2", "DescribeTargetGroups"),
    ("elbv2", "DescribeTargetGroupAttributes"),
    ("elbv2", "DescribeTargetHealth"),
    ("elbv2", "DescribeLoadBalancers"),
    ("cloudwatch", "DescribeAlarms"),
    ("backup", "ListBackupPlans"),
    ("backup", "ListBackupSelections"),
    ("backup", "GetBackupSelection"),
})
# The IAM service prefix of each boto3 service name, for the policy.
IAM_PREFIX = {"elbv2": "elasticloadbalancing"}

# How long to wait for the credential report to be generated, and how often to ask.
REPORT_POLL_SECONDS = 2.0
REPORT_MAX_POLLS = 15
DEFAULT_WORKERS = 8


class AuditError(Exception):
    """The audit cannot start at all (no credentials, the account cannot be identified)."""


def _pages(client, operation: str, key: str, **kwargs) -> list:
    found = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        found.extend(page.get(key, []))
    return found


# -- account-wide ---------------------------------------------------------------------------------------

def collect_iam(session: ReadOnlySession) -> dict:
    """GetAccountAuthorizationDetails, every page: users, groups, roles and customer managed policies (with
    their versions) in a handful of calls, never one call per role. AWS managed policies are judged by name."""
    iam = session.client("iam")
    merged: dict[str, list] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["User", "Role", "Group", "LocalManagedPolicy"]):
        for key in merged:
            merged[key].extend(plain(page.get(key, [])))
    return merged


def collect_credential_report(session: ReadOnlySession, sleep: Callable[[float], None] = time.sleep) -> list[dict]:
    """GenerateCredentialReport until it is COMPLETE (bounded), then GetCredentialReport, parsed from CSV."""
    iam = session.client("iam")
    for _ in range(REPORT_MAX_POLLS):
        state = iam.generate_credential_report().get("State")
        if state == "COMPLETE":
            break
        sleep(REPORT_POLL_SECONDS)
    else:
        raise TimeoutError(f"the credential report was not ready after {REPORT_MAX_POLLS} polls")
    content = iam.get_credential_report()["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def collect_password_policy(session: ReadOnlySession) -> dict | None:
    iam = session.client("iam")
    try:
        return plain(iam.get_account_password_policy()["PasswordPolicy"])
    except iam.exceptions.NoSuchEntityException:
        return None  # the account has no password policy: a finding, not an error


def collect_account_summary(session: ReadOnlySession) -> dict:
    return plain(session.client("iam").get_account_summary()["SummaryMap"])


# -- per region -----------------------------------------------------------------------------------------

def collect_instances(session, region):
    ec2 = session.client("ec2", region)
    reservations = _pages(ec2, "describe_instances", "Reservations")
    return [plain(i) for r in reservations for i in r.get("Instances", [])
            if i.get("State", {}).get("Name") != "terminated"]


def collect_security_groups(session, region):
    return plain(_pages(session.client("ec2", region), "describe_security_groups", "SecurityGroups"))


def collect_volumes(session, region):
    return plain(_pages(session.client("ec2", region), "describe_volumes", "Volumes"))


def collect_ebs_encryption_default(session, region):
    return bool(session.client("ec2", region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"])


def collect_launch_templates(session, region):
    """Each launch template with the data of its default version (what an ASG that asks for $Default gets)."""
    ec2 = session.client("ec2", region)
    templates = plain(_pages(ec2, "describe_launch_templates", "LaunchTemplates"))
    for t in templates:
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=t["LaunchTemplateId"],
                                                         Versions=["$Default"]).get("LaunchTemplateVersions", [])
        data = dict(versions[0].get("LaunchTemplateData", {})) if versions else None
        if data is not None:
            # Boot scripts often carry passwords and tokens: user data never reaches a snapshot or a report.
            data.pop("UserData", None)
        t["DefaultVersionData"] = plain(data) if data is not None else None
    return templates


def collect_autoscaling(session, region):
    """Auto Scaling groups, each with its lifecycle hooks."""
    asg = session.client("autoscaling", region)
    groups = plain(_pages(asg, "describe_auto_scaling_groups", "AutoScalingGroups"))
    for g in groups:
        g["LifecycleHooks"] = plain(asg.describe_lifecycle_hooks(
            AutoScalingGroupName=g["AutoScalingGroupName"]).get("LifecycleHooks", []))
    return groups


def collect_target_groups(session, region):
    elb = session.client("elbv2", region)
    groups = plain(_pages(elb, "describe_target_groups", "TargetGroups"))
    for g in groups:
        attributes = elb.describe_target_group_attributes(TargetGroupArn=g["TargetGroupArn"]).get("Attributes", [])
        g["Attributes"] = {a["Key"]: a.get("Value") for a in attributes}
        # Which targets are registered and whether the load balancer finds them healthy.
        health = elb.describe_target_health(TargetGroupArn=g["TargetGroupArn"]).get("TargetHealthDescriptions", [])
        g["TargetHealth"] = plain(health)
    return groups


def collect_load_balancers(session, region):
    return plain(_pages(session.client("elbv2", region), "describe_load_balancers", "LoadBalancers"))


def collect_alarms(session, region):
    cw = session.client("cloudwatch", region)
    metric, composite = [], []
    for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        metric.extend(plain(page.get("MetricAlarms", [])))
        composite.extend(plain(page.get("CompositeAlarms", [])))
    return {"MetricAlarms": metric, "CompositeAlarms": composite}


def collect_snapshots(session, region):
    """The account's own EBS snapshots (never public or shared ones): id, volume, start time, state."""
    found = _pages(session.client("ec2", region), "describe_snapshots", "Snapshots", OwnerIds=["self"])
    return [plain({k: s.get(k) for k in ("SnapshotId", "VolumeId", "StartTime", "State")}) for s in found]


def collect_backup(session, region):
    """AWS Backup plans with their selections (what each selects: resources, tags, conditions)."""
    backup = session.client("backup", region)
    plans = plain(_pages(backup, "list_backup_plans", "BackupPlansList"))
    for plan in plans:
        selections = _pages(backup, "list_backup_selections", "BackupSelectionsList",
                            BackupPlanId=plan["BackupPlanId"])
        plan["Selections"] = [plain(backup.get_backup_selection(
            BackupPlanId=plan["BackupPlanId"], SelectionId=s["SelectionId"])["BackupSelection"]) for s in selections]
    return plans


GLOBAL_FUNCS = {"iam": collect_iam, "credential-report": collect_credential_report,
                "password-policy": collect_password_policy, "account-summary": collect_account_summary}
REGIONAL_FUNCS = {"instances": collect_instances, "security-groups": collect_security_groups,
                  "volumes": collect_volumes, "ebs-encryption-default": collect_ebs_encryption_default,
                  "launch-templates": collect_launch_templates, "autoscaling": collect_autoscaling,
                  "target-groups": collect_target_groups, "load-balancers": collect_load_balancers,
                  "alarms": collect_alarms, "snapshots": collect_snapshots, "backup": collect_backup}
assert tuple(GLOBAL_FUNCS) == GLOBAL_COLLECTORS and tuple(REGIONAL_FUNCS) == REGIONAL_COLLECTORS


def caller(session: ReadOnlySession) -> tuple[str, str]:
    """(account id, partition) of the identity the audit runs as. The partition (aws, aws-us-gov, aws-cn) comes
    from its ARN: ARNs the checks build (backup selections) must use it."""
    try:
        identity = session.client("sts").get_caller_identity()
    except ReadOnlyViolation:
        raise
    except Exception as exc:  # no credentials, expired token, unreachable endpoint
        raise AuditError(f"cannot identify the account: {error_text(exc)}") from None
    arn = str(identity.get("Arn") or "")
    partition = arn.split(":")[1] if arn.startswith("arn:") and arn.count(":") >= 5 else "aws"
    return identity["Account"], partition or "aws"



def enabled_regions(session: ReadOnlySession) -> list[str]:
    try:
        regions = session.client("ec2").describe_regions()["Regions"]
    except ReadOnlyViolation:
        raise
    except Exception as exc:
        raise AuditError(f"cannot list the account's regions (--all-regions): {error_text(exc)}") from None
    return sorted(r["RegionName"] for r in regions)


def collect(session: ReadOnlySession, regions: list[str], workers: int = DEFAULT_WORKERS,
            progress: Callable[[str, str], None] | None = None) -> Snapshot:
    """A snapshot of the account in `regions`. `progress(region, collector)` is called as each one finishes."""
    account, partition = caller(session)
    snapshot = Snapshot(account_id=account, partition=partition, regions=sorted(set(regions)))
    jobs = [(GLOBAL, name, GLOBAL_FUNCS[name]) for name in GLOBAL_COLLECTORS]
    jobs += [(region, name, REGIONAL_FUNCS[name]) for region in snapshot.regions for name in REGIONAL_COLLECTORS]

    def run(region, name, func):
        return func(session) if region == GLOBAL else func(session, region)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="prc-aws") as pool:
        futures = {pool.submit(run, *job): job for job in jobs}
        for future in as_completed(futures):
            region, name, _ = futures[future]
            try:
                data = future.result()
            except ReadOnlyViolation:
                raise  # a bug in prc: never hidden as an UNKNOWN
            except Exception as exc:
                snapshot.errors.append({"region": region, "collector": name, "reason": error_text(exc)})
            else:
                _store(snapshot, region, name, data)
            if progress is not None:
                progress(region, name)
    snapshot.errors.sort(key=lambda e: (e["region"], e["collector"]))
    return snapshot


def _store(snapshot: Snapshot, region: str, name: str, data) -> None:
    if region != GLOBAL:
        snapshot.regional.setdefault(region, {})[name] = data
    elif name == "iam":
        snapshot.iam = data
    elif name == "credential-report":
        snapshot.credential_report = data
    elif name == "password-policy":
        snapshot.password_policy = data
    else:
        snapshot.account_summary = data
