"""Find the files a scan reads, and read them without ever writing to the tree."""

from __future__ import annotations

import fnmatch
import os
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Directories no user means to lint: VCS metadata, dependency caches.
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "venv", "__pycache__", ".tox")

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
CONFIG_FILE_NAMES = (".prc.yaml", ".prc.yml")


def classify(name: str) -> str | None:
    """The kind of input a file name says it is, or None for a file no source reads."""
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return None if name in CONFIG_FILE_NAMES else "yaml"
    if lower.endswith(".dockerignore"):
        return None  # BuildKit's per-Dockerfile ignore file (Dockerfile.dockerignore), read beside its Dockerfile
    if lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile.")) \
            or lower.endswith((".dockerfile", ".containerfile")):
        return "dockerfile"
    if lower.endswith((".tf", ".tf.json")):
        return "terraform"
    if lower.endswith((".tfvars", ".tfvars.json")):
        return "tfvars"
    if lower.endswith(".tfplan.json"):
        return "tfplan"
    return None


@dataclass(frozen=True)
class FoundFile:
    path: Path  # on disk
    display: str  # relative to the scan root, POSIX separators
    kind: str = "yaml"  # what classify() says; a file named on the command line is sniffed when its name is silent
    explicit: bool = False  # named on the command line rather than found in a directory


@dataclass(frozen=True)
class Skipped:
    """A path the scan passed over, with the reason shown to the user."""

    path: str
    reason: str


@dataclass(frozen=True)
class Problem:
    """Input the scan could not read as the user meant it: shown with file and line, scored as ERROR."""

    file: str
    line: int
    message: str


class FileReadError(Exception):
    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


def _pattern_forms(pattern: str) -> set[str]:
    """As in .gitignore, `**/` also matches no directory at all and `dir/**` also names `dir` itself."""
    pattern = pattern.rstrip("/")
    forms = {pattern, pattern.replace("**/", "")}
    forms |= {form[:-3] for form in forms if form.endswith("/**") and len(form) > 3}
    return forms


def is_excluded(display: str, patterns: tuple[str, ...] | list[str]) -> bool:
    path = PurePosixPath(display)
    for raw in patterns:
        for pattern in _pattern_forms(raw):
            if fnmatch.fnmatchcase(display, pattern) or fnmatch.fnmatchcase(path.name, pattern):
                return True
            # A pattern naming a directory excludes everything below it.
            if any(fnmatch.fnmatchcase(str(parent), pattern) for parent in path.parents if str(parent) != "."):
                return True
    return False


def discover(paths: list[Path], root: Path, excludes: list[str],
             inventory: set[str] | None = None) -> tuple[list[FoundFile], list[Skipped]]:
    """Files some source reads under the given paths, sorted, with symlink loops and unreadable directories
    reported. A file named on the command line is kept whatever its name (a plan as `plan.json`).

    `inventory`, when given, receives the path of every file the walk passes that is not excluded, whatever
    its kind: repository-level checks (a runbook, a Dependabot configuration) ask whether a file exists."""
    found: dict[str, FoundFile] = {}
    skipped: list[Skipped] = []
    patterns = list(excludes)
    for start in paths:
        # A path named on the command line is read even when it is not a regular
        # file, so read_text can say why it is refused (a FIFO, a device).
        if start.exists() and not start.is_dir():
            display = _display(start, root)
            if inventory is not None:
                inventory.add(display)
            kind = classify(start.name) or _sniff(start)
            found.setdefault(display, FoundFile(start, display, kind, explicit=True))
            continue
        if not start.exists():
            skipped.append(Skipped(str(start), "no such file or directory"))
            continue
        _walk(start, root, patterns, found, skipped, inventory)
    return sorted(found.values(), key=lambda f: f.display), sorted(skipped, key=lambda s: (s.path, s.reason))


def found_dirs(paths, root: Path) -> list[FoundFile]:
    """The directories among the scanned paths, as FoundFiles (their display paths relative to the root)."""
    return [FoundFile(p, _display(p, root), "directory", explicit=True) for p in paths if p.is_dir() and p != root]


def _sniff(path: Path) -> str:
    """The kind of a file named on the command line whose name says nothing: a `terraform show -json` plan
    saved under another name, else YAML (which includes JSON manifests)."""
    if path.name.lower().endswith(".json") and path.is_file():
        try:
            with open(path, "rb") as handle:
                head = handle.read(65536)
        except OSError:
            return "yaml"  # read_text reports why
        if b'"terraform_version"' in head or b'"planned_values"' in head:
            return "tfplan"
    return "yaml"


def _walk(start: Path, root: Path, patterns: list[str], found: dict, skipped: list[Skipped],
          inventory: set[str] | None = None) -> None:
    seen_dirs: set[tuple[int, int]] = set()
    stack = [start]
    while stack:
        directory = stack.pop()
        try:
            stat = directory.stat()
        except OSError as exc:
            skipped.append(Skipped(_display(directory, root), f"cannot read directory: {exc.strerror}"))
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            skipped.append(Skipped(_display(directory, root), "symlink loop: directory already scanned"))
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(_display(directory, root), f"cannot read directory: {exc.strerror}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            display = _display(path, root)
            if entry.name in DEFAULT_EXCLUDES or is_excluded(display, patterns):
                continue
            try:
                is_dir = entry.is_dir()  # follows symlinks; loops are caught by inode above
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(path)
                continue
            if inventory is not None:
                inventory.add(display)
            if (kind := classify(entry.name)) is not None:
                if entry.is_symlink() and not path.exists():
                    skipped.append(Skipped(display, "broken symlink"))
                    continue
                try:
                    regular = entry.is_file()
                except OSError:
                    regular = True  # let read_text report why it cannot be read
                if not regular:
                    # Opening a FIFO would block the scan; a device may never end.
                    skipped.append(Skipped(display, "not a regular file"))
                    continue
                found.setdefault(display, FoundFile(path, display, kind))


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() if path != root else path.name
    except ValueError:
        return path.as_posix()


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """A file's text, or FileReadError saying why it cannot be scanned. Opens read-only; never writes."""
    try:
        info = path.stat()
    except OSError as exc:
        raise FileReadError(f"cannot read file: {exc.strerror}") from None
    if not stat_module.S_ISREG(info.st_mode):
        raise FileReadError("not a regular file (a FIFO, socket or device); pipe its content to `prc scan -` instead")
    size = info.st_size
    if size > max_bytes:
        raise FileReadError(
            f"file is {size / 1048576:.1f} MiB, above the {max_bytes / 1048576:.0f} MiB limit; "
            "raise --max-file-size to scan it"
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileReadError(f"cannot read file: {exc.strerror}") from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise FileReadError(f"file is above the {max_bytes / 1048576:.0f} MiB limit; raise --max-file-size to scan it")
    return decode(data)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileReadError(f"not UTF-8 text: invalid byte 0x{data[exc.start]:02x} at offset {exc.start}", line) from None
