"""Checks on a service as a whole (`prc.service_model.ServiceView`): what only the sum of its artifacts can tell.

PRC-REPO-002 and PRC-REPO-010 ask the repository (a dependency-update configuration, an on-call runbook);
PRC-XA-010 and PRC-XA-001 relate artifacts of different sources (alerts to what they watch, load balancer
draining to pod grace periods, a Dockerfile's PID 1 to the workloads running its image). Results point at the
service's declaration in .prc.yaml, else at its first workload or artifact, unless they blame one member.
"""

from __future__ import annotations

import fnmatch
import re
from urllib.parse import urlsplit

from prc.loaders.dockerfile import Dockerfile
from prc.loaders.terraform import TfResource, Unresolved
from prc.model import Status
from prc.registry import check
from prc.service_model import ServiceView
from prc.services import WORKLOAD_LABELS, image_repository, workload_names
from prc.targets import Workload

# --------------------------------------------------------------------------- PRC-REPO-002


@check(id="PRC-REPO-002", slug="dependency-updates", target=ServiceView, item="build-hygiene", severity="low",
       fix="Add .github/dependabot.yml (or renovate.json) so base images, providers and libraries get update PRs.")
def dependency_updates(s: ServiceView, opts):
    """What: the repository has a Dependabot (`.github/dependabot.yml`) or Renovate (`renovate.json`, `renovate.json5`, `.renovaterc*`, `.github/renovate.json*`, `.gitlab/renovate.json*`) configuration, at the scan root or at the top of the git repository holding it.

    Why: pinned base images, Terraform providers and libraries only stay safe if something proposes their updates; without a bot, pins rot until a CVE or an end-of-life forces a rushed upgrade.

    How to fix: add `.github/dependabot.yml` with an `updates` entry per ecosystem and directory (docker, terraform, pip, npm...), or a `renovate.json` extending `config:recommended`.
    """
    found = s.repo.dependency_configs
    if found:
        yield s.ok(f"dependency updates are configured: {', '.join(found)}")
    else:
        yield s.fail("no Dependabot or Renovate configuration in the repository, so pinned images and libraries "
                     "get no update pull requests")


# --------------------------------------------------------------------------- PRC-REPO-010

DEFAULT_RUNBOOK_PATTERNS = ["runbook*", "playbook*", "docs/runbook*", "docs/playbook*", "runbooks/*",
                            "docs/runbooks/*", "doc/runbook*", "ops/runbook*", "oncall*", "docs/oncall*"]
DEFAULT_SHARED_RUNBOOK_PATTERNS = ["runbooks/{service}*", "docs/runbooks/{service}*", "runbooks/{service}/*",
                                   "docs/runbooks/{service}/*"]


@check(id="PRC-REPO-010", slug="runbook-present", target=ServiceView, item="oncall-docs", severity="medium",
       fix="Write the service's runbook (docs/runbook.md beside its manifests) or set runbook: URL for it in "
           ".prc.yaml.",
       options={"paths": (DEFAULT_RUNBOOK_PATTERNS, "glob patterns, relative to the service's own directory, of "
                                                    "files that are its runbook (matched without regard to case)"),
                "shared_paths": (DEFAULT_SHARED_RUNBOOK_PATTERNS, "glob patterns, relative to each directory above "
                                                                  "the service's own ones up to the scan root, "
                                                                  "with {service} standing for its name")})
def runbook_present(s: ServiceView, opts):
    """What: the service has an on-call runbook: a `runbook:` URL (http or https) or repository path in its `.prc.yaml` declaration, or a file matching the `paths` patterns in a directory of the service's own (the deepest directory holding all its files, and those above it, up to one that holds another service's files or the scan root), or a file matching `shared_paths` (`runbooks/<service>.md`) in a directory above those, up to the scan root. A declared path that does not exist fails.

    Why: the person paged at night needs to know what the service does, what it depends on, how to tell healthy from broken, and which levers are safe to pull; without a runbook every incident starts with archaeology.

    How to fix: add docs/runbook.md next to the service (purpose, dependencies, dashboards, alerts and what to do for each, rollback, escalation), or point `runbook:` in .prc.yaml at the team's wiki page.
    """
    declared = s.declaration.runbook if s.declaration else ""
    if declared:
        yield from _declared_runbook(s, declared)
        return
    found = _runbook_files(s, opts)
    if found:
        yield s.ok(f"runbook: {found[0]}")
        return
    where = f"in {', '.join(d + '/' for d in s.own_dirs)}" if s.own_dirs else "in a directory of its own"
    yield s.fail(f"no runbook found for service {s.name} {where} or at {_shared_shown(s, opts)}, and no runbook: "
                 "for it in .prc.yaml")


def _declared_runbook(s: ServiceView, declared: str):
    if re.match(r"^https?://", declared):
        parts = urlsplit(declared)
        if parts.hostname:
            yield s.ok(f"runbook declared in .prc.yaml: {declared}")
        else:
            yield s.fail(f"the runbook URL {declared!r} in .prc.yaml has no host")
        return
    path = declared[2:] if declared.startswith("./") else declared
    if s.repo.has(path):
        yield s.ok(f"runbook declared in .prc.yaml: {path}")
    else:
        yield s.fail(f"the runbook {declared!r} declared in .prc.yaml is not in the scanned tree")


def _runbook_files(s: ServiceView, opts) -> list[str]:
    found = []
    for directory in s.own_dirs:
        prefix = directory + "/"
        for f in s.repo.under(directory):
            found += [f for pattern in opts["paths"] if _match(f[len(prefix):], pattern)][:1]
    shared = [p.replace("{service}", s.name) for p in opts["shared_paths"]]
    for directory in _shared_dirs(s):
        prefix = directory + "/" if directory else ""
        # Only the first directory step of each pattern can hold a match: look below those steps alone.
        for step in sorted({p.split("/", 1)[0] for p in shared if "/" in p}):
            for f in s.repo.under(prefix + step):
                found += [f for pattern in shared if _match(f, prefix + pattern)][:1]
        flat = [p for p in shared if "/" not in p]
        if flat:
            found += [f for f in s.repo.under(directory) if "/" not in f[len(prefix):]
                      and any(_match(f[len(prefix):], p) for p in flat)]
    return sorted(set(found), key=lambda f: (f.count("/"), f))


def _shared_dirs(s: ServiceView) -> list[str]:
    """The directories above the service's own ones, deepest first, down to the scan root ("")."""
    start = s.own_dirs[-1] if s.own_dirs else s.home
    found = []
    directory = start.rpartition("/")[0] if s.own_dirs else start
    while directory:
        found.append(directory)
        directory = directory.rpartition("/")[0]
    return found + [""]


def _match(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path.lower(), pattern.lower())


def _shared_shown(s: ServiceView, opts) -> str:
    first = _shared_dirs(s)[0]
    return " or ".join((f"{first}/" if first else "") + p.replace("{service}", s.name)
                       for p in opts["shared_paths"][:2])


# --------------------------------------------------------------------------- PRC-XA-001

_DEFAULT_DEREGISTRATION_DELAY = 300  # seconds, the AWS default for a target group
_DEFAULT_GRACE = 30  # seconds, Kubernetes' default terminationGracePeriodSeconds


@check(id="PRC-XA-001", slug="deregistration-within-grace", target=ServiceView, item="graceful-shutdown",
       severity="medium",
       fix="Make terminationGracePeriodSeconds at least the target group's deregistration_delay (or lower the "
           "delay), and make the image's ENTRYPOINT exec-form so PID 1 receives SIGTERM.")
def deregistration_within_grace(s: ServiceView, opts):
    """What: two shutdown facts that live in different files. (1) For each Kubernetes workload of the service that serves traffic through an `ip` target group of the same service (Terraform `aws_lb_target_group` with `target_type = "ip"`, as the AWS Load Balancer Controller's TargetGroupBinding uses), the pods' terminationGracePeriodSeconds (default 30) is at least the target group's deregistration_delay (default 300). (2) When a Dockerfile of the service fails the exec-form check (PRC-DKR-010), every container running the image it builds (the `builds` entry in .prc.yaml, else a container of the service whose image is named like the Dockerfile's directory or the service) is reported too, at its own line.

    Why: the load balancer keeps sending a deregistering target requests for the whole deregistration delay; a pod killed before the delay ends drops them. And a container whose PID 1 is `/bin/sh -c` never passes SIGTERM to the app, so every rollout of that workload cuts connections, however good its preStop hook and grace period are: the finding belongs on the workload its owners read, not only on a Dockerfile in another directory.

    How to fix: raise terminationGracePeriodSeconds (and the preStop sleep) above the deregistration delay, or lower `deregistration_delay` to what the service needs to drain (often 30-60 s); write the Dockerfile's ENTRYPOINT/CMD in exec form, or end its entrypoint script with `exec "$@"`.
    """
    yield from _draining(s)
    yield from _image_pid1(s)


def _draining(s: ServiceView):
    groups = [r for r in s.of_type(TfResource) if r.mode == "managed" and r.kind == "aws_lb_target_group"]
    workloads = [w for w in s.workloads if w.long_running and any(c.serves_traffic for c in w.containers)]
    if not groups or not workloads:
        return
    ip_groups, unknown = [], []
    for group in groups:
        target_type = group.attrs.get("target_type", "instance")
        delay = group.attrs.get("deregistration_delay", _DEFAULT_DEREGISTRATION_DELAY)
        if isinstance(target_type, Unresolved):
            unknown.append(f"{group.address} target_type is not known statically: {target_type.describe()}")
        elif target_type != "ip":
            continue  # the target is the node, which outlives the pod
        elif isinstance(delay, Unresolved):
            unknown.append(f"{group.address} deregistration_delay is not known statically: {delay.describe()}")
        elif _seconds(delay) is None:
            unknown.append(f"{group.address} deregistration_delay {delay!r} is not a number of seconds")
        else:
            ip_groups.append((_seconds(delay), group))
    for w in workloads:
        at = w.pod_path("terminationGracePeriodSeconds")
        if unknown:
            yield w.unknown(f"{w.kind}/{w.name}: cannot compare its grace period with the load balancer's draining: "
                            + "; ".join(unknown), at=at)
            continue
        if not ip_groups:
            continue
        delay, group = max(ip_groups, key=lambda pair: (pair[0], pair[1].address))
        grace = w.pod_spec.get("terminationGracePeriodSeconds", _DEFAULT_GRACE)
        if _seconds(grace) is None:
            yield w.unknown(f"{w.kind}/{w.name}: terminationGracePeriodSeconds {grace!r} is not a number", at=at)
        elif _seconds(grace) < delay:
            yield w.fail(f"{w.kind}/{w.name}: terminationGracePeriodSeconds {_seconds(grace)} s is shorter than "
                         f"{group.address} deregistration_delay {delay} s: pods are killed while the load balancer "
                         "still sends them requests", at=at)
        else:
            yield w.ok(f"{w.kind}/{w.name}: terminationGracePeriodSeconds {_seconds(grace)} s covers "
                       f"{group.address} deregistration_delay {delay} s", at=at)


def _seconds(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _image_pid1(s: ServiceView):
    from prc_checks.dockerfile import exec_form_entrypoint

    for df in s.of_type(Dockerfile):
        if df.final_stage is None:
            continue
        verdicts = [o for o in exec_form_entrypoint.run(df, {}) if o.status is not Status.PASS]
        for container in _containers_running(s, df):
            where = f"{container.workload.kind}/{container.workload.name} container {container.name}"
            if not verdicts:
                yield container.ok(f"{where} runs the image {df.file} builds, whose PID 1 receives SIGTERM",
                                   at="image")
            elif verdicts[0].status is Status.FAIL:
                yield container.fail(f"{where} runs the image {df.file} builds: {verdicts[0].message}", at="image")
            else:
                yield container.unknown(f"{where} runs the image {df.file} builds: {verdicts[0].message}", at="image")


def _containers_running(s: ServiceView, df: Dockerfile) -> list:
    """The containers of the service that run the image a Dockerfile builds."""
    names = {df.service_hint, s.name} - {""}
    found = []
    for w in s.workloads:
        for c in (*w.containers, *w.init_containers):
            image = c.spec.get("image")
            if not isinstance(image, str) or not image:
                continue
            repository = image_repository(image)
            if repository == df.builds_image if df.builds_image else repository.rpartition("/")[2] in names:
                found.append(c)
    return found


# --------------------------------------------------------------------------- PRC-XA-010

# Datadog tags that name a service or a workload.
_DATADOG_TAGS = ("service", "app", "kube_deployment", "kube_service", "kube_app_name", "kube_stateful_set",
                 "kube_daemon_set", "deployment", "container_name", "short_image", "job", "name")
# A pod name as a ReplicaSet makes it, to test `pod=~"checkout-.*"` against.
_POD_SUFFIX = "-7d9f8b6c5-x2x4z"


@check(id="PRC-XA-010", slug="service-has-alerts", target=ServiceView, item="alerted", severity="high",
       fix="Add an alert that watches the service: a Prometheus rule selecting its job or workload, a CloudWatch "
           "alarm on its resources, or a Datadog monitor on service:<name>.")
def service_has_alerts(s: ServiceView, opts):
    """What: at least one alert of any backend watches the service: a Prometheus alerting rule (rule file or PrometheusRule) whose `service` label names it, or whose expression selects one of its names (the service, its workloads, their name labels, Services and containers) through a workload label such as `job`, `service`, `deployment`, `container` or `pod`, or, for a rule kept with the service, its namespace; a CloudWatch alarm (metric or composite) of the service, or one whose dimensions or references name its resources; a Datadog monitor of the service, or one whose query names it (`service:checkout`, `kube_deployment:checkout`).

    Why: a service that no alert watches fails silently: the first to notice an outage is a customer. Dashboards do not page anyone.

    How to fix: add at least an availability or error-rate alert for the service (for example `sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m])) > 0.05`), or a CloudWatch alarm on its load balancer or Auto Scaling group, with a runbook link and a route to the on-call.
    """
    names = _service_names(s)
    resources = s.of_type(TfResource)
    mine = {(id(m.root), m.address) for m in resources}
    resource_names = names | {m.attrs.get("name") for m in resources if isinstance(m.attrs.get("name"), str)}
    found = sorted({label for alert in s.scan_alerts
                    for label in [_covers(alert, s, names, mine, resource_names)] if label})
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        yield s.ok(f"watched by {', '.join(found[:3])}{more}")
    else:
        yield s.fail(f"no alert watches service {s.name}: no Prometheus alerting rule selects "
                     f"{_shown_names(names)}, and no CloudWatch alarm or Datadog monitor names it")


def _service_names(s: ServiceView) -> set[str]:
    return {s.name}.union(*(workload_names(w) for w in s.workloads))


def _shown_names(names: set[str]) -> str:
    ordered = sorted(names)
    return ", ".join(ordered[:4]) + (f" (and {len(ordered) - 4} more names)" if len(ordered) > 4 else "")


def _covers(alert, s: ServiceView, names: set[str], mine: set, resource_names: set) -> str:
    """How an alert covers the service ("" when it does not): the alert, as a report reader finds it.
    `mine`: (root, address) of the service's Terraform resources; `resource_names`: their `name`s and the
    service's names, which a CloudWatch dimension may give."""
    if isinstance(alert, TfResource):
        return _tf_alert_covers(alert, s, names, mine, resource_names)
    if alert.record:
        return ""
    where = f"alert {alert.name} ({alert.file}:{alert.line})"
    if alert.labels.get("service") in names:
        return where
    namespaces = {w.effective_namespace for w in s.workloads} if s.has_member(alert) else set()
    for matcher in alert.matchers:
        if matcher.name in WORKLOAD_LABELS and _selects(matcher, names):
            return where
        if matcher.name == "namespace" and _selects(matcher, namespaces):
            return where
    return ""


def _selects(matcher, names: set[str]) -> bool:
    """Whether a positive matcher (= or =~) selects one of the names, or a pod named after one (`checkout-.*`).
    The matcher runs only regular expressions that cannot run away (see promql.LabelMatcher.matches)."""
    if matcher.op not in ("=", "=~"):
        return False
    return any(matcher.matches(n) or (matcher.op == "=~" and matcher.matches(n + _POD_SUFFIX)) for n in names)


def _tf_alert_covers(alarm: TfResource, s: ServiceView, names: set[str], mine: set, resource_names: set) -> str:
    where = f"{alarm.address} ({alarm.file}:{alarm.line})"
    if s.has_member(alarm):
        return where
    if alarm.kind == "datadog_monitor":
        query = alarm.attrs.get("query")
        if isinstance(query, str) and any(re.search(rf"(?<![\w.-]){tag}:{re.escape(n)}(?![\w.-])", query)
                                          for tag in _DATADOG_TAGS for n in names):
            return where
        return ""
    root = id(alarm.root)
    if mine and any((root, address) in mine for addresses in alarm.refs.values() for address in addresses):
        return where
    dimensions = alarm.attrs.get("dimensions")
    if isinstance(dimensions, dict) and any(isinstance(v, str) and v in resource_names for v in dimensions.values()):
        return where
    return ""
