"""Image references: what counts as a tag, a digest and a registry port."""

from __future__ import annotations

import pytest

from prc.loaders.k8s import load_k8s_text
from prc_checks.k8s_release import ImageRef, ImageRefError, image_tag_pinned, parse_image

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.mark.parametrize("reference, expected", [
    ("nginx", ImageRef("nginx")),
    ("nginx:1.25.3", ImageRef("nginx", "1.25.3")),
    ("library/nginx:latest", ImageRef("library/nginx", "latest")),
    ("registry:5000/app", ImageRef("registry:5000/app")),                      # a port, not a tag
    ("registry:5000/team/app:2.0", ImageRef("registry:5000/team/app", "2.0")),
    ("localhost:5000/app:dev-1", ImageRef("localhost:5000/app", "dev-1")),
    (f"app@sha256:{SHA}", ImageRef("app", "", f"sha256:{SHA}")),
    (f"app:1.2@sha256:{SHA}", ImageRef("app", "1.2", f"sha256:{SHA}")),
    (f"registry:5000/app:1.2@sha256:{SHA}", ImageRef("registry:5000/app", "1.2", f"sha256:{SHA}")),
    ("ghcr.io/org/app:v1.2.3_build.4", ImageRef("ghcr.io/org/app", "v1.2.3_build.4")),
])
def test_parse_image(reference, expected):
    assert parse_image(reference) == expected


@pytest.mark.parametrize("reference, registry", [
    ("nginx", ""), ("library/nginx", ""), ("ghcr.io/org/app:1", "ghcr.io"), ("registry:5000/app", "registry:5000"),
    ("localhost/app", "localhost"),
])
def test_registry(reference, registry):
    assert parse_image(reference).registry == registry


@pytest.mark.parametrize("reference", [
    "", "app:", "app:-bad", "app@sha256:abc", f"app@sha256:{SHA.upper()}", "app@sha256", "my app:1.0", ":1.0",
    "registry:5000/", f"app@md5:{SHA}!",
])
def test_invalid_references(reference):
    with pytest.raises(ImageRefError):
        parse_image(reference)


def _run(image: str, **options) -> tuple[str, str]:
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - {{name: app, image: '{image}'}}\n"
    container = load_k8s_text("t.yaml", text).objects[0].containers[0]
    [outcome] = image_tag_pinned.run(container, {**image_tag_pinned.default_options(), **options})
    return outcome.status.value, outcome.message


@pytest.mark.parametrize("image, status", [
    ("registry.example.com/app:1.4.2", "PASS"),
    (f"registry.example.com/app@sha256:{SHA}", "PASS"),
    (f"registry.example.com/app:latest@sha256:{SHA}", "PASS"),   # the digest wins over the tag
    ("registry.example.com/app:latest", "FAIL"),
    ("registry.example.com/app:Latest", "FAIL"),
    ("redis:stable", "FAIL"),
    ("registry.example.com:5000/app", "FAIL"),
    ("app:${TAG}", "UNKNOWN"),
    ("$(IMAGE)", "UNKNOWN"),
    ("app:{{ .Values.tag }}", "UNKNOWN"),
    ("app:", "FAIL"),
])
def test_image_tag_pinned(image, status):
    assert _run(image)[0] == status


def test_messages():
    assert _run("nginx") == ("FAIL", "container app: image nginx has no tag, so the node pulls :latest")
    assert _run("app:1.0") == ("PASS", "container app: image tagged 1.0; add its digest (@sha256:...) to make it "
                                       "immutable")


@pytest.mark.parametrize("tag", ["alpine", "slim", "lts", "stable", "edge", "mainline", "bookworm", "bullseye-slim",
                                 "jammy", "main", "nightly", "canary", "LATEST"])
def test_tags_without_a_digit_float(tag):
    status, message = _run(f"redis:{tag}")
    assert status == "FAIL" and f"uses the floating tag {tag}" in message


@pytest.mark.parametrize("tag", ["7.2.5-alpine", "1-alpine", "alpine3.19", "v2", "20240611", "3c5b2a4",
                                 "deadbeefcafe", "abcdefa"])
def test_tags_with_a_version_or_a_commit_sha_pass(tag):
    assert _run(f"redis:{tag}")[0] == "PASS"


def test_messages_for_floating_tags():
    assert _run("redis:alpine") == ("FAIL", "container app: image redis:alpine uses the floating tag alpine (no "
                                           "version number in the tag, so it moves to new builds)")
    assert _run("app:latest") == ("FAIL", "container app: image app:latest uses the floating tag latest")


def test_floating_tags_option_adds_tags_with_digits():
    assert _run("node:20")[0] == "PASS"
    assert _run("node:20", floating_tags=["20", "lts-2"]) == ("FAIL", "container app: image node:20 uses the "
                                                                      "floating tag 20")
    assert _run("app:canary", floating_tags=[])[0] == "FAIL"


def test_missing_image_is_unknown():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n" \
           "      containers:\n        - {name: app}\n"
    container = load_k8s_text("t.yaml", text).objects[0].containers[0]
    [outcome] = image_tag_pinned.run(container, image_tag_pinned.default_options())
    assert outcome.status.value == "UNKNOWN"
