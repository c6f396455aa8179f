"""Kubernetes capacity checks: resource requests and memory limits.

Scope, the same for all three checks: the app containers and native sidecars
(init containers with restartPolicy Always, which run beside the app for the
pod's whole life). Regular init containers run to completion before the app
starts, and the pod's effective request is max(largest init request, sum of
app requests), so a missing init request does not shrink what the scheduler
reserves for the app; they are checked only when the `init_containers`
option is true.

Kubernetes semantics the checks follow: a request that is omitted while the
limit is set defaults to the limit; pod-level resources (spec.resources,
Kubernetes 1.32+) cover containers that set none; a memory limit of 0 means
no limit.
"""

from __future__ import annotations

import re
from fractions import Fraction

from prc.registry import check
from prc.targets import Container, mapping

# <signedNumber><suffix>, as apimachinery's resource.ParseQuantity reads it.
# The suffix is binary SI (Ki..Ei), decimal SI (n u m "" k M G T P E) or a
# decimal exponent (e3, E-2). Uppercase K is not a Kubernetes suffix: the API
# server rejects "1K" (kilo is lowercase k, kibi is Ki).
_QUANTITY_RE = re.compile(
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<binary>[KMGTPE]i)|(?P<exponent>[eE][+-]?\d+)|(?P<decimal>[numkMGTPE]))?",
    re.ASCII,  # \d is 0-9 only, as in Go
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "k": 10**3, "M": 10**6,
            "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}


def _parse_quantity(value: object) -> Fraction | None:
    """A Kubernetes resource quantity as an exact number, or None when it is not one.

    Accepts what the API server accepts: YAML numbers (`cpu: 1`, `cpu: 0.5`)
    and strings such as "250m", "512Mi", "1.5Gi", "1e3", "128974848".
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        # repr gives the shortest decimal that reads back as this float: 0.1 -> "0.1".
        return Fraction(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    if not isinstance(value, str):
        return None
    match = _QUANTITY_RE.fullmatch(value)
    if not match:
        return None
    number = Fraction(match["number"])
    if match["binary"]:
        return number * _BINARY[match["binary"]]
    if match["exponent"]:
        exponent = int(match["exponent"][1:])
        if abs(exponent) > 100:  # far beyond any real resource; keeps the arithmetic small
            return None
        return number * Fraction(10) ** exponent
    if match["decimal"]:
        return number * _DECIMAL[match["decimal"]]
    return number


_NEAR_MISS_RE = re.compile(r"([+-]?[\d.]+)([kKMGTPE])(?:i?[bB]|)", re.ASCII)


def _not_a_quantity(what: str, value: object) -> str:
    """Says a value is not a quantity, with the likely intended spelling for "2GB", "512MB" or "1K"."""
    text = f"{what} {value!r} is not a Kubernetes quantity"
    match = _NEAR_MISS_RE.fullmatch(value) if isinstance(value, str) else None
    if match:
        number, prefix = match[1], match[2]
        decimal = "k" if prefix in "kK" else prefix
        text += f" (write {number}{decimal} for powers of 1000 or {number}{prefix.upper()}i for powers of 1024)"
    return text


def _format_bytes(value: Fraction) -> str:
    """A byte count in the largest binary unit that divides it exactly: 536870912 -> 512Mi."""
    if value.denominator != 1:
        return str(float(value))
    number = value.numerator
    for suffix, factor in sorted(_BINARY.items(), key=lambda kv: -kv[1]):
        if number and number % factor == 0:
            return f"{number // factor}{suffix}"
    return str(number)


def _in_scope(c: Container, opts) -> bool:
    return not c.init or c.native_sidecar or bool(opts.get("init_containers"))


def _resource(c: Container, section: str, name: str) -> tuple[object, str]:
    """The value the container effectively gets for resources.<section>.<name>, and where it comes from.

    Returns (value, origin) with origin one of "container", "limit" (a request
    defaulted from the limit), "pod" (pod-level resources), or "" when unset.
    """
    resources = mapping(c.spec.get("resources"))
    value = mapping(resources.get(section)).get(name)
    if value is not None:
        return value, "container"
    if section == "requests":
        limit = mapping(resources.get("limits")).get(name)
        if limit is not None:
            return limit, "limit"
    pod_resources = mapping(c.workload.pod_spec.get("resources"))
    value = mapping(pod_resources.get(section)).get(name)
    if value is None and section == "requests":
        value = mapping(pod_resources.get("limits")).get(name)
    if value is not None:
        return value, "pod"
    return None, ""


_OPTION_INIT = {"init_containers": (False, "also check regular (run-to-completion) init containers; native sidecars "
                                           "(restartPolicy Always) are always checked")}


@check(id="PRC-K8S-050", slug="resource-requests", target=Container, item="requests-and-limits", severity="high",
       fix="Set resources.requests.cpu and resources.requests.memory on the container, sized from observed usage.",
       options=_OPTION_INIT)
def resource_requests(c: Container, opts):
    """What: every app container and native sidecar sets a cpu and a memory request (directly, through a limit that the request defaults to, or through pod-level resources); a request of 0 counts as none.

    Why: the scheduler places pods by their requests. A container without them is scheduled as if it needed nothing, lands on nodes that are already full, is first to be evicted under memory pressure, and gets no guaranteed CPU when neighbours are busy.

    How to fix: set resources.requests.cpu and resources.requests.memory from the container's observed usage (for example its p95 over a week), and revisit them when the load changes.
    """
    if not _in_scope(c, opts):
        return
    missing, zero, unreadable = [], [], []
    for name in ("cpu", "memory"):
        value, _ = _resource(c, "requests", name)
        amount = None if value is None else _parse_quantity(value)
        if value is None:
            missing.append(name)
        elif amount is None:
            unreadable.append(_not_a_quantity(f"{name} request", value))
        elif amount <= 0:
            zero.append(name)
    if missing or zero:
        problems = [f"{name} request is 0, which reserves nothing" for name in zero]
        if missing:
            message = "; ".join([f"container {c.name} has no {' or '.join(missing)} request"] + problems)
        else:
            message = f"container {c.name}: {'; '.join(problems)}"
        flagged = missing + zero
        yield c.fail(message, at=f"resources.requests.{flagged[0]}" if len(flagged) == 1 else "resources.requests")
    elif unreadable:
        yield c.unknown(f"container {c.name}: {'; '.join(unreadable)}", at="resources.requests")
    else:
        yield c.ok(at="resources.requests")


@check(id="PRC-K8S-051", slug="memory-limit", target=Container, item="requests-and-limits", severity="medium",
       fix="Set resources.limits.memory on the container, at or a little above its memory request.",
       options=_OPTION_INIT)
def memory_limit(c: Container, opts):
    """What: every app container and native sidecar sets a memory limit above 0 (on the container, or through pod-level resources).

    Why: memory cannot be throttled. A container without a limit that leaks or spikes takes memory from every other pod on the node until the kernel's OOM killer or the kubelet's eviction picks victims, often not the culprit.

    How to fix: set resources.limits.memory to the most the container should ever use, typically equal to the memory request; the container is then OOM-killed and restarted alone instead of degrading its neighbours.
    """
    if not _in_scope(c, opts):
        return
    value, _ = _resource(c, "limits", "memory")
    if value is None:
        yield c.fail(f"container {c.name} has no memory limit", at="resources.limits.memory")
        return
    amount = _parse_quantity(value)
    if amount is None:
        yield c.unknown(f"container {c.name}: {_not_a_quantity('memory limit', value)}", at="resources.limits.memory")
    elif amount <= 0:
        yield c.fail(f"container {c.name}: memory limit {value!r} means no limit", at="resources.limits.memory")
    else:
        yield c.ok(at="resources.limits.memory")


@check(id="PRC-K8S-052", slug="memory-request-equals-limit", target=Container, item="requests-and-limits",
       severity="low", enabled=False,
       fix="Set resources.requests.memory equal to resources.limits.memory.",
       options=_OPTION_INIT)
def memory_request_equals_limit(c: Container, opts):
    """What: where a container sets a memory limit, its memory request equals it, compared as quantities (512Mi equals 536870912). A request omitted beside a limit defaults to the limit and passes; a container without a memory limit is left to PRC-K8S-051.

    Why: memory above the request is borrowed from the node. When the node runs short, the kubelet evicts the pods that use most beyond their requests first, so a container that relies on that headroom is killed under pressure rather than throttled.

    How to fix: raise resources.requests.memory to the limit (or lower the limit to what the container really needs), so the container's memory is reserved and never overcommitted.
    """
    if not _in_scope(c, opts):
        return
    limit, limit_origin = _resource(c, "limits", "memory")
    if limit is None or limit_origin == "pod":
        return
    request, request_origin = _resource(c, "requests", "memory")
    if request_origin != "container":  # omitted: Kubernetes defaults it to the limit
        yield c.ok(at="resources.limits.memory")
        return
    limit_amount, request_amount = _parse_quantity(limit), _parse_quantity(request)
    for value, amount, which in ((request, request_amount, "request"), (limit, limit_amount, "limit")):
        if amount is None:
            yield c.unknown(f"container {c.name}: {_not_a_quantity(f'memory {which}', value)}",
                            at=f"resources.{which}s.memory")
            return
    if request_amount == limit_amount:
        yield c.ok(at="resources.requests.memory")
    elif request_amount < limit_amount:
        yield c.fail(f"container {c.name}: memory request {request} is below the limit {limit} "
                     f"({_format_bytes(limit_amount - request_amount)} of the limit is not reserved)",
                     at="resources.requests.memory")
    else:
        yield c.fail(f"container {c.name}: memory request {request} exceeds the limit {limit}, which the API server "
                     "rejects", at="resources.requests.memory")
