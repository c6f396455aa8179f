"""The one place every Kubernetes API request goes through: a client of the official library that can only read.

Read-only by construction: the client's REST layer (`ApiClient.rest_client.request`, where the typed APIs and
`call_api` both end up) is wrapped by a guard that refuses any method other than GET before a connection is
opened. A refused request is a bug in prc and stops the audit; it is never sent.

Objects are read by path (`/apis/apps/v1/namespaces/x/deployments?limit=500`) and their JSON parsed here, not
through the typed models: those drop fields they do not know and rename keys to snake_case, and the checks read
objects in the shape a manifest has.

Configuration comes from a kubeconfig (`--kubeconfig`, else $KUBECONFIG, else ~/.kube/config) through
`new_client_from_config`, which fills a Configuration of its own (never the library's global default), with
`persist_config=False` so a token refresh never rewrites the user's file; in a pod without a kubeconfig, from the
pod's ServiceAccount. Credentials are never read, printed or stored by prc.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_NAMESPACE = "default"
DEFAULT_TIMEOUT = 30.0  # seconds for one request to answer
CONNECT_TIMEOUT = 10.0
IN_CLUSTER = "in-cluster"  # the context name shown when the pod's ServiceAccount is used
SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


class ReadOnlyViolation(RuntimeError):
    """A request that could change the cluster was about to be sent: a bug in prc, never sent."""


class ClusterError(Exception):
    """The cluster cannot be audited at all (bad kubeconfig or context, unreachable server, rejected
    credentials): one line for a person, exit code 2."""


@dataclass
class Response:
    status: int
    body: object  # the parsed JSON, or None when the body is not JSON

    @property
    def message(self) -> str:
        """The API server's reason (a Status object's message), on one line."""
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return " ".join(self.body["message"].split())
        return f"HTTP {self.status}"


@dataclass
class Target:
    """Which cluster and identity: resolved from the kubeconfig (or the pod) before any request."""

    context: str
    namespace: str  # the context's namespace, else "default": what an audit without -n reads
    server: str = ""


def kubeconfig_paths(explicit: Path | None) -> str:
    """The kubeconfig as kubectl finds it: --kubeconfig, else $KUBECONFIG (a path list), else ~/.kube/config."""
    if explicit is not None:
        return str(explicit)
    return os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")


def _in_cluster(explicit: Path | None) -> bool:
    paths = kubeconfig_paths(explicit)
    found = any(os.path.exists(p) for p in paths.split(os.pathsep) if p)
    return explicit is None and not found and bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


@dataclass
class ReadOnlyCluster:
    """An ApiClient behind the read-only guard, and what it was asked."""

    target: Target
    client: object = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    # Paths of the GET requests sent, in order (for the summary on stderr and the tests).
    sent: list[str] = field(default_factory=list)

    def get(self, path: str, query: list[tuple[str, object]] | None = None) -> Response:
        """GET a path; the status and parsed body whatever the status (the caller decides what a 403 or 404
        means). Raises ClusterError when the server cannot be reached or rejects the credentials."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        timeout = (min(CONNECT_TIMEOUT, self.timeout), self.timeout)
        try:
            if hasattr(self.client, "param_serialize"):
                status, data = _get_generated_v7(self.client, path, query or [], timeout)
            else:
                status, data = _get_generated_legacy(self.client, path, query or [], timeout)
        # The REST layer turns a TLS failure into an ApiException with status 0; urllib3 raises the rest.
        except (ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise ClusterError(self._unreachable(exc)) from None
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = None
        if status == 401:
            raise ClusterError(f"the API server {self.target.server} rejected the credentials of context "
                               f"{self.target.context} (401 Unauthorized): log in again or fix the user in the "
                               "kubeconfig")
        return Response(status, body)

    def close(self) -> None:
        self.client.close()

    def _unreachable(self, exc: BaseException) -> str:
        return f"cannot reach the API server {self.target.server} of context {self.target.context}: {cause(exc)}"


_ACCEPT_JSON = {"Accept": "application/json"}


def _get_generated_v7(client, path: str, query: list, timeout) -> tuple[int, bytes]:
    """kubernetes 37 and later (openapi-generator 7): the request is built, then sent; any status comes back."""
    method, url, headers, _, _ = client.param_serialize(method="GET", resource_path=path, query_params=query,
                                                        header_params=dict(_ACCEPT_JSON), auth_settings=["BearerToken"])
    raw = client.call_api(method, url, header_params=headers, _request_timeout=timeout)
    try:
        return raw.status, raw.read()
    finally:
        raw.response.release_conn()


def _get_generated_legacy(client, path: str, query: list, timeout) -> tuple[int, bytes]:
    """kubernetes 29 to 36: call_api builds and sends in one go, and raises for a status outside 2xx (with the
    body read), status 0 for a TLS failure."""
    from kubernetes.client.exceptions import ApiException

    try:
        raw = client.call_api(path, "GET", query_params=query, header_params=dict(_ACCEPT_JSON),
                              auth_settings=["BearerToken"], _preload_content=False, _request_timeout=timeout)
    except ApiException as exc:
        if not exc.status:
            raise
        body = exc.body.encode("utf-8") if isinstance(exc.body, str) else exc.body
        return exc.status, body or b""
    try:
        return raw.status, raw.data
    finally:
        raw.release_conn()


def cause(exc: BaseException) -> str:
    """The root of a connection failure, said briefly: refused, unresolvable, TLS, timeout."""
    for e in reversed(_chain(exc)):
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed ({e.verify_message or e.reason})"
        if isinstance(e, ssl.SSLError):
            return f"TLS handshake failed ({e.reason or e})"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return f"cannot resolve the host name ({e.strerror or e})"
        if isinstance(e, TimeoutError) or type(e).__name__ in ("ConnectTimeoutError", "ReadTimeoutError"):
            return "timed out"
    text = " ".join(str(getattr(exc, "reason", None) or exc).split())
    if text.startswith("SSLError"):  # what the REST layer makes of a TLS failure it caught itself
        return f"TLS handshake failed ({text.removeprefix('SSLError').strip()})"
    return text or type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """An exception and what caused it, outermost first: urllib3 keeps the cause of a retried failure in
    `reason`, Python in __cause__ / __context__."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in chain):
        chain.append(current)
        reason = getattr(current, "reason", None)
        current = reason if isinstance(reason, BaseException) else (current.__cause__ or current.__context__)
    return chain


def _guard(request, sent: list[str]):
    """Wrap the REST layer's request(method, url, ...): GET goes on, anything else is refused unsent."""
    from urllib.parse import urlsplit

    def read_only_request(method, url, *args, **kwargs):
        if str(method).upper() != "GET":
            raise ReadOnlyViolation(f"prc audit refused to send {str(method).upper()} {urlsplit(url).path}: only GET "
                                    "requests (get, list, discovery) are ever sent")
        sent.append(urlsplit(url).path)
        return request(method, url, *args, **kwargs)

    return read_only_request


def guard(client, sent: list[str] | None = None) -> list[str]:
    """Put the read-only guard on an ApiClient; returns the list it records sent paths in."""
    sent = [] if sent is None else sent
    client.rest_client.request = _guard(client.rest_client.request, sent)
    return sent


def open_cluster(kubeconfig: Path | None = None, context: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> ReadOnlyCluster:
    """A read-only client for the context (the kubeconfig's current one by default), or the pod's
    ServiceAccount when there is no kubeconfig and prc runs in a pod. Raises ClusterError."""
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    # A Configuration of our own: the library's default is global state shared by everything in the process.
    configuration = type.__call__(k8s_client.Configuration)
    if _in_cluster(kubeconfig):
        if context:
            raise ClusterError(f"--context {context}: there is no kubeconfig here, only the pod's ServiceAccount")
        try:
            k8s_config.load_incluster_config(client_configuration=configuration)
        except k8s_config.ConfigException as exc:
            raise ClusterError(f"cannot use the pod's ServiceAccount: {exc}") from None
        try:
            namespace = SERVICE_ACCOUNT_NAMESPACE.read_text(encoding="utf-8").strip() or DEFAULT_NAMESPACE
        except OSError:
            namespace = DEFAULT_NAMESPACE
        target = Target(IN_CLUSTER, namespace, configuration.host)
        client = k8s_client.ApiClient(configuration=configuration)
    else:
        paths = kubeconfig_paths(kubeconfig)
        target = _kubeconfig_target(paths, context)
        try:
            # persist_config=False: a refreshed token must never be written back into the user's kubeconfig.
            client = k8s_config.new_client_from_config(config_file=paths, context=target.context,
                                                       persist_config=False, client_configuration=configuration)
        except Exception as exc:  # ConfigException, a YAML error, a missing certificate file...
            raise ClusterError(f"cannot use context {target.context} of kubeconfig {paths}: "
                               f"{' '.join(str(exc).split())}") from None
        target.server = configuration.host
    cluster = ReadOnlyCluster(target, client, timeout)
    guard(client, cluster.sent)
    return cluster


def _kubeconfig_target(paths: str, context: str | None) -> Target:
    from kubernetes import config as k8s_config

    existing = [p for p in paths.split(os.pathsep) if p and os.path.exists(p)]
    if not existing:
        raise ClusterError(f"no kubeconfig at {paths} (and not running in a pod): pass --kubeconfig FILE")
    try:
        contexts, current = k8s_config.list_kube_config_contexts(paths)
    except Exception as exc:
        raise ClusterError(f"cannot read kubeconfig {paths}: {' '.join(str(exc).split())}") from None
    name = context or (current or {}).get("name")
    if not name:
        raise ClusterError(f"kubeconfig {paths} has no current-context: pass --context NAME")
    chosen = next((c for c in contexts or [] if c.get("name") == name), None)
    if chosen is None:
        known = ", ".join(sorted(str(c.get("name")) for c in contexts or [])) or "none"
        raise ClusterError(f"kubeconfig {paths} has no context {name} (contexts: {known})")
    namespace = (chosen.get("context") or {}).get("namespace") or DEFAULT_NAMESPACE
    return Target(name, str(namespace))
