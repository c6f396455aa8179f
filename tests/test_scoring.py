"""Score, items and verdict follow checklist.md: weights 10/5/2/1, UNKNOWN and suppressed not counted."""

from __future__ import annotations

import datetime as dt

from prc.config import Attestation, Config, ServiceDecl
from prc.model import CheckInfo, Location, Result, Severity, Status, Suppression, TargetRef
from prc.scoring import score_services

TODAY = dt.date(2026, 11, 23)
READINESS = CheckInfo("PRC-K8S-001", "readiness-probe", "readiness", "lifecycle", Severity.HIGH, "fix")
ZONES = CheckInfo("PRC-K8S-033", "zone-spread", "zone-spread", "availability", Severity.MEDIUM, "fix")
PRIV = CheckInfo("PRC-K8S-082", "not-privileged", "container-hardening", "security", Severity.CRITICAL, "fix")
OWNER = CheckInfo("PRC-K8S-110", "owner-label", "ownership", "operability", Severity.MEDIUM, "fix")


def result(info, status, service="web", suppressed=False):
    return Result(info, status, "m", TargetRef("Deployment", service), Location("a.yaml", 1), service,
                  suppression=Suppression("inline", "why") if suppressed else None)


def only(config=None, *results):
    return score_services(list(results), ["web"], config or Config(), TODAY)[0]


def test_score_weights_passes_over_evaluated():
    # PASS high (5) + PASS medium (2) out of high 5 + medium 2 + critical 10.
    s = only(None, result(READINESS, Status.PASS), result(ZONES, Status.PASS), result(PRIV, Status.FAIL))
    assert s.score == round(100 * 7 / 17, 1)
    assert dict(s.categories)["security"] == 0.0
    assert dict(s.categories)["lifecycle"] == 100.0
    assert dict(s.categories)["capacity"] is None


def test_unknown_error_and_suppressed_results_are_not_counted():
    s = only(None, result(READINESS, Status.PASS), result(PRIV, Status.UNKNOWN), result(ZONES, Status.FAIL, suppressed=True))
    assert s.score == 100.0
    assert dict(s.counts) == {"PASS": 1, "FAIL": 0, "UNKNOWN": 1, "ERROR": 0, "SUPPRESSED": 1}


def test_item_required_by_tier_decides_the_verdict():
    attest = [Attestation(i, "https://e.example/x", "2026-01-01") for i in
              ("load-test", "failover-rehearsed", "capacity-plan", "security-review", "oncall-staffed",
               "postmortem-template")]
    results = (result(READINESS, Status.PASS), result(ZONES, Status.FAIL))
    standard = only(Config(attestations=attest), *results)
    critical = only(Config(services=[ServiceDecl("web", "critical")], attestations=attest), *results)
    assert standard.verdict == "READY"  # zone spread is required only for critical
    assert critical.verdict == "NOT READY"
    zone = next(i for i in critical.items if i.item.slug == "zone-spread")
    assert zone.required and zone.status == "FAIL" and zone.failing_checks == ("PRC-K8S-033",)


def test_unknown_required_item_is_not_ready():
    attest = [Attestation(i, "https://e.example/x", "2026-01-01") for i in
              ("security-review", "oncall-staffed", "postmortem-template")]
    s = only(Config(attestations=attest), result(OWNER, Status.UNKNOWN))
    assert s.verdict == "NOT READY"


def test_manual_items_attested_missing_and_expired():
    config = Config(attestations=[
        Attestation("security-review", "https://e.example/sec", "2026-01-01", "2027-01-01"),
        Attestation("oncall-staffed", "https://e.example/oncall", "2025-01-01", "2025-12-31"),
    ])
    s = only(config, result(READINESS, Status.PASS))
    status = {m.item.slug: m.status for m in s.manual}
    assert status["security-review"] == "attested"
    assert status["oncall-staffed"] == "expired"
    assert status["postmortem-template"] == "missing"
    assert s.verdict == "NOT READY"


def test_service_specific_attestation_wins_over_a_global_one():
    config = Config(attestations=[
        Attestation("security-review", "https://e.example/all", "2026-06-01", "2026-07-01"),
        Attestation("security-review", "https://e.example/web", "2026-01-01", "2027-01-01", service="web"),
    ])
    s = only(config, result(READINESS, Status.PASS))
    review = next(m for m in s.manual if m.item.slug == "security-review")
    assert (review.status, review.evidence) == ("attested", "https://e.example/web")


def test_results_outside_any_service_are_never_scored():
    from prc.services import UNASSIGNED

    results = [result(READINESS, Status.PASS), result(PRIV, Status.FAIL, service=UNASSIGNED),
               result(OWNER, Status.FAIL, service="")]
    scores = score_services(results, ["web", UNASSIGNED], Config(), TODAY)
    assert [(s.name, s.score) for s in scores] == [("web", 100.0)]
