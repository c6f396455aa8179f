"""Kubernetes observability checks: metrics are scraped and traces are emitted."""

from __future__ import annotations

import re

from prc.registry import check
from prc.targets import Container, Workload, mapping, sequence

from ._common import pod_template_unknown


def _pod_metadata_path(w: Workload, rest: str) -> str:
    """Path from the document root to a field of the pod template's metadata (the object's own for a Pod)."""
    base = w.pod_spec_path.rpartition(".")[0] if "." in w.pod_spec_path else ""
    return f"{base}.metadata.{rest}" if base else f"metadata.{rest}"


def _names(objects) -> str:
    return ", ".join(f"{o.kind} {o.name}" for o in objects)


# --------------------------------------------------------------------------- PRC-K8S-070


@check(id="PRC-K8S-070", slug="metrics-scraped", target=Workload, item="telemetry", severity="low",
       fix="Add a ServiceMonitor or PodMonitor that selects the pods, or annotate the pod template with "
           "prometheus.io/scrape: \"true\".",
       options={"annotations": (["prometheus.io/scrape"],
                                "annotations whose value \"true\" asks an annotation-driven Prometheus job to scrape "
                                "the pods (on the pod template) or the endpoints (on a Service)")})
def metrics_scraped(w: Workload, opts):
    """What: the pods of every long-running workload are scraped for metrics: a ServiceMonitor (through a Service that selects the pods) or a PodMonitor in the scan selects them, or the pod template or a Service that selects the pods has the annotation prometheus.io/scrape: "true".

    Why: without metrics nobody sees latency, errors or saturation before users complain, and alerts and SLOs have nothing to evaluate.

    How to fix: expose a /metrics endpoint and add a PodMonitor (or a ServiceMonitor on the Service) whose selector matches the pod labels; with an annotation-driven Prometheus, set prometheus.io/scrape: "true" (and prometheus.io/port) on the pod template.
    """
    if not w.long_running:
        return
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    if w.monitors:
        yield w.ok(f"scraped by {_names(w.monitors)}")
        return
    keys = [str(k) for k in opts["annotations"]]
    disabled = []
    for key in keys:
        value = w.pod_annotations.get(key)
        if value is not None and value.strip().lower() == "true":
            yield w.ok(f"pod template annotation {key}: \"true\"", at=_pod_metadata_path(w, f"annotations.{key}"))
            return
        if value is not None:
            disabled.append(f"the pod template sets {key}: {value!r}")
    for service in w.services:
        for key in keys:
            value = service.annotations.get(key)
            if value is not None and value.strip().lower() == "true":
                yield w.ok(f"Service {service.name} has annotation {key}: \"true\"")
                return
    if disabled:
        yield w.fail(f"{w.kind} {w.name} is not scraped: {'; '.join(disabled)} and no ServiceMonitor or PodMonitor "
                     "selects its pods", at=_pod_metadata_path(w, f"annotations.{keys[0]}"))
    else:
        yield w.fail(f"{w.kind} {w.name} is not scraped: no ServiceMonitor or PodMonitor selects its pods and neither "
                     f"the pod template nor a Service has {keys[0] if keys else 'a scrape annotation'}: \"true\"",
                     at=_pod_metadata_path(w, "annotations"))


# --------------------------------------------------------------------------- PRC-K8S-071

_OTEL_INJECT_RE = re.compile(r"^instrumentation\.opentelemetry\.io/inject-[a-z0-9-]+$")
_DD_TRACE_VARS = ("DD_AGENT_HOST", "DD_TRACE_AGENT_URL", "DD_TRACE_AGENT_HOSTNAME")
_FALSE = ("false", "0", "no", "off")


def tracing_env(c: Container) -> tuple[list[str], list[tuple[int, str]]]:
    """(names of variables that configure a tracer, (index, NAME=value) of variables that switch tracing off)."""
    configures, disables = [], []
    for index, entry in enumerate(sequence(c.spec.get("env"))):
        entry = mapping(entry)
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        value = entry.get("value")
        text = str(value).strip().lower() if value is not None else ""
        if (name == "OTEL_SDK_DISABLED" and text == "true") or (name == "OTEL_TRACES_EXPORTER" and text == "none") \
                or (name == "DD_TRACE_ENABLED" and text in _FALSE):
            disables.append((index, f"{name}={value}"))
        elif name.startswith("OTEL_") or name in _DD_TRACE_VARS or name.startswith("DD_TRACE_"):
            configures.append(name)
    return configures, disables


def _config_maps_from_env(c: Container) -> list[str]:
    return [str(mapping(mapping(e).get("configMapRef")).get("name", "?"))
            for e in sequence(c.spec.get("envFrom")) if mapping(mapping(e).get("configMapRef"))]


def _instrumentation(w: Workload) -> str:
    """Why the OpenTelemetry operator or the Datadog admission controller instruments the pods, or ''."""
    pod = w.pod_annotations
    candidates = [("pod template", key, value) for key, value in sorted(pod.items())]
    if w.namespace_object is not None:
        # The operator also reads the Namespace's annotations; the pod's own annotation wins.
        candidates += [(f"Namespace {w.namespace_object.name}", key, value)
                       for key, value in sorted(w.namespace_object.annotations.items()) if key not in pod]
    for where, key, value in candidates:
        if _OTEL_INJECT_RE.match(key) and value.strip() and value.strip().lower() != "false":
            return f"{where} annotation {key}: {value}"
    if w.pod_labels.get("admission.datadoghq.com/enabled", "").lower() == "true":
        return "pod label admission.datadoghq.com/enabled: \"true\" (Datadog admission controller)"
    return ""


@check(id="PRC-K8S-071", slug="tracing-configured", target=Workload, item="telemetry", severity="low",
       fix="Configure an OpenTelemetry SDK (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME) or an "
           "instrumentation.opentelemetry.io/inject-<language> annotation.")
def tracing_configured(w: Workload, opts):
    """What: the app containers of every long-running workload are set up to emit traces: an OpenTelemetry variable (OTEL_*) or a Datadog tracer variable (DD_AGENT_HOST, DD_TRACE_*) in a container's env, an instrumentation.opentelemetry.io/inject-<language> annotation on the pod template or its Namespace, or the Datadog admission controller label. Variables that switch tracing off (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none, DD_TRACE_ENABLED=false) do not count. When the env may come from a ConfigMap through envFrom, the result is UNKNOWN.

    Why: in a system of several services, traces are the fastest way to find which hop made a request slow or failed it; a service that emits none is a blind spot in every incident that crosses it.

    How to fix: instrument the app with an OpenTelemetry SDK or agent and point it at a collector with OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME, or let the OpenTelemetry operator inject it with an instrumentation.opentelemetry.io/inject-<language> annotation on the pod template.
    """
    if not w.long_running:
        return
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    if not w.containers:
        return
    reason = _instrumentation(w)
    if reason:
        yield w.ok(f"instrumented by {reason}")
        return
    disabled = []
    for c in w.containers:
        configures, disables = tracing_env(c)
        if configures and not disables:
            shown = ", ".join(configures[:3]) + ("..." if len(configures) > 3 else "")
            yield w.ok(f"container {c.name} sets {shown}", at=f"{c.path}.env")
            return
        disabled += [(f"container {c.name} sets {text}", f"{c.path}.env[{index}]") for index, text in disables]
    if disabled:
        yield w.fail(f"{w.kind} {w.name} switches tracing off: {'; '.join(text for text, _ in disabled)}",
                     at=disabled[0][1])
        return
    with_env_from = [c for c in w.containers if _config_maps_from_env(c)]
    if with_env_from:
        config_maps = sorted({name for c in with_env_from for name in _config_maps_from_env(c)})
        yield w.unknown(f"{w.kind} {w.name}: no tracing variable in env; tracing may be configured through envFrom "
                        f"ConfigMap {', '.join(config_maps)}", at=f"{with_env_from[0].path}.envFrom")
        return
    yield w.fail(f"{w.kind} {w.name} emits no traces: no OTEL_*, DD_AGENT_HOST or DD_TRACE_* variable in its "
                 "containers and no OpenTelemetry instrumentation annotation", at=w.pod_path("containers"))
