"""`--jobs` and the parse cache: the report is byte for byte the one a serial, uncached scan writes, and the
cache is an optimisation that can never be trusted into a wrong answer (or into running code).

The tree is bench/gen_monorepo.py's at 240 files: every source, enough files of each kind to use worker
processes (prc.parsing.POOL_MIN_FILES)."""

from __future__ import annotations

import importlib.util
import os
import pickle
import stat
import sys
from pathlib import Path

import pytest

from prc import parse_cache, parsing
from prc.cli import main
from prc.parse_cache import MAGIC, ParseCache
from prc.parsing import Failure, Parser

from .conftest import REPO, TODAY

FILES = 240


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    bench = str(REPO / "bench")
    sys.path.insert(0, bench)
    try:
        spec = importlib.util.spec_from_file_location("gen_monorepo", REPO / "bench" / "gen_monorepo.py")
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
    finally:
        sys.path.remove(bench)
    root = tmp_path_factory.mktemp("monorepo")
    for relative, text in gen.generate(FILES, 0):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _scan(capsys, tree: Path, *args: str, fmt: str = "json") -> tuple[str, str]:
    capsys.readouterr()
    code = main(["scan", str(tree), "--format", fmt, "--today", TODAY.isoformat(), "--timings", *args])
    captured = capsys.readouterr()
    assert code == 1, captured.err  # the generated tree has services that are not ready
    return captured.out, captured.err


def _parsed_note(err: str) -> str:
    return next(line.split(": ", 1)[1] for line in err.splitlines() if line.startswith("  files parsed: "))


def _how_parsed(err: str) -> dict[str, int]:
    """{"cached": n, "parsed": n, "in workers": n} from the --timings note (absent ones are 0)."""
    counts = {"cached": 0, "parsed": 0, "in workers": 0}
    for part in _parsed_note(err).split(", "):
        number, how = part.split(" ", 1)
        counts[how] = int(number)
    return counts


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("PRC_CACHE_DIR", str(directory))
    return directory


@pytest.fixture(scope="module")
def serial_reports(tree, tmp_path_factory) -> dict[str, str]:
    """JSON and SARIF of a serial scan that neither reads nor writes a cache: the reference."""
    out = tmp_path_factory.mktemp("serial")
    assert main(["scan", str(tree), "--jobs", "1", "--no-cache", "--today", TODAY.isoformat(), "--format", "json",
                 "--output", f"json={out / 'r.json'}", "--output", f"sarif={out / 'r.sarif'}"]) == 1
    return {"json": (out / "r.json").read_text(), "sarif": (out / "r.sarif").read_text()}


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_parsing_in_worker_processes_gives_the_serial_report_byte_for_byte(capsys, tree, serial_reports, fmt):
    out, err = _scan(capsys, tree, "--jobs", "2", "--no-cache", fmt=fmt)
    assert out == serial_reports[fmt]
    parsed = _parsed_note(err)
    assert "in workers" in parsed and "cached" not in parsed  # the pool really ran


def test_a_second_scan_reads_every_file_from_the_cache_and_reports_the_same(capsys, tree, serial_reports, cache_dir):
    first, err = _scan(capsys, tree, "--jobs", "1")
    assert "cached" not in _parsed_note(err)
    second, err = _scan(capsys, tree, "--jobs", "2")
    assert first == second == serial_reports["json"]
    note = _parsed_note(err)
    assert note.endswith(" cached") and " parsed" not in note  # nothing parsed again, nothing in workers
    assert any((cache_dir / "parse").rglob("*"))


def test_no_cache_neither_reads_nor_writes_the_cache(capsys, tree, cache_dir):
    _scan(capsys, tree, "--jobs", "1", "--no-cache")
    assert not cache_dir.exists()


def test_an_edited_file_is_parsed_again_and_only_it(capsys, tree, cache_dir, tmp_path):
    import shutil

    copy = tmp_path / "tree"
    shutil.copytree(tree, copy)
    _, err = _scan(capsys, copy, "--jobs", "1")
    total = int(_parsed_note(err).removesuffix(" parsed"))
    deployment = next(copy.glob("services/svc-0000/k8s/*.yaml"))
    deployment.write_text(deployment.read_text() + "\n# edited\n")
    _, err = _scan(capsys, copy, "--jobs", "1")
    assert _parsed_note(err) == f"{total - 1} cached, 1 parsed"


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in (cache_dir / "parse").rglob("*") if p.is_file() and not p.name.startswith("."))


def test_a_corrupt_entry_is_ignored_and_rebuilt(capsys, tree, serial_reports, cache_dir):
    _, err = _scan(capsys, tree, "--jobs", "1")
    total = _how_parsed(err)["parsed"]
    entries = _entries(cache_dir)
    damaged = {entries[0]: entries[0].read_bytes()[:-7],  # truncated
               entries[1]: bytes(b ^ 0xFF if i == len(MAGIC) + 40 else b
                                 for i, b in enumerate(entries[1].read_bytes())),  # one byte flipped
               entries[2]: b""}
    for path, data in damaged.items():
        path.write_bytes(data)
    out, err = _scan(capsys, tree, "--jobs", "1")
    assert out == serial_reports["json"]
    counts = _how_parsed(err)
    # Two files with the same text share an entry, so a damaged entry may be parsed again more than once.
    assert counts["parsed"] >= 3 and counts["cached"] + counts["parsed"] == total
    for path, data in damaged.items():  # rebuilt, valid again
        assert path.read_bytes() != data
    _, err = _scan(capsys, tree, "--jobs", "1")
    assert _how_parsed(err)["parsed"] == 0


class _Planted:
    """Unpickling this runs a shell command: what a hostile cache entry would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_an_entry_prc_did_not_write_is_never_unpickled(capsys, tree, serial_reports, cache_dir, tmp_path):
    """A foreign entry (another machine's, another user's, an attacker's) fails its MAC and is rebuilt: its
    pickle never runs."""
    _, err = _scan(capsys, tree, "--jobs", "1")
    total = _how_parsed(err)["parsed"]
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(marker))
    entries = _entries(cache_dir)
    # MAC'd with another key, as a copied cache would be; and one with no MAC at all.
    foreign = ParseCache(cache_dir, b"k" * parse_cache.KEY_BYTES)
    entries[0].write_bytes(MAGIC + foreign._mac(entries[0].parent.name + entries[0].name, payload) + payload)
    entries[1].write_bytes(payload)
    out, err = _scan(capsys, tree, "--jobs", "1")
    assert not marker.exists()
    assert out == serial_reports["json"]
    counts = _how_parsed(err)
    assert counts["parsed"] >= 2 and counts["cached"] + counts["parsed"] == total


def test_a_weak_key_file_is_replaced_and_old_entries_stop_verifying(capsys, tree, cache_dir):
    _scan(capsys, tree, "--jobs", "1")
    key = cache_dir / "key"
    old = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(old) == parse_cache.KEY_BYTES
    key.chmod(0o644)  # readable by others: no longer a secret
    _, err = _scan(capsys, tree, "--jobs", "1")
    assert key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "cached" not in _parsed_note(err)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_cache_directory_others_can_write_is_not_used(capsys, tree, serial_reports, cache_dir):
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)
    out, err = _scan(capsys, tree, "--jobs", "1")
    assert out == serial_reports["json"]
    assert "cached" not in _parsed_note(err) and not (cache_dir / "key").exists()


def test_an_unwritable_cache_location_means_parsing_not_failing(capsys, tree, serial_reports, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PRC_CACHE_DIR", str(blocker / "cache"))
    out, _ = _scan(capsys, tree, "--jobs", "1")
    assert out == serial_reports["json"]


def test_a_changed_parser_misses_every_entry(tmp_path, monkeypatch):
    cache = ParseCache.open(tmp_path)
    Parser(1, cache).parse("yaml", ["a: 1\n", "b: [\n"])
    again = Parser(1, cache)
    assert [type(p).__name__ for p in again.parse("yaml", ["a: 1\n", "b: [\n"])] == ["YamlFile", "Failure"]
    assert again.counts == {"cached": 2, "parsed": 0, "in workers": 0}
    monkeypatch.setitem(parsing._versions, "yaml", "another parser")
    changed = Parser(1, cache)
    changed.parse("yaml", ["a: 1\n"])
    assert changed.counts["cached"] == 0


def test_the_parser_version_follows_the_parser_code():
    """Computed from the modules' source, not a number somebody must remember to bump."""
    assert parsing.parser_version("yaml") != parsing.parser_version("hcl")
    digest = parsing.parser_version("hcl")
    parsing._versions.pop("hcl")
    assert parsing.parser_version("hcl") == digest


def test_products_keep_the_order_of_the_texts_whatever_mix_of_hits_misses_and_failures(tmp_path):
    texts = [f"n: {i}\n" if i % 3 else "x: [unclosed\n" for i in range(150)]
    cache = ParseCache.open(tmp_path)
    Parser(1, cache).parse("yaml", texts[::2])  # every other text cached
    parser = Parser(2, cache)
    products = parser.parse("yaml", texts)
    parser.close()
    assert parser.counts["in workers"] == sum(text not in texts[::2] for text in texts) >= parsing.POOL_MIN_FILES
    for i, product in enumerate(products):
        if i % 3:
            assert product.documents[0].data == {"n": i}
        else:
            assert isinstance(product, Failure) and product.line == 2  # where the parser gave up


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", ".", "--jobs", "0"])
    assert exit_info.value.code == 2
    assert "expected a number of processes, 1 or more, got '0'" in capsys.readouterr().err


def test_a_file_changed_after_the_workers_read_it_is_parsed_again_from_the_text_the_source_read(tmp_path):
    """Workers read files ahead of the sources; a product is used only for the very text the source holds."""
    paths = []
    for i in range(parsing.POOL_MIN_FILES + 2):
        path = tmp_path / f"f{i:03}.yaml"
        path.write_text("same: text\n" if i < 3 else f"n: {i}\n")  # three files share one text
        paths.append(path)
    parser = Parser(2)
    try:
        parser.prefetch("yaml", [str(p) for p in paths], 1 << 20)
        paths[5].write_text("n: changed\n")  # after the workers were given it (they may have read it already)
        products = list(parser.parse_iter("yaml", [p.read_text() for p in paths]))
    finally:
        parser.close()
    assert [p.documents[0].data for p in products[:3]] == [{"same": "text"}] * 3
    assert products[5].documents[0].data == {"n": "changed"}
    assert [p.documents[0].data for p in products[6:]] == [{"n": i} for i in range(6, len(paths))]
    assert parser.counts["parsed"] == len(paths)  # none served twice, none lost
    assert parser.counts["in workers"] >= len(paths) - 1
