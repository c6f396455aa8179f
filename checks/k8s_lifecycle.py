"""Lifecycle checks for Kubernetes workloads: probes, graceful shutdown, rollout.

Decisions where the checklist is silent (also in each check's docstring):

- Readiness (001) is asked of containers that serve traffic
  (Container.serves_traffic): a log shipper beside the app in pods a
  Service selects serves nothing.
- Liveness (002) is asked of every app container of a long-running
  workload, workers without a port included (a wedged consumer is what
  liveness is for). Init containers never run probes. Sidecars, native
  ones (init containers with restartPolicy Always) and regular containers
  that look like one beside an app container (same heuristic as 012), are
  asked only when they expose a port: a log shipper or secret agent with
  no port has nothing a kubelet could usefully probe, a proxy does.
- Two probes are "identical" (003) when they use the same handler on the
  same endpoint: httpGet scheme, host, path, port (named ports resolved
  against the container's ports) and Host header; tcpSocket host and port;
  grpc port and service; exec command. Timings are ignored: a laxer
  failureThreshold only delays the restart a failing dependency causes.
  Other headers are ignored too: a Cookie or X-Probe value that differs
  reaches the same handler, which checks the same things.
- preStop (010) accepts exec, httpGet and the sleep action; a sleep of 0 s
  and tcpSocket (which the kubelet does not run as a hook) do not count.
  A native sidecar is stopped only after the app containers have exited,
  so it needs its own preStop only when no app container serves traffic.
- Grace period (011): the sleep of a hook is read from `sleep N` / `sleep
  Ns` commands (direct or in `sh -c` scripts, summed; other commands in
  the script are taken as quick) and from the sleep action. A hook whose
  duration cannot be read (a drain script, an httpGet, `sleep $VAR`, a
  loop) is UNKNOWN, unless the grace period does not even exceed the
  drain margin, which fails whatever the hook does.
- Sidecars (012): Istio injection is decided the way Istio's webhooks
  select pods (pod sidecar.istio.io/inject=false and namespace
  istio-injection=disabled win; a Namespace missing from the scan leaves
  only the pod's own labels to go by). Mesh-wide proxy defaults are not in
  the manifests, so a pod relying on them fails; waive it. Other sidecars
  are recognised by image or name, and only beside an app container: a
  fluent-bit DaemonSet is its own app. Jobs are out of scope here.
- Rollout (020): StatefulSet and DaemonSet OnDelete are UNKNOWN (rollouts
  are manual; prc cannot tell whether pods are deleted one at a time).
  Recreate with a PersistentVolumeClaim mounted (a ReadWriteOnce volume
  often forces it) still fails, at low severity. Argo Rollouts canary and
  blueGreen pass; a canary maxUnavailable is held to the same rule as a
  Deployment's. A Deployment whose pod template an Argo Rollout runs
  through spec.workloadRef is skipped by 020 and 021: the Rollout rolls
  it out.
- Workload checks that read the pod template (011, 012) give one UNKNOWN
  for a Rollout whose workloadRef names an object missing from the scan.
"""

from __future__ import annotations

import math
import posixpath
import re
import shlex

import yaml

from prc.registry import check
from prc.targets import Container, Workload, mapping, sequence

from ._common import pod_template_unknown, scaled_by_rollout

# --------------------------------------------------------------------------- helpers


def _int(value: object) -> int | None:
    """An integer field as written; None for anything else (a Helm leftover string, a float, a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _pod_containers(w: Workload) -> list[Container]:
    """Containers that run beside each other for the pod's life: app containers and native sidecars."""
    return list(w.containers) + [c for c in w.init_containers if c.native_sidecar]


def _pod_metadata_path(w: Workload) -> str:
    if w.kind == "Pod":
        return "metadata"
    base = w.pod_spec_path[: -len("spec")] if w.pod_spec_path.endswith("spec") else ""
    return f"{base}metadata"


def _port_label(c: Container) -> str:
    ports = [mapping(p).get("containerPort") for p in c.ports]
    ports = [str(p) for p in ports if p is not None]
    if ports:
        return f"port {ports[0]}" if len(ports) == 1 else f"ports {', '.join(ports)}"
    names = ", ".join(s.name for s in c.workload.services)
    return f"Service {names}" if names else "traffic"


# --------------------------------------------------------------------------- probes


def _needs_probes(c: Container) -> bool:
    # serves_traffic: exposes a port, or is the only container of pods a Service selects. A log shipper
    # beside the app in pods a Service selects serves nothing, so it needs no readinessProbe.
    return c.workload.long_running and not c.init and c.serves_traffic


@check(id="PRC-K8S-001", slug="readiness-probe", target=Container, item="readiness", severity="high",
       fix="Add a readinessProbe (httpGet on a /ready endpoint, or tcpSocket) to the container.")
def readiness_probe(c: Container, opts):
    """What: every container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout, bare Pod) that serves traffic, that is exposes a port or is the only container of pods a Service selects, has a readinessProbe.

    Why: without one, Kubernetes sends traffic to a pod as soon as its process starts, before it can serve, and keeps sending it while the pod is overloaded or cut off from its dependencies.

    How to fix: add a readinessProbe that checks the container can serve right now, usually an httpGet on a cheap /ready endpoint, with periodSeconds of 5 to 10.
    """
    if not _needs_probes(c):
        return
    if not c.spec.get("readinessProbe"):
        yield c.fail(f"container {c.name} has no readinessProbe")
    else:
        yield c.ok(at="readinessProbe")


def _runs_beside_app(c: Container) -> bool:
    """An app container or a native sidecar of a long-running workload: containers that can have probes."""
    return c.workload.long_running and (not c.init or c.native_sidecar)


def _needs_liveness(c: Container) -> bool:
    """App containers always; sidecars (native, or regular ones that look like one) only when they expose a port."""
    if not _runs_beside_app(c):
        return False
    if looks_like_sidecar(c):
        return bool(c.ports)
    return True


def _resolve_port(port: object, c: Container) -> tuple[object, bool]:
    """(port number, resolved). Named ports are looked up among the container's ports."""
    if isinstance(port, bool):
        return port, False
    if isinstance(port, int):
        return port, True
    if isinstance(port, str):
        if port.isdigit():
            return int(port), True
        for p in c.ports:
            p = mapping(p)
            if p.get("name") == port and _int(p.get("containerPort")) is not None:
                return p["containerPort"], True
    return port, False


def probe_endpoint(probe: object, c: Container) -> tuple[tuple, object, bool, str] | None:
    """What a probe calls: (identity without port, port, port resolved, description); None without a handler."""
    probe = mapping(probe)
    if isinstance(probe.get("httpGet"), dict):
        h = probe["httpGet"]
        path = str(h.get("path") or "/")  # exact: /healthz and /healthz/ can be different routes
        port, resolved = _resolve_port(h.get("port"), c)
        # The Host header picks a virtual host, so it can route to another handler; other headers
        # (a Cookie, an X-Probe marker) reach the same handler and are left out of the identity.
        virtual_host = str(_http_headers(probe).get("host", "")).lower()
        key = ("httpGet", str(h.get("scheme") or "HTTP").upper(), str(h.get("host") or ""), path, virtual_host)
        return key, port, resolved, f"httpGet {path} on port {port}"
    if isinstance(probe.get("tcpSocket"), dict):
        h = probe["tcpSocket"]
        port, resolved = _resolve_port(h.get("port"), c)
        return ("tcpSocket", str(h.get("host") or "")), port, resolved, f"tcpSocket on port {port}"
    if isinstance(probe.get("grpc"), dict):
        h = probe["grpc"]
        port, resolved = _resolve_port(h.get("port"), c)
        service = str(h.get("service") or "")
        text = f"grpc on port {port}" + (f" service {service}" if service else "")
        return ("grpc", service), port, resolved, text
    if isinstance(probe.get("exec"), dict):
        command = tuple(str(x) for x in sequence(probe["exec"].get("command")))
        return ("exec", command), None, True, f"exec `{' '.join(command)}`"
    return None


def _http_headers(probe: object) -> dict[str, str]:
    """An httpGet probe's headers, names lower-cased (HTTP header names are case-insensitive)."""
    http = mapping(mapping(probe).get("httpGet"))
    return {str(mapping(x).get("name", "")).lower(): str(mapping(x).get("value", ""))
            for x in sequence(http.get("httpHeaders"))}


_PROBE_TIMINGS = ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold")


@check(id="PRC-K8S-002", slug="liveness-probe", target=Container, item="liveness", severity="medium",
       fix="Add a livenessProbe on a cheap endpoint that checks only the process itself (not its dependencies).")
def liveness_probe(c: Container, opts):
    """What: every app container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout, bare Pod) has a livenessProbe. Init containers are not checked. Sidecars, that is native sidecars (init containers with restartPolicy Always) and regular containers that look like one beside an app container (a log shipper, a proxy, see PRC-K8S-012), are checked only when they expose a port.

    Why: a process that deadlocks or wedges keeps running, so Kubernetes never restarts it and the pod holds a replica slot while doing nothing; a liveness probe lets the kubelet notice and restart the container.

    How to fix: add a livenessProbe that checks only that the process can make progress, for example an httpGet on a /livez endpoint that does not call the database, or an exec probe for workers without a port; keep it laxer than the readinessProbe.
    """
    if not _needs_liveness(c):
        return
    probe = c.spec.get("livenessProbe")
    if probe is None or probe == {}:
        yield c.fail(f"container {c.name} has no livenessProbe", at="livenessProbe")
    elif not isinstance(probe, dict):
        yield c.unknown(f"container {c.name}: livenessProbe is not a mapping ({probe!r})", at="livenessProbe")
    else:
        yield c.ok(at="livenessProbe")


@check(id="PRC-K8S-003", slug="liveness-differs-from-readiness", target=Container, item="liveness",
       severity="medium",
       fix="Point the livenessProbe at an endpoint that checks only the process (e.g. /livez), not the readiness one.")
def liveness_differs_from_readiness(c: Container, opts):
    """What: when a container has both a livenessProbe and a readinessProbe, they do not call the same thing: the same httpGet scheme, host, path, port and Host header (other headers, such as a Cookie or an X-Probe marker, reach the same handler and do not make probes different), the same tcpSocket port, the same grpc port and service, or the same exec command count as identical even when the timings differ (a laxer failureThreshold only delays the restart).

    Why: readiness answers "should this pod get traffic now", liveness answers "is this process beyond repair". When both call one endpoint, a slow dependency or a short overload that should only take pods out of rotation makes every pod fail liveness too, and the kubelet restarts them all at once, turning a brownout into an outage.

    How to fix: give liveness its own cheap endpoint (for example /livez) that does not check dependencies, or a tcpSocket probe on the serving port, and keep the dependency checks in the readiness endpoint.
    """
    if not _runs_beside_app(c):
        return
    liveness, readiness = c.spec.get("livenessProbe"), c.spec.get("readinessProbe")
    if not isinstance(liveness, dict) or not isinstance(readiness, dict) or not liveness or not readiness:
        return
    live, ready = probe_endpoint(liveness, c), probe_endpoint(readiness, c)
    if live is None or ready is None:
        return  # a probe without a handler is rejected by the API server; nothing to compare
    live_key, live_port, live_resolved, text = live
    ready_key, ready_port, ready_resolved, _ = ready
    if live_key != ready_key:
        yield c.ok(at="livenessProbe")
    elif live_port == ready_port:
        differ = []
        if any(liveness.get(k) != readiness.get(k) for k in _PROBE_TIMINGS):
            differ.append("timings")
        headers = [{k: v for k, v in _http_headers(p).items() if k != "host"} for p in (liveness, readiness)]
        if headers[0] != headers[1]:
            differ.append("headers")
        note = f" (only the {' and '.join(differ)} differ)" if differ else ""
        yield c.fail(f"container {c.name}: livenessProbe and readinessProbe both use {text}{note}; a pod that is "
                     "only overloaded or waiting on a dependency is restarted instead of taken out of rotation",
                     at="livenessProbe")
    elif not (live_resolved and ready_resolved):
        named = " and ".join(str(p) for p, ok in ((live_port, live_resolved), (ready_port, ready_resolved)) if not ok)
        yield c.unknown(f"container {c.name}: livenessProbe ({text}) and readinessProbe differ only in the port, and "
                        f"the named port {named} matches no containerPort, so prc cannot tell whether they are the "
                        "same endpoint", at="livenessProbe")
    else:
        yield c.ok(at="livenessProbe")


@check(id="PRC-K8S-004", slug="startup-probe-for-slow-start", target=Container, item="liveness", severity="low",
       fix="Replace the long liveness initialDelaySeconds with a startupProbe (failureThreshold x periodSeconds "
           "covering the slowest start).",
       options={"threshold_seconds": (30, "largest liveness initialDelaySeconds accepted without a startupProbe")})
def startup_probe_for_slow_start(c: Container, opts):
    """What: a livenessProbe whose initialDelaySeconds is above threshold_seconds (default 30) comes with a startupProbe; a container that has a startupProbe passes whatever its liveness delay.

    Why: a long initial delay is a guess at the slowest start: when a start takes longer the kubelet kills the container in a restart loop, and every restart (including ones after a crash) waits the full delay before a hung process is noticed. A startupProbe holds liveness off exactly until the app has started.

    How to fix: add a startupProbe on the same endpoint with periodSeconds 5 to 10 and a failureThreshold that covers the slowest start, then lower the livenessProbe initialDelaySeconds to 0 or a few seconds.
    """
    if not _runs_beside_app(c):
        return
    liveness = c.spec.get("livenessProbe")
    if not isinstance(liveness, dict) or not liveness:
        return
    if c.spec.get("startupProbe"):
        yield c.ok(at="startupProbe")
        return
    delay = liveness.get("initialDelaySeconds")
    if delay is None:
        yield c.ok(at="livenessProbe")
        return
    value = _int(delay)
    if value is None:
        yield c.unknown(f"container {c.name}: livenessProbe initialDelaySeconds {delay!r} is not a number",
                        at="livenessProbe.initialDelaySeconds")
        return
    threshold = opts["threshold_seconds"]
    if value > threshold:
        yield c.fail(f"container {c.name}: livenessProbe initialDelaySeconds {value} is above {_seconds(threshold)} s "
                     "and there is no startupProbe", at="livenessProbe.initialDelaySeconds")
    else:
        yield c.ok(at="livenessProbe.initialDelaySeconds")


# --------------------------------------------------------------------------- graceful shutdown

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "ksh", "zsh"})
_LOOP_WORDS = frozenset({"while", "until", "for"})
# Words that may precede a command in a script: `then sleep 5`, `exec sleep 5`.
_PREFIX_WORDS = frozenset({"then", "do", "else", "exec", "command", "time", "!", "{"})
_DURATION_RE = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# A redirection with its target: ` >/dev/null`, ` 2>&1`, ` &> /tmp/log`.
_REDIRECT_RE = re.compile(r"\s(?:\d*[<>]+&?|&>)\s*[^\s;&|]+")


def parse_sleep_args(args: list[str]) -> float | None:
    """Seconds `sleep ARGS` waits (coreutils and busybox: several arguments add up); None when unreadable."""
    if not args:
        return None
    total = 0.0
    for arg in args:
        if arg in ("inf", "infinity"):
            return math.inf
        match = _DURATION_RE.match(arg)
        if not match:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return total


def _script_sleep_seconds(script: str) -> float | None:
    """Total of the `sleep` commands in a shell script; None when it has none or they cannot be read."""
    total, found = 0.0, False
    for line in script.replace("\\\n", " ").splitlines():
        line = _REDIRECT_RE.sub(" ", line)  # `sleep 5 2>&1` sleeps 5 s, not 7
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:
            return None
        command: list[str] = []
        for token in tokens + [";"]:
            if token and all(ch in "();<>|&" for ch in token):
                if command:
                    words = command
                    while words and words[0] in _PREFIX_WORDS:
                        words = words[1:]
                    if words and words[0] in _LOOP_WORDS:
                        return None  # a wait loop lasts as long as its condition holds
                    if words and posixpath.basename(words[0]) == "sleep":
                        seconds = parse_sleep_args(words[1:])
                        if seconds is None:
                            return None
                        total, found = total + seconds, True
                command = []
            else:
                command.append(token)
    return total if found else None


def exec_sleep_seconds(command: object) -> float | None:
    """How long an exec hook sleeps: `sleep 10`, `/bin/sleep 10s`, `sh -c "sleep 5 && nginx -s quit"`."""
    words = [str(w) for w in sequence(command)]
    if words and posixpath.basename(words[0]) == "busybox":
        words = words[1:]
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program == "sleep":
        return parse_sleep_args(words[1:])
    if program in _SHELLS:
        for i, word in enumerate(words[1:-1], start=1):
            if word.startswith("-") and not word.startswith("--") and "c" in word:
                return _script_sleep_seconds(words[i + 1])
    return None


def prestop_handler(c: Container) -> tuple[str, object] | None:
    """The preStop hook's handler kind and body, or None when there is no preStop at all."""
    pre = mapping(c.spec.get("lifecycle")).get("preStop")
    if pre is None:
        return None
    pre = mapping(pre)
    for kind in ("exec", "sleep", "httpGet", "tcpSocket"):
        if kind in pre:
            return kind, pre[kind]
    return "", pre


def prestop_seconds(kind: str, body: object) -> tuple[float | None, str]:
    """(seconds the hook takes, or None when it cannot be told; a short description of the hook)."""
    body = mapping(body)
    if kind == "sleep":
        seconds = _int(body.get("seconds"))
        return (float(seconds) if seconds is not None else None), f"sleep action ({body.get('seconds')!r} seconds)"
    if kind == "exec":
        command = [str(w) for w in sequence(body.get("command"))]
        return exec_sleep_seconds(command), f"exec `{' '.join(command)}`"
    if kind == "httpGet":
        return None, f"httpGet {body.get('path') or '/'} on port {body.get('port')}"
    return None, kind


def _prestop_problem(c: Container) -> str | None:
    handler = prestop_handler(c)
    if handler is None:
        return "has no preStop hook"
    kind, body = handler
    if kind == "tcpSocket":
        return "has a tcpSocket preStop hook, which the kubelet does not run"
    if kind == "exec" and not sequence(mapping(body).get("command")):
        return "has a preStop exec hook without a command"
    if kind == "":
        return "has a preStop hook without a handler (exec, sleep or httpGet)"
    if kind in ("exec", "sleep"):
        seconds, _ = prestop_seconds(kind, body)
        if seconds == 0:
            return "has a preStop hook that sleeps 0 s"
    return None


@check(id="PRC-K8S-010", slug="prestop-hook", target=Container, item="graceful-shutdown", severity="high",
       fix="Add lifecycle.preStop that waits for endpoint removal: sleep: {seconds: 10} (Kubernetes 1.29+) "
           "or exec [\"sleep\", \"10\"].")
def prestop_hook(c: Container, opts):
    """What: a container of a long-running workload that serves traffic (exposes a port, or is the only container of pods a Service selects) has a lifecycle.preStop hook: an exec (usually a sleep), the sleep action of Kubernetes 1.29+, or an httpGet drain endpoint. A sleep of 0 s and a tcpSocket hook (not run by the kubelet) do not count. A native sidecar that serves traffic is checked only when no app container does, since it is stopped after the app containers anyway.

    Why: when a pod is deleted, the kubelet sends SIGTERM at the same moment the endpoint controller starts removing the pod from Services, kube-proxy and load balancers. Without a preStop delay the process stops accepting connections while clients are still routed to it, and every rollout or scale-down drops requests.

    How to fix: add lifecycle.preStop with sleep: {seconds: 10} (Kubernetes 1.29+), or exec: {command: ["sleep", "10"]} when the image has a sleep binary, or an httpGet on an endpoint that starts draining; keep terminationGracePeriodSeconds above the sleep plus the app's own shutdown time.
    """
    if not c.workload.long_running or not c.serves_traffic:
        return
    if c.native_sidecar and any(other.serves_traffic for other in c.workload.containers):
        return
    problem = _prestop_problem(c)
    if problem is None:
        yield c.ok(at="lifecycle.preStop")
    else:
        yield c.fail(f"container {c.name} serves {_port_label(c)} but {problem}; SIGTERM can arrive before the pod "
                     "is removed from the Service endpoints", at="lifecycle.preStop")


@check(id="PRC-K8S-011", slug="grace-period-covers-prestop", target=Workload, item="graceful-shutdown",
       severity="high",
       fix="Set terminationGracePeriodSeconds above the preStop sleep plus the time the app needs to drain.",
       options={"drain_margin_seconds": (5, "seconds the app needs after the preStop hook to finish in-flight work")})
def grace_period_covers_prestop(w: Workload, opts):
    """What: in a long-running workload whose containers serve traffic or have a preStop hook, the pod's terminationGracePeriodSeconds (30 when omitted) exceeds the longest preStop sleep plus drain_margin_seconds (default 5); 0 or 1 always fails. Sleeps are read from the sleep action and from `sleep N` / `sleep Ns` commands in exec hooks (also inside `sh -c` scripts, where several sleeps add up). A hook whose duration cannot be read (a drain script, an httpGet, `sleep $VAR`, a loop) is reported UNKNOWN, unless the grace period does not even exceed the margin.

    Why: the grace period counts from the moment the pod is deleted and includes the preStop hook. When the hook uses it up, the app gets SIGTERM and SIGKILL almost together and in-flight requests, open transactions and buffered messages are lost; a grace period of 0 or 1 kills the containers outright.

    How to fix: raise terminationGracePeriodSeconds to the preStop sleep plus the app's shutdown time (for example sleep 10 with a grace period of 30 to 45), or shorten the preStop sleep.
    """
    if not w.long_running:
        return
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    containers = _pod_containers(w)
    hooks = []
    for c in containers:
        handler = prestop_handler(c)
        if handler is None or handler[0] not in ("exec", "sleep", "httpGet"):
            continue  # no hook, or one that does nothing (PRC-K8S-010 reports it)
        if handler[0] == "exec" and not sequence(mapping(handler[1]).get("command")):
            continue
        hooks.append((c, handler))
    if not hooks and not any(c.serves_traffic for c in containers):
        return
    margin = opts["drain_margin_seconds"]
    grace_at = w.pod_path("terminationGracePeriodSeconds")
    written = w.pod_spec.get("terminationGracePeriodSeconds")
    grace = 30 if written is None else _int(written)
    if grace is None:
        yield w.unknown(f"terminationGracePeriodSeconds {written!r} is not a number", at=grace_at)
        return
    grace_text = f"terminationGracePeriodSeconds {grace}" + (" (the default)" if written is None else "")
    if grace <= 1:
        yield w.fail(f"{grace_text} kills the containers right away, with no time to shut down gracefully",
                     at=grace_at)
        return
    if grace <= margin:  # too short whatever the hooks do
        if hooks:
            yield w.fail(f"{grace_text} does not exceed the {_seconds(margin)} s drain margin, even before any "
                         "preStop hook runs", at=grace_at)
        else:
            yield w.fail(f"{grace_text}: with no preStop hook the app gets only {grace} s after SIGTERM; prc requires "
                         f"more than drain_margin_seconds ({_seconds(margin)})", at=grace_at)
        return
    if not hooks:
        yield w.ok(at=grace_at)
        return

    known, unknown = [], []
    for c, (kind, body) in hooks:
        seconds, text = prestop_seconds(kind, body)
        (unknown if seconds is None else known).append((seconds, c, text))
    if known:
        seconds, c, text = max(known, key=lambda k: k[0])  # max keeps the first of equal sleeps
        at = grace_at if written is not None else f"{c.path}.lifecycle.preStop"
        if math.isinf(seconds):
            yield w.fail(f"container {c.name}: preStop {text} never ends, so the container is always killed when "
                         f"{grace_text} runs out", at=at)
        elif grace > seconds + margin:
            yield w.ok(at=at)
        else:
            yield w.fail(f"container {c.name}: {grace_text} does not exceed preStop sleep {_seconds(seconds)} s + "
                         f"{_seconds(margin)} s drain margin", at=at)
    for _, c, text in unknown:
        yield w.unknown(f"container {c.name}: cannot tell how long preStop {text} takes; make sure it ends more "
                        f"than {_seconds(margin)} s before {grace_text} runs out", at=f"{c.path}.lifecycle.preStop")


# Last path segments of well-known sidecar images, and a few multi-segment repository suffixes.
_SIDECAR_IMAGES = frozenset({
    "envoy", "cloud-sql-proxy", "gce-proxy", "oauth2-proxy", "fluent-bit", "fluentd", "filebeat", "promtail",
    "opentelemetry-collector", "opentelemetry-collector-contrib", "opentelemetry-collector-k8s", "otelcol",
    "otelcol-contrib", "jaeger-agent", "consul-dataplane", "vault-agent",
})
_SIDECAR_IMAGE_SUFFIXES = ("linkerd/proxy", "linkerd2-proxy")
_SIDECAR_NAMES = frozenset({
    "envoy", "linkerd-proxy", "cloud-sql-proxy", "cloudsql-proxy", "oauth2-proxy", "fluent-bit", "fluentbit",
    "fluentd", "filebeat", "promtail", "log-shipper", "vault-agent", "otel-collector", "otel-agent", "otelcol",
    "jaeger-agent", "consul-dataplane",
})


def image_repository(image: object) -> str:
    """`registry/path/name` of an image reference, lower-cased, without tag or digest."""
    text = str(image or "").strip().lower().split("@", 1)[0]
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text = text[:colon]
    return text


def sidecar_hint(c: Container) -> str | None:
    """Why a container looks like a sidecar (its image or its name), or None."""
    repository = image_repository(c.spec.get("image"))
    if repository:
        last = repository.rsplit("/", 1)[-1]
        if last in _SIDECAR_IMAGES or repository.endswith(_SIDECAR_IMAGE_SUFFIXES):
            return f"image {repository}"
    name = c.name.lower()
    if name in _SIDECAR_NAMES or "sidecar" in name:
        return f"name {c.name}"
    return None


def looks_like_sidecar(c: Container) -> bool:
    """A native sidecar, or a regular container with a sidecar's image or name beside an app container."""
    if c.native_sidecar:
        return True
    if c.init or sidecar_hint(c) is None:
        return False
    return any(sidecar_hint(other) is None for other in c.workload.containers)


def istio_injection(w: Workload) -> tuple[bool, str]:
    """Whether Istio injects a sidecar into the pods, the way its webhooks select them, and why."""
    labels, annotations = w.pod_labels, w.pod_annotations
    ns = w.namespace_object
    ns_labels = ns.labels if ns is not None else {}
    pod_flag = labels.get("sidecar.istio.io/inject")
    source = "pod label"
    if pod_flag is None:
        pod_flag, source = annotations.get("sidecar.istio.io/inject"), "pod annotation"
    if pod_flag is not None and pod_flag.lower() == "false":
        return False, f"{source} sidecar.istio.io/inject=false"
    ns_flag = ns_labels.get("istio-injection")
    if ns_flag == "disabled":
        return False, f"namespace {ns.name} has istio-injection=disabled"
    if ns_flag == "enabled":
        return True, f"namespace {ns.name} has istio-injection=enabled"
    if "istio.io/rev" in ns_labels:
        return True, f"namespace {ns.name} has istio.io/rev={ns_labels['istio.io/rev']}"
    if pod_flag is not None and pod_flag.lower() == "true":
        return True, f"{source} sidecar.istio.io/inject=true"
    if "istio.io/rev" in labels:
        return True, f"pod label istio.io/rev={labels['istio.io/rev']}"
    return False, ""


_GO_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$")
_GO_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration such as `30s`, `1m30s` or `500ms`; None when it is not one."""
    if text == "0":
        return 0.0
    if not _GO_DURATION_RE.match(text):
        return None
    return sum(float(n) * _GO_UNITS[unit] for n, unit in _GO_PART_RE.findall(text))


def _istio_results(w: Workload, reason: str):
    where = f"{_pod_metadata_path(w)}.annotations"
    raw = w.pod_annotations.get("proxy.istio.io/config")
    config: object = {}
    if raw is not None:
        try:
            config = yaml.safe_load(raw) or {}
        except yaml.YAMLError:
            config = None
        if not isinstance(config, dict):
            yield w.unknown(f"Istio sidecar is injected ({reason}) but the proxy.istio.io/config annotation is not "
                            "a YAML or JSON mapping", at=f"{where}.proxyConfig")
            return

    hold = config.get("holdApplicationUntilProxyStarts")
    if hold is True or str(hold).lower() == "true":
        yield w.ok(at=f"{where}.holdApplicationUntilProxyStarts")
    else:
        yield w.fail(f"Istio sidecar is injected ({reason}) but proxy.istio.io/config does not set "
                     "holdApplicationUntilProxyStarts: true; the app can start before the proxy and fail its first "
                     "connections", at=f"{where}.holdApplicationUntilProxyStarts")

    metadata = mapping(config.get("proxyMetadata"))
    exit_on_zero = str(metadata.get("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "")).lower() == "true"
    drain = config.get("terminationDrainDuration")
    drain_at = f"{where}.terminationDrainDuration"
    if exit_on_zero:
        yield w.ok(at=drain_at)
    elif drain is None:
        yield w.fail(f"Istio sidecar is injected ({reason}) but proxy.istio.io/config sets neither "
                     "terminationDrainDuration nor proxyMetadata EXIT_ON_ZERO_ACTIVE_CONNECTIONS: \"true\"; the proxy "
                     "can exit while the app is still finishing requests", at=drain_at)
    else:
        seconds = go_duration_seconds(str(drain)) if isinstance(drain, str) else None
        if seconds is None:
            yield w.unknown(f"Istio sidecar is injected ({reason}) but terminationDrainDuration {drain!r} in "
                            "proxy.istio.io/config is not a duration such as 30s", at=drain_at)
        elif seconds == 0:
            yield w.fail(f"Istio sidecar is injected ({reason}) but proxy.istio.io/config sets terminationDrainDuration "
                         f"{drain}, so the proxy exits as soon as the pod stops", at=drain_at)
        else:
            yield w.ok(at=drain_at)


@check(id="PRC-K8S-012", slug="sidecar-lifecycle", target=Workload, item="graceful-shutdown", severity="medium",
       fix="Set proxy.istio.io/config holdApplicationUntilProxyStarts and terminationDrainDuration; move other "
           "sidecars to initContainers with restartPolicy: Always.")
def sidecar_lifecycle(w: Workload, opts):
    """What: in a long-running workload, an injected Istio sidecar (namespace label istio-injection=enabled or istio.io/rev, or pod label or annotation sidecar.istio.io/inject "true"; "false" or istio-injection=disabled turns it off) is configured in the pod annotation proxy.istio.io/config with holdApplicationUntilProxyStarts: true and with terminationDrainDuration or proxyMetadata EXIT_ON_ZERO_ACTIVE_CONNECTIONS "true". Other sidecars, recognised by image (envoy, linkerd proxy, cloud-sql-proxy, fluent-bit, fluentd, filebeat, promtail, vault-agent, OpenTelemetry collector, ...) or by name (containing "sidecar", or a well-known sidecar name) beside an app container, are native sidecars: initContainers with restartPolicy Always. Mesh-wide proxy defaults and Istio's native sidecar mode live outside the manifests and are not seen.

    Why: ordinary containers start and stop together, so the app races its sidecars: it starts before the proxy is up or the secrets are written and fails its first connections, and on shutdown the proxy or log shipper exits while the app still handles requests or writes its last logs. Native sidecars start before the app and stop after it.

    How to fix: for Istio add the pod annotation proxy.istio.io/config with holdApplicationUntilProxyStarts: true and terminationDrainDuration (or EXIT_ON_ZERO_ACTIVE_CONNECTIONS); move other sidecars from containers to initContainers with restartPolicy: Always (Kubernetes 1.29+).
    """
    if not w.long_running:
        return
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    injected, reason = istio_injection(w)
    if injected:
        yield from _istio_results(w, reason)
    hints = [(c, sidecar_hint(c)) for c in w.containers]
    if any(hint is None for _, hint in hints):  # only with an app container beside them
        for c, hint in hints:
            if hint is not None:
                yield w.fail(f"container {c.name} looks like a sidecar ({hint}) but runs in containers, so it "
                             "starts and stops together with the app; make it a native sidecar (initContainers "
                             "with restartPolicy: Always)", at=c.path)
    for c in w.init_containers:
        if c.native_sidecar:
            yield w.ok(at=c.path)


# --------------------------------------------------------------------------- rollout


def _percent(value: object) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"\d+%", value.strip()):
        return int(value.strip()[:-1])
    return None


def _replica_floor(w: Workload) -> tuple[int | None, str]:
    """The fewest pods the workload runs (HPA minReplicas when an HPA scales it), and how it was found."""
    if w.hpas:
        mins = [_int(mapping(h.spec).get("minReplicas", 1)) for h in w.hpas]
        if any(m is None for m in mins):
            return None, "HPA minReplicas"
        return min(mins), f"HPA minReplicas {min(mins)}"
    replicas = w.replicas
    if replicas is None:
        return 1, "replicas 1 (the default)"
    value = _int(replicas)
    return value, f"replicas {value}" if value is not None else f"replicas {replicas!r}"


def _max_unavailable(w: Workload, value: object, at: str, default: object, count_known: bool = True):
    """maxUnavailable (int or "N%"; `default` when omitted) must leave at least one pod up."""
    shown = f"{default} (the default)" if value is None else str(value)
    written = default if value is None else value
    percent = _percent(written)
    if percent is not None:
        if percent >= 100:
            yield w.fail(f"{w.kind} {w.name}: maxUnavailable {shown} lets a rollout take every pod down at once",
                         at=at)
        else:
            yield w.ok(at=at)
        return
    number = _int(written)
    if number is None:
        yield w.unknown(f"{w.kind} {w.name}: maxUnavailable {written!r} is neither a number nor a percentage", at=at)
        return
    if not count_known:
        yield w.ok(at=at)
        return
    floor, floor_text = _replica_floor(w)
    if floor is None:
        yield w.unknown(f"{w.kind} {w.name}: cannot compare maxUnavailable {number} with {floor_text}, which is not "
                        "a number", at=at)
    elif floor > 0 and number >= floor:
        how = " (a StatefulSet starts a new pod only once the old one is gone)" if w.kind == "StatefulSet" else ""
        yield w.fail(f"{w.kind} {w.name}: maxUnavailable {shown} is not below {floor_text}, so a rollout can take "
                     f"every pod down at once{how}", at=at)
    else:
        yield w.ok(at=at)


def _mounts_claim(w: Workload) -> bool:
    return any("persistentVolumeClaim" in mapping(v) for v in sequence(w.pod_spec.get("volumes")))


@check(id="PRC-K8S-020", slug="rolling-update-strategy", target=Workload, item="zero-downtime-rollout",
       severity="medium",
       fix="Use strategy RollingUpdate with maxUnavailable below the replica count (e.g. maxUnavailable 0, "
           "maxSurge 25%).")
def rolling_update_strategy(w: Workload, opts):
    """What: a Deployment uses the RollingUpdate strategy (the default) with maxUnavailable (default 25%) below 100% and below the replica count (HPA minReplicas when an HPA scales it); Recreate fails, at low severity when the pods mount a PersistentVolumeClaim that may force it. A StatefulSet or DaemonSet RollingUpdate follows the same maxUnavailable rule (a StatefulSet replaces pods without surge, so one replica always goes down); OnDelete is UNKNOWN because rollouts are then manual. An Argo Rollout passes with blueGreen, and with canary when its maxUnavailable keeps a pod up; a Deployment whose pod template a Rollout runs through workloadRef is left to that Rollout.

    Why: Recreate, or a maxUnavailable as large as the replica count, stops every old pod before new ones are ready, so each release is an outage, and a release whose new pods crash leaves nothing serving.

    How to fix: set strategy.type RollingUpdate with maxUnavailable 0 (or a percentage that leaves pods up) and maxSurge 1 or 25%; run at least two replicas; for a ReadWriteOnce volume consider a StatefulSet or a ReadWriteMany volume instead of Recreate.
    """
    if scaled_by_rollout(w):
        return  # the Rollout that runs this pod template rolls it out
    if w.kind == "Deployment":
        strategy = mapping(w.spec.get("strategy"))
        kind = strategy.get("type") or "RollingUpdate"
        if kind == "Recreate":
            if _mounts_claim(w):
                yield w.fail(f"Deployment {w.name} uses strategy Recreate: every rollout stops all pods before new ones "
                             "start (its pods mount a PersistentVolumeClaim, which may require it)",
                             at="spec.strategy.type", severity="low")
            else:
                yield w.fail(f"Deployment {w.name} uses strategy Recreate: every rollout stops all pods before new ones "
                             "start", at="spec.strategy.type")
        elif kind == "RollingUpdate":
            value = mapping(strategy.get("rollingUpdate")).get("maxUnavailable")
            yield from _max_unavailable(w, value, "spec.strategy.rollingUpdate.maxUnavailable", "25%")
        else:
            yield w.unknown(f"Deployment {w.name}: unknown strategy type {kind!r}", at="spec.strategy.type")
    elif w.kind in ("StatefulSet", "DaemonSet"):
        strategy = mapping(w.spec.get("updateStrategy"))
        kind = strategy.get("type") or "RollingUpdate"
        if kind == "OnDelete":
            yield w.unknown(f"{w.kind} {w.name} uses updateStrategy OnDelete: pods change only when deleted by hand, "
                            "and prc cannot tell whether that is done one pod at a time", at="spec.updateStrategy.type")
        elif kind == "RollingUpdate":
            value = mapping(strategy.get("rollingUpdate")).get("maxUnavailable")
            yield from _max_unavailable(w, value, "spec.updateStrategy.rollingUpdate.maxUnavailable", 1,
                                        count_known=w.kind == "StatefulSet")
        else:
            yield w.unknown(f"{w.kind} {w.name}: unknown updateStrategy type {kind!r}", at="spec.updateStrategy.type")
    elif w.kind == "Rollout":
        strategy = mapping(w.spec.get("strategy"))
        if isinstance(strategy.get("blueGreen"), dict):
            yield w.ok(at="spec.strategy.blueGreen")
        elif isinstance(strategy.get("canary"), dict):
            value = mapping(strategy.get("canary")).get("maxUnavailable")
            yield from _max_unavailable(w, value, "spec.strategy.canary.maxUnavailable", "25%")
        else:
            yield w.fail(f"Rollout {w.name} has neither a canary nor a blueGreen strategy", at="spec.strategy")


@check(id="PRC-K8S-021", slug="min-ready-seconds", target=Workload, item="zero-downtime-rollout", severity="low",
       fix="Set spec.minReadySeconds (e.g. 10) so a new pod must stay ready for a while before the rollout continues.")
def min_ready_seconds(w: Workload, opts):
    """What: a Deployment, StatefulSet, DaemonSet or Argo Rollout sets spec.minReadySeconds above 0. A Deployment whose pod template a Rollout runs through workloadRef is left to that Rollout, whose own minReadySeconds counts.

    Why: with minReadySeconds 0 a new pod counts as available the moment its readiness probe first passes, so a version that crashes or fails a few seconds after starting is rolled out to every replica before anything notices.

    How to fix: set spec.minReadySeconds to a few probe periods (10 to 30 seconds is common) so each new pod must stay ready that long before the rollout replaces the next old one.
    """
    if w.kind not in ("Deployment", "StatefulSet", "DaemonSet", "Rollout") or scaled_by_rollout(w):
        return
    written = w.spec.get("minReadySeconds")
    if written is None:
        yield w.fail(f"{w.kind} {w.name} does not set minReadySeconds (0): a new pod counts as available as soon as "
                     "it is ready", at="spec.minReadySeconds")
        return
    value = _int(written)
    if value is None:
        yield w.unknown(f"{w.kind} {w.name}: minReadySeconds {written!r} is not a number", at="spec.minReadySeconds")
    elif value <= 0:
        yield w.fail(f"{w.kind} {w.name} sets minReadySeconds {value}: a new pod counts as available as soon as it "
                     "is ready", at="spec.minReadySeconds")
    else:
        yield w.ok(at="spec.minReadySeconds")
