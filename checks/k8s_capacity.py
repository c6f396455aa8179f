"""Kubernetes capacity checks."""
