"""Shared helpers: scan a path through the real pipeline, with only chosen checks enabled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from prc.config import Config
from prc.registry import load_registry
from prc.scan import ScanInput, scan

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """Caches (the IAM catalogue index) go to a temporary directory, never the user's ~/.cache."""
    import os

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def registry():
    return load_registry()


def run_scan(paths, registry, config: Config | None = None, root: Path | None = None, stdin_text=None,
             today: dt.date = TODAY):
    paths = [Path(p) for p in paths]
    if root is None:
        root = paths[0] if paths and paths[0].is_dir() else (paths[0].parent if paths else Path.cwd())
    return scan(ScanInput(tuple(paths), root, stdin_text), config or Config(), registry, today)
