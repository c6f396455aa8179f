"""What `prc audit k8s` reads from a cluster, through the real kubernetes client against the fake API server:
discovery, every kind over several pages, manifests' shape, controller products left out, unserved kinds and
CRDs, namespace selection."""

from __future__ import annotations

from collections import Counter
import pytest

from prc.kube.collect import collect
from prc.kube.kinds import KINDS, NAMESPACE
from prc.kube.session import ClusterError, open_cluster
from tests.kube.apiserver import load_manifests
from tests.kube.auditing import CLUSTER, OWNED, cluster_objects

SERVER_FIELDS = ("managedFields", "uid", "resourceVersion", "generation", "creationTimestamp")


def _collect(server, namespaces, page_size=500, **kwargs):
    cluster = open_cluster(server.kubeconfig(**kwargs))
    try:
        return collect(cluster, namespaces, page_size)
    finally:
        cluster.close()


def test_every_kind_is_read_over_several_pages(fake_cluster):
    written = load_manifests(CLUSTER)
    per_kind = Counter(o["kind"] for o in written)
    # The fixture holds at least two of every kind the audit reads, so a page of one forces a second page.
    assert {k.kind for k in KINDS if per_kind[k.kind] < 2} == set()
    server = fake_cluster(cluster_objects(), crds=True)

    found = _collect(server, None, page_size=1)

    assert found.gaps == [] and found.unserved == []
    for kind in KINDS:
        calls = server.list_calls(kind.qualified)
        pages = [c for c in calls if "continue" in c.query]
        assert len(calls) >= per_kind[kind.kind] and pages, f"{kind.qualified}: {len(calls)} list calls"
        assert all(c.query.get("limit") == "1" for c in calls)
    read = Counter(o["kind"] for o in found.objects)
    per_kind["Namespace"] += 2  # default and kube-system, which every cluster has
    assert read == per_kind


def test_objects_have_the_shape_of_their_manifest(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    found = _collect(server, None, page_size=3)
    written = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
               for o in load_manifests(CLUSTER)}
    for obj in found.objects:
        meta = obj["metadata"]
        key = (obj["kind"], meta.get("namespace", ""), meta["name"])
        assert not set(SERVER_FIELDS) & set(meta), key
        assert "status" not in obj, key
        if obj["kind"] == "Namespace":
            continue  # the server adds kubernetes.io/metadata.name
        # List items come without kind and apiVersion; the collector fills them in from the list it read.
        assert obj == written[key], key


def test_a_kubectl_apply_copy_of_the_object_is_dropped(fake_cluster):
    deployment = next(o for o in load_manifests(CLUSTER) if o["metadata"]["name"] == "checkout"
                      and o["kind"] == "Deployment")
    deployment["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}', "team": "shop"}
    server = fake_cluster([deployment])
    found = _collect(server, ["shop"])
    (obj,) = [o for o in found.objects if o["kind"] == "Deployment"]
    assert obj["metadata"]["annotations"] == {"team": "shop"}


def test_what_controllers_made_is_left_out_and_counted(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    found = _collect(server, None)
    names = {(o["kind"], o["metadata"]["name"]) for o in found.objects}
    assert not {("ReplicaSet", "checkout-7d9f8b6c5"), ("ReplicaSet", "storefront-6b7c9d"),
                ("Pod", "checkout-7d9f8b6c5-x2x4z"), ("Pod", "ledger-0"), ("Pod", "kube-apiserver-node-1"),
                ("Job", "report-monthly-29000000")} & names
    # Unowned ones of the same kinds stay.
    assert {("ReplicaSet", "legacy-web"), ("Pod", "debug-shell"), ("Job", "migrate")} <= names
    assert found.owned == {"ReplicaSet": 2, "Pod": 3, "Job": 1}
    assert sum(1 for o in load_manifests(OWNED)) == 6


def test_kinds_the_server_does_not_serve_are_skipped_without_a_request(fake_cluster):
    """Without the prometheus-operator CRDs (and without Argo, KEDA, Istio...) those kinds are not asked for."""
    server = fake_cluster(cluster_objects(), crds=False)
    found = _collect(server, ["shop", "web"])
    unserved = {k.kind for k in found.unserved}
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= unserved
    assert found.gaps == []
    assert not server.list_calls("servicemonitors") and not server.list_calls("prometheusrules")
    assert {o["kind"] for o in found.objects} >= {"Deployment", "Rollout", "ScaledObject", "VirtualService"}
    assert not {"ServiceMonitor", "PodMonitor", "PrometheusRule"} & {o["kind"] for o in found.objects}

    served = fake_cluster(cluster_objects(), crds=True)
    found = _collect(served, ["shop", "web"])
    assert not {"ServiceMonitor", "PodMonitor", "PrometheusRule"} & {k.kind for k in found.unserved}
    assert {"ServiceMonitor", "PrometheusRule"} <= {o["kind"] for o in found.objects}


def test_a_bare_cluster_serves_no_optional_group(fake_cluster):
    server = fake_cluster([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}}])
    found = _collect(server, ["empty"])
    assert {k.kind for k in found.unserved} == {"Rollout", "ScaledObject", "ServiceMonitor", "PodMonitor",
                                                 "PrometheusRule", "VMServiceScrape", "VMPodScrape", "PodMonitoring",
                                                 "ClusterPodMonitoring", "VirtualService", "DestinationRule"}
    assert [o["kind"] for o in found.objects] == ["Namespace"]
    # Nothing asked of a group the server does not have.
    assert not [r for r in server.requests if r.path.startswith(("/apis/argoproj.io", "/apis/monitoring"))]


def test_namespaces_asked_for_and_cluster_scoped_kinds_once(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    found = _collect(server, ["shop", "batch"])
    assert found.namespaces == ["shop", "batch"]
    assert {o["metadata"].get("namespace", "") for o in found.objects} == {"", "shop", "batch"}
    listed = [r.path for r in server.requests if "/namespaces/" in r.path]
    assert listed and all(p.split("/namespaces/")[1].split("/")[0] in ("shop", "batch") for p in listed)
    assert len(server.list_calls("clusterroles")) == 1 and len(server.list_calls("clusterrolebindings")) == 1
    assert {o["metadata"]["name"] for o in found.objects if o["kind"] == "ClusterRole"} == {"ledger-admin",
                                                                                           "metrics-reader"}


def test_all_namespaces_lists_each_kind_across_the_cluster(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    found = _collect(server, None)
    assert found.all_namespaces
    assert found.namespaces == ["batch", "default", "kube-system", "ops", "payments", "shop", "web"]
    assert not [r.path for r in server.requests if "/namespaces/" in r.path]
    assert len(server.list_calls("deployments")) == 1


def test_the_default_namespace_is_the_contexts_else_default(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    cluster = open_cluster(server.kubeconfig(namespace="payments"))
    assert cluster.target.namespace == "payments" and cluster.target.context == "fake"
    cluster.close()
    cluster = open_cluster(server.kubeconfig())
    assert cluster.target.namespace == "default"
    assert cluster.target.server == server.url
    cluster.close()


def test_a_namespace_that_does_not_exist_stops_the_audit(fake_cluster):
    server = fake_cluster(cluster_objects())
    with pytest.raises(ClusterError, match="namespace shopp does not exist in context fake"):
        _collect(server, ["shop", "shopp"])


def test_an_expired_continue_token_restarts_the_list_once(fake_cluster, monkeypatch):
    """A list slower than the server keeps its snapshot (410 Expired on `continue`) is read again from the
    start, so nothing is read twice or missed."""
    server = fake_cluster(cluster_objects(), crds=True)
    cluster = open_cluster(server.kubeconfig())
    real_get = cluster.get
    expired = []

    def get(path, query=None):
        response = real_get(path, query)
        if path.endswith("/deployments") and not expired:
            expired.append(path)
            server.expire_continue_tokens()  # the token this first page carries is now stale
        return response

    monkeypatch.setattr(cluster, "get", get)
    found = collect(cluster, None, page_size=1)
    cluster.close()
    calls = server.list_calls("deployments")
    assert [c.status for c in calls].count(410) == 1
    first_pages = [c for c in calls if "continue" not in c.query]
    assert len(first_pages) == 2  # the list was started again
    assert found.gaps == []
    assert sorted(o["metadata"]["name"] for o in found.objects if o["kind"] == "Deployment") == [
        "cart", "checkout", "search-template"]


def test_pagination_asks_with_the_token_the_server_gave(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    _collect(server, ["shop"], page_size=1)
    calls = server.list_calls("services")  # checkout and cart
    tokens = [c.query.get("continue") for c in calls]
    assert len(calls) == 2 and tokens[0] is None and tokens[1]
    assert [c.query["limit"] for c in calls] == ["1", "1"]


def test_namespaces_are_objects_of_the_audit(fake_cluster):
    server = fake_cluster(cluster_objects(), crds=True)
    found = _collect(server, ["ops"])
    (ops,) = [o for o in found.objects if o["kind"] == NAMESPACE.kind]
    assert ops["metadata"]["labels"]["team"] == "platform"


def _failing(cluster, monkeypatch, fails):
    """cluster.get answering 503 where `fails(path, query)` says so, as an overloaded or broken server would."""
    from prc.kube.session import Response

    real_get = cluster.get

    def get(path, query=None):
        if fails(path, dict(query or [])):
            return Response(503, {"kind": "Status", "message": "etcdserver: leader changed", "code": 503})
        return real_get(path, query)

    monkeypatch.setattr(cluster, "get", get)


def test_a_list_that_fails_on_a_later_page_keeps_nothing_of_the_kind(fake_cluster, monkeypatch):
    """Half a list would read as the whole: services selected by the missing half would look unselected."""
    server = fake_cluster(cluster_objects(), crds=True)
    cluster = open_cluster(server.kubeconfig())
    _failing(cluster, monkeypatch, lambda path, query: path.endswith("/shop/services") and "continue" in query)
    found = collect(cluster, ["shop", "web"], page_size=1)
    cluster.close()
    assert [g.text for g in found.gaps] == [
        "cannot list services in namespace shop: HTTP 503: etcdserver: leader changed"]
    services = sorted((o["metadata"]["namespace"], o["metadata"]["name"]) for o in found.objects
                      if o["kind"] == "Service")
    assert services == [("web", "storefront")]


def test_a_group_whose_discovery_fails_is_a_gap_not_an_absence(fake_cluster, monkeypatch):
    server = fake_cluster(cluster_objects(), crds=True)
    cluster = open_cluster(server.kubeconfig())
    _failing(cluster, monkeypatch, lambda path, query: path == "/apis/policy/v1")
    found = collect(cluster, ["shop"])
    cluster.close()
    assert [(g.kind, g.namespace, g.text) for g in found.gaps] == [
        ("PodDisruptionBudget", "", "cannot list poddisruptionbudgets.policy: discovery of /apis/policy/v1 failed: "
                                    "HTTP 503: etcdserver: leader changed")]
    assert "PodDisruptionBudget" not in {k.kind for k in found.unserved}
    assert not server.list_calls("poddisruptionbudgets")


@pytest.fixture()
def in_a_pod(fake_cluster, monkeypatch, tmp_path):
    """A pod's mounted ServiceAccount (token, CA, namespace; written here where a kubelet would mount them) and
    KUBERNETES_SERVICE_HOST/PORT naming the fake server, as the client's in-cluster loader reads them; no
    kubeconfig."""
    import kubernetes.config.incluster_config as incluster

    import prc.kube.session as session

    server = fake_cluster(cluster_objects(), crds=True)
    mounted = tmp_path / "serviceaccount"
    mounted.mkdir()
    (mounted / "token").write_text(server.token)
    (mounted / "ca.crt").write_bytes(server.ca_path.read_bytes())
    (mounted / "namespace").write_text("payments\n")
    monkeypatch.setattr(incluster, "SERVICE_TOKEN_FILENAME", str(mounted / "token"))
    monkeypatch.setattr(incluster, "SERVICE_CERT_FILENAME", str(mounted / "ca.crt"))
    monkeypatch.setattr(session, "SERVICE_ACCOUNT_NAMESPACE", mounted / "namespace")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-kubeconfig"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(server.port))
    return server


def test_in_a_pod_without_a_kubeconfig_the_pods_serviceaccount_is_used(in_a_pod):
    cluster = open_cluster()
    assert (cluster.target.context, cluster.target.namespace, cluster.target.server) == (
        "in-cluster", "payments", in_a_pod.url)
    assert cluster.client.configuration.ssl_ca_cert.endswith("ca.crt")
    cluster.close()
    with pytest.raises(ClusterError, match="--context prod: there is no kubeconfig here"):
        open_cluster(context="prod")


def test_an_audit_from_inside_a_pod_reads_its_namespace(in_a_pod):
    """The in-cluster loader sends `bearer <token>` (lower case), which API servers accept."""
    cluster = open_cluster()
    found = collect(cluster, [cluster.target.namespace])
    cluster.close()
    assert {o["metadata"]["name"] for o in found.objects if o["kind"] == "StatefulSet"} == {"ledger"}
