"""A fake Kubernetes API server for tests: HTTPS on 127.0.0.1, bearer-token auth, read-only.

It serves the REST paths the official `kubernetes` Python client calls (discovery, list, get) from fixture
manifests, and answers the way a real kube-apiserver does where a collector could be caught out:

* list items carry no `kind`/`apiVersion`; a get does;
* every object gets server-side fields (uid, resourceVersion, creationTimestamp, generation, managedFields) and
  a fresh `status` where its kind has one (`{}` for a Deployment; `{replicas: 0, availableReplicas: 0}` for a
  StatefulSet, as Go serializes it), so a collector that forgets to drop noise is caught. uids and
  resourceVersions are deterministic (same fixtures, same values);
* `limit`/`continue` paginate with opaque tokens; a token the server cannot honour is 410 Expired;
* RBAC denials are 403 with the same Status body and message a real server gives;
* any write is 405 and recorded, so a test can prove the audit only ever GETs.

Choices a test author should know (a real server differs or is richer):

* Objects are served only under the apiVersion they are written in: no conversion between versions.
* Selectors: `labelSelector` supports `k=v`, `k==v`, `k!=v`, `k` and `!k`; `fieldSelector` supports
  `metadata.name` and `metadata.namespace` with `=`, `==`, `!=`. Anything else (set-based `in`/`notin`, other
  fields) is 400 BadRequest, so an unsupported selector can never silently match everything.
* `remainingItemCount` is left out when a selector is used, as a real server does (it cannot count ahead).
* A malformed or foreign `continue` token is 410 Expired (a real server answers 400 for a malformed one);
  `expire_continue_tokens()` makes every outstanding token stale, to test a restart of pagination.
* `watch=true` is 400: this server has no watch.
* Subresources (`/status`, `/scale`, `/log`...) are not served (404) and not advertised in discovery.
* `Accept: ...;as=PartialObjectMetadataList` (the client's metadata-only list) is honoured; `as=Table` is not.
* Server-side defaulting (replicas: 1, probe timeouts, imagePullPolicy...) is applied only with
  `defaults=True`: a real cluster always applies it, so "field not set" is not observable on a live object.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import ipaddress
import json
import shutil
import socket
import socketserver
import ssl
import tempfile
import threading
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable

import yaml

USER = "system:serviceaccount:prc:auditor"
# Timestamps a fixture does not set: fixed, so snapshots of collected objects are stable between runs.
CREATED = "2026-11-20T09:00:00Z"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
DEFAULT_NAMESPACES = ("default", "kube-system")


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # The `status` of an object no controller has touched yet; None: the kind has no status. It is not always
    # `{}`: Go leaves zero-valued fields without `omitempty` in the JSON (a new StatefulSet shows `replicas: 0`),
    # and the typed Python client requires them: `status: {}` on a StatefulSet fails its deserialization.
    status: Any = field(default=None, compare=False, hash=False)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, `pods`: how a real server names the resource in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def discovery(self) -> dict:
        entry = {"name": self.plural, "singularName": self.kind.lower(), "namespaced": self.namespaced,
                 "kind": self.kind, "verbs": list(VERBS)}
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        # Same recipe as kube-apiserver: the first 8 bytes of sha256("group/version/kind"), base64.
        digest = hashlib.sha256(f"{self.group}/{self.version}/{self.kind}".encode()).digest()[:8]
        entry["storageVersionHash"] = base64.b64encode(digest).decode()
        return entry


def _rt(gv: str, plural: str, kind: str, namespaced: bool = True, short: tuple[str, ...] = (),
        all_category: bool = False, status: Any = None) -> ResourceType:
    group, _, version = gv.rpartition("/")
    return ResourceType(group, version, plural, kind, namespaced, short, ("all",) if all_category else (), status)


BUILTIN: tuple[ResourceType, ...] = (
    _rt("v1", "pods", "Pod", short=("po",), all_category=True, status={}),
    _rt("v1", "services", "Service", short=("svc",), all_category=True, status={"loadBalancer": {}}),
    _rt("v1", "namespaces", "Namespace", namespaced=False, short=("ns",), status={"phase": "Active"}),
    _rt("v1", "configmaps", "ConfigMap", short=("cm",)),
    _rt("v1", "secrets", "Secret"),
    _rt("v1", "serviceaccounts", "ServiceAccount", short=("sa",)),
    _rt("v1", "endpoints", "Endpoints", short=("ep",)),
    _rt("v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=("pvc",), status={}),
    _rt("v1", "persistentvolumes", "PersistentVolume", namespaced=False, short=("pv",), status={}),
    _rt("v1", "nodes", "Node", namespaced=False, short=("no",), status={}),
    _rt("v1", "resourcequotas", "ResourceQuota", short=("quota",), status={}),
    _rt("v1", "limitranges", "LimitRange", short=("limits",)),
    _rt("v1", "replicationcontrollers", "ReplicationController", short=("rc",), all_category=True,
        status={"replicas": 0}),
    _rt("apps/v1", "deployments", "Deployment", short=("deploy",), all_category=True, status={}),
    _rt("apps/v1", "statefulsets", "StatefulSet", short=("sts",), all_category=True,
        status={"replicas": 0, "availableReplicas": 0}),
    _rt("apps/v1", "daemonsets", "DaemonSet", short=("ds",), all_category=True,
        status={"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0}),
    _rt("apps/v1", "replicasets", "ReplicaSet", short=("rs",), all_category=True, status={"replicas": 0}),
    _rt("batch/v1", "jobs", "Job", all_category=True, status={}),
    _rt("batch/v1", "cronjobs", "CronJob", short=("cj",), all_category=True, status={}),
    _rt("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", short=("pdb",),
        status={"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
    _rt("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=("hpa",),
        all_category=True, status={"desiredReplicas": 0}),
    _rt("rbac.authorization.k8s.io/v1", "roles", "Role"),
    _rt("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", namespaced=False),
    _rt("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding"),
    _rt("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", namespaced=False),
    _rt("networking.k8s.io/v1", "ingresses", "Ingress", short=("ing",), status={"loadBalancer": {}}),
    _rt("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    _rt("networking.k8s.io/v1", "ingressclasses", "IngressClass", namespaced=False),
)
# The prometheus-operator CRDs: served only with crds=True, as if the operator were installed.
CRD_GROUP = "monitoring.coreos.com"
CRDS: tuple[ResourceType, ...] = (
    _rt(f"{CRD_GROUP}/v1", "servicemonitors", "ServiceMonitor", short=("smon",)),
    _rt(f"{CRD_GROUP}/v1", "podmonitors", "PodMonitor", short=("pmon",)),
    _rt(f"{CRD_GROUP}/v1", "prometheusrules", "PrometheusRule", short=("promrule",)),
)
# Order of /apis on a real server: by group priority, not alphabetical; CRD and extra groups come after.
GROUP_ORDER = ("apps", "batch", "policy", "autoscaling", "rbac.authorization.k8s.io", "networking.k8s.io")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict  # query parameter -> value (the last one when repeated)
    authorized: bool  # the bearer token was right
    status: int = 0  # the HTTP status answered


def guess_plural(kind: str) -> str:
    """The plural of a kind not in the built-in table, guessed as Kubernetes' own UnsafeGuessKindToResource does
    (Rollout -> rollouts, Gateway -> gateways, Ingress -> ingresses, NetworkPolicy -> networkpolicies)."""
    lower = kind.lower()
    if lower.endswith("s"):
        return lower + "es"
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + "s"


def load_manifests(*paths: Path | str) -> list[dict]:
    """Every object in the given YAML files (or directories of *.yaml, *.yml, *.json), in order.

    Multi-document files are split; a `kind: List` (or any `<Kind>List` with items) is expanded into its items,
    which inherit the list's apiVersion and kind when they do not set their own."""
    objects: list[dict] = []
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml", ".json")) if p.is_dir() else [p]
        for f in files:
            for doc in yaml.safe_load_all(f.read_text()):
                objects.extend(_expand(doc))
    return objects


def _expand(doc: Any) -> list[dict]:
    if not doc:
        return []
    if not isinstance(doc, dict):
        raise ValueError(f"a manifest document must be a mapping, not {type(doc).__name__}")
    kind = doc.get("kind") or ""
    if kind.endswith("List") and isinstance(doc.get("items"), list):
        item_kind = kind[:-len("List")] if kind != "List" else None
        out = []
        for item in doc["items"]:
            if item_kind and isinstance(item, dict):
                item = {"apiVersion": doc.get("apiVersion"), "kind": item_kind, **item}
            out.extend(_expand(item))
        return out
    return [doc]


def _jsonable(value: Any) -> Any:
    """YAML turns unquoted timestamps into datetimes; the API only ever holds strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fields_v1(value: Any) -> dict:
    """A managedFields `fieldsV1` tree in the real format: `f:<key>` per map key, `k:{"name":...}` per named list
    item. Good enough that a collector which keeps managedFields is visibly bloated."""
    if isinstance(value, dict):
        return {f"f:{k}": _fields_v1(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        return {f'k:{{"name":{json.dumps(v["name"])}}}': {".": {}, **_fields_v1(v)} for v in value}
    return {}


# --- server-side defaulting (defaults=True) -----------------------------------------------------------------

def _default_probe(probe: dict | None) -> None:
    if not isinstance(probe, dict):
        return
    for k, v in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        probe.setdefault(k, v)
    if isinstance(probe.get("httpGet"), dict):
        probe["httpGet"].setdefault("scheme", "HTTP")


def _default_container(c: dict) -> None:
    image = str(c.get("image") or "")
    tag = image.rsplit("/", 1)[-1]
    latest = "@" not in tag and (":" not in tag or tag.endswith(":latest"))
    c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(c.get(probe))


def _default_pod_spec(spec: dict | None, restart_policy: str | None = "Always") -> None:
    if not isinstance(spec, dict):
        return
    if restart_policy:
        spec.setdefault("restartPolicy", restart_policy)
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _default_container(c)


def _template_spec(spec: dict) -> dict | None:
    template = spec.get("template")
    return template.get("spec") if isinstance(template, dict) else None


def _apply_defaults(obj: dict, cluster_ip: str) -> None:
    kind = obj.get("kind")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if kind == "Pod":
        _default_pod_spec(spec)
        # The ServiceAccount admission plugin, on pods only (not on templates).
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
    elif kind == "Deployment":
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {}).update(
                {k: v for k, v in (("maxSurge", "25%"), ("maxUnavailable", "25%"))
                 if k not in strategy.get("rollingUpdate", {})})
        _default_pod_spec(_template_spec(spec))
    elif kind == "StatefulSet":
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        strategy = spec.setdefault("updateStrategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
        spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
        _default_pod_spec(_template_spec(spec))
    elif kind == "DaemonSet":
        spec.setdefault("revisionHistoryLimit", 10)
        strategy = spec.setdefault("updateStrategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            rolling = strategy.setdefault("rollingUpdate", {})
            rolling.setdefault("maxUnavailable", 1)
            rolling.setdefault("maxSurge", 0)
        _default_pod_spec(_template_spec(spec))
    elif kind == "ReplicaSet":
        spec.setdefault("replicas", 1)
        _default_pod_spec(_template_spec(spec))
    elif kind == "Job":
        _default_job_spec(spec)
    elif kind == "CronJob":
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
        job_template = spec.get("jobTemplate")
        if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
            _default_job_spec(job_template["spec"])
    elif kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if spec["type"] != "ExternalName":
            spec.setdefault("clusterIP", cluster_ip)
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
                if "port" in port:
                    port.setdefault("targetPort", port["port"])


def _default_job_spec(spec: dict) -> None:
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    # A Job must set restartPolicy itself (Never/OnFailure): no default for it.
    _default_pod_spec(_template_spec(spec), restart_policy=None)


# --- TLS ------------------------------------------------------------------------------------------------------

def make_tls(directory: Path) -> tuple[Path, Path, Path]:
    """A fresh CA and a server certificate for 127.0.0.1/localhost, written as PEM: (ca, cert, key) paths.

    The validity window is fixed (2000-2099), not "now +- a day": a test may freeze Python's clock (freezegun)
    while OpenSSL checks the certificate against the real one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    not_before, not_after = dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)
    # EC keys: generating two RSA keys would cost a noticeable part of a test's time budget.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-kubernetes-ca")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, key_cert_sign=False,
                                         crl_sign=False, content_commitment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = directory / "ca.crt", directory / "apiserver.crt", directory / "apiserver.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path


# --- kubeconfig -----------------------------------------------------------------------------------------------

_HELD_SOCKETS: list[socket.socket] = []


def closed_port() -> int:
    """A loopback port where a connection is refused: bound but never listening, and held for the life of the
    process, so no other test can start listening on it in between."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD_SOCKETS.append(s)
    return s.getsockname()[1]


def _kubeconfig_entries(name: str, server: str, ca_path: Path, token: str, namespace: str | None):
    context = {"cluster": name, "user": f"{name}-user"}
    if namespace:
        context["namespace"] = namespace
    return ({"name": name, "cluster": {"server": server, "certificate-authority": str(ca_path)}},
            {"name": f"{name}-user", "user": {"token": token}},
            {"name": name, "context": context})


def write_kubeconfig(path: Path, entries: Iterable[tuple[dict, dict, dict]], current: str) -> Path:
    entries = list(entries)
    config = {"apiVersion": "v1", "kind": "Config", "preferences": {},
              "clusters": [e[0] for e in entries], "users": [e[1] for e in entries],
              "contexts": [e[2] for e in entries], "current-context": current}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def unreachable_kubeconfig(path: Path, ca_path: Path, context: str = "unreachable",
                           token: str = "test-token") -> Path:
    """A kubeconfig whose only context points at https://127.0.0.1:<closed port>: connections are refused."""
    entry = _kubeconfig_entries(context, f"https://127.0.0.1:{closed_port()}", ca_path, token, None)
    return write_kubeconfig(path, [entry], context)


# --- the server -----------------------------------------------------------------------------------------------

class _ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.body = status_body(code, reason, message, details)
        self.code = code


def status_body(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def _not_found_path() -> _ApiError:
    return _ApiError(404, "NotFound", "the server could not find the requested resource", {})


def _bad_request(message: str) -> _ApiError:
    return _ApiError(400, "BadRequest", message)


@dataclass
class _Stored:
    namespace: str  # "" for a cluster-scoped object
    name: str
    obj: dict


class FakeApiServer:
    def __init__(self, objects: list[dict], *, token: str = "test-token",
                 forbidden: Iterable[tuple[str, str | None]] = frozenset(), crds: bool = False,
                 defaults: bool = False, user: str = USER, kube_version: str = "v1.31.4",
                 workdir: Path | None = None):
        """objects: manifests as parsed from YAML (not modified). forbidden: (resource plural, namespace or None)
        pairs the identity may not read; a plural may also be qualified (`deployments.apps`). crds: serve the
        prometheus-operator group (monitoring.coreos.com); without it, objects of that group are dropped, as if
        the CRDs were not installed. defaults: apply server-side defaulting. workdir: where the CA, the server's
        key and kubeconfigs go (a temporary directory, removed on stop, when not given)."""
        self.token = token
        self.user = user
        self.crds = crds
        self.requests: list[Request] = []
        self.tls_errors: list[str] = []  # TLS handshakes that failed (a client that does not trust the CA)
        self.server_errors: list[str] = []  # bugs in this fake: answered as 500
        self._lock = threading.Lock()
        self._epoch = 0
        self._workdir_given = workdir is not None
        self._workdir = Path(workdir) if workdir is not None else None
        self._httpd: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._ca_path: Path | None = None
        major, minor = kube_version.lstrip("v").split(".")[:2]
        self.version = {"major": major, "minor": minor, "gitVersion": kube_version,
                        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22.5", "compiler": "gc",
                        "platform": "linux/amd64"}
        self._types: dict[tuple[str, str], dict[str, ResourceType]] = {}
        self._store: dict[ResourceType, list[_Stored]] = {}
        self._rv = 0
        self._load(objects, defaults)
        self.forbidden = self._check_forbidden(forbidden)

    # -- fixture loading --

    def _load(self, objects: list[dict], defaults: bool) -> None:
        known = {(t.group, t.version, t.kind): t for t in BUILTIN + CRDS}
        served = list(BUILTIN) + (list(CRDS) if self.crds else [])
        for t in served:
            self._types.setdefault((t.group, t.version), {})[t.plural] = t
        objects = [_jsonable(copy.deepcopy(o)) for o in objects]
        for o in objects:
            if not isinstance(o, dict) or not o.get("apiVersion") or not o.get("kind") \
                    or not (o.get("metadata") or {}).get("name"):
                raise ValueError(f"a fixture object needs apiVersion, kind and metadata.name: {o!r:.200}")
        # Extra kinds (Argo Rollouts...): namespaced when any of their objects names a namespace.
        extra_namespaced: dict[tuple[str, str, str], bool] = {}
        for o in objects:
            group, _, version = o["apiVersion"].rpartition("/")
            key = (group, version, o["kind"])
            # An unknown kind of the CRD group (Alertmanager...) exists only when the CRDs are installed.
            if key not in known and (group != CRD_GROUP or self.crds):
                extra_namespaced[key] = extra_namespaced.get(key, False) or bool(o["metadata"].get("namespace"))
        for (group, version, kind), namespaced in extra_namespaced.items():
            t = ResourceType(group, version, guess_plural(kind), kind, namespaced)
            known[(group, version, kind)] = t
            self._types.setdefault((group, version), {})[t.plural] = t
        served_set = {t for types in self._types.values() for t in types.values()}
        # In table order, not set order: resourceVersions are handed out in this order and must not vary by run.
        for types in self._types.values():
            for t in types.values():
                self._store[t] = []

        namespaces: dict[str, dict] = {ns: {} for ns in DEFAULT_NAMESPACES}
        seen: set[tuple[ResourceType, str, str]] = set()
        ip = 10
        for o in objects:
            group, _, version = o["apiVersion"].rpartition("/")
            t = known.get((group, version, o["kind"]))
            if t not in served_set:
                continue  # a CRD group that is not installed
            meta = o["metadata"]
            if t.namespaced:
                meta["namespace"] = ns = meta.get("namespace") or "default"
                namespaces.setdefault(ns, {})
            else:
                meta.pop("namespace", None)
                ns = ""
            if t.kind == "Namespace":
                namespaces[meta["name"]] = o
                continue
            if (t, ns, meta["name"]) in seen:
                raise ValueError(f"two fixture objects are {t.qualified} {ns}/{meta['name']}")
            seen.add((t, ns, meta["name"]))
            if defaults:
                ip += 1
                _apply_defaults(o, f"10.96.{ip // 250}.{ip % 250}")
            self._store[t].append(_Stored(ns, meta["name"], o))
        ns_type = self._types[("", "v1")]["namespaces"]
        for name, o in namespaces.items():
            o = o or {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
                      "spec": {"finalizers": ["kubernetes"]}}
            # Set by the server on every namespace since 1.21; NetworkPolicies select namespaces by it.
            o["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
            self._store[ns_type].append(_Stored("", name, o))
        for t, stored in self._store.items():
            stored.sort(key=lambda s: (s.namespace, s.name))
            for s in stored:
                self._stamp(t, s)

    def _stamp(self, t: ResourceType, s: _Stored) -> None:
        self._rv += 1
        o, meta = s.obj, s.obj["metadata"]
        meta.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"fake-kube/{t.qualified}/{s.namespace}/{s.name}")))
        meta["resourceVersion"] = str(1000 + self._rv)
        meta.setdefault("creationTimestamp", CREATED)
        meta.setdefault("generation", 1)
        if t.status is not None:
            status = o.setdefault("status", {})
            if isinstance(status, dict):
                for k, v in t.status.items():
                    status.setdefault(k, copy.deepcopy(v))
        if "managedFields" not in meta:
            owned = {k: v for k, v in o.items() if k not in ("apiVersion", "kind", "status")}
            owned["metadata"] = {k: v for k, v in meta.items()
                                 if k in ("labels", "annotations", "ownerReferences", "finalizers")}
            meta["managedFields"] = [{
                "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": o["apiVersion"],
                "time": meta["creationTimestamp"], "fieldsType": "FieldsV1", "fieldsV1": _fields_v1(owned)}]
            if t.status is not None:
                meta["managedFields"].append({
                    "manager": "kube-controller-manager", "operation": "Update", "apiVersion": o["apiVersion"],
                    "time": meta["creationTimestamp"], "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}},
                    "subresource": "status"})

    def _check_forbidden(self, forbidden: Iterable[tuple[str, str | None]]) -> frozenset:
        names = {n for t in list(self._store) + list(BUILTIN + CRDS) for n in (t.plural, t.qualified)}
        forbidden = frozenset(tuple(f) for f in forbidden)
        for resource, _ in forbidden:
            if resource not in names:
                raise ValueError(f"forbidden names an unknown resource {resource!r}; known: {sorted(names)}")
        return forbidden

    # -- lifecycle --

    def start(self) -> "FakeApiServer":
        if self._httpd is not None:
            raise RuntimeError("the fake API server is already running")
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="fake-kube-"))
        self._ca_path, cert, key = make_tls(self._workdir / "pki")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        self._httpd = _TLSServer(context, self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-kube-apiserver:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        # Clients keep idle keep-alive connections; close them so their handler threads end now.
        httpd.close_connections()
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self._workdir_given and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> "FakeApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake API server is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        if self._ca_path is None:
            raise RuntimeError("the fake API server has not been started")
        return self._ca_path

    def kubeconfig(self, path: Path | None = None, context: str = "fake", namespace: str | None = None, *,
                   unreachable_context: str | None = None) -> Path:
        """A kubeconfig for this server (token auth, the CA by path). With unreachable_context, a second context
        of that name points at a closed port, for a test of `--context` selecting a dead cluster."""
        entries = [_kubeconfig_entries(context, self.url, self.ca_path, self.token, namespace)]
        if unreachable_context:
            entries.append(_kubeconfig_entries(unreachable_context, f"https://127.0.0.1:{closed_port()}",
                                               self.ca_path, self.token, None))
        return write_kubeconfig(Path(path) if path else self._workdir / "kubeconfig", entries, context)

    # -- what the tests look at --

    def list_calls(self, resource: str) -> list[Request]:
        """The recorded GETs that listed `resource` (a plural, or qualified: `deployments.apps`), in any namespace
        or across all, in order: one per page."""
        out = []
        with self._lock:
            recorded = list(self.requests)
        for r in recorded:
            route = self._route(r.path) if r.method == "GET" else None
            if route and route[0] == "list" and resource in (route[1].plural, route[1].qualified):
                out.append(r)
        return out

    def expire_continue_tokens(self) -> None:
        """Every continue token given so far is answered 410 Expired from now on, as after an etcd compaction."""
        with self._lock:
            self._epoch += 1

    # -- request handling --

    def handle(self, handler: "_Handler") -> None:
        split = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)  # drained, so the keep-alive connection stays in step
        # The scheme is case-insensitive (RFC 7235), as kube-apiserver reads it: the client's in-cluster loader
        # sends "bearer <token>".
        scheme, _, credentials = (handler.headers.get("Authorization") or "").partition(" ")
        authorized = scheme.lower() == "bearer" and credentials == self.token
        try:
            if not authorized:
                raise _ApiError(401, "Unauthorized", "Unauthorized")
            if handler.command != "GET":
                raise _ApiError(405, "MethodNotAllowed",
                                "the server does not allow this method on the requested resource", {})
            code, body = 200, self._get(split.path, query, handler.headers.get("Accept") or "")
        except _ApiError as e:
            code, body = e.code, e.body
        except Exception as e:  # a bug in the fake: visible to the client and to the test
            import traceback

            self.server_errors.append(traceback.format_exc())
            code, body = 500, status_body(500, "InternalError", f"fake API server error: {e!r}", {})
        with self._lock:
            self.requests.append(Request(handler.command, split.path, query, authorized, code))
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(code)
        handler.send_header("Content-Type", "text/plain; charset=utf-8" if isinstance(body, str)
                            else "application/json")
        handler.send_header("Audit-Id", str(uuid.uuid4()))
        handler.send_header("Cache-Control", "no-cache, private")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)

    def _get(self, path: str, query: dict, accept: str) -> Any:
        parts = [p for p in path.split("/") if p]
        if parts in (["healthz"], ["livez"], ["readyz"]):
            return "ok"
        if parts == ["version"]:
            return self.version
        if parts == []:
            return {"paths": sorted({"/api", "/api/v1", "/apis", "/version", "/healthz", "/livez", "/readyz"}
                                    | {f"/apis/{g}" for g, _ in self._types if g}
                                    | {f"/apis/{g}/{v}" for g, v in self._types if g})}
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.port}"}]}
        if parts == ["apis"]:
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [self._group(g) for g in self._groups()]}
        if len(parts) == 2 and parts[0] == "apis":
            if parts[1] not in self._groups():
                raise _not_found_path()
            return {"kind": "APIGroup", "apiVersion": "v1", **self._group(parts[1])}
        route = self._route(path)
        if route is None:
            raise _not_found_path()
        action, t, namespace, name = route
        if action == "discovery":
            types = self._types[(t.group, t.version)]
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": t.group_version,
                    "resources": [r.discovery() for r in types.values()]}
        verb = "list" if action == "list" else "get"
        if query.get("watch") in ("true", "1"):
            raise _bad_request("watch is not supported by the fake API server")
        self._authorize(verb, t, namespace, name)
        metadata_only = "as=PartialObjectMetadata" in accept.replace(" ", "")
        if action == "get":
            return self._get_one(t, namespace, name, metadata_only)
        return self._list(t, namespace, query, metadata_only)

    def _groups(self) -> list[str]:
        groups = {g for g, _ in self._types if g}
        return [g for g in GROUP_ORDER if g in groups] + sorted(groups - set(GROUP_ORDER))

    def _group(self, group: str) -> dict:
        versions = [v for g, v in self._types if g == group]
        builtin = [t.version for t in BUILTIN + CRDS if t.group == group]
        preferred = builtin[0] if builtin and builtin[0] in versions else versions[0]
        entry = lambda v: {"groupVersion": f"{group}/{v}", "version": v}  # noqa: E731
        return {"name": group, "versions": [entry(preferred)] + [entry(v) for v in versions if v != preferred],
                "preferredVersion": entry(preferred)}

    def _route(self, path: str):
        """(action, type, namespace, name) for a resource path; None when nothing is served there.
        action: "discovery" (the type is any one of the group version's), "list" or "get"."""
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            gv, rest = ("", "v1"), parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            gv, rest = (parts[1], parts[2]), parts[3:]
        else:
            return None
        types = self._types.get(gv)
        if not types:
            return None
        if not rest:
            return "discovery", next(iter(types.values())), None, None
        namespace = None
        if rest[0] == "namespaces" and len(rest) in (3, 4):
            namespace, rest = rest[1], rest[2:]
        t = types.get(rest[0])
        if t is None or len(rest) > 2 or (namespace is not None and not t.namespaced):
            return None
        if len(rest) == 2 and t.namespaced and namespace is None:
            return None  # /apis/apps/v1/deployments/web: a namespaced object has no cluster-wide path
        return ("get" if len(rest) == 2 else "list"), t, namespace, (rest[1] if len(rest) == 2 else None)

    def _authorize(self, verb: str, t: ResourceType, namespace: str | None, name: str | None) -> None:
        names = (t.plural, t.qualified)
        denied = any((n, None) in self.forbidden for n in names)
        if namespace is not None:
            denied = denied or any((n, namespace) in self.forbidden for n in names)
        elif t.namespaced:
            # Listing across namespaces needs a cluster-wide grant: any namespace denied denies it, as RBAC does.
            denied = denied or any(r in names for r, _ in self.forbidden)
        if not denied:
            return
        subject = f'{t.qualified} "{name}"' if name else t.qualified
        scope = f'in the namespace "{namespace}"' if namespace is not None else "at the cluster scope"
        details = {"name": name} if name else {}
        if t.group:
            details["group"] = t.group
        details["kind"] = t.plural
        raise _ApiError(403, "Forbidden", f'{subject} is forbidden: User "{self.user}" cannot {verb} resource '
                                          f'"{t.plural}" in API group "{t.group}" {scope}', details)

    @staticmethod
    def _metadata_only(o: dict) -> dict:
        return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}

    def _get_one(self, t: ResourceType, namespace: str | None, name: str, metadata_only: bool) -> dict:
        for s in self._store[t]:
            if s.name == name and s.namespace == (namespace or ""):
                return self._metadata_only(s.obj) if metadata_only else s.obj
        details = {"name": name}
        if t.group:
            details["group"] = t.group
        details["kind"] = t.plural
        raise _ApiError(404, "NotFound", f'{t.qualified} "{name}" not found', details)

    def _list(self, t: ResourceType, namespace: str | None, query: dict, metadata_only: bool) -> dict:
        label_selector, field_selector = query.get("labelSelector", ""), query.get("fieldSelector", "")
        match_labels, match_fields = _label_matcher(label_selector), _field_matcher(field_selector)
        items = [s.obj for s in self._store[t]
                 if (namespace is None or s.namespace == namespace)
                 and match_labels(s.obj["metadata"].get("labels") or {}) and match_fields(s.obj["metadata"])]
        with self._lock:
            epoch = self._epoch
        scope = {"v": "fake-kube/v1", "epoch": epoch, "resource": f"{t.group_version}/{t.plural}",
                 "ns": namespace, "selectors": [label_selector, field_selector]}
        offset = 0
        if query.get("continue"):
            offset = _decode_continue(query["continue"], scope)
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise _bad_request(f"limit: Invalid value: {query['limit']!r}") from None
        end = offset + limit if limit > 0 else len(items)
        metadata: dict = {"resourceVersion": str(1000 + self._rv)}
        if end < len(items):
            token = json.dumps({**scope, "offset": end}, separators=(",", ":")).encode()
            metadata["continue"] = base64.urlsafe_b64encode(token).decode().rstrip("=")
            if not label_selector and not field_selector:
                metadata["remainingItemCount"] = len(items) - end
        page = items[offset:end]
        if metadata_only:
            return {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                    "items": [self._metadata_only(o) for o in page]}
        return {"kind": f"{t.kind}List", "apiVersion": t.group_version, "metadata": metadata,
                "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in page]}


def _decode_continue(token: str, scope: dict) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data.pop("offset")
        if data != scope or not isinstance(offset, int) or offset < 0:
            raise ValueError("foreign or stale token")
        return offset
    except Exception:
        raise _ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list "
                                        "result. You can start a new list without the continue parameter.") from None


def _label_matcher(selector: str):
    if not selector:
        return lambda labels: True
    if "(" in selector or " in " in f" {selector} " or " notin " in f" {selector} ":
        raise _bad_request(f"unsupported label selector {selector!r}: the fake API server knows only equality "
                           "selectors (k=v, k==v, k!=v, k, !k)")
    terms = []
    for term in (t.strip() for t in selector.split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append(lambda labels, k=key.strip(), v=value.strip(): labels.get(k) != v)
        elif "=" in term:
            key, value = term.split("==", 1) if "==" in term else term.split("=", 1)
            terms.append(lambda labels, k=key.strip(), v=value.strip(): labels.get(k) == v)
        elif term.startswith("!") and term[1:].strip():
            terms.append(lambda labels, k=term[1:].strip(): k not in labels)
        elif term and " " not in term:
            terms.append(lambda labels, k=term: k in labels)
        else:
            raise _bad_request(f"unable to parse requirement: {term!r}")
    return lambda labels: all(term(labels) for term in terms)


def _field_matcher(selector: str):
    if not selector:
        return lambda metadata: True
    terms = []
    for term in (t.strip() for t in selector.split(",")):
        op = "!=" if "!=" in term else "==" if "==" in term else "=" if "=" in term else None
        if op is None:
            raise _bad_request(f"invalid field selector term {term!r}")
        key, value = (x.strip() for x in term.split(op, 1))
        if key not in ("metadata.name", "metadata.namespace"):
            raise _bad_request(f'"{key}" is not a known field selector: only "metadata.name", "metadata.namespace"')
        attr = key.split(".", 1)[1]
        if op == "!=":
            terms.append(lambda metadata, a=attr, v=value: metadata.get(a, "") != v)
        else:
            terms.append(lambda metadata, a=attr, v=value: metadata.get(a, "") == v)
    return lambda metadata: all(term(metadata) for term in terms)


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as a real server: the client's connection pool reuses one TLS session across pages.
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "fake-kube-apiserver"
    # Headers and body go out as separate writes; without this, Nagle's algorithm can add ~40 ms per request.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def do_GET(self):
        self.server.fake.handle(self)

    def __getattr__(self, name):
        # do_POST, do_PUT, do_PATCH, do_DELETE, do_HEAD...: every method reaches handle(), which answers 405.
        if name.startswith("do_"):
            return self.do_GET
        raise AttributeError(name)


class _TLSServer(ThreadingHTTPServer):
    # Handler threads are joined on server_close (after stop() closed their connections): no thread outlives stop.
    daemon_threads = False
    block_on_close = True

    def __init__(self, context: ssl.SSLContext, fake: FakeApiServer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.fake = fake
        self._connections: set[ssl.SSLSocket] = set()
        self._connections_lock = threading.Lock()

    def server_bind(self):
        # HTTPServer.server_bind would resolve the host name (socket.getfqdn), which can stall on a slow resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, not in the accept loop: a client that
        # stalls or aborts the handshake cannot hold up other connections.
        request.settimeout(10)
        try:
            connection = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.fake.tls_errors.append(f"{type(e).__name__}: {e}")
            return
        connection.settimeout(60)
        with self._connections_lock:
            self._connections.add(connection)
        try:
            self.RequestHandlerClass(connection, client_address, self)
        except OSError:
            pass  # the client went away, or stop() closed the connection
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
            connection.close()

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for c in connections:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass  # a dropped connection is not a test failure; bugs in the fake are answered as 500 and recorded
