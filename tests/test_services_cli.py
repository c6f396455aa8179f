"""`prc services`: every service with the artifacts it gathered, and the rule that put each one there."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .test_cli import cli  # noqa: F401  (the in-process CLI fixture)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  labels: {app.kubernetes.io/name: cart}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/name: cart}}
  template:
    metadata: {labels: {app.kubernetes.io/name: cart}}
    spec:
      containers:
        - name: cart
          image: registry.example.com/cart:1.4.2
          ports: [{containerPort: 8080}]
"""

FILES = {
    "shop/cart/k8s/deployment.yaml": DEPLOYMENT,
    "shop/cart/k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: cart-http}\n"
                                  "spec: {selector: {app.kubernetes.io/name: cart}, ports: [{port: 80}]}\n",
    "shop/cart/terraform/cache.tf": 'resource "aws_elasticache_replication_group" "cart" {\n'
                                    '  replication_group_id = "cart"\n  tags = { Service = "cart" }\n}\n',
    "shop/orders/Dockerfile": 'FROM python:3.12.7-slim\nUSER 10001\nCMD ["python", "-m", "orders"]\n',
    "monitoring/rules.yaml": textwrap.dedent("""\
        groups:
          - name: shop
            rules:
              - alert: CartErrors
                expr: sum(rate(http_requests_total{job="cart-http",code=~"5.."}[5m])) > 1
                for: 5m
              - alert: OrdersDown
                expr: up == 0
                for: 5m
                labels: {service: orders}
              - alert: NodeDown
                expr: up{job="node-exporter"} == 0
                for: 5m
        """),
    "slo/orders.yaml": "apiVersion: prc.dev/v1\nkind: SLO\nservice: orders\nslos:\n"
                       "  - name: availability\n    target: 99.9\n    window: 28d\n",
    "monitoring/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: grafana-dashboards}\n",
}


def tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_each_artifact_is_listed_with_the_rule_that_placed_it(tmp_path, cli):
    done = cli("services", ".", cwd=tree(tmp_path, FILES))
    assert done.returncode == 0, done.stderr
    assert done.stdout == textwrap.dedent("""\
        cart  (tier standard, inferred, 4 artifacts)
          AlertRule/CartErrors                    monitoring/rules.yaml:4          its expression selects job="cart-http"
          Deployment/cart                         shop/cart/k8s/deployment.yaml:1  label app.kubernetes.io/name=cart
          Service/cart-http                       shop/cart/k8s/service.yaml:1     selects or targets Deployment/cart
          aws_elasticache_replication_group.cart  shop/cart/terraform/cache.tf:1   tag Service=cart

        orders  (tier standard, inferred, 3 artifacts)
          AlertRule/OrdersDown     monitoring/rules.yaml:7   its label service=orders
          shop/orders/Dockerfile   shop/orders/Dockerfile:1  its directory is named orders, a service
          SLO/orders/availability  slo/orders.yaml:1         its service field names orders

        (unassigned)  (2 artifacts, reported but never scored)
          ConfigMap/grafana-dashboards  monitoring/configmap.yaml:1  follows no workload and names no known service
          AlertRule/NodeDown            monitoring/rules.yaml:11     no declaration, label, selector or directory names a service
        """)


def test_a_declaration_wins_and_says_so(tmp_path, cli):
    root = tree(tmp_path, FILES)
    (root / ".prc.yaml").write_text("version: 1\nservices:\n  - name: storefront\n    tier: critical\n"
                                    "    paths: [\"shop/**\"]\n")
    done = cli("services", ".", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    storefront = next(s for s in found["services"] if s["name"] == "storefront")
    assert (storefront["tier"], storefront["declared"], storefront["location"]) == ("critical", True, ".prc.yaml:3")
    reasons = {(a["kind"], a["name"]): a["reason"] for a in storefront["artifacts"]}
    assert reasons[("Deployment", "cart")] == "declared in .prc.yaml: path shop/**"
    assert reasons[("Dockerfile", "shop/orders/Dockerfile")] == "declared in .prc.yaml: path shop/**"
    # The alert selects the Service's job, whose workload is now in storefront.
    assert reasons[("AlertRule", "CartErrors")] == 'its expression selects job="cart-http"'


def test_the_sample_services_show_their_alerts_and_slos(cli):
    repo = Path(__file__).resolve().parent.parent
    done = cli("services", "sample_services", cwd=repo)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("checkout  (tier critical, declared at .prc.yaml:6, ")
    burn = next(line for line in lines if "AlertRule/CheckoutErrorBudgetBurn " in line)
    # The declaration's paths are tried first, for a rule inside a PrometheusRule as for any artifact.
    assert burn.split()[1:] == ["checkout/k8s/prometheusrule.yaml:34", "declared", "in", ".prc.yaml:", "path",
                                "checkout/**"]
    assert any("SLO/checkout/availability" in line and "checkout/slo/checkout.slo.yaml" in line for line in lines)
    assert not any(line.startswith("(unassigned)") for line in lines)


def test_a_missing_path_is_a_usage_error(tmp_path, cli):
    done = cli("services", "nope", cwd=tmp_path)
    assert done.returncode == 2
    assert "nope: no such file or directory" in done.stderr
