#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo of Kubernetes manifests.

    python3 bench/gen_k8s_tree.py --files 2000 --out /tmp/k8s-tree [--seed 0]

Writes exactly --files YAML files under --out, laid out as
``services/svc-NNNN/k8s/<name>.yaml``.  Roughly half of the services are
"good" (probes, resources, securityContext, preStop hook, pinned images,
secrets from secretKeyRef, PDB/HPA/ServiceMonitor present); the other half
carry a random handful of typical defects.

Only the standard library is used; YAML is emitted by a tiny block-style
writer below, so the output is byte-identical for the same arguments on any
machine.  All randomness comes from one random.Random(seed).  Nothing is
written outside --out.
"""

import argparse
import json
import os
import random
import re
import sys

# --------------------------------------------------------------------------
# Minimal YAML emitter (block style, dicts keep insertion order)
# --------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@=+-]*(?::[A-Za-z0-9_./@=+-]+)*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if v == {}:
        return "{}"
    if v == []:
        return "[]"
    s = str(v)
    if _PLAIN.match(s) and s.lower() not in _RESERVED:
        return s
    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


def _emit(v, ind, out):
    pad = " " * ind
    if isinstance(v, dict):
        for k, val in v.items():
            key = _scalar(k)
            if isinstance(val, (dict, list)) and val:
                out.append(f"{pad}{key}:")
                _emit(val, ind + 2, out)
            elif isinstance(val, str) and val.endswith("\n") and "\n" in val[:-1]:
                out.append(f"{pad}{key}: |")
                out.extend(f"{pad}  {line}" if line else "" for line in val[:-1].split("\n"))
            else:
                out.append(f"{pad}{key}: {_scalar(val)}")
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, dict) and item:
                sub = []
                _emit(item, ind + 2, sub)
                sub[0] = f"{pad}- {sub[0][ind + 2:]}"
                out.extend(sub)
            else:
                out.append(f"{pad}- {_scalar(item)}")
    else:
        out.append(pad + _scalar(v))


def to_yaml(*docs):
    """One or more documents; several are separated by '---'."""
    parts = []
    for doc in docs:
        lines = []
        _emit(doc, 0, lines)
        parts.append("\n".join(lines) + "\n")
    return "---\n".join(parts)


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------

TEAMS = ["payments", "search", "identity", "platform", "growth", "ledger",
         "catalog", "checkout", "notifications", "data", "ml", "edge"]
WORDS = ["api", "worker", "gateway", "indexer", "sync", "billing", "auth",
         "events", "ingest", "render", "scheduler", "cache", "router",
         "export", "profile", "orders", "inventory", "mailer", "audit", "feed"]
DEFECTS = ["no_liveness", "no_readiness", "no_startup", "no_resources",
           "no_limits", "latest_tag", "untagged_image", "privileged",
           "run_as_root", "no_security_context", "literal_secret",
           "no_prestop", "single_replica", "host_network", "host_path",
           "privilege_escalation", "sys_admin", "wildcard_rbac", "no_pdb",
           "no_hpa", "no_monitor", "docker_hub_image"]
REGISTRY = "registry.corp.example/"


def _hex(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _image(rng, name, bad):
    if "latest_tag" in bad:
        return f"{REGISTRY}{name}:latest"
    if "untagged_image" in bad:
        return f"{REGISTRY}{name}"
    if "docker_hub_image" in bad:
        return rng.choice(["nginx", "redis:7", "busybox", "python:3.12-slim"])
    tag = f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    if rng.random() < 0.5:
        return f"{REGISTRY}{name}:{tag}@sha256:{_hex(rng, 64)}"
    return f"{REGISTRY}{name}:{tag}"


def _probe(rng, kind, port):
    if kind == "http":
        handler = {"httpGet": {"path": rng.choice(["/healthz", "/ready", "/livez"]),
                               "port": port}}
    elif kind == "tcp":
        handler = {"tcpSocket": {"port": port}}
    else:
        handler = {"exec": {"command": ["/bin/sh", "-c", "test -f /tmp/healthy"]}}
    handler.update({"initialDelaySeconds": rng.choice([5, 10, 15]),
                    "periodSeconds": rng.choice([10, 15, 20]),
                    "timeoutSeconds": rng.choice([1, 2, 3]),
                    "failureThreshold": 3})
    return handler


def _container(rng, name, image_name, port, bad, sidecar=False):
    c = {"name": name, "image": _image(rng, image_name, bad),
         "imagePullPolicy": rng.choice(["IfNotPresent", "Always"])}
    if not sidecar:
        c["args"] = ["--port", str(port), "--log-format=json"]
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"},
                      {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]
    env = [{"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
           {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    if not sidecar:
        env.append({"name": "DATABASE_HOST", "value": f"{image_name}-db.internal"})
        if "literal_secret" in bad:
            env.append({"name": rng.choice(["DB_PASSWORD", "API_KEY", "AWS_SECRET_ACCESS_KEY"]),
                        "value": _hex(rng, 24)})
        else:
            env.append({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
                "name": f"{image_name}-db", "key": "password"}}})
    c["env"] = env
    if "no_resources" not in bad:
        cpu = rng.choice(["50m", "100m", "250m", "500m"])
        mem = rng.choice(["64Mi", "128Mi", "256Mi", "512Mi"])
        c["resources"] = {"requests": {"cpu": cpu, "memory": mem}}
        if "no_limits" not in bad:
            c["resources"]["limits"] = {"cpu": rng.choice(["500m", "1", "2"]),
                                        "memory": rng.choice(["256Mi", "512Mi", "1Gi"])}
    if not sidecar:
        kind = rng.choice(["http", "http", "tcp", "exec"])
        if "no_liveness" not in bad:
            c["livenessProbe"] = _probe(rng, kind, port)
        if "no_readiness" not in bad:
            c["readinessProbe"] = _probe(rng, kind, port)
        if "no_startup" not in bad and rng.random() < 0.6:
            c["startupProbe"] = _probe(rng, kind, port)
        if "no_prestop" not in bad:
            c["lifecycle"] = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}}
    if "no_security_context" not in bad:
        sc = {"runAsNonRoot": "run_as_root" not in bad,
              "allowPrivilegeEscalation": "privilege_escalation" in bad,
              "readOnlyRootFilesystem": "privileged" not in bad,
              "capabilities": {"drop": ["ALL"]}}
        if "run_as_root" in bad:
            sc["runAsUser"] = 0
        else:
            sc["runAsUser"] = 10000 + rng.randint(0, 999)
        if "privileged" in bad:
            sc["privileged"] = True
        if "sys_admin" in bad:
            sc["capabilities"]["add"] = ["SYS_ADMIN", "NET_ADMIN"]
        c["securityContext"] = sc
    c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}]
    return c


def _meta(svc, team, name=None, extra_labels=None):
    labels = {"app.kubernetes.io/name": svc, "app.kubernetes.io/part-of": team,
              "app.kubernetes.io/managed-by": "kustomize"}
    labels.update(extra_labels or {})
    return {"name": name or svc, "namespace": team, "labels": labels}


def _pod_template(rng, svc, team, bad):
    port = rng.choice([8080, 8000, 3000, 9000])
    containers = [_container(rng, svc, svc, port, bad)]
    if rng.random() < 0.3:
        containers.append(_container(rng, "log-shipper", "fluent-bit", 2020,
                                     [d for d in bad if d != "literal_secret"], sidecar=True))
    spec = {"serviceAccountName": svc,
            "terminationGracePeriodSeconds": rng.choice([30, 45, 60]),
            "containers": containers,
            "volumes": [{"name": "config", "configMap": {"name": f"{svc}-config"}},
                        {"name": "tmp", "emptyDir": {}}]}
    if rng.random() < 0.2:
        spec["initContainers"] = [{"name": "wait-for-db", "image": _image(rng, "tools/wait-for", bad),
                                   "command": ["/bin/sh", "-c", f"until nc -z {svc}-db 5432; do sleep 2; done"]}]
    if "no_security_context" not in bad:
        spec["securityContext"] = {"fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}}
    if "host_network" in bad:
        spec["hostNetwork"] = True
    if "host_path" in bad:
        spec["volumes"].append({"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock"}})
    if rng.random() < 0.5:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": svc}},
                "topologyKey": "kubernetes.io/hostname"}}]}}
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    return {"metadata": {"labels": {"app.kubernetes.io/name": svc}, "annotations": annotations},
            "spec": spec}, port


def workload(rng, kind, svc, team, bad):
    tmpl, port = _pod_template(rng, svc, team, bad)
    spec = {"selector": {"matchLabels": {"app.kubernetes.io/name": svc}}, "template": tmpl}
    if kind in ("Deployment", "StatefulSet"):
        replicas = 1 if "single_replica" in bad else rng.choice([2, 3, 3, 4, 6])
        spec = {"replicas": replicas, "revisionHistoryLimit": 5, **spec}
    if kind == "Deployment":
        spec["strategy"] = {"type": "RollingUpdate",
                            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
    elif kind == "StatefulSet":
        spec["serviceName"] = svc
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": rng.choice(["10Gi", "50Gi", "100Gi"])}}}}]
    else:  # DaemonSet
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
    meta = _meta(svc, team)
    meta["annotations"] = {"owner": f"team-{team}@corp.example",
                           "runbook": f"https://runbooks.corp.example/{team}/{svc}"}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}, port


def service(svc, team, port, name=None):
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(svc, team, name),
            "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": svc},
                     "ports": [{"name": "http", "port": 80, "targetPort": port},
                               {"name": "metrics", "port": 9090, "targetPort": 9090}]}}


def configmap(rng, svc, team):
    body = "".join(f"{k}: {rng.randint(1, 500)}\n" for k in
                   ("max_connections", "timeout_seconds", "pool_size", "retries"))
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(svc, team, f"{svc}-config"),
            "data": {"app.yaml": body, "FEATURE_FLAGS": "new-ui,fast-path"}}


def pdb(rng, svc, team):
    key, val = rng.choice([("minAvailable", 1), ("maxUnavailable", 1), ("minAvailable", "50%")])
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta(svc, team),
            "spec": {key: val, "selector": {"matchLabels": {"app.kubernetes.io/name": svc}}}}


def hpa(rng, svc, team, kind):
    lo = rng.choice([2, 3])
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": _meta(svc, team),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": svc},
                     "minReplicas": lo, "maxReplicas": lo * rng.choice([3, 5, 10]),
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization",
                                                   "averageUtilization": rng.choice([60, 70, 80])}}}]}}


def servicemonitor(rng, svc, team):
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": _meta(svc, team, extra_labels={"release": "prometheus"}),
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": svc}},
                     "endpoints": [{"port": "metrics", "path": "/metrics",
                                    "interval": rng.choice(["15s", "30s", "60s"])}]}}


def rbac(svc, team, bad):
    if "wildcard_rbac" in bad:
        rules = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
    else:
        rules = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]},
                 {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                  "verbs": ["get", "create", "update"]}]
    return [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(svc, team),
             "automountServiceAccountToken": "wildcard_rbac" in bad},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
             "metadata": _meta(svc, team), "rules": rules},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
             "metadata": _meta(svc, team),
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": svc},
             "subjects": [{"kind": "ServiceAccount", "name": svc, "namespace": team}]}]


def job_spec(rng, svc, team, bad, what):
    tmpl, _ = _pod_template(rng, svc, team, bad)
    c = tmpl["spec"]["containers"][0]
    for k in ("ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "args"):
        c.pop(k, None)
    c["name"] = what
    c["command"] = ["/app/bin/" + what, "--batch-size", str(rng.choice([100, 500, 1000]))]
    tmpl["spec"]["containers"] = [c]
    tmpl["spec"]["restartPolicy"] = rng.choice(["OnFailure", "Never"])
    spec = {"template": tmpl}
    if not bad or rng.random() < 0.5:  # bad services sometimes omit the limits
        spec = {"backoffLimit": rng.choice([2, 4, 6]), "activeDeadlineSeconds": 3600, **spec}
    return spec


def job(rng, svc, team, bad):
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": _meta(svc, team, f"{svc}-migrate"),
            "spec": job_spec(rng, svc, team, bad, "migrate")}


def cronjob(rng, svc, team, bad, what):
    spec = {"schedule": f"{rng.randint(0, 59)} {rng.randint(0, 23)} * * *",
            "concurrencyPolicy": rng.choice(["Forbid", "Replace", "Allow"]),
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": job_spec(rng, svc, team, bad, what)}}
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": _meta(svc, team, f"{svc}-{what}"), "spec": spec}


# --------------------------------------------------------------------------
# One service = a handful of files
# --------------------------------------------------------------------------

def service_files(rng, idx):
    """Return [(relative path, text)] for service number idx."""
    team = rng.choice(TEAMS)
    svc = f"svc-{idx:04d}"
    good = rng.random() < 0.5
    bad = [] if good else rng.sample(DEFECTS, rng.randint(1, 5))
    kind = rng.choices(["Deployment", "StatefulSet", "DaemonSet"], [75, 15, 10])[0]
    base = f"services/{svc}/k8s/"
    files = []

    wl, port = workload(rng, kind, svc, team, bad)
    if rng.random() < 0.25:  # workload + Service + ConfigMap in one multi-document file
        files.append((f"{kind.lower()}.yaml", to_yaml(wl, service(svc, team, port),
                                                       configmap(rng, svc, team))))
    else:
        files.append((f"{kind.lower()}.yaml", to_yaml(wl)))
        files.append(("service.yaml", to_yaml(service(svc, team, port))))
        if rng.random() < 0.4:
            files.append(("configmap.yaml", to_yaml(configmap(rng, svc, team))))
    if kind != "DaemonSet" and "no_pdb" not in bad and (good or rng.random() < 0.4):
        files.append(("pdb.yaml", to_yaml(pdb(rng, svc, team))))
    if kind == "Deployment" and "no_hpa" not in bad and rng.random() < (0.8 if good else 0.3):
        files.append(("hpa.yaml", to_yaml(hpa(rng, svc, team, kind))))
    if "no_monitor" not in bad and rng.random() < (0.85 if good else 0.3):
        files.append(("servicemonitor.yaml", to_yaml(servicemonitor(rng, svc, team))))
    if rng.random() < 0.5 or "wildcard_rbac" in bad:
        files.append(("rbac.yaml", to_yaml(*rbac(svc, team, bad))))
    if rng.random() < 0.2:
        files.append(("job-migrate.yaml", to_yaml(job(rng, svc, team, bad))))
    for what in rng.sample(["cleanup", "report", "reindex"], rng.choice([0, 0, 0, 1, 2])):
        files.append((f"cronjob-{what}.yaml", to_yaml(cronjob(rng, svc, team, bad, what))))
    if rng.random() < 0.12:
        items = [configmap(rng, svc, team), service(svc, team, port, f"{svc}-headless")]
        items[1]["spec"]["clusterIP"] = "None"
        files.append(("extras-list.yaml", to_yaml({"apiVersion": "v1", "kind": "List",
                                                    "items": items})))
    return [(base + name, text) for name, text in files]


def generate(n_files, seed):
    rng = random.Random(seed)
    out, idx = [], 0
    while len(out) < n_files:
        out.extend(service_files(rng, idx))
        idx += 1
    return out[:n_files]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, required=True, help="number of YAML files to write")
    ap.add_argument("--out", required=True, help="output directory (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.files < 0:
        ap.error("--files must be >= 0")
    out = os.path.abspath(args.out)
    if os.path.exists(out) and os.listdir(out):
        ap.error(f"{out} exists and is not empty")
    os.makedirs(out, exist_ok=True)
    files = generate(args.files, args.seed)
    for rel, text in files:
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    print(f"wrote {len(files)} files to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
