"""Unit tests for the subtle parts of the lifecycle checks: sleep parsing, probe identity, Istio injection."""

from __future__ import annotations

import math
import textwrap

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.model import Status
from prc.targets import Workload
from prc_checks import k8s_lifecycle as lc


def _workloads(text: str) -> list[Workload]:
    loaded = load_k8s_text("test.yaml", textwrap.dedent(text))
    assert not loaded.problems
    link(loaded.objects)
    return [o for o in loaded.objects if isinstance(o, Workload)]


def _run(check, target, **options):
    return [(o.status, o.message, o.at) for o in check.run(target, {**check.default_options(), **options})]


_DEPLOYMENT = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {POD_META}
        spec:
    POD_SPEC
    """)


def _deployment(pod_spec: str, pod_meta: str = "labels: {app: web}", extra: str = "") -> str:
    """A Deployment around a pod spec, given as flow YAML (`{containers: [...]}`) or as a block."""
    body = textwrap.indent(textwrap.dedent(pod_spec).strip("\n"), " " * 6)
    return _DEPLOYMENT.replace("{POD_META}", "{" + pod_meta + "}").replace("POD_SPEC", body) + extra


# --------------------------------------------------------------------------- sleep durations

@pytest.mark.parametrize("args, seconds", [
    (["10"], 10), (["10s"], 10), (["1m"], 60), (["1m", "30s"], 90), (["0.5"], 0.5), (["2h"], 7200),
    (["infinity"], math.inf), ([], None), (["$DRAIN_SECONDS"], None), (["10x"], None), (["--help"], None),
])
def test_parse_sleep_args(args, seconds):
    assert lc.parse_sleep_args(args) == seconds


@pytest.mark.parametrize("command, seconds", [
    (["sleep", "10"], 10),
    (["/bin/sleep", "10"], 10),
    (["/usr/bin/sleep", "15s"], 15),
    (["busybox", "sleep", "5"], 5),
    (["sh", "-c", "sleep 10"], 10),
    (["/bin/sh", "-c", "sleep 10 && nginx -s quit"], 10),
    (["/bin/bash", "-ec", "sleep 5; kill -TERM 1; sleep 3"], 8),
    (["sh", "-c", "sleep 5\nnginx -s quit\nsleep 2"], 7),
    (["sh", "-c", "if [ -f /tmp/ready ]; then sleep 20; fi"], 20),
    (["sh", "-c", "exec sleep 12"], 12),
    (["sh", "-c", "sleep 5 2>&1"], 5),
    (["sh", "-c", "sleep 5 >/dev/null; sleep 2 > /tmp/log"], 7),
    (["sh", "-c", "sleep ${DRAIN:-10}"], None),
    (["sh", "-c", "sleep $(cat /etc/drain-seconds)"], None),
    (["sh", "-c", "while [ -f /tmp/busy ]; do sleep 1; done"], None),
    (["sh", "-c", "/app/bin/drain"], None),
    (["sh", "-c", "sleep 'unterminated"], None),
    (["/app/bin/drain", "--timeout=20s"], None),
    (["sh", "-c"], None),
    ([], None),
])
def test_exec_sleep_seconds(command, seconds):
    assert lc.exec_sleep_seconds(command) == seconds


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("1m30s", 90), ("500ms", 0.5), ("0s", 0), ("0", 0), ("1h", 3600), ("30", None), ("soon", None),
])
def test_go_duration_seconds(text, seconds):
    assert lc.go_duration_seconds(text) == seconds


# --------------------------------------------------------------------------- images and sidecars

@pytest.mark.parametrize("image, repository", [
    ("fluent/fluent-bit:3.0.7", "fluent/fluent-bit"),
    ("registry.example.com:5000/app", "registry.example.com:5000/app"),
    ("registry.example.com:5000/app:1.2@sha256:abc", "registry.example.com:5000/app"),
    ("Envoyproxy/Envoy:v1.30.2", "envoyproxy/envoy"),
    (None, ""),
])
def test_image_repository(image, repository):
    assert lc.image_repository(image) == repository


def test_sidecar_hints_by_image_and_name_only_beside_an_app():
    pod = """
      containers:
        - {name: app, image: registry.example.com/app:1.0.0}
        - {name: proxy, image: cr.l5d.io/linkerd/proxy:stable-2.14.10}
        - {name: logs, image: registry.example.com/mirror/fluent-bit:3.0.7}
        - {name: auth-sidecar, image: registry.example.com/auth:2.1.0}
        - {name: vault-agent, image: hashicorp/vault:1.17.2}
        - {name: cache, image: registry.example.com/redis:7.2.5}
    """
    w = _workloads(_deployment(pod))[0]
    assert [lc.looks_like_sidecar(c) for c in w.containers] == [False, True, True, True, True, False]
    # A pod made of a log shipper alone is the shipper's own app, not a sidecar.
    alone = _workloads(_deployment("{containers: [{name: fluent-bit, image: fluent/fluent-bit:3.0.7}]}"))[0]
    assert not lc.looks_like_sidecar(alone.containers[0])


# --------------------------------------------------------------------------- Istio injection

NAMESPACE = """\
---
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {%s}
"""


@pytest.mark.parametrize("ns_labels, pod_labels, injected", [
    ("istio-injection: enabled", "app: web", True),
    ("istio.io/rev: 1-22", "app: web", True),
    ("istio-injection: enabled", "app: web, sidecar.istio.io/inject: 'false'", False),
    ("istio-injection: disabled", "app: web, sidecar.istio.io/inject: 'true'", False),
    ("team: web", "app: web, sidecar.istio.io/inject: 'true'", True),
    ("team: web", "app: web, istio.io/rev: canary", True),
    ("team: web", "app: web", False),
])
def test_istio_injection_follows_the_webhook_selectors(ns_labels, pod_labels, injected):
    text = _deployment("{containers: [{name: app, image: registry.example.com/app:1.0.0}]}",
                       pod_meta=f"labels: {{{pod_labels}}}", extra=NAMESPACE % ns_labels)
    assert lc.istio_injection(_workloads(text)[0])[0] is injected


def test_istio_injection_without_the_namespace_in_the_scan_needs_a_pod_label():
    w = _workloads(_deployment("{containers: [{name: app, image: registry.example.com/app:1.0.0}]}"))[0]
    assert lc.istio_injection(w) == (False, "")


def test_istio_proxy_config_as_json_with_exit_on_zero_connections_passes():
    config = '{"holdApplicationUntilProxyStarts": true, "proxyMetadata": {"EXIT_ON_ZERO_ACTIVE_CONNECTIONS": "true"}}'
    text = _deployment("{containers: [{name: app, image: registry.example.com/app:1.0.0}]}",
                       pod_meta=f"labels: {{app: web, sidecar.istio.io/inject: 'true'}}, "
                                f"annotations: {{proxy.istio.io/config: '{config}'}}")
    results = _run(lc.sidecar_lifecycle, _workloads(text)[0])
    assert [r[0] for r in results] == [Status.PASS, Status.PASS]


# --------------------------------------------------------------------------- probes

def _container(spec: str):
    return _workloads(_deployment(f"{{containers: [{spec}]}}"))[0].containers[0]


def test_named_and_numeric_ports_are_the_same_endpoint():
    c = _container("{name: app, image: a:1, ports: [{name: http, containerPort: 8080}], "
                   "readinessProbe: {httpGet: {path: /healthz, port: http}}, "
                   "livenessProbe: {httpGet: {path: /healthz, port: 8080}, failureThreshold: 5}}")
    [(status, message, _)] = _run(lc.liveness_differs_from_readiness, c)
    assert status is Status.FAIL and "(only the timings differ)" in message


@pytest.mark.parametrize("readiness, liveness", [
    ("{httpGet: {path: /healthz, port: 8080}}", "{httpGet: {path: /healthz/, port: 8080}}"),
    ("{httpGet: {path: /healthz, port: 8080}}", "{httpGet: {path: /healthz, port: 8080, scheme: HTTPS}}"),
    ("{httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: Host, value: ready.internal}]}}",
     "{httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: host, value: live.internal}]}}"),
    ("{httpGet: {path: /healthz, port: 8080}}", "{tcpSocket: {port: 8080}}"),
    ("{grpc: {port: 8080, service: ready}}", "{grpc: {port: 8080}}"),
    ("{exec: {command: [/bin/check, --ready]}}", "{exec: {command: [/bin/check]}}"),
])
def test_different_probes_pass(readiness, liveness):
    c = _container(f"{{name: app, image: a:1, ports: [{{containerPort: 8080}}], readinessProbe: {readiness}, "
                   f"livenessProbe: {liveness}}}")
    assert [r[0] for r in _run(lc.liveness_differs_from_readiness, c)] == [Status.PASS]


@pytest.mark.parametrize("readiness_headers, liveness_headers", [
    ("[{name: Cookie, value: shop_session-id=x-readiness-probe}]", "[{name: Cookie, value: shop_session-id=x-liveness-probe}]"),
    ("[]", "[{name: X-Probe, value: liveness}]"),
    ("[{name: Host, value: api.local}, {name: X-Probe, value: readiness}]", "[{name: x-probe, value: liveness}, {name: host, value: API.local}]"),
])
def test_headers_other_than_host_do_not_make_probes_different(readiness_headers, liveness_headers):
    c = _container("{name: app, image: a:1, ports: [{containerPort: 8080}], "
                   f"readinessProbe: {{httpGet: {{path: /_healthz, port: 8080, httpHeaders: {readiness_headers}}}}}, "
                   f"livenessProbe: {{httpGet: {{path: /_healthz, port: 8080, httpHeaders: {liveness_headers}}}}}}}")
    [(status, message, _)] = _run(lc.liveness_differs_from_readiness, c)
    assert status is Status.FAIL and "(only the headers differ)" in message


def test_same_host_header_in_another_case_is_the_same_endpoint():
    c = _container("{name: app, image: a:1, ports: [{containerPort: 8080}], "
                   "readinessProbe: {httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: Host, value: Api.Local}]}}, "
                   "livenessProbe: {httpGet: {path: /healthz, port: 8080, httpHeaders: [{name: HOST, value: api.local}]}, "
                   "periodSeconds: 20}}")
    [(status, message, _)] = _run(lc.liveness_differs_from_readiness, c)
    assert status is Status.FAIL and "(only the timings differ)" in message


def test_identical_exec_probes_fail_without_a_timing_note():
    c = _container("{name: worker, image: a:1, readinessProbe: {exec: {command: [/bin/check]}}, "
                   "livenessProbe: {exec: {command: [/bin/check]}}}")
    [(status, message, _)] = _run(lc.liveness_differs_from_readiness, c)
    assert status is Status.FAIL and "exec `/bin/check`" in message and "timings" not in message


def test_startup_probe_threshold_is_an_option():
    c = _container("{name: app, image: a:1, livenessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 45}}")
    assert [r[0] for r in _run(lc.startup_probe_for_slow_start, c)] == [Status.FAIL]
    assert [r[0] for r in _run(lc.startup_probe_for_slow_start, c, threshold_seconds=60)] == [Status.PASS]


def test_init_containers_are_not_probed_but_native_sidecars_with_ports_are():
    w = _workloads(_deployment("""
      initContainers:
        - {name: migrate, image: a:1}
        - {name: envoy, image: envoyproxy/envoy:v1.30.2, restartPolicy: Always, ports: [{containerPort: 10000}]}
        - {name: vault-agent, image: hashicorp/vault:1.17.2, restartPolicy: Always}
      containers:
        - {name: app, image: a:1, livenessProbe: {tcpSocket: {port: 8080}}}
    """))[0]
    results = {c.name: [r[0] for r in _run(lc.liveness_probe, c)] for c in w.init_containers}
    assert results == {"migrate": [], "envoy": [Status.FAIL], "vault-agent": []}


# --------------------------------------------------------------------------- grace period and rollout

def test_grace_period_options_and_longest_sleep():
    w = _workloads(_deployment("""
      terminationGracePeriodSeconds: 20
      containers:
        - {name: a, image: a:1, ports: [{containerPort: 80}], lifecycle: {preStop: {sleep: {seconds: 10}}}}
        - {name: b, image: b:1, lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 16"]}}}}
    """))[0]
    [(status, message, at)] = _run(lc.grace_period_covers_prestop, w)
    assert status is Status.FAIL and message.startswith("container b:") and "16 s + 5 s" in message
    assert at == "spec.template.spec.terminationGracePeriodSeconds"
    assert [r[0] for r in _run(lc.grace_period_covers_prestop, w, drain_margin_seconds=2)] == [Status.PASS]


def test_grace_period_unknown_when_not_a_number():
    w = _workloads(_deployment("""
      terminationGracePeriodSeconds: "60"
      containers: [{name: a, image: a:1, ports: [{containerPort: 80}]}]
    """))[0]
    assert [r[0] for r in _run(lc.grace_period_covers_prestop, w)] == [Status.UNKNOWN]


@pytest.mark.parametrize("strategy, replicas, status", [
    ("{}", 1, Status.PASS),  # 25% of 1 rounds down to 0 unavailable, and maxSurge makes room
    ("{rollingUpdate: {maxUnavailable: 99%}}", 1, Status.PASS),
    ("{rollingUpdate: {maxUnavailable: 100%}}", 10, Status.FAIL),
    ("{rollingUpdate: {maxUnavailable: 2}}", 3, Status.PASS),
    ("{rollingUpdate: {maxUnavailable: 3}}", 3, Status.FAIL),
    ("{rollingUpdate: {maxUnavailable: 3}}", 0, Status.PASS),
    ("{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1.5}}", 3, Status.UNKNOWN),
    ("{type: Recreate}", 3, Status.FAIL),
    ("{type: BlueGreen}", 3, Status.UNKNOWN),
])
def test_deployment_max_unavailable(strategy, replicas, status):
    text = _deployment("{containers: [{name: a, image: a:1}]}").replace("replicas: 3", f"replicas: {replicas}")
    text = text.replace("  selector:", f"  strategy: {strategy}\n  selector:", 1)
    assert [r[0] for r in _run(lc.rolling_update_strategy, _workloads(text)[0])] == [status]
