"""The parse cache: what a parser made of a text, kept on disk between scans.

An entry is found by the SHA-256 of the parser's name, the parser's version (prc.parsing.parser_version: a digest
of its code and libraries) and the text, so an edited file or an upgraded prc misses instead of reading a stale
product. Entries are pickles, and unpickling runs code chosen by whoever wrote the bytes; so every entry carries
an HMAC-SHA256 made with a random key that only this user's cache directory holds, and an entry whose MAC does
not verify (truncated, corrupted, copied from another machine or user, written by anything but prc) is ignored
and rebuilt, never unpickled. The cache is only ever an optimisation: any failure to read or write it means
parsing again, never a failed scan.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
from pathlib import Path

from .atomic import write_atomically

MAGIC = b"prc-parse-cache-1\n"
KEY_BYTES = 32


class ParseCache:
    def __init__(self, directory: Path, secret: bytes):
        self.directory = directory
        self._secret = secret
        self.ignored = 0  # entries present but refused (bad MAC, unreadable, not ours)
        self.write_errors = 0

    @classmethod
    def open(cls, directory: Path) -> "ParseCache | None":
        """The cache in `directory`, created if missing; None when it cannot be used safely (not ours, not
        writable, or a key file that cannot be made), and the scan then parses everything."""
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not _private(directory):
                return None
            return cls(directory, _secret(directory / "key"))
        except OSError:
            return None

    @staticmethod
    def key(parser: str, version: str, text: str) -> str:
        digest = hashlib.sha256(f"{parser}\0{version}\0".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / "parse" / key[:2] / key[2:]

    def _mac(self, key: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()

    def get(self, key: str) -> tuple[object] | None:
        """(product,) when a valid entry exists, else None."""
        payload = self.get_payload(key)
        if payload is None:
            return None
        try:
            return (pickle.loads(payload),)
        except Exception:  # a MAC'd entry should always load; if not (a pickle of another prc), rebuild it
            self.ignored += 1
            return None

    def get_payload(self, key: str) -> bytes | None:
        """The pickled product of a valid entry, verified and not yet unpickled; None when there is none."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        mac_end = len(MAGIC) + hashlib.sha256().digest_size
        payload = data[mac_end:]
        if not data.startswith(MAGIC) or not hmac.compare_digest(data[len(MAGIC):mac_end], self._mac(key, payload)):
            self.ignored += 1
            return None
        return payload

    def put(self, key: str, product: object) -> None:
        try:
            payload = pickle.dumps(product, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError):
            self.write_errors += 1
            return
        self.put_payload(key, payload)

    def put_payload(self, key: str, payload: bytes) -> None:
        path = self._path(key)
        try:
            # 0700 like the cache directory: with the common umask 002 the default mode let the group write entries.
            path.parent.parent.mkdir(mode=0o700, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            # Atomic: a scan running beside this one reads the old entry, the new one or none, never half. Not
            # fsynced: an entry lost to a crash is parsed again.
            write_atomically(path, MAGIC + self._mac(key, payload) + payload, mode=0o600, durable=False)
        except OSError:
            self.write_errors += 1


def _private(directory: Path) -> bool:
    """Whether only this user can write the directory: a key in a directory others may write is no secret."""
    if os.name != "posix":
        return True
    info = directory.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _secret(path: Path) -> bytes:
    """The cache's MAC key, made on first use. A key file of the wrong size or mode is replaced, which turns
    every existing entry into one that does not verify."""
    try:
        with open(path, "rb") as stream:
            secret = stream.read(KEY_BYTES + 1)
        if len(secret) == KEY_BYTES and (os.name != "posix" or not path.stat().st_mode & 0o077):
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_bytes(KEY_BYTES)
    write_atomically(path, secret, mode=0o600)
    return secret
