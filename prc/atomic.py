"""Writing a file so that a reader (or a crash) sees the old content or the new, never half of it: reports,
baselines, snapshots and parse cache entries all go through here."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable


def write_atomically(path: Path, content: str | bytes | Iterable[str], mode: int | None = None,
                     durable: bool = True) -> None:
    """Write `content` (text, bytes, or pieces of text written as they come) to a temporary file beside `path`,
    then rename it over `path`. A formatter failing halfway through its pieces leaves `path` as it was.

    `mode`: the new file's permissions; by default an existing file keeps its own and a new one gets what the
    umask gives. `durable`: fsync before the rename (a report must survive a crash; a cache entry need not)."""
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
            else:
                # "replace": a file name that is not UTF-8 must not lose the whole report.
                for piece in (content,) if isinstance(content, str) else content:
                    stream.write(piece.encode("utf-8", "replace"))
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
