"""HCL native syntax (Terraform's `.tf`, `.tfvars`) parsed into a small syntax tree with source offsets.

A hand-written recursive-descent parser, chosen by measurement (bench/README.md): on the 1,000-file
generated tree it is several times faster than python-hcl2 and faster than bc-python-hcl2 and tfparse,
and it keeps what the evaluator needs and the libraries drop: the start and end offset of every
expression (an unresolved value names its exact source text), the line of every attribute, block and
object key, and syntax errors with the line, column and what was expected.

The tree is plain tuples, lists, dicts and strings (picklable, for a parse cache or a process pool):

    body       = Body(attrs: {name: Attr}, blocks: [Block])
    Attr       = (name, expr, line)
    Block      = (type, labels: tuple[str], body, line, end_line)
    expr       = (tag, start, end, ...) with tag one of:
      LIT   value                       a number, bool, null or a string without interpolation
      TPL   parts                       template: parts are str, expr, or directives (IF/FOR tuples)
      REF   name, steps                 `var.x.y[0]`: root name, steps ("." name | "[" expr | "*" splat)
      CALL  name, args, expand          `f(a, b...)`
      TUP   items
      OBJ   items: [(key_expr, value_expr, line)]
      COND  cond, then, else
      BIN   op, left, right
      UN    op, operand
      FORX  key_var, value_var, collection, key_expr, value_expr, cond, grouping   (`[for ...]`/`{for ...}`)
      POST  base, steps                 traversal after a non-name expression: `f(x)[0]`, `(a).b`
      PAREN inner
    template directives inside TPL parts:
      ("if", cond, then_parts, else_parts), ("for", key_var, value_var, collection, parts)

`parse_hcl(text)` returns the top-level Body or raises HclError(message, offset); `HclError.line_col(text)`
turns the offset into a 1-based line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

LIT, TPL, REF, CALL, TUP, OBJ, COND, BIN, UN, FORX, POST, PAREN = (
    "lit", "tpl", "ref", "call", "tup", "obj", "cond", "bin", "un", "for", "post", "paren")

# Deeper nesting than this is refused instead of exhausting Python's stack.
MAX_DEPTH = 100


class HclError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset

    def line_col(self, text: str) -> tuple[int, int]:
        offset = min(self.offset, len(text))
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Body:
    """A block body: attributes by name (in file order) and nested blocks (in file order)."""

    __slots__ = ("attrs", "blocks")

    def __init__(self):
        self.attrs: dict[str, tuple] = {}
        self.blocks: list[tuple] = []

    def __getstate__(self):
        return self.attrs, self.blocks

    def __setstate__(self, state):
        self.attrs, self.blocks = state


class LineIndex:
    """Offset -> 1-based line, by bisecting the offsets of the newlines."""

    __slots__ = ("newlines",)

    def __init__(self, text: str):
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)]

    def line(self, offset: int) -> int:
        return bisect_right(self.newlines, offset - 1) + 1


_NEWLINE = re.compile(r"\n")
# Spaces and comments, newlines included (inside brackets, parentheses and between body items).
_SKIP_NL = re.compile(r"(?:[ \t\r\n\f\v]+|#[^\n]*|//[^\n]*|/\*(?s:.*?)\*/)*")
# Spaces and comments on the current line (a /* */ comment may still span lines).
_SKIP = re.compile(r"(?:[ \t\r\f\v]+|/\*(?s:.*?)\*/)*")
_LINE_END = re.compile(r"[ \t\r\f\v]*(?:(?:#|//)[^\n]*)?(?:\n|\Z)")
_IDENT = re.compile(r"[^\W\d][\w-]*")
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
# A quoted string with no escape, interpolation or directive: most strings in real files.
_SIMPLE_STRING = re.compile(r'"([^"\\$%\n]*)"')
# The value of an attribute that is one literal on its own line: `name = "x"`, `count = 2`, `enabled = true`.
_SIMPLE_VALUE = re.compile(
    r'(?:"([^"\\$%\n]*)"|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null))'
    r"(?=[ \t\r]*(?:#|//|\n|\Z|\}))")
# A plain reference alone on its line: `vpc_id = var.vpc_id`, `role = aws_iam_role.app.name`.
_SIMPLE_REF = re.compile(r"([^\W\d][\w-]*)((?:\.[^\W\d][\w-]*|\[\d+\])*)(?=[ \t\r]*(?:#|//|\n|\Z|\}))")
_REF_STEP = re.compile(r"\.([^\W\d][\w-]*)|\[(\d+)\]")
_QUOTED_CHUNK = re.compile(r"[^\"\\$%\n]+|\$\$\{|%%\{|\$(?!\{)|%(?!\{)")
_HEREDOC_CHUNK = re.compile(r"[^$%]+|\$\$\{|%%\{|\$(?!\{)|%(?!\{)")
_HEREDOC_START = re.compile(r"<<(-?)([^\W\d][\w-]*)[ \t]*\r?\n")
_DIRECTIVE = re.compile(r"%\{(~?)[ \t\r\n]*(if|else|endif|for|endfor)\b")
_OPERATORS = (
    ("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"), ("+", "-"), ("*", "/", "%"))
_BINARY = re.compile(r"\|\||&&|==|!=|<=|>=|<(?!<)|>|\+|-|\*|/(?![/*])|%")
_OPERATOR_STARTS = frozenset("|&=!<>+-*/%")
_PRECEDENCE = {op: level for level, ops in enumerate(_OPERATORS) for op in ops}
_KEYWORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _number(text: str):
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    return int(text)


def describe(text: str, pos: int) -> str:
    """What the parser found at `pos`, for an error message."""
    if pos >= len(text):
        return "the end of the file"
    ch = text[pos]
    if ch == "\n":
        return "the end of the line"
    match = _IDENT.match(text, pos)
    if match:
        return f'"{match.group()}"'
    return "'\"'" if ch == '"' else f'"{ch}"'


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.depth = 0
        self._line_pos = 0  # a running line count: parsing moves forward, so counting stays linear
        self._line_no = 1

    def line(self, pos: int) -> int:
        if pos >= self._line_pos:
            self._line_no += self.text.count("\n", self._line_pos, pos)
        else:
            self._line_no -= self.text.count("\n", pos, self._line_pos)
        self._line_pos = pos
        return self._line_no

    # -- errors -----------------------------------------------------------------------------------

    def fail(self, expected: str, pos: int):
        if self.text.startswith("/*", pos):  # the skipping regexes pass over closed comments only
            raise HclError('unterminated comment: "/*" is never closed with "*/"', pos)
        raise HclError(f"expected {expected}, found {describe(self.text, pos)}", pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise HclError(f"nesting deeper than {MAX_DEPTH} levels", pos)

    # -- bodies -------------------------------------------------------------------------------------

    def body(self, pos: int, closing: int | None) -> tuple[Body, int]:
        """Attributes and blocks up to the `}` at the end of a block (`closing` is where its `{` is), or the
        end of the file; returns the body and the offset after the `}`."""
        text, n = self.text, self.n
        body = Body()
        attrs, blocks = body.attrs, body.blocks
        skip_nl, ident = _SKIP_NL.match, _IDENT.match
        while True:
            pos = skip_nl(text, pos).end()
            if pos >= n:
                if closing is not None:
                    raise HclError('unclosed block: expected "}" before the end of the file for the "{" opened on '
                                   f"line {text.count(chr(10), 0, closing) + 1}", closing)
                return body, pos
            ch = text[pos]
            if ch == "}":
                if closing is None:
                    raise HclError('unexpected "}": no block is open here', pos)
                return body, pos + 1
            match = ident(text, pos)
            if not match:
                self.fail("an attribute name or a block type", pos)
            name, start = match.group(), pos
            pos = _SKIP.match(text, match.end()).end()
            ch = text[pos] if pos < n else ""
            if ch == "=" and text[pos + 1:pos + 2] != "=":
                if name in attrs:
                    raise HclError(f'attribute "{name}" is already set in this block on line '
                                   f"{attrs[name][2]}", start)
                expr, pos = self.attribute_value(pos + 1)
                attrs[name] = (name, expr, self.line(start))
                pos = self.end_of_item(pos, closing)
            elif ch == "{" or ch == '"' or ident(text, pos):
                block, pos = self.block(name, start, pos)
                blocks.append(block)
            else:
                self.fail(f'"=" after the attribute name "{name}", or a block label or "{{"', pos)

    def end_of_item(self, pos: int, closing: int | None) -> int:
        """After an attribute or a block: the rest of the line must be empty, or close a one-line block."""
        text = self.text
        match = _LINE_END.match(text, pos)
        if match:
            return match.end()
        pos = _SKIP.match(text, pos).end()
        if closing is not None and pos < self.n and text[pos] == "}":
            return pos  # `block { name = value }` on one line
        self.fail("a newline after the attribute value", pos)

    def attribute_value(self, pos: int) -> tuple[tuple, int]:
        text = self.text
        pos = _SKIP.match(text, pos).end()
        match = _SIMPLE_VALUE.match(text, pos)
        if match:
            string, number, keyword = match.groups()
            end = match.end()
            if string is not None:
                return (LIT, pos, end, string), end
            if number is not None:
                return (LIT, pos, end, _number(number)), end
            return (LIT, pos, end, _KEYWORDS[keyword]), end
        match = _SIMPLE_REF.match(text, pos)
        if match and match.group(1) not in _KEYWORDS and match.group(1) != "for":
            rest = match.group(2)
            steps = tuple((".", a) if a else ("[", (LIT, 0, 0, int(b))) for a, b in _REF_STEP.findall(rest)) \
                if rest else ()
            end = match.end()
            if text[end:end + 1] != "(":
                return (REF, pos, end, match.group(1), steps), end
        return self.expression(pos, False)

    def block(self, block_type: str, start: int, pos: int) -> tuple[tuple, int]:
        text, n = self.text, self.n
        labels = []
        while True:
            if pos >= n or text[pos] in "\r\n#" or text.startswith("//", pos):
                shown = " ".join([block_type] + [f'"{label}"' for label in labels])
                self.fail(f'"=" to set the attribute "{block_type}", or "{{" to open the block {shown}', pos)
            ch = text[pos]
            if ch == "{":
                break
            if ch == '"':
                match = _SIMPLE_STRING.match(text, pos)
                if match:
                    labels.append(match.group(1))
                    pos = match.end()
                else:
                    label, pos = self.quoted(pos)
                    if label[0] != LIT:
                        raise HclError("a block label cannot contain an interpolation or a directive", label[1])
                    labels.append(label[3])
            else:
                match = _IDENT.match(text, pos)
                if not match:
                    self.fail(f'a block label or "{{" after "{block_type}"', pos)
                labels.append(match.group())
                pos = match.end()
            pos = _SKIP.match(text, pos).end()
        line = self.line(start)
        open_at = pos
        self.enter(pos)
        inner = _SKIP.match(text, pos + 1).end()
        if inner < n and text[inner] == "}":
            body, pos = Body(), inner + 1  # `name {}`
        elif _LINE_END.match(text, inner):
            body, pos = self.body(inner, open_at)
        else:
            body, pos = self.one_line_block(inner, open_at)
        self.depth -= 1
        end_line = self.line(pos - 1)
        match = _LINE_END.match(text, pos)
        pos = match.end() if match else self.after_block(pos)
        return (block_type, tuple(labels), body, line, end_line), pos

    def after_block(self, pos: int) -> int:
        text = self.text
        pos = _SKIP.match(text, pos).end()
        if pos < self.n and text[pos] == "}":
            return pos  # a block closing right after a nested one-line block
        self.fail('a newline after the "}" that closes the block', pos)

    def one_line_block(self, pos: int, open_at: int) -> tuple[Body, int]:
        """`name { attr = value }`: a single attribute on the block's own line."""
        text = self.text
        body = Body()
        match = _IDENT.match(text, pos)
        if not match:
            self.fail('an attribute name or "}" after "{"', pos)
        name = match.group()
        pos = _SKIP.match(text, match.end()).end()
        if text[pos:pos + 1] != "=" or text[pos + 1:pos + 2] == "=":
            self.fail(f'"=" after "{name}" (a block on one line holds one attribute)', pos)
        expr, pos = self.expression(_SKIP.match(text, pos + 1).end(), False)
        body.attrs[name] = (name, expr, self.line(match.start()))
        pos = _SKIP.match(text, pos).end()
        if text[pos:pos + 1] != "}":
            self.fail('"}" to close a block written on one line', pos)
        return body, pos + 1

    # -- expressions ---------------------------------------------------------------------------------

    def skip(self, pos: int, nl: bool) -> int:
        return (_SKIP_NL if nl else _SKIP).match(self.text, pos).end()

    def expression(self, pos: int, nl: bool) -> tuple[tuple, int]:
        """A full expression, conditional included. `nl`: newlines are spaces (inside brackets)."""
        start = pos = self.skip(pos, nl)
        cond, pos = self.binary(pos, nl, 0)
        after = self.skip(pos, nl)
        if after < self.n and self.text[after] == "?":
            then, pos = self.expression(after + 1, nl)
            pos = self.skip(pos, nl)
            if pos >= self.n or self.text[pos] != ":":
                self.fail('":" in the conditional expression', pos)
            other, pos = self.expression(pos + 1, nl)
            cond = (COND, start, pos, cond, then, other)
        return cond, pos

    def binary(self, pos: int, nl: bool, min_level: int) -> tuple[tuple, int]:
        """Operators by precedence climbing: each operand is parsed once, whatever the number of levels."""
        start = pos
        left, pos = self.unary(pos, nl)
        text, n = self.text, self.n
        skip = (_SKIP_NL if nl else _SKIP).match
        while True:
            after = skip(text, pos).end()
            if after >= n or text[after] not in _OPERATOR_STARTS:
                return left, pos
            match = _BINARY.match(text, after)
            if not match:
                return left, pos
            op = match.group()
            level = _PRECEDENCE[op]
            if level < min_level:
                return left, pos
            right, pos = self.binary(skip(text, match.end()).end(), nl, level + 1)
            left = (BIN, start, pos, op, left, right)

    def unary(self, pos: int, nl: bool) -> tuple[tuple, int]:
        text = self.text
        if pos < self.n and text[pos] in "-!":
            op = text[pos]
            self.enter(pos)
            operand, end = self.unary(self.skip(pos + 1, nl), nl)
            self.depth -= 1
            if op == "-" and operand[0] == LIT and isinstance(operand[3], (int, float)) \
                    and not isinstance(operand[3], bool):
                return (LIT, pos, end, -operand[3]), end
            return (UN, pos, end, op, operand), end
        return self.postfix(pos, nl)

    def postfix(self, pos: int, nl: bool) -> tuple[tuple, int]:
        start = pos
        node, pos = self.primary(pos, nl)
        steps = []
        text, n = self.text, self.n
        while pos < n:
            ch = text[pos]
            if ch == ".":
                nxt = text[pos + 1:pos + 2]
                if nxt == ".":
                    break  # `...`: grouping in a for expression, or an expanded final argument
                if nxt == "*":
                    steps.append(("*", None))
                    pos += 2
                    continue
                match = _IDENT.match(text, pos + 1)
                if match:
                    steps.append((".", match.group()))
                    pos = match.end()
                    continue
                match = _DIGITS.match(text, pos + 1)
                if match:  # legacy `list.0`
                    steps.append(("[", (LIT, pos + 1, match.end(), int(match.group()))))
                    pos = match.end()
                    continue
                self.fail('an attribute name after "."', pos + 1)
            elif ch == "[":
                inner = self.skip(pos + 1, True)
                if text[inner:inner + 1] == "*":
                    close = self.skip(inner + 1, True)
                    if text[close:close + 1] != "]":
                        self.fail('"]" after "[*"', close)
                    steps.append(("[*]", None))
                    pos = close + 1
                    continue
                key, pos = self.expression(inner, True)
                pos = self.skip(pos, True)
                if pos >= n or text[pos] != "]":
                    self.fail('"]" to close the index', pos)
                steps.append(("[", key))
                pos += 1
            else:
                break
        if not steps:
            return node, pos
        if node[0] == REF:
            return (REF, start, pos, node[3], node[4] + tuple(steps)), pos
        return (POST, start, pos, node, tuple(steps)), pos

    def primary(self, pos: int, nl: bool) -> tuple[tuple, int]:
        text, n = self.text, self.n
        if pos >= n:
            self.fail("an expression", pos)
        ch = text[pos]
        if ch == '"':
            match = _SIMPLE_STRING.match(text, pos)
            if match:
                return (LIT, pos, match.end(), match.group(1)), match.end()
            return self.quoted(pos)
        if ch.isdigit():
            match = _NUMBER.match(text, pos)
            return (LIT, pos, match.end(), _number(match.group())), match.end()
        if ch == "[":
            return self.tuple_or_for(pos)
        if ch == "{":
            return self.object_or_for(pos)
        if ch == "(":
            self.enter(pos)
            inner, end = self.expression(pos + 1, True)
            end = self.skip(end, True)
            if end >= n or text[end] != ")":
                self.fail('")" to close the parenthesis', end)
            self.depth -= 1
            return (PAREN, pos, end + 1, inner), end + 1
        if ch == "<" and text.startswith("<<", pos):
            return self.heredoc(pos)
        match = _IDENT.match(text, pos)
        if not match:
            self.fail("an expression", pos)
        name, end = match.group(), match.end()
        if name in _KEYWORDS:
            return (LIT, pos, end, _KEYWORDS[name]), end
        # Namespaced function names: `provider::aws::arn_parse(...)`, `core::max(...)`.
        while text.startswith("::", end):
            more = _IDENT.match(text, end + 2)
            if not more:
                self.fail('a function name after "::"', end + 2)
            name, end = f"{name}::{more.group()}", more.end()
        after = _SKIP.match(text, end).end()
        if after < n and text[after] == "(":
            return self.call(name, pos, after)
        if "::" in name:
            self.fail(f'"(" to call the function {name}', after)
        return (REF, pos, end, name, ()), end

    def call(self, name: str, start: int, pos: int) -> tuple[tuple, int]:
        text = self.text
        args = []
        expand = False
        pos = self.skip(pos + 1, True)
        self.enter(pos)
        while True:
            if pos >= self.n:
                self.fail(f'")" to close the call to {name}()', pos)
            if text[pos] == ")":
                break
            if expand:
                self.fail(f'")" after the expanded final argument "..." of {name}()', pos)
            arg, pos = self.expression(pos, True)
            args.append(arg)
            pos = self.skip(pos, True)
            if text.startswith("...", pos):
                expand = True
                pos = self.skip(pos + 3, True)
            if pos < self.n and text[pos] == ",":
                pos = self.skip(pos + 1, True)
            elif pos < self.n and text[pos] != ")":
                self.fail(f'"," or ")" in the arguments of {name}()', pos)
        self.depth -= 1
        return (CALL, start, pos + 1, name, tuple(args), expand), pos + 1

    def for_intro(self, pos: int) -> tuple[str | None, str, tuple, int]:
        """`for k, v in coll :` after the opening bracket; returns key var, value var, collection, offset."""
        text = self.text
        pos = self.skip(pos + 3, True)
        first = _IDENT.match(text, pos)
        if not first:
            self.fail("a variable name after \"for\"", pos)
        pos = self.skip(first.end(), True)
        key_var, value_var = None, first.group()
        if text[pos:pos + 1] == ",":
            second = _IDENT.match(text, self.skip(pos + 1, True))
            if not second:
                self.fail('a second variable name after ","', self.skip(pos + 1, True))
            key_var, value_var = first.group(), second.group()
            pos = self.skip(second.end(), True)
        if not text.startswith("in", pos) or _IDENT.match(text, pos).group() != "in":
            self.fail('"in" in the for expression', pos)
        collection, pos = self.expression(pos + 2, True)
        pos = self.skip(pos, True)
        if text[pos:pos + 1] != ":":
            self.fail('":" after the collection of the for expression', pos)
        return key_var, value_var, collection, self.skip(pos + 1, True)

    def for_cond(self, pos: int, closing: str) -> tuple[tuple | None, int]:
        text = self.text
        pos = self.skip(pos, True)
        cond = None
        match = _IDENT.match(text, pos)
        if match and match.group() == "if":
            cond, pos = self.expression(match.end(), True)
            pos = self.skip(pos, True)
        if text[pos:pos + 1] != closing:
            self.fail(f'"{closing}" to close the for expression', pos)
        return cond, pos + 1

    def _starts_for(self, pos: int) -> bool:
        text = self.text
        return text.startswith("for", pos) and text[pos + 3:pos + 4] in (" ", "\t", "\n", "\r")

    def tuple_or_for(self, start: int) -> tuple[tuple, int]:
        text = self.text
        self.enter(start)
        pos = self.skip(start + 1, True)
        if self._starts_for(pos):
            key_var, value_var, collection, pos = self.for_intro(pos)
            value, pos = self.expression(pos, True)
            cond, pos = self.for_cond(pos, "]")
            self.depth -= 1
            return (FORX, start, pos, key_var, value_var, collection, None, value, cond, False), pos
        items = []
        while True:
            if pos >= self.n:
                raise HclError('unclosed "[": expected "]" before the end of the file', start)
            if text[pos] == "]":
                break
            item, pos = self.expression(pos, True)
            items.append(item)
            pos = self.skip(pos, True)
            if pos < self.n and text[pos] == ",":
                pos = self.skip(pos + 1, True)
            elif pos < self.n and text[pos] != "]":
                self.fail('"," or "]" in the list', pos)
        self.depth -= 1
        return (TUP, start, pos + 1, tuple(items)), pos + 1

    def object_or_for(self, start: int) -> tuple[tuple, int]:
        text, n = self.text, self.n
        self.enter(start)
        pos = self.skip(start + 1, True)
        if self._starts_for(pos):
            key_var, value_var, collection, pos = self.for_intro(pos)
            key, pos = self.expression(pos, True)
            pos = self.skip(pos, True)
            if not text.startswith("=>", pos):
                self.fail('"=>" between the key and the value of the for expression', pos)
            value, pos = self.expression(pos + 2, True)
            pos = self.skip(pos, True)
            grouping = text.startswith("...", pos)
            if grouping:
                pos += 3
            cond, pos = self.for_cond(pos, "}")
            self.depth -= 1
            return (FORX, start, pos, key_var, value_var, collection, key, value, cond, grouping), pos
        items = []
        while True:
            if pos >= n:
                raise HclError('unclosed "{": expected "}" before the end of the file', start)
            if text[pos] == "}":
                break
            key_start = pos
            ident = _IDENT.match(text, pos)
            if ident and ident.group() not in _KEYWORDS and \
                    _SKIP.match(text, ident.end()).end() < n and text[_SKIP.match(text, ident.end()).end()] in "=:":
                key = (LIT, pos, ident.end(), ident.group())  # a bare name is the key itself, not a variable
                pos = ident.end()
            else:
                key, pos = self.expression(pos, False)
            pos = self.skip(pos, False)
            if pos >= n or text[pos] not in "=:" or text.startswith("==", pos):
                self.fail('"=" or ":" after the object key', pos)
            value, pos = self.expression(pos + 1, False)
            items.append((key, value, self.line(key_start)))
            pos = self.skip(pos, False)
            if pos < n and text[pos] == ",":
                pos = self.skip(pos + 1, True)
            elif pos < n and text[pos] in "\n#/\r":
                pos = self.skip(pos, True)
            elif pos < n and text[pos] != "}":
                self.fail('"," or a newline between the items of the object, or "}"', pos)
        self.depth -= 1
        return (OBJ, start, pos + 1, tuple(items)), pos + 1

    # -- templates ---------------------------------------------------------------------------------

    def quoted(self, start: int) -> tuple[tuple, int]:
        parts, pos = self.template(start + 1, quoted=True, stop=None)
        return _template_node(parts, start, pos), pos

    def heredoc(self, start: int) -> tuple[tuple, int]:
        text = self.text
        match = _HEREDOC_START.match(text, start)
        if not match:
            self.fail('a heredoc marker like "<<EOF" followed by a newline', start + 2)
        trim, marker = match.group(1) == "-", match.group(2)
        content_start = match.end()
        closing = _heredoc_end(marker).search(text, content_start)
        if not closing:
            line = text.count("\n", 0, start) + 1
            raise HclError(f'unterminated heredoc: no line "{marker}" closes the heredoc "<<{match.group(1)}{marker}"'
                           f" opened on line {line}", start)
        parts, _ = self.template(content_start, quoted=False, stop=closing.start())
        if trim:
            parts = _trim_heredoc(parts)
        end = closing.end()
        return _template_node(parts, start, end), end

    def template(self, pos: int, quoted: bool, stop: int | None) -> tuple[list, int]:
        """Template parts up to the closing quote (quoted) or to `stop` (a heredoc's content end). Returns the
        parts and the offset after the closing quote (or `stop`). Directives nest: if/else/endif, for/endfor."""
        stack: list[tuple] = []  # open directives: (kind, data, parts-before, start)
        parts: list = []
        text = self.text
        limit = stop if stop is not None else self.n
        chunk = _QUOTED_CHUNK if quoted else _HEREDOC_CHUNK
        literal: list[str] = []

        def flush():
            if literal:
                parts.append("".join(literal))
                literal.clear()

        while True:
            if pos >= limit:
                if quoted:
                    raise HclError('unterminated string: expected a closing "\\"" before the end of the file',
                                   pos)
                break
            ch = text[pos]
            if quoted and ch == '"':
                pos += 1
                break
            if quoted and ch == "\n":
                raise HclError('unterminated string: a quoted string must end on the line it starts '
                               '(use a heredoc "<<EOT" for text on several lines)', pos)
            if quoted and ch == "\\":
                value, pos = self.escape(pos)
                literal.append(value)
                continue
            if text.startswith("${", pos):
                strip_before = text[pos + 2:pos + 3] == "~"
                if strip_before:
                    _strip_trailing(literal, parts)
                flush()
                self.enter(pos)
                expr, end = self.expression(pos + (3 if strip_before else 2), True)
                self.depth -= 1
                end = self.skip(end, True)
                strip_after = text[end:end + 1] == "~"
                if strip_after:
                    end += 1
                if end >= limit or text[end] != "}":
                    self.fail('"}" to close the interpolation "${"', end)
                parts.append(expr)
                pos = end + 1
                if strip_after:
                    pos = _skip_spaces_in_template(text, pos, limit, quoted)
                continue
            if text.startswith("%{", pos):
                directive = _DIRECTIVE.match(text, pos)
                if not directive:
                    self.fail('a template directive "%{if ...}", "%{for ...}", "%{else}", "%{endif}" or "%{endfor}"',
                              pos + 2)
                if directive.group(1):
                    _strip_trailing(literal, parts)
                flush()
                kind = directive.group(2)
                inner = self.skip(directive.end(), True)
                if kind == "if":
                    cond, inner = self.expression(inner, True)
                    stack.append(("if", cond, parts, pos, None))
                    parts = []
                elif kind == "for":
                    key_var, value_var, collection, inner = self._template_for(directive.end())
                    stack.append(("for", (key_var, value_var, collection), parts, pos, None))
                    parts = []
                elif kind == "else":
                    if not stack or stack[-1][0] != "if" or stack[-1][4] is not None:
                        raise HclError('"%{else}" without an open "%{if}"', pos)
                    top = stack.pop()
                    stack.append(("if", top[1], top[2], top[3], parts))
                    parts = []
                elif kind == "endif":
                    if not stack or stack[-1][0] != "if":
                        raise HclError('"%{endif}" without an open "%{if}"', pos)
                    _, cond, before, _, then_parts = stack.pop()
                    if then_parts is None:
                        node = ("if", cond, parts, [])
                    else:
                        node = ("if", cond, then_parts, parts)
                    parts = before
                    parts.append(node)
                else:  # endfor
                    if not stack or stack[-1][0] != "for":
                        raise HclError('"%{endfor}" without an open "%{for}"', pos)
                    _, (key_var, value_var, collection), before, _, _ = stack.pop()
                    node = ("for", key_var, value_var, collection, parts)
                    parts = before
                    parts.append(node)
                inner = self.skip(inner, True)
                strip_after = text[inner:inner + 1] == "~"
                if strip_after:
                    inner += 1
                if inner >= limit or text[inner] != "}":
                    self.fail(f'"}}" to close the "%{{{kind}" directive', inner)
                pos = inner + 1
                if strip_after:
                    pos = _skip_spaces_in_template(text, pos, limit, quoted)
                continue
            match = chunk.match(text, pos, limit)
            if not match:  # a lone "$" or "%" at the very end of the heredoc
                literal.append(ch)
                pos += 1
                continue
            value = match.group()
            if value == "$${":
                value = "${"
            elif value == "%%{":
                value = "%{"
            literal.append(value)
            pos = match.end()
        if stack:
            kind, _, _, opened, _ = stack[-1]
            raise HclError(f'"%{{{kind}}}" directive is never closed with "%{{end{kind}}}"', opened)
        flush()
        return parts, pos

    def _template_for(self, pos: int) -> tuple[str | None, str, tuple, int]:
        text = self.text
        pos = self.skip(pos, True)
        first = _IDENT.match(text, pos)
        if not first:
            self.fail('a variable name after "%{for"', pos)
        pos = self.skip(first.end(), True)
        key_var, value_var = None, first.group()
        if text[pos:pos + 1] == ",":
            second = _IDENT.match(text, self.skip(pos + 1, True))
            if not second:
                self.fail('a second variable name after ","', pos + 1)
            key_var, value_var = first.group(), second.group()
            pos = self.skip(second.end(), True)
        word = _IDENT.match(text, pos)
        if not word or word.group() != "in":
            self.fail('"in" in the "%{for}" directive', pos)
        collection, pos = self.expression(word.end(), True)
        return key_var, value_var, collection, pos

    def escape(self, pos: int) -> tuple[str, int]:
        text = self.text
        code = text[pos + 1:pos + 2]
        if code in _ESCAPES:
            return _ESCAPES[code], pos + 2
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = text[pos + 2:pos + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                value = int(digits, 16)
                if value <= 0x10FFFF:
                    return chr(value), pos + 2 + width
        raise HclError(f'invalid escape "\\{code}" in a quoted string (valid: \\n \\r \\t \\" \\\\ \\uNNNN)', pos)


@lru_cache(maxsize=256)
def _heredoc_end(marker: str) -> re.Pattern:
    """The line that closes a heredoc: the marker alone, maybe indented (for `<<EOT` as well as `<<-EOT`)."""
    return re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M)


def _template_node(parts: list, start: int, end: int) -> tuple:
    if not parts:
        return (LIT, start, end, "")
    if len(parts) == 1 and isinstance(parts[0], str):
        return (LIT, start, end, parts[0])
    return (TPL, start, end, tuple(parts))


def _strip_trailing(literal: list[str], parts: list) -> None:
    """`~` before an interpolation or directive strips the whitespace (newlines included) before it."""
    if literal:
        joined = "".join(literal).rstrip(" \t\r\n")
        literal.clear()
        if joined:
            literal.append(joined)
    elif parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip(" \t\r\n")


def _skip_spaces_in_template(text: str, pos: int, limit: int, quoted: bool) -> int:
    while pos < limit and text[pos] in " \t\r\n":
        if quoted and text[pos] == "\n":
            break
        pos += 1
    return pos


def _trim_heredoc(parts: list) -> list:
    """`<<-EOT`: remove the smallest indentation of the non-blank lines from every line."""
    lines_text = "".join(p if isinstance(p, str) else "\x00" for p in parts)
    indents = []
    for line in lines_text.split("\n"):
        stripped = line.lstrip(" \t")
        if stripped:
            indents.append(len(line) - len(stripped))
    indent = min(indents) if indents else 0
    if not indent:
        return parts
    out = []
    at_line_start = True
    for part in parts:
        if not isinstance(part, str):
            out.append(part)
            at_line_start = False
            continue
        pieces = part.split("\n")
        trimmed = []
        for i, piece in enumerate(pieces):
            if i > 0 or at_line_start:
                cut = 0
                while cut < indent and cut < len(piece) and piece[cut] in " \t":
                    cut += 1
                piece = piece[cut:]
            trimmed.append(piece)
        out.append("\n".join(trimmed))
        at_line_start = part.endswith("\n")
    return [p for p in out if p != ""]


def parse_hcl(text: str) -> Body:
    """The top-level body of an HCL file; HclError with the offset of the first syntax error."""
    parser = _Parser(text)
    try:
        body, _ = parser.body(0, None)
    except RecursionError:
        raise HclError(f"nesting is too deep to read (more than {MAX_DEPTH} levels)", 0) from None
    return body


def parse_expression(text: str) -> tuple:
    """One expression filling the whole text (a tfvars value given on its own, a .tf.json template)."""
    parser = _Parser(text)
    expr, pos = parser.expression(0, True)
    pos = parser.skip(pos, True)
    if pos < len(text):
        parser.fail("the end of the expression", pos)
    return expr


def parse_template(text: str) -> tuple:
    """A string as a template (the strings of .tf.json files and templatefile() contents): `${...}` and
    `%{...}` sequences are evaluated, everything else is literal text."""
    parser = _Parser(text)
    parts, _ = parser.template(0, quoted=False, stop=len(text))
    return _template_node(parts, 0, len(text))
