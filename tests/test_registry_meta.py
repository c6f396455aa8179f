"""Every check is well formed, documented, and docs/checks.md matches the registry."""

from __future__ import annotations

import re

import pytest

from prc.docs import checks_markdown
from prc.items import ITEMS
from prc.model import CATEGORIES

from .conftest import REPO

CHECKLIST_IDS = {"PRC-K8S-" + n for n in (
    "001 002 003 004 010 011 012 020 021 030 031 032 033 034 040 050 051 052 070 071 "
    "080 081 082 083 084 085 086 087 090 100 110").split()}


def test_every_kubernetes_check_in_the_checklist_is_registered(registry):
    assert CHECKLIST_IDS <= {c.id for c in registry.checks}


def test_registry_loaded_without_errors(registry):
    assert registry.load_errors == []


@pytest.mark.parametrize("check_id", sorted(CHECKLIST_IDS))
def test_check_metadata_is_complete(registry, check_id):
    check = registry.by_id().get(check_id)
    assert check is not None, f"{check_id} is not registered"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check.slug)
    assert check.item in ITEMS and ITEMS[check.item].category == check.category
    assert check.category in CATEGORIES
    for text in (check.what, check.why, check.how_to_fix, check.remediation):
        assert len(text) > 20, f"{check_id}: documentation text too short: {text!r}"
    for name, option in check.options.items():
        assert option.description, f"{check_id}: option {name} needs a description"


def test_slugs_are_unique(registry):
    slugs = [c.slug for c in registry.checks]
    assert len(slugs) == len(set(slugs))


def test_docs_checks_md_is_generated_from_the_registry(registry):
    committed = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == checks_markdown(registry), (
        "docs/checks.md drifted from the registry; regenerate it with: prc checks --format markdown > docs/checks.md")
