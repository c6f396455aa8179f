"""Static evaluation of Terraform expressions: what can be known without running Terraform.

Values are plain Python: str, int/float, bool, None (null), list, dict. A value that cannot be known
statically is an `Unresolved(expression, reason)`, never a guess. Operations on an Unresolved give an
Unresolved (naming the outer expression and the first reason), except where the result does not depend
on it (`false && x`, a conditional whose branches agree, `length()` of a list with an unknown item).

Nothing here reads the network or runs anything; `file()` and `templatefile()` read files through the
loader's `read_file` callback, which refuses paths outside the scanned tree.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from typing import Callable

from ..yamlsrc import LDict, LList
from .terraform_hcl import (BIN, CALL, COND, FORX, LIT, OBJ, PAREN, POST, REF, TPL, TUP, UN, LineIndex)


class Unresolved:
    """A value prc cannot know statically: the expression as written and why.

    `partial` is the best-known shape when part of a value is known: for `jsonencode(...)` and a rendered
    `aws_iam_policy_document`, the decoded structure with Unresolved leaves where values are unknown; for
    a string template, a tuple of its parts (literal strings and Unresolved). It is never a guessed value.

    Using an Unresolved as a boolean raises TypeError: a check must test `isinstance(v, Unresolved)` first
    and answer UNKNOWN naming `v.expression`, rather than PASS or FAIL on a value nobody knows.
    """

    __slots__ = ("expression", "reason", "partial")

    def __init__(self, expression: str, reason: str, partial: object = None):
        self.expression = expression
        self.reason = reason
        self.partial = partial

    def __bool__(self):
        raise TypeError(f"the value of {self.expression} is not known statically ({self.reason}); "
                        "test isinstance(value, Unresolved) before using it as a boolean")

    def __eq__(self, other):
        if isinstance(other, Unresolved):
            return self.expression == other.expression and self.reason == other.reason
        return NotImplemented

    def __hash__(self):
        return hash((self.expression, self.reason))

    def __repr__(self):
        return f"Unresolved({self.expression!r}, {self.reason!r})"

    def __str__(self):
        return self.expression

    def __reduce__(self):
        return Unresolved, (self.expression, self.reason, self.partial)

    def describe(self) -> str:
        """`expr` (why), for messages: `var.vpc_id (no default and no value in terraform.tfvars)`."""
        return f"{self.expression} ({self.reason})"


def find_unresolved(value: object) -> Unresolved | None:
    """The first Unresolved anywhere inside a value (depth first), or None when it is fully known."""
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = find_unresolved(item)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = find_unresolved(item)
            if found is not None:
                return found
    return None


class EvalError(Exception):
    """An expression Terraform itself would reject (a wrong type, a missing key): reported as Unresolved."""


class Computed(dict):
    """A resource or data source seen from another expression: its configured arguments; any other
    attribute (an id, an arn) is known only after apply."""

    __slots__ = ("address", "why")

    def __init__(self, values: dict, address: str, why: str):
        super().__init__(values)
        self.address = address
        self.why = why


class SourceText:
    """The text expressions were parsed from, for the source text of an expression and its line."""

    __slots__ = ("display", "text", "_index")

    def __init__(self, display: str, text: str):
        self.display = display
        self.text = text
        self._index: LineIndex | None = None

    def line(self, offset: int) -> int:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index.line(offset)

    def snippet(self, node: tuple, limit: int = 200) -> str:
        """The expression as written, on one line, at most `limit` characters (the work is bounded too: an
        unknown deep inside a large jsonencode() is named once per enclosing expression)."""
        start, end = node[1], node[2]
        text = self.text[start:min(end, start + 8 * limit)]
        text = " ".join(text.split()) if "\n" in text else text
        if len(text) <= limit and end - start <= 8 * limit:
            return text
        return text[:limit - 3] + "..."


class Scope:
    """Where an expression is evaluated: the module instance that resolves `var.`, `local.`, `module.`,
    resources and data sources; names bound by count, for_each, for expressions and dynamic blocks; the
    source text; whether objects and lists keep their lines (resource bodies do, shared values do not)."""

    __slots__ = ("module", "bound", "source", "lines")

    def __init__(self, module, source: SourceText, bound: dict | None = None, lines: bool = False):
        self.module = module
        self.bound = bound or {}
        self.source = source
        self.lines = lines

    def with_bound(self, extra: dict) -> "Scope":
        return Scope(self.module, self.source, {**self.bound, **extra}, self.lines)


def _unresolved_from(node: tuple, scope: Scope, inner: Unresolved, partial: object = None) -> Unresolved:
    return Unresolved(scope.source.snippet(node), inner.reason, partial)


# -- evaluation ------------------------------------------------------------------------------------

# Elements that for expressions, template for-directives and range() may produce in one top-level evaluation:
# a bound, so that nested loops over ranges in a hostile file cannot hang the scan.
MAX_ELEMENTS = 100_000
_work = {"depth": 0, "elements": 0}


def _spend(count: int) -> None:
    _work["elements"] += count
    if _work["elements"] > MAX_ELEMENTS:
        raise _NotStatic(f"the expression builds more than {MAX_ELEMENTS} elements; not evaluated")


def evaluate(node: tuple, scope: Scope) -> object:
    """The value of an expression; Unresolved when it cannot be known statically."""
    if _work["depth"] == 0:
        _work["elements"] = 0
    _work["depth"] += 1
    try:
        return _eval(node, scope)
    except _NotStatic as exc:
        return Unresolved(scope.source.snippet(node), str(exc))
    except EvalError as exc:
        return Unresolved(scope.source.snippet(node), f"cannot be evaluated: {exc}")
    except RecursionError:
        return Unresolved(scope.source.snippet(node), "nested too deeply to evaluate")
    finally:
        _work["depth"] -= 1


def _eval(node: tuple, scope: Scope) -> object:
    tag = node[0]
    if tag == LIT:
        return node[3]
    if tag == REF:
        return _reference(node, scope)
    if tag == TPL:
        return _template(node, node[3], scope)
    if tag == TUP:
        items = [_eval(item, scope) for item in node[3]]
        if scope.lines:
            out = LList(scope.source.line(node[1]))
            out.extend(items)
            out.item_lines = [scope.source.line(item[1]) for item in node[3]]
            return out
        return items
    if tag == OBJ:
        out = LDict(scope.source.line(node[1])) if scope.lines else {}
        for key_node, value_node, line in node[3]:
            key = _eval(key_node, scope)
            if isinstance(key, Unresolved):
                return _unresolved_from(node, scope, key)
            if isinstance(key, bool) or key is None or isinstance(key, (dict, list)):
                raise EvalError(f"an object key must be a string, not {_type_name(key)}")
            key = _to_string(key)
            out[key] = _eval(value_node, scope)
            if scope.lines:
                out.key_lines[key] = line
        return out
    if tag == PAREN:
        return _eval(node[3], scope)
    if tag == CALL:
        return _call(node, scope)
    if tag == COND:
        return _conditional(node, scope)
    if tag == BIN:
        return _binary(node, scope)
    if tag == UN:
        value = _eval(node[4], scope)
        if isinstance(value, Unresolved):
            return _unresolved_from(node, scope, value)
        if node[3] == "!":
            if not isinstance(value, bool):
                raise EvalError(f'"!" needs a bool, not {_type_name(value)}')
            return not value
        return -_to_number(value)
    if tag == FORX:
        return _for_expression(node, scope)
    if tag == POST:
        base = _eval(node[3], scope)
        return _traverse(base, node[4], node, scope)
    raise EvalError(f"unknown expression {tag}")  # pragma: no cover - the parser makes no other tags


def _reference(node: tuple, scope: Scope) -> object:
    name, steps = node[3], node[4]
    if name in scope.bound:
        return _traverse(scope.bound[name], steps, node, scope)
    if scope.module is None:
        return Unresolved(scope.source.snippet(node), f"{name} cannot be referenced here")
    value, used = scope.module.resolve(name, steps, node, scope)
    return _traverse(value, steps[used:], node, scope)


def _traverse(value: object, steps: tuple, node: tuple, scope: Scope) -> object:
    for i, (kind, arg) in enumerate(steps):
        if isinstance(value, Unresolved):
            return _unresolved_from(node, scope, value)
        if kind in ("*", "[*]"):
            rest = steps[i + 1:]
            if value is None:
                return []
            items = value if isinstance(value, list) else [value]
            return [_traverse(item, rest, node, scope) for item in items]
        if kind == ".":
            key = arg
        else:
            key = _eval(arg, scope)
            if isinstance(key, Unresolved):
                return _unresolved_from(node, scope, key)
        value = _step(value, key, node, scope)
    if isinstance(value, Computed):
        return Unresolved(scope.source.snippet(node), f"{value.address} as a whole is {value.why}")
    if isinstance(value, Unresolved):
        # Named as written here; the reason (and any partial value) still says where the unknown comes from.
        return Unresolved(scope.source.snippet(node), value.reason, value.partial)
    return value


def _step(value: object, key: object, node: tuple, scope: Scope) -> object:
    if isinstance(value, dict):
        if isinstance(key, bool) or not isinstance(key, (str, int, float)):
            raise EvalError(f"an object is indexed by a string, not {_type_name(key)}")
        key = _to_string(key)
        if key in value:
            return value[key]
        if isinstance(value, Computed):
            return Unresolved(scope.source.snippet(node), f"{value.address}.{key} is {value.why}")
        raise EvalError(f'no attribute or key "{key}"')
    if isinstance(value, list):
        if isinstance(key, bool) or not isinstance(key, (int, float, str)):
            raise EvalError(f"a list is indexed by a number, not {_type_name(key)}")
        index = _to_int(key)
        if not 0 <= index < len(value):
            raise EvalError(f"index {index} is out of range for a list of {len(value)}")
        return value[index]
    if value is None:
        raise EvalError("cannot index or take an attribute of null")
    raise EvalError(f"cannot index or take an attribute of {_type_name(value)}")


def _template(node: tuple, parts: tuple, scope: Scope) -> object:
    # A template that is one interpolation returns the value itself, not its text ("${var.list}" is a list).
    if len(parts) == 1 and isinstance(parts[0], tuple) and parts[0][0] not in ("if", "for"):
        return _eval(parts[0], scope)
    pieces: list = []
    _render_parts(parts, scope, pieces)
    if any(isinstance(p, Unresolved) for p in pieces):
        first = next(p for p in pieces if isinstance(p, Unresolved))
        merged: list = []
        for piece in pieces:
            if isinstance(piece, str) and merged and isinstance(merged[-1], str):
                merged[-1] += piece
            else:
                merged.append(piece)
        return Unresolved(scope.source.snippet(node), first.reason, tuple(merged))
    return "".join(pieces)


def _render_parts(parts: tuple, scope: Scope, out: list) -> None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part[0] == "if":
            cond = _eval(part[1], scope)
            if isinstance(cond, Unresolved):
                out.append(_unresolved_from(part[1], scope, cond))
            elif _to_bool(cond):
                _render_parts(part[2], scope, out)
            else:
                _render_parts(part[3], scope, out)
        elif part[0] == "for":
            _, key_var, value_var, coll_node, body = part
            collection = _eval(coll_node, scope)
            if isinstance(collection, Unresolved):
                out.append(_unresolved_from(coll_node, scope, collection))
                continue
            pairs = _iterate(collection)
            _spend(len(pairs))
            for key, value in pairs:
                bound = {value_var: value}
                if key_var:
                    bound[key_var] = key
                _render_parts(body, scope.with_bound(bound), out)
        else:
            value = _eval(part, scope)
            if isinstance(value, Unresolved):
                out.append(_unresolved_from(part, scope, value))
            else:
                out.append(_template_string(value))


def _template_string(value: object) -> str:
    if value is None:
        raise EvalError("a template cannot interpolate null")
    if isinstance(value, (dict, list)):
        raise EvalError(f"a template cannot interpolate {_type_name(value)}")
    return _to_string(value)


def _conditional(node: tuple, scope: Scope) -> object:
    cond = _eval(node[3], scope)
    if isinstance(cond, Unresolved):
        then, other = evaluate(node[4], scope), evaluate(node[5], scope)
        # `is None`: an Unresolved refuses to be a boolean, so `not find_unresolved(...)` raised on one.
        if find_unresolved(then) is None and find_unresolved(other) is None and same_value(then, other):
            return then
        return _unresolved_from(node, scope, cond)
    return _eval(node[4] if _to_bool(cond) else node[5], scope)


def _binary(node: tuple, scope: Scope) -> object:
    op = node[3]
    left = _eval(node[4], scope)
    if op in ("&&", "||"):
        if not isinstance(left, Unresolved):
            left = _to_bool(left)
            if (op == "&&" and not left) or (op == "||" and left):
                return left
        right = _eval(node[5], scope)
        if not isinstance(right, Unresolved):
            right = _to_bool(right)
            if (op == "&&" and not right) or (op == "||" and right):
                return right
        if isinstance(left, Unresolved):
            return _unresolved_from(node, scope, left)
        if isinstance(right, Unresolved):
            return _unresolved_from(node, scope, right)
        return left and right if op == "&&" else left or right
    right = _eval(node[5], scope)
    for side in (left, right):
        if isinstance(side, Unresolved):
            return _unresolved_from(node, scope, side)
    if op == "==":
        return same_value(left, right)
    if op == "!=":
        return not same_value(left, right)
    a, b = _to_number(left), _to_number(right)
    if op == "+":
        return _tidy(a + b)
    if op == "-":
        return _tidy(a - b)
    if op == "*":
        return _tidy(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return _tidy(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        return _tidy(math.fmod(a, b))
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _for_expression(node: tuple, scope: Scope) -> object:
    _, _, _, key_var, value_var, coll_node, key_node, value_node, cond_node, grouping = node
    collection = _eval(coll_node, scope)
    if isinstance(collection, Unresolved):
        return _unresolved_from(node, scope, collection)
    is_object = key_node is not None
    out_list: list = []
    out_dict: dict = {}
    pairs = _iterate(collection)
    _spend(len(pairs))
    for key, value in pairs:
        bound = {value_var: value}
        if key_var:
            bound[key_var] = key
        inner = scope.with_bound(bound)
        inner.lines = False
        if cond_node is not None:
            keep = _eval(cond_node, inner)
            if isinstance(keep, Unresolved):
                return _unresolved_from(node, scope, keep)
            if not _to_bool(keep):
                continue
        item = _eval(value_node, inner)
        if not is_object:
            out_list.append(item)
            continue
        out_key = _eval(key_node, inner)
        if isinstance(out_key, Unresolved):
            return _unresolved_from(node, scope, out_key)
        out_key = _to_string(out_key)
        if grouping:
            out_dict.setdefault(out_key, []).append(item)
        elif out_key in out_dict:
            raise EvalError(f'duplicate key "{out_key}" in a for expression (use "..." to group)')
        else:
            out_dict[out_key] = item
    return out_dict if is_object else out_list


def _iterate(collection: object) -> list[tuple[object, object]]:
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise EvalError(f"cannot iterate over {_type_name(collection)}")


# -- conversions -----------------------------------------------------------------------------------

def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _tidy(value: float | int) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _to_number(value: object) -> int | float:
    if isinstance(value, bool) or value is None:
        raise EvalError(f"a number is required, not {_type_name(value)}")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return _tidy(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise EvalError(f'"{value}" is not a number') from None
    raise EvalError(f"a number is required, not {_type_name(value)}")


def _to_int(value: object) -> int:
    number = _to_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise EvalError(f"{number} is not a whole number")
        number = int(number)
    return number


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"a bool is required, not {_type_name(value)}")


def _to_string(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(_tidy(value)) if value.is_integer() else repr(value)
    raise EvalError(f"a string is required, not {_type_name(value)}")


def same_value(a: object, b: object) -> bool:
    """Terraform equality: numbers by value, collections deeply, bool never equal to a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return isinstance(a, Unresolved) and isinstance(b, Unresolved) and a == b
    return type(a) is type(b) and a == b


def plain(value: object) -> object:
    """A value without line bookkeeping: dicts and lists as the builtin types (for sharing between places)."""
    if isinstance(value, dict) and not isinstance(value, Computed):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def to_json(value: object) -> str:
    """What Terraform's jsonencode() writes: compact, keys sorted, <>& escaped as Go does."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def convert_to_type(value: object, type_text: str) -> object:
    """A variable value converted to its declared primitive type (`number`, `string`, `bool`), as Terraform
    converts a tfvars string "3" for `type = number`; other types are left as they are."""
    if isinstance(value, Unresolved) or value is None:
        return value
    kind = type_text.strip()
    try:
        if kind == "number" and isinstance(value, str):
            return _to_number(value)
        if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return _to_string(value)
        if kind == "string" and isinstance(value, bool):
            return _to_string(value)
        if kind == "bool" and isinstance(value, str):
            return _to_bool(value)
    except EvalError:
        return value
    return value


# -- functions ---------------------------------------------------------------------------------------

# Functions whose result depends on the machine or the moment, or on files prc does not read: never guessed.
_NOT_STATIC = {
    "timestamp": "gives the time of the run", "uuid": "gives a random value", "uuidv5": "is not evaluated",
    "bcrypt": "gives a random salt", "plantimestamp": "gives the time of the plan",
    "filebase64sha256": "hashes a file prc does not read", "filesha256": "hashes a file prc does not read",
    "filesha1": "hashes a file prc does not read", "filemd5": "hashes a file prc does not read",
    "filesha512": "hashes a file prc does not read", "filebase64": "reads binary content prc does not read",
    "fileset": "lists files, which prc does not do", "abspath": "depends on where Terraform runs",
    "pathexpand": "depends on the user running Terraform", "rsadecrypt": "needs a private key",
    "ephemeralasnull": "is not evaluated", "sensitive": None, "nonsensitive": None,
}


def _call(node: tuple, scope: Scope) -> object:
    name, arg_nodes, expand = node[3], node[4], node[5]
    short = name.split("::")[-1] if name.startswith("core::") else name
    if "::" in short:
        return Unresolved(scope.source.snippet(node), f"provider function {name}() is not evaluated")
    if short in ("try", "can"):
        return _try_or_can(short, node, arg_nodes, scope)
    if short in _NOT_STATIC and _NOT_STATIC[short]:
        return Unresolved(scope.source.snippet(node), f"{short}() {_NOT_STATIC[short]}")
    function = FUNCTIONS.get(short)
    if function is None and short not in ("file", "templatefile", "fileexists"):
        return Unresolved(scope.source.snippet(node), f"function {short}() is not evaluated by prc")
    args = [_eval(a, scope) for a in arg_nodes]
    if expand:
        last = args.pop() if args else None
        if isinstance(last, Unresolved):
            return _unresolved_from(node, scope, last)
        if not isinstance(last, list):
            raise EvalError(f'"..." expands a list, not {_type_name(last)}')
        args.extend(last)
    if short in ("file", "templatefile", "fileexists"):
        return _file_function(short, node, args, scope)
    if short == "jsonencode":
        if len(args) != 1:
            raise EvalError("jsonencode() takes one argument")
        unknown = find_unresolved(args[0])
        if unknown is not None:
            return Unresolved(scope.source.snippet(node), unknown.reason, plain(args[0]))
        return to_json(args[0])
    if short not in _LENIENT:
        for arg in args:
            unknown = find_unresolved(arg)
            if unknown is not None:
                return _unresolved_from(node, scope, unknown)
    try:
        result = function(*args)
    except EvalError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise EvalError(f"{short}(): {exc}") from None
    if isinstance(result, Unresolved):
        return _unresolved_from(node, scope, result)
    return result


def _try_or_can(name: str, node: tuple, arg_nodes: tuple, scope: Scope) -> object:
    if name == "can":
        if len(arg_nodes) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = _eval(arg_nodes[0], scope)
        except EvalError:
            return False
        unknown = find_unresolved(value)
        return _unresolved_from(node, scope, unknown) if unknown else True
    for arg in arg_nodes:
        try:
            value = _eval(arg, scope)
        except EvalError:
            continue
        unknown = find_unresolved(value)
        if unknown is not None:
            # Whether this argument would fail cannot be known, so neither can the result.
            return _unresolved_from(node, scope, unknown)
        return value
    raise EvalError("no argument of try() could be evaluated")


def _file_function(name: str, node: tuple, args: list, scope: Scope) -> object:
    if not args:
        raise EvalError(f"{name}() needs a path")
    path = args[0]
    if isinstance(path, Unresolved):
        return _unresolved_from(node, scope, path)
    if not isinstance(path, str):
        raise EvalError(f"{name}() needs a path string")
    module = scope.module
    if module is None:
        return Unresolved(scope.source.snippet(node), f"{name}() cannot be used here")
    found = module.read_file(path, node, scope, name)
    if name == "fileexists":
        return found if isinstance(found, Unresolved) else found is not None
    if isinstance(found, Unresolved):
        return Unresolved(scope.source.snippet(node), found.reason)
    display, text = found
    if name == "file":
        return text
    if len(args) != 2:
        raise EvalError("templatefile() takes a path and an object of variables")
    variables = args[1]
    unknown = find_unresolved(variables)
    if unknown is not None:
        return _unresolved_from(node, scope, unknown)
    if not isinstance(variables, dict):
        raise EvalError("the second argument of templatefile() must be an object")
    from .terraform_hcl import HclError, parse_template
    try:
        template = parse_template(text)
    except HclError as exc:
        line, _ = exc.line_col(text)
        return Unresolved(scope.source.snippet(node), f"the template {display} has an error on line {line}: "
                                                       f"{exc.message}")
    inner = Scope(None, SourceText(display, text), dict(variables))
    value = evaluate(template, inner)
    if isinstance(value, Unresolved):
        return Unresolved(scope.source.snippet(node), value.reason)
    return _template_string(value) if not isinstance(value, str) else value


def _collection(value: object, what: str) -> list:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} needs a list, not {_type_name(value)}")


def _mapping(value: object, what: str) -> dict:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} needs a map or object, not {_type_name(value)}")


def _length(value: object) -> int:
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, str):
        return len(value)
    raise EvalError(f"length() of {_type_name(value)}")


def _merge(*maps: object) -> object:
    out: dict = {}
    for item in maps:
        if isinstance(item, Unresolved):
            # Keys it would add or replace are unknown, so the whole result is.
            return item
        if item is None:
            continue
        out.update(_mapping(item, "merge()"))
    return out


def _concat(*lists: object) -> object:
    out: list = []
    for item in lists:
        if isinstance(item, Unresolved):
            return item
        out.extend(_collection(item, "concat()"))
    return out


def _tolist_or_set(value: object, unique: bool) -> list:
    if isinstance(value, dict):
        raise EvalError("cannot convert an object to a list")
    items = _collection(value, "toset()" if unique else "tolist()")
    if not unique:
        return list(items)
    seen: list = []
    for item in items:
        if not any(same_value(item, s) for s in seen):
            seen.append(item)
    if all(isinstance(i, str) for i in seen):
        seen.sort()
    return seen


def _lookup(mapping: object, key: object, *default: object) -> object:
    mapping = _mapping(mapping, "lookup()")
    key = _to_string(key)
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvalError(f'lookup(): no key "{key}" and no default')


def _element(items: object, index: object) -> object:
    items = _collection(items, "element()")
    if not items:
        raise EvalError("element() of an empty list")
    return items[_to_int(index) % len(items)]


def _format(spec: object, *args: object) -> str:
    spec = _to_string(spec)
    out: list[str] = []
    arg_index = 0
    i = 0
    while i < len(spec):
        ch = spec[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        match = re.match(r"%([-+ 0#]*)(\d*)(?:\.(\d+))?([%vsdqfebtxXo])", spec[i:])
        if not match:
            raise EvalError(f'format(): unsupported verb in "{spec}"')
        flags, width, precision, verb = match.groups()
        i += match.end()
        if verb == "%":
            out.append("%")
            continue
        if arg_index >= len(args):
            raise EvalError("format(): not enough arguments")
        value = args[arg_index]
        arg_index += 1
        if verb in ("s", "v"):
            text = to_json(value) if isinstance(value, (dict, list)) else _to_string(value) if value is not None \
                else "null"
        elif verb == "q":
            text = json.dumps(_to_string(value))
        elif verb == "d":
            text = str(_to_int(value))
        elif verb in ("f", "e"):
            digits = int(precision) if precision else 6
            text = f"{_to_number(value):.{digits}{verb}}"
        elif verb == "t":
            text = "true" if _to_bool(value) else "false"
        elif verb in ("x", "X", "o", "b"):
            text = format(_to_int(value), verb)
        else:  # pragma: no cover - the regex admits no other verb
            raise EvalError(f"format(): %{verb}")
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        out.append(text)
    return "".join(out)


def _replace(text: object, search: object, replacement: object) -> str:
    text, search, replacement = _to_string(text), _to_string(search), _to_string(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        # A regular expression (RE2 syntax in Terraform): not evaluated rather than risking a different dialect.
        raise _NotStatic("replace() with a regular expression is not evaluated")
    return text.replace(search, replacement)


class _NotStatic(EvalError):
    pass


def _substr(text: object, offset: object, length: object) -> str:
    text = _to_string(text)
    offset, length = _to_int(offset), _to_int(length)
    if offset < 0:
        offset = max(len(text) + offset, 0)
    return text[offset:] if length == -1 else text[offset:offset + length]


def _coalesce(*values: object) -> object:
    for value in values:
        if value is not None and value != "":
            return value
    raise EvalError("coalesce(): no non-null, non-empty argument")


def _coalescelist(*values: object) -> object:
    for value in values:
        if _collection(value, "coalescelist()"):
            return value
    raise EvalError("coalescelist(): every list is empty")


def _flatten(value: object) -> list:
    out: list = []
    for item in _collection(value, "flatten()"):
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _distinct(value: object) -> list:
    out: list = []
    for item in _collection(value, "distinct()"):
        if not any(same_value(item, s) for s in out):
            out.append(item)
    return out


def _contains(items: object, value: object) -> bool:
    return any(same_value(item, value) for item in _collection(items, "contains()"))


def _keys(value: object) -> list:
    return sorted(_mapping(value, "keys()"))


def _values(value: object) -> list:
    mapping = _mapping(value, "values()")
    return [mapping[k] for k in sorted(mapping)]


def _zipmap(keys: object, values: object) -> dict:
    keys, values = _collection(keys, "zipmap()"), _collection(values, "zipmap()")
    if len(keys) != len(values):
        raise EvalError("zipmap(): the lists differ in length")
    return {_to_string(k): v for k, v in zip(keys, values)}


def _range(*args: object) -> list:
    numbers = [_to_number(a) for a in args]
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], 1 if numbers[1] >= numbers[0] else -1
    elif len(numbers) == 3:
        start, stop, step = numbers
    else:
        raise EvalError("range() takes one to three numbers")
    if step == 0:
        raise EvalError("range(): step cannot be 0")
    out = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        out.append(_tidy(value))
        value += step
        if len(out) > 1024:
            raise EvalError("range(): more than 1024 elements")
    return out


def _slice(items: object, start: object, end: object) -> list:
    items = _collection(items, "slice()")
    start, end = _to_int(start), _to_int(end)
    if not 0 <= start <= end <= len(items):
        raise EvalError("slice(): indices out of range")
    return items[start:end]


def _one(items: object) -> object:
    items = _collection(items, "one()")
    if len(items) > 1:
        raise EvalError("one(): more than one element")
    return items[0] if items else None


def _regex_free(name: str):
    def refuse(*args):
        raise _NotStatic(f"{name}() uses a regular expression, which prc does not evaluate")
    return refuse


def _index(items: object, value: object) -> int:
    for i, item in enumerate(_collection(items, "index()")):
        if same_value(item, value):
            return i
    raise EvalError("index(): the value is not in the list")


def _jsondecode(text: object) -> object:
    try:
        return json.loads(_to_string(text))
    except json.JSONDecodeError as exc:
        raise EvalError(f"jsondecode(): not valid JSON: {exc.msg} (line {exc.lineno})") from None


def _base64decode(text: object) -> str:
    try:
        return base64.b64decode(_to_string(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise EvalError(f"base64decode(): {exc}") from None


def _tonumber(value: object) -> object:
    return None if value is None else _to_number(value)


def _tostring(value: object) -> object:
    return None if value is None else _to_string(value)


def _tobool(value: object) -> object:
    return None if value is None else _to_bool(value)


def _join(separator: object, *lists: object) -> str:
    items = [item for value in lists for item in _collection(value, "join()")]
    return _to_string(separator).join(_to_string(i) for i in items)


def _sort(items: object) -> list:
    return sorted(_to_string(i) for i in _collection(items, "sort()"))


def _minmax(pick):
    def run(*args):
        numbers = [_to_number(a) for a in args]
        if not numbers:
            raise EvalError("needs at least one number")
        return pick(numbers)
    return run


FUNCTIONS: dict[str, Callable] = {
    "jsonencode": to_json,
    "jsondecode": _jsondecode,
    "merge": _merge,
    "concat": _concat,
    "length": _length,
    "lookup": _lookup,
    "element": _element,
    "format": _format,
    "formatlist": lambda spec, *lists: [_format(spec, *row) for row in zip(*[_collection(x, "formatlist()")
                                                                           for x in lists])],
    "join": _join,
    "split": lambda sep, text: _to_string(text).split(_to_string(sep)) if _to_string(text) else [],
    "upper": lambda s: _to_string(s).upper(),
    "lower": lambda s: _to_string(s).lower(),
    "title": lambda s: re.sub(r"\b\w", lambda m: m.group().upper(), _to_string(s)),
    "trimspace": lambda s: _to_string(s).strip(),
    "trim": lambda s, chars: _to_string(s).strip(_to_string(chars)),
    "trimprefix": lambda s, p: _to_string(s)[len(_to_string(p)):] if _to_string(s).startswith(_to_string(p))
    else _to_string(s),
    "trimsuffix": lambda s, p: _to_string(s)[:-len(_to_string(p))] if _to_string(p)
    and _to_string(s).endswith(_to_string(p)) else _to_string(s),
    "startswith": lambda s, p: _to_string(s).startswith(_to_string(p)),
    "endswith": lambda s, p: _to_string(s).endswith(_to_string(p)),
    "strcontains": lambda s, p: _to_string(p) in _to_string(s),
    "replace": _replace,
    "substr": _substr,
    "chomp": lambda s: _to_string(s).rstrip("\r\n"),
    "indent": lambda n, s: _to_string(s).replace("\n", "\n" + " " * _to_int(n)),
    "strrev": lambda s: _to_string(s)[::-1],
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": lambda v: _tolist_or_set(v, False),
    "toset": lambda v: _tolist_or_set(v, True),
    "tomap": lambda v: dict(_mapping(v, "tomap()")),
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": lambda items: [i for i in _collection(items, "compact()") if i is not None and i != ""],
    "distinct": _distinct,
    "flatten": _flatten,
    "keys": _keys,
    "values": _values,
    "contains": _contains,
    "zipmap": _zipmap,
    "range": _range,
    "slice": _slice,
    "reverse": lambda items: list(reversed(_collection(items, "reverse()"))),
    "sort": _sort,
    "one": _one,
    "index": _index,
    "alltrue": lambda items: all(_to_bool(i) for i in _collection(items, "alltrue()")),
    "anytrue": lambda items: any(_to_bool(i) for i in _collection(items, "anytrue()")),
    "sum": lambda items: _tidy(sum(_to_number(i) for i in _collection(items, "sum()"))),
    "min": _minmax(min),
    "max": _minmax(max),
    "abs": lambda n: abs(_to_number(n)),
    "ceil": lambda n: math.ceil(_to_number(n)),
    "floor": lambda n: math.floor(_to_number(n)),
    "signum": lambda n: (_to_number(n) > 0) - (_to_number(n) < 0),
    "pow": lambda a, b: _tidy(math.pow(_to_number(a), _to_number(b))),
    "log": lambda a, b: math.log(_to_number(a), _to_number(b)),
    "parseint": lambda s, base: int(_to_string(s), _to_int(base)),
    "base64encode": lambda s: base64.b64encode(_to_string(s).encode()).decode(),
    "base64decode": _base64decode,
    "md5": lambda s: hashlib.md5(_to_string(s).encode()).hexdigest(),
    "sha1": lambda s: hashlib.sha1(_to_string(s).encode()).hexdigest(),
    "sha256": lambda s: hashlib.sha256(_to_string(s).encode()).hexdigest(),
    "sha512": lambda s: hashlib.sha512(_to_string(s).encode()).hexdigest(),
    "basename": lambda p: _to_string(p).rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda p: _to_string(p).rsplit("/", 1)[0] if "/" in _to_string(p) else ".",
    "setunion": lambda *sets: _tolist_or_set([i for s in sets for i in _collection(s, "setunion()")], True),
    "setintersection": lambda first, *rest: [i for i in _tolist_or_set(first, True)
                                             if all(_contains(r, i) for r in rest)],
    "setsubtract": lambda a, b: [i for i in _tolist_or_set(a, True) if not _contains(b, i)],
    "chunklist": lambda items, size: [_collection(items, "chunklist()")[i:i + _to_int(size)]
                                      for i in range(0, len(items), max(_to_int(size), 1))],
    "transpose": lambda m: {v: sorted(k for k, vs in _mapping(m, "transpose()").items() if v in vs)
                            for vs in _mapping(m, "transpose()").values() for v in vs},
    "regex": _regex_free("regex"),
    "regexall": _regex_free("regexall"),
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
    "type": lambda v: _type_name(v),
}

# Functions that look at Unresolved arguments themselves (a merge with an unknown map is unknown as a whole;
# the length of a list with an unknown item is still known).
_LENIENT = {"length", "merge", "concat", "coalesce"}


def _coalesce_lenient(*values: object) -> object:
    for value in values:
        if isinstance(value, Unresolved):
            return value  # it might be null or empty, so what follows might be the answer: unknown
        if value is not None and value != "":
            return value
    raise EvalError("coalesce(): no non-null, non-empty argument")


FUNCTIONS["coalesce"] = _coalesce_lenient
