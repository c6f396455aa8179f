"""SARIF 2.1.0: valid against the official schema, read back by Microsoft's sarif-tools, what GitHub code scanning
needs (rules with help, levels, security-severity, locations, stable fingerprints, suppressions), byte-identical
across runs, non-ASCII safe."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from sarif import loader

from prc.formatters import sarif as sarif_fmt

from .conftest import REPO
from .test_outputs import EXPECTED, MANIFEST, MANIFEST_FILE, SAMPLES, make_tree, prc  # noqa: F401 (prc: fixture)

# The official schema, kept beside the repository (CI has shared/ next to its clone, as a developer does).
SCHEMA_PATH = REPO.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    if not SCHEMA_PATH.is_file():
        pytest.fail(f"the SARIF 2.1.0 schema is missing: expected it at {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif_of(prc, cwd: Path, *args: str, name: str = "prc.sarif") -> tuple[Path, dict]:
    done = prc("scan", *args, "--today", "2026-11-23", "--output", f"sarif={name}", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    path = cwd / name
    return path, json.loads(path.read_text(encoding="utf-8"))


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sample_services_sarif_is_valid_against_the_official_schema(tmp_path, prc, validator):
    _, log = sarif_of(prc, tmp_path, str(SAMPLES))
    assert_valid(validator, log)
    assert log["version"] == "2.1.0" and log["$schema"] == sarif_fmt.SCHEMA_URI
    run = log["runs"][0]
    # Every result has a physical location, service-level ones included (they sit at .prc.yaml).
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith("/")
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".prc.yaml"
               for r in run["results"])


def test_the_small_tree_is_valid_too(tmp_path, prc, validator):
    _, log = sarif_of(prc, make_tree(tmp_path), ".")
    assert_valid(validator, log)


def test_read_back_with_sarif_tools(tmp_path, prc):
    path, log = sarif_of(prc, make_tree(tmp_path), ".")
    sarif_file = loader.load_sarif_file(str(path))
    assert sarif_file.get_distinct_tool_names() == ["prc"]
    records = [(r["Code"], r["Severity"], unquote(r["Location"]), int(r["Line"])) for r in sarif_file.get_records()]
    level = {"ERROR": "error", "UNKNOWN": "note", "FAIL": "error"}  # the FAILs here are high and critical
    assert records == [(check, level[status], file, line) for status, check, file, line, _ in EXPECTED]
    results = sarif_file.get_results()
    assert [r["message"]["text"] for r in results] == [
        "File/broken.yaml: invalid YAML: while parsing a flow mapping on line 3; did not find expected ',' or '}'",
        "Deployment/web: Deployment web runs 1 replica; the minimum is 2",
        "Deployment/web[café-app]: container café-app has no readinessProbe",
        "Deployment/web[café-app]: container café-app runs privileged (securityContext.privileged: true): it has "
        "every capability and all host devices",
        "Could not decide: Deployment/worker: Deployment worker: replicas '{{ .Values.replicas }}' is not a number",
        "Deployment/worker[worker]: container worker has no readinessProbe",
    ]
    for r in results:
        rule = sarif_file.get_rules_by_id(r["ruleId"])
        assert len(rule) == 1
        assert log["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_rules_are_the_checks_that_ran_with_help_and_levels(tmp_path, prc, registry):
    _, log = sarif_of(prc, make_tree(tmp_path), ".")
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    # The three enabled checks, and the pseudo-check the unreadable file is reported under.
    assert list(rules) == ["PRC-INPUT", "PRC-K8S-001", "PRC-K8S-030", "PRC-K8S-082"]
    probe = rules["PRC-K8S-001"]
    check = registry.find("PRC-K8S-001")
    assert probe["name"] == "readiness-probe"
    assert probe["fullDescription"]["text"].lower() == check.what.lower()
    assert probe["shortDescription"]["text"]
    assert check.remediation in probe["help"]["text"] and check.remediation in probe["help"]["markdown"]
    assert "**How to fix.**" in probe["help"]["markdown"]
    assert probe["defaultConfiguration"] == {"level": "error"}  # high
    assert probe["properties"]["tags"] == ["lifecycle", "production-readiness"]
    assert "security-severity" not in probe["properties"]
    assert "helpUri" not in probe  # no public home yet: no URL that would 404
    privileged = rules["PRC-K8S-082"]
    assert privileged["properties"]["security-severity"] == "9.5"  # critical
    assert privileged["properties"]["tags"] == ["production-readiness", "security"]
    assert rules["PRC-INPUT"]["shortDescription"]["text"] == "Input that prc could not read"


def test_levels_and_security_severity_cover_every_severity(tmp_path, prc, validator):
    _, log = sarif_of(prc, tmp_path, str(SAMPLES))
    assert_valid(validator, log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_severity = {}
    for rule in rules:
        by_severity.setdefault(rule["properties"]["severity"], set()).add(rule["defaultConfiguration"]["level"])
        if rule["properties"].get("category") == "security":
            assert rule["properties"]["security-severity"] == sarif_fmt.SECURITY_SEVERITY[
                sarif_fmt.Severity(rule["properties"]["severity"])]
            assert "security" in rule["properties"]["tags"]
        else:
            assert "security-severity" not in rule["properties"]
    assert by_severity == {"critical": {"error"}, "high": {"error"}, "medium": {"warning"}, "low": {"note"}}
    for result in run["results"]:
        if result["properties"]["status"] == "FAIL":
            assert result["level"] == sarif_fmt.LEVEL[sarif_fmt.Severity(result["properties"]["severity"])]


def test_only_fail_unknown_and_error_are_results_and_pass_is_not(tmp_path, prc):
    make_tree(tmp_path)
    _, log = sarif_of(prc, tmp_path, ".")
    report = json.loads(prc("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert any(r["status"] == "PASS" for r in report["results"])
    assert [r["properties"]["status"] for r in log["runs"][0]["results"]] == [row[0] for row in EXPECTED]
    unknown = next(r for r in log["runs"][0]["results"] if r["properties"]["status"] == "UNKNOWN")
    assert unknown["level"] == "note" and unknown["message"]["text"].startswith("Could not decide: ")


def test_suppressions(tmp_path, prc):
    _, log = sarif_of(prc, make_tree(tmp_path), ".")
    suppressed = {r["ruleId"]: r["suppressions"] for r in log["runs"][0]["results"] if "suppressions" in r}
    assert suppressed == {
        "PRC-K8S-082": [{
            "kind": "external", "status": "accepted",
            "justification": "le moteur PDF exige le mode privilégié, remplacé dans FIN-2291",
            "location": {"physicalLocation": {"artifactLocation": {"uri": ".prc.yaml", "uriBaseId": "%SRCROOT%"},
                                              "region": {"startLine": 8}}},
            "properties": {"prcKind": "waiver", "expires": "2027-01-31"}}],
        "PRC-K8S-001": [{
            "kind": "inSource", "status": "accepted",
            "justification": "sondé par le sidecar du maillage",
            "location": {"physicalLocation": {"artifactLocation": {"uri": "caf%C3%A9/d%C3%A9ploiement.yaml",
                                                                   "uriBaseId": "%SRCROOT%"},
                                              "region": {"startLine": 30}}},
            "properties": {"prcKind": "inline"}}],
    }


def test_fingerprints_are_the_results_and_survive_unrelated_line_moves(tmp_path, prc):
    make_tree(tmp_path)
    _, before = sarif_of(prc, tmp_path, ".")
    report = json.loads(prc("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [r["partialFingerprints"]["prcFingerprint/v1"] for r in before["runs"][0]["results"]] == [
        r["fingerprint"] for r in report["results"] if r["status"] != "PASS"]
    # Three comment lines on top move every line of the manifest; no fingerprint changes.
    make_tree(tmp_path, manifest="    # moved\n    # down\n    # by three lines\n" + MANIFEST)
    _, after = sarif_of(prc, tmp_path, ".", name="after.sarif")

    def prints(log, key):
        return [(r["ruleId"], r["partialFingerprints"]["prcFingerprint/v1"],
                 r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")) for r in
                log["runs"][0]["results"] if key(r)]

    def in_manifest(result):
        return "d%C3%A9ploiement" in result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]

    assert [(rule, fp, line + 3) for rule, fp, line in prints(before, in_manifest)] == prints(after, in_manifest)
    fingerprints = [r["partialFingerprints"]["prcFingerprint/v1"] for r in before["runs"][0]["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_byte_identical_across_runs_and_places(tmp_path, prc):
    first = make_tree(tmp_path / "first")
    second = make_tree(tmp_path / "elsewhere" / "second")
    a, _ = sarif_of(prc, first, ".")
    b, _ = sarif_of(prc, first, ".", name="again.sarif")
    c, _ = sarif_of(prc, second, ".")
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert str(tmp_path).encode() not in a.read_bytes()  # no absolute path, so no machine-specific bytes


def test_non_ascii_file_names_and_messages(tmp_path, prc, validator):
    path, log = sarif_of(prc, make_tree(tmp_path), ".")
    text = path.read_text(encoding="utf-8")
    assert "café-app" in text and "\\u00e9" not in text  # UTF-8, not escapes
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"broken.yaml", "caf%C3%A9/d%C3%A9ploiement.yaml"}  # a valid URI reference...
    assert {unquote(u) for u in uris} == {"broken.yaml", MANIFEST_FILE}  # ...that decodes to the file's name
    assert_valid(validator, log)


def test_a_result_without_a_line_has_no_region(registry):
    from prc.model import Location, Result, Status, TargetRef
    from prc.report import Report

    check = registry.find("PRC-K8S-001")
    result = Result(check.info(), Status.FAIL, "no probe", TargetRef("Deployment", "web"), Location("a b.yaml"),
                    "web")
    log = sarif_fmt.sarif_dict(Report("0", "", (check,), (result,), (), (), 1, ""))
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "a%20b.yaml", "uriBaseId": "%SRCROOT%"}}


def test_help_uri_when_prc_has_a_home(monkeypatch, registry):
    monkeypatch.setattr(sarif_fmt, "HELP_URI_BASE", "https://example.org/prc/docs/checks.md")
    rule = sarif_fmt._rule_for_check(registry.find("PRC-K8S-001"))
    assert rule["helpUri"] == "https://example.org/prc/docs/checks.md#prc-k8s-001"


def test_uris_of_odd_file_names():
    assert sarif_fmt._uri("café/a b#1?.yaml") == "caf%C3%A9/a%20b%231%3F.yaml"
    assert sarif_fmt._uri("bad\udcff/x.yaml") == "bad%FF/x.yaml"  # a name that is not UTF-8 keeps its bytes
    assert sarif_fmt._uri("-") == "-"  # standard input
