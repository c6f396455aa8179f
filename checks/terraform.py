"""Terraform infrastructure checks: load balancer and Auto Scaling health checks, termination hooks, redundancy and
zone spread of Auto Scaling groups and databases, backups and deletion protection, instance monitoring and
hardening (IMDSv2, EBS encryption, admin ports open to the internet) and owner tags.

Every check reads a `TfResource` (prc.loaders.terraform): `attrs` as Terraform would send them, evaluated
statically. A value prc cannot know is an `Unresolved`; a check that needs one answers UNKNOWN naming the
expression (`Unresolved.describe()`), never a guessed PASS or FAIL, and only when the unknown value decides the
answer (a security group rule on port 443 is not an admin-port finding whatever its unknown CIDR).

count / for_each: a block is judged once, on the values all its instances agree on. When a value that differs
between instances decides the answer, each instance is judged on its own and the findings name the instance
(`aws_db_instance.db["staging"]`).

Defaults are the AWS provider's (an argument left out means what Terraform sends when it is left out), and a
resource whose settings come from somewhere else is judged there: an aws_instance launched from a launch
template in the scan is judged through the template for the arguments it does not set itself.

Relations between resources come from `refs` (which objects an argument's expression names) and
`root.referencing(address)`, and from literal names (`autoscaling_group_name = "web"` matching the group whose
`name` is "web"): an attachment, lifecycle hook or cluster instance counts for the object it names either way.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import weakref

from prc.loaders.terraform import TfResource, Unresolved, find_unresolved
from prc.model import Status
from prc.registry import check

_NO_KEY = object()
_DIFFERS = "differs between the"
_PATH_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


# --------------------------------------------------------------------------- reading a resource


class _View:
    """One resource (or one instance of it) as a check reads it: get/blocks over its attributes, results on the
    resource, and a note of whether a value that differs between instances was met."""

    def __init__(self, r: TfResource, attrs: dict, key: object = _NO_KEY):
        self.r = r
        self.attrs = attrs
        self.key = key
        self.differs = False

    @property
    def label(self) -> str:
        if self.key is _NO_KEY:
            return self.r.address
        if isinstance(self.key, int):
            return f"{self.r.address}[{self.key}]"
        return f'{self.r.address}["{self.key}"]'

    def get(self, path: str, default: object = None) -> object:
        value: object = self.attrs
        for name, index in _PATH_RE.findall(path):
            if index:
                if not isinstance(value, list) or int(index) >= len(value):
                    return default
                value = value[int(index)]
            elif isinstance(value, dict) and not isinstance(value, Unresolved) and name in value:
                value = value[name]
            else:
                return default
        return value

    def blocks(self, name: str) -> list:
        value = self.attrs.get(name) if isinstance(self.attrs, dict) else None
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return [value]

    def ok(self, message: str, at: str = ""):
        return self.r.ok(f"{self.label}: {message}", at=at)

    def fail(self, message: str, at: str = ""):
        return self.r.fail(f"{self.label}: {message}", at=at)

    def unknown(self, what: str, value: Unresolved, at: str = ""):
        """UNKNOWN because `what` depends on `value`, which is not known statically."""
        if value.reason.startswith(_DIFFERS):
            self.differs = True
        return self.r.unknown(f"{self.label}: {what} is not known statically: {value.describe()}", at=at)


def _judged(r: TfResource, judge) -> list:
    """The outcomes of `judge(view)` on the resource; when an UNKNOWN came from a value that differs between
    count/for_each instances, each instance is judged instead: its failures (one per place), else its unknowns,
    else one pass."""
    view = _View(r, r.attrs)
    outcomes = list(judge(view) or ())
    if not view.differs or not r.instances:
        return outcomes
    per_instance = []
    for key, attrs in r.instances.items():
        per_instance.extend(judge(_View(r, attrs, key)) or ())
    for status in (Status.FAIL, Status.UNKNOWN):
        chosen = [o for o in per_instance if o.status is status]
        if chosen:
            return _one_per_place(chosen)
    return _one_per_place(per_instance)


def _one_per_place(outcomes: list) -> list:
    """One outcome per `at` (a finding's identity): the first, saying how many more instances share it."""
    by_place: dict[str, list] = {}
    for outcome in outcomes:
        by_place.setdefault(outcome.at, []).append(outcome)
    merged = []
    for group in by_place.values():
        first = group[0]
        if len(group) > 1:
            more = len(group) - 1
            first = dataclasses.replace(first, message=f"{first.message} (and {more} more instance"
                                                       f"{'s' if more > 1 else ''})")
        merged.append(first)
    return merged


def _managed(r: TfResource, types) -> bool:
    return r.mode == "managed" and r.type in types


def _number(value: object) -> float | int | None:
    """A number as Terraform would convert it (an int, a float, or a numeric string); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def _boolean(value: object) -> bool | None:
    """A bool as Terraform would convert it ("true"/"false" strings too); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _fmt(n: float | int) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# Root -> (number of resources when indexed, type -> managed resources of that type): an index built once per
# root module, so looking up an account-wide setting or a literal name costs the same in a tree of any size.
_BY_TYPE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _root_resources(r: TfResource, types) -> list:
    root = r.root
    if root is None:
        return []
    cached = _BY_TYPE.get(root)
    if cached is None or cached[0] != len(root.resources):
        index: dict[str, list] = {}
        for other in root.resources:
            if other.mode == "managed":
                index.setdefault(other.type, []).append(other)
        cached = (len(root.resources), index)
        _BY_TYPE[root] = cached
    return [o for t in types for o in cached[1].get(t, ())]


def _referencing(r: TfResource, types, attr: str | None = None) -> list:
    """Managed resources of the given types whose arguments (only `attr`, when given) name `r`."""
    if r.root is None:
        return []
    found = []
    for other in r.root.referencing(r.address):
        if other.mode != "managed" or other.type not in types:
            continue
        if attr is None or r.address in other.refs.get(attr, ()):
            found.append(other)
    return found


def _named_by(r: TfResource, name: object, types, attr: str) -> list:
    """Resources of the given types whose `attr` is the literal `name` (a group or cluster named by a string)."""
    if not isinstance(name, str) or not name:
        return []
    return [o for o in _root_resources(r, types) if o is not r and o.attrs.get(attr) == name]


def _instance_count(r: TfResource) -> object:
    """How many instances a block creates: an int, or the Unresolved count/for_each."""
    if isinstance(r.count, Unresolved):
        return r.count
    if isinstance(r.for_each, Unresolved):
        return r.for_each
    if isinstance(r.count, int) and not isinstance(r.count, bool):
        return r.count
    if isinstance(r.for_each, (list, dict)):
        return len(r.for_each)
    return 1


def _launch_template(v: _View) -> tuple[str, str]:
    """For an aws_instance launched from a launch template: ("scan", address) when the template is in the scan
    (it is judged there), ("outside", what names it) when it is not; ("", "") without a launch template."""
    blocks = [b for b in v.blocks("launch_template") if b is not None]
    if not blocks:
        return "", ""
    root = v.r.root
    in_scan = [a for a in v.r.refs.get("launch_template", ())
               if root is not None and (o := root.by_address(a)) is not None and o.type == "aws_launch_template"]
    if in_scan:
        return "scan", in_scan[0]
    block = blocks[0]
    if isinstance(block, dict):
        for key in ("id", "name"):
            value = block.get(key)
            if isinstance(value, str) and value:
                return "outside", f"launch template {value}"
            if isinstance(value, Unresolved):
                return "outside", f"launch template {value.expression}"
    return "outside", "a launch template outside the scan"


# --------------------------------------------------------------------------- readiness


_TARGET_GROUPS = ("aws_lb_target_group", "aws_alb_target_group")
_HTTP = ("HTTP", "HTTPS")


@check(id="PRC-TF-001", slug="lb-target-health-check", target=TfResource, item="readiness", severity="medium",
       fix="Give the target group a health_check block with the app's health endpoint and the codes it returns: "
           "path = \"/healthz\", matcher = \"200\".")
def lb_target_health_check(r: TfResource, opts):
    """What: an aws_lb_target_group (or aws_alb_target_group) whose health checks speak HTTP or HTTPS (the target group's protocol is HTTP/HTTPS, or its health_check sets protocol HTTP/HTTPS) has a health_check block that sets both `path` and `matcher`, and does not set enabled = false. Lambda target groups, and TCP/TLS/UDP target groups with TCP health checks, are not checked. A protocol, path or matcher prc cannot resolve is UNKNOWN when it decides the answer.

    Why: without a path the load balancer probes `/` and without a matcher it accepts only 200: a landing page that answers while the app's dependencies are down keeps a broken target in rotation, and a `/` that redirects (301/302) marks every healthy target unhealthy. Routing only to targets that are ready is what keeps a deploy or an instance failure invisible to users.

    How to fix: add `health_check { path = "/healthz"  matcher = "200" }` (with the interval, thresholds and timeout your app needs), pointing at an endpoint that answers only when the app can serve requests.
    """
    if not _managed(r, _TARGET_GROUPS):
        return
    yield from _judged(r, _target_group_health)


def _target_group_health(v: _View):
    target_type = v.get("target_type")
    if isinstance(target_type, str) and target_type.lower() == "lambda":
        return
    blocks = v.blocks("health_check")
    hc = blocks[0] if blocks else None
    if isinstance(hc, Unresolved):
        yield v.unknown("the health_check block", hc, "health_check[0]")
        return
    if hc is not None and not isinstance(hc, dict):
        return
    hc_protocol = hc.get("protocol") if hc else None
    protocol = hc_protocol if hc_protocol is not None else v.get("protocol")
    protocol_at = "health_check[0].protocol" if hc_protocol is not None else "protocol"
    unknown_protocol = protocol if isinstance(protocol, Unresolved) else None
    if unknown_protocol is None and not (isinstance(protocol, str) and protocol.upper() in _HTTP):
        return  # TCP/TLS/UDP/GENEVE health checks have no path; a missing protocol is a lambda or alb target group
    shown = protocol.upper() if isinstance(protocol, str) else "HTTP(S)"
    enabled = hc.get("enabled") if hc else None
    if isinstance(enabled, Unresolved):
        yield v.unknown("health_check.enabled", enabled, "health_check[0].enabled")
        return
    if _boolean(enabled) is False:
        yield v.fail(f"health checks are disabled (enabled = false): the load balancer sends traffic to every "
                     f"registered target, ready or not", at="health_check[0].enabled")
        return
    missing, unknown = [], []
    for name in ("path", "matcher"):
        value = hc.get(name) if hc else None
        if isinstance(value, Unresolved):
            unknown.append((name, value))
        elif not _text(value):
            missing.append(name)
    if not missing and not unknown:
        yield v.ok(f"{shown} health check on {hc['path']} expecting {hc['matcher']}", at="health_check[0].path")
        return
    if unknown_protocol is not None:
        yield v.unknown("the health check protocol (a path and matcher are needed only for HTTP/HTTPS)",
                        unknown_protocol, protocol_at)
        return
    if missing:
        if hc is None:
            yield v.fail(f"{shown} target group without a health_check block: the load balancer probes / and "
                         "accepts only 200, which says nothing about whether the app can serve")
            return
        said = {"path": "no path (the load balancer probes /)", "matcher": "no matcher (only 200 counts as healthy)"}
        yield v.fail(f"{shown} health check sets {' and '.join(said[m] for m in missing)}", at="health_check[0]")
        return
    name, value = unknown[0]
    yield v.unknown(f"health_check.{name}", value, f"health_check[0].{name}")


_ASG_ATTACHMENTS = ("aws_autoscaling_attachment", "aws_autoscaling_traffic_source_attachment")


def _asg_traffic(v: _View) -> tuple[object, str]:
    """Whether an Auto Scaling group is attached to a load balancer: (True, how), (False, ""), or
    (the Unresolved value that decides it, "")."""
    r = v.r
    unknown = None
    for name in ("target_group_arns", "load_balancers"):
        value = v.get(name)
        refs = r.refs.get(name, ())
        if isinstance(value, Unresolved):
            if refs:
                return True, f"{name} -> {', '.join(refs)}"
            unknown = unknown or value
        elif isinstance(value, list) and value:
            named = ", ".join(refs) if refs else ", ".join(str(x) for x in value)
            return True, f"{name} -> {named}"
    sources = v.blocks("traffic_source")
    for source in sources:
        if isinstance(source, Unresolved):
            unknown = unknown or source
        else:
            return True, "traffic_source"
    attachments = _referencing(r, _ASG_ATTACHMENTS) + _named_by(r, v.get("name"), _ASG_ATTACHMENTS,
                                                                  "autoscaling_group_name")
    if attachments:
        return True, attachments[0].address
    if unknown is not None:
        return unknown, ""
    return False, ""


@check(id="PRC-TF-002", slug="asg-elb-health-check", target=TfResource, item="readiness", severity="medium",
       fix="Set health_check_type = \"ELB\" (and a health_check_grace_period that covers boot) on the Auto Scaling "
           "group.")
def asg_elb_health_check(r: TfResource, opts):
    """What: an aws_autoscaling_group attached to a load balancer (target_group_arns, load_balancers or traffic_source on the group, or an aws_autoscaling_attachment / aws_autoscaling_traffic_source_attachment that names it) sets health_check_type = "ELB" (or "VPC_LATTICE" for a VPC Lattice traffic source). A group that is not attached is not checked; one whose attachment or health_check_type prc cannot resolve is UNKNOWN.

    Why: with the default health_check_type "EC2" the group replaces an instance only when EC2 reports the machine broken; an instance whose app has hung, crashed or lost its dependencies fails the load balancer's health check, is taken out of rotation, and stays there forever, one instance less capacity until someone notices.

    How to fix: set health_check_type = "ELB" and a health_check_grace_period long enough for an instance to boot and pass its first health checks, so the group replaces instances the load balancer considers unhealthy.
    """
    if not _managed(r, ("aws_autoscaling_group",)):
        return
    yield from _judged(r, _asg_health_check_type)


def _asg_health_check_type(v: _View):
    attached, how = _asg_traffic(v)
    if attached is False:
        return
    kind = v.get("health_check_type")
    if isinstance(kind, Unresolved):
        yield v.unknown("health_check_type", kind, "health_check_type")
        return
    if isinstance(kind, str) and kind.upper() in ("ELB", "VPC_LATTICE"):
        yield v.ok(f"health_check_type is {kind}", at="health_check_type")
        return
    if isinstance(attached, Unresolved):
        yield v.unknown("whether the group is attached to a load balancer", attached, "target_group_arns")
        return
    shown = f'"{kind}"' if kind is not None else 'not set (defaults to "EC2")'
    yield v.fail(f"attached to a load balancer ({how}) but health_check_type is {shown}: instances that fail the "
                 "load balancer's health check are never replaced", at="health_check_type" if kind is not None else "")


# --------------------------------------------------------------------------- graceful shutdown


_TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"


@check(id="PRC-TF-010", slug="asg-termination-lifecycle-hook", target=TfResource, item="graceful-shutdown",
       severity="medium",
       fix="Add an initial_lifecycle_hook (or an aws_autoscaling_lifecycle_hook) with lifecycle_transition = "
           "\"autoscaling:EC2_INSTANCE_TERMINATING\" and a heartbeat_timeout that covers draining.")
def asg_termination_lifecycle_hook(r: TfResource, opts):
    """What: an aws_autoscaling_group that serves traffic (attached to a load balancer, as in PRC-TF-002) has a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING: an initial_lifecycle_hook block, or an aws_autoscaling_lifecycle_hook whose autoscaling_group_name refers to the group or is its literal name. Groups not attached to a load balancer are not checked; an attachment or a hook's transition prc cannot resolve is UNKNOWN when no other hook settles it.

    Why: on scale-in, instance refresh or a rebalance the group terminates instances; without a termination hook the instance is shut down as soon as the load balancer's deregistration starts, in-flight requests and background jobs are cut, and the app never gets to flush buffers, finish work or leave a cluster cleanly.

    How to fix: add `initial_lifecycle_hook { name = "drain"  lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"  default_result = "CONTINUE"  heartbeat_timeout = 300 }` and have the instance (or a Lambda on the lifecycle event) drain, then complete the lifecycle action.
    """
    if not _managed(r, ("aws_autoscaling_group",)):
        return
    yield from _judged(r, _asg_termination_hook)


def _asg_termination_hook(v: _View):
    attached, how = _asg_traffic(v)
    if attached is False:
        return
    pending = None
    for i, hook in enumerate(v.blocks("initial_lifecycle_hook")):
        if isinstance(hook, Unresolved):
            pending = pending or (hook, f"initial_lifecycle_hook[{i}]")
            continue
        transition = hook.get("lifecycle_transition") if isinstance(hook, dict) else None
        if isinstance(transition, Unresolved):
            pending = pending or (transition, f"initial_lifecycle_hook[{i}].lifecycle_transition")
        elif transition == _TERMINATING:
            name = hook.get("name")  # may be Unresolved, which refuses to be a boolean
            yield v.ok(f"termination lifecycle hook {name if isinstance(name, str) and name else i}",
                       at=f"initial_lifecycle_hook[{i}].lifecycle_transition")
            return
    hooks = _referencing(v.r, ("aws_autoscaling_lifecycle_hook",), "autoscaling_group_name")
    hooks += [h for h in _named_by(v.r, v.get("name"), ("aws_autoscaling_lifecycle_hook",), "autoscaling_group_name")
              if h not in hooks]
    for hook in hooks:
        transition = hook.attrs.get("lifecycle_transition")
        if isinstance(transition, Unresolved):
            pending = pending or (transition, "")
        elif transition == _TERMINATING:
            yield v.ok(f"termination lifecycle hook {hook.address}")
            return
    if pending is not None:
        yield v.unknown("the lifecycle hook's transition", *pending)
        return
    if isinstance(attached, Unresolved):
        yield v.unknown("whether the group is attached to a load balancer", attached, "target_group_arns")
        return
    yield v.fail(f"serves traffic ({how}) but has no {_TERMINATING} lifecycle hook: instances are terminated "
                 "without a chance to drain")


# --------------------------------------------------------------------------- redundancy


_INSTANCE_TRAFFIC = ("aws_lb_target_group_attachment", "aws_elb", "aws_elb_attachment", "aws_eip",
                     "aws_eip_association", "aws_route53_record")


@check(id="PRC-TF-030", slug="asg-min-size", target=TfResource, item="redundancy", severity="high",
       fix="Run the service in an Auto Scaling group with min_size = 2 or more (spread over zones), not on a "
           "single instance.",
       options={"min": (2, "the fewest instances a group, or the instances serving one endpoint, may run")})
def asg_min_size(r: TfResource, opts):
    """What: every aws_autoscaling_group has min_size >= 2 (option `min`). An aws_instance that serves a service is flagged when it runs alone: one registered in a target group (aws_lb_target_group_attachment) or a classic ELB (aws_elb instances, aws_elb_attachment) fails when the instances registered there (count/for_each and every attachment to the same target group or ELB counted) are fewer than `min`; one reached through an Elastic IP (aws_eip, aws_eip_association) or a Route 53 record naming it, or carrying the service tag (`service_tag` in .prc.yaml, provider default_tags included) with no load balancer in front, fails unless its own count/for_each makes `min` instances. Instances with no service tag that nothing sends traffic to (shared build hosts) are not checked. A count, for_each or min_size prc cannot resolve is UNKNOWN.

    Why: one instance is one failure away from an outage: a host retirement, a kernel panic, an AZ event or a bad deploy takes the service down until someone rebuilds it. A group with at least two instances keeps serving through the loss of one, and replaces it on its own.

    How to fix: set min_size = 2 or more on the group; move a service running on a lone aws_instance into an Auto Scaling group behind its load balancer (or, at the least, run two instances in different zones behind it).
    """
    if _managed(r, ("aws_autoscaling_group",)):
        yield from _judged(r, lambda v: _asg_min(v, opts["min"]))
    elif _managed(r, ("aws_instance",)):
        yield from _lone_instance(r, opts["min"])


def _asg_min(v: _View, minimum: int):
    value = v.get("min_size")
    if isinstance(value, Unresolved):
        yield v.unknown("min_size", value, "min_size")
        return
    number = _number(value)
    if number is None:
        yield v.fail(f"min_size is {'not set' if value is None else repr(value)}, not a number of instances",
                     at="min_size")
    elif number < minimum:
        yield v.fail(f"min_size is {_fmt(number)}: the group may run fewer than {minimum} instances, so the loss of "
                     "one instance or zone takes the service down", at="min_size")
    else:
        yield v.ok(f"min_size is {_fmt(number)}", at="min_size")


def _lone_instance(r: TfResource, minimum: int):
    """The instance's endpoints and how many instances serve each one; judged on the largest pool it is in."""
    pools: list[tuple[object, str]] = []  # (instances serving it, what it is)
    for other in _referencing(r, _INSTANCE_TRAFFIC):
        if other.type == "aws_lb_target_group_attachment":
            if r.address not in other.refs.get("target_id", ()):
                continue
            for group in other.refs.get("target_group_arn", ()) or ("",):
                pools.append((_registered(r, group, "aws_lb_target_group_attachment", "target_group_arn",
                                          "target_id", other), f"behind target group {group or other.address}"))
        elif other.type == "aws_elb":
            members = other.attrs.get("instances")
            pools.append((len(members) if isinstance(members, list) else members, f"behind load balancer {other.address}"))
        elif other.type == "aws_elb_attachment":
            for elb in other.refs.get("elb", ()) or ("",):
                pools.append((_registered(r, elb, "aws_elb_attachment", "elb", "instance", other),
                              f"behind load balancer {elb or other.address}"))
        elif other.type in ("aws_eip", "aws_eip_association"):
            pools.append((_instance_count(r), f"behind Elastic IP {other.address}"))
        else:
            pools.append((_instance_count(r), f"named by DNS record {other.address}"))
    if not pools and _tagged_with_service(r):
        pools.append((_instance_count(r), f"of service {r.service_hint} (its {_SERVICE_TAG_NOTE})"))
    if not pools:
        return
    known = [(n, what) for n, what in pools if isinstance(n, int)]
    best = max(known, key=lambda p: p[0], default=None)
    if best is not None and best[0] >= minimum:
        yield r.ok(f"{r.address}: one of {best[0]} instances {best[1]}")
        return
    unknown = next((n for n, _ in pools if isinstance(n, Unresolved)), None)
    if unknown is not None:
        yield r.unknown(f"{r.address}: how many instances serve its endpoint is not known statically: "
                        f"{unknown.describe()}")
        return
    count, what = best
    alone = "the only instance" if count == 1 else f"one of only {count} instances"
    yield r.fail(f"{r.address} is {alone} {what}: not in an Auto Scaling group, so the loss of the instance "
                 "takes the service down until it is rebuilt by hand")


_SERVICE_TAG_NOTE = "service tag, and no load balancer in front"


def _tagged_with_service(r: TfResource) -> bool:
    """Whether the resource's own tags (provider default_tags included) name its service: `service_hint` alone
    may come from the configuration's default provider when the resource has no tag of its own."""
    return bool(r.service_hint) and any(value == r.service_hint for value in r.tags.values())


def _registered(r: TfResource, pool: str, kind: str, pool_attr: str, member_attr: str, fallback: TfResource) -> object:
    """How many aws_instance targets the attachments of `kind` register in `pool` (an int, or an Unresolved count)."""
    if pool and r.root is not None:
        attachments = [a for a in r.root.referencing(pool)
                       if a.mode == "managed" and a.type == kind and pool in a.refs.get(pool_attr, ())]
    else:
        attachments = [fallback]
    total = 0
    for attachment in attachments:
        targets = [t for t in attachment.refs.get(member_attr, ())
                   if r.root is not None and (o := r.root.by_address(t)) is not None and o.type == "aws_instance"]
        if not targets:
            continue
        n = _instance_count(attachment)
        if isinstance(n, Unresolved):
            return n
        total += n
    return total


# --------------------------------------------------------------------------- zone spread


_SUBNET_REF = re.compile(r'^((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*aws_subnet\.[\w-]+)(\[(?:\d+|"[^"]*")\])?\.\w+ is '
                         r"known only after apply$")


@check(id="PRC-TF-033", slug="asg-multi-az", target=TfResource, item="zone-spread", severity="high",
       fix="List subnets in at least two availability zones in vpc_zone_identifier (or two zones in "
           "availability_zones).")
def asg_multi_az(r: TfResource, opts):
    """What: an aws_autoscaling_group can launch in at least two availability zones: its vpc_zone_identifier lists subnets in two or more zones, or its availability_zones lists two or more. A subnet created in the same configuration (aws_subnet) counts with its availability_zone (or availability_zone_id), per count/for_each instance; subnets given as literal IDs count one each, since their zones are not in the configuration. A subnet list or a zone prc cannot resolve (a variable without a value, a remote module's output, a data source) is UNKNOWN naming it, unless the known part already spans two zones.

    Why: an Auto Scaling group can only replace instances in the zones it is given. Confined to one zone, a zone outage, or a shortage of the instance type in that zone, takes every instance down at once and the group cannot launch anywhere else.

    How to fix: give vpc_zone_identifier one private subnet per zone in at least two zones (three where the region has them), e.g. module.vpc.private_subnets or [aws_subnet.private_a.id, aws_subnet.private_b.id].
    """
    if not _managed(r, ("aws_autoscaling_group",)):
        return
    yield from _judged(r, _asg_zones)


def _asg_zones(v: _View):
    subnets = v.get("vpc_zone_identifier")
    zones_attr = v.get("availability_zones")
    if isinstance(subnets, Unresolved) and not (isinstance(zones_attr, list) and zones_attr):
        yield v.unknown("the subnet list vpc_zone_identifier", subnets, "vpc_zone_identifier")
        return
    if isinstance(subnets, list) and subnets:
        zones, literal, unknown = _subnet_zones(v, subnets)
        places = len(zones) + len(literal)
        described = _places(zones, literal)
        if places >= 2 and (len(zones) >= 2 or not unknown):
            yield v.ok(f"spans {described}", at="vpc_zone_identifier")
        elif unknown:
            yield v.unknown("the zone of a subnet in vpc_zone_identifier", unknown[0], "vpc_zone_identifier")
        elif places == 0:
            yield v.fail("vpc_zone_identifier lists no subnet ID", at="vpc_zone_identifier")
        elif len(subnets) == 1:
            only = literal[0] if literal else f"{_subnet_name(subnets[0])} in {next(iter(zones))}"
            yield v.fail(f"vpc_zone_identifier lists one subnet ({only}), and a subnet lies in a single zone: one zone "
                         "outage takes every instance down", at="vpc_zone_identifier")
        elif len(subnets) > 1 and len(zones) == 1 and not literal:
            yield v.fail(f"all {len(subnets)} subnets in vpc_zone_identifier are in {next(iter(zones))}: one zone "
                         "outage takes every instance down", at="vpc_zone_identifier")
        else:
            yield v.fail(f"launches only in {described}: one zone outage takes every instance down",
                         at="vpc_zone_identifier")
        return
    if isinstance(zones_attr, Unresolved):
        yield v.unknown("availability_zones", zones_attr, "availability_zones")
        return
    if isinstance(zones_attr, list) and zones_attr:
        unknown = find_unresolved(zones_attr)
        known = sorted({z for z in zones_attr if isinstance(z, str)})
        if len(known) >= 2:
            yield v.ok(f"spans {len(known)} zones ({', '.join(known)})", at="availability_zones")
        elif unknown is not None:
            yield v.unknown("a zone in availability_zones", unknown, "availability_zones")
        else:
            yield v.fail(f"availability_zones lists only {', '.join(known) or 'no zone'}: one zone outage takes every "
                         "instance down", at="availability_zones")
        return
    yield v.fail("sets neither vpc_zone_identifier nor availability_zones, so it spans no zone chosen here",
                 at="vpc_zone_identifier")


def _places(zones: set, literal: list) -> str:
    parts = []
    if zones:
        parts.append(f"{len(zones)} zone{'s' if len(zones) > 1 else ''} ({', '.join(sorted(zones))})")
    if literal:
        parts.append(f"{len(literal)} subnet ID{'s' if len(literal) > 1 else ''} ({', '.join(literal)}) whose zones "
                     "are not in the configuration")
    return " and ".join(parts)


def _subnet_name(item: object) -> str:
    """`aws_subnet.private_a` for the Unresolved ID of a subnet the configuration creates."""
    match = _SUBNET_REF.match(item.reason) if isinstance(item, Unresolved) else None
    return match.group(1) + (match.group(2) or "") if match else str(item)


def _subnet_zones(v: _View, subnets: list) -> tuple[set, list, list]:
    """(zones of the subnets the configuration creates, literal subnet IDs, Unresolved values left unknown)."""
    zones: set = set()
    literal: list = []
    unknown: list = []
    for item in subnets:
        if isinstance(item, str):
            if item not in literal:
                literal.append(item)
            continue
        if not isinstance(item, Unresolved):
            continue
        zone = _zone_of(v.r, item)
        if isinstance(zone, str):
            zones.add(zone)
        else:
            unknown.append(zone)
    return zones, literal, unknown


def _zone_of(r: TfResource, item: Unresolved) -> object:
    """The zone of the subnet an Unresolved subnet ID (`aws_subnet.a.id`, known only after apply) belongs to, or
    the Unresolved that leaves it unknown."""
    match = _SUBNET_REF.match(item.reason)
    subnet = r.root.by_address(match.group(1)) if match and r.root is not None else None
    if subnet is None or subnet.type != "aws_subnet":
        return item
    attrs = subnet.attrs
    index = match.group(2)
    if index:
        key = index[1:-1]
        key = key[1:-1] if key.startswith('"') else int(key)
        attrs = subnet.instances.get(key, attrs)
    for name in ("availability_zone", "availability_zone_id"):
        zone = attrs.get(name)
        if isinstance(zone, str) and zone:
            return zone
        if isinstance(zone, Unresolved):
            return zone
    return Unresolved(f"{subnet.address}.availability_zone", "the subnet sets no zone, so AWS picks one")


_CLUSTER_INSTANCE = ("aws_rds_cluster_instance",)


@check(id="PRC-TF-034", slug="rds-multi-az", target=TfResource, item="zone-spread", severity="high",
       fix="Set multi_az = true on the DB instance; give an Aurora cluster at least two aws_rds_cluster_instance "
           "members.")
def rds_multi_az(r: TfResource, opts):
    """What: an aws_db_instance sets multi_az = true (read replicas, which have replicate_source_db, are not checked). An aws_rds_cluster is multi-AZ when it is a Multi-AZ DB cluster (db_cluster_instance_class set: one writer and two readers in three zones) or, for Aurora, when at least two aws_rds_cluster_instance members name it (count/for_each counted), not all pinned to one availability_zone. A cluster no member in the scan names is UNKNOWN (its instances are created elsewhere); so is a value prc cannot resolve.

    Why: a single-AZ database is down for the whole of a zone outage, a host failure or the reboot of a maintenance window. With a standby (multi_az) or a second Aurora instance in another zone, RDS fails over in one to two minutes with the same endpoint.

    How to fix: set multi_az = true on aws_db_instance (it doubles the instance cost); for Aurora add a second aws_rds_cluster_instance (count = 2) with the same cluster_identifier and let RDS place it in another zone.
    """
    if _managed(r, ("aws_db_instance",)):
        yield from _judged(r, _db_multi_az)
    elif _managed(r, ("aws_rds_cluster",)):
        yield from _judged(r, _cluster_multi_az)


def _is_replica(v: _View) -> bool:
    return v.get("replicate_source_db") not in (None, "")


def _db_multi_az(v: _View):
    if _is_replica(v):
        return
    value = v.get("multi_az")
    if isinstance(value, Unresolved):
        yield v.unknown("multi_az", value, "multi_az")
    elif _boolean(value):
        yield v.ok("multi_az is true", at="multi_az")
    elif value is None:
        yield v.fail("multi_az is not set (defaults to false): the database runs in one zone")
    else:
        yield v.fail(f"multi_az is {str(value).lower()}: the database runs in one zone", at="multi_az")


def _cluster_multi_az(v: _View):
    instance_class = v.get("db_cluster_instance_class")
    if isinstance(instance_class, str) and instance_class:
        yield v.ok(f"Multi-AZ DB cluster ({instance_class}): a writer and two readers in three zones",
                   at="db_cluster_instance_class")
        return
    members = _referencing(v.r, _CLUSTER_INSTANCE, "cluster_identifier")
    members += [m for m in _named_by(v.r, v.get("cluster_identifier"), _CLUSTER_INSTANCE, "cluster_identifier")
                if m not in members]
    if not members:
        yield v.r.unknown(f"{v.label}: no aws_rds_cluster_instance in the scan names this cluster, so its instances "
                          "and their zones are not known")
        return
    total = 0
    zones: set = set()
    floating = False
    for member in members:
        n = _instance_count(member)
        if isinstance(n, Unresolved):
            yield v.unknown(f"the number of instances of {member.address}", n)
            return
        total += n
        zone = member.attrs.get("availability_zone")
        if isinstance(zone, str) and zone:
            zones.add(zone)
        else:
            floating = True
    names = ", ".join(m.address for m in members)
    if total < 2:
        yield v.fail(f"has one instance ({names}): a failover must first create a new instance, several minutes "
                     "of downtime")
    elif len(zones) == 1 and not floating:
        yield v.fail(f"all {total} instances ({names}) are pinned to {next(iter(zones))}")
    else:
        yield v.ok(f"{total} instances ({names})")


# --------------------------------------------------------------------------- backups and deletion safety


_BACKED_UP = ("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster")


@check(id="PRC-TF-040", slug="rds-backup-retention", target=TfResource, item="backups", severity="high",
       fix="Set backup_retention_period = 7 or more (up to 35) on the database.",
       options={"min_days": (7, "the fewest days of automated backups a database must keep")})
def rds_backup_retention(r: TfResource, opts):
    """What: aws_db_instance, aws_rds_cluster, aws_docdb_cluster and aws_neptune_cluster keep automated backups for at least `min_days` days (7 by default): backup_retention_period >= 7. Left out, AWS keeps 1 day (0 for a read replica, and read replicas, with replicate_source_db, are not checked: their backups are the source's). A value prc cannot resolve is UNKNOWN.

    Why: automated backups and point-in-time recovery are what brings data back after a bad migration, a deleted table or corruption, and such mistakes are often noticed days later; with one day of retention, or none, the last good state is already gone.

    How to fix: set backup_retention_period = 7 or more (up to 35) and a preferred_backup_window outside peak hours; keep longer-term copies with AWS Backup or snapshots if policy needs them.
    """
    if not _managed(r, _BACKED_UP):
        return
    yield from _judged(r, lambda v: _backup_retention(v, opts["min_days"]))


def _backup_retention(v: _View, minimum: int):
    if v.r.type == "aws_db_instance" and _is_replica(v):
        return
    value = v.get("backup_retention_period")
    if isinstance(value, Unresolved):
        yield v.unknown("backup_retention_period", value, "backup_retention_period")
        return
    days = _number(value)
    if value is None:
        yield v.fail(f"backup_retention_period is not set: AWS keeps automated backups for 1 day (at least "
                     f"{minimum} are needed)")
    elif days is None:
        yield v.fail(f"backup_retention_period is {value!r}, not a number of days", at="backup_retention_period")
    elif days < minimum:
        what = "automated backups and point-in-time recovery are off" if days == 0 else \
            f"only {_fmt(days)} day{'s' if days != 1 else ''} of automated backups"
        yield v.fail(f"backup_retention_period is {_fmt(days)}: {what} (at least {minimum} days are needed)",
                     at="backup_retention_period")
    else:
        yield v.ok(f"backups are kept {_fmt(days)} days", at="backup_retention_period")


_PROTECTED = {"aws_db_instance": "deletion_protection", "aws_rds_cluster": "deletion_protection",
              "aws_docdb_cluster": "deletion_protection", "aws_neptune_cluster": "deletion_protection",
              "aws_dynamodb_table": "deletion_protection_enabled"}


@check(id="PRC-TF-041", slug="deletion-protection", target=TfResource, item="backups", severity="medium",
       fix="Set deletion_protection = true (deletion_protection_enabled = true on a DynamoDB table).")
def deletion_protection(r: TfResource, opts):
    """What: databases cannot be deleted by one API call: aws_db_instance, aws_rds_cluster, aws_docdb_cluster and aws_neptune_cluster set deletion_protection = true, aws_dynamodb_table sets deletion_protection_enabled = true (both default to false). Terraform's lifecycle prevent_destroy does not count: it stops only `terraform destroy`, not the console, the CLI or another tool. A value prc cannot resolve is UNKNOWN.

    Why: a database deleted by a mistaken command, a script with the wrong target or a Terraform change that renames the resource is an outage and, for DynamoDB and for RDS without a final snapshot, data loss; deletion protection turns that into an error message.

    How to fix: set deletion_protection = true (deletion_protection_enabled = true for DynamoDB); when the database really must go, turn it off in a reviewed change first.
    """
    if not _managed(r, _PROTECTED):
        return
    name = _PROTECTED[r.type]
    yield from _judged(r, lambda v: _deletion_protection(v, name))


def _deletion_protection(v: _View, name: str):
    value = v.get(name)
    if isinstance(value, Unresolved):
        yield v.unknown(name, value, name)
    elif _boolean(value):
        yield v.ok(f"{name} is true", at=name)
    elif value is None:
        yield v.fail(f"{name} is not set (defaults to false): one API call or console click deletes it")
    else:
        yield v.fail(f"{name} is {str(value).lower()}: one API call or console click deletes it", at=name)


# --------------------------------------------------------------------------- telemetry


@check(id="PRC-TF-070", slug="ec2-detailed-monitoring", target=TfResource, item="telemetry", severity="low",
       fix="Set monitoring = true on aws_instance, or monitoring { enabled = true } in the launch template.")
def ec2_detailed_monitoring(r: TfResource, opts):
    """What: EC2 instances publish CloudWatch metrics every minute: aws_instance sets monitoring = true, aws_launch_template has monitoring { enabled = true }, and aws_launch_configuration does not set enable_monitoring = false (it defaults to true there, to false on the others). An aws_instance launched from a launch template that does not set monitoring itself is judged through the template: not here when the template is in the scan, UNKNOWN when it is not. A value prc cannot resolve is UNKNOWN.

    Why: basic monitoring samples every five minutes, so a CPU spike or a network stall shows up late and smoothed over, alarms need 10 to 15 minutes to fire, and target-tracking scaling reacts in steps of five minutes.

    How to fix: set monitoring = true on the instance, or monitoring { enabled = true } in the launch template its Auto Scaling group uses (detailed monitoring costs a few dollars per instance per month).
    """
    if _managed(r, ("aws_instance",)):
        yield from _judged(r, _instance_monitoring)
    elif _managed(r, ("aws_launch_template",)):
        yield from _judged(r, _template_monitoring)
    elif _managed(r, ("aws_launch_configuration",)):
        yield from _judged(r, _configuration_monitoring)


def _instance_monitoring(v: _View):
    value = v.get("monitoring")
    if value is None:
        where, what = _launch_template(v)
        if where == "scan":
            return
        if where == "outside":
            yield v.r.unknown(f"{v.label}: monitoring is not set here and comes from {what}, outside the scan",
                              at="launch_template")
            return
    yield from _monitoring_value(v, value, "monitoring", "monitoring")


def _template_monitoring(v: _View):
    blocks = v.blocks("monitoring")
    block = blocks[0] if blocks else None
    if isinstance(block, Unresolved):
        yield v.unknown("the monitoring block", block, "monitoring")
        return
    if block is None:
        yield v.fail("has no monitoring block, so detailed monitoring is off: CloudWatch gets metrics every 5 minutes "
                     "only")
        return
    value = block.get("enabled") if isinstance(block, dict) else None
    yield from _monitoring_value(v, value, "monitoring.enabled", "monitoring[0].enabled")


def _configuration_monitoring(v: _View):
    value = v.get("enable_monitoring")
    if value is None:
        yield v.ok("enable_monitoring is not set (defaults to true)")
        return
    yield from _monitoring_value(v, value, "enable_monitoring", "enable_monitoring")


def _monitoring_value(v: _View, value: object, name: str, at: str):
    if isinstance(value, Unresolved):
        yield v.unknown(name, value, at)
    elif _boolean(value):
        yield v.ok(f"{name} is true (1-minute metrics)", at=at)
    elif value is None:
        yield v.fail(f"{name} is not set (defaults to false): CloudWatch gets metrics every 5 minutes only",
                     at=at if "." in at else "")
    else:
        yield v.fail(f"{name} is {str(value).lower()}: CloudWatch gets metrics every 5 minutes only", at=at)


# --------------------------------------------------------------------------- instance hardening


_LAUNCHED = ("aws_instance", "aws_launch_template", "aws_launch_configuration")


@check(id="PRC-TF-100", slug="imdsv2-required", target=TfResource, item="instance-hardening", severity="high",
       fix="Add metadata_options { http_tokens = \"required\" } to the instance or launch template.")
def imdsv2_required(r: TfResource, opts):
    """What: aws_instance, aws_launch_template and aws_launch_configuration require IMDSv2: metadata_options { http_tokens = "required" }, or http_endpoint = "disabled" (no metadata service at all). Left out, http_tokens is "optional" unless an aws_ec2_instance_metadata_defaults in the same configuration makes "required" the region's default. An aws_instance launched from a launch template that sets no metadata_options itself is judged through the template (not here when it is in the scan, UNKNOWN when it is not). A value prc cannot resolve is UNKNOWN.

    Why: IMDSv1 answers any plain GET to 169.254.169.254, so a server-side request forgery in the app, or an open proxy, hands out the instance role's credentials; that is how several large breaches began. IMDSv2 needs a session token obtained with a PUT and a hop limit, which SSRF cannot send.

    How to fix: add `metadata_options { http_tokens = "required"  http_put_response_hop_limit = 2 }` (hop limit 2 for containers on the host); check first that the SDKs in use are recent enough to speak IMDSv2 (all from 2019 on do).
    """
    if not _managed(r, _LAUNCHED):
        return
    yield from _judged(r, _imdsv2)


def _imds_default(r: TfResource) -> tuple[object, str]:
    """("required", address) when an aws_ec2_instance_metadata_defaults in the configuration requires tokens; an
    Unresolved when its value is unknown; (None, "") otherwise."""
    unknown = None
    for defaults in _root_resources(r, ("aws_ec2_instance_metadata_defaults",)):
        if defaults.provider != r.provider and not r.module and not defaults.module:
            continue  # another region's provider
        tokens = defaults.attrs.get("http_tokens")
        if tokens == "required":
            return "required", defaults.address
        if isinstance(tokens, Unresolved):
            unknown = unknown or tokens
    return unknown, ""


def _imdsv2(v: _View):
    blocks = v.blocks("metadata_options")
    block = blocks[0] if blocks else None
    if isinstance(block, Unresolved):
        yield v.unknown("the metadata_options block", block, "metadata_options")
        return
    block = block if isinstance(block, dict) else {}
    endpoint = block.get("http_endpoint")
    tokens = block.get("http_tokens")
    if isinstance(endpoint, str) and endpoint.lower() == "disabled":
        yield v.ok("the instance metadata service is disabled", at="metadata_options[0].http_endpoint")
        return
    if isinstance(tokens, Unresolved):
        yield v.unknown("metadata_options.http_tokens", tokens, "metadata_options[0].http_tokens")
        return
    if isinstance(tokens, str) and tokens.lower() == "required":
        yield v.ok('http_tokens is "required" (IMDSv2 only)', at="metadata_options[0].http_tokens")
        return
    if isinstance(endpoint, Unresolved):
        yield v.unknown("metadata_options.http_endpoint", endpoint, "metadata_options[0].http_endpoint")
        return
    if tokens is not None:
        yield v.fail(f'metadata_options.http_tokens is "{tokens}": IMDSv1 hands the instance role\'s credentials to '
                     "any request the instance can be tricked into making", at="metadata_options[0].http_tokens")
        return
    if v.r.type == "aws_instance":
        where, what = _launch_template(v)
        if where == "scan":
            return
        if where == "outside":
            yield v.r.unknown(f"{v.label}: metadata_options is not set here and comes from {what}, outside the scan",
                              at="launch_template")
            return
    default, source = _imds_default(v.r)
    if default == "required":
        yield v.ok(f"http_tokens is not set and {source} makes \"required\" the region's default",
                   at="metadata_options" if block else "")
        return
    if isinstance(default, Unresolved):
        yield v.unknown("the region's default http_tokens (aws_ec2_instance_metadata_defaults)", default)
        return
    where = "metadata_options sets no http_tokens" if blocks else "no metadata_options block"
    yield v.fail(f'{where}, so http_tokens defaults to "optional" and IMDSv1 stays open',
                 at="metadata_options[0]" if blocks else "")


@check(id="PRC-TF-101", slug="ebs-encrypted", target=TfResource, item="instance-hardening", severity="medium",
       fix="Set encrypted = true on each volume and block device, or enable aws_ebs_encryption_by_default.")
def ebs_encrypted(r: TfResource, opts):
    """What: the configuration makes every EBS volume encrypted: aws_ebs_volume sets encrypted = true; aws_instance and aws_launch_configuration set encrypted = true in root_block_device and every ebs_block_device; aws_launch_template sets it in the ebs block of every block_device_mappings entry. A volume left to its AMI or snapshot (no root_block_device, no block_device_mappings, encrypted not set) fails: it is encrypted only if that snapshot happens to be. Everything passes when an aws_ebs_encryption_by_default with enabled = true (the default) is in the same configuration and region. An aws_instance launched from a launch template judges its volumes through the template unless it sets its own. A value prc cannot resolve is UNKNOWN.

    Why: an unencrypted volume, and every snapshot of it, can be read by anyone who gets the snapshot shared or copied, and fails most compliance regimes (PCI DSS, HIPAA, SOC 2 controls). Encryption with EBS is free of performance cost, but an existing volume cannot be encrypted in place: it needs a snapshot, a copy and a swap, so it has to be right from the start.

    How to fix: enable aws_ebs_encryption_by_default once per account and region (new volumes are then always encrypted), and set encrypted = true (optionally kms_key_id) on volumes and block devices.
    """
    types = ("aws_ebs_volume", "aws_instance", "aws_launch_template", "aws_launch_configuration")
    if not _managed(r, types):
        return
    default, source = _encryption_default(r)
    if default is True:
        yield r.ok(f"{r.address}: EBS encryption by default is on ({source})")
        return
    outcomes = _judged(r, _volumes)
    if isinstance(default, Unresolved):
        outcomes = [r.unknown(f"{o.message.rstrip('.')}, unless EBS encryption by default is on, which is not known "
                              f"statically: {default.describe()}", at=o.at) if o.status is Status.FAIL else o
                    for o in outcomes]
    yield from outcomes


def _encryption_default(r: TfResource) -> tuple[object, str]:
    unknown = None
    for defaults in _root_resources(r, ("aws_ebs_encryption_by_default",)):
        if defaults.provider != r.provider and not r.module and not defaults.module:
            continue  # another region's provider
        enabled = defaults.attrs.get("enabled", True)
        if isinstance(enabled, Unresolved):
            unknown = unknown or enabled
        elif _boolean(enabled) is not False:
            return True, defaults.address
    return unknown, ""


def _volumes(v: _View):
    """(what, the block holding `encrypted` or None, its path) for each volume, then one result per volume that
    is not encrypted, or one pass."""
    kind = v.r.type
    volumes: list[tuple[str, object, str]] = []
    bad = []
    if kind == "aws_ebs_volume":
        volumes.append(("the volume", v.attrs, ""))
    elif kind in ("aws_instance", "aws_launch_configuration"):
        roots = v.blocks("root_block_device")
        where, what = _launch_template(v) if kind == "aws_instance" else ("", "")
        if not roots and where == "outside":
            yield v.r.unknown(f"{v.label}: its root volume is not set here and comes from {what}, outside the scan",
                              at="launch_template")
            bad.append("launch_template")
        elif not roots and where != "scan":
            volumes.append(("the root volume (no root_block_device)", None, ""))
        for i, block in enumerate(roots[:1]):
            volumes.append(("root_block_device", block, f"root_block_device[{i}]"))
        for i, block in enumerate(v.blocks("ebs_block_device")):
            name = block.get("device_name") if isinstance(block, dict) else None
            volumes.append((f"ebs_block_device {name}" if isinstance(name, str) else f"ebs_block_device[{i}]", block,
                            f"ebs_block_device[{i}]"))
    else:
        mappings = v.blocks("block_device_mappings")
        if not mappings:
            volumes.append(("the volumes from the AMI (no block_device_mappings)", None, ""))
        for i, mapping in enumerate(mappings):
            if isinstance(mapping, Unresolved):
                volumes.append((f"block_device_mappings[{i}]", mapping, f"block_device_mappings[{i}]"))
                continue
            ebs = mapping.get("ebs") if isinstance(mapping, dict) else None
            if not isinstance(ebs, Unresolved) and not ebs:  # an Unresolved refuses to be a boolean
                ebs = []
            ebs = ebs if isinstance(ebs, list) else [ebs]
            if not ebs:
                continue  # an instance store or no_device mapping
            name = mapping.get("device_name")
            what = f"block device {name}" if isinstance(name, str) else f"block_device_mappings[{i}]"
            volumes.append((what, ebs[0], f"block_device_mappings[{i}].ebs[0]"))
    for what, block, at in volumes:
        if isinstance(block, Unresolved):
            yield v.unknown(what, block, at)
            bad.append(at)
            continue
        value = block.get("encrypted") if isinstance(block, dict) else None
        if isinstance(value, Unresolved):
            yield v.unknown(f"whether {what} is encrypted", value, f"{at}.encrypted" if at else "encrypted")
        elif _boolean(value):
            continue
        elif block is None:
            yield v.fail(f"{what} is encrypted only if the AMI's snapshot is: the configuration does not ask for "
                         "encryption", at=at)
        elif value is None:
            source = block.get("snapshot_id") if isinstance(block, dict) else None
            if isinstance(source, str) and source:
                yield v.fail(f"{what} sets no encrypted = true, so it is encrypted only if snapshot {source} is", at=at)
            elif at.startswith(("root_block_device", "block_device_mappings")):
                yield v.fail(f"{what} sets no encrypted = true, so it is encrypted only if the AMI's snapshot for it "
                             "is", at=at)
            else:
                yield v.fail(f"{what} is not encrypted: encrypted is not set (defaults to false)", at=at)
        else:
            yield v.fail(f"{what} is not encrypted: encrypted is {str(value).lower()}",
                         at=f"{at}.encrypted" if at else "encrypted")
        bad.append(at)
    if volumes and not bad:
        first = volumes[0][2]
        yield v.ok(f"{'all ' + str(len(volumes)) + ' volumes are' if len(volumes) > 1 else volumes[0][0] + ' is'} "
                   "encrypted", at=f"{first}.encrypted" if first else "encrypted")


_ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
_SG_TYPES = ("aws_security_group", "aws_default_security_group")
_RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")


@check(id="PRC-TF-102", slug="no-public-admin-ports", target=TfResource, item="instance-hardening",
       severity="critical",
       fix="Allow SSH/RDP only from known ranges (a VPN or bastion CIDR, a security group) or use SSM Session "
           "Manager; never from 0.0.0.0/0 or ::/0.")
def no_public_admin_ports(r: TfResource, opts):
    """What: no security group ingress rule lets the whole internet (0.0.0.0/0 or ::/0, any /0) reach SSH (22), RDP (3389) or every port (protocol -1 / "all", or a TCP/UDP range from 0 to 65535). Inline ingress blocks of aws_security_group and aws_default_security_group, aws_security_group_rule with type "ingress" and aws_vpc_security_group_ingress_rule are read; each offending rule is one finding at the line of its open CIDR. Rules from security groups, prefix lists or narrower CIDRs pass. A port, protocol or CIDR prc cannot resolve is UNKNOWN only when it decides the answer.

    Why: SSH and RDP open to the internet are scanned within minutes of an instance starting and brute-forced around the clock; one weak or leaked key, or one unpatched daemon, is a full compromise of the host and of whatever its role can reach. Opening every port exposes databases, admin consoles and debug endpoints that were never meant to be public.

    How to fix: restrict cidr_blocks to a VPN or office range, or allow the bastion's security group instead of a CIDR; better, drop inbound SSH/RDP altogether and use SSM Session Manager or EC2 Instance Connect Endpoint.
    """
    if _managed(r, _SG_TYPES):
        yield from _judged(r, _group_rules)
    elif _managed(r, _RULE_TYPES):
        yield from _judged(r, _standalone_rule)


def _group_rules(v: _View):
    rules = v.blocks("ingress")
    if not rules:
        return
    found = False
    for i, rule in enumerate(rules):
        if isinstance(rule, Unresolved):
            yield v.unknown("the dynamic ingress block", rule, f"ingress[{i}]")
            found = True
            continue
        if not isinstance(rule, dict):
            continue
        outcome = _judge_rule(v, rule, f"ingress[{i}].", f"ingress[{i}]")
        if outcome is not None:
            found = True
            yield outcome
    if not found:
        counted = f"none of its {len(rules)} ingress rules opens" if len(rules) > 1 else "its ingress rule does not open"
        yield v.ok(f"{counted} SSH, RDP or all ports to the internet", at="ingress")


def _standalone_rule(v: _View):
    if v.r.type == "aws_security_group_rule":
        kind = v.get("type")
        if isinstance(kind, Unresolved):
            if _judge_rule(v, v.attrs, "", "") is not None:
                yield v.unknown("type (ingress or egress)", kind, "type")
            return
        if kind != "ingress":
            return
    outcome = _judge_rule(v, v.attrs, "", "")
    yield outcome if outcome is not None else v.ok("does not open SSH, RDP or all ports to the internet")


def _judge_rule(v: _View, rule: dict, prefix: str, name: str):
    """A FAIL or UNKNOWN for one ingress rule that may let the internet reach an admin port; None when it cannot."""
    ports = _rule_ports(rule, v.r.type == "aws_vpc_security_group_ingress_rule")
    world, cidr_at, unknown_cidr = _world_cidr(rule, prefix)
    if ports is None or world is None and unknown_cidr is None:
        return None
    rule_name = f"{name} " if name else ""
    description = rule.get("description")
    if name and isinstance(description, str) and description.strip():
        rule_name = f'{name} ("{description.strip()}") '
    if isinstance(ports, Unresolved):
        if world is not None:
            return v.unknown(f"the port range of {rule_name or 'the rule '}(open to {world})", ports, cidr_at)
        return v.unknown(f"the port range of {rule_name or 'the rule '}(its source range is not known either)", ports,
                         unknown_cidr[1])
    if world is None:
        return v.unknown(f"the source range of {rule_name or 'the rule '}(on {ports.rstrip(',')})", unknown_cidr[0],
                         unknown_cidr[1])
    return v.fail(f"{rule_name}opens {ports} to {world}", at=cidr_at)


_PROTOCOL_NAMES = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP"}


def _rule_ports(rule: dict, vpc_rule: bool) -> object:
    """What the rule opens that matters: "SSH (22)", "all ports", ...; None when no admin port; an Unresolved."""
    protocol = rule.get("ip_protocol" if vpc_rule else "protocol")
    if isinstance(protocol, Unresolved):
        return protocol
    name = str(protocol).strip().lower() if protocol is not None else ""
    if name in ("-1", "all"):
        return "all ports (protocol -1)"
    if name not in _PROTOCOL_NAMES:
        return None
    low, high = rule.get("from_port"), rule.get("to_port")
    for value in (low, high):
        if isinstance(value, Unresolved):
            return value
    low, high = _number(low), _number(high)
    if low is None or high is None:
        return None
    if low <= 0 and high >= 65535:
        return f"all {_PROTOCOL_NAMES[name]} ports (0-65535)"
    hit = [f"{label} ({port})" for port, label in _ADMIN_PORTS.items() if low <= port <= high]
    if not hit:
        return None
    shown = " and ".join(hit)
    return shown if low == high else f"ports {_fmt(low)}-{_fmt(high)}, which include {shown},"


def _world_cidr(rule: dict, prefix: str) -> tuple[str | None, str, tuple | None]:
    """(the /0 range the rule is open to or None, the path of that entry, (an Unresolved CIDR that could be one,
    its path) or None)."""
    unknown = None
    for field in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"):
        value = rule.get(field)
        if isinstance(value, Unresolved):
            unknown = unknown or (value, f"{prefix}{field}")
            continue
        entries = value if isinstance(value, list) else [value] if value is not None else []
        for j, entry in enumerate(entries):
            path = f"{prefix}{field}[{j}]" if isinstance(value, list) else f"{prefix}{field}"
            if isinstance(entry, Unresolved):
                unknown = unknown or (entry, path)
            elif _is_world(entry):
                return str(entry).strip(), path, None
    return None, "", unknown


def _is_world(entry: object) -> bool:
    if not isinstance(entry, str):
        return False
    try:
        return ipaddress.ip_network(entry.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


# --------------------------------------------------------------------------- ownership


# AWS resource types, among those services are commonly built from, that take `tags`; any other aws_ type counts
# as taggable when the configuration or a plan gives it tags (a plan lists tags_all for every taggable resource).
# Types that take no tags (attachments, rules, associations, policies attached to roles) are never judged.
TAGGABLE = frozenset("""
aws_acm_certificate aws_alb aws_alb_target_group aws_ami aws_api_gateway_rest_api aws_api_gateway_stage
aws_apigatewayv2_api aws_apigatewayv2_stage aws_appautoscaling_target aws_athena_workgroup aws_autoscaling_group
aws_backup_plan aws_backup_vault aws_batch_compute_environment aws_batch_job_queue aws_cloudformation_stack
aws_cloudfront_distribution aws_cloudtrail aws_cloudwatch_event_bus aws_cloudwatch_event_rule
aws_cloudwatch_log_group aws_cloudwatch_metric_alarm aws_codebuild_project aws_codepipeline aws_cognito_user_pool
aws_customer_gateway aws_db_instance aws_db_option_group aws_db_parameter_group aws_db_subnet_group
aws_dms_replication_instance aws_docdb_cluster aws_dynamodb_table aws_ebs_volume aws_ec2_transit_gateway
aws_ecr_repository aws_ecs_cluster aws_ecs_service aws_ecs_task_definition aws_efs_file_system aws_eip aws_eks_cluster
aws_eks_node_group aws_elasticache_cluster aws_elasticache_replication_group aws_elasticache_subnet_group aws_elb
aws_elasticsearch_domain aws_emr_cluster aws_flow_log aws_glue_job aws_iam_instance_profile aws_iam_policy
aws_iam_role aws_iam_user aws_instance aws_internet_gateway aws_key_pair aws_kinesis_firehose_delivery_stream
aws_kinesis_stream aws_kms_key aws_lambda_function aws_launch_template aws_lb aws_lb_listener aws_lb_listener_rule
aws_lb_target_group aws_memorydb_cluster aws_mq_broker aws_msk_cluster aws_nat_gateway aws_neptune_cluster
aws_network_acl aws_network_interface aws_opensearch_domain aws_placement_group aws_rds_cluster
aws_rds_cluster_instance aws_rds_cluster_parameter_group aws_redshift_cluster aws_route53_health_check
aws_route53_zone aws_route_table aws_s3_bucket aws_sagemaker_endpoint aws_secretsmanager_secret aws_security_group
aws_service_discovery_service aws_sfn_state_machine aws_sns_topic aws_sqs_queue aws_ssm_parameter aws_subnet
aws_transfer_server aws_vpc aws_vpc_endpoint aws_vpc_peering_connection aws_vpc_security_group_egress_rule
aws_vpc_security_group_ingress_rule aws_vpn_connection aws_vpn_gateway aws_wafv2_web_acl
""".split())


@check(id="PRC-TF-110", slug="owner-tag", target=TfResource, item="ownership", severity="medium",
       fix="Add an Owner (or Team) tag to the AWS provider's default_tags, so every resource carries it.",
       options={"keys": (["owner", "team"], "tag keys that name the owning team (compared case-insensitively)")})
def owner_tag(r: TfResource, opts):
    """What: every AWS resource that takes tags carries a tag with one of the configured keys (owner or team by default, compared case-insensitively) and a non-empty value, set on the resource or through the provider's default_tags. An aws_autoscaling_group counts only its own tag blocks, since default_tags do not reach Auto Scaling groups. Resources judged: managed aws_ resources of the common taggable types, and any other aws_ resource that sets tags (or has tags_all in a plan); data sources and types without tags (attachments, rules, associations) are not. A tag value, or a tag map or default_tags that prc cannot resolve and that may hold the key, is UNKNOWN.

    Why: when an alarm fires on a database or a bill spikes on a fleet, whoever looks at the resource must find the owning team from the resource itself; untagged resources end up orphaned, never patched and never cleaned up, and cost reports cannot attribute them.

    How to fix: put Owner = "team-name" in the AWS provider's default_tags { tags = {...} } once per configuration, and add a tag block with the owner to each aws_autoscaling_group (with propagate_at_launch = true to reach its instances).
    """
    if r.mode != "managed" or not r.type.startswith("aws_"):
        return
    if r.type not in TAGGABLE and "tags" not in r.attrs and "tags_all" not in r.attrs:
        return
    keys = {str(k).lower() for k in opts["keys"]}
    yield from _judged(r, lambda v: _owner(v, keys, opts["keys"]))


def _owner(v: _View, keys: set, key_names: list):
    found, unresolved = _tags(v)
    candidates = [(k, value, at, where) for k, value, at, where in found if k.lower() in keys]
    for key, value, at, where in candidates:
        if isinstance(value, str) and value.strip():
            yield v.ok(f"owned by {value} (tag {key}{where})", at=at)
            return
    for key, value, at, where in candidates:
        if isinstance(value, Unresolved):
            yield v.unknown(f"the value of tag {key}{where}", value, at)
            return
    if candidates:
        key, _, at, where = candidates[0]
        yield v.fail(f"tag {key}{where} is empty", at=at)
        return
    if unresolved:
        value, at = unresolved[0]
        yield v.unknown("whether its tags name an owner", value, at)
        return
    names = ", ".join(sorted(str(k) for k in key_names))
    if v.r.type == "aws_autoscaling_group":
        yield v.fail(f"has no owner tag ({names}) in its tag blocks; provider default_tags do not apply to Auto "
                     "Scaling groups", at="tag" if v.blocks("tag") else "")
        return
    has_tags = isinstance(v.attrs.get("tags"), dict)
    yield v.fail(f"has no owner tag ({names}) on the resource or in the provider's default_tags",
                 at="tags" if has_tags else "")


def _tags(v: _View) -> tuple[list, list]:
    """([(key, value, at, where)], [(Unresolved tag source, at)]): the resource's own tags, then (except for an
    Auto Scaling group) the provider's default_tags or a plan's tags_all."""
    found: list = []
    unresolved: list = []
    r = v.r
    if r.type == "aws_autoscaling_group":
        for i, block in enumerate(v.blocks("tag")):
            if isinstance(block, Unresolved):
                unresolved.append((block, f"tag[{i}]"))
            elif isinstance(block, dict):
                key = block.get("key")
                if isinstance(key, Unresolved):
                    unresolved.append((key, f"tag[{i}].key"))
                elif isinstance(key, str):
                    found.append((key, block.get("value"), f"tag[{i}].value", ""))
        legacy = v.get("tags")  # the `tags` list of maps of providers before 5.0
        if isinstance(legacy, Unresolved):
            unresolved.append((legacy, "tags"))
        elif isinstance(legacy, list):
            for i, item in enumerate(legacy):
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    found.append((item["key"], item.get("value"), f"tags[{i}]", ""))
        return found, unresolved
    own = v.get("tags")
    if isinstance(own, Unresolved):
        unresolved.append((own, "tags"))
    elif isinstance(own, dict):
        found += [(str(k), value, f"tags.{k}", "") for k, value in own.items()]
    plan_all = v.get("tags_all")
    if isinstance(plan_all, Unresolved):  # a plan that marks tags_all unknown: any key may be in it
        unresolved.append((plan_all, "tags_all"))
    elif isinstance(plan_all, dict):
        found += [(str(k), value, "tags_all", " in the plan's tags_all") for k, value in plan_all.items()
                  if not (isinstance(own, dict) and k in own)]
    else:
        for k, value in r.tags.items():
            if not (isinstance(own, dict) and k in own):
                found.append((str(k), value, "", " from the provider's default_tags"))
        unresolved += [(u, "") for u in r.tags_unresolved if not (isinstance(own, Unresolved) and u == own)]
    return found, unresolved
