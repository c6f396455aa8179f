"""The audit's report: suppressions on live objects and in .prc.yaml, valid JSON, SARIF and JUnit with k8s://
locations, byte-identical for the same cluster, progress only on a terminal, and no kubernetes import where it is
not needed."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys

import jsonschema
from junitparser import JUnitXml

from prc.config import load_schema
from tests.kube.apiserver import load_manifests
from tests.kube.auditing import CLUSTER, TODAY, audit_json, cluster_objects, prc  # noqa: F401 (fixture)
from tests.test_sarif import SCHEMA_PATH, assert_valid


def _shop_with(annotations: dict) -> list[dict]:
    objects = [o for o in load_manifests(CLUSTER) if o["metadata"].get("namespace") in ("shop", None)]
    extra = copy.deepcopy(next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "cart"))
    extra["metadata"] = {"name": "basket", "namespace": "shop", "labels": {"app": "basket"},
                         "annotations": annotations}
    extra["spec"]["selector"] = {"matchLabels": {"app": "basket"}}
    extra["spec"]["template"]["metadata"]["labels"] = {"app": "basket"}
    return objects + [extra]


def test_prc_dev_ignore_annotations_on_live_objects_suppress_as_in_files(fake_cluster, prc):
    server = fake_cluster(_shop_with({"prc.dev/ignore": "PRC-K8S-002: the cache answers no probe; "
                                                        "PRC-K8S-051; PRC-K8S-999: no such check"}))
    _, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop")
    results = report["results"]
    (pinned,) = [r for r in results if r["check_id"] == "PRC-K8S-100" and r["target"]["name"] == "cart"]
    assert pinned["status"] == "FAIL" and pinned["suppression"] == {
        "kind": "annotation", "reason": "the deploy pipeline pins the tag to a digest before it applies",
        "expires": None, "source": "k8s://fake/shop/Deployment/cart:0"}
    (liveness,) = [r for r in results if r["check_id"] == "PRC-K8S-002" and r["target"]["name"] == "basket"]
    assert liveness["suppression"]["kind"] == "annotation"
    # An entry without a reason suppresses nothing and is an input error, as in a file; so is an unknown check.
    (memory,) = [r for r in results if r["check_id"] == "PRC-K8S-051" and r["target"]["name"] == "basket"]
    assert memory["suppression"] is None and memory["status"] == "FAIL"
    errors = sorted(r["message"] for r in results if r["check_id"] == "PRC-INPUT")
    assert errors == [
        "prc.dev/ignore entry 'PRC-K8S-051' on Deployment/basket has no reason; expected `PRC-K8S-051: <reason>`",
        "prc.dev/ignore on Deployment/basket names PRC-K8S-999, which is no check's id or slug; `prc checks` lists "
        "them",
    ]
    assert {(r["service"], r["file"]) for r in results if r["check_id"] == "PRC-INPUT"} == {
        ("basket", "k8s://fake/shop/Deployment/basket")}


def test_waivers_in_the_prc_yaml_of_the_working_directory_apply(fake_cluster, prc, tmp_path):
    (tmp_path / ".prc.yaml").write_text(
        "waivers:\n"
        "  - check: PRC-K8S-020\n"
        "    target: Deployment/shop/cart\n"
        "    reason: the cart keeps a session lock; Recreate until it moves to Redis\n"
        "    expires: 2027-03-01\n"
        "  - check: PRC-K8S-110\n"
        "    path: k8s://fake/shop/*\n"
        "    reason: owners are on the namespace in production\n"
        "    expires: 2026-11-30\n", encoding="utf-8")
    server = fake_cluster(cluster_objects(), crds=True)
    _, report, _ = audit_json(prc, server.kubeconfig(), "-n", "shop")
    (recreate,) = [r for r in report["results"] if r["check_id"] == "PRC-K8S-020" and r["target"]["name"] == "cart"]
    assert recreate["suppression"]["kind"] == "waiver" and recreate["suppression"]["source"] == ".prc.yaml:2"
    (owner,) = [r for r in report["results"] if r["check_id"] == "PRC-K8S-110" and r["target"]["name"] == "cart"]
    assert owner["suppression"]["kind"] == "waiver"
    assert report["today"] == TODAY
    assert [w["check"] for w in report["expiring_waivers"]] == ["PRC-K8S-110"]


def test_json_sarif_and_junit_are_valid_and_byte_identical_between_audits(fake_cluster, prc, tmp_path):
    server = fake_cluster(cluster_objects(), crds=True, forbidden={("poddisruptionbudgets", "payments")})
    kubeconfig = str(server.kubeconfig())
    runs = []
    for n in (1, 2):
        done = prc("audit", "k8s", "--kubeconfig", kubeconfig, "-A", "--today", TODAY, "--format", "json",
                   "--output", f"sarif={tmp_path / f'{n}.sarif'}", "--output", f"junit={tmp_path / f'{n}.xml'}",
                   "--page-size", str(n * 2))
        assert done.returncode == 1, done.stderr
        runs.append(done.stdout)
    assert runs[0] == runs[1]
    assert (tmp_path / "1.sarif").read_bytes() == (tmp_path / "2.sarif").read_bytes()
    assert (tmp_path / "1.xml").read_bytes() == (tmp_path / "2.xml").read_bytes()

    report = json.loads(runs[0])
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(report)
    assert [r["fingerprint"] for r in report["results"]] == [r["fingerprint"] for r in json.loads(runs[1])["results"]]
    assert len({r["fingerprint"] for r in report["results"]}) == len(report["results"])
    statuses = {r["status"] for r in report["results"]}
    assert statuses == {"PASS", "FAIL", "UNKNOWN"}

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    sarif = json.loads((tmp_path / "1.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, sarif)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
            for loc in r["locations"]}
    assert "k8s%3A//fake/shop/Deployment/cart" in uris
    assert all("region" not in loc["physicalLocation"] for r in sarif["runs"][0]["results"] for loc in r["locations"])

    junit = JUnitXml.fromfile(str(tmp_path / "1.xml"))
    assert {suite.name for suite in junit} >= {"checkout", "cart", "ledger"}


def test_the_console_report_names_the_cluster(fake_cluster, prc):
    server = fake_cluster(cluster_objects(), crds=True)
    done = prc("audit", "k8s", "--kubeconfig", str(server.kubeconfig()), "-n", "shop", "-n", "web", "--today", TODAY)
    assert done.returncode == 1
    assert done.stdout.startswith("prc 0.1.0: Kubernetes cluster fake, 2 namespaces, ")
    assert "k8s://fake/shop/Deployment/cart  PRC-K8S-020 rolling-update-strategy" in done.stdout
    assert done.stderr == ""  # not a terminal: no progress, no summary


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_and_a_summary_on_a_terminal(fake_cluster, prc, monkeypatch):
    server = fake_cluster(cluster_objects(), crds=True)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    done = prc("audit", "k8s", "--kubeconfig", str(server.kubeconfig()), "-n", "shop", "-n", "web",
               "--format", "json")
    assert done.returncode == 1
    written = terminal.getvalue()
    assert "listing deployments in shop (1/" in written and "listing clusterroles (" in written
    assert written.count("\r\x1b[2K") >= 20
    summary = written.rsplit("\r\x1b[2K", 1)[1]
    assert summary.startswith("prc: audited context fake (2 namespace(s)) with ")
    # Two ReplicaSets (of checkout and of the storefront Rollout) and a Pod of checkout's.
    assert "read-only API requests; 3 object(s) a controller made were left to it" in summary


def _imported_after(*args: str) -> set[str]:
    code = ("import json, sys\nfrom prc.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
            "    pass\nsys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return set(json.loads(line[len("MODULES "):]))


def test_help_of_the_audit_does_not_import_the_kubernetes_client():
    modules = _imported_after("audit", "k8s", "--help")
    assert "prc.kube.cli" in modules
    assert not {m for m in modules if m.split(".")[0] in ("kubernetes", "urllib3")}
    assert not {"prc.kube.session", "prc.kube.collect"} & modules
