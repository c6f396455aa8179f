"""Per-file parsing: the part of loading that depends on one file's text alone.

Every source parses each file with a parser named here (YAML, HCL, Dockerfile), then links and evaluates the
parsed files in the parent process, in a fixed order. Because a parse is a pure function of the text, it can run
in worker processes (`--jobs`) and be kept on disk (prc.parse_cache), and the scan's output cannot tell: the
same products come back in the same order.

A parser never raises on bad input: a file that does not parse gives a `Failure` with the parser's message
and where it is, which the source turns into a problem for that file.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import sys
import threading
from dataclasses import dataclass
from typing import Callable

# Fewer files than this to parse are parsed in this process: starting worker processes costs more than
# parsing a few dozen files.
POOL_MIN_FILES = 48
# Files sent to a worker at a time: large enough that one round trip carries real work, small enough that both
# workers stay busy to the end.
CHUNK_FILES = 16


@dataclass(frozen=True)
class Failure:
    """A text the parser refused: the message, and the 1-based line (YAML) or the character offset (HCL)."""

    message: str
    line: int = 0
    offset: int = -1


def _yaml(text: str):
    from .yamlsrc import YamlError, parse_yaml

    try:
        return parse_yaml(text)
    except YamlError as exc:
        return Failure(exc.message, exc.line)


def _hcl(text: str):
    from .loaders.terraform_hcl import HclError, parse_hcl

    try:
        return parse_hcl(text)
    except HclError as exc:
        return Failure(exc.message, offset=exc.offset)


def _dockerfile(text: str):
    from .loaders.dockerfile import parse

    return parse(text)


# name -> (the function, the modules whose code decides what it returns). A change to any of those modules
# makes every cached product of that parser stale (prc.parse_cache keys on their source).
PARSERS: dict[str, tuple[Callable[[str], object], tuple[str, ...]]] = {
    "yaml": (_yaml, ("prc.yamlsrc", "prc.parsing")),
    "hcl": (_hcl, ("prc.loaders.terraform_hcl", "prc.parsing")),
    "dockerfile": (_dockerfile, ("prc.loaders.dockerfile", "prc.parsing")),
}

_versions: dict[str, str] = {}


def parser_version(name: str) -> str:
    """A digest of everything a parser's output depends on besides the text: the source of its modules, the
    Python version and the versions of the libraries it calls. Computed from the code itself, so a parser change
    can never be served a product of the old parser because somebody forgot to bump a number."""
    if name not in _versions:
        import yaml

        from . import __version__

        digest = hashlib.sha256(f"{name}\0{__version__}\0{sys.version}\0{yaml.__version__}\0"
                                f"{getattr(yaml, '__with_libyaml__', False)}".encode())
        for module_name in PARSERS[name][1]:
            module = importlib.import_module(module_name)
            with open(module.__file__, "rb") as source:
                digest.update(source.read())
        _versions[name] = digest.hexdigest()
    return _versions[name]


def parse_one(name: str, text: str) -> object:
    return PARSERS[name][0](text)


def _parse_chunk(name: str, texts: list[str]) -> list[object]:
    return [parse_one(name, text) for text in texts]


def _worker_start() -> None:
    # A worker lives for one scan and holds little: the cyclic collector would only slow it down.
    gc.disable()


def default_jobs() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Parser:
    """Parses texts for one scan: from the cache when it has them, else in worker processes when there are enough
    of them and `jobs` > 1, else here. Products come back in the order of the texts."""

    def __init__(self, jobs: int = 1, cache=None):
        self.jobs = max(jobs, 1)
        self.cache = cache  # a prc.parse_cache.ParseCache, or None
        self._pool = None
        self.counts = {"cached": 0, "parsed": 0, "in workers": 0}

    def parse(self, name: str, texts: list[str]) -> list[object]:
        products: list[object] = [None] * len(texts)
        todo: list[int] = []
        version = parser_version(name) if self.cache is not None else ""
        keys = [self.cache.key(name, version, text) for text in texts] if self.cache is not None else []
        for i in range(len(texts)):
            if self.cache is not None and (found := self.cache.get(keys[i])) is not None:
                products[i] = found[0]
                self.counts["cached"] += 1
            else:
                todo.append(i)
        for i, product in zip(todo, self._parse_uncached(name, [texts[i] for i in todo])):
            products[i] = product
            if self.cache is not None:
                self.cache.put(keys[i], product)
        self.counts["parsed"] += len(todo)
        return products

    def _parse_uncached(self, name: str, texts: list[str]) -> list[object]:
        if self.jobs == 1 or len(texts) < POOL_MIN_FILES:
            return _parse_chunk(name, texts)
        pool = self._get_pool()
        chunks = [texts[i:i + CHUNK_FILES] for i in range(0, len(texts), CHUNK_FILES)]
        products = [product for chunk in pool.map(_parse_chunk, [name] * len(chunks), chunks) for product in chunk]
        self.counts["in workers"] += len(texts)
        return products

    def _get_pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork starts a worker in milliseconds with prc already imported; it is only safe while this process
            # runs one thread (a thread holding a lock at the fork would leave the lock held in the child).
            methods = multiprocessing.get_all_start_methods()
            method = "fork" if "fork" in methods and threading.active_count() == 1 else \
                "forkserver" if "forkserver" in methods else "spawn"
            self._pool = ProcessPoolExecutor(self.jobs, multiprocessing.get_context(method),
                                             initializer=_worker_start)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


_SERIAL = Parser()


def serial() -> Parser:
    """The parser of a load that was given none (unit tests of one source): in this process, no cache."""
    return _SERIAL
