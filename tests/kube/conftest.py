"""Fixtures for tests that talk to a (fake) Kubernetes API server over HTTPS on 127.0.0.1."""

from __future__ import annotations

import contextlib

import pytest

from tests.kube.apiserver import FakeApiServer

# Read by the kubernetes client when it builds a Configuration (urllib.request.getproxies): a developer's or a
# CI runner's proxy would otherwise carry the requests for 127.0.0.1 off to the proxy.
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def _use_default_kubeconfig(monkeypatch, path: str) -> None:
    import kubernetes.config
    import kubernetes.config.kube_config

    monkeypatch.setenv("KUBECONFIG", path)
    # The client reads KUBECONFIG once, at import, into these module globals: the variable alone is not enough.
    monkeypatch.setattr(kubernetes.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", path)
    monkeypatch.setattr(kubernetes.config, "KUBE_CONFIG_DEFAULT_LOCATION", path)


@pytest.fixture(autouse=True)
def isolated_kube_environment(tmp_path, monkeypatch):
    """No test here can reach a real cluster or a proxy: the proxy and in-cluster variables are unset, and the
    default kubeconfig is a file that does not exist (fake_cluster points it at its server)."""
    for name in PROXY_VARIABLES + ("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    _use_default_kubeconfig(monkeypatch, str(tmp_path / "no-kubeconfig"))


@pytest.fixture()
def fake_cluster(tmp_path, monkeypatch):
    """A factory: fake_cluster(objects, **kwargs) -> a started FakeApiServer, stopped after the test.

    Each server's CA, key and kubeconfig go to its own directory under tmp_path. The default kubeconfig becomes
    that of the last server started, so a code path that forgets an explicit kubeconfig reaches a fake server
    and never a developer's real cluster."""
    with contextlib.ExitStack() as stack:
        servers: list[FakeApiServer] = []

        def start(objects, **kwargs) -> FakeApiServer:
            kwargs.setdefault("workdir", tmp_path / f"cluster-{len(servers)}")
            server = stack.enter_context(FakeApiServer(objects, **kwargs))
            servers.append(server)
            _use_default_kubeconfig(monkeypatch, str(server.kubeconfig()))
            return server

        yield start
