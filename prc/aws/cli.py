"""`prc audit aws`: collect (or load) a snapshot, judge it, and report like `prc scan`."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

EXIT_USAGE = 2


def add_arguments(aws, date_type) -> None:
    source = aws.add_argument_group("what to audit")
    source.add_argument("--profile", help="the AWS profile to use (default: the normal boto3 credential chain)")
    regions = source.add_mutually_exclusive_group()
    regions.add_argument("--region", action="append", default=[], metavar="REGION",
                         help="a region to audit; repeatable (default: the profile's region, else us-east-1)")
    regions.add_argument("--all-regions", action="store_true", help="audit every region enabled in the account")
    source.add_argument("--service-tag", metavar="KEY",
                        help="the tag naming a resource's service (default: service_tag in .prc.yaml, else Service)")
    source.add_argument("--endpoint-url", metavar="URL",
                        help="send every AWS call to this endpoint (a test double such as moto)")
    source.add_argument("--save-snapshot", type=Path, metavar="FILE",
                        help="also write what was collected to FILE (JSON, no credentials)")
    source.add_argument("--from-snapshot", type=Path, metavar="FILE",
                        help="judge a saved snapshot instead of calling AWS")
    aws.add_argument("--today", type=date_type,
                     help="count credential and role ages, and waiver expiry, as of this date (default: today)")


def run(args, cli) -> int:
    """`cli` is prc.cli: its output, registry and emit helpers are shared with `prc scan`."""
    from ..gate import evaluate
    from .audit import audit
    from .snapshot import Snapshot, SnapshotError

    if args.from_snapshot and (args.region or args.all_regions or args.profile or args.endpoint_url):
        print("prc: --from-snapshot judges a saved snapshot; --profile, --region, --all-regions and --endpoint-url "
              "apply only to a live audit", file=sys.stderr)
        return EXIT_USAGE
    outputs = cli._outputs(args)
    if isinstance(outputs, int):
        return outputs
    registry = cli._registry_or_exit()
    loaded = cli._audit_config(args, registry)
    if isinstance(loaded, int):
        return loaded
    config, config_path = loaded
    if args.service_tag:
        config.service_tag = args.service_tag
    if args.from_snapshot:
        try:
            snapshot = Snapshot.load(args.from_snapshot)
        except SnapshotError as exc:
            print(f"prc: --from-snapshot {cli._shown(args.from_snapshot)}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        snapshot = _collect(args)
        if isinstance(snapshot, int):
            return snapshot
    if args.save_snapshot:
        try:
            cli._write_atomically(Path(os.path.abspath(args.save_snapshot)), snapshot.to_json())
        except OSError as exc:
            print(f"prc: cannot write {cli._shown(args.save_snapshot)}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    report = audit(snapshot, config, registry, args.today or dt.date.today())
    report = evaluate(report, args.fail_on, args.min_score, paths=f"AWS account {snapshot.account_id}")
    return cli._emit(args, report, outputs, config_path)


def _collect(args):
    from .collect import AuditError, collect, enabled_regions
    from .session import ReadOnlySession

    try:
        session = ReadOnlySession(profile=args.profile, endpoint_url=args.endpoint_url)
    except Exception as exc:  # botocore ProfileNotFound and friends
        print(f"prc: cannot open the AWS session: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        regions = enabled_regions(session) if args.all_regions else (args.region or [session.default_region])
        with _Progress(len(regions)) as progress:
            snapshot = collect(session, regions, progress=progress.done)
    except AuditError as exc:
        print(f"prc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if sys.stderr.isatty():
        failed = len(snapshot.errors)
        print(f"prc: audited account {snapshot.account_id} in {len(regions)} region(s) with {session.calls.total} "
              f"read-only API calls" + (f"; {failed} collector(s) failed (their checks are UNKNOWN)" if failed
                                        else ""), file=sys.stderr)
    return snapshot


class _Progress:
    """Regions and collectors done, on standard error when it is a terminal; silent otherwise."""

    def __init__(self, regions: int):
        from .snapshot import GLOBAL_COLLECTORS, REGIONAL_COLLECTORS

        self.total = len(GLOBAL_COLLECTORS) + regions * len(REGIONAL_COLLECTORS)
        self.bar = None
        self.task = None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                console=Console(file=sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("collecting", total=self.total)
        return self

    def done(self, region: str, collector: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"{region}: {collector}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
