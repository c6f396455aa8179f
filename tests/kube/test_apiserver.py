"""The fake API server answers the real `kubernetes` client as a kube-apiserver would.

Every test goes through the official client (typed APIs, raw responses, the DynamicClient), configured from a
kubeconfig file, so what passes here is what `prc audit k8s` will meet: the same paths, query parameters,
exceptions and TLS verification.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from tests.kube.apiserver import (CREATED, FakeApiServer, _kubeconfig_entries, load_manifests, make_tls,
                                  unreachable_kubeconfig, write_kubeconfig)

FIXTURES = Path(__file__).parent / "fixtures"
CLUSTER = FIXTURES / "apiserver-cluster.yaml"
DEPLOYMENTS = [("default", "hello"), ("orders", "api"), ("orders", "frontend"), ("payments", "api"),
               ("payments", "worker"), ("web", "site"), ("web", "static")]


@pytest.fixture(scope="module")
def objects():
    return load_manifests(CLUSTER)


def api_client(server: FakeApiServer, kubeconfig: Path | None = None, context: str = "fake") -> client.ApiClient:
    return config.new_client_from_config(config_file=str(kubeconfig or server.kubeconfig()), context=context)


def status_of(e: ApiException) -> dict:
    return json.loads(e.body)


def names(items) -> list[tuple[str, str]]:
    return [(i.metadata.namespace, i.metadata.name) for i in items]


def test_load_manifests_splits_documents_and_expands_lists(objects, tmp_path):
    kinds = [o["kind"] for o in objects]
    assert kinds.count("Deployment") == 7
    assert "List" not in kinds and {"PodDisruptionBudget", "HorizontalPodAutoscaler"} <= set(kinds)
    # `kubectl get -o yaml` output: a typed list whose items, like any list's, carry no kind of their own.
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: b}\n---\n")
    (tmp_path / "a.yml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    assert load_manifests(tmp_path) == [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}}
                                        for n in "ab"]


def test_pagination_follows_continue_through_every_page(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        apps = client.AppsV1Api(api)
        pages, token = [], None
        while True:
            page = apps.list_deployment_for_all_namespaces(limit=2, _continue=token)
            pages.append(page)
            token = page.metadata._continue
            if not token:
                break
    seen = [n for p in pages for n in names(p.items)]
    assert seen == DEPLOYMENTS  # every object exactly once, in (namespace, name) order, as etcd keys sort
    assert [len(p.items) for p in pages] == [2, 2, 2, 1]
    assert [p.metadata.remaining_item_count for p in pages] == [5, 3, 1, None]
    assert all(p.kind == "DeploymentList" and p.api_version == "apps/v1" for p in pages)
    calls = server.list_calls("deployments")
    assert [c.path for c in calls] == ["/apis/apps/v1/deployments"] * 4
    assert "continue" not in calls[0].query
    assert [c.query["continue"] for c in calls[1:]] == [p.metadata._continue for p in pages[:-1]]
    assert all(c.query["limit"] == "2" for c in calls)
    assert server.list_calls("deployments.apps") == calls


def test_list_in_one_namespace(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        deployments = client.AppsV1Api(api).list_namespaced_deployment("payments")
        services = client.CoreV1Api(api).list_namespaced_service("payments")
        nothing = client.AppsV1Api(api).list_namespaced_deployment("no-such-namespace")
    assert names(deployments.items) == [("payments", "api"), ("payments", "worker")]
    assert deployments.metadata._continue is None and deployments.metadata.remaining_item_count is None
    assert names(services.items) == [("payments", "api")]
    assert nothing.items == []  # as a real server: an empty list, not a 404
    assert server.requests[0].path == "/apis/apps/v1/namespaces/payments/deployments"


def test_forbidden_namespace_is_403_and_others_still_list(fake_cluster, objects):
    server = fake_cluster(objects, forbidden={("deployments", "payments")})
    with api_client(server) as api:
        apps = client.AppsV1Api(api)
        with pytest.raises(ApiException) as denied:
            apps.list_namespaced_deployment("payments")
        assert names(apps.list_namespaced_deployment("orders").items) == [("orders", "api"), ("orders", "frontend")]
        # RBAC grants a cluster-wide list only to who may list every namespace.
        with pytest.raises(ApiException) as denied_all:
            apps.list_deployment_for_all_namespaces()
        with pytest.raises(ApiException) as denied_get:
            apps.read_namespaced_deployment("api", "payments")
    assert denied.value.status == 403 and denied.value.reason == "Forbidden"
    assert status_of(denied.value) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps is forbidden: User "system:serviceaccount:prc:auditor" cannot list resource '
                   '"deployments" in API group "apps" in the namespace "payments"',
        "reason": "Forbidden", "details": {"group": "apps", "kind": "deployments"}, "code": 403}
    assert status_of(denied_all.value)["message"].endswith('in API group "apps" at the cluster scope')
    assert status_of(denied_get.value)["message"].startswith('deployments.apps "api" is forbidden: User')
    assert status_of(denied_get.value)["details"] == {"name": "api", "group": "apps", "kind": "deployments"}
    assert [r.status for r in server.requests] == [403, 200, 403, 403]


def test_forbidden_everywhere_and_core_group_message(fake_cluster, objects):
    server = fake_cluster(objects, forbidden={("configmaps", None)})
    with api_client(server) as api:
        core = client.CoreV1Api(api)
        for call in (lambda: core.list_namespaced_config_map("payments"), core.list_config_map_for_all_namespaces):
            with pytest.raises(ApiException) as denied:
                call()
            assert denied.value.status == 403
        assert core.list_namespaced_service("payments").items  # only configmaps are denied
    body = status_of(denied.value)
    assert body["message"] == ('configmaps is forbidden: User "system:serviceaccount:prc:auditor" cannot list '
                               'resource "configmaps" in API group "" at the cluster scope')
    assert body["details"] == {"kind": "configmaps"}  # the core group is left out, as a real server does


def test_forbidden_rejects_an_unknown_resource(objects):
    with pytest.raises(ValueError, match="deploymentz"):
        FakeApiServer(objects, forbidden={("deploymentz", None)})


def test_wrong_token_is_401_with_a_status(fake_cluster, objects):
    server = fake_cluster(objects, token="right-token")
    kubeconfig = write_kubeconfig(server._workdir / "wrong", [
        _kubeconfig_entries("wrong", server.url, server.ca_path, "wrong-token", None)], "wrong")
    with api_client(server, kubeconfig, "wrong") as api:
        with pytest.raises(ApiException) as e:
            client.AppsV1Api(api).list_deployment_for_all_namespaces()
    assert e.value.status == 401
    assert status_of(e.value) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                  "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    assert [(r.authorized, r.status) for r in server.requests] == [(False, 401)]


def test_a_client_trusting_another_ca_fails_tls_verification(fake_cluster, objects, tmp_path):
    server = fake_cluster(objects)
    other_ca, _, _ = make_tls(tmp_path / "other-pki")
    kubeconfig = write_kubeconfig(tmp_path / "other-ca", [
        _kubeconfig_entries("fake", server.url, other_ca, server.token, None)], "fake")
    with api_client(server, kubeconfig) as api:
        # Not an ApiException: urllib3 gives up after its retries and raises MaxRetryError(reason=SSLError).
        with pytest.raises(urllib3.exceptions.MaxRetryError) as e:
            client.CoreV1Api(api).list_namespace()
    assert isinstance(e.value.reason, urllib3.exceptions.SSLError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(e.value.reason)
    assert server.requests == []  # nothing got past the handshake
    assert server.tls_errors and all("UNKNOWN_CA" in t for t in server.tls_errors)


def test_unreachable_server_is_refused_at_once(fake_cluster, objects, tmp_path):
    server = fake_cluster(objects)
    for kubeconfig, context in ((unreachable_kubeconfig(tmp_path / "dead", server.ca_path), "unreachable"),
                                (server.kubeconfig(tmp_path / "two", unreachable_context="dead"), "dead")):
        started = time.monotonic()
        with api_client(server, kubeconfig, context) as api:
            with pytest.raises(urllib3.exceptions.MaxRetryError) as e:
                client.CoreV1Api(api).list_namespace()
        assert isinstance(e.value.reason, urllib3.exceptions.NewConnectionError)
        assert time.monotonic() - started < 2
    with api_client(server, tmp_path / "two", "fake") as api:  # the file's other context still works
        assert client.CoreV1Api(api).list_namespace().items


def test_discovery_shows_the_monitoring_group_only_with_crds(fake_cluster, objects):
    plain, with_crds = fake_cluster(objects), fake_cluster(objects, crds=True)
    found = {}
    for server in (plain, with_crds):
        with api_client(server) as api:
            groups = client.ApisApi(api).get_api_versions().groups
            found[server.crds] = {g.name: g.preferred_version.group_version for g in groups}
            assert client.CoreApi(api).get_api_versions().versions == ["v1"]
            assert client.VersionApi(api).get_code().git_version.startswith("v1.")
            apps = {r.name: r for r in client.AppsV1Api(api).get_api_resources().resources}
            assert apps["deployments"].kind == "Deployment" and apps["deployments"].namespaced
            assert "list" in apps["deployments"].verbs and apps["deployments"].singular_name == "deployment"
            core = {r.name: r.namespaced for r in client.CoreV1Api(api).get_api_resources().resources}
            assert core["namespaces"] is False and core["pods"] is True
            rbac = {r.name: r.namespaced for r in client.RbacAuthorizationV1Api(api).get_api_resources().resources}
            assert rbac == {"roles": True, "clusterroles": False, "rolebindings": True, "clusterrolebindings": False}
    assert "monitoring.coreos.com" not in found[False]
    assert found[True]["monitoring.coreos.com"] == "monitoring.coreos.com/v1"
    for groups in found.values():
        assert {"apps": "apps/v1", "batch": "batch/v1", "policy": "policy/v1", "autoscaling": "autoscaling/v2",
                "rbac.authorization.k8s.io": "rbac.authorization.k8s.io/v1",
                "networking.k8s.io": "networking.k8s.io/v1", "argoproj.io": "argoproj.io/v1alpha1"}.items() \
            <= groups.items()

    with api_client(plain) as api:
        custom = client.CustomObjectsApi(api)
        with pytest.raises(ApiException) as e:
            custom.list_cluster_custom_object("monitoring.coreos.com", "v1", "servicemonitors")
        assert e.value.status == 404 and status_of(e.value)["reason"] == "NotFound"
        rollouts = custom.list_namespaced_custom_object("argoproj.io", "v1alpha1", "web", "rollouts")
    assert [i["metadata"]["name"] for i in rollouts["items"]] == ["canary"]
    with api_client(with_crds) as api:
        monitors = client.CustomObjectsApi(api).list_cluster_custom_object(
            "monitoring.coreos.com", "v1", "servicemonitors")
    assert monitors["kind"] == "ServiceMonitorList"
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in monitors["items"]] == [("payments", "api")]


def test_items_carry_server_side_fields(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        items = client.AppsV1Api(api).list_namespaced_deployment("payments").items
        configmap = client.CoreV1Api(api).read_namespaced_config_map("settings", "payments")
    for d in items:
        meta = d.metadata
        assert meta.uid and meta.resource_version and meta.generation == 1
        assert meta.creation_timestamp.isoformat() == CREATED.replace("Z", "+00:00")
        entry = meta.managed_fields[0]
        assert (entry.manager, entry.operation, entry.api_version, entry.fields_type) == (
            "kubectl-client-side-apply", "Update", "apps/v1", "FieldsV1")
        assert entry.time and "f:spec" in entry.fields_v1
        assert d.status is not None  # `status: {}`: the typed client gives an empty V1DeploymentStatus
    assert len({d.metadata.uid for d in items}) == 2
    assert configmap.metadata.managed_fields and configmap.data == {"LOG_LEVEL": "info"}


def test_raw_list_items_lack_kind_and_api_version_but_a_get_has_them(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        apps = client.AppsV1Api(api)
        listed = json.loads(apps.list_namespaced_deployment("payments", _preload_content=False).data)
        got = json.loads(apps.read_namespaced_deployment("api", "payments", _preload_content=False).data)
    assert listed["kind"] == "DeploymentList" and listed["apiVersion"] == "apps/v1"
    assert listed["metadata"]["resourceVersion"]
    assert all("kind" not in i and "apiVersion" not in i for i in listed["items"])
    assert listed["items"][0]["status"] == {}
    assert listed["items"][0]["metadata"]["managedFields"]
    assert (got["kind"], got["apiVersion"], got["metadata"]["name"]) == ("Deployment", "apps/v1", "api")
    assert got["spec"]["replicas"] == 3 and "strategy" not in got["spec"]  # no defaulting unless asked


def test_get_named_objects_and_not_found(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
        assert apps.read_namespaced_deployment("api", "orders").spec.replicas == 2
        assert apps.read_namespaced_stateful_set("db", "orders").spec.service_name == "db"
        assert client.RbacAuthorizationV1Api(api).read_cluster_role("prc-reader").rules[0].verbs == ["get", "list"]
        payments = core.read_namespace("payments")
        assert payments.metadata.labels == {"team": "payments", "kubernetes.io/metadata.name": "payments"}
        assert payments.status.phase == "Active"
        with pytest.raises(ApiException) as e:
            apps.read_namespaced_deployment("api", "web")
    assert e.value.status == 404
    assert status_of(e.value) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                  "message": 'deployments.apps "api" not found', "reason": "NotFound",
                                  "details": {"name": "api", "group": "apps", "kind": "deployments"}, "code": 404}


def test_namespaces_are_those_of_the_fixtures_plus_defaults(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        namespaces = client.CoreV1Api(api).list_namespace().items
        # Cluster-scoped kinds have no namespaced path; no typed method builds one, so the request is made raw.
        response = api.call_api("GET", f"{server.url}/apis/rbac.authorization.k8s.io/v1/namespaces/payments/"
                                       "clusterroles", header_params={"Authorization": f"Bearer {server.token}"})
    assert [n.metadata.name for n in namespaces] == ["default", "kube-system", "orders", "payments", "web"]
    assert response.status == 404


def test_selectors(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        apps = client.AppsV1Api(api)
        list_all = apps.list_deployment_for_all_namespaces
        assert names(list_all(label_selector="tier=backend").items) == [("orders", "api"), ("payments", "api"),
                                                                       ("payments", "worker")]
        assert names(list_all(label_selector="app==api,tier!=web").items) == [("orders", "api"),
                                                                             ("payments", "api")]
        assert names(list_all(label_selector="!tier").items) == [("default", "hello"), ("web", "static")]
        assert names(list_all(label_selector="tier").items) == [n for n in DEPLOYMENTS if n[1] not in
                                                                ("hello", "static")]
        assert names(list_all(field_selector="metadata.name=api").items) == [("orders", "api"), ("payments", "api")]
        assert names(list_all(field_selector="metadata.namespace!=web,metadata.name!=api").items) == [
            ("default", "hello"), ("orders", "frontend"), ("payments", "worker")]
        # A real server cannot count ahead of a selector: no remainingItemCount, but the token still pages.
        first = list_all(label_selector="tier", limit=2)
        assert first.metadata._continue and first.metadata.remaining_item_count is None
        rest = list_all(label_selector="tier", limit=2, _continue=first.metadata._continue)
        assert names(first.items + rest.items) == [n for n in DEPLOYMENTS if n[1] not in ("hello", "static")][:4]
        for kwargs in ({"label_selector": "app in (api,web)"}, {"field_selector": "spec.replicas=2"}):
            with pytest.raises(ApiException) as e:
                list_all(**kwargs)
            assert e.value.status == 400 and status_of(e.value)["reason"] == "BadRequest"


def test_stale_or_foreign_continue_tokens_are_410_expired(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        apps = client.AppsV1Api(api)
        token = apps.list_deployment_for_all_namespaces(limit=2).metadata._continue
        foreign = [("garbage", apps.list_deployment_for_all_namespaces),
                   (token, lambda **kw: apps.list_namespaced_deployment("web", **kw)),  # another scope
                   (token, client.AppsV1Api(api).list_stateful_set_for_all_namespaces)]  # another resource
        for bad, call in foreign:
            with pytest.raises(ApiException) as e:
                call(limit=2, _continue=bad)
            assert e.value.status == 410 and status_of(e.value)["reason"] == "Expired"
        assert apps.list_deployment_for_all_namespaces(limit=2, _continue=token).items
        server.expire_continue_tokens()
        with pytest.raises(ApiException) as e:
            apps.list_deployment_for_all_namespaces(limit=2, _continue=token)
        assert e.value.status == 410


def test_writes_are_405_and_recorded(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        core = client.CoreV1Api(api)
        with pytest.raises(ApiException) as e:
            core.create_namespaced_config_map("payments", {"metadata": {"name": "x"}, "data": {"a": "b"}})
        with pytest.raises(ApiException):
            core.delete_namespaced_config_map("settings", "payments")
        assert core.read_namespaced_config_map("settings", "payments").data  # the connection is still in step
    assert e.value.status == 405 and status_of(e.value)["reason"] == "MethodNotAllowed"
    assert [(r.method, r.path, r.status) for r in server.requests] == [
        ("POST", "/api/v1/namespaces/payments/configmaps", 405),
        ("DELETE", "/api/v1/namespaces/payments/configmaps/settings", 405),
        ("GET", "/api/v1/namespaces/payments/configmaps/settings", 200)]


def test_dynamic_client_discovers_and_lists(fake_cluster, objects, tmp_path):
    from kubernetes.dynamic import DynamicClient

    server = fake_cluster(objects, crds=True)
    with api_client(server) as api:
        # The discovery cache otherwise goes to /tmp/osrcp-<md5 of the URL>.json, shared by every run that gets
        # the same port: a stale cache from another fake server would answer instead of this one.
        dynamic = DynamicClient(api, cache_file=str(tmp_path / "discovery.json"))
        rollouts = dynamic.resources.get(api_version="argoproj.io/v1alpha1", kind="Rollout")
        assert rollouts.namespaced and rollouts.name == "rollouts"
        canary = rollouts.get(namespace="web", name="canary")
        monitors = dynamic.resources.get(api_version="monitoring.coreos.com/v1", kind="ServiceMonitor").get()
        pdbs = dynamic.resources.get(api_version="policy/v1", kind="PodDisruptionBudget").get(namespace="payments")
    assert canary.spec.replicas == 2 and canary.kind == "Rollout"
    assert [m.metadata.name for m in monitors.items] == ["api"]
    assert pdbs.items[0].spec.minAvailable == 2
    paths = [r.path for r in server.requests]
    assert paths[:2] == ["/version", "/apis"] and "/apis/argoproj.io/v1alpha1" in paths
    assert {r.method for r in server.requests} == {"GET"} and all(r.status == 200 for r in server.requests)


def test_metadata_only_lists(fake_cluster, objects):
    server = fake_cluster(objects)
    with api_client(server) as api:
        response = client.AppsV1Api(api).list_namespaced_deployment(
            "payments", _preload_content=False,
            _headers={"Accept": "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"})
    listed = json.loads(response.data)
    assert listed["kind"] == "PartialObjectMetadataList"
    assert [(i["kind"], i["metadata"]["name"], "spec" in i) for i in listed["items"]] == [
        ("PartialObjectMetadata", "api", False), ("PartialObjectMetadata", "worker", False)]


def test_server_side_defaults_on_request(fake_cluster, objects):
    server = fake_cluster(objects, defaults=True)
    with api_client(server) as api:
        worker = client.AppsV1Api(api).read_namespaced_deployment("worker", "payments")
        api_service = client.CoreV1Api(api).read_namespaced_service("api", "payments")
        api_deployment = client.AppsV1Api(api).read_namespaced_deployment("api", "payments")
    assert worker.spec.replicas == 1 and worker.spec.strategy.type == "RollingUpdate"
    assert worker.spec.template.spec.termination_grace_period_seconds == 30
    assert worker.spec.template.spec.containers[0].image_pull_policy == "Always"  # :latest
    probe = api_deployment.spec.template.spec.containers[0].readiness_probe
    assert (probe.timeout_seconds, probe.period_seconds, probe.failure_threshold) == (1, 10, 3)
    assert api_deployment.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert api_service.spec.type == "ClusterIP" and api_service.spec.cluster_ip.startswith("10.96.")
    assert api_service.spec.ports[0].protocol == "TCP"


def test_stop_closes_the_port_and_ends_every_thread(objects):
    import threading

    before = set(threading.enumerate())
    with FakeApiServer(objects) as server:
        port = server.port
        api = api_client(server)
        client.CoreV1Api(api).list_namespace()  # leaves a keep-alive connection open in the client's pool
        started = time.monotonic()
    try:
        assert time.monotonic() - started < 2
        assert set(threading.enumerate()) <= before
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
    finally:
        api.close()


def test_the_default_kubeconfig_is_the_fake_one(fake_cluster, objects):
    """A code path that forgets an explicit kubeconfig must reach the fake server, never a developer's cluster."""
    server = fake_cluster(objects)
    with config.new_client_from_config() as api:
        assert api.configuration.host == server.url
        assert client.CoreV1Api(api).list_namespace().items


def test_concurrent_lists_are_all_answered_and_recorded(fake_cluster, objects):
    from concurrent.futures import ThreadPoolExecutor

    server = fake_cluster(objects)
    with api_client(server) as api, ThreadPoolExecutor(8) as pool:
        apps = client.AppsV1Api(api)
        results = list(pool.map(lambda ns: names(apps.list_namespaced_deployment(ns).items),
                                ["payments", "orders", "web", "default"] * 6))
    assert results[:4] == [[n for n in DEPLOYMENTS if n[0] == ns] for ns in ("payments", "orders", "web", "default")]
    assert results == results[:4] * 6
    assert len(server.list_calls("deployments")) == 24 and not server.server_errors
