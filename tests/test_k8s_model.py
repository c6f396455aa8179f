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
    # The objects know the workloads too, once each (the VirtualService names the Service twice).
    for key in [("Service", "cart"), ("PodDisruptionBudget", "cart"), ("HorizontalPodAutoscaler", "cart"),
                ("ServiceMonitor", "cart"), ("VirtualService", "cart"), ("DestinationRule", "cart")]:
        assert objects[key].selects == [cart], key


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


def _link_files(files: dict[str, str]) -> dict:
    """Load several files as one scan and link them; objects by (kind, name)."""
    objects = []
    for display, text in files.items():
        loaded = load_k8s_text(display, text)
        assert loaded.problems == []
        objects += loaded.objects
    link(objects)
    assign_services(objects, Config())
    return {(o.kind, o.name): o for o in objects}


ROLLOUT_REF = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
"""

REFERENCED_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: app
          image: registry.example.com/web:1.4.2
          ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def test_rollout_workload_ref_runs_the_referenced_deployments_pod_template():
    objects = _link_files({"rollout.yaml": ROLLOUT_REF, "deploy.yaml": REFERENCED_DEPLOYMENT})
    rollout, deployment = objects[("Rollout", "web")], objects[("Deployment", "web")]
    assert rollout.template_source is deployment and rollout.pod_template_missing == ""
    assert deployment.rollout_refs == [rollout] and rollout.rollout_refs == []
    assert rollout.pod_labels == {"app": "web"}
    assert [s.name for s in rollout.services] == ["web"]  # linked through the resolved pod labels
    app, = rollout.containers
    assert app.workload is rollout and app is not deployment.containers[0]
    assert app.spec is deployment.containers[0].spec
    # The container and the pod template live in the Deployment's file; the Rollout's own fields in its own.
    assert (app.file, app.locate("image").line) == ("deploy.yaml", 14)
    assert str(app.ref) == "Rollout/web[app]"
    assert rollout.locate(rollout.pod_path("terminationGracePeriodSeconds")).line == 11
    assert rollout.locate(rollout.pod_path("terminationGracePeriodSeconds")).file == "deploy.yaml"
    assert rollout.locate("spec.template.metadata.labels") == deployment.locate("spec.template.metadata.labels")
    assert rollout.locate("spec.replicas").file == "rollout.yaml"
    assert rollout.replicas == 5
    assert rollout.service == deployment.service == "web"


def test_rollout_workload_ref_to_a_pod_template():
    pod_template = """\
apiVersion: v1
kind: PodTemplate
metadata: {name: web}
template:
  metadata:
    labels: {app: web}
  spec:
    containers:
      - name: app
        image: registry.example.com/web:1.4.2
"""
    rollout_text = ROLLOUT_REF.replace("apiVersion: apps/v1, kind: Deployment", "apiVersion: v1, kind: PodTemplate")
    objects = _link_files({"rollout.yaml": rollout_text, "template.yaml": pod_template})
    rollout = objects[("Rollout", "web")]
    assert rollout.template_source is objects[("PodTemplate", "web")]
    assert rollout.pod_spec_path == "template.spec"
    assert [c.name for c in rollout.containers] == ["app"]
    assert rollout.containers[0].locate("image").line == 10
    assert rollout.locate(rollout.pod_path("containers")).file == "template.yaml"


def test_unresolved_workload_ref_leaves_the_pod_template_missing_with_a_reason():
    objects = _link_files({"rollout.yaml": ROLLOUT_REF})
    rollout = objects[("Rollout", "web")]
    assert rollout.containers == [] and rollout.template_source is None
    assert rollout.pod_template_missing == "workloadRef Deployment/web not in the scan"
    # A Deployment of that name in another namespace is not the one the Rollout names.
    other = REFERENCED_DEPLOYMENT.replace("metadata: {name: web}", "metadata: {name: web, namespace: other}", 1)
    objects = _link_files({"rollout.yaml": ROLLOUT_REF, "deploy.yaml": other})
    assert objects[("Rollout", "web")].pod_template_missing == "workloadRef Deployment/web not in the scan"
    assert objects[("Deployment", "web")].rollout_refs == []
    bad_kind = ROLLOUT_REF.replace("kind: Deployment", "kind: StatefulSet")
    rollout = _link_files({"rollout.yaml": bad_kind})[("Rollout", "web")]
    assert rollout.pod_template_missing == ("workloadRef names StatefulSet/web; a Rollout takes its pod template "
                                            "only from a Deployment, ReplicaSet or PodTemplate")
    # A Rollout with its own template needs nothing resolved.
    own = _link_files({"r.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n"
                                 "  template:\n    spec:\n      containers: [{name: app, image: a:1}]\n"})
    assert own[("Rollout", "r")].pod_template_missing == "" and len(own[("Rollout", "r")].containers) == 1


def test_replication_controller_is_a_long_running_workload_with_replicas():
    text = """\
apiVersion: v1
kind: ReplicationController
metadata: {name: nginx}
spec:
  replicas: 3
  selector: {app: nginx}
  template:
    metadata:
      labels: {app: nginx}
    spec:
      containers:
        - name: nginx
          image: nginx:1.27.2
"""
    rc = _load(text)[("ReplicationController", "nginx")]
    assert isinstance(rc, Workload) and rc.long_running
    assert rc.replicas == 3 and rc.pod_labels == {"app": "nginx"}
    assert rc.containers[0].locate("image").line == 13
    assert rc.service == "nginx"


MONITORED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers: [{name: app, image: registry.example.com/api:1.0.0, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
"""


def test_every_known_scrape_configuration_is_a_monitor():
    cases = {
        "gmp-namespaced": "apiVersion: monitoring.googleapis.com/v1\nkind: PodMonitoring\n"
                          "metadata: {name: m, namespace: shop}\nspec: {selector: {matchLabels: {app: api}}}\n",
        "gmp-cluster": "apiVersion: monitoring.googleapis.com/v1\nkind: ClusterPodMonitoring\nmetadata: {name: m}\n"
                       "spec: {selector: {matchLabels: {app: api}}}\n",
        "vm-pods": "apiVersion: operator.victoriametrics.com/v1beta1\nkind: VMPodScrape\n"
                   "metadata: {name: m, namespace: monitoring}\n"
                   "spec: {namespaceSelector: {matchNames: [shop]}, selector: {matchLabels: {app: api}}}\n",
        "vm-services": "apiVersion: operator.victoriametrics.com/v1beta1\nkind: VMServiceScrape\n"
                       "metadata: {name: m, namespace: shop}\nspec: {selector: {matchLabels: {app: api}}}\n",
    }
    for case, monitor in cases.items():
        objects = _link_files({"api.yaml": MONITORED, "monitor.yaml": monitor})
        api = objects[("Deployment", "api")]
        assert [m.name for m in api.monitors] == ["m"], case
        assert next(o for o in objects.values() if o.name == "m").service == "api", case
    # A namespaced PodMonitoring only sees its own namespace.
    elsewhere = cases["gmp-namespaced"].replace("namespace: shop", "namespace: other")
    assert _link_files({"api.yaml": MONITORED, "monitor.yaml": elsewhere})[("Deployment", "api")].monitors == []


MYSQL = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mysql}
spec:
  template:
    metadata:
      labels: {app: mysql}
    spec:
      initContainers:
        - {name: init-mysql, image: mysql:8.0.40}
        - {name: proxy, image: registry.example.com/proxy:1.0.0, restartPolicy: Always,
           ports: [{name: proxy, containerPort: 15001}]}
      containers:
        - name: mysql
          image: mysql:8.0.40
          ports: [{name: mysql, containerPort: 3306}]
        - name: xtrabackup
          image: registry.example.com/xtrabackup:1.0
          ports: [{name: xtrabackup, containerPort: 3307}]
        - name: metrics
          image: registry.example.com/exporter:1.0
          ports: [{name: metrics, containerPort: 9104, protocol: TCP}]
"""

MYSQL_SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: mysql}
spec:
  clusterIP: None
  selector: {app: mysql}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: v1
kind: Service
metadata: {name: mysql-read}
spec:
  selector: {app: mysql}
  ports: [{name: mysql, port: 3306}, {name: metrics, port: 9000, targetPort: metrics}]
"""


def _serving(files: dict[str, str], kind="StatefulSet", name="mysql") -> dict:
    w = _link_files(files)[(kind, name)]
    return {c.name: c.serves_traffic for c in (*w.containers, *w.init_containers)}


def test_with_services_only_targeted_ports_serve_traffic():
    # Both Services target 3306 (no targetPort: the port itself) and the exporter by port name;
    # xtrabackup's 3307 is for its peers, not for a Service.
    assert _serving({"mysql.yaml": MYSQL, "services.yaml": MYSQL_SERVICES}) == {
        "mysql": True, "xtrabackup": False, "metrics": True, "init-mysql": False, "proxy": False}


def test_without_a_service_any_declared_port_serves_traffic():
    assert _serving({"mysql.yaml": MYSQL}) == {
        "mysql": True, "xtrabackup": True, "metrics": True, "init-mysql": False, "proxy": True}


def test_target_port_by_number_protocol_and_headless_services_without_ports():
    udp = MYSQL_SERVICES.replace("ports: [{name: mysql, port: 3306}]\n---",
                                 "ports: [{port: 53, targetPort: 15001}]\n---")
    udp = udp.replace("ports: [{name: mysql, port: 3306}, {name: metrics, port: 9000, targetPort: metrics}]",
                      "ports: [{port: 9104, protocol: UDP}]")
    # The proxy sidecar is targeted by number; the exporter's port is TCP, the Service's UDP.
    assert _serving({"mysql.yaml": MYSQL, "services.yaml": udp}) == {
        "mysql": False, "xtrabackup": False, "metrics": False, "init-mysql": False, "proxy": True}
    headless = ("apiVersion: v1\nkind: Service\nmetadata: {name: peers}\n"
                "spec: {clusterIP: None, selector: {app: mysql}}\n")
    assert _serving({"mysql.yaml": MYSQL, "services.yaml": headless}) == {
        "mysql": True, "xtrabackup": True, "metrics": True, "init-mysql": False, "proxy": True}


def test_a_single_app_container_serves_what_a_service_sends_to_the_pod():
    single = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          PORTS
"""
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
               "  ports: [{port: 80, targetPort: 8080}]\n")
    no_ports = single.replace("          PORTS\n", "")
    metrics_only = single.replace("PORTS", "ports: [{name: metrics, containerPort: 9090}]")
    web_port = single.replace("PORTS", "ports: [{name: http, containerPort: 8080}]")
    for text, serves in [(no_ports, True), (metrics_only, True), (web_port, True)]:
        assert _serving({"web.yaml": text, "svc.yaml": service}, "Deployment", "web") == {"app": serves}
    # Without a Service, only a declared port says the container serves.
    assert _serving({"web.yaml": no_ports}, "Deployment", "web") == {"app": False}
    # A Service port that no container declares still sends its traffic to the only container.
    other = service.replace("targetPort: 8080", "targetPort: 9090")
    assert _serving({"web.yaml": web_port, "svc.yaml": other}, "Deployment", "web") == {"app": True}


def test_a_pod_template_run_by_a_rollout_is_judged_once_through_the_rollout(tmp_path, registry):
    from .conftest import run_scan

    (tmp_path / "app.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: registry.example.com/web:latest
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 3
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  strategy:
    canary: {steps: [{setWeight: 20}]}
""")
    report = run_scan([tmp_path], registry)
    # Checks on the service as a whole (PRC-REPO-*, PRC-XA-*) are about neither object.
    kinds = {r.target.kind for r in report.results if r.check.id != "PRC-INPUT" and r.target.kind != "service"}
    assert kinds == {"Rollout"}
    [pinned] = [r for r in report.results if r.check.id == "PRC-K8S-100"]
    # The finding is about the Rollout's pods but points at the Deployment's line.
    assert (str(pinned.target), pinned.location.line, pinned.status.value) == ("Rollout/web[app]", 12, "FAIL")
