"""What a review of `--jobs` and the parse cache found: inputs, failures and interruptions under which a scan with
worker processes or the cache wrote something else than a serial scan (or crashed, or hung), and the collector
state `prc services` left behind."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path

import pytest

from prc import memory, parsing
from prc.cli import main
from prc.loaders.dockerfile import parse as parse_dockerfile
from prc.parse_cache import ParseCache
from prc.parsing import Parser

from .conftest import REPO, TODAY

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks workers (Linux)")


def _report(capsys, root: Path, *args: str) -> tuple[str, str]:
    capsys.readouterr()
    code = main(["scan", str(root), "--format", "json", "--today", TODAY.isoformat(), "--timings", *args])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    return captured.out, captured.err


def _parsed(err: str) -> str:
    return next(line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("  files parsed: "))


@pytest.fixture
def few_files_use_workers(monkeypatch):
    """Workers for any number of files, so a tree of a few files goes through them."""
    monkeypatch.setattr(parsing, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(parsing, "CHUNK_FILES", 2)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("PRC_CACHE_DIR", str(directory))
    return directory


BROKEN_DOCKERFILES = {
    "good": "FROM alpine:3.19\nUSER 1000\nCMD [\"app\"]\n",
    "unknown-instruction": "FROM alpine:3.19\nBOGUS thing\nCMD [\"app\"]\n",
    "empty": "",
    "comments-only": "# nothing to build\n",
    "unterminated-heredoc": "FROM alpine:3.19\nRUN <<EOF\necho hi\n",
}


def test_a_dockerfile_error_survives_a_pickle_round_trip():
    """ParsedDockerfile.errors holds DockerfileError exceptions; an exception pickles as cls(*args), which lost the
    line and did not load at all."""
    for text in BROKEN_DOCKERFILES.values():
        parsed = parse_dockerfile(text)
        again = pickle.loads(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        assert [(e.message, e.line) for e in again.errors] == [(e.message, e.line) for e in parsed.errors]


def test_broken_dockerfiles_give_the_serial_report_in_workers_and_from_the_cache(capsys, tmp_path, cache_dir,
                                                                                 few_files_use_workers):
    """A Dockerfile with a problem (or an empty one) crashed a scan with workers (`TypeError:
    DockerfileError.__init__() missing 1 required positional argument: 'line'`) and was never served from the
    cache."""
    for name, text in BROKEN_DOCKERFILES.items():
        (tmp_path / "tree" / name).mkdir(parents=True)
        (tmp_path / "tree" / name / "Dockerfile").write_text(text)
    tree = tmp_path / "tree"
    serial, _ = _report(capsys, tree, "--jobs", "1", "--no-cache")
    assert '"check_id": "PRC-INPUT"' in serial
    in_workers, err = _report(capsys, tree, "--jobs", "2")
    assert in_workers == serial and "in workers" in _parsed(err)
    from_cache, err = _report(capsys, tree, "--jobs", "1")
    assert from_cache == serial and _parsed(err) == f"{len(BROKEN_DOCKERFILES)} cached"
    from_cache_in_workers, err = _report(capsys, tree, "--jobs", "2")
    assert from_cache_in_workers == serial and _parsed(err) == f"{len(BROKEN_DOCKERFILES)} cached"


# Parsed without trouble, but nested deeper than pickle can recurse: a worker cannot send it back.
LONG_SUM = "locals {\n  total = " + " + ".join(["1"] * 1500) + "\n}\n\n" + textwrap.dedent("""\
    resource "aws_instance" "web" {
      ami        = "ami-123"
      monitoring = local.total > 3
    }
    """)


def test_a_product_a_worker_cannot_pickle_is_parsed_in_the_main_process(capsys, tmp_path, cache_dir,
                                                                        few_files_use_workers):
    (tmp_path / "tree" / "infra").mkdir(parents=True)
    (tmp_path / "tree" / "infra" / "main.tf").write_text(LONG_SUM)
    (tmp_path / "tree" / "infra" / "other.tf").write_text('variable "x" {\n  default = 1\n}\n')
    tree = tmp_path / "tree"
    serial, _ = _report(capsys, tree, "--jobs", "1", "--no-cache")
    assert "nested too deeply to evaluate" in serial
    assert _report(capsys, tree, "--jobs", "2", "--no-cache")[0] == serial  # was: RecursionError from the worker
    assert _report(capsys, tree, "--jobs", "2")[0] == serial
    assert _report(capsys, tree, "--jobs", "2")[0] == serial


def _die(*args):
    """In a worker: what the out-of-memory killer does to it."""
    os._exit(1)


def _yaml_tree(root: Path, count: int) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = root / f"cm-{i:03}.yaml"
        path.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  n: \"{i}\"\n")
        paths.append(path)
    return paths


@needs_fork
def test_a_worker_that_dies_leaves_the_main_process_to_parse_and_the_report_unchanged(capsys, tmp_path, monkeypatch,
                                                                                     few_files_use_workers):
    """A killed worker breaks the whole pool (BrokenProcessPool from every future): the scan used to fail."""
    _yaml_tree(tmp_path / "tree", 12)
    serial, _ = _report(capsys, tmp_path / "tree", "--jobs", "1", "--no-cache")
    # fork: the workers see the patched function
    monkeypatch.setattr(parsing, "_start_method", lambda: "fork", raising=False)
    monkeypatch.setattr(parsing, "_read_and_parse", _die)
    out, err = _report(capsys, tmp_path / "tree", "--jobs", "2", "--no-cache")
    assert out == serial
    assert "in workers" not in _parsed(err)


def _signal_handler(*args):
    return signal.getsignal(signal.SIGINT)


def test_workers_leave_ctrl_c_to_the_main_process():
    """Ctrl-C signals the whole process group; a worker interrupted while writing its answer broke the pool, and the
    main process then waited for it at exit, for ever (seen about once in ten interrupted scans)."""
    parser = Parser(2)
    try:
        parser._get_pool()
        assert parser._pool.submit(_signal_handler).result() == signal.SIG_IGN
    finally:
        parser.close()


def test_closing_cancels_the_chunks_an_interrupted_source_had_taken_over(tmp_path):
    """parse_iter takes a parser's prefetched chunks over; a source that stops early (Ctrl-C, an error) left them
    running, and close() waited for every file to be parsed."""
    paths = _yaml_tree(tmp_path, 600)
    parser = Parser(2)
    parser.prefetch("yaml", [str(p) for p in paths], 1 << 20)
    chunks = list(parser._prefetched["yaml"])
    products = parser.parse_iter("yaml", [p.read_text() for p in paths])
    next(products)  # the source took the first product, then stopped
    parser.close()
    assert any(chunk.cancelled() for chunk in chunks)


def test_fork_is_not_used_on_macos(monkeypatch):
    """macOS system libraries make fork without exec unsafe (Python's default there is spawn); docs/performance.md
    says fork on Linux."""
    monkeypatch.setattr(sys, "platform", "darwin")
    assert parsing._start_method() != "fork"


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_started_without_fork_parse_and_use_the_cache(tmp_path, monkeypatch, method):
    """What runs on macOS and Windows (and on Linux when prc runs threads): everything the workers are given, the
    cache with its key included, crosses to them by pickle."""
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setattr(parsing, "_start_method", lambda: method)
    paths = _yaml_tree(tmp_path / "files", parsing.POOL_MIN_FILES)
    texts = [p.read_text() for p in paths]
    cache = ParseCache.open(tmp_path / "cache")
    parser = Parser(2, cache)
    try:
        parser.prefetch("yaml", [str(p) for p in paths], 1 << 20)
        products = list(parser.parse_iter("yaml", texts))
    finally:
        parser.close()
    assert parser.counts == {"cached": 0, "parsed": len(paths), "in workers": len(paths)}
    assert [p.documents[0].data["metadata"]["name"] for p in products] == [f"cm-{i}" for i in range(len(paths))]
    again = Parser(1, cache)
    again.parse("yaml", texts)
    assert again.counts["cached"] == len(paths)  # the workers wrote verified entries


@needs_fork
def test_the_main_process_killed_outright_takes_its_idle_workers_with_it(tmp_path):
    """kill -9 or the out-of-memory killer never let the main process shut the pool down: its workers waited for
    work for ever."""
    pids = tmp_path / "workers"
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO)!r})
        from prc.parsing import Parser
        parser = Parser(2)
        pool = parser._get_pool()
        pool.submit(os.getpid).result()
        with open({str(pids)!r}, "w") as out:
            out.write(" ".join(map(str, pool._processes)))
        os.kill(os.getpid(), 9)
    """)
    # Not captured: an orphaned worker would hold the pipe open and the run would never end.
    subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                   timeout=60)
    workers = [int(pid) for pid in pids.read_text().split()]
    assert workers
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in workers if _running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


class _Node:
    pass


def test_a_load_never_released_does_not_keep_its_cycles_frozen_for_good():
    """`prc services` loads through scan.model_services, which freezes the heap (prc.memory.long_lived) and is
    never followed by scan()'s release(): every such call in one process kept its garbage cycles in the permanent
    generation, where no collection looks."""
    memory.release()
    gc.collect()
    with memory.long_lived():
        node = _Node()
        node.self = node  # a cycle: only the cyclic collector frees it
    gone = weakref.ref(node)
    del node
    try:
        with memory.long_lived():  # the next load, no release() in between
            pass
        assert gone() is None
    finally:
        memory.release()


def test_prc_services_run_again_and_again_in_one_process_does_not_grow_the_frozen_heap(capsys):
    memory.release()
    gc.collect()
    counts = []
    for _ in range(3):
        assert main(["services", str(REPO / "sample_services"), "--jobs", "1", "--no-cache"]) == 0
        counts.append(gc.get_freeze_count())
    capsys.readouterr()
    memory.release()
    assert counts[2] <= counts[1] <= counts[0] + 100, counts


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_directories_of_entries_are_private_whatever_the_umask(tmp_path):
    """With umask 002 (the default of user-private-group distributions) `parse/` and `parse/xx/` came out group
    writable, unlike the cache directory and its key."""
    old = os.umask(0o002)
    try:
        cache = ParseCache.open(tmp_path / "cache")
        cache.put(ParseCache.key("yaml", "v", "a: 1\n"), {"a": 1})
    finally:
        os.umask(old)
    made = [tmp_path / "cache", *(p for p in (tmp_path / "cache").rglob("*") if p.is_dir())]
    assert len(made) == 3
    assert all(p.stat().st_mode & 0o077 == 0 for p in made), [oct(p.stat().st_mode) for p in made]


def test_an_edit_to_a_parser_module_changes_its_version(tmp_path, monkeypatch):
    """The version is a digest of the parser modules' source: an edit there must miss every old entry. (The
    existing test only checks that the digest is stable.)"""
    import importlib
    import types

    source = tmp_path / "yamlsrc.py"
    source.write_text("VERSION = 1\n")
    fake = types.ModuleType("prc.yamlsrc")
    fake.__file__ = str(source)
    real_import = importlib.import_module
    monkeypatch.setattr(parsing.importlib, "import_module",
                        lambda name: fake if name == "prc.yamlsrc" else real_import(name))
    monkeypatch.setattr(parsing, "_versions", {})
    before = parsing.parser_version("yaml")
    source.write_text("VERSION = 2\n")
    parsing._versions.clear()
    assert parsing.parser_version("yaml") != before
