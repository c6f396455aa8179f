"""One audit, in one direction: snapshot -> targets -> checks -> suppressions -> scores -> Report.

The same engine, Suppressor, scoring and Report as `prc scan`; only the source differs. Only checks that
judge AWS targets run (a Kubernetes or service-level check has nothing to say about an account).
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..config import Config
from ..engine import INPUT_CHECK, plugin_errors, run_checks, selected_checks
from ..model import Location, Result, Status, TargetRef
from ..registry import Registry
from ..report import Report
from ..scan import expiring_waivers
from ..scoring import score_services
from ..suppress import Suppressor
from .snapshot import GLOBAL, Snapshot
from .targets import ACCOUNT_SERVICE, AwsAccount, AwsRegion, AwsTarget, build_targets


def aws_checks(registry: Registry, config: Config) -> list:
    return [c for c in selected_checks(registry, config)
            if any(isinstance(t, type) and issubclass(t, AwsTarget) for t in c.targets)]


def unread_regions(snapshot: Snapshot, targets: list) -> list[Result]:
    """An ERROR for every service with resources in a region where a collector failed. The checks answer
    UNKNOWN on the region itself (in the account service); without this a service whose instances were never
    read could still come out READY on what the other collectors saw. Like a file that could not be read in a
    scan, it makes the service's verdict unprovable."""
    in_region: dict[str, set[str]] = {}
    for t in targets:
        if t.region and t.region != GLOBAL and t.service != ACCOUNT_SERVICE:
            in_region.setdefault(t.region, set()).add(t.service)
    found = []
    for e in sorted(snapshot.errors, key=lambda e: (e["region"], e["collector"])):
        for service in sorted(in_region.get(e["region"], ())):
            found.append(Result(
                INPUT_CHECK, Status.ERROR,
                f"{e['collector']} could not be read in {e['region']}, where the service has resources: {e['reason']}",
                TargetRef("service", service), Location(f"aws://{snapshot.account_id}/{e['region']}"), service,
                at=f"{e['region']}/{e['collector']}"))
    return found


def audit(snapshot: Snapshot, config: Config, registry: Registry, today: dt.date) -> Report:
    # Checks judge ages (keys, passwords, roles) against the audit date, not the clock: the same snapshot
    # gives the same report.
    targets = build_targets(snapshot, config.service_tag or "Service", today)
    checks = aws_checks(registry, config)
    known = frozenset({c.id for c in registry.checks} | {c.slug for c in registry.checks})
    suppressor = Suppressor(config, {}, today, known)
    results = run_checks(checks, targets, config, suppressor.apply)
    results += unread_regions(snapshot, targets)
    results += plugin_errors(registry.load_errors)
    results.sort(key=Result.sort_key)
    names = sorted({t.service for t in targets})
    scores = score_services(results, names, config, today)
    regions = len(snapshot.regions)
    source = f"AWS account {snapshot.account_id}, {regions} region{'' if regions == 1 else 's'}"
    return Report(
        version=__version__, config_path=config.path, checks=tuple(checks), results=tuple(results),
        # Only what the account holds counts as checked: the account and region targets always exist, and an
        # audit whose every collector was denied must not pass a gate as if it had looked.
        services=tuple(scores), skipped=(), files_scanned=0,
        objects=sum(1 for t in targets if not isinstance(t, (AwsAccount, AwsRegion))),
        today=today.isoformat(), expiring_waivers=expiring_waivers(config, today), source=source,
    )
