"""The engine: a broken check never aborts a scan; checks come from every `prc.checks` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from prc.config import Config
from prc.engine import run_checks
from prc.model import Status
from prc.registry import Registry, check, load_registry
from prc.loaders.k8s import targets_of
from prc.targets import Container, Workload

from .conftest import run_scan

GOOD = (Path(__file__).parent / "checks" / "PRC-K8S-001" / "good.yaml").read_text()
TWO = GOOD + "---\n" + GOOD.replace("web", "shop")


@check(id="PRC-K8S-991", slug="demo-explodes", target=Workload, item="redundancy", severity="medium", fix="n/a")
def explodes_on_shop(w: Workload, opts):
    """What: a check that crashes on one workload.

    Why: to prove the engine survives it.

    How to fix: none.
    """
    if w.name == "shop":
        raise KeyError("spec.replicas")
    yield w.ok(at="spec.replicas")


@check(id="PRC-K8S-992", slug="demo-yields-junk", target=Workload, item="redundancy", severity="low", fix="n/a")
def yields_junk(w: Workload, opts):
    """What: a check that yields something that is not an Outcome.

    Why: to prove the engine survives it.

    How to fix: none.
    """
    yield w.ok()
    yield "all good"


@check(id="PRC-K8S-993", slug="demo-returns", target=(Workload, Container), item="redundancy", severity="low",
       fix="n/a")
def returns_not_yields(t, opts):
    """What: a check that returns one Outcome for workloads and nothing for containers.

    Why: checks may return instead of yield.

    How to fix: none.
    """
    if isinstance(t, Workload):
        return t.fail(f"{t.name} returned", at="spec.replicas")
    return None


def scan_two(tmp_path, registry, *checks):
    (tmp_path / "two.yaml").write_text(TWO)
    real = registry.find("PRC-K8S-001")
    return run_scan([tmp_path], Registry([real, *checks]), Config())


def test_a_crashing_check_is_one_error_and_everything_else_still_runs(tmp_path, registry):
    report = scan_two(tmp_path, registry, explodes_on_shop)
    got = [(r.check.id, str(r.target), r.status, r.location.line, r.message) for r in report.results]
    assert got == [
        ("PRC-K8S-991", "Deployment/shop", Status.ERROR, 20,
         "check PRC-K8S-991 (demo-explodes) crashed: KeyError: 'spec.replicas'"),
        ("PRC-K8S-001", "Deployment/shop[app]", Status.PASS, 35, ""),
        ("PRC-K8S-991", "Deployment/web", Status.PASS, 7, ""),
        ("PRC-K8S-001", "Deployment/web[app]", Status.PASS, 16, ""),
    ]
    shop = next(s for s in report.services if s.name == "shop")
    assert shop.verdict == "NOT READY"  # an ERROR makes the verdict unprovable


def test_a_check_yielding_junk_is_an_error_not_a_crash(tmp_path, registry):
    report = scan_two(tmp_path, registry, yields_junk)
    junk = [(str(r.target), r.status, r.message) for r in report.results if r.check.id == "PRC-K8S-992"]
    assert junk == [
        ("Deployment/shop", Status.ERROR,
         "check PRC-K8S-992 (demo-yields-junk) crashed: TypeError: yielded str 'all good' instead of an Outcome"),
        ("Deployment/web", Status.ERROR,
         "check PRC-K8S-992 (demo-yields-junk) crashed: TypeError: yielded str 'all good' instead of an Outcome"),
    ]


def test_a_check_may_return_one_outcome_or_none(tmp_path, registry):
    report = scan_two(tmp_path, registry, returns_not_yields)
    mine = [(str(r.target), r.status, r.message) for r in report.results if r.check.id == "PRC-K8S-993"]
    assert mine == [("Deployment/shop", Status.FAIL, "shop returned"), ("Deployment/web", Status.FAIL, "web returned")]


def test_checks_only_see_their_declared_target_types(tmp_path, registry):
    seen = []

    @check(id="PRC-K8S-994", slug="demo-spy", target=Container, item="readiness", severity="low", fix="n/a")
    def spy(c, opts):
        """What: records its targets.

        Why: dispatch by type.

        How to fix: none.
        """
        seen.append((type(c).__name__, dict(opts)))

    (tmp_path / "two.yaml").write_text(TWO)
    report = run_scan([tmp_path], Registry([spy]), Config())
    assert report.results == ()
    assert seen == [("Container", {}), ("Container", {})]


def test_run_checks_passes_results_owners_and_targets_to_the_suppressor(tmp_path, registry):
    from prc.loaders.k8s import load_k8s_text

    objects = load_k8s_text("two.yaml", TWO).objects
    owners = []

    def suppress(result, owner, target):
        owners.append((str(result.target), owner.kind, owner.name, type(target).__name__))
        return result

    run_checks([registry.find("PRC-K8S-001")], targets_of(objects), Config(), suppress)
    # The target is the container the result is about; the owner is the workload whose document holds it.
    assert owners == [("Deployment/web[app]", "Deployment", "web", "Container"),
                      ("Deployment/shop[app]", "Deployment", "shop", "Container")]


# --- entry points ----------------------------------------------------------------------------

PLUGIN = '''\
from prc.registry import check
from prc.targets import Workload


@check(id="ACME-K8S-001", slug="acme-team-label", target=Workload, item="ownership", severity="low",
       fix="Add a team label.")
def team_label(w, opts):
    """What: workloads carry a team label.

    Why: someone must own them.

    How to fix: add metadata.labels.team.
    """
    if "team" in w.labels:
        yield w.ok(at="metadata.labels.team")
    else:
        yield w.fail(f"{w.kind}/{w.name} has no team label", at="metadata.labels")
'''


def fake_distribution(root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """An installed-looking distribution on disk: modules plus a dist-info with entry_points.txt."""
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[prc.checks]\n{lines}")


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """A directory on sys.path for fake distributions; their modules are forgotten afterwards."""
    before = set(sys.modules)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("acme_"):
            del sys.modules[name]


def test_a_second_entry_point_is_loaded_beside_the_builtins(plugin_path):
    fake_distribution(plugin_path, "acme_prc_checks", {"acme": "acme_prc_plugin"}, {"acme_prc_plugin": PLUGIN})
    registry = load_registry()
    ids = [c.id for c in registry.checks]
    assert "ACME-K8S-001" in ids
    assert "PRC-K8S-001" in ids
    assert registry.sources[registry.find("acme-team-label").id] == "acme = acme_prc_plugin"
    assert registry.sources["PRC-K8S-001"].endswith("= prc_checks.k8s_lifecycle")
    assert not [e for e in registry.load_errors if "acme" in e]


def test_plugin_checks_run_in_a_scan(plugin_path):
    fake_distribution(plugin_path, "acme_prc_checks", {"acme": "acme_prc_plugin"}, {"acme_prc_plugin": PLUGIN})
    (plugin_path / "scan").mkdir()
    (plugin_path / "scan" / "web.yaml").write_text(GOOD)
    report = run_scan([plugin_path / "scan"], load_registry(), Config(enable=["ACME-K8S-001"]))
    assert [(r.check.id, r.status, r.message, r.location.line) for r in report.results] == [
        ("ACME-K8S-001", Status.FAIL, "Deployment/web has no team label", 5)]


def test_a_broken_plugin_is_reported_and_the_builtins_still_load(plugin_path):
    fake_distribution(plugin_path, "acme_broken", {
        "acme-crash": "acme_crash_on_import",
        "acme-missing": "acme_no_such_module",
        "acme-baddoc": "acme_bad_docstring",
    }, {
        "acme_crash_on_import": "raise RuntimeError('plugin needs ACME_TOKEN')\n",
        "acme_bad_docstring": '''\
            from prc.registry import check
            from prc.targets import Workload

            @check(id="ACME-K8S-002", slug="acme-bad", target=Workload, item="ownership", severity="low", fix="x")
            def bad(w, opts):
                """Only one paragraph."""
        ''',
    })
    registry = load_registry()
    assert registry.find("PRC-K8S-001") is not None
    mine = sorted(e for e in registry.load_errors if "acme" in e)
    assert mine == [
        "entry point acme-baddoc = acme_bad_docstring failed to load: CheckDefinitionError: ACME-K8S-002: the "
        "docstring must have exactly three paragraphs (What, Why, How to fix)",
        "entry point acme-crash = acme_crash_on_import failed to load: RuntimeError: plugin needs ACME_TOKEN",
        "entry point acme-missing = acme_no_such_module failed to load: ModuleNotFoundError: No module named "
        "'acme_no_such_module'",
    ]


def test_a_plugin_reusing_a_builtin_id_is_refused(plugin_path):
    fake_distribution(plugin_path, "acme_dup", {"acme-dup": "acme_dup_plugin"}, {
        "acme_dup_plugin": PLUGIN.replace("ACME-K8S-001", "PRC-K8S-001").replace("acme-team-label", "team-label")})
    registry = load_registry()
    assert registry.find("PRC-K8S-001").slug == "readiness-probe"
    assert registry.find("team-label") is None
    assert [e for e in registry.load_errors if "acme" in e] == [
        "entry point acme-dup: check id PRC-K8S-001 is already provided by k8s-lifecycle = prc_checks.k8s_lifecycle"]


def test_cli_lists_plugin_checks_and_warns_about_broken_ones(plugin_path):
    fake_distribution(plugin_path, "acme_prc_checks", {"acme": "acme_prc_plugin", "acme-crash": "acme_crash"},
                      {"acme_prc_plugin": PLUGIN, "acme_crash": "raise ImportError('acme_sdk is not installed')\n"})
    env = {**os.environ, "PYTHONPATH": f"{plugin_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-m", "prc.cli", "checks", "--format", "markdown"], cwd=plugin_path,
                          capture_output=True, text=True, env=env, timeout=20)
    assert done.returncode == 0
    assert "| [ACME-K8S-001](#acme-k8s-001) | `acme-team-label` | low | operability |" in done.stdout
    assert "| [PRC-K8S-001](#prc-k8s-001) | `readiness-probe` |" in done.stdout
    assert ("prc: warning: entry point acme-crash = acme_crash failed to load: ImportError: acme_sdk is not "
            "installed") in done.stderr


def test_a_plugin_reusing_a_builtin_slug_is_refused(plugin_path):
    fake_distribution(plugin_path, "acme_slug", {"acme-slug": "acme_slug_plugin"}, {
        "acme_slug_plugin": PLUGIN.replace("acme-team-label", "readiness-probe")})
    registry = load_registry()
    assert registry.find("readiness-probe").id == "PRC-K8S-001"
    assert registry.find("ACME-K8S-001") is None
    assert [e for e in registry.load_errors if "acme" in e] == [
        "entry point acme-slug: check ACME-K8S-001 reuses the slug readiness-probe of PRC-K8S-001"]
