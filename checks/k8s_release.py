"""Kubernetes release checks."""
