"""Baselines: `prc baseline create/update`, `prc scan --baseline/--ratchet`, the gate rule with a baseline, and
waivers about to expire. Every scan here goes through the real CLI on a small service written below."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from prc.cli import main
from prc.config import load_schema

TODAY = "2026-11-23"

# One Deployment that fails most of the checklist: a service that is NOT READY, as an old repo is.
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: registry.example.com/web:1.4.2
          ports: [{containerPort: 8080}]
"""

# What a developer adds later: a sidecar on a floating tag (PRC-K8S-100, a required item, and more).
SIDECAR = """\
        - name: proxy
          image: envoyproxy/envoy:latest
"""

# What a developer fixes later: the app container gets a readinessProbe (PRC-K8S-001).
PROBE = """\
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with one service, scanned from its root (where the baseline goes by default)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "deploy.yaml").write_text(WEB, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def prc(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys, *extra: str) -> tuple[int, dict]:
    code, out, err = prc(capsys, "scan", "web", "--today", TODAY, "--format", "json", *extra)
    assert code in (0, 1), err
    document = json.loads(out)
    jsonschema.Draft202012Validator(load_schema("report.schema.json")).validate(document)
    return code, document


def create(capsys, *extra: str) -> dict:
    code, out, err = prc(capsys, "baseline", "create", "web", "--today", TODAY, *extra)
    assert code == 0, err
    assert out.startswith("wrote .prc-baseline.json: ")
    return json.loads(Path(".prc-baseline.json").read_text(encoding="utf-8"))


def edit_baseline(change) -> None:
    path = Path(".prc-baseline.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def failing(document: dict) -> list[dict]:
    return [r for r in document["results"] if r["status"] in ("FAIL", "UNKNOWN") and not r["suppression"]]


# --- the file --------------------------------------------------------------------------------------------------

def test_create_writes_the_unsuppressed_failures_keyed_on_fingerprints_sorted_and_without_timestamps(repo, capsys):
    baseline = create(capsys)
    _, report = scan_json(capsys)
    assert baseline["version"] == 1 and baseline["tool"] == "prc 0.1.0"
    assert set(baseline) == {"version", "tool", "findings", "scores", "manual"}
    assert sorted(e["fingerprint"] for e in baseline["findings"]) == sorted(r["fingerprint"] for r in failing(report))
    web_001 = next(e for e in baseline["findings"] if e["check_id"] == "PRC-K8S-001")
    assert web_001 == {"check_id": "PRC-K8S-001", "file": "web/deploy.yaml", "service": "web",
                       "target": "Deployment/shop/web[app]", "fingerprint": web_001["fingerprint"],
                       "message": next(r["message"] for r in report["results"] if r["check_id"] == "PRC-K8S-001")}
    assert baseline["scores"] == {"web": report["services"][0]["score"]}
    assert baseline["manual"] == {"web": ["oncall-staffed", "postmortem-template", "security-review"]}
    text = Path(".prc-baseline.json").read_text(encoding="utf-8")
    assert text == json.dumps(baseline, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "2026" not in text  # no date, no timestamp
    keys = [(e["service"], e["file"], e["check_id"], e["target"]) for e in baseline["findings"]]
    assert keys == sorted(keys)


def test_create_twice_gives_the_same_bytes_and_refuses_to_overwrite_without_force(repo, capsys):
    create(capsys)
    path = repo / ".prc-baseline.json"
    first = path.read_bytes()
    code, _, err = prc(capsys, "baseline", "create", "web", "--today", TODAY)
    assert code == 2
    assert err == ("prc: .prc-baseline.json exists; `prc baseline update` refreshes it, --force overwrites it\n")
    assert path.read_bytes() == first
    create(capsys, "--force")
    assert path.read_bytes() == first


def test_create_goes_beside_the_config_and_output_names_another_file(repo, capsys):
    (repo / "deploy").mkdir()
    (repo / "web").rename(repo / "deploy" / "web")
    (repo / "deploy" / ".prc.yaml").write_text("default_tier: standard\n", encoding="utf-8")
    code, out, err = prc(capsys, "baseline", "create", "deploy/web", "--today", TODAY)
    assert code == 0, err
    assert out.startswith("wrote deploy/.prc-baseline.json: ")
    code, out, err = prc(capsys, "baseline", "create", "deploy/web", "--today", TODAY, "--output", "base.json")
    assert code == 0 and (repo / "base.json").is_file()
    code, out, err = prc(capsys, "baseline", "create", "deploy/web", "--output", "no/such/dir/base.json")
    assert code == 2 and err == "prc: cannot write no/such/dir/base.json: directory no/such/dir does not exist\n"


def test_errors_are_never_baselined_and_keep_failing_the_gate(repo, capsys):
    (repo / "web" / "broken.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    code, out, err = prc(capsys, "baseline", "create", "web", "--today", TODAY)
    assert code == 0
    assert "1 errors (input that could not be read or checks that crashed) are never baselined" in err
    baseline = json.loads((repo / ".prc-baseline.json").read_text(encoding="utf-8"))
    assert "web/broken.yaml" not in {e["file"] for e in baseline["findings"]}
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 1
    assert report["gate"]["reasons"] == ["1 errors (input that could not be read or checks that crashed)"]
    assert report["baseline"]["counts"] == {"new": 0, "existing": len(baseline["findings"]), "fixed": 0,
                                            "new_manual": 0}


# --- scan --baseline ---------------------------------------------------------------------------------------------

def test_right_after_create_everything_is_existing_and_the_gate_passes_while_the_verdict_stays(repo, capsys):
    baseline = create(capsys)
    code, report = scan_json(capsys)
    assert code == 1 and report["gate"]["reasons"] == ["NOT READY: web"]
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 0 and report["gate"] == {"passed": True, "reasons": []}
    assert report["services"][0]["verdict"] == "NOT READY"  # the verdict is the truth; the gate is the policy
    assert report["baseline"]["counts"] == {"new": 0, "existing": len(baseline["findings"]), "fixed": 0,
                                            "new_manual": 0}
    assert report["baseline"]["path"] == ".prc-baseline.json"
    assert {r["baseline"] for r in failing(report)} == {"existing"}
    assert {r["baseline"] for r in report["results"] if r["status"] == "PASS"} == {None}
    # Existing findings still count in the score.
    assert report["services"][0]["score"] == baseline["scores"]["web"] < 100
    code, out, _ = prc(capsys, "scan", "web", "--today", TODAY, "--baseline", ".prc-baseline.json")
    assert code == 0
    assert (f"Baseline .prc-baseline.json: 0 new, {len(baseline['findings'])} existing, 0 fixed findings "
            "(only new ones fail the gate)") in out
    assert "HIGH      web/deploy.yaml:14  PRC-K8S-001 readiness-probe\nexisting" in out
    assert out.endswith("Gate: passed\n")


def test_findings_that_only_moved_lines_are_not_new(repo, capsys):
    create(capsys)
    (repo / "web" / "deploy.yaml").write_text("# owned by the shop team\n\n# see the runbook\n" + WEB)
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 0
    assert report["baseline"]["counts"]["new"] == 0 and report["baseline"]["counts"]["fixed"] == 0
    assert next(r["line"] for r in report["results"] if r["check_id"] == "PRC-K8S-001") == 17


def test_a_new_finding_fails_the_gate_existing_ones_show_and_a_fix_is_counted(repo, capsys):
    create(capsys)
    (repo / "web" / "deploy.yaml").write_text(WEB + PROBE + SIDECAR, encoding="utf-8")
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 1
    new = sorted((r["check_id"], r["target"]["part"]) for r in failing(report) if r["baseline"] == "new")
    # The sidecar's own findings, and the workload's for running a sidecar as a plain container.
    assert new == [("PRC-K8S-012", ""), ("PRC-K8S-050", "proxy"), ("PRC-K8S-051", "proxy"), ("PRC-K8S-080", "proxy"),
                   ("PRC-K8S-081", "proxy"), ("PRC-K8S-083", "proxy"), ("PRC-K8S-084", "proxy"),
                   ("PRC-K8S-100", "proxy")]
    assert report["baseline"]["counts"]["fixed"] == 1
    assert [e["check_id"] for e in report["baseline"]["fixed"]] == ["PRC-K8S-001"]
    # Only the items that hold a new failure are blamed (readiness, fixed now, or liveness, old, are not).
    assert report["gate"]["reasons"] == ["NOT READY with new failures: web (Graceful shutdown, Requests and limits, "
                                         "Container hardening, Images are pinned)"]
    code, out, _ = prc(capsys, "scan", "web", "--today", TODAY, "--baseline", ".prc-baseline.json")
    assert "PRC-K8S-100 image-tag-pinned\nnew" in out
    assert "Fixed since the baseline: 1 (`prc baseline update` drops them)\n  web/deploy.yaml  PRC-K8S-001 " in out


# --- the gate rule with a baseline, combination by combination --------------------------------------------------

def _forget(check_id: str):
    def change(document):
        document["findings"] = [e for e in document["findings"] if e["check_id"] != check_id]
    return change


@pytest.mark.parametrize("forgotten, fail_on, passed, reason", [
    # Nothing new: every gate but the min score passes.
    (None, "verdict", True, None),
    (None, "high", True, None),
    # A new finding in a required item (readiness): the verdict gate fails.
    ("PRC-K8S-001", "verdict", False, "NOT READY with new failures: web (Readiness is probed)"),
    ("PRC-K8S-001", "high", False, "1 new findings at high severity or above"),
    ("PRC-K8S-001", "never", True, None),
    # A new finding in an item the tier does not require (autoscaling, low): not a verdict failure.
    ("PRC-K8S-034", "verdict", True, None),
    ("PRC-K8S-034", "medium", True, None),
    ("PRC-K8S-034", "low", False, "1 new findings at low severity or above"),
])
def test_gate_with_a_baseline(repo, capsys, forgotten, fail_on, passed, reason):
    create(capsys)
    if forgotten:
        edit_baseline(_forget(forgotten))
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--fail-on", fail_on)
    assert report["gate"] == {"passed": passed, "reasons": [reason] if reason else []}
    assert code == (0 if passed else 1)
    assert report["services"][0]["verdict"] == "NOT READY"


def test_a_new_manual_gap_fails_the_verdict_gate_an_old_one_does_not(repo, capsys):
    create(capsys)
    edit_baseline(lambda d: d["manual"]["web"].remove("oncall-staffed"))
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 1
    assert report["gate"]["reasons"] == ["NOT READY with new failures: web (On-call rotation staffed (manual))"]
    assert report["baseline"]["new_manual"] == [{"service": "web", "item": "oncall-staffed"}]


@pytest.mark.parametrize("fail_on, passed", [("verdict", False), ("high", True), ("low", True), ("never", True)])
def test_a_new_manual_gap_is_not_a_finding_for_fail_on_severity(repo, capsys, fail_on, passed):
    create(capsys)
    edit_baseline(lambda d: d["manual"].clear())
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--fail-on", fail_on)
    assert (code == 0) is passed and report["gate"]["passed"] is passed


@pytest.mark.parametrize("fail_on, passed", [("verdict", False), ("high", False), ("never", True)])
def test_an_error_fails_every_gate_but_never_even_with_a_baseline_that_holds_everything_else(repo, capsys,
                                                                                             fail_on, passed):
    create(capsys)
    (repo / "web" / "broken.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--fail-on", fail_on)
    assert report["gate"]["passed"] is passed
    assert report["baseline"]["counts"]["new"] == 0  # errors are neither new nor existing


def test_the_json_report_with_a_baseline_is_byte_identical_across_runs(repo, capsys):
    create(capsys)
    (repo / "web" / "deploy.yaml").write_text(WEB + PROBE + SIDECAR, encoding="utf-8")
    runs = [prc(capsys, "scan", "web", "--today", TODAY, "--format", "json", "--baseline", ".prc-baseline.json")
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0][0] == 1


def test_min_score_still_counts_existing_findings(repo, capsys):
    create(capsys)
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--min-score", "90")
    score = report["services"][0]["score"]
    assert code == 1 and report["gate"]["reasons"] == [f"score below 90: web {score:.1f}"]


def test_ratchet_fails_when_a_score_falls_below_the_baseline(repo, capsys):
    create(capsys)
    _, report = scan_json(capsys)
    score = report["services"][0]["score"]
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--ratchet")
    assert code == 0  # equal is not below
    edit_baseline(lambda d: d["scores"].update(web=score + 5))
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    assert code == 0  # without --ratchet the baseline's scores do not gate
    for fail_on in ("verdict", "never"):
        code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--ratchet", "--fail-on", fail_on)
        assert code == 1
        assert report["gate"]["reasons"] == [f"score fell below the baseline: web {score:.1f} < {score + 5:.1f}"]
    assert report["baseline"]["scores"] == {"web": score + 5}


def test_ratchet_needs_a_baseline(repo, capsys):
    code, out, err = prc(capsys, "scan", "web", "--ratchet")
    assert (code, out) == (2, "")
    assert err == "prc: --ratchet compares scores with a baseline; give one with --baseline FILE\n"


# --- update ------------------------------------------------------------------------------------------------------

def test_update_drops_fixed_findings_and_adds_new_ones_only_when_asked(repo, capsys):
    before = create(capsys)
    (repo / "web" / "deploy.yaml").write_text(WEB + PROBE + SIDECAR, encoding="utf-8")
    code, out, err = prc(capsys, "baseline", "update", "web", "--today", TODAY)
    assert code == 0, err
    after = json.loads((repo / ".prc-baseline.json").read_text(encoding="utf-8"))
    assert {e["fingerprint"] for e in after["findings"]} == (
        {e["fingerprint"] for e in before["findings"] if e["check_id"] != "PRC-K8S-001"})
    _, report = scan_json(capsys, "--baseline", ".prc-baseline.json")
    new = report["baseline"]["counts"]["new"]
    assert new > 0
    assert out == (f"updated .prc-baseline.json: 1 fixed findings dropped, 0 new added, {len(after['findings'])} "
                   f"in the baseline; {new} new findings not added (--add-new accepts them)\n")
    # The score rose (the probe counts for more than the sidecar's findings): the ratchet tightens.
    assert after["scores"] == {"web": report["services"][0]["score"]} and after["scores"] != before["scores"]
    # Without the probe the score falls: an update without --add-new never lowers the ratchet.
    (repo / "web" / "deploy.yaml").write_text(WEB + SIDECAR, encoding="utf-8")
    code, out, err = prc(capsys, "baseline", "update", "web", "--today", TODAY)
    assert code == 0 and out.startswith("updated .prc-baseline.json: 0 fixed findings dropped, 0 new added")
    assert json.loads((repo / ".prc-baseline.json").read_text(encoding="utf-8"))["scores"] == after["scores"]
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--ratchet", "--fail-on", "never")
    assert code == 1 and report["gate"]["reasons"][0].startswith("score fell below the baseline: web ")
    new = report["baseline"]["counts"]["new"]
    code, out, err = prc(capsys, "baseline", "update", "web", "--today", TODAY, "--add-new")
    assert code == 0 and f"{new} new added" in out
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json", "--ratchet")
    assert code == 0 and report["baseline"]["counts"]["new"] == 0


def test_update_of_a_partial_scan_keeps_the_services_it_did_not_see(repo, capsys):
    (repo / "api").mkdir()
    (repo / "api" / "deploy.yaml").write_text(WEB.replace("web", "api"), encoding="utf-8")
    code, _, err = prc(capsys, "baseline", "create", ".", "--today", TODAY)
    assert code == 0, err
    before = (repo / ".prc-baseline.json").read_bytes()
    code, report = scan_json(capsys, "--baseline", ".prc-baseline.json")  # scans web/ only
    assert code == 0 and report["baseline"]["counts"]["fixed"] == 0
    code, out, err = prc(capsys, "baseline", "update", "web", "--today", TODAY)
    assert code == 0 and out.startswith("updated .prc-baseline.json: 0 fixed findings dropped")
    assert (repo / ".prc-baseline.json").read_bytes() == before


# --- bad baseline files: a clear message naming the file, exit 2, the file untouched --------------------------

VALID = {"version": 1, "tool": "prc 0.1.0", "findings": [], "scores": {}}
ENTRY = {"fingerprint": "0" * 32, "check_id": "PRC-K8S-001", "service": "web", "target": "Deployment/web",
         "file": "web/deploy.yaml", "message": "no readinessProbe"}


def _json(value) -> bytes:
    return json.dumps(value, indent=2).encode("utf-8")


BAD_BASELINES = [
    ("not JSON", b'{"version": 1,\n  "tool": "prc 0.1.0",\n  findings: []\n}\n',
     "base.json:3: not a prc baseline: invalid JSON at line 3, column 3: Expecting property name enclosed in double "
     "quotes; restore it from version control or write a new one with `prc baseline create --force`"),
    ("empty", b"",
     "base.json:1: not a prc baseline: invalid JSON at line 1, column 1: Expecting value; restore it from version "
     "control or write a new one with `prc baseline create --force`"),
    ("truncated", _json({**VALID, "findings": [ENTRY]})[:60],
     "base.json:5: not a prc baseline: invalid JSON at line 5, column 4: Expecting value; restore it from version "
     "control or write a new one with `prc baseline create --force`"),
    ("not UTF-8", b'{"tool": "prc \xff"}', "base.json: not a prc baseline: not UTF-8 text (byte 14)"),
    ("a list", _json([ENTRY]), "base.json: not a usable prc baseline: top level: expected a JSON object, got a list"),
    ("another tool", _json({**VALID, "tool": "checkov 3.2"}),
     'base.json: not a prc baseline: its "tool" is "checkov 3.2", expected "prc <version>"'),
    ("no tool", _json({"version": 1, "findings": []}),
     'base.json: not a prc baseline: its "tool" is null, expected "prc <version>"'),
    ("another version", _json({**VALID, "version": 2, "tool": "prc 9.0"}),
     "base.json: baseline format version 2 (written by prc 9.0) is not one prc 0.1.0 reads (version 1); write a "
     "new one with `prc baseline create --force`"),
    ("no version", _json({"tool": "prc 0.1.0", "findings": []}),
     "base.json: baseline format version null (written by prc 0.1.0) is not one prc 0.1.0 reads (version 1); "
     "write a new one with `prc baseline create --force`"),
    ("findings not a list", _json({**VALID, "findings": {}}),
     "base.json: not a usable prc baseline: findings: expected a list, got an object"),
    ("entry missing a field", _json({**VALID, "findings": [{"fingerprint": "0" * 32}]}),
     "base.json: not a usable prc baseline: findings[0]: missing check_id, service, target, file, message"),
    ("bad fingerprint", _json({**VALID, "findings": [{**ENTRY, "fingerprint": "abc"}]}),
     "base.json: not a usable prc baseline: findings[0].fingerprint: expected 32 lower-case hex digits, got 'abc'"),
    ("message not a string", _json({**VALID, "findings": [{**ENTRY, "message": 3}]}),
     "base.json: not a usable prc baseline: findings[0].message: expected a string, got a number"),
    ("unknown key", _json({**VALID, "created": "2026-11-23"}),
     "base.json: not a usable prc baseline: created: unknown key"),
    ("bad score", _json({**VALID, "scores": {"web": "high"}}),
     'base.json: not a usable prc baseline: scores.web: expected a number from 0 to 100 or null, got "high"'),
]


@pytest.mark.parametrize("content, message", [(c, m) for _, c, m in BAD_BASELINES],
                         ids=[name for name, _, _ in BAD_BASELINES])
@pytest.mark.parametrize("command", ["scan", "update"])
def test_a_bad_baseline_is_a_clear_error_and_is_never_overwritten(repo, capsys, content, message, command):
    path = repo / "base.json"
    path.write_bytes(content)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    argv = (["scan", "web", "--baseline", "base.json"] if command == "scan"
            else ["baseline", "update", "web", "--baseline", "base.json", "--add-new"])
    code, out, err = prc(capsys, *argv, "--today", TODAY)
    assert (code, out) == (2, "")
    assert err == f"prc: {message}\n"
    assert path.read_bytes() == content
    assert path.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in repo.iterdir()) == [".git", "base.json", "web"]  # no temporary file left


@pytest.mark.parametrize("command", ["scan", "update"])
def test_a_missing_baseline_or_a_directory_is_a_clear_error(repo, capsys, command):
    def run(name):
        argv = (["scan", "web", "--baseline", name] if command == "scan"
                else ["baseline", "update", "web", "--baseline", name])
        return prc(capsys, *argv)

    assert run("nope.json") == (2, "", "prc: nope.json: no such baseline file; write one with `prc baseline "
                                       "create`\n")
    assert run("web") == (2, "", "prc: web: is a directory, not a baseline file\n")
    assert not (repo / "nope.json").exists()


# --- waivers that expire soon ------------------------------------------------------------------------------------

CONFIG_WITH_WAIVERS = """\
waivers:
  - check: PRC-K8S-001
    target: Deployment/web
    reason: probes come with the framework upgrade in SHOP-12
    expires: 2026-12-07
  - check: PRC-K8S-002
    service: web
    reason: liveness waits for the same upgrade
    expires: 2026-11-23
  - check: PRC-K8S-010
    service: web
    reason: far away
    expires: 2026-12-08
  - check: PRC-K8S-050
    service: web
    reason: expired already
    expires: 2026-11-22
"""


def test_waivers_expiring_within_14_days_are_on_the_report(repo, capsys):
    (repo / ".prc.yaml").write_text(CONFIG_WITH_WAIVERS, encoding="utf-8")
    _, report = scan_json(capsys)
    assert report["expiring_waivers"] == [
        {"check": "PRC-K8S-002", "reason": "liveness waits for the same upgrade", "expires": "2026-11-23",
         "source": ".prc.yaml:6", "days_left": 0, "scope": "service web"},
        {"check": "PRC-K8S-001", "reason": "probes come with the framework upgrade in SHOP-12",
         "expires": "2026-12-07", "source": ".prc.yaml:2", "days_left": 14, "scope": "target Deployment/web"},
    ]
    code, out, _ = prc(capsys, "scan", "web", "--today", TODAY)
    assert ("Waivers expiring within 14 days: 2 (renew them or fix the findings they hide)\n"
            "  .prc.yaml:6  PRC-K8S-002 (service web): expires 2026-11-23, today\n"
            "  liveness waits for the same upgrade\n"
            "  .prc.yaml:2  PRC-K8S-001 (target Deployment/web): expires 2026-12-07, in 14 days\n"
            "  probes come with the framework upgrade in SHOP-12\n") in out
    code, out, _ = prc(capsys, "scan", "web", "--today", "2026-12-08", "--format", "json")
    assert [w["check"] for w in json.loads(out)["expiring_waivers"]] == ["PRC-K8S-010"]


def test_no_expiring_waivers_means_an_empty_list_and_no_section(repo, capsys):
    _, report = scan_json(capsys)
    assert report["expiring_waivers"] == [] and report["baseline"] is None
    _, out, _ = prc(capsys, "scan", "web", "--today", TODAY)
    assert "expiring" not in out and "Baseline" not in out
