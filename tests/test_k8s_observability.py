"""Telemetry: what counts as scraped, what counts as traced."""

from __future__ import annotations

import textwrap

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.targets import Workload
from prc_checks.k8s_observability import metrics_scraped, tracing_configured


def run(check, text: str, **options) -> list[tuple[str, str]]:
    loaded = load_k8s_text("t.yaml", text)
    link(loaded.objects)
    return [(o.status.value, o.message)
            for w in loaded.objects if isinstance(w, Workload)
            for o in check.run(w, {**check.default_options(), **options})]


def deployment(annotations: str = "{}", env: str = "[]", kind: str = "Deployment", labels: str = "{}",
               namespace: str = "default", env_from: str = "[]") -> str:
    return textwrap.dedent(f"""\
    apiVersion: apps/v1
    kind: {kind}
    metadata: {{name: web, namespace: {namespace}}}
    spec:
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata:
          labels: {{app: web, {labels[1:-1]}}}
          annotations: {annotations}
        spec:
          containers:
            - name: app
              image: web:1.0.0
              env: {env}
              envFrom: {env_from}
    """)


SERVICE = """\
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: default, labels: {{app: web}}, annotations: {annotations}}}
spec: {{selector: {{app: web}}, ports: [{{port: 80}}]}}
"""


# --------------------------------------------------------------------------- metrics


def test_scraped_by_service_monitor_through_the_service():
    text = deployment() + SERVICE.format(annotations="{}") + textwrap.dedent("""\
    ---
    apiVersion: monitoring.coreos.com/v1
    kind: ServiceMonitor
    metadata: {name: web, namespace: default}
    spec:
      selector: {matchLabels: {app: web}}
      endpoints: [{port: http}]
    """)
    assert run(metrics_scraped, text) == [("PASS", "scraped by ServiceMonitor web")]


@pytest.mark.parametrize("annotations, status", [
    ("{prometheus.io/scrape: 'true'}", "PASS"),
    ("{prometheus.io/scrape: 'True'}", "PASS"),
    ("{prometheus.io/scrape: 'false'}", "FAIL"),
    ("{prometheus.io/port: '9090'}", "FAIL"),
])
def test_pod_scrape_annotation(annotations, status):
    assert run(metrics_scraped, deployment(annotations))[0][0] == status


def test_service_scrape_annotation_counts():
    text = deployment() + SERVICE.format(annotations="{prometheus.io/scrape: 'true'}")
    assert run(metrics_scraped, text) == [("PASS", 'Service web has annotation prometheus.io/scrape: "true"')]


def test_scrape_annotation_keys_are_configurable():
    text = deployment("{example.com/scrape: 'true'}")
    assert run(metrics_scraped, text)[0][0] == "FAIL"
    assert run(metrics_scraped, text, annotations=["example.com/scrape"])[0][0] == "PASS"


def test_metrics_not_checked_for_jobs():
    assert run(metrics_scraped, deployment(kind="Job")) == []


# --------------------------------------------------------------------------- tracing


@pytest.mark.parametrize("env, status", [
    ("[{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: 'http://collector:4317'}]", "PASS"),
    ("[{name: OTEL_SERVICE_NAME, value: web}]", "PASS"),
    ("[{name: DD_AGENT_HOST, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}]", "PASS"),
    ("[{name: DD_TRACE_AGENT_URL, value: 'unix:///var/run/datadog/apm.socket'}]", "PASS"),
    ("[{name: DD_ENV, value: prod}]", "FAIL"),                        # unified tagging alone is not a tracer
    ("[{name: OTEL_SERVICE_NAME, value: web}, {name: OTEL_SDK_DISABLED, value: 'true'}]", "FAIL"),
    ("[{name: OTEL_SERVICE_NAME, value: web}, {name: OTEL_TRACES_EXPORTER, value: none}]", "FAIL"),
    ("[{name: DD_AGENT_HOST, value: datadog}, {name: DD_TRACE_ENABLED, value: 'false'}]", "FAIL"),
    ("[{name: OTEL_SDK_DISABLED, value: 'false'}]", "PASS"),
    ("[]", "FAIL"),
])
def test_tracing_env(env, status):
    assert run(tracing_configured, deployment(env=env))[0][0] == status


def test_tracing_off_names_the_variable():
    env = "[{name: OTEL_SERVICE_NAME, value: web}, {name: OTEL_SDK_DISABLED, value: 'true'}]"
    assert run(tracing_configured, deployment(env=env)) == [
        ("FAIL", "Deployment web switches tracing off: container app sets OTEL_SDK_DISABLED=true")]


@pytest.mark.parametrize("annotations, status", [
    ("{instrumentation.opentelemetry.io/inject-java: 'true'}", "PASS"),
    ("{instrumentation.opentelemetry.io/inject-python: observability/python}", "PASS"),
    ("{instrumentation.opentelemetry.io/inject-nodejs: 'false'}", "FAIL"),
    ("{instrumentation.opentelemetry.io/container-names: app}", "FAIL"),
])
def test_opentelemetry_operator_annotation(annotations, status):
    assert run(tracing_configured, deployment(annotations))[0][0] == status


NAMESPACE = """\
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {instrumentation.opentelemetry.io/inject-java: "true"}
"""


def test_namespace_annotation_counts_unless_the_pod_opts_out():
    assert run(tracing_configured, deployment(namespace="shop") + NAMESPACE)[0][0] == "PASS"
    opted_out = deployment("{instrumentation.opentelemetry.io/inject-java: 'false'}", namespace="shop") + NAMESPACE
    assert run(tracing_configured, opted_out)[0][0] == "FAIL"


def test_datadog_admission_label():
    text = deployment(labels="{admission.datadoghq.com/enabled: 'true'}")
    assert run(tracing_configured, text)[0][0] == "PASS"


def test_env_from_config_map_is_unknown_but_secret_is_not():
    assert run(tracing_configured, deployment(env_from="[{configMapRef: {name: web-env}}]")) == [
        ("UNKNOWN", "Deployment web: no tracing variable in env; tracing may be configured through envFrom "
                    "ConfigMap web-env")]
    assert run(tracing_configured, deployment(env_from="[{secretRef: {name: web-db}}]"))[0][0] == "FAIL"


def test_tracing_not_checked_for_cronjobs_or_jobs():
    assert run(tracing_configured, deployment(kind="Job")) == []
