"""JUnit XML: read back by junitparser; one suite per service plus one for what no service owns, one case per
check and target, failures with message and location, counts on suites, valid XML whatever the input holds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from junitparser import Error, Failure, JUnitXml, Skipped

from prc.formatters import junit as junit_fmt
from prc.model import Location, Result, Status, TargetRef
from prc.report import Report

from .test_outputs import MANIFEST_FILE, SAMPLES, make_tree, prc  # noqa: F401 (prc: fixture)


def junit_of(prc, cwd, *args, name="junit.xml"):
    done = prc("scan", *args, "--today", "2026-11-23", "--output", f"junit={name}", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return cwd / name


def cases(xml: JUnitXml) -> list[tuple[str, str, str, str, str | None]]:
    """(suite, classname, name, outcome, message) of every test case."""
    rows = []
    for suite in xml:
        for case in suite:
            outcome = case.result[0] if case.result else None
            kind = {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(outcome), "passed")
            rows.append((suite.name, case.classname, case.name, kind, outcome.message if outcome else None))
    return rows


def test_read_back_with_junitparser(tmp_path, prc):
    xml = JUnitXml.fromfile(str(junit_of(prc, make_tree(tmp_path), ".")))
    assert [suite.name for suite in xml] == ["cafe", junit_fmt.NO_SERVICE]
    assert cases(xml) == [
        ("cafe", "PRC-K8S-030 min-replicas", "Deployment/web", "failure",
         "Deployment web runs 1 replica; the minimum is 2"),
        ("cafe", "PRC-K8S-001 readiness-probe", "Deployment/web[café-app]", "failure",
         "container café-app has no readinessProbe"),
        ("cafe", "PRC-K8S-082 not-privileged", "Deployment/web[café-app]", "skipped",
         "suppressed by waiver (.prc.yaml:8, expires 2027-01-31): le moteur PDF exige le mode privilégié, "
         "remplacé dans FIN-2291"),
        ("cafe", "PRC-K8S-030 min-replicas", "Deployment/worker", "skipped",
         "could not decide: Deployment worker: replicas '{{ .Values.replicas }}' is not a number"),
        ("cafe", "PRC-K8S-001 readiness-probe", "Deployment/worker[worker]", "skipped",
         f"suppressed by inline ({MANIFEST_FILE}:30): sondé par le sidecar du maillage"),
        ("cafe", "PRC-K8S-082 not-privileged", "Deployment/worker[worker]", "passed", None),
        (junit_fmt.NO_SERVICE, "PRC-INPUT input-error", "File/broken.yaml", "error",
         "invalid YAML: while parsing a flow mapping on line 3; did not find expected ',' or '}'"),
    ]


def test_failures_carry_location_and_fix_and_suites_carry_counts(tmp_path, prc):
    path = junit_of(prc, make_tree(tmp_path), ".")
    xml = JUnitXml.fromfile(str(path))
    suite = next(iter(xml))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (6, 2, 0, 3)
    assert {p.name: p.value for p in suite.properties()} == {"tier": "standard", "verdict": "NOT READY",
                                                             "score": "50.0"}
    first = next(iter(suite))
    failure = first.result[0]
    assert failure.type == "high"
    assert failure.text.splitlines() == [
        f"{MANIFEST_FILE}:7: PRC-K8S-030 min-replicas (high)",
        "Deployment/web: Deployment web runs 1 replica; the minimum is 2",
        "fix: Set spec.replicas to 2 or more, or give its HorizontalPodAutoscaler minReplicas: 2 or more.",
    ]
    root = ET.parse(path).getroot()
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "7", "failures": "2", "errors": "1", "skipped": "3"}
    case = root.find("testsuite/testcase")
    assert (case.get("file"), case.get("line")) == (MANIFEST_FILE, "7")


def test_sample_services_one_suite_per_service_consistent_with_json(tmp_path, prc):
    xml = JUnitXml.fromfile(str(junit_of(prc, tmp_path, str(SAMPLES))))
    report = json.loads(prc("scan", str(SAMPLES), "--format", "json", "--today", "2026-11-23", cwd=tmp_path).stdout)
    assert [suite.name for suite in xml] == [s["name"] for s in report["services"]]
    for suite in xml:
        mine = [r for r in report["results"] if r["service"] == suite.name]
        assert suite.tests == len(mine)
        assert suite.failures == sum(1 for r in mine if r["status"] == "FAIL" and not r["suppression"])
        assert suite.skipped == sum(1 for r in mine if r["status"] == "UNKNOWN" or r["suppression"])
        verdict = {p.name: p.value for p in suite.properties()}["verdict"]
        assert verdict == next(s["verdict"] for s in report["services"] if s["name"] == suite.name)


def test_deterministic(tmp_path, prc):
    make_tree(tmp_path)
    first = junit_of(prc, tmp_path, ".", name="a.xml").read_bytes()
    assert junit_of(prc, tmp_path, ".", name="b.xml").read_bytes() == first
    assert b"time=" not in first and b"timestamp=" not in first


def test_characters_xml_forbids_are_dropped_and_markup_is_escaped(registry):
    check = registry.find("PRC-K8S-001")
    nasty = "a\x00b\x1bc <d> & \"e\" 'f' ]]> \ufffe\ud800 ünï ✓ 😀"
    result = Result(check.info(), Status.FAIL, f"message: {nasty}\nsecond line", TargetRef("Deployment", nasty),
                    Location(f"dir/{nasty}.yaml", 3), "web")
    text = junit_fmt.render(Report("0", "", (check,), (result,), (), (), 1, ""))
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    case = root.find("testsuite/testcase")
    clean = "abc <d> & \"e\" 'f' ]]>  ünï ✓ 😀"
    assert case.get("name") == f"Deployment/{clean}"
    assert case.get("file") == f"dir/{clean}.yaml"
    assert case.find("failure").get("message") == f"message: {clean}\nsecond line"
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    assert next(iter(next(iter(xml)))).result[0].message == f"message: {clean}\nsecond line"


def test_results_of_no_service_and_of_unassigned_objects_get_their_own_suites(registry):
    check = registry.find("PRC-K8S-001")

    def result(service, name):
        return Result(check.info(), Status.FAIL, "no probe", TargetRef("Deployment", name), Location("a.yaml", 1),
                      service)

    results = (result("", "x"), result("(unassigned)", "y"))
    root = ET.fromstring(junit_fmt.render(Report("0", "", (check,), results, (), (), 1, "")).encode("utf-8"))
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in root] == [
        ("(no service)", "1", "1"), ("(unassigned)", "1", "1")]
