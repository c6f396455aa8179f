"""SLO documents: prc's own format (schemas/slo.schema.json), OpenSLO v1 and Sloth."""

from __future__ import annotations

from ..yamlsrc import Document


def from_document(display: str, document: Document, ctx):
    return None
