"""Property-based tests: arbitrary and structured-but-wrong input through every loader's real entry point.

Each example writes one or a few files to a fresh directory and runs the whole scan (discovery, every source,
the service model, every check, off-by-default ones included). Whatever the input:

- the scan returns a report: it never raises, and never runs past a hard bound per example (SIGALRM);
- every file written is accounted for: counted as scanned, or listed as skipped with a reason;
- a file that cannot be read as text is an ERROR result of PRC-INPUT naming it;
- no check crashes on what a loader made of the input (a crashed check is an ERROR result "... crashed").

Runs are derandomized, so CI sees the same examples every time; a failure prints the input that caused it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prc.config import Config
from prc.discovery import classify
from prc.model import CATEGORIES, Status
from prc.registry import load_registry

from .conftest import run_scan

HARD_LIMIT_SECONDS = 20  # per example; far above the few milliseconds a small file takes
# PRC_FUZZ_EXAMPLES=2000 PRC_FUZZ_RANDOM=1 hunts for new failures locally; CI runs the same 120 examples each time.
FUZZ = settings(max_examples=int(os.environ.get("PRC_FUZZ_EXAMPLES", "120")),
                derandomize=not os.environ.get("PRC_FUZZ_RANDOM"), deadline=timedelta(seconds=10), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EVERY_CHECK = Config(enable=list(CATEGORIES))


@contextmanager
def hard_limit(seconds: int = HARD_LIMIT_SECONDS):
    """Abort an example that hangs: SIGALRM raises in the main thread, where pytest runs the test."""

    def expired(signum, frame):
        raise TimeoutError(f"the scan ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@functools.lru_cache(maxsize=1)
def _registry():
    """Not the `registry` fixture: hypothesis would print the whole registry with every falsifying example."""
    return load_registry()


@pytest.fixture(scope="module")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="prc-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def scan_files(workdir: Path, files: dict[str, str | bytes]):
    """Write `files` into a fresh directory under `workdir`, scan it with every check, check the invariants."""
    root = Path(tempfile.mkdtemp(dir=workdir))
    try:
        (root / ".git").mkdir()  # a repository top: no .prc.yaml above it is picked up
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        with hard_limit():
            report = run_scan([root], _registry(), config=EVERY_CHECK, root=root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    crashed = [r.message for r in report.results if r.status is Status.ERROR and " crashed: " in r.message]
    assert crashed == []
    skipped = {s.path for s in report.skipped}
    assert all(s.reason for s in report.skipped)
    # Each file was read by a source (counted) or skipped with a reason, or both (an empty file is read, then
    # skipped): none of them disappears.
    inputs = [name for name in files if classify(Path(name).name) is not None]  # not run.sh, a script
    not_skipped = [name for name in inputs if name not in skipped]
    assert len(not_skipped) <= report.files_scanned <= len(inputs), (report.files_scanned, report.skipped)
    for name, content in files.items():
        if isinstance(content, bytes) and _not_utf8(content) and name not in skipped:
            errors = [r for r in report.results if r.check.id == "PRC-INPUT" and r.location.file == name]
            assert errors and all(r.status is Status.ERROR for r in errors)
    return report


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return True
    return False


# --------------------------------------------------------------------------- values and shapes

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["", "0", "-1", "1e400", "yes", "null", "~", "*", "latest", "1Gi", "500m", "10s", "P1",
                     "${var.x}", "{{ .Values.x }}", "arn:aws:iam::*:role/*", "http://", "../../etc/passwd"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


def _paths(value, prefix=()):
    """Every path to a node of a JSON-like value."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


def _replace(value, path, new, delete=False):
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if delete and not rest:
        del copy[head]
        return copy
    copy[head] = _replace(value[head], rest, new, delete)
    return copy


@st.composite
def mutated(draw, skeleton):
    """The skeleton with one to four nodes replaced by a value of any type, or deleted."""
    value = skeleton
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(value))
        path = draw(st.sampled_from(paths))
        value = _replace(value, path, draw(VALUES), delete=bool(path) and draw(st.booleans()))
    return value


def to_yaml(*documents) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)


def _json_safe(value):
    """JSON has no NaN or infinity: write them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


# --------------------------------------------------------------------------- skeletons

CONTAINER = {
    "name": "app", "image": "registry.example.com/app:1.2.3@sha256:" + "a" * 64,
    "ports": [{"containerPort": 8080, "name": "http"}],
    "env": [{"name": "MODE", "value": "fast"},
            {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
    "startupProbe": {"tcpSocket": {"port": 8080}, "failureThreshold": 30},
    "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
    "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                        "capabilities": {"drop": ["ALL"]}},
    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
}
POD_SPEC = {
    "serviceAccountName": "app", "terminationGracePeriodSeconds": 30, "containers": [CONTAINER],
    "initContainers": [{"name": "proxy", "image": "envoy:1.30", "restartPolicy": "Always"}],
    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "h", "hostPath": {"path": "/"}}],
    "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                   "whenUnsatisfiable": "DoNotSchedule",
                                   "labelSelector": {"matchLabels": {"app": "web"}}}],
    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                            "labelSelector": {"matchExpressions": [
                                                {"key": "app", "operator": "In", "values": ["web"]}]}}}]}},
    "securityContext": {"runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
}
METADATA = {"name": "web", "namespace": "shop", "labels": {"app": "web", "team": "payments"},
            "annotations": {"prc.dev/owner": "team-payments", "prc.dev/ignore": "PRC-K8S-001: reason"}}
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": POD_SPEC}


def _workload(kind: str) -> dict:
    spec = {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE, "minReadySeconds": 10,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}}}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": kind, "metadata": METADATA, "spec": POD_SPEC}
    if kind == "Job":
        spec = {"backoffLimit": 3, "activeDeadlineSeconds": 600, "template": TEMPLATE}
    if kind == "CronJob":
        spec = {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid",
                "jobTemplate": {"spec": {"backoffLimit": 3, "template": TEMPLATE}}}
    if kind == "Rollout":
        return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": METADATA,
                "spec": {"replicas": 3, "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                         "strategy": {"canary": {"steps": [{"setWeight": 20}]}}}}
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    return {"apiVersion": api, "kind": kind, "metadata": METADATA, "spec": spec}


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Rollout")
K8S_SKELETONS = [_workload(k) for k in WORKLOAD_KINDS] + [
    {"apiVersion": "v1", "kind": "Service", "metadata": METADATA,
     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": METADATA,
     "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}},
    {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": METADATA,
     "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 2,
              "maxReplicas": 10, "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                  "type": "Utilization", "averageUtilization": 70}}}]}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": METADATA,
     "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": METADATA,
     "roleRef": {"kind": "ClusterRole", "name": "web", "apiGroup": "rbac.authorization.k8s.io"},
     "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "shop"}]},
    {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": METADATA,
     "spec": {"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"port": "http", "interval": "30s"}]}},
    {"apiVersion": "v1", "kind": "List",
     "items": [_workload("Deployment"), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": METADATA,
                                         "data": {"a": "b"}}]},
]

RULE = {"alert": "HighErrorRate", "expr": 'sum(rate(http_requests_total{code=~"5.."}[5m])) / '
                                         'sum(rate(http_requests_total[5m])) > 0.01',
        "for": "5m", "keep_firing_for": "10m", "labels": {"severity": "page", "team": "payments"},
        "annotations": {"summary": "errors", "runbook_url": "docs/runbook.md", "description": "{{ $labels.pod }}"}}
RECORD = {"record": "slo:sli_error:ratio_rate5m", "expr": "sum(rate(errors_total[5m]))", "labels": {"service": "web"}}
RULE_FILE = {"groups": [{"name": "web", "interval": "1m", "rules": [RULE, RECORD]}]}
RULE_SKELETONS = [
    RULE_FILE,
    {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": METADATA, "spec": RULE_FILE},
]

PRC_SLO = {"apiVersion": "prc.dev/v1", "kind": "SLO", "service": "web", "description": "web requests",
           "owner": "team-payments", "approver": "jane@example.com", "created": "2026-05-04", "approved": "2026-05-20",
           "nextReview": "2027-05-20",
           "errorBudgetPolicy": {"url": "https://wiki.example.com/p", "whenExhausted": ["freeze"], "escalation": ["x"]},
           "slos": [{"name": "availability", "target": 99.9, "window": "28d", "alerts": ["HighErrorRate"],
                     "sli": {"ratio": {"bad": 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
                                       "total": "sum(rate(http_requests_total[{{window}}]))"}}},
                    {"name": "latency", "target": 99, "window": "7d",
                     "sli": {"threshold": {"query": "histogram_quantile(0.99, rate(x_bucket[5m]))", "max": 0.3}}}]}
OPENSLO = {"apiVersion": "openslo/v1", "kind": "SLO",
           "metadata": {"name": "web-availability", "labels": {"team": "payments"},
                        "annotations": {"prc.dev/owner": "team-payments", "prc.dev/created": "2026-02-02"}},
           "spec": {"service": "web", "budgetingMethod": "Occurrences",
                    "timeWindow": [{"duration": "28d", "isRolling": True}],
                    "indicator": {"metadata": {"name": "errors"}, "spec": {"ratioMetric": {
                        "counter": True,
                        "bad": {"metricSource": {"type": "Prometheus", "spec": {"query": "sum(rate(e[5m]))"}}},
                        "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "sum(rate(t[5m]))"}}}}}},
                    "objectives": [{"displayName": "availability", "target": 0.995}]}}
SLOTH = {"version": "prometheus/v1", "service": "web", "labels": {"owner": "team-payments"},
         "slos": [{"name": "requests-availability", "objective": 99.9,
                   "sli": {"events": {"error_query": "sum(rate(e[{{.window}}]))",
                                      "total_query": "sum(rate(t[{{.window}}]))"}},
                   "alerting": {"name": "WebHighErrorRate", "page_alert": {"labels": {"severity": "page"}}}}]}
SLOTH_CRD = {"apiVersion": "sloth.slok.dev/v1", "kind": "PrometheusServiceLevel", "metadata": METADATA,
             "spec": {"service": "web", "slos": SLOTH["slos"]}}
SLO_SKELETONS = [PRC_SLO, OPENSLO, SLOTH, SLOTH_CRD]

# --------------------------------------------------------------------------- text strategies

DOCKER_INSTRUCTIONS = ["FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR",
                       "HEALTHCHECK", "EXPOSE", "LABEL", "SHELL", "ONBUILD", "STOPSIGNAL", "VOLUME", "MAINTAINER",
                       "from", "run", "BOGUS"]
DOCKER_WORDS = ["alpine:3.20", "scratch", "base AS build", "AS", "--from=build", "--chmod=0755", "--mount=type=cache",
                "--platform=$BUILDPLATFORM", "--interval=10s", "CMD", "NONE", "${VAR}", "${VAR:-x}", "$VAR", "${",
                "}", "VAR=value", "A=1 B=2", '"quoted"', "'single'", '["a", "b"]', '["unterminated', "[]", "{}",
                "<<EOF", "<<-EOT", "<<'END'", "EOF", "EOT", "END", "&&", "||", ";", "|", "exec", "./run.sh",
                "/app/run", "10001:10001", "root", "0", "8080/tcp", "\\", "`", "#", "# comment", "=", "\t", ""]
DOCKER_DIRECTIVES = ["", "# syntax=docker/dockerfile:1.7\n", "# escape=`\n", "# escape=\\\n", "# check=skip=all\n"]

HCL_TOKENS = ['resource', 'data', 'module', 'variable', 'locals', 'output', 'provider', 'terraform', 'dynamic',
              'content', '"aws_iam_policy"', '"aws_iam_role"', '"aws_autoscaling_group"',
              '"aws_cloudwatch_metric_alarm"',
              '"aws_instance"', '"aws_iam_policy_document"', '"x"', '"./m"', '{', '}', '[', ']', '(', ')', '=', ':',
              ',', '.', '...', '?', '=>', '==', '!', '&&', '-', '*', '/', '%', '<<EOF\n', '<<-EOT\n', '\nEOF\n',
              '\nEOT\n', '"${', '${', '%{ if true }', '%{ endif }', '%{ for x in y }', '%{ endfor }', '}"', '"', "'",
              '\n', '#', '//', '/*', '*/', 'for', 'in', 'if', 'null', 'true', 'false', '0', '1.5e3', '-1', 'var.x',
              'local.y', 'count.index', 'each.key', 'self', 'jsonencode(', 'merge(', 'lookup(', 'file(', 'format(',
              'concat(', 'try(', 'can(', 'templatefile(', 'range(', 'element(', 'policy', 'source', 'count',
              'for_each', 'tags', 'Statement', 'Effect', '"Allow"', '"*"', 'Action', 'Resource', '\\', '\\"',
              'source = "./m"', 'for_each = var.m']

HCL_VALUES = st.recursive(
    st.one_of(st.sampled_from(['null', 'true', '0', '-1', '1e999', '"*"', '"Allow"', '"${var.x}"', 'var.x', 'local.y',
                               'count.index', '"arn:aws:iam::*:role/*"', '""', '"%{ if true }x%{ endif }"',
                               'data.aws_iam_policy_document.p.json', 'module.m.out', 'each.value']),
              st.text(alphabet='abc"${}%\\\n', max_size=8).map(json.dumps)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(st.sampled_from(["Effect", "Action", "Resource", "Principal", "Condition", "a", '"k"']),
                        inner, max_size=3).map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"),
        st.tuples(st.sampled_from(["jsonencode", "merge", "lookup", "length", "concat", "format", "toset", "try",
                                   "element", "coalesce", "flatten", "keys", "join", "replace", "max", "tonumber",
                                   "cidrsubnet", "unknownfn"]),
                  st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, inner).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
    ), max_leaves=8)

TF_TYPES = ["aws_iam_policy", "aws_iam_role", "aws_iam_role_policy", "aws_autoscaling_group", "aws_launch_template",
            "aws_cloudwatch_metric_alarm", "aws_instance", "aws_db_instance", "aws_security_group", "aws_ebs_volume",
            "aws_lb_target_group", "aws_s3_bucket", "aws_dynamodb_table", "aws_iam_policy_document", "local_file"]
TF_ATTRIBUTES = ["policy", "assume_role_policy", "name", "min_size", "max_size", "desired_capacity",
                 "availability_zones", "vpc_zone_identifier", "health_check_type", "tags", "count", "for_each",
                 "alarm_actions", "metric_name", "threshold", "encrypted", "multi_az", "deletion_protection",
                 "metadata_options", "ingress", "statement", "source", "instance_type", "depends_on", "provider",
                 "initial_lifecycle_hook", "lifecycle_transition", "block_device_mappings", "ebs", "root_block_device",
                 "target_group_arns", "load_balancers", "http_tokens", "actions_enabled", "dimensions"]


@st.composite
def hcl_block(draw) -> str:
    kind = draw(st.sampled_from(["resource", "data", "module", "variable", "locals", "output", "provider"]))
    labels = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0}[kind]
    names = [f'"{draw(st.sampled_from(TF_TYPES))}"', '"this"'][:labels] if kind in ("resource", "data") else \
        [f'"{draw(st.sampled_from(["m", "x", "aws", "region"]))}"'][:labels]
    lines = [f"{kind} {' '.join(names)} {{"]
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from(TF_ATTRIBUTES + ["default", "value", "source", "type"]))
        if draw(st.booleans()):
            lines.append(f"  {name} = {draw(HCL_VALUES)}")
        else:
            lines.append(f"  {name} {{\n    {draw(st.sampled_from(TF_ATTRIBUTES))} = {draw(HCL_VALUES)}\n  }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the properties

NAMES = ["x.yaml", "Dockerfile", "main.tf", "terraform.tfvars", "main.tf.json", "plan.tfplan.json",
         "templates/x.yaml", "kustomization.yaml"]


@FUZZ
@given(name=st.sampled_from(NAMES), text=st.text(max_size=300))
def test_arbitrary_text_in_any_kind_of_file(workdir, name, text):
    scan_files(workdir, {name: text})


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=200))
def test_arbitrary_bytes_are_an_input_error_when_not_text(workdir, name, data):
    scan_files(workdir, {name: data})


@FUZZ
@given(documents=st.lists(VALUES, min_size=1, max_size=3))
def test_yaml_documents_of_random_shapes(workdir, documents):
    scan_files(workdir, {"random.yaml": to_yaml(*documents)})


@FUZZ
@given(data=st.data())
def test_kubernetes_objects_with_wrong_types_anywhere(workdir, data):
    objects = [data.draw(mutated(data.draw(st.sampled_from(K8S_SKELETONS))))
               for _ in range(data.draw(st.integers(1, 3)))]
    # Unmutated companions, so links (Service -> workload, PDB, HPA, RBAC) meet the broken object.
    companions = [K8S_SKELETONS[0], K8S_SKELETONS[7], K8S_SKELETONS[8], K8S_SKELETONS[9], K8S_SKELETONS[11]]
    scan_files(workdir, {"k8s/broken.yaml": to_yaml(*objects), "k8s/good.yaml": to_yaml(*companions)})


@FUZZ
@given(data=st.data())
def test_prometheus_rules_with_wrong_types_anywhere(workdir, data):
    document = data.draw(mutated(data.draw(st.sampled_from(RULE_SKELETONS))))
    scan_files(workdir, {"monitoring/rules.yaml": to_yaml(document),
                                   "k8s/app.yaml": to_yaml(K8S_SKELETONS[0]), "slo.yaml": to_yaml(PRC_SLO)})


@FUZZ
@given(data=st.data())
def test_slo_documents_with_wrong_types_anywhere(workdir, data):
    document = data.draw(mutated(data.draw(st.sampled_from(SLO_SKELETONS))))
    scan_files(workdir, {"slo/web.yaml": to_yaml(document), "rules.yaml": to_yaml(RULE_FILE),
                                   "k8s/app.yaml": to_yaml(K8S_SKELETONS[0])})


@FUZZ
@given(directive=st.sampled_from(DOCKER_DIRECTIVES),
       lines=st.lists(st.tuples(st.sampled_from(DOCKER_INSTRUCTIONS),
                                st.lists(st.sampled_from(DOCKER_WORDS), max_size=5),
                                st.sampled_from(["\n", " \\\n", "\\\n", " `\n", "\n\n", "\n# c\n", "\r\n"])),
                      max_size=12))
def test_dockerfiles_of_random_instructions_and_continuations(workdir, directive, lines):
    text = directive + "".join(f"{keyword} {' '.join(words)}{end}" for keyword, words, end in lines)
    scan_files(workdir, {"svc/Dockerfile": text, "svc/run.sh": "#!/bin/sh\nexec app\n"})


@FUZZ
@given(tokens=st.lists(st.sampled_from(HCL_TOKENS), max_size=60), separators=st.lists(st.sampled_from([" ", "", "\n"]),
                                                                                     min_size=60, max_size=60))
def test_hcl_ish_token_soup(workdir, tokens, separators):
    text = "".join(t + s for t, s in zip(tokens, separators))
    scan_files(workdir, {"infra/main.tf": text, "infra/terraform.tfvars": text[: len(text) // 2]})


@FUZZ
@given(blocks=st.lists(hcl_block(), min_size=1, max_size=5), tfvars=st.lists(
    st.tuples(st.sampled_from(["x", "m", "region", "tags"]), HCL_VALUES), max_size=3))
def test_terraform_blocks_with_values_of_every_kind(workdir, blocks, tfvars):
    files = {"infra/main.tf": "".join(blocks),
             "infra/terraform.tfvars": "".join(f"{k} = {v}\n" for k, v in tfvars),
             "infra/m/main.tf": 'variable "x" {}\noutput "out" { value = var.x }\n'}
    scan_files(workdir, files)


@FUZZ
@given(document=VALUES)
def test_terraform_json_and_plans_of_random_shapes(workdir, document):
    text = json.dumps(_json_safe(document))
    plan = json.dumps(_json_safe({"format_version": "1.2", "terraform_version": "1.9.0",
                                  "planned_values": {"root_module": document}}))
    scan_files(workdir, {"infra/main.tf.json": text, "infra/plan.tfplan.json": plan})


YAML_TOKENS = ["apiVersion: apps/v1", "kind: Deployment", "kind: List", "metadata:", "name: web", "spec:",
               "containers:", "groups:", "rules:", "slos:", "items:", "- ", "  ", "    ", "\t", "key:", "key: value",
               ": ", "&a ", "*a", "<<: *a", "!!binary ", "!!str ", "!!python/object:os.system ", "!Ref ", "|", ">-",
               "|2+", "---", "...", "{", "}", "[", "]", ",", '"', "'", "%YAML 1.2", "%TAG ! tag:x,2000:", "? ",
               "#", "# prc:ignore PRC-K8S-001 reason", "{{ .Values.x }}", "0x1F", "1e400", ".nan", "~", "null",
               "2026-01-01", "=", "\\", "\u2028", "\ufeff", "\n", "\n", "\n"]
PLAN = {"format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
             "values": {"policy": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
                        "tags": {"service": "web"}}},
            {"address": "aws_autoscaling_group.g[0]", "mode": "managed", "type": "aws_autoscaling_group", "name": "g",
             "index": 0, "values": {"min_size": 1, "max_size": 3, "availability_zones": ["a"]}}],
            "child_modules": [{"address": "module.m", "resources": [
                {"address": "module.m.aws_instance.i", "mode": "managed", "type": "aws_instance", "name": "i",
                 "values": {"metadata_options": [{"http_tokens": "required"}]}}]}]}},
        "resource_changes": [{"address": "aws_iam_policy.p", "change": {"actions": ["create"],
                                                                         "after_unknown": {"arn": True}}}],
        "configuration": {"root_module": {}}}


@FUZZ
@given(tokens=st.lists(st.sampled_from(YAML_TOKENS), max_size=40),
       separators=st.lists(st.sampled_from([" ", "", "\n", "\n  ", "\n- "]), min_size=40, max_size=40))
def test_yaml_ish_token_soup(workdir, tokens, separators):
    text = "".join(t + s for t, s in zip(tokens, separators))
    scan_files(workdir, {"k8s/soup.yaml": text, "k8s/kustomization.yaml": "resources: [soup.yaml]\n" + text})


@FUZZ
@given(data=st.data())
def test_terraform_plans_with_wrong_types_anywhere(workdir, data):
    plan = data.draw(mutated(PLAN))
    scan_files(workdir, {"infra/plan.tfplan.json": json.dumps(_json_safe(plan))})


# --------------------------------------------------------------------------- regressions the fuzzing found


def test_conditional_on_an_unknown_value_with_an_unresolvable_branch_is_unresolved(workdir):
    """`"${var.x}" ? jsonencode() : null` in a tfvars file: the condition is unknown and one branch cannot be
    evaluated; the evaluator asked `not find_unresolved(branch)`, and an Unresolved refuses to be a boolean, so
    the whole scan died with TypeError. The value is now simply unknown."""
    from prc.loaders.terraform_eval import Scope, SourceText, Unresolved, evaluate
    from prc.loaders.terraform_hcl import parse_expression

    text = '"${var.x}" ? jsonencode() : null'
    value = evaluate(parse_expression(text), Scope(None, SourceText("terraform.tfvars", text)))
    assert isinstance(value, Unresolved)
    scan_files(workdir, {"infra/main.tf": 'resource "aws_iam_policy" "this" {\n}\n',
                         "infra/terraform.tfvars": f"x = {text}\n"})


def _plan_with(change_after_unknown=None, **resource_fields) -> str:
    plan = json.loads(json.dumps(PLAN))
    plan["planned_values"]["root_module"]["resources"][1].update(resource_fields)
    if change_after_unknown is not None:
        plan["resource_changes"][0]["change"]["after_unknown"] = change_after_unknown
    return json.dumps(plan)


@pytest.mark.parametrize("plan", [
    # `after_unknown` not an object: applied to the whole resource it replaced its values with an Unresolved
    # (AttributeError: no `line`) or a list (AttributeError: no `get`), and the scan died.
    _plan_with(change_after_unknown=True),
    _plan_with(change_after_unknown=[None]),
    # An instance `index` that is a list: unhashable as an instance key (TypeError).
    _plan_with(index=[]),
    _plan_with(index={"a": 1}),
    # A `mode` that is not a string; `resources` and `child_modules` that are not arrays (TypeError: not iterable).
    _plan_with(mode={"": None}),
    json.dumps({**PLAN, "planned_values": {"root_module": {"resources": 5, "child_modules": 7}}}),
    json.dumps({**PLAN, "resource_changes": 3}),
], ids=["after-unknown-true", "after-unknown-list", "index-list", "index-object", "mode-object",
        "resources-number", "changes-number"])
def test_a_hand_edited_plan_with_wrong_types_is_read_not_fatal(workdir, plan):
    report = scan_files(workdir, {"infra/plan.tfplan.json": plan})
    assert report.files_scanned == 1


def test_plan_fields_of_the_wrong_type_fall_back_to_the_address():
    from prc.loaders.terraform_plan import read_plan

    text = _plan_with(change_after_unknown=True, index=[], mode=5)
    plan = read_plan("plan.tfplan.json", text, json.loads(text))
    asg = next(r for r in plan.resources if r.type == "aws_autoscaling_group")
    assert (asg.index, asg.mode, asg.block_address) == (0, "managed", "aws_autoscaling_group.g")
    policy = next(r for r in plan.resources if r.type == "aws_iam_policy")
    assert policy.values["tags"] == {"service": "web"}  # `after_unknown: true` ignored, the values kept


def test_checks_do_not_use_an_unknown_terraform_value_as_a_boolean(workdir):
    """Found by bench/robust_tree.py at 10,000 files: with a service's variables.tf unreadable, `var.name` was
    undeclared, so an initial_lifecycle_hook's name was Unresolved and PRC-TF-010 crashed on `name or index`;
    an `ebs` attribute that is Unresolved crashed PRC-TF-101 on `ebs or []` the same way."""
    main_tf = """
resource "aws_lb_target_group" "tg" {
  name = "tg"
}
resource "aws_autoscaling_group" "g" {
  name              = "g"
  min_size          = 2
  max_size          = 4
  target_group_arns = [aws_lb_target_group.tg.arn]
  initial_lifecycle_hook {
    name                 = "${var.name}-drain"
    lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
  }
}
resource "aws_launch_template" "lt" {
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs         = var.undeclared
  }
}
"""
    report = scan_files(workdir, {"infra/main.tf": main_tf})
    by_check = {(r.check.id, r.target.name): r for r in report.results}
    assert by_check[("PRC-TF-010", "aws_autoscaling_group.g")].status is Status.PASS
    assert by_check[("PRC-TF-101", "aws_launch_template.lt")].status is Status.UNKNOWN
