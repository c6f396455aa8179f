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
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from collections import deque
from typing import Callable, Iterator

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


_worker_cache = None  # the scan's ParseCache, in a worker process


def _worker_start(cache=None) -> None:
    global _worker_cache
    _worker_cache = cache
    # A worker lives for one scan and holds little: the cyclic collector would only slow it down.
    gc.disable()
    # Ctrl-C in a terminal signals the whole process group. The main process stops the scan and shuts the pool
    # down (Parser.close); a worker interrupted too could be stopped while writing its answer to the pool's result
    # pipe, which left the pool broken and the main process waiting for it at exit, for ever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":
        threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit once the process that started it is gone. A main process killed outright (kill -9, the
    out-of-memory killer) never shuts the pool down, and its idle workers, each still holding the pool's pipes
    open, would wait for work for ever."""
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _read_and_parse(name: str, version: str, paths: list[str],
                    max_bytes: int) -> list[tuple[str, bytes | None, bool] | None]:
    """In a worker: read each file, and return the key of the text it read, the pickled product, and whether it
    came from the cache (already pickled there: the bytes cross to the main process as they are) rather than
    being parsed here (and put in the cache). None for a file that cannot be read: the source reads it again and
    reports why. A product of None: the main process is to parse that text itself."""
    import pickle

    from .discovery import FileReadError, read_text
    from .parse_cache import ParseCache

    out: list[tuple[str, bytes | None, bool] | None] = []
    for path in paths:
        try:
            text = read_text(Path(path), max_bytes)
        except FileReadError:
            out.append(None)
            continue
        key = ParseCache.key(name, version, text)
        try:
            payload = _worker_cache.get_payload(key) if _worker_cache is not None else None
            cached = payload is not None
            if not cached:
                payload = pickle.dumps(parse_one(name, text), protocol=pickle.HIGHEST_PROTOCOL)
                if _worker_cache is not None:
                    _worker_cache.put_payload(key, payload)
        except Exception:
            # A product nested deeper than pickle can recurse (a long chain of `+` in HCL, YAML nested ~1,000
            # levels: both parse), a parser bug, memory running out here: the main process parses this text as a
            # serial scan does, and gives its answer or its error. Raised from here, it would fail the chunk's
            # sixteen files and the scan, where `--jobs 1` succeeds.
            payload, cached = None, False
        out.append((key, payload, cached))
    return out


def default_jobs() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Parser:
    """Parses texts for one scan: from the cache when it has them, else in worker processes when there are enough
    of them and `jobs` > 1, else here. Products come back in the order of the texts.

    With workers, `prefetch` starts reading and parsing every file of the scan before the sources ask for them,
    and `parse_iter` hands each product over as soon as it is ready, so this process builds objects from the
    first files while the workers parse the rest (and the Terraform files after them). A prefetched product is
    used only for a text whose key (a digest of the parser, its version and the text) is the key of what the
    worker read: a file changed between the two reads is parsed again here."""

    def __init__(self, jobs: int = 1, cache=None):
        self.jobs = max(jobs, 1)
        self.cache = cache  # a prc.parse_cache.ParseCache, or None
        self._pool = None
        self._prefetched: dict[str, list] = {}  # parser name -> futures of _read_and_parse chunks, in order
        # (parser name, key) -> (pickled product, whether the worker found it in the cache) per file read with
        # that text (two files with the same text are two entries)
        self._ready: dict[tuple[str, str], list[tuple[bytes, bool]]] = {}
        self.counts = {"cached": 0, "parsed": 0, "in workers": 0}

    def prefetch(self, name: str, paths: list[str], max_bytes: int) -> None:
        if self.jobs == 1 or len(paths) < POOL_MIN_FILES:
            return
        pool = self._get_pool()
        version = parser_version(name)
        self._prefetched.setdefault(name, []).extend(
            pool.submit(_read_and_parse, name, version, paths[i:i + CHUNK_FILES], max_bytes)
            for i in range(0, len(paths), CHUNK_FILES))

    def parse(self, name: str, texts: list[str]) -> list[object]:
        return list(self.parse_iter(name, texts))

    def parse_iter(self, name: str, texts: list[str]) -> Iterator[object]:
        """Products in the order of the texts, each as soon as it is ready."""
        import pickle

        pending = deque(self._prefetched.pop(name, ()))
        if not pending and self.cache is None:
            yield from self._parse_uncached(name, texts)
            return
        version = parser_version(name)
        keys = [_key(name, version, text) for text in texts]
        if not pending:
            yield from self._from_cache_or_parse(name, texts, keys)
            return
        for text, key in zip(texts, keys):
            # Workers answer in the order the files were found, and sources ask in nearly that order.
            while (name, key) not in self._ready and pending:
                try:
                    answered = pending.popleft().result()
                except Exception:
                    # The pool broke (a worker killed: out of memory, a signal) or the chunk failed as a whole:
                    # its files are parsed here, as they are when no worker read them.
                    answered = ()
                for entry in answered:
                    if entry is not None:
                        self._ready.setdefault((name, entry[0]), []).append(entry[1:])
            entries = self._ready.get((name, key))
            ready = entries.pop() if entries else None
            if entries == []:
                del self._ready[(name, key)]
            product = _NONE
            if ready is not None and ready[0] is not None:
                try:
                    product = pickle.loads(ready[0])
                except Exception:  # as ParseCache.get: what does not load is parsed again, never a failed scan
                    product = _NONE
            if product is _NONE:
                # Changed since the worker read it, not a file (standard input), or the worker could not hand over
                # its product.
                yield from self._from_cache_or_parse(name, [text], [key])
                continue
            self.counts["cached" if ready[1] else "in workers"] += 1
            self.counts["parsed"] += not ready[1]
            yield product

    def _from_cache_or_parse(self, name: str, texts: list[str], keys: list[str]) -> Iterator[object]:
        products: list[object] = [None] * len(texts)
        todo: list[int] = []
        for i, key in enumerate(keys):
            if self.cache is not None and (found := self.cache.get(key)) is not None:
                products[i] = found[0]
                self.counts["cached"] += 1
            else:
                todo.append(i)
        for i, product in zip(todo, self._parse_uncached(name, [texts[i] for i in todo])):
            products[i] = product
            if self.cache is not None:
                self.cache.put(keys[i], product)
        yield from products

    def _parse_uncached(self, name: str, texts: list[str]) -> list[object]:
        self.counts["parsed"] += len(texts)
        if self.jobs == 1 or len(texts) < POOL_MIN_FILES:
            return _parse_chunk(name, texts)
        chunks = [texts[i:i + CHUNK_FILES] for i in range(0, len(texts), CHUNK_FILES)]
        try:
            pool = self._get_pool()
            products = [product for chunk in pool.map(_parse_chunk, [name] * len(chunks), chunks)
                        for product in chunk]
        except Exception:
            # A broken pool, a product that cannot cross between processes, an error in a worker: parsed here, the
            # answer (or the error) is the serial scan's.
            return _parse_chunk(name, texts)
        self.counts["in workers"] += len(texts)
        return products

    def _get_pool(self):
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.jobs, multiprocessing.get_context(_start_method()),
                                             initializer=_worker_start, initargs=(self.cache,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            # Every chunk not started yet, those parse_iter took over (an interrupted or failed source leaves them
            # in its generator) as well as those no source asked for: without this, an interrupted scan waits for
            # every file to be parsed before it stops.
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._prefetched.clear()
        self._ready.clear()


def _start_method() -> str:
    """fork starts a worker in milliseconds with prc already imported; it is only safe on Linux while this process
    runs one thread (a thread holding a lock at the fork would leave the lock held in the child). On macOS the
    system libraries make fork unsafe even then (why Python's default there is spawn)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


# A product no parser makes: "nothing usable came back for this text".
_NONE = object()


def _key(name: str, version: str, text: str) -> str:
    from .parse_cache import ParseCache

    return ParseCache.key(name, version, text)


_SERIAL = Parser()


def serial() -> Parser:
    """The parser of a load that was given none (unit tests of one source): in this process, no cache."""
    return _SERIAL
