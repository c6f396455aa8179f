"""Reading an IAM policy document into normalised statements.

Accepts the JSON text (a Terraform heredoc, a file, an API response) or an
already-decoded mapping (jsonencode(), aws_iam_policy_document). Every shape
the IAM grammar allows is normalised: one statement or a list, a string or a
list for Action/NotAction/Resource/NotResource, Principal "*" or a mapping of
principal types to a string or a list, Condition values as strings, booleans
or numbers. Anything else is a PolicyError that says where and what was
expected; nothing is guessed and nothing raises anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
POLICY_KEYS = ("Version", "Id", "Statement")


class PolicyError(ValueError):
    """A document that is not a readable IAM policy.

    `line` and `column` are 1-based positions in the JSON text when the
    document was given as text, else None; `path` names the element
    ("Statement[1].Action").
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None, path: str = ""):
        self.reason = message
        self.line = line
        self.column = column
        self.path = path
        where = []
        if path:
            where.append(path)
        if line is not None:
            where.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        super().__init__(f"{message} ({'; '.join(where)})" if where else message)


@dataclass(frozen=True)
class ConditionEntry:
    operator: str  # as written: "StringEquals", "ForAnyValue:StringLike", "ArnLikeIfExists"
    key: str  # as written: "iam:PassedToService"
    values: tuple[str, ...]  # booleans and numbers as JSON spells them: "true", "3600"

    def describe(self) -> str:
        shown = ", ".join(f'"{v}"' for v in self.values)
        if len(self.values) > 1:
            shown = f"[{shown}]"
        return f"{self.operator} {self.key} = {shown}"


@dataclass(frozen=True)
class Statement:
    index: int  # 0-based position in the Statement list
    sid: str | None
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] | None  # None when the statement uses NotAction
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None  # None when absent (trust policies) or NotResource is used
    not_resources: tuple[str, ...] | None
    principals: dict[str, tuple[str, ...]] | None  # {"AWS": (...)}, {"*": ("*",)} for Principal "*"
    not_principals: dict[str, tuple[str, ...]] | None
    conditions: tuple[ConditionEntry, ...]
    line: int | None  # 1-based line of the statement in the JSON text, when text was given

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        """How messages name the statement: `Statement[2] (Sid "WriteLogs")`."""
        return f'Statement[{self.index}] (Sid "{self.sid}")' if self.sid else f"Statement[{self.index}]"


@dataclass(frozen=True)
class Policy:
    version: str | None
    statements: tuple[Statement, ...]

    @property
    def has_policy_variables(self) -> bool:
        """Policy variables such as ${aws:username} are only expanded in version 2012-10-17."""
        return self.version == "2012-10-17"


def parse_policy(document: str | bytes | Mapping[str, Any]) -> Policy:
    """Normalise a policy document; raises PolicyError for anything unreadable."""
    text: str | None = None
    if isinstance(document, (bytes, bytearray)):
        try:
            document = bytes(document).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PolicyError(f"policy is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    if isinstance(document, str):
        text = document.lstrip("\ufeff")
        if not text.strip():
            raise PolicyError("policy is empty: expected a JSON object with a Statement")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"policy is not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise PolicyError("policy is not a readable JSON document: nested too deeply") from None
    elif isinstance(document, Mapping):
        data = document
    else:
        raise PolicyError(f"policy must be JSON text or a mapping, not {_kind(document)}")
    if not isinstance(data, Mapping):
        raise PolicyError(f"policy must be a JSON object with a Statement, found {_kind(data)}", 1 if text else None)

    lines = _statement_lines(text) if text is not None else []
    for key in data:
        if key not in POLICY_KEYS:
            raise PolicyError(_unknown_key_message(key, POLICY_KEYS, "policy"), path=str(key))
    version = data.get("Version")
    if version is not None and not isinstance(version, str):
        raise PolicyError(f"Version must be a string, found {_kind(version)}", path="Version")
    if "Statement" not in data:
        raise PolicyError("policy has no Statement", 1 if text else None, path="Statement")
    raw = data["Statement"]
    if isinstance(raw, Mapping):
        raw_list = [raw]
    elif isinstance(raw, list):
        raw_list = raw
    else:
        raise PolicyError(f"Statement must be an object or a list of objects, found {_kind(raw)}", path="Statement")
    statements = []
    for index, item in enumerate(raw_list):
        line = lines[index] if index < len(lines) else None
        statements.append(_statement(index, item, line))
    return Policy(version, tuple(statements))


def _statement(index: int, item: Any, line: int | None) -> Statement:
    path = f"Statement[{index}]"
    if not isinstance(item, Mapping):
        raise PolicyError(f"a statement must be a JSON object, found {_kind(item)}", line, path=path)
    for key in item:
        if key not in STATEMENT_KEYS:
            raise PolicyError(_unknown_key_message(key, STATEMENT_KEYS, "statement"), line, path=f"{path}.{key}")
    sid = item.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"Sid must be a string, found {_kind(sid)}", line, path=f"{path}.Sid")
    effect = item.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        found = "nothing" if effect is None else repr(effect) if isinstance(effect, str) else _kind(effect)
        raise PolicyError(f'Effect must be "Allow" or "Deny", found {found}', line, path=f"{path}.Effect")
    # IAM spells it Allow/Deny; any other case is read as meant rather than
    # dropped, so a lower-case "allow" is still analysed.
    effect = "Allow" if effect.lower() == "allow" else "Deny"
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
        if a in item and b in item:
            raise PolicyError(f"a statement may have {a} or {b}, not both", line, path=path)
    if "Action" not in item and "NotAction" not in item:
        raise PolicyError("statement has neither Action nor NotAction", line, path=path)
    return Statement(
        index=index,
        sid=sid or None,
        effect=effect,
        actions=_strings(item, "Action", path, line),
        not_actions=_strings(item, "NotAction", path, line),
        resources=_strings(item, "Resource", path, line),
        not_resources=_strings(item, "NotResource", path, line),
        principals=_principals(item, "Principal", path, line),
        not_principals=_principals(item, "NotPrincipal", path, line),
        conditions=_conditions(item.get("Condition"), path, line),
        line=line,
    )


def _strings(item: Mapping, key: str, path: str, line: int | None) -> tuple[str, ...] | None:
    if key not in item:
        return None
    value = item[key]
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(dict.fromkeys(value))
    if isinstance(value, list):
        bad = next(v for v in value if not isinstance(v, str))
        shown = _kind(bad) if bad is None else f"{_kind(bad)}: {json.dumps(bad, default=str)}"
        raise PolicyError(
            f"{key} must be a string or a list of strings; the list holds {shown}", line, path=f"{path}.{key}"
        )
    raise PolicyError(f"{key} must be a string or a list of strings, found {_kind(value)}", line, path=f"{path}.{key}")


def _principals(item: Mapping, key: str, path: str, line: int | None) -> dict[str, tuple[str, ...]] | None:
    if key not in item:
        return None
    value = item[key]
    where = f"{path}.{key}"
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, Mapping):
        raise PolicyError(
            f'{key} must be "*" or an object such as {{"AWS": [...]}}, found {json.dumps(value, default=str)}',
            line,
            path=where,
        )
    out: dict[str, tuple[str, ...]] = {}
    for kind, names in value.items():
        if isinstance(names, str):
            out[str(kind)] = (names,)
        elif isinstance(names, list) and all(isinstance(n, str) for n in names):
            out[str(kind)] = tuple(dict.fromkeys(names))
        else:
            raise PolicyError(
                f"{key} {kind} must be a string or a list of strings, found {_kind(names)}",
                line,
                path=f"{where}.{kind}",
            )
    return out


def _conditions(value: Any, path: str, line: int | None) -> tuple[ConditionEntry, ...]:
    if value is None:
        return ()
    where = f"{path}.Condition"
    if not isinstance(value, Mapping):
        raise PolicyError(f"Condition must be an object of operators, found {_kind(value)}", line, path=where)
    out = []
    for operator, block in value.items():
        if not isinstance(block, Mapping):
            raise PolicyError(
                f"Condition {operator} must be an object of condition keys, found {_kind(block)}",
                line,
                path=f"{where}.{operator}",
            )
        for key, raw in block.items():
            values = raw if isinstance(raw, list) else [raw]
            shown = []
            for v in values:
                if isinstance(v, bool):
                    shown.append("true" if v else "false")
                elif isinstance(v, (str, int, float)):
                    shown.append(str(v))
                else:
                    raise PolicyError(
                        f"Condition {operator} {key} values must be strings, numbers or booleans, found {_kind(v)}",
                        line,
                        path=f"{where}.{operator}.{key}",
                    )
            out.append(ConditionEntry(str(operator), str(key), tuple(shown)))
    return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _unknown_key_message(key: Any, allowed: tuple[str, ...], where: str) -> str:
    hint = ""
    for name in allowed:
        if str(key).lower() == name.lower() or str(key).lower() == name.lower() + "s":
            hint = f' (element names are case-sensitive and singular: did you mean "{name}"?)'
            break
    return f'unknown {where} element "{key}"; expected one of {", ".join(allowed)}{hint}'


# --- where each statement starts in the text ------------------------------------

_WS = " \t\n\r"


def _statement_lines(text: str) -> list[int]:
    """1-based line of each statement of an already-validated JSON policy text.

    Walks the top-level object only, letting the standard decoder skip every
    value; when "Statement" appears twice, the last wins, as in json.loads.
    """
    decoder = json.JSONDecoder()
    offsets: list[int] = []
    try:
        i = _skip_ws(text, 0)
        if text[i] != "{":
            return []
        i = _skip_ws(text, i + 1)
        while text[i] != "}":
            key, i = decoder.raw_decode(text, i)
            i = _skip_ws(text, i)
            i = _skip_ws(text, i + 1)  # the colon
            if key == "Statement" and text[i] == "[":
                offsets = []
                i = _skip_ws(text, i + 1)
                while text[i] != "]":
                    offsets.append(i)
                    _, i = decoder.raw_decode(text, i)
                    i = _skip_ws(text, i)
                    if text[i] == ",":
                        i = _skip_ws(text, i + 1)
                i += 1
            else:
                if key == "Statement":
                    offsets = [i]
                _, i = decoder.raw_decode(text, i)
            i = _skip_ws(text, i)
            if text[i] == ",":
                i = _skip_ws(text, i + 1)
    except (IndexError, ValueError):
        return []
    return [text.count("\n", 0, off) + 1 for off in offsets]


def _skip_ws(text: str, i: int) -> int:
    while text[i] in _WS:
        i += 1
    return i
