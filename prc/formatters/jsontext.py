"""JSON text as json.dumps(value, indent=2, sort_keys=..., ensure_ascii=False) writes it, faster.

With `indent`, the standard library encodes in pure Python through layers of generators; a report of 100,000
results spent most of its rendering there. This writer makes the same bytes (tests/test_jsontext.py holds it to
json.dumps on generated values) for what reports hold: dicts with string keys, lists and tuples, strings,
integers, finite floats, booleans and None. Anything else is handed to json.dumps, so the output is never
different, only sometimes not faster.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C string escaper json.dumps uses with ensure_ascii=False

_CONSTANTS = {None: "null", True: "true", False: "false"}
_FINITE = (float("inf"), float("-inf"))


def dumps(value: object, prefix: str = "", sort_keys: bool = True) -> str:
    """`value` as indented JSON; `prefix` is put after every newline (the indentation of where it goes)."""
    parts: list[str] = []
    try:
        _write(value, "\n" + prefix, parts, sorted if sort_keys else list)
    except _Unusual:
        return json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False).replace("\n", "\n" + prefix)
    return "".join(parts)


class _Unusual(Exception):
    """A value this writer leaves to json.dumps (a non-string key, NaN, a type it does not know)."""


def _write(value: object, newline: str, parts: list[str], order) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif value is None or kind is bool:
        parts.append(_CONSTANTS[value])
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        if value != value or value in _FINITE:
            raise _Unusual
        parts.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key in order(value):
            if type(key) is not str:
                raise _Unusual
            parts.append(separator)
            parts.append(encode_basestring(key))
            parts.append(": ")
            _write(value[key], inner, parts, order)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, inner, parts, order)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        raise _Unusual
