"""Tests of `prc audit k8s` against a fake Kubernetes API server (apiserver.py) on 127.0.0.1."""
