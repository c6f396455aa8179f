"""`prc scan --timings`: every phase is named, figures are non-negative, the report is unchanged, and no
recorder outlives its scan. Durations themselves are never asserted."""

from __future__ import annotations

import re

import pytest

from prc import timings as timings_module
from prc.cli import main
from prc.config import Config
from prc.scan import ScanInput, scan
from prc.timings import Timings, current, phase, recording

from .conftest import REPO, TODAY

SAMPLES = REPO / "sample_services"  # Kubernetes, alert rules, SLOs, Dockerfiles and Terraform
PHASES = ("registry (load checks)", "config", "discovery", "parse cache (open)", "parse kubernetes",
          "parse alert rules and SLO documents", "parse dockerfile", "parse terraform", "garbage collection",
          "service model", "checks", "results (input errors, sort)", "scoring", "gate", "rendering",
          "other (imports, arguments)", "total")
ROW = re.compile(r"^ {2}(?P<name>\S.*?) +(?P<seconds>-?\d+\.\d{3})(?:  \((?P<count>\d+)(?: \w+)?\))?$")
CHECK_ROW = re.compile(r"^ {4}(?P<check>PRC-[A-Z0-9-]+ [a-z0-9-]+) +(?P<seconds>-?\d+\.\d{3})$")
NOTE = re.compile(r"^ {2}(?P<name>[a-z ]+): (?P<text>.+)$")


def _run(capsys, monkeypatch, *args):
    monkeypatch.chdir(SAMPLES)
    monkeypatch.setenv("NO_COLOR", "1")
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _table(err: str, notes: dict | None = None) -> tuple[dict[str, float], dict[str, int], dict[str, float]]:
    lines = err[err.index("prc: timings"):].splitlines()[1:]
    rows, counts, checks = {}, {}, {}
    for line in lines:
        if (m := NOTE.match(line)) is not None:
            if notes is not None:
                notes[m["name"]] = m["text"]
        elif (m := CHECK_ROW.match(line)) is not None:
            checks[m["check"]] = float(m["seconds"])
        elif (m := ROW.match(line)) is not None:
            rows[m["name"]] = float(m["seconds"])
            if m["count"]:
                counts[m["name"]] = int(m["count"])
        else:
            pytest.fail(f"unexpected timings line {line!r}")
    return rows, counts, checks


def test_timings_name_every_phase_with_non_negative_figures(capsys, monkeypatch):
    code, out, err = _run(capsys, monkeypatch, "scan", ".", "--format", "json", "--today", TODAY.isoformat(),
                          "--timings")
    assert code in (0, 1)
    rows, counts, checks = _table(err)
    assert list(rows) == list(PHASES)
    assert all(seconds >= 0 for seconds in [*rows.values(), *checks.values()])
    assert len(checks) == 5  # the slowest checks, under "checks"
    # How many files each source read, and how many checks ran.
    assert counts["parse kubernetes"] > 0 and counts["parse dockerfile"] == 2 and counts["parse terraform"] > 0
    assert counts["discovery"] == counts["parse kubernetes"] + counts["parse dockerfile"] + counts["parse terraform"]
    assert counts["checks"] > 5
    assert out.startswith("{")  # the report stays alone on stdout


def test_timings_leave_the_report_unchanged(capsys, monkeypatch):
    args = ("scan", ".", "--format", "json", "--today", TODAY.isoformat())
    code_plain, plain, err_plain = _run(capsys, monkeypatch, *args)
    code_timed, timed, err_timed = _run(capsys, monkeypatch, *args, "--timings")
    assert (code_timed, timed) == (code_plain, plain)
    assert "prc: timings" not in err_plain and "prc: timings" in err_timed


def test_timings_are_printed_when_the_scan_stops_early(capsys, monkeypatch, tmp_path):
    code, out, err = _run(capsys, monkeypatch, "scan", ".", "--timings", "--baseline", str(tmp_path / "missing.json"))
    assert code == 2
    rows, _, _ = _table(err)
    assert "registry (load checks)" in rows and "total" in rows


def test_a_recorder_lives_only_as_long_as_its_scan(registry):
    scan_input = ScanInput((SAMPLES,), SAMPLES)
    first, second = Timings(), Timings()
    report_one = scan(scan_input, Config(), registry, TODAY, timings=first)
    assert current() is None
    report_two = scan(scan_input, Config(), registry, TODAY, timings=second)
    untimed = scan(scan_input, Config(), registry, TODAY)
    assert current() is None
    # Each recorder holds one scan: the second did not add to the first.
    assert first.counts == second.counts
    assert first.counts["parse dockerfile"] == 2 and set(first.checks) == set(second.checks)
    assert report_one == report_two == untimed


def test_nested_phases_exclude_their_inner_phases(monkeypatch):
    """Arithmetic on a fake clock: the outer phase gets its own time only, and the phases add up."""
    ticks = iter([0.0, 1.0, 3.0, 10.0, 10.5, 11.0])
    monkeypatch.setattr(timings_module.time, "perf_counter", lambda: next(ticks))
    t = Timings()
    with recording(t):
        with phase("parse kubernetes", 4):  # 0 .. 10
            with phase("parse alert rules and SLO documents"):  # 1 .. 3
                pass
        with phase("parse kubernetes", 1):  # 10 .. 10.5
            pass
    assert t.phases == {"parse alert rules and SLO documents": 2.0, "parse kubernetes": 8.5}
    assert t.counts == {"parse kubernetes": 5}
    assert t.total() == 10.5


def test_phases_outside_a_recording_cost_nothing_and_record_nowhere():
    assert current() is None
    with phase("discovery"):
        pass
    t = Timings()
    with recording(t):
        with recording(None):  # a nested scan without timings
            with phase("discovery"):
                pass
        assert current() is t
    assert t.phases == {} and current() is None


def test_work_done_elsewhere_reports_into_the_same_table():
    """What parallel parsing in worker processes would do: add seconds and file counts to a phase."""
    t = Timings()
    t.add("parse terraform", 1.25, 10)
    t.add("parse terraform", 0.75, 5)
    t.add_check("PRC-K8S-001 liveness-probe", 0.5)
    text = t.render(wall=3.0)
    assert "parse terraform" in text and "(15 files)" in text and "PRC-K8S-001" not in text  # no "checks" phase
    rows, counts, _ = _table(text)
    assert rows["parse terraform"] == 2.0 and counts["parse terraform"] == 15
    assert rows["other (imports, arguments)"] == 1.0 and rows["total"] == 3.0
