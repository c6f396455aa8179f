"""Kubernetes resource quantities, and the edges of the requests and limits checks."""

from __future__ import annotations

from fractions import Fraction

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.model import Status
from prc_checks.k8s_capacity import (
    _format_bytes,
    _parse_quantity,
    memory_limit,
    memory_request_equals_limit,
    resource_requests,
)


@pytest.mark.parametrize("text, expected", [
    ("512Mi", 512 * 2**20),
    ("536870912", 536870912),
    ("1Gi", 2**30),
    ("1.5Gi", 3 * 2**29),
    ("0.5Gi", 512 * 2**20),
    ("1Ki", 1024),
    ("2Ti", 2 * 2**40),
    ("1Pi", 2**50),
    ("1Ei", 2**60),
    ("1k", 1000),
    ("1M", 10**6),
    ("1G", 10**9),
    ("1T", 10**12),
    ("1P", 10**15),
    ("1E", 10**18),  # E alone is exa, not an exponent
    ("250m", Fraction(1, 4)),
    ("100u", Fraction(1, 10**4)),
    ("5n", Fraction(5, 10**9)),
    ("1e3", 1000),
    ("1E3", 1000),
    ("12e-1", Fraction(6, 5)),
    ("1.2e+2", 120),
    (".5", Fraction(1, 2)),
    ("5.", 5),
    ("+1Gi", 2**30),
    ("-1", -1),
    ("0", 0),
    ("0.1", Fraction(1, 10)),
])
def test_parses_kubernetes_quantities_exactly(text, expected):
    assert _parse_quantity(text) == expected


@pytest.mark.parametrize("value, expected", [(1, 1), (0, 0), (0.5, Fraction(1, 2)), (0.1, Fraction(1, 10)),
                                             (536870912, 536870912)])
def test_yaml_numbers_are_quantities(value, expected):
    assert _parse_quantity(value) == expected


@pytest.mark.parametrize("text", [
    "1K",  # kilo is lowercase k; uppercase K is rejected by the API server
    "2GB", "512MB", "1Mb", "1gi", "1 Gi", " 1Gi", "Gi", "", ".", "1e", "1.2.3", "1Gi1", "${MEMORY}", "1e3Mi",
    "\u0661\u0662Mi",  # digits outside 0-9
    "1e1000",  # beyond any real resource: refused rather than computed
])
def test_rejects_what_is_not_a_quantity(text):
    assert _parse_quantity(text) is None


@pytest.mark.parametrize("value", [True, False, None, [], {}, float("nan"), float("inf")])
def test_rejects_non_scalar_and_special_values(value):
    assert _parse_quantity(value) is None


def test_equal_memory_in_different_spellings():
    assert _parse_quantity("512Mi") == _parse_quantity("536870912") == _parse_quantity("0.5Gi")
    assert _parse_quantity("1G") == _parse_quantity("1000M") == _parse_quantity("1e9")
    assert _parse_quantity("1Gi") != _parse_quantity("1G")


def test_formats_byte_differences_in_binary_units():
    assert _format_bytes(Fraction(768 * 2**20)) == "768Mi"
    assert _format_bytes(Fraction(2**30)) == "1Gi"
    assert _format_bytes(Fraction(1000)) == "1000"


POD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  template:
    spec:
{pod}
"""


def _containers(pod_yaml: str):
    loaded = load_k8s_text("web.yaml", POD.format(pod=pod_yaml))
    assert not loaded.problems
    link(loaded.objects)
    workload = loaded.objects[0]
    return {c.name: c for c in workload.containers + workload.init_containers}


def _statuses(check, container, **options):
    return [(o.status, o.message) for o in check.run(container, {**check.default_options(), **options})]


def test_requests_default_to_limits():
    containers = _containers("""\
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          resources:
            limits: {cpu: 500m, memory: 512Mi}
""")
    assert _statuses(resource_requests, containers["app"]) == [(Status.PASS, "")]
    assert _statuses(memory_request_equals_limit, containers["app"]) == [(Status.PASS, "")]


def test_regular_init_containers_are_checked_only_when_asked():
    containers = _containers("""\
      initContainers:
        - name: migrate
          image: registry.example.com/migrate:1.0.0
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 128Mi}
""")
    migrate = containers["migrate"]
    assert _statuses(resource_requests, migrate) == []
    assert _statuses(memory_limit, migrate) == []
    assert _statuses(resource_requests, migrate, init_containers=True) == [
        (Status.FAIL, "container migrate has no cpu or memory request")]
    assert _statuses(memory_limit, migrate, init_containers=True) == [
        (Status.FAIL, "container migrate has no memory limit")]


def test_pod_level_resources_cover_containers():
    containers = _containers("""\
      resources:
        requests: {cpu: "1", memory: 1Gi}
        limits: {memory: 1Gi}
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
""")
    assert _statuses(resource_requests, containers["app"]) == [(Status.PASS, "")]
    assert _statuses(memory_limit, containers["app"]) == [(Status.PASS, "")]
    # A pod-level limit is not a container limit to compare against.
    assert _statuses(memory_request_equals_limit, containers["app"]) == []


def test_zero_requests_and_missing_ones_are_reported_together():
    containers = _containers("""\
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          resources:
            requests: {cpu: 0m}
""")
    assert _statuses(resource_requests, containers["app"]) == [
        (Status.FAIL, "container app has no memory request; cpu request is 0, which reserves nothing")]


def test_unreadable_request_is_unknown_not_pass():
    containers = _containers("""\
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          resources:
            requests: {cpu: 1K, memory: 1Gi}
""")
    assert _statuses(resource_requests, containers["app"]) == [
        (Status.UNKNOWN, "container app: cpu request '1K' is not a Kubernetes quantity "
                         "(write 1k for powers of 1000 or 1Ki for powers of 1024)")]


def test_memory_request_equals_limit_compares_quantities():
    containers = _containers("""\
      containers:
        - name: same
          image: registry.example.com/web:1.0.0
          resources:
            requests: {memory: 512Mi}
            limits: {memory: 536870912}
        - name: lower
          image: registry.example.com/web:1.0.0
          resources:
            requests: {memory: 1G}
            limits: {memory: 1Gi}
        - name: unlimited
          image: registry.example.com/web:1.0.0
          resources:
            requests: {memory: 1Gi}
""")
    assert _statuses(memory_request_equals_limit, containers["same"]) == [(Status.PASS, "")]
    # 1Gi - 1G = 73741824 bytes, which no binary unit divides exactly: shown as plain bytes.
    assert _statuses(memory_request_equals_limit, containers["lower"]) == [
        (Status.FAIL, "container lower: memory request 1G is below the limit 1Gi (73741824 of the limit is not "
                      "reserved)")]
    assert _statuses(memory_request_equals_limit, containers["unlimited"]) == []


def test_memory_request_equals_limit_is_off_by_default():
    assert memory_request_equals_limit.enabled_by_default is False
