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
from prc.services import image_repository, workload_names
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
    if s.members and all(m.file == "-" for m in s.members):
        yield s.unknown(f"service {s.name} was read from standard input, so where its runbook would sit in the "
                        "repository is unknown; set runbook: for it in .prc.yaml")
        return
    found = _runbook_files(s, opts)
    if found:
        yield s.ok(f"runbook: {found[0]}")
        return
    where = (f"in {', '.join(d + '/' if d else 'the scan root' for d in s.own_dirs)}" if s.own_dirs
             else "in a directory of its own")
    shared = _shared_shown(s, opts)
    yield s.fail(f"no runbook found for service {s.name} {where}{' or at ' + shared if shared else ''}, and no "
                 "runbook: for it in .prc.yaml")


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


# What a runbook is written in; a playbooks/site.yml is an Ansible playbook, not an on-call one.
_DOC_SUFFIXES = ("", ".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".html", ".htm", ".org", ".pdf")


def _runbook_files(s: ServiceView, opts) -> list[str]:
    found = []
    for directory in s.own_dirs:
        prefix = directory + "/" if directory else ""
        found += [f for f in s.repo.under(directory) if any(_match(f[len(prefix):], p) for p in opts["paths"])]
    shared = [p.replace("{service}", s.name) for p in opts["shared_paths"]]
    for directory in _shared_dirs(s):
        prefix = directory + "/" if directory else ""
        # Only below a pattern's first directory step can a file match it.
        for step in sorted({p.split("/", 1)[0] for p in shared if "/" in p}):
            found += [f for f in s.repo.under(prefix + step) if any(_match(f[len(prefix):], p) for p in shared)]
        flat = [p for p in shared if "/" not in p]
        if flat:
            found += [f for f in s.repo.under(directory) if any(_match(f[len(prefix):], p) for p in flat)]
    return sorted(set(found), key=lambda f: (f.count("/"), f))


def _shared_dirs(s: ServiceView) -> list[str]:
    """The directories above the service's own ones that are not its own, deepest first, down to the scan
    root ("") unless the root is its own."""
    own = set(s.own_dirs)
    found: set[str] = set()
    for directory in s.directories:
        while directory and directory not in own:
            directory = directory.rpartition("/")[0]
        while directory:
            directory = directory.rpartition("/")[0]
            if directory not in own:
                found.add(directory)
            if not directory:
                break
    if "" not in own:
        found.add("")
    return sorted(found, key=lambda d: (-d.count("/") if d else 1, d))


def _match(path: str, pattern: str) -> bool:
    """A glob matched step by step, so `*` never crosses a directory (runbook* is not runbooks/x/y.yml), on a
    document's name."""
    steps, wanted = path.lower().split("/"), pattern.lower().split("/")
    if len(steps) != len(wanted) or not all(fnmatch.fnmatchcase(a, b) for a, b in zip(steps, wanted)):
        return False
    name = steps[-1]
    suffix = name[name.rfind("."):] if "." in name.lstrip(".") else ""
    return suffix in _DOC_SUFFIXES


def _shared_shown(s: ServiceView, opts) -> str:
    """Where a shared runbook was looked for first, "" when the service owns every directory up to the root."""
    shared = _shared_dirs(s)
    if not shared:
        return ""
    return " or ".join((f"{shared[0]}/" if shared[0] else "") + p.replace("{service}", s.name)
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
        grace = w.pod_spec.get("terminationGracePeriodSeconds", _DEFAULT_GRACE)
        if ip_groups and _seconds(grace) is None:
            yield w.unknown(f"{w.kind}/{w.name}: terminationGracePeriodSeconds {grace!r} is not a number", at=at)
            continue
        if ip_groups:
            delay, group = max(ip_groups, key=lambda pair: (pair[0], pair[1].address))
            if _seconds(grace) < delay:
                # A known too-long delay fails whatever the groups prc cannot read would say.
                yield w.fail(f"{w.kind}/{w.name}: terminationGracePeriodSeconds {_seconds(grace)} s is shorter "
                             f"than {group.address} deregistration_delay {delay} s: pods are killed while the load "
                             "balancer still sends them requests", at=at)
                continue
        if unknown:
            yield w.unknown(f"{w.kind}/{w.name}: cannot compare its grace period with the load balancer's draining: "
                            + "; ".join(unknown), at=at)
        elif ip_groups:
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
    """Each container running an image a Dockerfile of the service builds, judged once: by the worst verdict of
    the Dockerfiles that build its image (a FAIL outweighs an UNKNOWN, which outweighs a PASS)."""
    from prc_checks.dockerfile import exec_form_entrypoint

    verdicts: dict[int, tuple] = {}  # id(container) -> (rank, container, Dockerfile, outcome or None)
    for df in sorted(s.of_type(Dockerfile), key=lambda d: d.file):
        if df.final_stage is None:
            continue
        problems = [o for o in exec_form_entrypoint.run(df, {}) if o.status is not Status.PASS]
        outcome = problems[0] if problems else None
        rank = 0 if outcome is None else (2 if outcome.status is Status.FAIL else 1)
        for container in _containers_running(s, df):
            if id(container) not in verdicts or rank > verdicts[id(container)][0]:
                verdicts[id(container)] = (rank, container, df, outcome)
    for rank, container, df, outcome in sorted(verdicts.values(), key=lambda v: (v[1].file, v[1].path)):
        where = f"{container.workload.kind}/{container.workload.name} container {container.name}"
        if outcome is None:
            yield container.ok(f"{where} runs the image {df.file} builds, whose PID 1 receives SIGTERM", at="image")
        elif outcome.status is Status.FAIL:
            yield container.fail(f"{where} runs the image {df.file} builds: {outcome.message}", at="image")
        else:
            yield container.unknown(f"{where} runs the image {df.file} builds: {outcome.message}", at="image")


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

@check(id="PRC-XA-010", slug="service-has-alerts", target=ServiceView, item="alerted", severity="high",
       fix="Add an alert that watches the service: a Prometheus rule selecting its job or workload, a CloudWatch "
           "alarm on its resources, or a Datadog monitor on service:<name>.")
def service_has_alerts(s: ServiceView, opts):
    """What: at least one alert of any backend watches the service: a Prometheus alerting rule (rule file or PrometheusRule) whose `service` label names it, or whose expression selects one of its names (the service, its workloads, their name labels, Services and containers, when no other service shares the name) through a workload label such as `job`, `service`, `deployment`, `container` or `pod`, or, for a rule kept with the service, its namespace; a CloudWatch alarm (metric or composite) of the service, or one whose dimensions, metric queries or alarm rule name its resources (not where it sends notifications); a Datadog monitor of the service, or one whose query names it (`service:checkout`, `kube_deployment:checkout`). When none does but one of the service's own alerts has an expression prc could not read, the answer is UNKNOWN.

    Why: a service that no alert watches fails silently: the first to notice an outage is a customer. Dashboards do not page anyone.

    How to fix: add at least an availability or error-rate alert for the service (for example `sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m])) > 0.05`), or a CloudWatch alarm on its load balancer or Auto Scaling group, with a runbook link and a route to the on-call.
    """
    found = [how for _, how in s.watched_by]
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        yield s.ok(f"watched by {', '.join(found[:3])}{more}")
    elif s.unreadable_alerts:
        names = ", ".join(sorted({a.name for a in s.unreadable_alerts}))
        yield s.unknown(f"no readable alert watches service {s.name}, and its alerts {names} have expressions prc "
                        "could not read, so whether they watch it is unknown")
    else:
        yield s.fail(f"no alert watches service {s.name}: no Prometheus alerting rule selects "
                     f"{_shown_names(s)}, and no CloudWatch alarm or Datadog monitor names it")


def _shown_names(s: ServiceView) -> str:
    ordered = sorted({s.name}.union(*(workload_names(w) for w in s.workloads)))
    return ", ".join(ordered[:4]) + (f" (and {len(ordered) - 4} more names)" if len(ordered) > 4 else "")
