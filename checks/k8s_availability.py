"""Kubernetes availability checks."""
