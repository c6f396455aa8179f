"""Loading and linking Kubernetes objects, and grouping them into services."""

from __future__ import annotations

from prc.config import Config, ServiceDecl
from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link, selector_matches
from prc.services import UNASSIGNED, assign_services
from prc.targets import Workload

MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: cart}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: cart, tier: web}
    spec:
      serviceAccountName: cart
      containers:
        - name: app
          image: registry.example.com/cart:1.0.0
      initContainers:
        - name: proxy
          image: registry.example.com/proxy:1.0.0
          restartPolicy: Always
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {team: shop}}
spec:
  selector: {app.kubernetes.io/name: cart}
---
apiVersion: v1
kind: Service
metadata: {name: cart-elsewhere, namespace: other}
spec:
  selector: {app.kubernetes.io/name: cart}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: cart, namespace: shop}
spec:
  maxUnavailable: 1
  selector:
    matchExpressions:
      - {key: tier, operator: In, values: [web, api]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: cart, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: cart}
  minReplicas: 2
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: cart, namespace: monitoring}
spec:
  namespaceSelector: {matchNames: [shop]}
  selector: {matchLabels: {team: shop}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart.shop.svc.cluster.local]
  http:
    - route:
        - destination: {host: cart}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cart-reader, namespace: shop}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cart-reader, namespace: shop}
roleRef: {kind: Role, name: cart-reader, apiGroup: rbac.authorization.k8s.io}
subjects:
  - {kind: ServiceAccount, name: cart, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: misc}
"""


def _load(text=MANIFESTS, config=None):
    loaded = load_k8s_text("shop.yaml", text)
    assert loaded.problems == []
    link(loaded.objects)
    assign_services(loaded.objects, config or Config())
    return {(o.kind, o.name): o for o in loaded.objects}


def test_workload_is_linked_to_the_objects_that_select_or_target_it():
    objects = _load()
    cart: Workload = objects[("Deployment", "cart")]
    assert [s.name for s in cart.services] == ["cart"]  # not the Service in another namespace
    assert [p.name for p in cart.pdbs] == ["cart"]
    assert [h.name for h in cart.hpas] == ["cart"]
    assert [m.name for m in cart.monitors] == ["cart"]
    assert [v.name for v in cart.virtual_services] == ["cart"]
    assert [d.name for d in cart.destination_rules] == ["cart"]
    assert cart.namespace_object is objects[("Namespace", "shop")]


def test_containers_keep_their_lines_and_native_sidecars_are_recognised():
    cart = _load()[("Deployment", "cart")]
    app, = cart.containers
    proxy, = cart.init_containers
    assert app.locate("").line == 18 and app.locate("image").line == 19
    assert proxy.native_sidecar and not app.native_sidecar
    assert str(proxy.ref) == "Deployment/shop/cart[init:proxy]"


def test_services_follow_labels_and_related_objects_join_their_workload():
    objects = _load()
    assert objects[("Deployment", "cart")].service == "cart"
    for key in [("Service", "cart"), ("PodDisruptionBudget", "cart"), ("ServiceMonitor", "cart"),
                ("Role", "cart-reader"), ("RoleBinding", "cart-reader")]:
        assert objects[key].service == "cart", key
    assert objects[("ConfigMap", "misc")].service == UNASSIGNED


def test_declared_services_win_over_labels():
    config = Config(services=[ServiceDecl("shop-cart", "critical", selector=(("tier", "web"),))])
    objects = _load(config=config)
    assert objects[("Deployment", "cart")].service == "shop-cart"
    assert objects[("PodDisruptionBudget", "cart")].service == "shop-cart"
    config = Config(services=[ServiceDecl("by-path", paths=("shop.yaml",))])
    assert _load(config=config)[("ConfigMap", "misc")].service == "by-path"


def test_workload_name_is_the_last_resort():
    objects = _load("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: node-agent}\nspec: {}\n")
    assert objects[("DaemonSet", "node-agent")].service == "node-agent"


def test_label_selector_semantics():
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not selector_matches({"matchLabels": {"app": "api"}}, labels)
    assert selector_matches({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, labels)
    assert not selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]},
                                labels)
    assert not selector_matches({}, labels)  # an empty selector selects nothing here


def test_list_objects_and_cronjob_pod_templates():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              containers:
                - name: job
                  image: registry.example.com/job:1.0.0
"""
    nightly = _load(text)[("CronJob", "nightly")]
    assert nightly.pod_spec_path == "spec.jobTemplate.spec.template.spec"
    assert nightly.containers[0].locate("image").line == 15
    assert not nightly.long_running
