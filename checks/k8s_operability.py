"""Kubernetes operability checks."""
