"""The terminal report: services first, then failing items, then findings with file:line and a fix."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..gate import NOTHING_CHECKED
from ..model import SEVERITY_ORDER, Result, Status
from ..report import Report
from ..services import UNASSIGNED

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
STATUS_STYLE = {"PASS": "green", "FAIL": "red", "UNKNOWN": "magenta", "ERROR": "bold magenta"}


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def make_console(stream: TextIO, color: bool | None = None) -> Console:
    is_tty = stream.isatty() if hasattr(stream, "isatty") else False
    use_color = is_tty if color is None else color
    # A fixed width off a terminal keeps CI logs and README excerpts identical across runs.
    return Console(file=stream, force_terminal=use_color, no_color=not use_color, highlight=False, markup=False,
                   width=None if is_tty else 120, emoji=False, soft_wrap=False)


def render(report: Report, console: Console, verbose: bool = False, config_shown: str = "") -> None:
    """`config_shown`: the config file as the user would type it from where they are (report paths are
    relative to its directory)."""
    # Rich pads table cells to the column width; trailing blanks only clutter logs and diffs.
    with console.capture() as captured:
        _services_table(report, console, config_shown or report.config_path)
        _baseline_summary(report, console)
        for service in report.services:
            _service_details(report, service, console, verbose)
        _unassigned(report, console, verbose)
        _other_sections(report, console, verbose)
        _gate(report, console)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _services_table(report: Report, console: Console, config_shown: str) -> None:
    judged = report.source or f"{report.files_scanned} files"  # an audit reads no files: name what it judged
    console.print(Text(f"prc {report.version}: {judged}, {len(report.services)} services"
                       + (f", config {config_shown}" if config_shown else ", no .prc.yaml"), style="bold"))
    if not report.services:
        empty = any(reason.startswith(NOTHING_CHECKED) for reason in report.gate.reasons)
        console.print(Text("Nothing was checked: no Kubernetes objects found (see Skipped below)" if empty else
                           "No services: no workload found and none declared in .prc.yaml", style="bold yellow"))
        return
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for column in ("Service", "Tier", "Score", "Verdict", "Critical", "High", "Medium", "Low", "Unknown"):
        table.add_column(column, justify="left" if column in ("Service", "Tier", "Verdict") else "right")
    for s in report.services:
        fails = dict(s.fails_by_severity)
        counts = dict(s.counts)
        table.add_row(s.name, s.tier, _score(s.score),
                      Text(s.verdict, style="bold green" if s.ready else "bold red"),
                      *[str(fails[sev.value]) for sev in SEVERITY_ORDER], str(counts["UNKNOWN"] + counts["ERROR"]))
    console.print(table)


def _finding_row(r: Result, mark: str = "") -> tuple[Text, Text]:
    label = Text(r.severity.value.upper(), style=SEVERITY_STYLE[r.severity.value])
    if r.status is not Status.FAIL:
        label.append(f"\n{r.status.value}", style=STATUS_STYLE[r.status.value])
    if mark:
        label.append(f"\n{mark}", style="bold" if mark == "new" else "dim")
    body = Text()
    body.append(f"{r.location}", style="bold")
    body.append(f"  {r.check.id} {r.check.slug}\n")
    body.append(f"{r.target}: {r.message}")
    if r.status is Status.FAIL and r.check.remediation:
        body.append(f"\nfix: {r.check.remediation}", style="dim")
    return label, body


def _marks(report: Report) -> dict[str, str]:
    """With a baseline: each FAIL or UNKNOWN finding's place in it, by fingerprint (the diff is on the report)."""
    if report.baseline is None:
        return {}
    return {**{r.fingerprint: "existing" for r in report.baseline.existing},
            **{r.fingerprint: "new" for r in report.baseline.new}}


def _baseline_summary(report: Report, console: Console) -> None:
    diff = report.baseline
    if diff is None:
        return
    text = (f"Baseline {diff.path}: {len(diff.new)} new, {len(diff.existing)} existing, {len(diff.fixed)} fixed "
            f"findings")
    if diff.new_manual:
        text += f"; {len(diff.new_manual)} new manual gaps"
    console.print(Text(text + " (only new ones fail the gate)", style="bold"))


def _findings(results: list[Result], console: Console, marks: dict[str, str] | None = None) -> None:
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    findings = Table.grid(padding=(0, 1))
    findings.add_column(width=9, no_wrap=True)
    findings.add_column()
    marks = marks or {}
    # With a baseline, what is new comes first: it is what the gate and the reviewer look at.
    for r in sorted(results, key=lambda r: (r.status is Status.PASS, marks.get(r.fingerprint) == "existing",
                                            order[r.severity], r.location, r.check.id)):
        findings.add_row(*_finding_row(r, marks.get(r.fingerprint, "") if r.status is not Status.PASS else ""))
    if results:
        console.print()
        console.print(findings)


def _unassigned(report: Report, console: Console, verbose: bool) -> None:
    """Objects that belong to no service: their findings count for --fail-on SEVERITY, never for a verdict."""
    shown = [r for r in report.results if r.service == UNASSIGNED and not r.suppressed
             and (r.status is not Status.PASS or verbose)]
    if not shown:
        return
    console.print()
    console.print(Text("Outside any service (no workload, not declared in .prc.yaml; not scored)", style="bold"))
    _findings(shown, console, _marks(report))


def _service_details(report: Report, service, console: Console, verbose: bool) -> None:
    mine = [r for r in report.results if r.service == service.name and not r.suppressed]
    shown = [r for r in mine if r.status is not Status.PASS or verbose]
    failing_items = [i for i in service.items if i.status != "PASS"]
    manual_gaps = [m for m in service.manual if m.status != "attested" and m.required]
    if not (shown or failing_items or manual_gaps):
        return
    console.print()
    console.print(Text(f"{service.name} ({service.tier}): {service.verdict}, score {_score(service.score)}",
                       style="bold green" if service.ready else "bold red"))
    categories = ", ".join(f"{name} {_score(value)}" for name, value in service.categories if value is not None)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=9, no_wrap=True)
    grid.add_column()
    if categories:
        grid.add_row("scores", categories)
    for item in failing_items:
        need = "required" if item.required else "not required for this tier"
        grid.add_row(Text(item.status, style="red" if item.required else "yellow"),
                     Text(f"{item.item.title} ({need}): {', '.join(item.failing_checks)}"))
    for m in manual_gaps:
        grid.add_row(Text(m.status.upper(), style="red"),
                     Text(f"{m.item.title} (manual, required): attest it in .prc.yaml"))
    console.print(grid)
    _findings(shown, console, _marks(report))


def _other_sections(report: Report, console: Console, verbose: bool) -> None:
    unowned = [r for r in report.results if not r.service and not r.suppressed and r.status is not Status.PASS]
    if unowned:
        console.print()
        console.print(Text("Input problems", style="bold magenta"))
        for r in unowned:
            console.print(f"  {r.location}: {r.message}")
    suppressed = report.suppressed
    if suppressed:
        console.print()
        console.print(Text(f"Suppressed: {len(suppressed)} (listed here and in every report, not scored)",
                           style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=10, no_wrap=True)
        grid.add_column()
        for r in suppressed:
            grid.add_row(r.suppression.kind, f"{r.suppression.source}  {r.check.id} {r.target} ({r.status.value})\n"
                                             f"{r.suppression.reason}")
        console.print(grid)
    expired = report.expired_waivers
    if expired:
        console.print()
        console.print(Text(f"Expired waivers no longer hide {len(expired)} results", style="bold yellow"))
        for r in expired:
            console.print(f"  {r.check.id} {r.target}: waiver expired {r.expired_waiver.expires} "
                          f"({r.expired_waiver.source})")
    if report.expiring_waivers:
        console.print()
        console.print(Text(f"Waivers expiring within 14 days: {len(report.expiring_waivers)} (renew them or fix "
                           f"the findings they hide)", style="bold yellow"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)  # a hanging indent for reasons that wrap
        grid.add_column()
        for w in report.expiring_waivers:
            when = "today" if w.days_left == 0 else f"in {w.days_left} day{'s' if w.days_left != 1 else ''}"
            grid.add_row("", f"{w.source}  {w.check}{f' ({w.scope})' if w.scope else ''}: expires {w.expires}, "
                             f"{when}\n{w.reason}")
        console.print(grid)
    fixed = report.baseline.fixed if report.baseline else ()
    if fixed:
        console.print()
        console.print(Text(f"Fixed since the baseline: {len(fixed)} (`prc baseline update` drops them)",
                           style="bold green"))
        for e in fixed if verbose else fixed[:20]:
            console.print(f"  {e.file}  {e.check_id} {e.target}")
        if not verbose and len(fixed) > 20:
            console.print(f"  ... and {len(fixed) - 20} more (-v lists them all)")
    if report.skipped:
        console.print()
        console.print(Text(f"Skipped: {len(report.skipped)} paths", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)  # a hanging indent for reasons that wrap
        grid.add_column()
        for s in report.skipped if verbose else [s for s in report.skipped if s.reason != "empty file"][:20]:
            grid.add_row("", f"{s.path}: {s.reason}")
        console.print(grid)


def _gate(report: Report, console: Console) -> None:
    console.print()
    if report.gate.passed:
        console.print(Text("Gate: passed", style="bold green"))
    else:
        console.print(Text("Gate: failed: " + "; ".join(report.gate.reasons), style="bold red"))
