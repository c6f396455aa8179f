"""One audit, in one direction: snapshot -> targets -> checks -> suppressions -> scores -> Report.

The same engine, Suppressor, scoring and Report as `prc scan`; only the source differs. Only checks that
judge AWS targets run (a Kubernetes or service-level check has nothing to say about an account).
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..config import Config
from ..engine import plugin_errors, run_checks, selected_checks
from ..model import Result
from ..registry import Registry
from ..report import Report
from ..scan import expiring_waivers
from ..scoring import score_services
from ..suppress import Suppressor
from .snapshot import Snapshot
from .targets import AwsAccount, AwsRegion, AwsTarget, build_targets


def aws_checks(registry: Registry, config: Config) -> list:
    return [c for c in selected_checks(registry, config)
            if any(isinstance(t, type) and issubclass(t, AwsTarget) for t in c.targets)]


def audit(snapshot: Snapshot, config: Config, registry: Registry, today: dt.date) -> Report:
    # Checks judge ages (keys, passwords, roles) against the audit date, not the clock: the same snapshot
    # gives the same report.
    targets = build_targets(snapshot, config.service_tag or "Service", today)
    checks = aws_checks(registry, config)
    known = frozenset({c.id for c in registry.checks} | {c.slug for c in registry.checks})
    suppressor = Suppressor(config, {}, today, known)
    results = run_checks(checks, targets, config, suppressor.apply)
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
