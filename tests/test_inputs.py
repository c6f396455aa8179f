"""Bad input: each kind is scanned beside a good manifest, which must still be checked.

Every test runs the real pipeline with only PRC-K8S-001 (readiness-probe)
enabled, so the good file gives exactly one PASS for Deployment/web[app].
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from prc import discovery
from prc.config import Config
from prc.discovery import FileReadError, read_text
from prc.model import Status
from prc.yamlsrc import YamlError, line_of, parse_yaml

from .conftest import run_scan
from .test_cli import cli  # noqa: F401  (fixture: prc in this process)

GOOD = (Path(__file__).parent / "checks" / "PRC-K8S-001" / "good.yaml").read_text()
ONLY_001 = Config(enable=["PRC-K8S-001"])
CONFIG_ONLY_001 = "version: 1\nchecks:\n  enable: [PRC-K8S-001]\n"


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Files under root (a git top, so no .prc.yaml above it is ever picked up), plus good.yaml."""
    (root / ".git").mkdir(exist_ok=True)
    for name, content in {"good.yaml": GOOD, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def scan_tree(root: Path, registry, **kwargs):
    return run_scan([root], registry, kwargs.pop("config", ONLY_001), root=root, **kwargs)


def assert_good_scanned(report, display: str = "good.yaml") -> None:
    good = [r for r in report.results if r.location.file == display]
    assert [(r.check.id, str(r.target), r.status) for r in good] == [
        ("PRC-K8S-001", "Deployment/web[app]", Status.PASS)]


def errors_in(report, display: str) -> list[tuple[int, str]]:
    return [(r.location.line, r.message) for r in report.results
            if r.location.file == display and r.status is Status.ERROR]


def prc(*args: str, cwd: Path, input: str | None = None, timeout: float = 20) -> subprocess.CompletedProcess:
    """In a fresh interpreter, for what must be seen from outside: a hang (FIFO), real stdin, real exit codes."""
    return subprocess.run([sys.executable, "-m", "prc.cli", *args], cwd=cwd, input=input, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


# --- malformed YAML ---------------------------------------------------------

BAD_INDENT = textwrap.dedent("""\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
       namespace: shop
    data:
      mode: fast
""")


def test_malformed_yaml_is_an_input_error_at_its_line(tmp_path, registry):
    report = scan_tree(make_tree(tmp_path, {"bad.yaml": BAD_INDENT}), registry)
    bad = [r for r in report.results if r.location.file == "bad.yaml"]
    assert len(bad) == 1
    assert bad[0].status is Status.ERROR
    assert bad[0].check.id == "PRC-INPUT"
    assert bad[0].location.line == 5
    assert bad[0].message == "invalid YAML: mapping values are not allowed in this context"
    assert_good_scanned(report)


def test_malformed_yaml_names_where_an_unclosed_construct_began(tmp_path, registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  ports: [80, 443\n  mode: fast\n"
    report = scan_tree(make_tree(tmp_path, {"bad.yaml": text}), registry)
    assert errors_in(report, "bad.yaml") == [
        (7, "invalid YAML: while parsing a flow sequence on line 6; did not find expected ',' or ']'")]
    assert_good_scanned(report)


def test_documents_before_a_syntax_error_are_not_half_scanned(tmp_path, registry):
    # A stream that breaks halfway is not one a user would apply.
    report = scan_tree(make_tree(tmp_path, {"bad.yaml": GOOD + "---\n" + BAD_INDENT}), registry)
    bad = [r for r in report.results if r.location.file == "bad.yaml"]
    assert [(r.check.id, r.location.line) for r in bad] == [("PRC-INPUT", 19 + 5)]


def test_cli_prints_the_parser_problem_and_exits_1(tmp_path, cli):
    make_tree(tmp_path, {"bad.yaml": BAD_INDENT, ".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", ".", "--fail-on", "never", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # `never` ignores errors: proves the next exit 1 is the error's
    done = cli("scan", ".", "--fail-on", "high", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "bad.yaml:5: invalid YAML: mapping values are not allowed in this context" in done.stdout
    assert "1 errors (input that could not be read" in done.stdout


# --- empty, non-Kubernetes, Helm --------------------------------------------


def test_empty_and_comment_only_files_are_skipped_quietly(tmp_path, registry):
    report = scan_tree(make_tree(tmp_path, {"empty.yaml": "", "blank.yml": "\n  \n", "comments.yaml": "# todo\n---\n"}),
                       registry)
    assert [r for r in report.results if r.location.file != "good.yaml"] == []
    assert [(s.path, s.reason) for s in report.skipped] == [("blank.yml", "empty file"), ("empty.yaml", "empty file")]
    assert_good_scanned(report)


def test_empty_file_is_not_listed_in_the_console_report(tmp_path, cli):
    make_tree(tmp_path, {"empty.yaml": "", ".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", ".", "--fail-on", "high", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "empty.yaml" not in done.stdout
    assert "empty.yaml: empty file" in cli("scan", ".", "--verbose", cwd=tmp_path).stdout


def test_non_kubernetes_yaml_is_skipped_quietly(tmp_path, registry):
    files = {
        ".github/workflows/ci.yaml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        "chart/values.yaml": "replicaCount: 2\nimage:\n  repository: registry.example.com/web\n  tag: 1.4.2\n",
        "list.yaml": "- one\n- two\n",
        "scalar.yaml": "just text\n",
        "kindless.yaml": "apiVersion: v1\nmetadata:\n  name: x\n",
        # Client-side tool configuration: apiVersion and kind, but no metadata.name and never applied.
        "k8s/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                  "resources: [deployment.yaml]\n",
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts: []\n",
    }
    report = scan_tree(make_tree(tmp_path, files), registry)
    assert [r for r in report.results if r.location.file != "good.yaml"] == []
    assert report.skipped == ()
    assert report.files_scanned == 8
    assert_good_scanned(report)


HELM = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "web.fullname" . }}
    spec:
      replicas: {{ .Values.replicaCount }}
""")


def test_helm_templates_are_skipped_with_a_hint_to_render_them(tmp_path, registry):
    control = "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- end }}\n"
    report = scan_tree(make_tree(tmp_path, {"chart/templates/deployment.yaml": HELM, "loose.yaml": control}), registry)
    skipped = {s.path: s.reason for s in report.skipped}
    assert set(skipped) == {"chart/templates/deployment.yaml", "loose.yaml"}
    for reason in skipped.values():
        assert "render it first" in reason and "helm template" in reason
    assert [r for r in report.results if r.location.file != "good.yaml"] == []
    assert_good_scanned(report)


def test_template_braces_inside_a_value_are_not_mistaken_for_helm(tmp_path, registry):
    # Prometheus alert text uses {{ $labels.x }} inside strings of plain YAML.
    rule = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: alerts
        data:
          summary: "pod {{ $labels.pod }} is down"
    """)
    report = scan_tree(make_tree(tmp_path, {"alerts.yaml": rule}), registry)
    assert report.skipped == ()
    assert errors_in(report, "alerts.yaml") == []


def test_unquoted_template_actions_in_values_are_helm_at_their_line(tmp_path, registry):
    # Valid YAML (a flow mapping used as a key) that means nothing until rendered.
    name = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ template \"x.name\" . }}\ndata: {a: b}\n"
    item = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n"
            "      image: registry.example.com/app:1.4.2\n      args:\n        - {{ .Values.flag }}\n")
    report = scan_tree(make_tree(tmp_path, {"name.yaml": name, "item.yaml": item}), registry)
    skipped = {s.path: s.reason for s in report.skipped}
    assert skipped["name.yaml"].startswith("Helm/Go template syntax ({{ ... }}) at line 4; render it first")
    assert skipped["item.yaml"].startswith("Helm/Go template syntax ({{ ... }}) at line 10; render it first")
    assert errors_in(report, "name.yaml") == errors_in(report, "item.yaml") == []
    assert_good_scanned(report)


def test_template_text_on_stdin_is_named_with_its_line(tmp_path, registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ template \"x\" . }}\n"
    report = run_scan([], registry, ONLY_001, root=tmp_path, stdin_text=text)
    assert [(s.path, s.reason.split(";")[0]) for s in report.skipped] == [
        ("-", "Helm/Go template syntax ({{ ... }}) at line 4")]


def test_prometheus_templates_in_quoted_strings_and_block_scalars_are_plain_text(tmp_path, registry):
    rule = textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata:
          name: alerts
        spec:
          groups:
            - name: pods
              rules:
                - alert: PodDown
                  expr: up == 0
                  annotations:
                    summary: "instance: {{ $labels.instance }}"
                    runbook: 'see {{ $labels.pod }}'
                    description: |
                      {{ $labels.pod }} in {{ $labels.namespace }} is down.
                      {{- if gt $value 1.0 }} Several targets. {{- end }}
                    details: >-
                      {{ $value }} targets
                    note: "a string that
                      {{ $labels.job }} continues on the next line"
                  labels: {severity: page}
        """)
    report = scan_tree(make_tree(tmp_path, {"rules.yaml": rule}), registry)
    assert report.skipped == ()
    assert errors_in(report, "rules.yaml") == []


def test_complex_mapping_keys_are_read_as_their_flow_text():
    data = parse_yaml("a:\n  {b: [1, {c: null}]}: x\n? [y, {z: true}]\n: 2\n").documents[0].data
    assert dict(data["a"]) == {"{b: [1, {c}]}": "x"}
    assert data["[y, {z: true}]"] == 2


PATCH = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: app
              resources: {requests: {cpu: 500m}}
""")


def test_kustomize_patches_are_skipped_with_a_hint_to_build_first(tmp_path, registry):
    kustomization = textwrap.dedent("""\
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        patches:
          - path: set-capacity.patch.yaml
          - path: ../shared/replicas.yaml
            target: {kind: Deployment}
          - patch: |-
              - {op: replace, path: /spec/replicas, value: 3}
          - path: ../../outside.yaml
        patchesStrategicMerge:
          - ./legacy.yaml
          - |-
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: inline}
        patchesJson6902:
          - target: {group: apps, version: v1, kind: Deployment, name: web}
            path: ops.yaml
    """)
    files = {
        "overlays/capacity/kustomization.yaml": kustomization,
        "overlays/capacity/set-capacity.patch.yaml": PATCH,
        "overlays/capacity/legacy.yaml": PATCH,
        "overlays/capacity/ops.yaml": "- {op: add, path: /spec/replicas, value: 2}\n",
        "overlays/shared/replicas.yaml": PATCH,
        # Listed nowhere: an ordinary manifest beside the patches, still checked.
        "overlays/capacity/extra.yaml": GOOD.replace("name: web", "name: extra"),
        # A `Kustomization` file (no extension) works the same way.
        "other/Kustomization": "patchesStrategicMerge: [web-patch.yml]\n",
        "other/web-patch.yml": PATCH,
    }
    (tmp_path / "repo").mkdir()
    make_tree(tmp_path / "repo", files)
    (tmp_path / "outside.yaml").write_text(PATCH)
    report = scan_tree(tmp_path / "repo", registry)
    skipped = {s.path: s.reason for s in report.skipped}
    hint = ("kustomize patch, listed in overlays/capacity/kustomization.yaml; scan the output of "
            "`kustomize build overlays/capacity` instead")
    assert skipped == {
        "overlays/capacity/set-capacity.patch.yaml": hint,
        "overlays/capacity/legacy.yaml": hint,
        "overlays/capacity/ops.yaml": hint,
        "overlays/shared/replicas.yaml": hint,
        "other/web-patch.yml": "kustomize patch, listed in other/Kustomization; scan the output of "
                               "`kustomize build other` instead",
    }
    assert {r.location.file for r in report.results} == {"good.yaml", "overlays/capacity/extra.yaml"}
    assert report.files_scanned == 3  # good.yaml, extra.yaml and the kustomization itself


def test_a_patch_named_on_the_command_line_is_skipped_too(tmp_path, registry):
    make_tree(tmp_path, {"kustomization.yml": "patches:\n  - path: patch.yaml\n", "patch.yaml": PATCH})
    report = run_scan([tmp_path / "patch.yaml"], registry, ONLY_001, root=tmp_path)
    assert [(s.path, s.reason.split(";")[0]) for s in report.skipped] == [
        ("patch.yaml", "kustomize patch, listed in kustomization.yml")]
    assert report.results == ()


# --- encodings and sizes ----------------------------------------------------


def test_non_utf8_bytes_are_an_error_naming_offset_and_line(tmp_path, registry):
    data = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: menu\ndata:\n  dish: ".encode() + b"caf\xe9\n"
    offset = data.index(b"\xe9")
    report = scan_tree(make_tree(tmp_path, {"latin1.yaml": data}), registry)
    assert errors_in(report, "latin1.yaml") == [(6, f"not UTF-8 text: invalid byte 0xe9 at offset {offset}")]
    assert_good_scanned(report)


def test_utf8_bom_is_accepted(tmp_path, registry):
    report = scan_tree(make_tree(tmp_path, {"bom.yaml": b"\xef\xbb\xbf" + GOOD.replace("web", "shop").encode()}),
                       registry)
    assert [(r.check.id, r.status) for r in report.results if r.location.file == "bom.yaml"] == [
        ("PRC-K8S-001", Status.PASS)]


def test_huge_file_is_refused_by_size_without_being_read(tmp_path, registry, monkeypatch):
    make_tree(tmp_path, {})
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.write(GOOD.encode())
        handle.truncate(51 * 1024 * 1024)  # sparse: takes no disk and no time
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(discovery, "open", spy, raising=False)
    report = scan_tree(tmp_path, registry)
    assert errors_in(report, "huge.yaml") == [
        (0, "file is 51.0 MiB, above the 20 MiB limit; raise --max-file-size to scan it")]
    assert "huge.yaml" not in opened
    assert "good.yaml" in opened
    assert_good_scanned(report)


def test_max_file_size_option_lowers_the_limit(tmp_path, cli):
    make_tree(tmp_path, {"big.yaml": "# padding\n" * 120_000 + GOOD, ".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", ".", "--max-file-size", "1", "--format", "json", cwd=tmp_path)
    results = json.loads(done.stdout)["results"]
    assert [(r["file"], r["status"], r["message"]) for r in results if r["file"] == "big.yaml"] == [
        ("big.yaml", "ERROR", "file is 1.1 MiB, above the 1 MiB limit; raise --max-file-size to scan it")]


def test_a_file_that_grows_past_the_limit_after_stat_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "growing.yaml"
    path.write_text("a: 1\n" * 100)
    real_stat = Path.stat

    def small_stat(self, *args, **kwargs):
        st = real_stat(self, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(Path, "stat", small_stat)
    with pytest.raises(FileReadError, match="above the 0 MiB limit"):
        read_text(path, max_bytes=100)


# --- alias bombs -------------------------------------------------------------


def billion_laughs(levels: int = 9, refs: int = 9) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: laughs", "data:",
             '  l0: &l0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * refs)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_without_expanding_it(tmp_path, registry):
    text = billion_laughs()
    tracemalloc.start()
    try:
        with pytest.raises(YamlError) as caught:
            parse_yaml(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "alias" in caught.value.message
    assert peak < 20 * 1024 * 1024, f"parsing the bomb used {peak} bytes"

    report = scan_tree(make_tree(tmp_path, {"bomb.yaml": text}), registry)
    [(line, message)] = errors_in(report, "bomb.yaml")
    assert line == 1
    # l9 alone is 1 + 9 * (1 + 9 * (...)) = 435,848,050 nodes; the whole document 490,329,076.
    assert message == ("invalid YAML: YAML aliases expand to 490329076 nodes from 31 written ones; refusing to "
                       "expand (possible alias bomb)")
    assert_good_scanned(report)


def test_modest_alias_use_is_accepted():
    text = "base: &base {cpu: 100m, memory: 128Mi}\n" + "".join(f"c{i}: *base\n" for i in range(200))
    data = parse_yaml(text).documents[0].data
    assert data["c199"] == {"cpu": "100m", "memory": "128Mi"}


def test_recursive_alias_is_refused(tmp_path, registry):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: &meta\n  name: loop\n  self: *meta\n"
    report = scan_tree(make_tree(tmp_path, {"recursive.yaml": text}), registry)
    assert errors_in(report, "recursive.yaml") == [
        (3, "invalid YAML: recursive YAML alias (a node that contains itself) is not allowed")]
    assert_good_scanned(report)


# --- files and directories that cannot be read --------------------------------


def test_symlink_loop_is_reported_and_the_scan_completes(tmp_path, registry):
    make_tree(tmp_path, {"apps/web.yaml": GOOD.replace("web", "shop")})
    (tmp_path / "apps" / "up").symlink_to(tmp_path, target_is_directory=True)
    report = scan_tree(tmp_path, registry)
    assert ("apps/up", "symlink loop: directory already scanned") in [(s.path, s.reason) for s in report.skipped]
    assert sorted(r.location.file for r in report.results) == ["apps/web.yaml", "good.yaml"]  # each read once


def test_dangling_symlink_is_skipped(tmp_path, registry):
    make_tree(tmp_path, {})
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "deleted.yaml")
    report = scan_tree(tmp_path, registry)
    assert [(s.path, s.reason) for s in report.skipped] == [("gone.yaml", "broken symlink")]
    assert errors_in(report, "gone.yaml") == []
    assert_good_scanned(report)


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


@needs_fifo
def test_fifo_in_a_tree_is_skipped_and_never_opened(tmp_path):
    # Opening a FIFO with no writer blocks forever: the timeout catches a regression.
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    os.mkfifo(tmp_path / "pipe.yaml")
    done = prc("scan", ".", "--format", "json", cwd=tmp_path, timeout=10)
    report = json.loads(done.stdout)
    assert report["skipped"] == [{"path": "pipe.yaml", "reason": "not a regular file"}]
    assert [r["file"] for r in report["results"]] == ["good.yaml"]


@needs_fifo
def test_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    os.mkfifo(tmp_path / "pipe.yaml")
    done = prc("scan", "pipe.yaml", "good.yaml", "--format", "json", cwd=tmp_path, timeout=10)
    results = json.loads(done.stdout)["results"]
    assert [(r["file"], r["status"], r["message"]) for r in results] == [
        ("pipe.yaml", "ERROR", "not a regular file (a FIFO, socket or device); pipe its content to `prc scan -` "
                               "instead"),
        ("good.yaml", "PASS", ""),
    ]
    assert done.returncode == 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this platform")
def test_device_is_refused_rather_than_read_forever():
    with pytest.raises(FileReadError, match="not a regular file"):
        read_text(Path("/dev/zero"))


def test_permission_denied_is_an_error_naming_the_file(tmp_path, registry, monkeypatch):
    # Tests often run as root, whom chmod 000 does not stop: simulate EACCES at open().
    make_tree(tmp_path, {"secret.yaml": GOOD.replace("web", "vault")})
    real_open = open

    def deny(path, *args, **kwargs):
        if Path(path).name == "secret.yaml":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(discovery, "open", deny, raising=False)
    report = scan_tree(tmp_path, registry)
    assert errors_in(report, "secret.yaml") == [(0, "cannot read file: Permission denied")]
    assert_good_scanned(report)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: file permissions do not stop root from reading (simulated above)")
def test_unreadable_file_is_an_error(tmp_path, registry):
    make_tree(tmp_path, {"secret.yaml": GOOD.replace("web", "vault")})
    (tmp_path / "secret.yaml").chmod(0)
    try:
        report = scan_tree(tmp_path, registry)
    finally:
        (tmp_path / "secret.yaml").chmod(0o644)
    assert errors_in(report, "secret.yaml") == [(0, "cannot read file: Permission denied")]
    assert_good_scanned(report)


# --- Kubernetes objects ---------------------------------------------------------

NAMELESS = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      labels: {app: ghost}
    spec:
      template:
        spec:
          containers:
            - name: app
              image: registry.example.com/ghost:1.0.0
              ports: [{containerPort: 8080}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      labels: {app: shop}
    spec:
      selector: {matchLabels: {app: shop}}
      template:
        metadata: {labels: {app: shop}}
        spec:
          containers:
            - name: app
              image: registry.example.com/shop:2.0.1
              ports: [{containerPort: 8080}]
    ---
    apiVersion: v1
    kind: Service
    spec:
      ports: [{port: 80}]
""")


def test_object_without_a_name_is_an_error_and_its_neighbours_are_checked(tmp_path, registry):
    report = scan_tree(make_tree(tmp_path, {"mixed.yaml": NAMELESS}), registry)
    assert errors_in(report, "mixed.yaml") == [
        (1, "Deployment has no metadata.name (expected a non-empty string in metadata); object not checked"),
        (28, "Service has no metadata.name (expected a non-empty string in the object); object not checked"),
    ]
    checked = [(str(r.target), r.status, r.location.line) for r in report.results
               if r.location.file == "mixed.yaml" and r.check.id == "PRC-K8S-001"]
    assert checked == [("Deployment/shop[app]", Status.FAIL, 24)]
    assert_good_scanned(report)


def test_line_of_reaches_keys_that_hold_dots():
    doc = parse_yaml(textwrap.dedent("""\
        metadata:
          annotations:
            prometheus.io/scrape: "true"
            prc.dev/ignore: "PRC-K8S-001: mesh"
        spec:
          containers:
            - name: app
              ports: [{containerPort: 8080}]
    """)).documents[0].data
    assert line_of(doc, "metadata.annotations.prc.dev/ignore") == 4
    assert line_of(doc, "metadata.annotations.prometheus.io/scrape") == 3
    assert line_of(doc, "metadata.annotations.example.com/missing") == 2  # deepest existing parent
    assert line_of(doc, "spec.containers[0].ports[0].containerPort") == 8
    assert line_of(doc, "spec.containers[3].ports") == 6


LIST = textwrap.dedent("""\
    apiVersion: v1
    kind: List
    items:
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: cart
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: registry.example.com/cart:1.0.0
                  ports: [{containerPort: 8080}]
      - apiVersion: apps/v1
        kind: Deployment
        metadata: {}
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: pay
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: registry.example.com/pay:1.0.0
                  ports: [{containerPort: 8080}]
                  readinessProbe: {tcpSocket: {port: 8080}}
""")


def test_kind_list_items_are_objects_with_their_own_lines(tmp_path, registry):
    report = scan_tree(make_tree(tmp_path, {"list.yaml": LIST}), registry)
    got = [(r.check.id, str(r.target), r.status, r.location.line) for r in report.results
           if r.location.file == "list.yaml"]
    assert got == [
        ("PRC-K8S-001", "Deployment/cart[app]", Status.FAIL, 12),
        ("PRC-INPUT", "File/list.yaml", Status.ERROR, 15),
        ("PRC-K8S-001", "Deployment/pay[app]", Status.PASS, 29),
    ]


def test_multi_document_file_yields_every_object(tmp_path, registry):
    second = GOOD.replace("web", "shop")
    report = scan_tree(make_tree(tmp_path, {"both.yaml": "---\n" + GOOD + "---\n# a comment\n---\n" + second}),
                       registry)
    got = [(str(r.target), r.location.line) for r in report.results if r.location.file == "both.yaml"]
    assert got == [("Deployment/shop[app]", 38), ("Deployment/web[app]", 17)]  # by service, then line


def test_stdin_is_scanned_as_dash(tmp_path):
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    (tmp_path / "good.yaml").unlink()
    manifest = GOOD.replace("          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n"
                            "            periodSeconds: 5\n", "")
    done = prc("scan", "-", "--format", "json", cwd=tmp_path, input=manifest)
    report = json.loads(done.stdout)
    assert [(r["file"], r["line"], r["status"], r["message"]) for r in report["results"]] == [
        ("-", 13, "FAIL", "container app has no readinessProbe")]
    assert report["config"] == ".prc.yaml"
    assert report["summary"]["files_scanned"] == 1


def test_stdin_and_paths_together(tmp_path, cli):
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", "-", ".", "--format", "json", cwd=tmp_path, stdin=BAD_INDENT.encode())
    results = json.loads(done.stdout)["results"]
    assert [(r["file"], r["line"], r["status"]) for r in results] == [("-", 5, "ERROR"), ("good.yaml", 16, "PASS")]


def test_oversized_stdin_is_refused_with_a_message(tmp_path, cli):
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", "-", "--max-file-size", "1", cwd=tmp_path, stdin=b"# padding\n" * 120_000)
    assert (done.returncode, done.stdout) == (2, "")
    assert "prc: standard input: above the 1 MiB limit; raise --max-file-size to scan it" in done.stderr


def test_non_utf8_stdin_is_refused_with_a_message(tmp_path, cli):
    make_tree(tmp_path, {".prc.yaml": CONFIG_ONLY_001})
    done = cli("scan", "-", cwd=tmp_path, stdin=b"apiVersion: v1\nkind: \xff\n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "prc: standard input: not UTF-8 text: invalid byte 0xff at offset 21 (line 2)" in done.stderr


# --- read-only --------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
            found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size, digest)
    return found


def test_a_scan_writes_nothing_under_the_scanned_path(tmp_path, cli):
    make_tree(tmp_path, {
        ".prc.yaml": CONFIG_ONLY_001,
        "bad.yaml": BAD_INDENT,
        "apps/shop.yaml": GOOD.replace("web", "shop"),
        "apps/empty.yaml": "",
        "chart/templates/deployment.yaml": HELM,
        "apps/ignored.yaml": GOOD.replace("          readinessProbe:", "          # prc:ignore PRC-K8S-001\n"
                                          "          readinessProbe:"),
    })
    before = snapshot(tmp_path)
    assert prc("scan", ".", cwd=tmp_path).returncode == 1  # a real process, as CI runs it
    for args in (["--format", "json"], ["--verbose"], ["--today", "2026-01-01"]):
        cli("scan", ".", *args, cwd=tmp_path)
        cli("scan", str(tmp_path / "apps"), *args, cwd=tmp_path)
        cli("scan", "-", *args, cwd=tmp_path / "apps", stdin=GOOD.encode())
    assert snapshot(tmp_path) == before
