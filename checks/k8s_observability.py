"""Kubernetes observability checks."""
