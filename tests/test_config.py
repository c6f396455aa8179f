""".prc.yaml: lookup, validation messages, check selection, overrides, excludes, `prc init`, waivers, attestations."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from prc.config import Config, ConfigError, find_config, load_config
from prc.engine import selected_checks
from prc.model import Severity, Status
from prc.registry import Registry, check
from prc.starter import STARTER_CONFIG
from prc.targets import Container, Workload

from .conftest import run_scan
from .test_cli import cli  # noqa: F401  (fixture: prc in this process)

GOOD = (Path(__file__).parent / "checks" / "PRC-K8S-001" / "good.yaml").read_text()
# Deployment/web whose container app (line 12) has no readinessProbe.
NO_PROBE = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: app
              image: registry.example.com/web:1.4.2
              ports: [{containerPort: 8080}]
""")


def repo(root: Path, config: str | None, files: dict[str, str] | None = None) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    if config is not None:
        (root / ".prc.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


# Throwaway checks, so selection and overrides are tested against a known registry.
@check(id="PRC-K8S-901", slug="demo-replicas", target=Workload, item="redundancy", severity="medium",
       fix="Set spec.replicas.", options={"minimum": (2, "fewest replicas accepted")})
def demo_replicas(w: Workload, opts):
    """What: demo.

    Why: demo.

    How to fix: demo.
    """
    replicas = w.replicas if w.replicas is not None else 1
    if replicas < opts["minimum"]:
        yield w.fail(f"{w.kind}/{w.name}: {replicas} replicas, fewer than {opts['minimum']}", at="spec.replicas")
    else:
        yield w.ok(at="spec.replicas")


@check(id="PRC-TF-902", slug="demo-security", target=Container, item="container-hardening", severity="low",
       fix="n/a")
def demo_security(c: Container, opts):
    """What: demo.

    Why: demo.

    How to fix: demo.
    """
    yield c.ok()


@check(id="PRC-K8S-903", slug="demo-off", target=Container, item="telemetry", severity="low", fix="n/a",
       enabled=False)
def demo_off(c: Container, opts):
    """What: demo.

    Why: demo.

    How to fix: demo.
    """
    yield c.ok()


@pytest.fixture
def demo_registry(registry):
    return Registry([registry.find("PRC-K8S-001"), demo_replicas, demo_security, demo_off])


# --- lookup -----------------------------------------------------------------------


def test_config_is_found_from_the_scan_root_upwards(tmp_path):
    repo(tmp_path, "version: 1\n")
    deep = tmp_path / "services" / "web" / "k8s"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / ".prc.yaml"
    (tmp_path / "services" / ".prc.yml").write_text("version: 1\n")
    assert find_config(deep) == tmp_path / "services" / ".prc.yml"  # the nearest wins


def test_lookup_stops_at_the_repository_top(tmp_path):
    (tmp_path / ".prc.yaml").write_text("version: 1\n")  # outside the repository
    inner = repo(tmp_path / "project", None)
    (inner / "k8s").mkdir()
    assert find_config(inner / "k8s") is None
    assert find_config(inner) is None


def test_scan_uses_the_found_config_and_reports_paths_from_its_directory(tmp_path, cli):
    repo(tmp_path, "version: 1\nchecks: {enable: [PRC-K8S-001]}\n", {"services/web/deploy.yaml": NO_PROBE})
    done = cli("scan", "web", "--format", "json", cwd=tmp_path / "services")
    report = json.loads(done.stdout)
    assert report["config"] == ".prc.yaml"  # named relative to its own directory, whatever the cwd
    assert [(r["file"], r["line"]) for r in report["results"]] == [("services/web/deploy.yaml", 12)]


def test_explicit_config_that_does_not_exist_is_a_usage_error(tmp_path, cli):
    repo(tmp_path, None, {"a.yaml": GOOD})
    done = cli("scan", ".", "--config", "nope.yaml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert "nope.yaml: no such config file" in done.stderr


# --- validation ---------------------------------------------------------------------


def test_invalid_tier_is_one_exact_line_and_exit_2_without_a_report(tmp_path, cli):
    repo(tmp_path, """\
        version: 1
        # services and their tiers
        services:
          - name: web
            tier: critical
          - name: api
            tier: gold
    """, {"a.yaml": GOOD})
    done = cli("scan", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        ".prc.yaml: services[1].tier: 'gold' is not one of ['critical', 'standard', 'experimental'] (line 7)")


@pytest.mark.parametrize("checks_yaml, message", [
    ("enable: [PRC-K8S-999]", "checks.enable[0]: 'PRC-K8S-999' names no check, prefix or category (line 4)"),
    ("disable: [readiness-probe, readines-probe]",
     "checks.disable[1]: 'readines-probe' names no check, prefix or category (line 4)"),
    ("severity: {PRC-K8S-999: low}", "checks.severity.PRC-K8S-999: no check has this id or slug (line 4)"),
    ("options:\n    no-such-check: {x: 1}", "checks.options.no-such-check: no check has this id or slug (line 5)"),
    ("options:\n    PRC-K8S-001:\n      timeout: 3",
     "checks.options.PRC-K8S-001.timeout: PRC-K8S-001 has no such option (known: {known}) (line 6)"),
])
def test_unknown_check_or_option_is_exit_2_with_a_message(tmp_path, checks_yaml, message, cli, registry):
    repo(tmp_path, f"version: 1\n\nchecks:\n  {checks_yaml}\n", {"a.yaml": GOOD})
    done = cli("scan", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    known = ", ".join(sorted(registry.find("PRC-K8S-001").options)) or "none"
    assert f".prc.yaml: {message.format(known=known)}" in done.stderr.splitlines()


def test_unknown_option_lists_the_known_ones(tmp_path, demo_registry):
    path = repo(tmp_path, "checks:\n  options:\n    demo-replicas: {minimun: 3}\n") / ".prc.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, ".prc.yaml", demo_registry)
    assert caught.value.messages == [
        ".prc.yaml: checks.options.demo-replicas.minimun: PRC-K8S-901 has no such option (known: minimum) (line 3)"]


def test_waiver_naming_no_check_is_an_error(tmp_path, cli):
    repo(tmp_path, """\
        waivers:
          - check: PRC-K8S-001
            target: Deployment/web
            reason: fine for now
            expires: 2027-01-01
          - check: readines-probe
            target: Deployment/web
            reason: typo in the check name
            expires: 2027-01-01
    """, {"a.yaml": GOOD})
    done = cli("scan", ".", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines()[-1] == (
        ".prc.yaml: waivers[1].check: 'readines-probe' names no check id, slug or id prefix (line 6)")


@pytest.mark.parametrize("text, message", [
    ("version: 2\n", ".prc.yaml: version: 1 was expected (line 1)"),
    ("verison: 1\n",
     ".prc.yaml: (top level): Additional properties are not allowed ('verison' was unexpected) (line 1)"),
    ("waivers:\n  - check: PRC-K8S-001\n    target: Deployment/web\n    reason: ok for now\n    expires: 2027-02-30\n",
     ".prc.yaml: waivers[0].expires: '2027-02-30' is not a 'date' (line 5)"),
    ("services: [1, 2\n", ".prc.yaml:2: while parsing a flow sequence on line 1; did not find expected ',' or ']'"),
    ("a: 1\n---\nb: 2\n", ".prc.yaml: expected one YAML document, found 2"),
])
def test_schema_and_syntax_errors_name_path_and_line(tmp_path, registry, text, message):
    path = repo(tmp_path, text) / ".prc.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, ".prc.yaml", registry)
    assert caught.value.messages == [message]


def test_empty_config_is_the_defaults(tmp_path, registry):
    config = load_config(repo(tmp_path, "# nothing yet\n") / ".prc.yaml", ".prc.yaml", registry)
    assert config == Config(path=".prc.yaml")


# --- selection ----------------------------------------------------------------------------


@pytest.mark.parametrize("enable, expected", [
    ([], ["PRC-K8S-001", "PRC-K8S-901", "PRC-TF-902"]),  # default: all but the off-by-default one
    (["PRC-K8S-901"], ["PRC-K8S-901"]),
    (["readiness-probe"], ["PRC-K8S-001"]),
    (["prc-k8s-001", "DEMO-REPLICAS"], ["PRC-K8S-001", "PRC-K8S-901"]),
    (["PRC-K8S"], ["PRC-K8S-001", "PRC-K8S-901", "PRC-K8S-903"]),  # a prefix also turns on checks that are off
    (["PRC-TF-"], ["PRC-TF-902"]),
    (["security"], ["PRC-TF-902"]),
    (["demo-off"], ["PRC-K8S-903"]),
])
def test_enable_by_id_slug_prefix_and_category(tmp_path, demo_registry, enable, expected):
    path = repo(tmp_path, f"checks:\n  enable: {json.dumps(enable)}\n") / ".prc.yaml"
    config = load_config(path, ".prc.yaml", demo_registry)
    assert [c.id for c in selected_checks(demo_registry, config)] == expected


def test_disable_wins_over_enable(demo_registry):
    config = Config(enable=["PRC-K8S"], disable=["demo-replicas", "lifecycle"])
    assert [c.id for c in selected_checks(demo_registry, config)] == ["PRC-K8S-903"]
    assert [c.id for c in selected_checks(demo_registry, Config(disable=["PRC-TF"]))] == ["PRC-K8S-001", "PRC-K8S-901"]


def test_disabled_check_does_not_run(tmp_path, demo_registry):
    repo(tmp_path, None, {"web.yaml": NO_PROBE})
    report = run_scan([tmp_path], demo_registry, Config(disable=["readiness-probe", "PRC-TF"]))
    assert {r.check.id for r in report.results} == {"PRC-K8S-901"}


# --- overrides ------------------------------------------------------------------------------


def test_severity_override_changes_result_severity_and_score_weight(tmp_path, demo_registry):
    repo(tmp_path, None, {"web.yaml": NO_PROBE.replace("spec:\n  selector", "spec:\n  replicas: 3\n  selector")})
    enable = ["PRC-K8S-001", "PRC-K8S-901"]
    plain = run_scan([tmp_path], demo_registry, Config(enable=enable))
    assert [(r.check.id, r.status, r.severity) for r in plain.results] == [
        ("PRC-K8S-901", Status.PASS, Severity.MEDIUM), ("PRC-K8S-001", Status.FAIL, Severity.HIGH)]
    assert plain.services[0].score == round(100 * 2 / (2 + 5), 1)

    path = repo(tmp_path, "checks:\n  enable: [PRC-K8S-001, PRC-K8S-901]\n  severity: {readiness-probe: low}\n")
    lowered = run_scan([tmp_path], demo_registry, load_config(path / ".prc.yaml", ".prc.yaml", demo_registry))
    failing = [r for r in lowered.results if r.status is Status.FAIL]
    assert [(r.check.id, r.severity) for r in failing] == [("PRC-K8S-001", Severity.LOW)]
    assert lowered.services[0].score == round(100 * 2 / (2 + 1), 1)
    assert dict(lowered.services[0].fails_by_severity)["low"] == 1


def test_severity_override_shows_in_json(tmp_path, cli):
    repo(tmp_path, "checks:\n  enable: [PRC-K8S-001]\n  severity: {PRC-K8S-001: critical}\n", {"web.yaml": NO_PROBE})
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["check_id"], r["severity"]) for r in report["results"]] == [("PRC-K8S-001", "critical")]
    assert report["services"][0]["fails_by_severity"]["critical"] == 1


def test_options_override_reaches_the_check(tmp_path, demo_registry):
    repo(tmp_path, None, {"web.yaml": NO_PROBE.replace("spec:\n  selector", "spec:\n  replicas: 3\n  selector")})
    default = run_scan([tmp_path], demo_registry, Config(enable=["PRC-K8S-901"]))
    assert [r.status for r in default.results] == [Status.PASS]
    path = repo(tmp_path, "checks:\n  enable: [PRC-K8S-901]\n  options:\n    demo-replicas: {minimum: 5}\n")
    strict = run_scan([tmp_path], demo_registry, load_config(path / ".prc.yaml", ".prc.yaml", demo_registry))
    assert [(r.status, r.message, r.location.line) for r in strict.results] == [
        (Status.FAIL, "Deployment/web: 3 replicas, fewer than 5", 7)]


# --- exclude ----------------------------------------------------------------------------------


def test_exclude_globs(tmp_path, cli):
    files = {
        "deploy/web.yaml": NO_PROBE,
        "testdata/top.yaml": NO_PROBE,  # `**/` also matches no directory, as in .gitignore
        "deploy/testdata/nested.yaml": NO_PROBE,
        "legacy/old.yaml": NO_PROBE,
        "legacy/keep/also-old.yaml": NO_PROBE,
        "deploy/web.generated.yaml": NO_PROBE,
    }
    repo(tmp_path, """\
        checks: {enable: [PRC-K8S-001]}
        exclude: ["**/testdata/**", "legacy/**", "*.generated.yaml"]
    """, files)
    report = json.loads(cli("scan", ".", "--format", "json", cwd=tmp_path).stdout)
    assert [r["file"] for r in report["results"]] == ["deploy/web.yaml"]
    assert report["summary"]["files_scanned"] == 1


# --- prc init ---------------------------------------------------------------------------------


def test_init_writes_a_valid_config_and_will_not_overwrite(tmp_path, registry, cli):
    repo(tmp_path, None)
    done = cli("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / ".prc.yaml"
    assert written.read_text() == STARTER_CONFIG
    config = load_config(written, ".prc.yaml", registry)
    assert config.default_tier == "standard"
    assert config.exclude == ["**/testdata/**"]

    written.write_text("version: 1\ndefault_tier: critical\n")
    done = cli("init", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "exists; use --force to overwrite it" in done.stderr
    assert written.read_text() == "version: 1\ndefault_tier: critical\n"

    assert cli("init", "--force", cwd=tmp_path).returncode == 0
    assert written.read_text() == STARTER_CONFIG


def test_init_into_a_missing_directory_is_a_usage_error(tmp_path, cli):
    done = cli("init", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    assert "nowhere: no such directory" in done.stderr
    assert not (tmp_path / "nowhere").exists()


def test_init_then_scan_works(tmp_path, cli):
    repo(tmp_path, None, {"web.yaml": GOOD})
    assert cli("init", cwd=tmp_path).returncode == 0
    done = cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["config"] == ".prc.yaml"


# --- waivers and attestations ---------------------------------------------------------------

WAIVED = """\
    checks: {enable: [PRC-K8S-001]}
    waivers:
      - check: readiness-probe
        target: Deployment/web
        reason: probe lands with the next release
        expires: 2026-12-31
      - check: PRC-K8S
        service: api
        reason: legacy service, being retired
        expires: 2026-06-30
"""


def two_services(tmp_path: Path) -> Path:
    return repo(tmp_path, WAIVED, {"web.yaml": NO_PROBE, "api.yaml": NO_PROBE.replace("web", "api")})


@pytest.mark.parametrize("today, web, api", [
    ("2026-06-30", "suppressed", "suppressed"),  # a waiver holds through its expiry date
    ("2026-07-01", "suppressed", "expired"),
    ("2027-01-01", "expired", "expired"),
])
def test_waivers_hide_until_they_expire(tmp_path, today, web, api, cli):
    two_services(tmp_path)
    report = json.loads(cli("scan", ".", "--format", "json", "--today", today, cwd=tmp_path).stdout)
    state = {}
    for r in report["results"]:
        assert r["status"] == "FAIL"
        if r["suppression"]:
            assert r["expired_waiver"] is None
            state[r["service"]] = "suppressed"
        else:
            assert r["expired_waiver"]["kind"] == "waiver"
            state[r["service"]] = "expired"
    assert state == {"web": web, "api": api}
    assert report["summary"]["results"]["SUPPRESSED"] == [web, api].count("suppressed")
    assert report["summary"]["results"]["FAIL"] == [web, api].count("expired")


def test_waivers_are_listed_in_json_and_console(tmp_path, cli):
    two_services(tmp_path)
    report = json.loads(cli("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path).stdout)
    by_service = {r["service"]: r for r in report["results"]}
    assert by_service["web"]["suppression"] == {
        "kind": "waiver", "reason": "probe lands with the next release", "expires": "2026-12-31",
        "source": ".prc.yaml:3"}
    assert by_service["api"]["suppression"] is None
    assert by_service["api"]["expired_waiver"] == {
        "kind": "waiver", "reason": "legacy service, being retired", "expires": "2026-06-30", "source": ".prc.yaml:7"}

    console = cli("scan", ".", "--today", "2026-11-23", cwd=tmp_path).stdout
    assert ("waiver     .prc.yaml:3  PRC-K8S-001 Deployment/web[app] (FAIL)\n"
            "           probe lands with the next release") in console
    assert ("Expired waivers no longer hide 1 results\n  PRC-K8S-001 Deployment/api[app]: waiver expired 2026-06-30 "
            "(.prc.yaml:7)") in console


def test_waiver_scope_by_target_glob_and_path(tmp_path, cli):
    repo(tmp_path, """\
        checks: {enable: [PRC-K8S-001]}
        waivers:
          - {check: PRC-K8S-001, target: "Deployment/default/we*", reason: globbed target, expires: 2027-01-01}
          - {check: PRC-K8S-001, path: "legacy/*.yaml", reason: legacy tree, expires: 2027-01-01}
    """, {"web.yaml": NO_PROBE, "shop.yaml": NO_PROBE.replace("web", "shop"),
          "legacy/api.yaml": NO_PROBE.replace("web", "api")})
    report = json.loads(cli("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path).stdout)
    got = {r["target"]["name"]: (r["suppression"] or {}).get("reason") for r in report["results"]}
    assert got == {"web": "globbed target", "api": "legacy tree", "shop": None}


def test_attestations_attested_missing_and_expired_in_json(tmp_path, cli):
    repo(tmp_path, """\
        default_tier: critical
        checks: {enable: [PRC-K8S-001]}
        attestations:
          - item: load-test
            service: web
            evidence: https://wiki.example.com/web/load-test-2026-10
            date: 2026-10-12
            expires: 2027-04-12
          - item: security-review
            evidence: https://wiki.example.com/security/review-2025
            date: 2025-01-10
            expires: 2026-01-10
          - item: oncall-staffed
            service: web
            evidence: https://pager.example.com/schedules/web
            date: 2026-09-01
    """, {"web.yaml": GOOD})
    report = json.loads(cli("scan", ".", "--format", "json", "--today", "2026-11-23", cwd=tmp_path).stdout)
    [web] = report["services"]
    manual = {m["item"]: m for m in web["manual_items"]}
    assert manual["load-test"] == {
        "item": "load-test", "title": "Load test done", "status": "attested", "required": True,
        "evidence": "https://wiki.example.com/web/load-test-2026-10", "date": "2026-10-12", "expires": "2027-04-12"}
    assert (manual["security-review"]["status"], manual["security-review"]["expires"]) == ("expired", "2026-01-10")
    assert (manual["oncall-staffed"]["status"], manual["oncall-staffed"]["expires"]) == ("attested", None)
    assert {k: m["status"] for k, m in manual.items() if m["item"] in
            ("failover-rehearsed", "capacity-plan", "postmortem-template")} == dict.fromkeys(
        ("failover-rehearsed", "capacity-plan", "postmortem-template"), "missing")
    assert web["verdict"] == "NOT READY"  # required manual items missing or expired


def test_tier_decides_which_manual_items_are_required(tmp_path, cli):
    repo(tmp_path, """\
        checks: {enable: [PRC-K8S-001]}
        services:
          - {name: web, tier: experimental}
    """, {"web.yaml": GOOD})
    done = cli("scan", ".", "--format", "json", cwd=tmp_path)
    [web] = json.loads(done.stdout)["services"]
    assert (web["tier"], web["verdict"]) == ("experimental", "READY")
    assert not any(m["required"] for m in web["manual_items"])
    assert done.returncode == 0
