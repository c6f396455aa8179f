"""Command line: `prc scan`, `prc services`, `prc checks`, `prc explain`, `prc init`, `prc baseline`,
`prc audit aws`, `prc audit k8s`, `prc --version`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import __version__
from .timings import phase

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    from .formatters import FILE_FORMATS, FORMATS
    from .model import FAIL_ON_CHOICES, TIERS  # not from .gate: it imports the report and scoring (~100 ms)

    parser = argparse.ArgumentParser(prog="prc", description="Production readiness checklist linter.")
    parser.add_argument("--version", action="version", version=f"prc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser("scan", help="scan manifests and report readiness per service")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - reads manifests from stdin")
    scan.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up from the scan root")
    scan.add_argument("--format", choices=tuple(FORMATS), default="console",
                      help="what standard output gets (default console); see docs/outputs.md")
    scan.add_argument("--output", action="append", default=[], metavar="FORMAT=PATH",
                      help=f"also write a report to a file, after the scan; repeatable. FORMAT is one of "
                           f"{', '.join(FILE_FORMATS)}")
    scan.add_argument("--annotations", choices=("auto", "always", "never"), default="auto",
                      help="GitHub annotations on standard error: auto (default) writes them when GITHUB_ACTIONS "
                           "is true, unless --format github already puts them on standard output")
    scan.add_argument("--verbose", "-v", action="store_true", help="also list passing checks and every skipped file")
    scan.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="verdict",
                      help="gate on service verdicts (default), on findings of a severity or above, or never")
    scan.add_argument("--min-score", type=float, metavar="N", help="also fail when any service scores below N")
    scan.add_argument("--allow-empty", action="store_true",
                      help="pass the gate when no Kubernetes object is found (by default that fails it)")
    scan.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    scan.add_argument("--today", type=_date, help="evaluate waiver and attestation expiry as of this date")
    scan.add_argument("--max-file-size", type=int, default=20, metavar="MIB",
                      help="skip files larger than this many MiB with an error (default 20)")
    scan.add_argument("--var-file", action="append", default=[], metavar="FILE",
                      help="a Terraform variable file applied to every root module after the automatic tfvars and "
                           "the config's terraform.var_files, like terraform plan -var-file; repeatable")
    scan.add_argument("--check-links", action="store_true",
                      help="ask whether each absolute runbook URL answers (network access; off by default)")
    scan.add_argument("--baseline", type=Path, metavar="FILE",
                      help="compare with a baseline (prc baseline create): only new findings fail the gate")
    scan.add_argument("--ratchet", action="store_true",
                      help="with --baseline: also fail when a service scores below its score in the baseline")
    scan.add_argument("--tier", choices=TIERS,
                      help="the tier of services .prc.yaml gives none (default: its default_tier, else standard)")
    scan.add_argument("--changed", action="store_true",
                      help="the PATHs are changed files (as pre-commit passes them): scan the tree under .prc.yaml "
                           "(else the working directory) and report only the services that own them")
    scan.add_argument("--timings", action="store_true",
                      help="print to standard error where the time went: discovery, parsing per source, service "
                           "model, checks (the slowest too), scoring, rendering")
    _parse_arguments(scan)

    services = sub.add_parser("services", help="list each service with the artifacts it gathered and why")
    services.add_argument("paths", nargs="+", metavar="PATH", help="files or directories; - reads manifests from stdin")
    services.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up from the scan root")
    services.add_argument("--format", choices=("text", "json"), default="text")
    services.add_argument("--max-file-size", type=int, default=20, metavar="MIB",
                          help="skip files larger than this many MiB with an error (default 20)")
    services.add_argument("--var-file", action="append", default=[], metavar="FILE",
                          help="a Terraform variable file, as for scan (a tag set by a variable can decide a service)")
    _parse_arguments(services)

    checks = sub.add_parser("checks", help="list the available checks")
    checks.add_argument("--format", choices=("table", "markdown"), default="table")

    explain = sub.add_parser("explain", help="explain one check: what, why, how to fix, options")
    explain.add_argument("check", metavar="ID-or-slug")

    init = sub.add_parser("init", help="write a commented starter .prc.yaml")
    init.add_argument("directory", nargs="?", type=Path, default=Path("."))
    init.add_argument("--force", action="store_true", help="overwrite an existing .prc.yaml")
    _baseline_parser(sub)
    _audit_parser(sub, FORMATS, FILE_FORMATS, FAIL_ON_CHOICES)
    return parser


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes, 1 or more, got {text!r}")
    return jobs


def _parse_arguments(command) -> None:
    """How files are parsed: the same for every command that reads a tree."""
    command.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                         help="parse files in N processes (default: the number of cores); the output is the same "
                              "for any N")
    command.add_argument("--no-cache", action="store_true",
                         help="parse every file again, neither reading nor writing the parse cache (in "
                              "$PRC_CACHE_DIR, else the user cache directory: ~/.cache/prc on Linux)")


def _audit_parser(sub, formats, file_formats, fail_on_choices) -> None:
    """`prc audit aws` and `prc audit k8s`: the arguments live with each audit (prc/aws/cli.py, prc/kube/cli.py),
    which import no boto3 or kubernetes to add them."""
    from .aws.cli import add_arguments
    from .kube.cli import add_arguments as add_k8s_arguments

    audit = sub.add_parser("audit", help="audit a live cloud account (read-only) and report readiness per service")
    clouds = audit.add_subparsers(dest="audit_target", metavar="CLOUD", required=True)
    aws = clouds.add_parser("aws", help="audit an AWS account: IAM and EC2 production readiness, read-only")
    add_arguments(aws, _date)
    _audit_report_arguments(aws, formats, file_formats, fail_on_choices, "also list passing checks")
    k8s = clouds.add_parser("k8s", help="audit a Kubernetes cluster: the PRC-K8S checks on its live objects, "
                                        "read-only")
    add_k8s_arguments(k8s, _date)
    _audit_report_arguments(k8s, formats, file_formats, fail_on_choices,
                            "also list passing checks and everything skipped")


def _audit_report_arguments(audit, formats, file_formats, fail_on_choices, verbose_help: str) -> None:
    """The configuration, report and gate options every audit shares with the others (and with scan)."""
    audit.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up from the working "
                                                   "directory")
    audit.add_argument("--format", choices=tuple(formats), default="console", help="what standard output gets")
    audit.add_argument("--output", action="append", default=[], metavar="FORMAT=PATH",
                       help=f"also write a report to a file; repeatable. FORMAT is one of {', '.join(file_formats)}")
    audit.add_argument("--annotations", choices=("auto", "always", "never"), default="auto",
                       help="GitHub annotations on standard error (as for scan)")
    audit.add_argument("--verbose", "-v", action="store_true", help=verbose_help)
    audit.add_argument("--fail-on", choices=fail_on_choices, default="verdict",
                       help="gate on service verdicts (default), on findings of a severity or above, or never")
    audit.add_argument("--min-score", type=float, metavar="N", help="also fail when any service scores below N")
    audit.add_argument("--no-color", action="store_true", help="no colour even on a terminal")


def _baseline_parser(sub) -> None:
    from .model import TIERS

    baseline = sub.add_parser("baseline", help="write or update .prc-baseline.json, the findings accepted for now")
    actions = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="write the current findings to a new baseline file")
    create.add_argument("--output", type=Path, metavar="FILE",
                        help="where to write it (default .prc-baseline.json beside .prc.yaml, else in the scan root)")
    create.add_argument("--force", action="store_true", help="overwrite an existing baseline file")
    update = actions.add_parser("update", help="drop fixed findings from a baseline; add new ones only with --add-new")
    update.add_argument("--baseline", type=Path, metavar="FILE",
                        help="the baseline to update (default .prc-baseline.json beside .prc.yaml, else in the scan "
                             "root)")
    update.add_argument("--add-new", action="store_true", help="also accept the findings that are new")
    for action in (create, update):
        action.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default .)")
        action.add_argument("--config", type=Path, help="use this .prc.yaml instead of looking it up")
        action.add_argument("--today", type=_date, help="evaluate waiver and attestation expiry as of this date")
        action.add_argument("--tier", choices=TIERS, help="the tier of services .prc.yaml gives none, as for scan")
        action.add_argument("--max-file-size", type=int, default=20, metavar="MIB",
                            help="skip files larger than this many MiB with an error (default 20)")
        action.add_argument("--var-file", action="append", default=[], metavar="FILE",
                            help="a Terraform variable file, as for scan")
        _parse_arguments(action)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return EXIT_USAGE
    handler = {"scan": _scan, "services": _services, "checks": _checks, "explain": _explain,
               "init": _init, "baseline": _baseline, "audit": _audit}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # `prc ... | head` is a normal thing to do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # a bug must never read as "gate failed" (1) or "bad usage" (2)
        import traceback

        traceback.print_exc()
        print("prc: internal error; please report it with the traceback above", file=sys.stderr)
        return EXIT_INTERNAL


def _registry_or_exit():
    from .registry import load_registry

    registry = load_registry()
    for error in registry.load_errors:
        print(f"prc: warning: {error}", file=sys.stderr)
    return registry


def _scan_root(paths: list[Path]) -> Path:
    """Where paths in reports start when there is no .prc.yaml: the working directory when every path is
    inside it, else the deepest directory holding them all. Symlinks are kept as given, not resolved."""
    cwd = Path.cwd()
    if not paths or all(_is_inside(p, cwd) for p in paths):
        return cwd
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in paths]))


def _is_inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _prepare(args):
    """What `scan` and `services` share: the registry, the configuration and the scan input; or an exit code
    when the paths or the configuration are unusable (the reason is on stderr)."""
    from .config import Config, ConfigError, find_config, load_config
    from .discovery import FileReadError
    from .scan import STDIN, ScanInput

    with phase("registry (load checks)"):
        registry = _registry_or_exit()
    # Absolute but not resolved: a symlinked directory is scanned, and named in reports, as the user gave it.
    file_paths = [Path(os.path.abspath(p)) for p in args.paths if p != STDIN]
    missing = [p for p in args.paths if p != STDIN and not os.path.lexists(p)]
    if missing:
        for p in missing:
            print(f"prc: {p}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    var_files = args.var_file
    missing_vars = [p for p in var_files if not os.path.isfile(p)]
    if missing_vars:
        for p in missing_vars:
            print(f"prc: --var-file {p}: no such file", file=sys.stderr)
        return EXIT_USAGE
    stdin_text = None
    if STDIN in args.paths:
        try:
            stdin_text = _read_stdin(args.max_file_size * 1024 * 1024)
        except FileReadError as exc:
            print(f"prc: standard input: {exc.message}" + (f" (line {exc.line})" if exc.line else ""),
                  file=sys.stderr)
            return EXIT_USAGE
    first = file_paths[0] if file_paths else Path.cwd()
    config_path = args.config or find_config(first if first.is_dir() else first.parent)
    if args.config and not args.config.is_file():
        print(f"prc: {args.config}: no such config file", file=sys.stderr)
        return EXIT_USAGE
    config = Config()
    root = _scan_root(file_paths)
    if config_path:
        # Paths in the config, and so in every report, are relative to the directory holding it.
        root = Path(os.path.abspath(config_path)).parent
        try:
            with phase("config"):
                config = load_config(config_path, _shown(config_path), registry, shown_in_report=config_path.name)
        except ConfigError as exc:
            for message in exc.messages:
                print(message, file=sys.stderr)
            return EXIT_USAGE
    # After the config's own var files: the later file wins, as with several -var-file options.
    config.terraform_var_files = [*config.terraform_var_files, *(os.path.abspath(p) for p in var_files)]
    from .parsing import default_jobs
    from .userdirs import cache_dir

    scan_input = ScanInput(tuple(file_paths), root, stdin_text, args.max_file_size * 1024 * 1024,
                           check_links=getattr(args, "check_links", False), jobs=args.jobs or default_jobs(),
                           cache_dir=None if args.no_cache else cache_dir())
    return registry, config, scan_input, config_path


def _scan(args) -> int:
    """`prc scan`; with --timings, the table of where the time went follows on stderr, whatever the outcome."""
    if not args.timings:
        return _scan_report(args)
    import time

    from .timings import Timings, recording

    timings = Timings()
    start = time.perf_counter()
    try:
        with recording(timings):
            return _scan_report(args)
    finally:
        sys.stdout.flush()
        sys.stderr.write(timings.render(wall=time.perf_counter() - start))


def _scan_report(args) -> int:
    from .gate import evaluate
    from .scan import STDIN, scan

    outputs = _outputs(args)
    if isinstance(outputs, int):
        return outputs
    changed = _changed_files(args)  # with --changed: args.paths becomes the tree to scan
    prepared = _prepare(args)
    if isinstance(prepared, int):
        return prepared
    registry, config, scan_input, config_path = prepared
    if args.tier:
        config.default_tier = args.tier
    accepted = _load_baseline(args)
    if isinstance(accepted, int):
        return accepted
    report = scan(scan_input, config, registry, args.today or dt.date.today())
    # A declared service nothing belongs to (a typo in its paths, a moved directory) is missing from the report
    # and the gate: say so, as `prc services` does. Not for stdin alone (no tree was scanned), and with
    # --changed only for the declared services the change is about.
    empty = [d for d in config.services if d.name not in {s.name for s in report.services}]
    if changed is not None:
        from .changed import declared_in_changed, only_changed, relative

        changed_files = relative(changed, scan_input.root)
        empty = declared_in_changed(empty, changed_files, config.path)
        report = only_changed(report, changed_files, config.path)
    if any(p != STDIN for p in args.paths):
        for d in empty:
            print(f"prc: warning: service {d.name} is declared in {config.path} but nothing in the scanned paths "
                  "belongs to it", file=sys.stderr)
    if changed is not None and not report.services and not report.results:
        # Nothing to judge, so the gate passes; every report asked for is still written (empty), so that a CI
        # step uploading it finds it.
        from dataclasses import replace

        from .report import Gate

        return _emit(args, replace(report, gate=Gate(True)), outputs, config_path,
                     nothing=f"prc: no service owns the changed files ({', '.join(changed)}); nothing to check")
    if accepted is not None:
        from dataclasses import replace

        from .baseline import diff

        with phase("baseline"):
            report = replace(report, baseline=diff(report, accepted, _shown(args.baseline)))
    shown_paths = ", ".join("standard input" if p == STDIN else p for p in args.paths)
    with phase("gate"):
        report = evaluate(report, args.fail_on, args.min_score, allow_empty=args.allow_empty, paths=shown_paths,
                          ratchet=args.ratchet)
    with phase("rendering"):
        return _emit(args, report, outputs, config_path)


def _outputs(args):
    """The formatters for standard output and for each `--output FORMAT=PATH`, checked before anything is
    scanned or written: a list of (format, path, module), or an exit code (the reasons are on stderr)."""
    from . import formatters

    errors: list[str] = []
    outputs: list[tuple[str, Path, object]] = []
    claimed: dict[str, str] = {}
    for spec in args.output:
        name, sep, path_text = spec.partition("=")
        name = name.strip().lower()
        if not sep or not path_text:
            errors.append(f"prc: --output {spec}: expected FORMAT=PATH, e.g. --output sarif=prc.sarif")
            continue
        if name not in formatters.FORMATS or name in formatters.STDOUT_ONLY:
            why = "is for standard output only" if name in formatters.STDOUT_ONLY else "is not a known format"
            errors.append(f"prc: --output {spec}: {name!r} {why}; file formats: {', '.join(formatters.FILE_FORMATS)}")
            continue
        path = Path(os.path.abspath(path_text))
        parent = path.parent
        if not parent.is_dir():
            errors.append(f"prc: --output {spec}: directory {_shown(parent)} does not exist")
            continue
        if path.is_dir():
            errors.append(f"prc: --output {spec}: {_shown(path)} is a directory")
            continue
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            errors.append(f"prc: --output {spec}: {_shown(path)} is not writable")
            continue
        key = os.path.normcase(os.path.realpath(path))
        if key in claimed:
            errors.append(f"prc: --output {claimed[key]} and --output {spec} write the same file {_shown(path)}")
            continue
        claimed[key] = spec
        outputs.append((name, path, None))
    if errors:
        for error in errors:
            print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        modules = {name: formatters.load(name) for name in {args.format, *(name for name, _, _ in outputs)}
                   if name != "console"}
    except formatters.FormatterUnavailable as exc:
        print(f"prc: {exc}; please report it", file=sys.stderr)
        return EXIT_INTERNAL
    return [(name, path, modules[name]) for name, path, _ in outputs] + [(args.format, None, modules.get(args.format))]


def _emit(args, report, outputs, config_path, nothing: str = "") -> int:
    """Render every report from the one Report, then write the files (each atomically), then standard output.

    `nothing`: why there was nothing to judge; the console then gets that line instead of an empty report, and
    any other format on standard output gets its (empty) report with the line on standard error."""
    *files, (stdout_format, _, stdout_module) = outputs
    for _, path, module in files:
        try:
            _write_atomically(path, _pieces(module, report))
        except OSError as exc:
            print(f"prc: cannot write {_shown(path)}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if nothing:
        print(nothing, file=sys.stdout if stdout_format == "console" else sys.stderr)
    if stdout_format != "console":
        for piece in _pieces(stdout_module, report):
            sys.stdout.write(piece)
    elif not nothing:
        from .formatters import console as console_fmt  # rich: only when drawing on the console

        console = console_fmt.make_console(sys.stdout, color=False if args.no_color or os.environ.get("NO_COLOR")
                                           else None)
        console_fmt.render(report, console, args.verbose, _shown(config_path) if config_path else "")
    # Under GitHub Actions the runner reads workflow commands from standard error too; there they never mix
    # with a JSON or SARIF report on standard output.
    annotate = args.annotations == "always" or (args.annotations == "auto"
                                                and os.environ.get("GITHUB_ACTIONS") == "true")
    if annotate and stdout_format != "github":
        from .formatters import github

        sys.stdout.flush()
        sys.stderr.write(github.render(report))
    return EXIT_OK if report.gate.passed else EXIT_GATE


def _pieces(module, report):
    """A report's text in the pieces its formatter writes it in: whole, unless the formatter streams (`chunks`)
    because its report can be too large to hold twice."""
    chunks = getattr(module, "chunks", None)
    return chunks(report) if chunks is not None else (module.render(report),)


def _write_atomically(path: Path, text) -> None:
    from .atomic import write_atomically

    write_atomically(path, text)


def _services(args) -> int:
    from .formatters import services as services_fmt
    from .scan import model_services
    from .services import UNASSIGNED

    prepared = _prepare(args)
    if isinstance(prepared, int):
        return prepared
    _, config, scan_input, _ = prepared
    from .memory import release

    try:
        loaded, views = model_services(scan_input, config)
    finally:
        release()  # what loading froze may be collected again, as after a scan
    # Alert rules of a PrometheusRule are parts, not owners: one that joined no service is still listed.
    parts = [t for t in loaded.targets if getattr(t, "owner", t) is not t and isinstance(getattr(t, "service", None), str)
             and hasattr(t, "service_reason") and t.service not in {v.name for v in views}]
    unassigned = [o for o in loaded.owners if o.service == UNASSIGNED] + parts
    declared_empty = [d.name for d in config.services if d.name not in {v.name for v in views}]
    render = services_fmt.render_json if args.format == "json" else services_fmt.render_text
    sys.stdout.write(render(views, unassigned))
    for name in declared_empty:
        print(f"prc: warning: service {name} is declared in {config.path} but nothing in the scanned paths "
              "belongs to it", file=sys.stderr)
    return EXIT_OK


def _changed_files(args) -> list[str] | None:
    """`scan --changed FILE...`: the changed files; the scan itself covers the directory of the .prc.yaml found
    from the first of them (else the working directory), where every service they can belong to lives."""
    from .config import find_config

    if not args.changed:
        return None
    changed = [p for p in args.paths if p != "-"]
    first = Path(os.path.abspath(changed[0])) if changed else Path.cwd()
    config_path = args.config or find_config(first if first.is_dir() else first.parent)
    args.paths = [_shown(Path(config_path).parent) if config_path else "."]
    return changed


def _load_baseline(args):
    """The baseline `scan --baseline FILE` compares with: None without one, an exit code when it is unusable."""
    from .baseline import BaselineError, load

    if args.ratchet and not args.baseline:
        print("prc: --ratchet compares scores with a baseline; give one with --baseline FILE", file=sys.stderr)
        return EXIT_USAGE
    if not args.baseline:
        return None
    try:
        return load(args.baseline, _shown(args.baseline))
    except BaselineError as exc:
        print(f"prc: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _baseline(args) -> int:
    """`prc baseline create` and `prc baseline update`: a scan whose accepted findings go to a file. Every check
    on the file happens before the scan, and nothing is written when one fails."""
    from . import baseline as bl
    from .model import Status
    from .scan import scan

    prepared = _prepare(args)
    if isinstance(prepared, int):
        return prepared
    registry, config, scan_input, _ = prepared
    if args.tier:
        config.default_tier = args.tier
    given = args.output if args.baseline_command == "create" else args.baseline
    target = Path(os.path.abspath(given)) if given else scan_input.root / bl.DEFAULT_NAME
    shown = _shown(target)
    previous = None
    if args.baseline_command == "create":
        if target.is_dir():
            print(f"prc: {shown} is a directory; name the baseline file with --output FILE", file=sys.stderr)
            return EXIT_USAGE
        if not target.parent.is_dir():
            print(f"prc: cannot write {shown}: directory {_shown(target.parent)} does not exist", file=sys.stderr)
            return EXIT_USAGE
        if os.path.lexists(target) and not args.force:
            print(f"prc: {shown} exists; `prc baseline update` refreshes it, --force overwrites it", file=sys.stderr)
            return EXIT_USAGE
    else:
        try:
            previous = bl.load(target, shown)
        except bl.BaselineError as exc:
            print(f"prc: {exc}", file=sys.stderr)
            return EXIT_USAGE
    report = scan(scan_input, config, registry, args.today or dt.date.today())
    if report.objects == 0:
        print(f"prc: nothing was checked: no Kubernetes objects found in {', '.join(args.paths)}; "
              f"no baseline written", file=sys.stderr)
        return EXIT_USAGE
    errors = sum(1 for r in report.results if r.status is Status.ERROR and not r.suppressed)
    if errors:
        print(f"prc: warning: {errors} errors (input that could not be read or checks that crashed) are never "
              f"baselined; they fail the gate until fixed or excluded in .prc.yaml", file=sys.stderr)
    if previous is None:
        written = bl.from_report(report)
        summary = (f"wrote {shown}: {len(written.findings)} findings (unsuppressed FAIL and UNKNOWN) and the "
                   f"scores of {len(written.scores)} services")
    else:
        updated = bl.update(previous, report, args.add_new)
        written = updated.baseline
        summary = (f"updated {shown}: {updated.dropped} fixed findings dropped, {updated.added} new added, "
                   f"{len(written.findings)} in the baseline")
        if updated.not_added:
            summary += f"; {updated.not_added} new findings not added (--add-new accepts them)"
    text = bl.render(written)
    try:
        unchanged = previous is not None and target.read_text(encoding="utf-8") == text
        if not unchanged:
            bl.write(target, text)
    except OSError as exc:
        print(f"prc: cannot write {shown}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary)
    return EXIT_OK


def _audit_config(args, registry):
    """(config, its path or None) for an audit: --config, else a .prc.yaml found from the working directory
    upwards; or the exit code when it is missing or invalid (the reason is on stderr)."""
    from .config import Config, ConfigError, find_config, load_config

    if args.config and not args.config.is_file():
        print(f"prc: {args.config}: no such config file", file=sys.stderr)
        return EXIT_USAGE
    config_path = args.config or find_config(Path.cwd())
    if not config_path:
        return Config(), None
    try:
        return load_config(config_path, _shown(config_path), registry, shown_in_report=config_path.name), config_path
    except ConfigError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return EXIT_USAGE


def _audit(args) -> int:
    """`prc audit aws|k8s`: the scan pipeline's engine, waivers, scores, gate and formatters over a live account
    or cluster."""
    if args.audit_target == "k8s":
        from .kube.cli import run as run_k8s

        return run_k8s(args, sys.modules[__name__])
    from .aws.cli import run

    return run(args, sys.modules[__name__])


def _read_stdin(max_bytes: int) -> str:
    """Standard input under the same size limit and UTF-8 rules as a file."""
    from .discovery import FileReadError, decode

    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(max_bytes + 1) if stream is not None else sys.stdin.read().encode("utf-8")
    if len(data) > max_bytes:
        raise FileReadError(f"above the {max_bytes / 1048576:.0f} MiB limit; raise --max-file-size to scan it")
    return decode(data)


def _shown(path: Path) -> str:
    """A path as a person at this working directory would type it."""
    return Path(os.path.relpath(os.path.abspath(path))).as_posix()


def _checks(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from .docs import checks_markdown
    from .items import ITEMS

    registry = _registry_or_exit()
    if args.format == "markdown":
        sys.stdout.write(checks_markdown(registry))
        return EXIT_OK
    table = Table(show_header=True, header_style="bold")
    for column in ("ID", "Slug", "Severity", "Category", "Item", "Required for"):
        table.add_column(column)
    for c in registry.checks:
        item = ITEMS.get(c.item)
        table.add_row(c.id, c.slug, c.severity.value, c.category, item.title if item else c.item,
                      ", ".join(c.tiers) or "recommended" + ("" if c.enabled_by_default else " (off)"))
    Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140).print(table)
    return EXIT_OK


def _explain(args) -> int:
    from .docs import explain

    registry = _registry_or_exit()
    found = registry.find(args.check)
    if found is None:
        print(f"prc: no check has the id or slug {args.check!r}; `prc checks` lists them", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(explain(found))
    return EXIT_OK


def _init(args) -> int:
    from .starter import STARTER_CONFIG

    target = args.directory / ".prc.yaml"
    if not args.directory.is_dir():
        print(f"prc: {args.directory}: no such directory", file=sys.stderr)
        return EXIT_USAGE
    if target.exists() and not args.force:
        print(f"prc: {target} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    try:
        target.write_text(STARTER_CONFIG, encoding="utf-8")
    except OSError as exc:
        print(f"prc: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {target}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
