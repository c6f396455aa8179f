"""`prc audit k8s`: read a cluster's objects, judge them, and report like `prc scan`.

Adding the arguments imports nothing beyond argparse: the parser is built for every prc command, and the
kubernetes client is loaded only when an audit runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

EXIT_USAGE = 2
# A namespace name is a DNS label; anything else could only be a typo or a path trick.
_NAMESPACE_RE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def add_arguments(k8s, date_type) -> None:
    source = k8s.add_argument_group("what to audit")
    source.add_argument("--kubeconfig", type=Path, metavar="FILE",
                        help="the kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config; in a pod without "
                             "one, the pod's ServiceAccount)")
    source.add_argument("--context", metavar="NAME", help="the kubeconfig context (default: its current-context)")
    scope = source.add_mutually_exclusive_group()
    scope.add_argument("--namespace", "-n", action="append", default=[], metavar="NS",
                       help="a namespace to audit; repeatable (default: the context's namespace, else default)")
    scope.add_argument("--all-namespaces", "-A", action="store_true",
                       help="audit every namespace (lists each kind across the cluster)")
    source.add_argument("--request-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long one API request may take (default 30)")
    # Objects per list request (default 500, as kubectl); tests lower it so that every kind spans pages.
    source.add_argument("--page-size", type=int, help=argparse.SUPPRESS)
    k8s.add_argument("--today", type=date_type, help="judge waiver and attestation expiry as of this date "
                                                     "(default: today)")


def _usage_errors(args) -> list[str]:
    errors = [f"prc: --namespace {ns!r} is not a namespace name (a DNS label: lower-case letters, digits and "
              "'-', at most 63)" for ns in args.namespace if not _NAMESPACE_RE.fullmatch(ns)]
    if args.request_timeout <= 0:
        errors.append("prc: --request-timeout must be above 0")
    if args.page_size is not None and args.page_size < 1:
        errors.append("prc: --page-size must be 1 or more")
    return errors


def run(args, cli) -> int:
    """`cli` is prc.cli: its output, registry and emit helpers are shared with `prc scan`."""
    from ..gate import evaluate
    from .audit import audit

    errors = _usage_errors(args)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return EXIT_USAGE
    outputs = cli._outputs(args)
    if isinstance(outputs, int):
        return outputs
    registry = cli._registry_or_exit()
    loaded = cli._audit_config(args, registry)
    if isinstance(loaded, int):
        return loaded
    config, config_path = loaded
    collection = _collect(args)
    if isinstance(collection, int):
        return collection
    report = audit(collection, config, registry, args.today or dt.date.today())
    report = evaluate(report, args.fail_on, args.min_score, paths=report.source)
    return cli._emit(args, report, outputs, config_path)


def _collect(args):
    from .collect import PAGE_SIZE, collect
    from .session import ClusterError, open_cluster

    progress = _Progress()
    try:
        cluster = open_cluster(args.kubeconfig, args.context, args.request_timeout)
        try:
            namespaces = None if args.all_namespaces else (args.namespace or [cluster.target.namespace])
            collection = collect(cluster, namespaces, args.page_size or PAGE_SIZE, progress.update)
        finally:
            progress.clear()
            cluster.close()
    except ClusterError as exc:
        print(f"prc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if sys.stderr.isatty():
        owned = sum(collection.owned.values())
        failed = len(collection.gaps)
        print(f"prc: audited context {collection.context} ({len(collection.namespaces)} namespace(s)) with "
              f"{collection.requests} read-only API requests; {owned} object(s) a controller made were left to it"
              + (f"; {failed} list(s) failed (their checks are UNKNOWN)" if failed else ""), file=sys.stderr)
    return collection


class _Progress:
    """One line on standard error, rewritten as each list is read, when it is a terminal; silent otherwise."""

    def __init__(self):
        self.live = sys.stderr.isatty()
        self.shown = False

    def update(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f"\r\x1b[2K{text}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self.shown = False
