"""One target per service: what it gathered from every source, for the checks that judge a service as a whole.

services.py decides which service each artifact belongs to; this module turns the result into `ServiceView`
targets (one per scored service) holding its members and the repository facts the scan collected, so that
cross-artifact and repository-level checks (PRC-XA-*, PRC-SLO-001/003/010, PRC-REPO-002/010) stay pure
functions of one target.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from .config import Config, ServiceDecl
from .model import Location, TargetRef
from .targets import Checkable, Workload

# Where Dependabot and Renovate look for their configuration, relative to the repository's top.
DEPENDENCY_UPDATE_CONFIGS = (
    ".github/dependabot.yml", ".github/dependabot.yaml",
    "renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
    ".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
)


# Terraform resources that page someone.
ALARM_TYPES = frozenset({"aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm", "datadog_monitor"})


@dataclass(frozen=True)
class RepoFacts:
    """What the repository holds besides the artifacts sources read: every file path the scan walked (relative
    to the scan root, sorted) and the dependency-update configurations found at the scan root or the
    repository's top."""

    files: tuple[str, ...] = ()
    dependency_configs: tuple[str, ...] = ()

    def under(self, directory: str) -> tuple[str, ...]:
        """The files below a directory ("" for the scan root), found by bisection: services x files stays cheap."""
        if not directory:
            return self.files
        prefix = directory + "/"
        start = bisect.bisect_left(self.files, prefix)
        end = bisect.bisect_left(self.files, directory + "0")  # "0" sorts right after "/"
        return self.files[start:end]

    def has(self, path: str) -> bool:
        index = bisect.bisect_left(self.files, path)
        return index < len(self.files) and self.files[index] == path


def repo_facts(root: Path, inventory: set[str], scanned_dirs: list[str] = (), declared: list[str] = ()) -> RepoFacts:
    """`scanned_dirs`: the directories named on the command line (relative to the root), each the top of
    what the user asked to scan: a configuration there counts as well as one at the root. A scan of a
    subdirectory (or of stdin) walks none of the root's own files, so the known configuration names and the
    runbook paths `.prc.yaml` declares (`declared`) are looked up on disk under the root too; only those
    names, and never outside the root."""
    inventory = set(inventory)
    for path in [*DEPENDENCY_UPDATE_CONFIGS, *declared]:
        if path not in inventory and _inside(root, path) and (root / path).is_file():
            inventory.add(path)
    tops = ["", *scanned_dirs]
    found = {f"{top}/{name}" if top else name for top in tops for name in DEPENDENCY_UPDATE_CONFIGS
             if (f"{top}/{name}" if top else name) in inventory}
    top = _repository_top(root)
    if top is not None and top != root:
        # Dependabot reads only the repository's top; a scan of a subdirectory must still see it. Only the
        # known names are looked at, never listed or read.
        for name in DEPENDENCY_UPDATE_CONFIGS:
            if (top / name).is_file():
                found.add(f"{_relative(top / name, root)}")
    return RepoFacts(tuple(sorted(inventory)), tuple(sorted(found)))


def _inside(root: Path, path: str) -> bool:
    import os

    normal = os.path.normpath(path)
    return not (os.path.isabs(normal) or normal == ".." or normal.startswith("../"))


def _repository_top(root: Path) -> Path | None:
    for directory in [root, *root.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def _relative(path: Path, root: Path) -> str:
    import os

    return Path(os.path.relpath(path, root)).as_posix()


@dataclass(eq=False)
class ServiceView(Checkable):
    """A service with everything services.py put in it. Results about the service as a whole point at its
    declaration in .prc.yaml, else at its first workload, else at its first artifact."""

    name: str
    tier: str
    declaration: ServiceDecl | None
    config_file: str
    members: list = field(default_factory=list)
    repo: RepoFacts = field(default_factory=RepoFacts)
    # The alerts of the scan that watch this service, whatever service they joined (an alert kept in a shared
    # directory can watch it), each with how: (alert, "alert X (file:line)"). Linked once per scan.
    watched_by: list = field(default_factory=list)
    # Member alert rules whose expression prc could not read, so whether they watch the service is unknown.
    unreadable_alerts: list = field(default_factory=list)
    # `home` and the directories above it that hold no other service's files, deepest first: where the
    # service's own documents (a runbook) can sit. A directory shared by several services is nobody's.
    own_dirs: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "service"

    @property
    def service(self) -> str:
        return self.name

    @property
    def owner(self) -> "ServiceView":
        return self

    @property
    def annotations(self) -> dict:
        return {}

    @property
    def header_line(self) -> int:
        return self.declaration.line if self.declaration else 0

    @property
    def file(self) -> str:
        return self.locate("").file

    @property
    def ref(self) -> TargetRef:
        return TargetRef("service", self.name)

    def locate(self, at: str) -> Location:
        if self.declaration is not None and self.config_file:
            return Location(self.config_file, self.declaration.line)
        anchors = self.workloads or self.members
        if not anchors:
            return Location(self.config_file or "(services)")
        first = min(anchors, key=lambda o: (o.file, o.header_line))
        return Location(first.file, first.header_line)

    def of_type(self, cls: type) -> list:
        return [m for m in self.members if isinstance(m, cls)]

    @property
    def workloads(self) -> list[Workload]:
        return self.of_type(Workload)

    @cached_property
    def directories(self) -> list[str]:
        """The directories its members are written in, shallowest first ("" for the scan root)."""
        found = {str(PurePosixPath(m.file).parent) for m in self.members if m.file and m.file != "-"}
        return sorted((d if d != "." else "" for d in found), key=lambda d: (d.count("/"), d))

    @cached_property
    def member_ids(self) -> frozenset[int]:
        return frozenset(id(m) for m in self.members)

    def has_member(self, obj: object) -> bool:
        return id(obj) in self.member_ids

    @cached_property
    def home(self) -> str:
        """The deepest directory holding all its members' files ("" when that is the scan root)."""
        parts = [PurePosixPath(d).parts for d in self.directories]
        if not parts:
            return ""
        common: list[str] = []
        for step in zip(*parts):
            if len(set(step)) != 1:
                break
            common.append(step[0])
        return "/".join(common)


def service_views(names: list[str], owners: list, targets: list, config: Config,
                  repo: RepoFacts) -> list[ServiceView]:
    """One view per scored service, its members (owners, and alert rules, which a PrometheusRule owns) in a
    stable order, the alerts that watch it, and the directories that are its own."""
    from .loaders.alerts import AlertRule
    from .loaders.terraform import TfResource

    rules = [t for t in targets if isinstance(t, AlertRule)]
    alarms = [t for t in targets if isinstance(t, TfResource) and t.mode == "managed" and t.kind in ALARM_TYPES]
    by_service: dict[str, list] = {}
    for member in [*owners, *(r for r in rules if r.owner is not r)]:
        by_service.setdefault(member.service, []).append(member)
    views = []
    for name in names:
        members = sorted(by_service.get(name, []), key=lambda o: (o.file, o.header_line, o.kind, o.name))
        views.append(ServiceView(name, config.tier_of(name), config.declared(name), config.path, members, repo))
    watched = _watchers(views, rules, alarms, owners, config)
    for view in views:
        view.watched_by = sorted(watched.get(view.name, {}).items(), key=lambda pair: pair[1])
        view.unreadable_alerts = [m for m in view.members if isinstance(m, AlertRule) and not m.record
                                  and (m.promql.error or m.promql.skipped)]
    _own_dirs(views)
    return views


def _own_dirs(views: list[ServiceView]) -> None:
    """A directory is a service's own when only that service has files at or below it; the scan root counts
    when one service alone has files in the scan."""
    holders: dict[str, set[str]] = {}
    for view in views:
        for directory in view.directories:
            while True:
                holders.setdefault(directory, set()).add(view.name)
                if not directory:
                    break
                directory = directory.rpartition("/")[0]
    for view in views:
        own: set[str] = set()
        for directory in view.directories:
            while holders.get(directory, set()) == {view.name}:
                own.add(directory)
                if not directory:
                    break
                directory = directory.rpartition("/")[0]
        view.own_dirs = tuple(sorted(own, key=lambda d: (-d.count("/") if d else 1, d)))


# Datadog tags that name a service or a workload, as `tag:value` in a monitor's query.
_DATADOG_TAG_RE = re.compile(r"(?<![\w.-])(?:service|app|kube_deployment|kube_service|kube_app_name|"
                             r"kube_stateful_set|kube_daemon_set|deployment|container_name|short_image|job|name)"
                             r":([\w./-]+)")
# The arguments through which a CloudWatch alarm names what it watches (not where it sends notifications).
_WATCHED_ARGUMENTS = ("dimensions", "metric_query", "alarm_rule")


def _watchers(views: list[ServiceView], rules: list, alarms: list, owners: list,
              config: Config) -> dict[str, dict]:
    """Service -> {alert: how it watches the service}, for every alerting rule, alarm and monitor of the scan.
    Names resolve through an index of names that point at exactly one service, so cost grows with alerts plus
    names, not their product."""
    from .loaders.terraform import TfResource
    from .services import UNASSIGNED, name_index

    index = name_index(owners, config, tf_names=True)
    known = {v.name for v in views}
    owning = {(id(r.root), r.address): r.service for r in owners if isinstance(r, TfResource)}
    namespaces: dict[str, set[str]] = {}
    for v in views:
        namespaces[v.name] = {w.effective_namespace for w in v.workloads}
    found: dict[str, dict] = {}

    def add(service: str, alert, how: str) -> None:
        if service in known and service != UNASSIGNED:
            found.setdefault(service, {}).setdefault(alert, how)

    for rule in rules:
        if rule.record:
            continue
        how = f"alert {rule.name} ({rule.file}:{rule.line})"
        if rule.service_hint:
            add(rule.service_hint, rule, how)
        for service in index.services_selected_by(rule.matchers):
            add(service, rule, how)
        # A rule kept with a service watches it through its namespace too (kube-state-metrics alerts).
        mine = namespaces.get(rule.service, set())
        if any(m.name == "namespace" and m.op in ("=", "=~") and any(m.matches(n) for n in mine)
               for m in rule.matchers):
            add(rule.service, rule, how)
    for alarm in alarms:
        how = f"{alarm.address} ({alarm.file}:{alarm.line})"
        add(alarm.service, alarm, how)
        if alarm.kind == "datadog_monitor":
            query = alarm.attrs.get("query")
            for value in _DATADOG_TAG_RE.findall(query) if isinstance(query, str) else ():
                if value in index.names:
                    add(index.names[value], alarm, how)
            continue
        for argument in _WATCHED_ARGUMENTS:
            for address in alarm.refs.get(argument, ()):
                if (id(alarm.root), address) in owning:
                    add(owning[(id(alarm.root), address)], alarm, how)
        dimensions = alarm.attrs.get("dimensions")
        for value in dimensions.values() if isinstance(dimensions, dict) else ():
            if isinstance(value, str) and value in index.names:
                add(index.names[value], alarm, how)
    return found
