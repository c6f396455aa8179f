"""Where prc keeps what it caches for a user (the IAM action catalogue index, the parse cache)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cache_dir() -> Path | None:
    """$PRC_CACHE_DIR, else the platform's per-user cache directory for prc; None when there is no home."""
    explicit = os.environ.get("PRC_CACHE_DIR", "")
    if explicit:
        return Path(explicit)
    try:
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA")
            return Path(base) / "prc" / "Cache" if base else None
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "prc"
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # The XDG spec says a relative path is invalid and must be ignored.
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        return base / "prc"
    except (RuntimeError, KeyError, OSError):  # Path.home() with no HOME and no passwd entry
        return None
