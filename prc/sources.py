"""The inputs a scan reads: each source loads the files of its kinds into typed targets.

A source is a function `load(files, ctx) -> Loaded` registered under the
file kinds it reads (see discovery.classify). Sources parse and link; they
never judge. Everything they produce crosses into the engine as targets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .config import Config
from .discovery import FileReadError, FoundFile, Problem, Skipped, read_text
from .timings import phase
from .yamlsrc import Ignore

if TYPE_CHECKING:
    from .parsing import Parser


@dataclass(frozen=True)
class LoadContext:
    root: Path
    max_file_bytes: int
    config: Config
    stdin_text: str | None = None  # manifests piped to `prc scan -`
    # The scan's date, for what expires in documents (an SLO's next review); None when no date applies.
    today: dt.date | None = None
    # How per-file parsing runs (worker processes, the parse cache); None: here, uncached.
    parser: "Parser | None" = None

    def parse(self, name: str, texts: list[str]) -> list[object]:
        """What parser `name` (prc.parsing.PARSERS) makes of each text, in order."""
        return list(self.parse_iter(name, texts))

    def parse_iter(self, name: str, texts: list[str]) -> Iterator[object]:
        """The same, each product as soon as it is ready (parsing may still be going on in worker processes)."""
        from .parsing import serial

        return (self.parser or serial()).parse_iter(name, texts)


@dataclass
class Loaded:
    """What one source made of its files."""

    # Objects that own results: their annotations and header lines can suppress them.
    owners: list = field(default_factory=list)
    # What checks run on: owners and their parts (containers, statements...).
    targets: list = field(default_factory=list)
    ignores: dict[str, list[Ignore]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0

    def extend(self, other: "Loaded") -> None:
        self.owners += other.owners
        self.targets += other.targets
        self.ignores.update(other.ignores)
        self.problems += other.problems
        self.skipped += other.skipped
        self.files += other.files


def read_each(files: list[FoundFile], ctx: LoadContext, loaded: Loaded) -> Iterator[tuple[FoundFile, str]]:
    """The text of each file; a file that cannot be read becomes a problem and the rest go on."""
    for found in files:
        loaded.files += 1
        try:
            yield found, read_text(found.path, ctx.max_file_bytes)
        except FileReadError as exc:
            loaded.problems.append(Problem(found.display, exc.line, exc.message))


Loader = Callable[[list[FoundFile], LoadContext], Loaded]


def _sources() -> list[tuple[str, frozenset[str], Loader]]:
    """(name shown by `prc scan --timings`, file kinds, loader) of each source."""
    from .loaders import dockerfile, k8s, terraform

    return [
        ("kubernetes", frozenset({"yaml"}), k8s.load),
        ("dockerfile", frozenset({"dockerfile"}), dockerfile.load),
        ("terraform", frozenset({"terraform", "tfvars", "tfplan", "json"}), terraform.load),
    ]


# What parser (prc.parsing.PARSERS) reads the files of a kind; .tf.json files are read as JSON, not HCL.
_PARSER_OF_KIND = {"yaml": "yaml", "dockerfile": "dockerfile", "terraform": "hcl"}


def _prefetch(files: list[FoundFile], ctx: LoadContext) -> None:
    """Let worker processes start on every file now, in the order the sources will ask (see Parser.prefetch)."""
    if ctx.parser is None:
        return
    for kind, name in _PARSER_OF_KIND.items():
        paths = [str(f.path) for f in files if f.kind == kind and not f.display.lower().endswith(".json")]
        ctx.parser.prefetch(name, paths, ctx.max_file_bytes)


def load_all(files: list[FoundFile], ctx: LoadContext) -> Loaded:
    """Every source over the files of its kinds, in a fixed order."""
    _prefetch(files, ctx)
    total = Loaded()
    claimed: set[str] = set()
    for name, kinds, load in _sources():
        mine = [f for f in files if f.kind in kinds]
        claimed |= {f.display for f in mine}
        if mine or (ctx.stdin_text is not None and "yaml" in kinds):
            with phase(f"parse {name}", len(mine)):
                total.extend(load(mine, ctx))
    for f in files:
        if f.display not in claimed and f.explicit:
            total.skipped.append(Skipped(f.display, f"no source reads {f.kind} files like this one"))
    return total
