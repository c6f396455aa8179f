#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo of N services with every kind of file prc reads.

    python3 bench/gen_monorepo.py --files 1000 --out /tmp/monorepo [--seed 0]

Writes exactly --files files (every file counts: YAML, .tf, .tfvars,
Dockerfiles, runbooks) under --out, laid out as a platform team's monorepo:

    modules/app_asg/*.tf                     the local Terraform module of gen_tf_tree.py
    services/svc-NNNN/k8s/*.yaml             gen_k8s_tree.py: Deployments, StatefulSets,
                                             DaemonSets, Jobs, CronJobs, Services, PDBs,
                                             HPAs, ServiceMonitors, RBAC, `kind: List`
    services/svc-NNNN/terraform/*.tf         gen_tf_tree.py (about 60% of services):
                                             IAM roles and policy documents three ways,
                                             instances or the ASG module, alarms, RDS...
    services/svc-NNNN/Dockerfile             multi-stage, pinned or not, USER or not
    services/svc-NNNN/monitoring/alerts.yaml Prometheus rule file (about 70%), or a
    services/svc-NNNN/k8s/prometheusrule.yaml  PrometheusRule object (about 15%)
    services/svc-NNNN/slo/*.yaml             an SLO in prc's format, OpenSLO or Sloth (about 60%)
    services/svc-NNNN/docs/runbook.md        (about 50%; read by the runbook check, not parsed)

The Kubernetes and Terraform parts come from gen_k8s_tree.service_files and
gen_tf_tree.service_files (imported, not copied), so their good/bad mix and
defects are the ones those generators document. The generators share one
random.Random(seed): the same --files/--seed give byte-identical output on any
machine. The last service may be cut short to hit exactly --files. Stdlib
only; nothing is written outside --out (which must be empty or absent).
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_k8s_tree  # noqa: E402
import gen_tf_tree  # noqa: E402

BASES = [
    ("golang:1.22.5-alpine3.20", "alpine:3.20.2", "go build -trimpath -o /out/app ./cmd/app"),
    ("node:20.15-bookworm-slim", "node:20.15-bookworm-slim", "npm ci && npm run build"),
    ("python:3.12.4-slim", "python:3.12.4-slim", "pip wheel --no-deps -w /out ."),
    ("eclipse-temurin:21-jdk", "eclipse-temurin:21-jre", "./gradlew --no-daemon bootJar"),
]


def _digest(rng):
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def dockerfile(rng, svc, bad):
    build, runtime, step = rng.choice(BASES)
    pin = "" if bad and rng.random() < 0.5 else f"@sha256:{_digest(rng)}"
    lines = [
        f"# {svc}: built by CI, deployed from k8s/",
        "ARG VERSION=dev",
        f"FROM {build}{pin} AS build",
        "WORKDIR /src",
        "COPY . .",
        "RUN --mount=type=cache,target=/root/.cache \\",
        f"    {step} \\",
        "    && echo built ${VERSION}",
        f"FROM {'ubuntu:latest' if bad and rng.random() < 0.3 else runtime + pin} AS runtime",
    ]
    if not bad or rng.random() < 0.5:
        lines += ["RUN groupadd -r -g 10001 app && useradd -r -u 10001 -g app app"]
    lines += ["COPY --from=build /out /app", "WORKDIR /app"]
    if not bad or rng.random() < 0.5:
        lines += ["USER 10001:10001"]
    lines += [f"EXPOSE {rng.choice([8080, 8000, 3000, 9000])}"]
    if not bad or rng.random() < 0.5:
        lines += ["HEALTHCHECK --interval=10s --timeout=2s CMD [\"/app/healthcheck\"]"]
    lines += ['ENTRYPOINT ["/app/run"]' if not bad or rng.random() < 0.5 else "CMD /app/run serve"]
    return "\n".join(lines) + "\n"


def _rules(rng, svc, bad):
    """A rule group: recording rules and multiwindow burn-rate alerts, plus plain alerts."""
    job = f'job="{svc}"'
    rules = [
        {"record": "slo:sli_error:ratio_rate5m",
         "expr": f'sum(rate(http_requests_total{{{job},code=~"5.."}}[5m])) / '
                 f'sum(rate(http_requests_total{{{job}}}[5m]))',
         "labels": {"service": svc}},
        {"record": "slo:sli_error:ratio_rate1h",
         "expr": f'sum(rate(http_requests_total{{{job},code=~"5.."}}[1h])) / '
                 f'sum(rate(http_requests_total{{{job}}}[1h]))',
         "labels": {"service": svc}},
        {"alert": f"{svc}-ErrorBudgetBurn",
         "expr": f'slo:sli_error:ratio_rate1h{{service="{svc}"}} > (14.4 * 0.001) '
                 f'and slo:sli_error:ratio_rate5m{{service="{svc}"}} > (14.4 * 0.001)',
         "for": "2m", "labels": {"severity": "page"},
         "annotations": {"summary": f"{svc} is burning its error budget",
                         "runbook_url": "../docs/runbook.md" if rng.random() < 0.5
                         else f"https://runbooks.example.com/{svc}"}},
        {"alert": f"{svc}-Down", "expr": f"up{{{job}}} == 0", "for": "5m",
         "labels": {"severity": "critical"}, "annotations": {"summary": f"{svc} is down"}},
    ]
    if bad:
        rules.append({"alert": f"{svc}-HighLatency",
                      "expr": f"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket"
                              f"{{{job}}}[5m]))) > 1",
                      "labels": {"severity": rng.choice(["warning", "P3"])}})
    return {"name": svc, "rules": rules}


def alert_file(rng, svc, team, bad):
    group = _rules(rng, svc, bad)
    if rng.random() < 0.18:
        obj = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
               "metadata": {"name": f"{svc}-rules", "labels": {"app.kubernetes.io/name": svc, "team": team}},
               "spec": {"groups": [group]}}
        return "k8s/prometheusrule.yaml", gen_k8s_tree.to_yaml(obj)
    return "monitoring/alerts.yaml", gen_k8s_tree.to_yaml({"groups": [group]})


def slo_file(rng, svc, team, bad):
    flavour = rng.choices(["prc", "openslo", "sloth"], [60, 25, 15])[0]
    target = rng.choice([99.0, 99.5, 99.9, 99.95])
    bad_q = f'sum(rate(http_requests_total{{job="{svc}",code=~"5.."}}[{{{{window}}}}]))'
    total_q = f'sum(rate(http_requests_total{{job="{svc}"}}[{{{{window}}}}]))'
    if flavour == "prc":
        doc = {"apiVersion": "prc.dev/v1", "kind": "SLO", "service": svc,
               "description": f"{svc} requests that do not fail", "owner": f"team-{team}"}
        if not bad:
            doc.update({"approver": f"lead@{team}.example.com", "created": "2026-05-04", "approved": "2026-05-20",
                        "nextReview": "2027-05-20",
                        "errorBudgetPolicy": {"url": f"https://wiki.example.com/{team}/error-budget",
                                              "whenExhausted": ["Freeze feature releases until the budget is positive"],
                                              "escalation": ["The on-call opens a budget review"]}})
        doc["slos"] = [{"name": "availability", "target": target, "window": "28d",
                        "sli": {"ratio": {"bad": bad_q, "total": total_q}}}]
        return "slo/availability.slo.yaml", gen_k8s_tree.to_yaml(doc)
    if flavour == "openslo":
        q = 'sum(rate(http_requests_total{job="%s"%s}[5m]))'
        doc = {"apiVersion": "openslo/v1", "kind": "SLO",
               "metadata": {"name": f"{svc}-availability", "labels": {"team": team},
                            "annotations": {"prc.dev/owner": f"team-{team}"}},
               "spec": {"service": svc, "description": f"{svc} availability", "budgetingMethod": "Occurrences",
                        "timeWindow": [{"duration": "28d", "isRolling": True}],
                        "indicator": {"metadata": {"name": f"{svc}-errors"}, "spec": {"ratioMetric": {
                            "counter": True,
                            "bad": {"metricSource": {"type": "Prometheus",
                                                     "spec": {"query": q % (svc, ',code=~"5.."')}}},
                            "total": {"metricSource": {"type": "Prometheus", "spec": {"query": q % (svc, "")}}}}}},
                        "objectives": [{"displayName": "availability", "target": target / 100}]}}
        return "slo/openslo.yaml", gen_k8s_tree.to_yaml(doc)
    doc = {"version": "prometheus/v1", "service": svc, "labels": {"owner": f"team-{team}"},
           "slos": [{"name": "requests-availability", "objective": target,
                     "sli": {"events": {
                         "error_query": f'sum(rate(http_requests_total{{job="{svc}",code=~"5.."}}[{{{{.window}}}}]))',
                         "total_query": f'sum(rate(http_requests_total{{job="{svc}"}}[{{{{.window}}}}]))'}},
                     "alerting": {"name": f"{svc}HighErrorRate", "page_alert": {"labels": {"severity": "page"}},
                                  "ticket_alert": {"labels": {"severity": "ticket"}}}}]}
    return "slo/sloth.yaml", gen_k8s_tree.to_yaml(doc)


def runbook(svc):
    return f"# {svc} runbook\n\n## Alerts\n\nCheck the dashboard, then the last deploy; roll back if needed.\n"


def service_files(rng, idx, verdicts=None):
    """[(relative path, text)] of service number idx: its manifests, maybe Terraform, a Dockerfile, maybe alert
    rules, an SLO and a runbook. verdicts gets {svc: {"k8s": [...], "tf": [...], "bad": bool}}."""
    k8s_verdicts, tf_verdicts = {}, {}
    files = list(gen_k8s_tree.service_files(rng, idx, k8s_verdicts))
    svc = f"svc-{idx:04d}"
    if rng.random() < 0.6:
        files += gen_tf_tree.service_files(rng, idx, tf_verdicts)
    team = rng.choice(gen_k8s_tree.TEAMS)
    bad = bool(k8s_verdicts.get(svc) or tf_verdicts.get(svc))
    base = f"services/{svc}/"
    files.append((base + "Dockerfile", dockerfile(rng, svc, bad)))
    if rng.random() < 0.85:
        name, text = alert_file(rng, svc, team, bad)
        files.append((base + name, text))
    if rng.random() < 0.6:
        name, text = slo_file(rng, svc, team, bad)
        files.append((base + name, text))
    if not bad or rng.random() < 0.3:
        files.append((base + "docs/runbook.md", runbook(svc)))
    if verdicts is not None:
        verdicts[svc] = {"k8s": k8s_verdicts.get(svc, []), "tf": tf_verdicts.get(svc), "bad": bad}
    return files


def generate(n_files, seed, verdicts=None):
    """[(relative path, text)]: exactly n_files files, the shared Terraform module first."""
    rng = random.Random(seed)
    out = list(gen_tf_tree.MODULE_FILES)[:n_files]
    idx = 0
    while len(out) < n_files:
        out.extend(service_files(rng, idx, verdicts))
        idx += 1
    return out[:n_files]


def main(argv=None):
    args = gen_k8s_tree.tree_arguments(argv, __doc__.split("\n\n")[0],
                                       "number of files to write (every kind counts)")
    files = generate(args.files, args.seed)
    out = args.out
    gen_k8s_tree.write_tree(out, files)
    kinds = {}
    for rel, _ in files:
        name = os.path.basename(rel)
        kind = ("terraform" if name.endswith((".tf", ".tfvars")) else "dockerfile" if name == "Dockerfile"
                else "yaml" if name.endswith(".yaml") else "other")
        kinds[kind] = kinds.get(kind, 0) + 1
    services = len({rel.split("/")[1] for rel, _ in files if rel.startswith("services/")})
    print(f"wrote {len(files)} files ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
          f"of {services} services to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
