"""Kubernetes security checks."""
