"""Owner labels: where they may sit, which value wins, what an empty or unresolved one means."""

from __future__ import annotations

import textwrap

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.targets import Workload
from prc_checks.k8s_operability import owner_label


def run(text: str, **options) -> list[tuple[str, str, int]]:
    loaded = load_k8s_text("t.yaml", textwrap.dedent(text))
    link(loaded.objects)
    found = []
    for w in (o for o in loaded.objects if isinstance(o, Workload)):
        for outcome in owner_label.run(w, {**owner_label.default_options(), **options}):
            found.append((outcome.status.value, outcome.message, w.locate(outcome.at).line))
    return found


def deployment(labels: str = "{}", annotations: str = "{}", pod_labels: str = "{}", namespace: str = "") -> str:
    return f"""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      {namespace}
      labels: {labels}
      annotations: {annotations}
    spec:
      template:
        metadata:
          labels: {pod_labels}
        spec:
          containers: [{{name: app, image: web:1.0.0}}]
    """


@pytest.mark.parametrize("kwargs, expected", [
    ({"labels": "{team: payments}"}, ("PASS", "owned by payments (label team)", 6)),
    ({"labels": "{Owner: payments}"}, ("PASS", "owned by payments (label Owner)", 6)),
    ({"annotations": "{app.kubernetes.io/owner: payments}"},
     ("PASS", "owned by payments (annotation app.kubernetes.io/owner)", 7)),
    ({"pod_labels": "{team: payments}"}, ("PASS", "owned by payments (pod template label team)", 11)),
    ({"labels": "{app: web}"},
     ("FAIL", "Deployment web has no owner label or annotation "
              "(app.kubernetes.io/owner, app.kubernetes.io/team, owner, prc.dev/owner, team)", 6)),
    ({"labels": "{team: ''}"}, ("FAIL", "Deployment web: label team is empty", 6)),
    ({"labels": "{team: '${TEAM}'}"}, ("UNKNOWN", "Deployment web: label team is an unresolved variable (${TEAM})", 6)),
    # A real owner anywhere wins over an empty or unresolved one elsewhere.
    ({"labels": "{team: '${TEAM}'}", "pod_labels": "{team: payments}"},
     ("PASS", "owned by payments (pod template label team)", 11)),
])
def test_owner_label(kwargs, expected):
    assert run(deployment(**kwargs)) == [expected]


def test_owner_from_namespace():
    text = deployment(namespace="namespace: shop").rstrip(" ") + """\
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {team: shop-squad}}
    """
    assert run(text) == [("PASS", "owned by shop-squad (Namespace shop label team)", 1)]


def test_keys_option():
    text = deployment(labels="{squad: payments}")
    assert run(text)[0][0] == "FAIL"
    assert run(text, keys=["squad"])[0][:2] == ("PASS", "owned by payments (label squad)")


def test_bare_pod_reads_its_own_metadata():
    text = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: debug, labels: {owner: sre}}
    spec:
      containers: [{name: app, image: toolbox:1.0.3}]
    """
    assert run(text) == [("PASS", "owned by sre (label owner)", 3)]
