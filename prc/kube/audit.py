"""One audit, in one direction: collection -> targets -> services -> checks -> gaps -> suppressions -> scores.

The same linker, service grouping, engine, Suppressor (prc.dev/ignore annotations on the live objects, waivers
in .prc.yaml), scoring and Report as `prc scan`; only the source differs. Only the checks that judge Kubernetes
objects run: the service-level checks ask a repository (a runbook file, a Dependabot configuration) that a
cluster does not hold.
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..config import Config
from ..discovery import Skipped
from ..engine import input_errors, plugin_errors, run_checks, selected_checks
from ..model import Result
from ..registry import Registry
from ..report import Report
from ..scan import expiring_waivers
from ..scoring import score_services
from ..services import assign_services, service_names
from ..suppress import Suppressor
from ..targets import Container, K8sObject
from .collect import Collection
from .gaps import Gaps
from .kinds import KINDS, NAMESPACE
from .targets import SCHEME, build_targets


def k8s_checks(registry: Registry, config: Config) -> list:
    return [c for c in selected_checks(registry, config)
            if any(isinstance(t, type) and issubclass(t, (K8sObject, Container)) for t in c.targets)]


def audit(collection: Collection, config: Config, registry: Registry, today: dt.date) -> Report:
    owners, targets = build_targets(collection)
    assign_services(owners, config, targets)
    names = service_names(owners, config)
    checks = k8s_checks(registry, config)
    known = frozenset({c.id for c in registry.checks} | {c.slug for c in registry.checks})
    suppressor = Suppressor(config, {}, today, known)
    gaps = Gaps(collection.gaps)

    def judge(result, owner, about):
        return suppressor.apply(gaps.judge(result, owner), owner, about)

    results = run_checks(checks, targets, config, judge)
    by_location = {o.file: o.service for o in owners}
    results += input_errors(suppressor.invalid_annotations(owners), lambda file, line: by_location.get(file, ""))
    results += gaps.unread_workloads(owners, collection.context)
    results += plugin_errors(registry.load_errors)
    results.sort(key=Result.sort_key)
    scores = score_services(results, names, config, today)
    count = len(collection.namespaces)
    scope = "all " if collection.all_namespaces else ""
    source = f"Kubernetes cluster {collection.context}, {scope}{count} namespace{'' if count == 1 else 's'}"
    return Report(
        version=__version__, config_path=config.path, checks=tuple(checks), results=tuple(results),
        services=tuple(scores), skipped=tuple(skipped(collection)), files_scanned=0,
        # Namespaces always exist: only what they hold counts as checked, so an audit that could list nothing
        # (or found nothing) fails the gate as having checked nothing.
        objects=sum(1 for o in owners if o.kind != NAMESPACE.kind),
        # As for a scan: the date matters only to expiries, so without any the same cluster gives the same bytes.
        today=today.isoformat() if config.waivers or config.attestations else "",
        expiring_waivers=expiring_waivers(config, today), source=source,
    )


def skipped(collection: Collection) -> list[Skipped]:
    """What was not read: API groups (or kinds) the server does not serve, lists that failed."""
    where = f"{SCHEME}{collection.context}"
    found = []
    unserved = {k.kind for k in collection.unserved}
    groups = dict.fromkeys(k.group for k in collection.unserved)
    for group in groups:
        kinds = [k for k in KINDS if k.group == group]
        if group and all(k.kind in unserved for k in kinds):
            found.append(Skipped(f"{where}/apis/{group}", f"not served by the API server: "
                                 f"{', '.join(k.kind for k in kinds)} not read"))
        else:
            found += [Skipped(f"{where}/{k.qualified}", f"not served by the API server: {k.kind} not read")
                      for k in kinds if k.kind in unserved]
    for gap in collection.gaps:
        path = f"{where}/{gap.namespace}/{gap.kind}" if gap.namespace else f"{where}/{gap.kind}"
        found.append(Skipped(path, gap.text))
    return sorted(found, key=lambda s: (s.path, s.reason))
