"""YAML documents that other sources than Kubernetes read: Prometheus rule files and PrometheusRule objects
(prc.loaders.alerts), SLO documents in prc's own format, OpenSLO and Sloth (prc.loaders.slo).

The Kubernetes source parses every YAML file once and offers each document to these readers first. A reader
returns None for a document that is not its kind, or a `Loaded` with the targets it made, the problems it found
(file and line) and anything it skipped. A document no reader takes is read as a Kubernetes object, or skipped
quietly when it is not one.
"""

from __future__ import annotations

from ..timings import phase
from ..yamlsrc import Document


def read_document(display: str, document: Document, ctx):
    """`ctx` is the scan's sources.LoadContext (root, config, max file size), or None in unit tests."""
    from . import alerts, slo

    with phase("parse alert rules and SLO documents"):  # inside "parse kubernetes", and not counted in it
        for reader in (alerts.from_document, slo.from_document):
            read = reader(display, document, ctx)
            if read is not None:
                return read
    return None


def read_prometheus_rule(obj, ctx):
    """The rules of a PrometheusRule object (a K8sObject the Kubernetes source made), as a `Loaded`."""
    from . import alerts

    with phase("parse alert rules and SLO documents"):
        return alerts.from_prometheus_rule(obj, ctx)
