"""Per check: a bad fixture and the exact findings it must produce, a good one that must produce none.

Layout: tests/checks/<CHECK-ID>/ holds a bad fixture with bad.expected.yaml
beside it and a good fixture. A fixture is one file named bad.<ext> /
good.<ext> (bad.yaml, bad.Dockerfile, bad.tf, bad.tfplan.json, bad.snapshot.json for an AWS account
snapshot, judged as `prc audit aws --from-snapshot` does) or a
directory bad/ / good/ for checks that look at several files together.
Each fixture is scanned through the whole pipeline with only that check
enabled. A good fixture must also produce at least one PASS, so a check
that silently stops applying cannot pass its test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from prc.config import Config
from prc.model import Status

from .conftest import run_scan

FIXTURES = Path(__file__).parent / "checks"
CHECK_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


def fixture(check_dir: Path, kind: str) -> Path | None:
    """The bad or good fixture of a check: a directory `bad/`, or the one file `bad.<ext>`."""
    if (check_dir / kind).is_dir():
        return check_dir / kind
    files = [p for p in check_dir.glob(f"{kind}.*") if p.name != f"{kind}.expected.yaml"]
    return files[0] if len(files) == 1 else None


def _report(fixture: Path, registry, config: Config):
    """A scan of the fixture; a `bad.snapshot.json` / `good.snapshot.json` (a saved AWS account snapshot) is
    judged by `prc audit aws --from-snapshot` instead."""
    if fixture.name.endswith(".snapshot.json"):
        from prc.aws.audit import audit
        from prc.aws.snapshot import Snapshot

        from .conftest import TODAY

        return audit(Snapshot.load(fixture), config, registry, TODAY)
    return run_scan([fixture], registry, config, root=fixture.parent)


def _findings(check_id: str, fixture: Path, registry) -> tuple[list[dict], int]:
    report = _report(fixture, registry, Config(enable=[check_id]))
    mine = [r for r in report.results if r.check.id == check_id]
    findings = [
        {"line": r.location.line, "target": str(r.target), "status": r.status.value,
         "severity": r.severity.value, "message": r.message}
        for r in mine if r.status is not Status.PASS
    ]
    # A snapshot fixture that records a failed collector also makes the services of that region unprovable
    # (an input ERROR per service, tested in tests/aws/); the check's own answer is what is compared here.
    unread = fixture.name.endswith(".snapshot.json")
    others = [r for r in report.results if r.check.id != check_id
              and not (unread and r.check.id == "PRC-INPUT" and r.target.kind == "service")]
    assert not others, f"unexpected results from outside {check_id}: {others}"
    return findings, sum(1 for r in mine if r.status is Status.PASS)


@pytest.mark.parametrize("check_dir", CHECK_DIRS, ids=lambda p: p.name)
def test_bad_fixture_gives_exactly_the_expected_findings(check_dir: Path, registry):
    expected = yaml.safe_load((check_dir / "bad.expected.yaml").read_text()) or []
    findings, _ = _findings(check_dir.name, fixture(check_dir, "bad"), registry)
    assert findings == expected


@pytest.mark.parametrize("check_dir", CHECK_DIRS, ids=lambda p: p.name)
def test_good_fixture_gives_no_findings(check_dir: Path, registry):
    findings, passes = _findings(check_dir.name, fixture(check_dir, "good"), registry)
    assert findings == []
    assert passes > 0, "the good fixture must exercise the check (at least one PASS)"


def test_every_check_has_fixtures(registry):
    ids = {c.id for c in registry.checks}
    missing = sorted(i for i in ids if not fixture(FIXTURES / i, "bad") or not fixture(FIXTURES / i, "good")
                     or not (FIXTURES / i / "bad.expected.yaml").is_file())
    assert missing == []


FIXTURE_FILES = [fixture(d, kind) for d in CHECK_DIRS for kind in ("bad", "good")]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_two_results_share_a_fingerprint(fixture: Path, registry):
    """A fingerprint names one finding (for baselines and waivers): an object shared by several workloads,
    such as a PodDisruptionBudget or a DestinationRule, must be reported once, not once per workload."""
    config = Config(enable=[c.id for c in registry.checks])
    report = _report(fixture, registry, config)
    counts = Counter(r.fingerprint for r in report.results)
    repeated = [f"{r.check.id} {r.target} at {r.at or '-'}: {r.status.value} {r.message}"
                for r in report.results if counts[r.fingerprint] > 1]
    assert repeated == []
