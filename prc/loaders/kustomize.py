"""Kustomize patch files: partial objects that only mean something once `kustomize build` applies them.

A kustomization lists them under `patches[].path`, `patchesStrategicMerge` or
`patchesJson6902[].path`. Read on their own they look like a second, broken
copy of the object they patch, so the scan skips them with a hint instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..discovery import DEFAULT_MAX_FILE_BYTES, FileReadError, FoundFile, read_text
from ..targets import mapping, sequence
from ..yamlsrc import YamlError, parse_yaml

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def patch_paths(text: str) -> list[str]:
    """The patch file paths a kustomization lists, as written (relative to its directory)."""
    try:
        documents = parse_yaml(text).documents
    except YamlError:
        return []  # reported when the file itself is loaded
    if not documents:
        return []
    data = mapping(documents[0].data)
    paths = [mapping(p).get("path") for p in sequence(data.get("patches"))]
    paths += [mapping(p).get("path") for p in sequence(data.get("patchesJson6902"))]
    # patchesStrategicMerge holds file paths or inline patches (YAML text spanning lines).
    paths += list(sequence(data.get("patchesStrategicMerge")))
    return [p for p in paths if isinstance(p, str) and p.strip() and "\n" not in p and "://" not in p]


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _shown(path: str, root: str) -> str:
    return Path(os.path.relpath(path, root)).as_posix() if _inside(path, root) else path


def kustomize_patches(found: list[FoundFile], root: Path,
                      max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> dict[str, str]:
    """Display path -> skip reason for every found file that a kustomization in the scan lists as a patch.

    Kustomizations are the found ones plus those beside any found file; paths are resolved against the
    kustomization's directory, and nothing outside the scan root is read or matched.
    """
    root_path = os.path.normpath(os.path.abspath(root))
    by_path = {os.path.normpath(os.path.abspath(f.path)): f.display for f in found}
    kustomizations = {p for p in by_path if os.path.basename(p) in KUSTOMIZATION_NAMES}
    for directory in {os.path.dirname(p) for p in by_path}:
        if not _inside(directory, root_path):
            continue
        for name in KUSTOMIZATION_NAMES:
            candidate = os.path.join(directory, name)
            if candidate not in kustomizations and os.path.isfile(candidate):
                kustomizations.add(candidate)
    skipped: dict[str, str] = {}
    for kustomization in sorted(kustomizations):
        if not _inside(kustomization, root_path):
            continue
        try:
            text = read_text(Path(kustomization), max_bytes)
        except FileReadError:
            continue  # reported when the file itself is loaded
        directory = os.path.dirname(kustomization)
        shown_dir = _shown(directory, root_path)
        for relative in patch_paths(text):
            if os.path.isabs(relative):
                continue
            target = os.path.normpath(os.path.join(directory, relative))
            if not _inside(target, root_path) or target not in by_path:
                continue
            skipped.setdefault(by_path[target], (
                f"kustomize patch, listed in {by_path.get(kustomization) or _shown(kustomization, root_path)}; "
                f"scan the output of `kustomize build {shown_dir}` instead"))
    return skipped
