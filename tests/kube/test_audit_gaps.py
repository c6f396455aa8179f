"""The table of what each PRC-K8S check reads besides its own object, and how a gap turns results UNKNOWN."""

from __future__ import annotations

from prc.kube.collect import Gap
from prc.kube.gaps import PASS_HOLDS, READS, SELF_CONTAINED, Gaps
from prc.kube.kinds import BY_KIND
from prc.model import CheckInfo, Location, Result, Severity, Status, TargetRef
from prc.targets import Container, K8sObject


def _kubernetes_checks(registry) -> set[str]:
    return {c.id for c in registry.checks
            if any(isinstance(t, type) and issubclass(t, (K8sObject, Container)) for t in c.targets)}


def test_every_kubernetes_check_says_what_it_reads(registry):
    """A new check must be added to READS or SELF_CONTAINED, or a denied list could let it PASS on missing data."""
    checks = _kubernetes_checks(registry)
    assert checks == set(READS) | SELF_CONTAINED
    assert not set(READS) & SELF_CONTAINED
    assert PASS_HOLDS <= set(READS)
    # Every kind named is one the audit reads (a typo would never match a gap).
    assert {kind for kinds in READS.values() for kind in kinds} <= set(BY_KIND)


class _Owner:
    def __init__(self, namespace: str):
        self.effective_namespace = namespace


def _result(check: str, status: Status, namespace: str = "shop") -> Result:
    info = CheckInfo(check, "slug", "item", "availability", Severity.MEDIUM, "fix")
    return Result(info, status, "judged", TargetRef("Deployment", "web", namespace), Location("k8s://c/x", 0),
                  "web", Severity.LOW, at="spec.replicas")


SCALERS_DENIED = Gap("HorizontalPodAutoscaler", "shop", "cannot list horizontalpodautoscalers in namespace shop",
                     "forbidden")


def test_a_gap_turns_pass_and_fail_of_a_check_that_reads_the_kind_unknown():
    gaps = Gaps([SCALERS_DENIED])
    judged = gaps.judge(_result("PRC-K8S-030", Status.PASS), _Owner("shop"))
    assert judged.status is Status.UNKNOWN
    assert judged.message == "cannot list horizontalpodautoscalers in namespace shop: forbidden"
    assert judged.severity_override is None and judged.at == "spec.replicas"  # same fingerprint as the verdict
    assert gaps.judge(_result("PRC-K8S-030", Status.FAIL), _Owner("shop")).status is Status.UNKNOWN


def test_a_pass_that_stands_on_objects_read_stays():
    gaps = Gaps([SCALERS_DENIED])
    assert gaps.judge(_result("PRC-K8S-034", Status.PASS), _Owner("shop")).status is Status.PASS
    assert gaps.judge(_result("PRC-K8S-034", Status.FAIL), _Owner("shop")).status is Status.UNKNOWN


def test_other_namespaces_other_kinds_and_undecided_results_are_untouched():
    gaps = Gaps([SCALERS_DENIED])
    fail = _result("PRC-K8S-030", Status.FAIL, "payments")
    assert gaps.judge(fail, _Owner("payments")) is fail
    self_contained = _result("PRC-K8S-050", Status.FAIL)
    assert gaps.judge(self_contained, _Owner("shop")) is self_contained
    unrelated = _result("PRC-K8S-087", Status.FAIL)
    assert gaps.judge(unrelated, _Owner("shop")) is unrelated
    unknown = _result("PRC-K8S-030", Status.UNKNOWN)
    assert gaps.judge(unknown, _Owner("shop")) is unknown


def test_a_gap_in_every_namespace_and_a_check_prc_does_not_know():
    everywhere = Gaps([Gap("ClusterRoleBinding", "", "cannot list clusterrolebindings", "forbidden")])
    assert everywhere.judge(_result("PRC-K8S-087", Status.FAIL), _Owner("ops")).status is Status.UNKNOWN
    # A plugin check may read anything: any gap where its object is makes its verdict unknown.
    scalers = Gaps([SCALERS_DENIED])
    assert scalers.judge(_result("ACME-001", Status.PASS), _Owner("shop")).status is Status.UNKNOWN
    assert scalers.judge(_result("ACME-001", Status.PASS), _Owner("ops")).status is Status.PASS
