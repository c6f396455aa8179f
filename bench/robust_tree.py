#!/usr/bin/env python3
"""A monorepo with the faults large trees have, scanned in-process: every readable file must be scanned.

    python3 bench/robust_tree.py --files 10000 [--seed 0] [--out DIR]

Writes gen_monorepo.py's tree of --files files, then adds:

- a deep directory (64 levels) holding a manifest, a Dockerfile and a .tf file;
- symlink loops (a directory linking to its grandparent, the deep directory linking to the top);
- a dangling symlink and a FIFO named like a manifest (opening a FIFO would block);
- unreadable files, one of each kind (simulated: PermissionError at open(), since root reads anything);
- files that vanish after discovery and before loading, one of each kind.

It then runs prc's scan in this process (the faults that need it are injected by patching prc.discovery.open
and prc.scan.discover) and verifies: the scan finishes; every regular, readable file some source reads was read
by its source exactly once; each unreadable or vanished file is an ERROR result (PRC-INPUT) naming it; the FIFO,
the dangling link and the loops are skipped with a reason. tests/test_robustness.py runs the same on a small
tree; this script is the 10,000-file variant. It prints the time the scan took and exits 1 on a violation.
Run it with the repository's virtualenv: `.venv/bin/python bench/robust_tree.py --files 10000`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_monorepo  # noqa: E402

DEPTH = 64


@dataclass
class Faults:
    unreadable: list[str] = field(default_factory=list)
    vanishing: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    not_regular: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def build(root: Path, n_files: int, seed: int = 0) -> Faults:
    """The tree under root (which must be empty or absent) and the faults it was given."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir()  # a repository top: no .prc.yaml above it is picked up
    files = gen_monorepo.generate(n_files, seed)
    for rel, text in files:
        _write(root, rel, text)
    texts = dict(files)
    manifest = next(rel for rel in texts if rel.endswith("/k8s/deployment.yaml"))
    deep = "/".join(f"d{i:02d}" for i in range(DEPTH))
    for rel, name in ((manifest, "deployment.yaml"), ("services/svc-0000/Dockerfile", "Dockerfile"),
                      ("modules/app_asg/main.tf", "main.tf")):
        _write(root, f"deep/{deep}/{name}", texts[rel])
    faults = Faults()
    os.symlink("../..", root / "services/svc-0000/k8s/loop")  # -> services/, a directory being walked
    os.symlink(os.path.relpath(root, root / "deep" / deep), root / "deep" / deep / "top")  # -> the top
    faults.loops = ["services", "."]
    os.symlink("missing.yaml", root / "services/svc-0000/k8s/dangling.yaml")
    faults.dangling = ["services/svc-0000/k8s/dangling.yaml"]
    os.mkfifo(root / "services/svc-0000/k8s/pipe.yaml")
    faults.not_regular = ["services/svc-0000/k8s/pipe.yaml"]
    # One of each kind unreadable, another of each kind vanishing; from different services.
    by_kind: dict[str, list[str]] = {}
    for rel in texts:
        kind = "yaml" if rel.endswith(".yaml") else "tf" if rel.endswith(".tf") else \
            "dockerfile" if rel.endswith("Dockerfile") else None
        if kind and not rel.startswith(("services/svc-0000/", "modules/")):
            by_kind.setdefault(kind, []).append(rel)
    for kind, rels in sorted(by_kind.items()):
        faults.unreadable.append(rels[len(rels) // 3])
        faults.vanishing.append(rels[2 * len(rels) // 3])
    return faults


@contextmanager
def injected(root: Path, faults: Faults):
    """Unreadable files raise PermissionError when opened; vanishing files are deleted right after discovery."""
    import prc.discovery
    import prc.scan

    unreadable = {str(root / rel) for rel in faults.unreadable}
    real_open, real_discover = open, prc.discovery.discover

    def deny(path, *args, **kwargs):
        if str(path) in unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        for rel in faults.vanishing:
            (root / rel).unlink()
        return found

    with mock.patch.object(prc.discovery, "open", deny, create=True), \
            mock.patch.object(prc.scan, "discover", discover_then_delete):
        yield


def expected_reads(root: Path, faults: Faults) -> set[str]:
    """Display paths of the regular files some source reads, minus the faulty ones (a walk not following links)."""
    from prc.discovery import DEFAULT_EXCLUDES, classify

    found = set()
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in DEFAULT_EXCLUDES]
        for name in names:
            path = Path(directory) / name
            if classify(name) is not None and path.is_file() and not path.is_symlink():
                found.add(path.relative_to(root).as_posix())
    return found - set(faults.unreadable) - set(faults.vanishing) - set(faults.not_regular)


def verify(root: Path, faults: Faults, today=None) -> tuple[list[str], float, object]:
    """Scan root with the faults injected; (violations, seconds, report)."""
    import datetime as dt

    import prc.sources
    from prc.config import Config
    from prc.model import Status
    from prc.registry import load_registry
    from prc.scan import ScanInput, scan

    expected = expected_reads(root, faults)
    read: list[str] = []
    real_read_text = prc.sources.read_text

    def spy(path, *args, **kwargs):
        text = real_read_text(path, *args, **kwargs)
        read.append(Path(path).relative_to(root).as_posix())
        return text

    registry = load_registry()
    with injected(root, faults), mock.patch.object(prc.sources, "read_text", spy):
        start = time.perf_counter()
        report = scan(ScanInput((root,), root), Config(), registry, today or dt.date(2026, 11, 23))
        seconds = time.perf_counter() - start
    problems = []
    if sorted(read) != sorted(set(read)):
        problems.append(f"files read more than once: {sorted({r for r in read if read.count(r) > 1})[:10]}")
    if set(read) != expected:
        problems.append(f"readable files not read: {sorted(expected - set(read))[:10]}; "
                        f"read but not expected: {sorted(set(read) - expected)[:10]}")
    errors = {r.location.file: r.message for r in report.results
              if r.status is Status.ERROR and r.check.id == "PRC-INPUT"}
    for rel in faults.unreadable:
        if errors.get(rel) != "cannot read file: Permission denied":
            problems.append(f"unreadable {rel}: {errors.get(rel)!r}")
    for rel in faults.vanishing:
        if errors.get(rel) != "cannot read file: No such file or directory":
            problems.append(f"vanished {rel}: {errors.get(rel)!r}")
    crashed = [r.message for r in report.results if r.status is Status.ERROR and " crashed: " in r.message]
    if crashed:
        problems.append(f"checks crashed: {crashed[:5]}")
    skipped = {s.path: s.reason for s in report.skipped}
    for rel in faults.not_regular:
        if skipped.get(rel) != "not a regular file":
            problems.append(f"FIFO {rel}: {skipped.get(rel)!r}")
    for rel in faults.dangling:
        if skipped.get(rel) != "broken symlink":
            problems.append(f"dangling link {rel}: {skipped.get(rel)!r}")
    loops = {path for path, reason in skipped.items() if reason.startswith("symlink loop")}
    if len(loops) < len(faults.loops):
        problems.append(f"symlink loops reported: {sorted(loops)}, expected {len(faults.loops)}")
    if report.files_scanned != len(expected) + len(faults.unreadable) + len(faults.vanishing):
        problems.append(f"files_scanned {report.files_scanned}, expected "
                        f"{len(expected) + len(faults.unreadable) + len(faults.vanishing)}")
    return problems, seconds, report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="directory to build the tree in (default: a temporary one, removed after)")
    args = ap.parse_args(argv)
    root = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="prc-robust-")) / "tree"
    if root.exists() and any(root.iterdir()):
        ap.error(f"{root} exists and is not empty")
    try:
        faults = build(root, args.files, args.seed)
        problems, seconds, report = verify(root, faults)
    finally:
        if not args.out:
            shutil.rmtree(root.parent, ignore_errors=True)
    print(f"{args.files} generated files + faults: scanned {report.files_scanned} files, "
          f"{len(report.results)} results, {len(report.skipped)} skipped, in {seconds:.2f} s (in-process scan)")
    for problem in problems:
        print("VIOLATION:", problem)
    print("ok: every readable file was scanned" if not problems else f"{len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
