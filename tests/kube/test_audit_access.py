"""What the audit can and cannot read: a denied list makes the checks that need it UNKNOWN in that namespace,
never PASS or FAIL; unread workloads make their namespace's services unprovable; a cluster that cannot be
reached, a bad kubeconfig or rejected credentials stop the audit with one line and exit code 2; and nothing but
GET is ever sent."""

from __future__ import annotations

import pytest

from prc.kube.session import ReadOnlyViolation, guard, open_cluster
from tests.kube.apiserver import unreachable_kubeconfig
from tests.kube.auditing import audit_json, cluster_objects, prc  # noqa: F401 (fixture)


def _by(results, check, name, status=None):
    found = [r for r in results if r["check_id"] == check and r["target"]["name"] == name
             and (status is None or r["status"] == status)]
    assert found, f"no {check} result on {name}"
    return found


def _verdicts(report):
    return {s["name"]: s["verdict"] for s in report["services"]}


def test_a_denied_kind_makes_its_checks_unknown_in_that_namespace_only(fake_cluster, prc):
    server = fake_cluster(cluster_objects(), crds=True, forbidden={("poddisruptionbudgets", "shop")})
    code, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop", "-n", "payments")
    results = report["results"]

    (checkout,) = _by(results, "PRC-K8S-031", "checkout")
    assert checkout["status"] == "UNKNOWN"
    assert checkout["message"] == "cannot list poddisruptionbudgets in namespace shop: forbidden"
    # The same check where budgets could be read still decides.
    assert [r["status"] for r in _by(results, "PRC-K8S-031", "ledger")] == ["PASS"]
    # No budget of shop was read, so none is judged (PRC-K8S-032 on cart's budget is absent, not PASS).
    assert not [r for r in results if r["target"]["kind"] == "PodDisruptionBudget"
                and r["target"]["namespace"] == "shop"]
    assert code == 1 and "checkout" in {s for s, v in _verdicts(report).items() if v == "NOT READY"}
    item = next(i for s in report["services"] if s["name"] == "checkout" for i in s["items"]
                if i["item"] == "disruption-budget")
    assert item["status"] == "UNKNOWN" and item["required"]
    assert {"path": "k8s://fake/shop/PodDisruptionBudget",
            "reason": "cannot list poddisruptionbudgets in namespace shop: forbidden"} in report["skipped"]


def test_pass_and_fail_both_turn_unknown_unless_the_pass_stands_on_what_was_read(fake_cluster, prc):
    """An HPA that was not read could lower checkout's lowest scale (030 PASS -> UNKNOWN) or be there after all
    (034 FAIL -> UNKNOWN). A ServiceAccount that was not read can only add a reason to PASS 087: checkout's own
    automountServiceAccountToken: false still passes, cart's mounted default token is UNKNOWN."""
    server = fake_cluster(cluster_objects(), crds=True,
                          forbidden={("horizontalpodautoscalers", "shop"), ("serviceaccounts", "shop")})
    _, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop", "-n", "payments")
    results = report["results"]
    hpa_reason = "cannot list horizontalpodautoscalers in namespace shop: forbidden"
    assert [(r["status"], r["message"]) for r in _by(results, "PRC-K8S-030", "checkout")] == [("UNKNOWN", hpa_reason)]
    assert [r["status"] for r in _by(results, "PRC-K8S-034", "cart")] == ["UNKNOWN"]
    assert [r["status"] for r in _by(results, "PRC-K8S-030", "ledger")] == ["PASS"]  # in payments
    assert [r["status"] for r in _by(results, "PRC-K8S-087", "checkout")] == ["PASS"]
    (cart,) = _by(results, "PRC-K8S-087", "cart")
    assert (cart["status"], cart["message"]) == ("UNKNOWN", "cannot list serviceaccounts in namespace shop: forbidden")
    # Checks that read nothing but their own object are untouched.
    assert [r["status"] for r in _by(results, "PRC-K8S-050", "cart")] == ["FAIL"]
    assert [r["status"] for r in _by(results, "PRC-K8S-050", "checkout")] == ["PASS"]


def test_a_cluster_scoped_denial_holds_in_every_namespace(fake_cluster, prc):
    server = fake_cluster(cluster_objects(), crds=True, forbidden={("clusterrolebindings", None)})
    _, report, _ = audit_json(prc, server.kubeconfig(), "--all-namespaces")
    unknown = {(r["target"]["namespace"], r["target"]["name"]) for r in report["results"]
               if r["check_id"] == "PRC-K8S-087" and r["status"] == "UNKNOWN"}
    assert {("shop", "cart"), ("payments", "debug-shell"), ("ops", "log-agent")} <= unknown
    assert all(r["message"] == "cannot list clusterrolebindings: forbidden" for r in report["results"]
               if r["check_id"] == "PRC-K8S-087" and r["status"] == "UNKNOWN")
    assert not [r for r in report["results"] if r["target"]["kind"] == "ClusterRoleBinding"]


def test_unread_workloads_make_the_namespace_unprovable(fake_cluster, prc):
    """StatefulSets of payments denied: the ledger is never seen, so the services that were seen there (two bare
    Pods) get an input ERROR and cannot be READY; shop's Deployments denied with nothing else there to make a
    service: one ERROR on the namespace, and the gate fails even when it gates on severity only."""
    server = fake_cluster(cluster_objects(), crds=True,
                          forbidden={("statefulsets", "payments"), ("deployments", "shop")})
    code, report, _ = audit_json(prc, server.kubeconfig(), "-n", "payments", "-n", "shop", "--fail-on", "critical")
    errors = [r for r in report["results"] if r["status"] == "ERROR"]
    assert sorted((r["service"], r["target"]["kind"], r["target"]["name"], r["message"]) for r in errors) == [
        ("", "Namespace", "shop",
         "cannot list deployments in namespace shop: forbidden; no Deployment there was judged"),
        ("debug-shell", "Namespace", "payments", "cannot list statefulsets in namespace payments, where the service "
         "has objects: forbidden; no StatefulSet there was judged"),
        ("toolbox", "Namespace", "payments", "cannot list statefulsets in namespace payments, where the service has "
         "objects: forbidden; no StatefulSet there was judged"),
    ]
    assert "ledger" not in _verdicts(report)
    assert code == 1 and not report["gate"]["passed"]
    assert any("errors" in reason for reason in report["gate"]["reasons"])


def test_an_audit_that_could_list_nothing_checked_nothing(fake_cluster, prc):
    from prc.kube.kinds import KINDS

    server = fake_cluster(cluster_objects(), crds=True, forbidden={(k.resource, None) for k in KINDS})
    code, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop", "--fail-on", "never")
    assert report["summary"]["objects"] == 0 and report["services"] == []
    assert len(report["skipped"]) == len(KINDS)
    # --fail-on never turns the "nothing was checked" reason off; the default gate fails on it.
    assert code == 0
    code, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop")
    assert code == 1
    assert "nothing was checked: no workload or other object to judge was read from Kubernetes cluster fake, " \
        "1 namespace" in report["gate"]["reasons"]


def test_an_unreachable_api_server_is_one_line_and_exit_2(fake_cluster, prc, tmp_path):
    server = fake_cluster([])
    kubeconfig = unreachable_kubeconfig(tmp_path / "dead.yaml", server.ca_path)
    done = prc("audit", "k8s", "--kubeconfig", str(kubeconfig))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("prc: cannot reach the API server https://127.0.0.1:")
    assert line.endswith("of context unreachable: connection refused")


def test_a_dead_context_chosen_with_context_is_named(fake_cluster, prc):
    server = fake_cluster(cluster_objects())
    kubeconfig = server.kubeconfig(unreachable_context="dead")
    done = prc("audit", "k8s", "--kubeconfig", str(kubeconfig), "--context", "dead")
    assert done.returncode == 2 and "of context dead: connection refused" in done.stderr
    # The current context of the same file is the live one.
    assert prc("audit", "k8s", "--kubeconfig", str(kubeconfig), "-n", "shop").returncode == 1


def test_rejected_credentials_are_exit_2(fake_cluster, prc, tmp_path):
    server = fake_cluster(cluster_objects(), token="the-right-token")
    kubeconfig = server.kubeconfig()
    wrong = tmp_path / "wrong-token.yaml"
    wrong.write_text(kubeconfig.read_text().replace("the-right-token", "a-stale-token"))
    done = prc("audit", "k8s", "--kubeconfig", str(wrong))
    assert done.returncode == 2 and done.stdout == ""
    assert f"the API server {server.url} rejected the credentials of context fake (401 Unauthorized)" in done.stderr
    assert "a-stale-token" not in done.stderr
    assert all(not r.authorized for r in server.requests)


def test_a_server_certificate_the_kubeconfig_does_not_trust_is_exit_2(fake_cluster, prc, tmp_path):
    server = fake_cluster(cluster_objects())
    stranger = fake_cluster([])
    distrusting = tmp_path / "other-ca.yaml"
    distrusting.write_text(server.kubeconfig().read_text().replace(str(server.ca_path), str(stranger.ca_path)))
    done = prc("audit", "k8s", "--kubeconfig", str(distrusting))
    assert done.returncode == 2
    assert f"cannot reach the API server {server.url} of context fake: TLS certificate verification failed" \
        in done.stderr
    assert server.requests == [] and server.tls_errors


@pytest.mark.parametrize("args, message", [
    (["--context", "nope"], "has no context nope (contexts: fake)"),
    (["-n", "no-such-namespace"], "namespace no-such-namespace does not exist in context fake"),
    (["-n", "Not_A_Name"], "--namespace 'Not_A_Name' is not a namespace name"),
    (["-n", "shop", "--all-namespaces"], "not allowed with argument"),
    (["--page-size", "0"], "--page-size must be 1 or more"),
])
def test_bad_options_and_contexts_are_exit_2(fake_cluster, prc, args, message):
    server = fake_cluster(cluster_objects())
    done = prc("audit", "k8s", "--kubeconfig", str(server.kubeconfig()), *args)
    assert done.returncode == 2 and message in done.stderr


def test_a_missing_kubeconfig_is_exit_2(prc, tmp_path, monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    done = prc("audit", "k8s", "--kubeconfig", str(tmp_path / "absent.yaml"))
    assert done.returncode == 2 and f"no kubeconfig at {tmp_path / 'absent.yaml'}" in done.stderr


def test_an_audit_sends_only_authorized_gets(fake_cluster, prc):
    server = fake_cluster(cluster_objects(), crds=True)
    code, _, _ = audit_json(prc, server.kubeconfig(), "--all-namespaces", "--page-size", "2")
    assert code == 1
    assert server.requests and {(r.method, r.authorized, r.status) for r in server.requests} == {("GET", True, 200)}
    assert not [r for r in server.requests if "watch" in r.query]


@pytest.mark.parametrize("call", [
    lambda core, apps: core.delete_namespaced_pod("debug-shell", "payments"),
    lambda core, apps: core.create_namespace({"metadata": {"name": "made-by-prc"}}),
    lambda core, apps: apps.patch_namespaced_deployment("checkout", "shop", {"spec": {"replicas": 0}}),
    lambda core, apps: apps.replace_namespaced_deployment("checkout", "shop", {
        "metadata": {"name": "checkout"}, "spec": {"selector": {}, "template": {}}}),
])
def test_the_guard_refuses_anything_but_get_before_it_is_sent(fake_cluster, call):
    from kubernetes import client

    server = fake_cluster(cluster_objects())
    cluster = open_cluster(server.kubeconfig())
    core, apps = client.CoreV1Api(cluster.client), client.AppsV1Api(cluster.client)
    with pytest.raises(ReadOnlyViolation, match="only GET requests"):
        call(core, apps)
    # A read through the same client goes through, and is the only request the server saw.
    assert core.read_namespace("shop").metadata.name == "shop"
    cluster.close()
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/api/v1/namespaces/shop")]


def test_the_guard_sits_on_the_rest_layer_every_request_goes_through(fake_cluster):
    """Below the typed APIs and call_api (whose signature differs between client generations): a request made
    straight on the REST layer is refused too."""
    from kubernetes import client

    server = fake_cluster(cluster_objects())
    api = client.ApiClient(configuration=type.__call__(client.Configuration))
    api.configuration.host = server.url
    sent = guard(api)
    with pytest.raises(ReadOnlyViolation, match="refused to send DELETE /api/v1/namespaces/shop"):
        api.rest_client.request("DELETE", f"{server.url}/api/v1/namespaces/shop")
    with pytest.raises(ReadOnlyViolation, match="refused to send POST /api/v1/namespaces"):
        api.rest_client.request("post", f"{server.url}/api/v1/namespaces", body={"metadata": {"name": "x"}})
    assert sent == [] and server.requests == []
    api.close()
