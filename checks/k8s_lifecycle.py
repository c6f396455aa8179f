"""Lifecycle checks for Kubernetes workloads: probes, graceful shutdown, rollout."""

from __future__ import annotations

from prc.registry import check
from prc.targets import Container


def _needs_probes(c: Container) -> bool:
    return c.workload.long_running and not c.init and (bool(c.ports) or bool(c.workload.services))


@check(id="PRC-K8S-001", slug="readiness-probe", target=Container, item="readiness", severity="high",
       fix="Add a readinessProbe (httpGet on a /ready endpoint, or tcpSocket) to the container.")
def readiness_probe(c: Container, opts):
    """What: every container of a long-running workload that exposes a port or is selected by a Service has a readinessProbe.

    Why: without one, Kubernetes sends traffic to a pod as soon as its process starts, before it can serve, and keeps sending it while the pod is overloaded or cut off from its dependencies.

    How to fix: add a readinessProbe that checks the container can serve right now, usually an httpGet on a cheap /ready endpoint, with periodSeconds of 5 to 10.
    """
    if not _needs_probes(c):
        return
    if not c.spec.get("readinessProbe"):
        yield c.fail(f"container {c.name} has no readinessProbe")
    else:
        yield c.ok(at="readinessProbe")
