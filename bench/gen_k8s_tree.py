#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo of Kubernetes manifests.

    python3 bench/gen_k8s_tree.py --files 2000 --out /tmp/k8s-tree [--seed 0]

Writes exactly --files YAML files under --out, laid out as
``services/svc-NNNN/k8s/<name>.yaml``.  Roughly half of the services are
"good": distinct liveness/readiness probes, requests and limits, a hardened
securityContext, preStop hook, minReadySeconds, zone spread, owner label,
tracing env, native sidecars, pinned images, secrets from secretKeyRef, and
PDB/HPA/ServiceMonitor present.  The other half carry 1-5 random defects from
DEFECTS.  generate(n, seed, verdicts) also fills verdicts with
{service: [defects]} ([] = good), to check a scanner against.  The last
service may be cut short to hit exactly --files.

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
DEFECTS = ["no_liveness", "no_readiness", "same_probe_endpoint", "no_resources",
           "no_limits", "latest_tag", "untagged_image", "privileged",
           "run_as_root", "no_security_context", "literal_secret",
           "no_prestop", "single_replica", "host_network", "host_path",
           "privilege_escalation", "sys_admin", "wildcard_rbac", "no_pdb",
           "no_hpa", "no_monitor", "docker_hub_image", "no_min_ready",
           "no_tracing", "no_zone_spread", "no_owner", "sidecar_in_containers"]
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


def _probe(rng, handler, failures=3):
    return {**handler, "initialDelaySeconds": rng.choice([5, 10, 15]),
            "periodSeconds": rng.choice([10, 15, 20]),
            "timeoutSeconds": rng.choice([1, 2, 3]), "failureThreshold": failures}


def _resources(rng, bad):
    if "no_resources" in bad:
        return None
    mem = rng.choice(["64Mi", "128Mi", "256Mi", "512Mi"])
    res = {"requests": {"cpu": rng.choice(["50m", "100m", "250m", "500m"]), "memory": mem}}
    if "no_limits" not in bad:
        res["limits"] = {"cpu": rng.choice(["500m", "1", "2"]),
                         "memory": mem if not bad else rng.choice([mem, "1Gi"])}
    return res


def _security_context(rng, bad):
    if "no_security_context" in bad:
        return None
    sc = {"runAsNonRoot": "run_as_root" not in bad,
          "runAsUser": 0 if "run_as_root" in bad else 10000 + rng.randint(0, 999),
          "allowPrivilegeEscalation": "privilege_escalation" in bad,
          "readOnlyRootFilesystem": "privileged" not in bad,
          "capabilities": {"drop": ["ALL"]}}
    if "privileged" in bad:
        sc["privileged"] = True
    if "sys_admin" in bad:
        sc["capabilities"]["add"] = ["SYS_ADMIN", "NET_ADMIN"]
    return sc


def _container(rng, svc, port, bad):
    """The app container of a pod."""
    c = {"name": svc, "image": _image(rng, svc, bad),
         "imagePullPolicy": rng.choice(["IfNotPresent", "Always"]),
         "args": ["--port", str(port), "--log-format=json"],
         "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"},
                   {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]}
    env = [{"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
           {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "DATABASE_HOST", "value": f"{svc}-db.internal"}]
    if "literal_secret" in bad:
        env.append({"name": rng.choice(["DB_PASSWORD", "API_KEY", "AWS_SECRET_ACCESS_KEY"]),
                    "value": _hex(rng, 24)})
    else:
        env.append({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
            "name": f"{svc}-db", "key": "password"}}})
    if "no_tracing" not in bad:
        env += [{"name": "OTEL_SERVICE_NAME", "value": svc},
                {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.observability:4317"}]
    c["env"] = env
    res = _resources(rng, bad)
    if res:
        c["resources"] = res
    ready = {"httpGet": {"path": "/ready", "port": "http"}}
    live = rng.choice([{"httpGet": {"path": "/livez", "port": "http"}}, {"tcpSocket": {"port": "http"}}])
    if "same_probe_endpoint" in bad:
        live = ready
    if "no_liveness" not in bad:
        c["livenessProbe"] = _probe(rng, live)
    if "no_readiness" not in bad:
        c["readinessProbe"] = _probe(rng, ready)
    if rng.random() < 0.4:
        c["startupProbe"] = _probe(rng, live, failures=30)
    if "no_prestop" not in bad:
        c["lifecycle"] = {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}}
    sc = _security_context(rng, bad)
    if sc:
        c["securityContext"] = sc
    c["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}]
    return c


def _helper(rng, name, image, command, bad):
    """An init container or a log-shipping sidecar."""
    c = {"name": name, "image": _image(rng, image, bad)}
    if command:
        c["command"] = command
    res = _resources(rng, bad)
    if res:
        c["resources"] = res
    sc = _security_context(rng, bad)
    if sc:
        c["securityContext"] = sc
    return c


def _meta(svc, team, name=None, extra_labels=None, owner=True):
    labels = {"app.kubernetes.io/name": svc, "app.kubernetes.io/part-of": team,
              "app.kubernetes.io/managed-by": "kustomize"}
    if owner:
        labels["team"] = team
    labels.update(extra_labels or {})
    return {"name": name or svc, "namespace": team, "labels": labels}


def _pod_template(rng, svc, team, bad, spread=True):
    port = rng.choice([8080, 8000, 3000, 9000])
    spec = {"serviceAccountName": svc,
            "terminationGracePeriodSeconds": rng.choice([30, 45, 60]),
            "containers": [_container(rng, svc, port, bad)],
            "volumes": [{"name": "config", "configMap": {"name": f"{svc}-config"}},
                        {"name": "tmp", "emptyDir": {}}]}
    inits = []
    if rng.random() < 0.2:
        inits.append(_helper(rng, "wait-for-db", "tools/wait-for", [
            "/bin/sh", "-c", f"until nc -z {svc}-db 5432; do sleep 2; done"], bad))
    if rng.random() < 0.3:
        shipper = _helper(rng, "log-shipper", "fluent-bit", None,
                          [d for d in bad if d != "literal_secret"])
        if "sidecar_in_containers" in bad:
            spec["containers"].append(shipper)
        else:  # native sidecar: starts before and stops after the app
            shipper["restartPolicy"] = "Always"
            inits.append(shipper)
    if inits:
        spec["initContainers"] = inits
    if "no_security_context" not in bad:
        spec["securityContext"] = {"fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}}
    if "host_network" in bad:
        spec["hostNetwork"] = True
    if "host_path" in bad:
        spec["volumes"].append({"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock"}})
    own = {"matchLabels": {"app.kubernetes.io/name": svc}}
    if spread and "no_zone_spread" not in bad:
        spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                              "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": own}]
    if rng.random() < 0.5:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": own,
                                                "topologyKey": "kubernetes.io/hostname"}}]}}
    labels = {"app.kubernetes.io/name": svc}
    if "no_owner" not in bad:
        labels["team"] = team
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
    return {"metadata": {"labels": labels, "annotations": annotations}, "spec": spec}, port


def workload(rng, kind, svc, team, bad):
    tmpl, port = _pod_template(rng, svc, team, bad, spread=kind != "DaemonSet")
    spec = {"selector": {"matchLabels": {"app.kubernetes.io/name": svc}}, "template": tmpl}
    if kind in ("Deployment", "StatefulSet"):
        replicas = 1 if "single_replica" in bad else rng.choice([2, 3, 3, 4, 6])
        spec = {"replicas": replicas, "revisionHistoryLimit": 5, **spec}
    if "no_min_ready" not in bad:
        spec["minReadySeconds"] = rng.choice([10, 15, 30])
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
    meta = _meta(svc, team, owner="no_owner" not in bad)
    meta["annotations"] = {"runbook": f"https://runbooks.corp.example/{team}/{svc}"}
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
    tmpl, _ = _pod_template(rng, svc, team, bad, spread=False)
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
            "metadata": _meta(svc, team, f"{svc}-migrate", owner="no_owner" not in bad),
            "spec": job_spec(rng, svc, team, bad, "migrate")}


def cronjob(rng, svc, team, bad, what):
    spec = {"schedule": f"{rng.randint(0, 59)} {rng.randint(0, 23)} * * *",
            "concurrencyPolicy": rng.choice(["Forbid", "Replace", "Allow"]),
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": job_spec(rng, svc, team, bad, what)}}
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": _meta(svc, team, f"{svc}-{what}", owner="no_owner" not in bad),
            "spec": spec}


# --------------------------------------------------------------------------
# One service = a handful of files
# --------------------------------------------------------------------------

def service_files(rng, idx, verdicts=None):
    """Return [(relative path, text)] for service number idx; note good/bad in verdicts."""
    team = rng.choice(TEAMS)
    svc = f"svc-{idx:04d}"
    good = rng.random() < 0.5
    bad = [] if good else rng.sample(DEFECTS, rng.randint(1, 5))
    if verdicts is not None:
        verdicts[svc] = bad
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
    if kind == "Deployment" and "no_hpa" not in bad and (good or rng.random() < 0.3):
        files.append(("hpa.yaml", to_yaml(hpa(rng, svc, team, kind))))
    if "no_monitor" not in bad and (good or rng.random() < 0.3):
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


def generate(n_files, seed, verdicts=None):
    """[(relative path, text)] of the tree; verdicts (a dict) gets {service: [defects]}."""
    rng = random.Random(seed)
    out, idx = [], 0
    while len(out) < n_files:
        out.extend(service_files(rng, idx, verdicts))
        idx += 1
    return out[:n_files]


def tree_arguments(argv, description, files_help):
    """--files, --out (empty or absent) and --seed, as every generator in bench/ takes them."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--files", type=int, required=True, help=files_help)
    ap.add_argument("--out", required=True, help="output directory (must be empty or absent)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.files < 0:
        ap.error("--files must be >= 0")
    args.out = os.path.abspath(args.out)
    if os.path.exists(args.out) and os.listdir(args.out):
        ap.error(f"{args.out} exists and is not empty")
    return args


def write_tree(out, files):
    """Write [(relative path, text)] under out, with Unix line ends whatever the platform."""
    os.makedirs(out, exist_ok=True)
    for rel, text in files:
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def main(argv=None):
    args = tree_arguments(argv, __doc__.split("\n\n")[0], "number of YAML files to write")
    files = generate(args.files, args.seed)
    write_tree(args.out, files)
    print(f"wrote {len(files)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
