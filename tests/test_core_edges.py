"""Edge cases found in review: each once let a scan pass, crash or drift when it should not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prc.config import Config, ConfigError, load_config
from prc.model import Status
from prc.registry import load_registry

from .conftest import REPO, run_scan
from .test_engine import fake_distribution, plugin_path  # noqa: F401  (fixture)

NO_PROBE = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web}}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: app
              image: registry.example.com/web:1.0.0
              ports: [{containerPort: 8080}]
    """)


def prc(*args, cwd: Path, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prc.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)


def test_a_required_plugin_item_decides_the_verdict(plugin_path, tmp_path):
    fake_distribution(plugin_path, "acme_gate", {"acme-gate": "acme_gate_plugin"}, {"acme_gate_plugin": '''\
        from prc.registry import check
        from prc.targets import Workload


        @check(id="ACME-SEC-001", slug="approved-registry", target=Workload, item="approved-registry",
               category="security", severity="critical", required_from="experimental", fix="Use the registry.")
        def approved_registry(w, opts):
            """What: images come from the approved registry.

            Why: unknown registries are unscanned.

            How to fix: push the image to the approved registry.
            """
            yield w.fail("not from registry.acme.internal")
        '''})
    registry = load_registry()
    (tmp_path / "web.yaml").write_text(NO_PROBE)
    report = run_scan([tmp_path / "web.yaml"], registry, Config(enable=["ACME-SEC-001"]), root=tmp_path)
    [service] = report.services
    [item] = service.items
    assert (item.item.slug, item.required, item.status) == ("approved-registry", True, "FAIL")
    assert service.verdict == "NOT READY"


def test_a_plugin_that_fails_to_load_is_an_error_in_the_report(plugin_path, tmp_path):
    fake_distribution(plugin_path, "acme_broken", {"acme-broken": "acme_broken_mod"},
                      {"acme_broken_mod": "import acme_missing_dependency\n"})
    (tmp_path / "web.yaml").write_text(NO_PROBE)
    report = run_scan([tmp_path / "web.yaml"], load_registry(), root=tmp_path)
    [error] = [r for r in report.results if r.check.id == "PRC-PLUGIN"]
    assert error.status is Status.ERROR
    assert error.message.startswith("entry point acme-broken = acme_broken_mod failed to load: ModuleNotFoundError")


def test_flow_nesting_deeper_than_the_limit_is_refused_not_a_crash(tmp_path):
    (tmp_path / "deep.yaml").write_text("data: " + "[" * 50_000 + "]" * 50_000 + "\n")
    (tmp_path / "web.yaml").write_text(NO_PROBE)
    done = prc("scan", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    errors = [r for r in json.loads(done.stdout)["results"] if r["check_id"] == "PRC-INPUT"]
    assert [(e["file"], e["line"], e["message"]) for e in errors] == [
        ("deep.yaml", 1, "invalid YAML: YAML nesting is deeper than 500 levels; refusing to read it")]


def _config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / ".prc.yaml"
    path.write_text(textwrap.dedent(text))
    return load_config(path, ".prc.yaml", load_registry())


def test_check_keys_in_severity_and_options_are_matched_as_loosely_as_they_are_validated(tmp_path):
    config = _config(tmp_path, """\
        checks:
          severity: {prc-k8s-030: low, READINESS-PROBE: critical}
          options: {min-replicas: {min_replicas: 3}}
        """)
    assert config.severity == {"PRC-K8S-030": "low", "PRC-K8S-001": "critical"}
    assert config.options == {"PRC-K8S-030": {"min_replicas": 3}}


def test_option_values_of_the_wrong_type_are_config_errors(tmp_path):
    try:
        _config(tmp_path, """\
            checks:
              options:
                PRC-K8S-030: {min_replicas: two}
                PRC-K8S-110: {keys: [5]}
            """)
    except ConfigError as exc:
        assert exc.messages == [
            ".prc.yaml: checks.options.PRC-K8S-030.min_replicas: expected integer like 2, got 'two' (line 3)",
            ".prc.yaml: checks.options.PRC-K8S-110.keys: expected a list of strings, got 5 (line 4)",
        ]
    else:
        raise AssertionError("a wrong option type must be a config error")


def test_a_configured_severity_wins_over_one_a_check_sets_on_a_finding(tmp_path, registry):
    # drop-capabilities raises its own severity to high when a dangerous capability is added back.
    (tmp_path / "web.yaml").write_text(NO_PROBE.replace(
        "          ports: [{containerPort: 8080}]",
        "          ports: [{containerPort: 8080}]\n"
        "          securityContext: {capabilities: {drop: [ALL], add: [SYS_ADMIN]}}"))
    for severity, expected in ((None, "high"), ("low", "low")):
        config = Config(enable=["PRC-K8S-083"], severity={"PRC-K8S-083": severity} if severity else {})
        [result] = [r for r in run_scan([tmp_path], registry, config).results if r.check.id == "PRC-K8S-083"]
        assert (result.status, result.severity.value) == (Status.FAIL, expected)


def test_input_errors_in_one_file_have_distinct_fingerprints(tmp_path, registry):
    nameless = "apiVersion: v1\nkind: Secret\nmetadata: {labels: {a: b}}\n"
    (tmp_path / "secrets.yaml").write_text(nameless + "---\n" + nameless)
    errors = [r for r in run_scan([tmp_path], registry).results if r.check.id == "PRC-INPUT"]
    assert len(errors) == 2 and errors[0].fingerprint != errors[1].fingerprint


def test_a_file_that_does_not_parse_counts_against_its_declared_service(tmp_path, registry):
    from prc.config import ServiceDecl

    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / "web.yaml").write_text(NO_PROBE)
    (tmp_path / "checkout" / "worker.yaml").write_text("kind: [\n")
    config = Config(services=[ServiceDecl("checkout", paths=("checkout/**",))])
    report = run_scan([tmp_path], registry, config)
    [error] = [r for r in report.results if r.check.id == "PRC-INPUT"]
    assert error.service == "checkout"


def test_a_json_manifest_named_on_the_command_line_is_scanned(tmp_path):
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                "spec": {"containers": [{"name": "app", "image": "registry.example.com/web:latest"}]}}
    (tmp_path / "pod.json").write_text(json.dumps(manifest, indent=2))
    done = prc("scan", "pod.json", "--format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert report["summary"]["objects"] == 1
    assert any(r["check_id"] == "PRC-K8S-100" and r["status"] == "FAIL" for r in report["results"])


def test_a_symlink_loop_named_on_the_command_line_is_not_a_traceback(tmp_path):
    os.symlink("self", tmp_path / "self")
    done = prc("scan", "self", cwd=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode in (1, 2)


def test_paths_from_two_directories_are_relative_to_the_working_directory(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "deploy.yaml").write_text(NO_PROBE.replace("name: web,", f"name: web-{name},"))
    done = prc("scan", "a", "b", "--format", "json", cwd=tmp_path)
    files = sorted({r["file"] for r in json.loads(done.stdout)["results"]})
    assert files == ["a/deploy.yaml", "b/deploy.yaml"]


def test_an_ignore_above_a_document_marker_covers_the_object_after_it(tmp_path, registry):
    (tmp_path / "web.yaml").write_text("# prc:ignore PRC-K8S-030 single replica by design\n---\n" + NO_PROBE)
    [result] = [r for r in run_scan([tmp_path], registry, Config(enable=["PRC-K8S-030"])).results]
    assert result.suppressed and result.suppression.reason == "single replica by design"


def test_the_report_date_appears_only_when_an_expiry_depends_on_it(tmp_path):
    (tmp_path / "web.yaml").write_text(NO_PROBE)
    assert json.loads(prc("scan", ".", "--format", "json", cwd=tmp_path).stdout)["today"] is None
    (tmp_path / ".prc.yaml").write_text("attestations:\n  - {item: load-test, evidence: 'https://e.example/l', "
                                        "date: 2026-01-02, expires: 2027-01-02}\n")
    done = prc("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path)
    assert json.loads(done.stdout)["today"] == "2026-11-23"


def test_an_internal_error_exits_3_not_as_a_failed_gate(tmp_path, monkeypatch, capsys):
    import prc.scan
    from prc import cli

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(prc.scan, "scan", broken)
    (tmp_path / "web.yaml").write_text(NO_PROBE)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["scan", "."]) == 3
    err = capsys.readouterr().err
    assert "KeyError: 'a bug'" in err and "prc: internal error" in err
