"""Live AWS EC2 checks: instance hardening (PRC-AWS-100..102), redundancy and zone spread of Auto Scaling groups
(PRC-AWS-030, 033), their health checks and termination hooks (PRC-AWS-001, 010), CloudWatch alarms
(PRC-AWS-060, 062), detailed monitoring (PRC-AWS-070) and EBS backups (PRC-AWS-040).

The rules are the Terraform checks' (checks/terraform.py, checks/terraform_alarms.py) asked of what
DescribeInstances, DescribeSecurityGroups, DescribeVolumes, DescribeLaunchTemplateVersions,
DescribeAutoScalingGroups and DescribeAlarms return; where a rule is a function there, it is called here.
Each check also judges the region: when the collector it needs failed there (AccessDenied, throttling), it
says UNKNOWN with the reason instead of passing a region it never saw.

Slugs carry an `aws-` prefix where the Terraform twin already owns the checklist's slug (a slug names one
check).
"""

from __future__ import annotations

import fnmatch

from prc.aws.targets import (
    ACCOUNT_SERVICE,
    AwsAlarm,
    AwsAsg,
    AwsInstance,
    AwsLaunchTemplate,
    AwsRegion,
    AwsSecurityGroup,
    AwsTarget,
    AwsVolume,
    tag_dict,
)
from prc.registry import check

from .terraform import _is_world, _rule_ports
from .terraform_alarms import _RUNBOOK_OPTIONS, _runbook_link, _words_re

_TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


def _serves_traffic(g: AwsAsg) -> bool:
    return bool(g.data.get("TargetGroupARNs") or g.data.get("LoadBalancerNames")
                or any(t.get("Type") in ("elbv2", "elb") for t in g.data.get("TrafficSources") or []))


# -- instance hardening -----------------------------------------------------------------------------------

def _metadata(t: AwsTarget, options: dict | None, at: str):
    options = options or {}
    tokens, endpoint = options.get("HttpTokens"), options.get("HttpEndpoint")
    if str(endpoint).lower() == "disabled":
        return t.ok("the instance metadata service is disabled", at=f"{at}.HttpEndpoint")
    if str(tokens).lower() == "required":
        return t.ok('HttpTokens is "required" (IMDSv2 only)', at=f"{at}.HttpTokens")
    if tokens is None:
        return t.fail('MetadataOptions sets no HttpTokens, so it defaults to "optional" and IMDSv1 stays open',
                      at=at)
    return t.fail(f'MetadataOptions.HttpTokens is "{tokens}": IMDSv1 hands the instance role\'s credentials to any '
                  "request the instance can be tricked into making", at=f"{at}.HttpTokens")


@check(id="PRC-AWS-100", slug="aws-imdsv2-required", target=(AwsInstance, AwsLaunchTemplate, AwsRegion),
       item="instance-hardening", severity="high",
       fix="aws ec2 modify-instance-metadata-options --http-tokens required (and set HttpTokens required in the "
           "launch template's default version).")
def aws_imdsv2_required(t: AwsTarget, opts):
    """What: every running or stopped EC2 instance requires IMDSv2 (MetadataOptions.HttpTokens "required", or the metadata endpoint disabled), and so does the default version of every launch template (a version that sets no HttpTokens leaves it "optional" unless the account's instance metadata defaults say otherwise, which prc does not read yet). When instances or launch templates could not be collected in a region, that region is UNKNOWN with the reason.

    Why: IMDSv1 answers any plain GET to 169.254.169.254, so a server-side request forgery in the app hands out the instance role's credentials; IMDSv2 needs a session token obtained with a PUT, which SSRF cannot send.

    How to fix: `aws ec2 modify-instance-metadata-options --instance-id i-... --http-tokens required --http-put-response-hop-limit 2` for running instances, and a new default launch template version with MetadataOptions HttpTokens "required" so replacements are right too.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("instances", "launch-templates")
    elif isinstance(t, AwsInstance):
        yield _metadata(t, t.data.get("MetadataOptions"), "MetadataOptions")
    else:
        data = t.data.get("DefaultVersionData")
        if data is None:
            yield t.unknown("the default version of the launch template could not be read", at="DefaultVersionData")
        else:
            yield _metadata(t, data.get("MetadataOptions"), "DefaultVersionData.MetadataOptions")


@check(id="PRC-AWS-101", slug="aws-ebs-encrypted", target=(AwsVolume, AwsRegion), item="instance-hardening",
       severity="medium", fix="Enable EBS encryption by default in every region, and replace unencrypted volumes "
                              "with encrypted copies (snapshot, copy with encryption, swap).")
def aws_ebs_encrypted(t: AwsTarget, opts):
    """What: every EBS volume is encrypted, and every region in use (with instances, volumes, launch templates or Auto Scaling groups) has EBS encryption by default on, so that new volumes are encrypted whatever launches them. Encryption by default does not encrypt volumes created before it was turned on, so an unencrypted volume fails either way, and its message says whether the default is on. When volumes or the default could not be collected in a region, that region is UNKNOWN with the reason.

    Why: an unencrypted volume, and every snapshot of it, can be read by anyone who gets the snapshot shared or copied, and fails most compliance regimes; a volume cannot be encrypted in place.

    How to fix: `aws ec2 enable-ebs-encryption-by-default` in each region; for an existing volume, snapshot it, copy the snapshot with --encrypted, create a volume from the copy and swap it in.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("volumes", "ebs-encryption-default")
        default = t.snapshot.region_data(t.region, "ebs-encryption-default") if t.snapshot else None
        if default is None or not t.in_use:
            return
        if default:
            yield t.ok("EBS encryption by default is on", at="ebs-encryption-default")
        else:
            yield t.fail("EBS encryption by default is off: a volume is unencrypted unless whoever creates it asks",
                         at="ebs-encryption-default")
        return
    if t.data.get("Encrypted"):
        yield t.ok("the volume is encrypted", at="Encrypted")
        return
    default = t.snapshot.region_data(t.region, "ebs-encryption-default") if t.snapshot else None
    note = {True: " (encryption by default is on now, but this volume was created unencrypted)",
            False: " and encryption by default is off"}.get(default, "")
    attached = ", ".join(a.get("InstanceId", "?") for a in t.data.get("Attachments") or [])
    yield t.fail(f"the volume is not encrypted{note}" + (f"; attached to {attached}" if attached else ""),
                 at="Encrypted")


def _world_ranges(permission: dict) -> list[str]:
    ranges = [r.get("CidrIp") for r in permission.get("IpRanges") or []]
    ranges += [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges") or []]
    return [r for r in ranges if _is_world(r)]


@check(id="PRC-AWS-102", slug="aws-no-public-admin-ports", target=(AwsSecurityGroup, AwsRegion),
       item="instance-hardening", severity="critical",
       fix="Allow SSH/RDP only from known ranges (a VPN or bastion CIDR, a security group) or use SSM Session "
           "Manager; never from 0.0.0.0/0 or ::/0.")
def aws_no_public_admin_ports(t: AwsTarget, opts):
    """What: no security group ingress rule lets the whole internet (0.0.0.0/0 or ::/0) reach SSH (22), RDP (3389) or every port (protocol -1, or a TCP/UDP range from 0 to 65535): the rule of PRC-TF-102 asked of DescribeSecurityGroups. Each offending permission is one finding. When security groups could not be collected in a region, that region is UNKNOWN with the reason.

    Why: SSH and RDP open to the internet are scanned within minutes and brute-forced around the clock; one weak or leaked key, or one unpatched daemon, is a full compromise of the host and of whatever its role can reach.

    How to fix: revoke the rule (aws ec2 revoke-security-group-ingress) and allow a VPN or bastion range or security group instead; better, drop inbound SSH/RDP and use SSM Session Manager or EC2 Instance Connect Endpoint.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("security-groups")
        return
    permissions = t.data.get("IpPermissions") or []
    found = False
    for i, p in enumerate(permissions):
        rule = {"protocol": p.get("IpProtocol"), "from_port": p.get("FromPort"), "to_port": p.get("ToPort")}
        ports = _rule_ports(rule, False)
        world = _world_ranges(p)
        if ports is None or not world:
            continue
        found = True
        yield t.fail(f"IpPermissions[{i}] opens {str(ports).rstrip(',')} to {' and '.join(world)}",
                     at=f"IpPermissions[{i}]")
    if not found:
        yield t.ok(f"none of its {len(permissions)} ingress permissions opens SSH, RDP or all ports to the internet",
                   at="IpPermissions")


# -- backups ----------------------------------------------------------------------------------------------

def _selects(selection: dict, arns: list[str], tags: dict) -> bool:
    """Whether an AWS Backup selection picks a resource: one of its ARNs matches Resources (patterns; none given
    means every resource) and none matches NotResources, one ListOfTags entry matches (when there are any), and
    every StringEquals / StringLike condition holds and no StringNotEquals / StringNotLike one matches."""
    resources = selection.get("Resources") or []
    has_tags = bool(selection.get("ListOfTags")) or any((selection.get("Conditions") or {}).values())
    if not resources and not has_tags:
        return False
    if resources and not any(fnmatch.fnmatchcase(a, r) for a in arns for r in resources):
        return False
    if any(fnmatch.fnmatchcase(a, r) for a in arns for r in selection.get("NotResources") or []):
        return False
    listed = selection.get("ListOfTags") or []
    if listed and not any(t.get("ConditionType") == "STRINGEQUALS"
                          and tags.get(t.get("ConditionKey", "")) == t.get("ConditionValue") for t in listed):
        return False
    conditions = selection.get("Conditions") or {}
    for c in conditions.get("StringEquals") or []:
        if tags.get(c.get("ConditionKey", "").removeprefix("aws:ResourceTag/")) != c.get("ConditionValue"):
            return False
    for c in conditions.get("StringLike") or []:
        value = tags.get(c.get("ConditionKey", "").removeprefix("aws:ResourceTag/"))
        if value is None or not fnmatch.fnmatchcase(value, c.get("ConditionValue", "")):
            return False
    # The exclusions AWS Backup also offers, ANDed with the rest: a volume they exclude is not backed up.
    for c in conditions.get("StringNotEquals") or []:
        if tags.get(c.get("ConditionKey", "").removeprefix("aws:ResourceTag/")) == c.get("ConditionValue"):
            return False
    for c in conditions.get("StringNotLike") or []:
        value = tags.get(c.get("ConditionKey", "").removeprefix("aws:ResourceTag/"))
        if value is not None and fnmatch.fnmatchcase(value, c.get("ConditionValue", "")):
            return False
    return True


@check(id="PRC-AWS-040", slug="ebs-backed-up", target=(AwsVolume, AwsRegion), item="backups", severity="medium",
       fix="Add the volume (or its instance, or a tag it carries) to an AWS Backup plan's selection, or snapshot it "
           "on a schedule (Data Lifecycle Manager).",
       options={"max_age_days": (7, "how recent the newest completed snapshot of a volume must be, in days")})
def ebs_backed_up(t: AwsTarget, opts):
    """What: every in-use EBS volume is covered by an AWS Backup plan (a selection that picks the volume, the instance it is attached to, or a tag it carries) or has a completed snapshot of its own taken within `max_age_days` (7) days of the audit date. Snapshots are the account's own (DescribeSnapshots with OwnerIds self). When the snapshots or the backup plans could not be collected and the other source does not cover the volume, the result is UNKNOWN with the reason.

    Why: a volume without backups is one `terraform destroy`, ransomware run or corrupting bug away from losing its data for good; EBS replicates within one zone against hardware failure, not against deletion or a bad write.

    How to fix: add an AWS Backup selection by tag (`Backup=daily`) to a plan with the retention the data needs, or a Data Lifecycle Manager policy for the volume's tag; test a restore.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("volumes")
        return
    if t.data.get("State") != "in-use":
        return
    snapshot = t.snapshot
    volume = t.name
    limit = int(opts["max_age_days"])
    taken = [s for s in (snapshot.region_data(t.region, "snapshots") or []) if s.get("VolumeId") == volume
             and s.get("State") == "completed"] if snapshot else []
    ages = sorted(a for a in (t.age_days(s.get("StartTime")) for s in taken) if a is not None)
    if ages and ages[0] <= limit:
        yield t.ok(f"its newest snapshot is {ages[0]} days old", at="snapshots")
        return
    account = snapshot.account_id if snapshot else ""
    partition = snapshot.partition if snapshot else "aws"
    arns = [f"arn:{partition}:ec2:{t.region}:{account}:volume/{volume}"]
    arns += [f"arn:{partition}:ec2:{t.region}:{account}:instance/{a.get('InstanceId')}"
             for a in t.data.get("Attachments") or [] if a.get("InstanceId")]
    plans = (snapshot.region_data(t.region, "backup") if snapshot else None) or []
    for plan in plans:
        for selection in plan.get("Selections") or []:
            if _selects(selection, arns, t.tags):
                yield t.ok(f"the AWS Backup plan {plan.get('BackupPlanName')} selects it "
                           f"({selection.get('SelectionName')})", at="backup")
                return
    newest = f"its newest snapshot is {ages[0]} days old" if ages else "it has no snapshot"
    gaps = [reason for reason in (t.gap("snapshots"), t.gap("backup")) if reason]
    if gaps:
        yield t.unknown(f"no backup found ({newest}, no backup plan selects it), but {'; '.join(gaps)}",
                        at="backup")
    else:
        yield t.fail(f"{newest} (none in the last {limit} days) and no AWS Backup plan selects it", at="backup")


# -- Auto Scaling groups ----------------------------------------------------------------------------------

@check(id="PRC-AWS-001", slug="aws-asg-elb-health-check", target=(AwsAsg, AwsRegion), item="readiness",
       severity="medium", fix="aws autoscaling update-auto-scaling-group --health-check-type ELB "
                              "--health-check-grace-period 300")
def aws_asg_elb_health_check(t: AwsTarget, opts):
    """What: an Auto Scaling group attached to a target group or classic load balancer uses HealthCheckType ELB, so instances the load balancer finds unhealthy are replaced. Groups that serve no load balancer are not judged. When Auto Scaling groups could not be collected in a region, that region is UNKNOWN with the reason.

    Why: with EC2 health checks only, an instance whose application hangs but whose VM runs stays in service forever: the load balancer stops sending it traffic, capacity shrinks and nobody replaces it.

    How to fix: set the group's health check type to ELB with a grace period that covers the application's start-up.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("autoscaling")
        return
    if not _serves_traffic(t):
        return
    kind = t.data.get("HealthCheckType")
    if kind == "ELB":
        yield t.ok("HealthCheckType is ELB", at="HealthCheckType")
    else:
        yield t.fail(f"HealthCheckType is {kind}: the group serves a load balancer but replaces only instances whose "
                     "VM fails, not those the load balancer finds unhealthy", at="HealthCheckType")


@check(id="PRC-AWS-010", slug="aws-asg-termination-lifecycle-hook", target=(AwsAsg, AwsRegion),
       item="graceful-shutdown", severity="medium",
       fix="Add an autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook that drains the instance before it stops.")
def aws_asg_termination_lifecycle_hook(t: AwsTarget, opts):
    """What: an Auto Scaling group that serves traffic (a target group or classic load balancer) has a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING, so the instance can drain and flush before it is stopped. Groups that serve no load balancer are not judged. When Auto Scaling groups could not be collected in a region, that region is UNKNOWN with the reason.

    Why: without the hook, a scale-in or instance refresh stops the instance as soon as deregistration ends: background work, buffered logs and long requests are cut off.

    How to fix: `aws autoscaling put-lifecycle-hook --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 300` and have the instance complete the action when it has drained.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("autoscaling")
        return
    if not _serves_traffic(t):
        return
    hooks = [h.get("LifecycleHookName") for h in t.data.get("LifecycleHooks") or []
             if h.get("LifecycleTransition") == _TERMINATING]
    if hooks:
        yield t.ok(f"the lifecycle hook {hooks[0]} runs on {_TERMINATING}", at="LifecycleHooks")
    else:
        yield t.fail(f"no lifecycle hook on {_TERMINATING}: instances stop without draining", at="LifecycleHooks")


_GROUP_TAG = "aws:autoscaling:groupName"


def _lone_instance(t: AwsInstance, minimum: int):
    """An instance that serves a service (it carries the service tag) outside any Auto Scaling group, when the
    service has no group in the region: judged on how many such instances the service runs there."""
    if t.service == ACCOUNT_SERVICE or _GROUP_TAG in t.tags or t.snapshot is None:
        return
    groups = [g for g in t.snapshot.region_data(t.region, "autoscaling") or []
              if tag_dict(g.get("Tags")).get(t.service_tag) == t.service]
    if groups:
        return  # the service runs in its group, which is judged
    # A stopped instance is no redundancy: only running (or starting) peers count.
    peers = sorted(i.get("InstanceId", "?") for i in t.snapshot.region_data(t.region, "instances") or []
                   if tag_dict(i.get("Tags")).get(t.service_tag) == t.service
                   and _GROUP_TAG not in tag_dict(i.get("Tags"))
                   and (i.get("State") or {}).get("Name", "running") in ("running", "pending"))
    if len(peers) >= minimum:
        yield t.ok(f"{len(peers)} instances of the service {t.service} run in {t.region}", at="Tags")
    else:
        yield t.fail(f"the only instance of the service {t.service} in {t.region}, and no Auto Scaling group runs "
                     "it: one host failure takes the service down", at="Tags")


@check(id="PRC-AWS-030", slug="aws-asg-min-size", target=(AwsAsg, AwsInstance, AwsRegion), item="redundancy", severity="high",
       fix="aws autoscaling update-auto-scaling-group --min-size 2 (spread over at least two zones).",
       options={"min": (2, "the fewest instances a group may run")})
def aws_asg_min_size(t: AwsTarget, opts):
    """What: every Auto Scaling group has MinSize >= `min` (2). An EC2 instance that carries the service tag, outside any Auto Scaling group, fails when its service has no group in the region and fewer than `min` such instances there. When Auto Scaling groups could not be collected in a region, that region is UNKNOWN with the reason.

    Why: one instance is one failure away from an outage: a host retirement, a kernel panic, an AZ event or a bad deploy takes the service down until the group replaces it.

    How to fix: raise the group's minimum size to 2 or more, across at least two Availability Zones.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("autoscaling")
        return
    if isinstance(t, AwsInstance):
        yield from _lone_instance(t, int(opts["min"]))
        return
    minimum, size = int(opts["min"]), t.data.get("MinSize")
    if isinstance(size, int) and size >= minimum:
        yield t.ok(f"MinSize is {size}", at="MinSize")
    else:
        yield t.fail(f"MinSize is {size}: the group may run fewer than {minimum} instances, so the loss of one "
                     "instance or zone takes the service down", at="MinSize")


@check(id="PRC-AWS-033", slug="aws-asg-multi-az", target=(AwsAsg, AwsRegion), item="zone-spread", severity="high",
       fix="Give the group subnets in at least two Availability Zones (VPCZoneIdentifier).")
def aws_asg_multi_az(t: AwsTarget, opts):
    """What: every Auto Scaling group spans at least two Availability Zones (AvailabilityZones of DescribeAutoScalingGroups, which follows its subnets). When Auto Scaling groups could not be collected in a region, that region is UNKNOWN with the reason.

    Why: a group in one zone goes down with that zone; AWS plans for zone failures and reports them several times a year across regions.

    How to fix: add subnets from a second (and third) zone to the group's VPCZoneIdentifier; the group rebalances on its own.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("autoscaling")
        return
    zones = sorted(t.data.get("AvailabilityZones") or [])
    if len(zones) >= 2:
        yield t.ok(f"the group spans {len(zones)} zones ({', '.join(zones)})", at="AvailabilityZones")
    else:
        yield t.fail(f"the group runs in {'only ' + zones[0] if zones else 'no zone'}: losing that zone takes "
                     "the service down", at="AvailabilityZones")


# -- alarms and telemetry ---------------------------------------------------------------------------------

@check(id="PRC-AWS-060", slug="aws-cloudwatch-alarm-runbook", target=(AwsAlarm, AwsRegion), item="alert-runbooks",
       severity="high", fix="Put the runbook link in the alarm description: \"Runbook: https://...\".",
       options=_RUNBOOK_OPTIONS)
def aws_cloudwatch_alarm_runbook(t: AwsTarget, opts):
    """What: every CloudWatch alarm's AlarmDescription (AlarmRule text is not read) contains a runbook link: an http(s) URL marked as a runbook by a word in it or just before it (the rule of PRC-TF-060; the words are an option). When alarms could not be collected in a region, that region is UNKNOWN with the reason.

    Why: the person paged at 3 a.m. needs to know what the alarm means and what to do first; a link in the notification saves the minutes spent searching a wiki.

    How to fix: add `Runbook: https://...` to the alarm's description (aws cloudwatch put-metric-alarm ... --alarm-description).
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("alarms")
        return
    text = str(t.data.get("AlarmDescription") or "")
    if not text.strip():
        yield t.fail("the alarm has no AlarmDescription, so it links no runbook", at="AlarmDescription")
        return
    link, unmarked = _runbook_link(text, _words_re(opts["words"]), bool(opts["any_url"]), False)
    if link is not None:
        yield t.ok(f"AlarmDescription links the runbook {link}", at="AlarmDescription")
    elif unmarked:
        yield t.fail(f"AlarmDescription links {', '.join(unmarked[:2])} but nothing marks a runbook; write the "
                     "runbook link as Runbook: <url>", at="AlarmDescription", severity="medium")
    else:
        yield t.fail("AlarmDescription holds no runbook link (no http(s) URL)", at="AlarmDescription")


@check(id="PRC-AWS-062", slug="aws-alarm-has-actions", target=(AwsAlarm, AwsRegion), item="alerts-routed",
       severity="high", fix="Give the alarm an SNS topic (or another notifier) in AlarmActions and enable actions.")
def aws_alarm_has_actions(t: AwsTarget, opts):
    """What: every CloudWatch alarm has AlarmActions and ActionsEnabled true, so a state change reaches someone or something. When alarms could not be collected in a region, that region is UNKNOWN with the reason.

    Why: an alarm without actions changes colour in a console nobody watches; the outage is found by customers.

    How to fix: `aws cloudwatch put-metric-alarm ... --alarm-actions arn:aws:sns:...` (an SNS topic wired to the pager), or `aws cloudwatch enable-alarm-actions` when they were turned off.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("alarms")
        return
    actions = t.data.get("AlarmActions") or []
    if not actions:
        yield t.fail("the alarm has no AlarmActions: it changes state and notifies no one", at="AlarmActions")
    elif t.data.get("ActionsEnabled") is False:
        yield t.fail("ActionsEnabled is false: the alarm changes state but its actions never run", at="ActionsEnabled")
    else:
        yield t.ok(f"AlarmActions notify {', '.join(sorted(actions))}", at="AlarmActions")


@check(id="PRC-AWS-070", slug="aws-ec2-detailed-monitoring", target=(AwsInstance, AwsRegion), item="telemetry",
       severity="low", fix="aws ec2 monitor-instances --instance-ids i-... (or Monitoring Enabled in the launch "
                           "template).")
def aws_ec2_detailed_monitoring(t: AwsTarget, opts):
    """What: every EC2 instance has detailed monitoring (Monitoring.State "enabled"), publishing metrics every minute. When instances could not be collected in a region, that region is UNKNOWN with the reason.

    Why: basic monitoring samples every five minutes, so alarms need 10 to 15 minutes to fire and scaling reacts in steps of five minutes.

    How to fix: `aws ec2 monitor-instances --instance-ids i-...`, and Monitoring Enabled in the launch template so replacements have it.
    """
    if isinstance(t, AwsRegion):
        yield from t.gaps("instances")
        return
    state = (t.data.get("Monitoring") or {}).get("State")
    if state in ("enabled", "pending"):
        yield t.ok(f"detailed monitoring is {state}", at="Monitoring.State")
    else:
        yield t.fail(f"detailed monitoring is {state or 'not set'}: metrics come every five minutes",
                     at="Monitoring.State")
