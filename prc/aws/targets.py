"""Typed targets built from a Snapshot: what the PRC-AWS-* checks judge.

Each is an Artifact whose `name` is the resource's ARN or ID, whose `region` is its region ("global" for
IAM), whose `file` is a pseudo location `aws://<account>/<region>/<type>/<id>` (line 0), and whose service
comes from the service tag (`--service-tag`, `service_tag` in .prc.yaml, default `Service`). Account-level
targets, and resources without the tag, belong to the service `account`.

`AwsAccount` and `AwsRegion` carry what a check needs to say UNKNOWN when a collector failed: a check that
reads instances in a region whose instance collector failed has no instance to judge there, so it judges
the region and reports UNKNOWN with the collector's reason, never a PASS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model import Location, TargetRef
from ..targets import Artifact
from .snapshot import GLOBAL, Snapshot, parse_time

ACCOUNT_SERVICE = "account"


@dataclass(eq=False)
class AwsTarget(Artifact):
    region: str = GLOBAL
    data: dict = field(default_factory=dict)
    snapshot: Snapshot | None = field(default=None, repr=False)
    # The date ages are counted to (the audit's --today).
    today: dt.date = field(default_factory=dt.date.today)
    # The tag that names a resource's service (--service-tag, service_tag in .prc.yaml).
    service_tag: str = "Service"

    @property
    def ref(self) -> TargetRef:
        return TargetRef(self.kind, self.name, "" if self.region == GLOBAL else self.region)

    def locate(self, at: str) -> Location:
        return Location(self.file, 0)

    @property
    def annotations(self) -> dict:
        return {}

    def gap(self, *collectors: str, region: str | None = None) -> str | None:
        """Why one of these collectors could not read this target's region (or the account), else None."""
        if self.snapshot is None:
            return None
        for name in collectors:
            reason = self.snapshot.error(region or self.region, name)
            if reason is not None:
                where = "the account" if (region or self.region) == GLOBAL else region or self.region
                return f"could not collect {name} in {where}: {reason}"
        return None

    def gaps(self, *collectors: str) -> list:
        """One UNKNOWN per collector that could not read this target's region: what a check says instead of
        judging resources it never saw."""
        return [self.unknown(reason, at=f"collector:{name}") for name in collectors
                if (reason := self.gap(name)) is not None]

    def age_days(self, text: object) -> int | None:
        """Whole days from an ISO timestamp of the snapshot to the audit date; None when there is no date."""
        when = parse_time(text)
        return None if when is None else (self.today - when.date()).days


@dataclass(eq=False)
class AwsAccount(AwsTarget):
    """The account itself: root credentials, password policy, collector errors of account-wide collectors."""


@dataclass(eq=False)
class AwsRegion(AwsTarget):
    """One audited region: EBS encryption by default, collector errors of that region."""

    @property
    def in_use(self) -> bool:
        s = self.snapshot
        return bool(s and any(s.region_data(self.region, c) for c in ("instances", "volumes", "launch-templates",
                                                                       "autoscaling")))


@dataclass(eq=False)
class AwsPrincipal(AwsTarget):
    """A user, group or role from GetAccountAuthorizationDetails: `data` is its detail entry."""

    @property
    def inline_policies(self) -> list[tuple[str, object]]:
        key = {"AwsRole": "RolePolicyList", "AwsUser": "UserPolicyList", "AwsGroup": "GroupPolicyList"}[self.kind]
        return [(p.get("PolicyName", "?"), p.get("PolicyDocument")) for p in self.data.get(key) or []]

    @property
    def attached(self) -> list[str]:
        return sorted(p.get("PolicyArn", "") for p in self.data.get("AttachedManagedPolicies") or [])


@dataclass(eq=False)
class AwsRole(AwsPrincipal):
    pass


@dataclass(eq=False)
class AwsUser(AwsPrincipal):
    # The user's credential report row ({} when the report has none for it or could not be read).
    credentials: dict = field(default_factory=dict)


@dataclass(eq=False)
class AwsGroup(AwsPrincipal):
    pass


@dataclass(eq=False)
class AwsPolicy(AwsTarget):
    """A customer managed policy; `data` is its GAAD entry, `document` its default version's document."""

    @property
    def document(self) -> object:
        for v in self.data.get("PolicyVersionList") or []:
            if v.get("IsDefaultVersion"):
                return v.get("Document")
        return None

    @property
    def policy_name(self) -> str:
        return str(self.data.get("PolicyName") or self.name.rsplit("/", 1)[-1])

    @property
    def default_version(self) -> str:
        return str(self.data.get("DefaultVersionId", ""))


@dataclass(eq=False)
class AwsInstance(AwsTarget):
    pass


@dataclass(eq=False)
class AwsLaunchTemplate(AwsTarget):
    pass


@dataclass(eq=False)
class AwsSecurityGroup(AwsTarget):
    pass


@dataclass(eq=False)
class AwsVolume(AwsTarget):
    pass


@dataclass(eq=False)
class AwsAsg(AwsTarget):
    pass


@dataclass(eq=False)
class AwsAlarm(AwsTarget):
    pass


def tag_dict(value) -> dict:
    """AWS tag lists ([{"Key": k, "Value": v}], either case) as a dict."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    found = {}
    for t in value or []:
        if isinstance(t, dict):
            key = t.get("Key", t.get("key"))
            if key is not None:
                found[str(key)] = str(t.get("Value", t.get("value", "")))
    return found


def build_targets(snapshot: Snapshot, service_tag: str = "Service", today: dt.date | None = None) -> list[AwsTarget]:
    today = today or dt.date.today()
    account = snapshot.account_id or "unknown-account"

    def make(cls, type_name: str, region: str, ident: str, data: dict, tags: dict | None = None, name: str = "",
             **extra) -> AwsTarget:
        tags = tags or {}
        service = tags.get(service_tag, "").strip()
        reason = f"its {service_tag} tag" if service else (
            "account-level" if region == GLOBAL or cls in (AwsAccount, AwsRegion) else f"no {service_tag} tag")
        return cls(kind=cls.__name__, name=name or ident, file=f"aws://{account}/{region}/{type_name}/{ident}",
                   line=0, service=service or ACCOUNT_SERVICE, tags=tags, service_reason=reason, region=region,
                   data=data, snapshot=snapshot, today=today, service_tag=service_tag, **extra)

    targets: list[AwsTarget] = [make(AwsAccount, "account", GLOBAL, account, {})]
    targets += [make(AwsRegion, "region", region, region, {}) for region in snapshot.regions]

    rows = {r.get("user"): r for r in snapshot.credential_report}
    iam = snapshot.iam or {}
    principals: dict[str, AwsTarget] = {}
    for key, cls, type_name, name_key in (("RoleDetailList", AwsRole, "role", "RoleName"),
                                          ("UserDetailList", AwsUser, "user", "UserName"),
                                          ("GroupDetailList", AwsGroup, "group", "GroupName")):
        for d in iam.get(key) or []:
            extra = {"credentials": rows.get(d.get(name_key), {})} if cls is AwsUser else {}
            t = make(cls, type_name, GLOBAL, d.get(name_key, "?"), d, tag_dict(d.get("Tags")), d.get("Arn", ""), **extra)
            principals[d.get("Arn", "")] = t
            targets.append(t)
    # Users the credential report knows but GetAccountAuthorizationDetails did not give (it failed, or the user
    # is newer): judged from their report row, with no tags.
    known_users = {d.get("UserName") for d in iam.get("UserDetailList") or []}
    for name, row in sorted(rows.items(), key=lambda kv: str(kv[0])):
        if name and name != "<root_account>" and name not in known_users:
            targets.append(make(AwsUser, "user", GLOBAL, name, {"UserName": name, "Arn": row.get("arn", "")}, {},
                                row.get("arn", ""), credentials=row))
    for d in iam.get("Policies") or []:
        # A managed policy has no Service tag in GAAD: it belongs to the one service of the principals it is
        # attached to, else to the account.
        arn = d.get("Arn", "")
        users = {p.service for p in principals.values() if arn in getattr(p, "attached", [])}
        tag = {service_tag: users.pop()} if len(users) == 1 and ACCOUNT_SERVICE not in users else {}
        t = make(AwsPolicy, "policy", GLOBAL, d.get("PolicyName") or arn.rsplit("/", 1)[-1], d, tag, arn)
        t.tags = tag_dict(d.get("Tags"))
        targets.append(t)

    regional = ((AwsInstance, "instances", "instance", "InstanceId", "Tags"),
                (AwsSecurityGroup, "security-groups", "security-group", "GroupId", "Tags"),
                (AwsVolume, "volumes", "volume", "VolumeId", "Tags"),
                (AwsLaunchTemplate, "launch-templates", "launch-template", "LaunchTemplateId", "Tags"),
                (AwsAsg, "autoscaling", "autoscaling-group", "AutoScalingGroupName", "Tags"))
    for region in snapshot.regions:
        for cls, collector, type_name, id_key, tag_key in regional:
            for d in snapshot.region_data(region, collector) or []:
                targets.append(make(cls, type_name, region, str(d.get(id_key, "?")), d, tag_dict(d.get(tag_key))))
        alarms = snapshot.region_data(region, "alarms") or {}
        for kind in ("MetricAlarms", "CompositeAlarms"):
            for d in alarms.get(kind) or []:
                alarm = make(AwsAlarm, "alarm", region, d.get("AlarmName", "?"), d, {}, d.get("AlarmName"))
                # DescribeAlarms gives no tags: an alarm belongs to the service of the group or instance it
                # watches.
                watched = {str(x.get("Value")) for x in d.get("Dimensions") or []
                           if x.get("Name") in ("AutoScalingGroupName", "InstanceId")}
                owners = {t.service for t in targets if isinstance(t, (AwsAsg, AwsInstance)) and t.region == region
                          and t.data.get("AutoScalingGroupName", t.data.get("InstanceId")) in watched}
                if len(owners) == 1 and ACCOUNT_SERVICE not in owners:
                    alarm.service = owners.pop()
                    alarm.service_reason = "the service of the resource it watches"
                targets.append(alarm)
    return targets
