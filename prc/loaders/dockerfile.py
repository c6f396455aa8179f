"""Dockerfiles: a parser that follows BuildKit's, the build stages it describes, and the Dockerfile target.

Parsing follows the rules of BuildKit's Dockerfile frontend (the parser every
`docker build` uses since Docker 23), written out here in Python:

- parser directives (`# syntax=`, `# escape=`, `# check=`) are read only from
  the top of the file, before any blank line, comment or instruction;
  `# escape=`` makes the backtick the escape and line continuation character;
- a line ending in the escape character continues on the next line; comment
  lines and blank lines inside a continuation are dropped, and the lines
  after the first keep their leading whitespace; `#` starts a comment only at
  the beginning of a line;
- `RUN`, `COPY` and `ADD` in shell form take heredocs (`<<EOF`, `<<-EOF`,
  `<<'EOF'`, several per instruction), whose bodies are read verbatim;
- `CMD`, `ENTRYPOINT`, `RUN`, `SHELL` and the command of `HEALTHCHECK` are in
  exec form when their arguments are a JSON array of strings, and otherwise
  in shell form (invalid JSON falls back to shell form, as in Docker; a JSON
  array holding something other than strings is an error, as in Docker);
- `ENV` and `LABEL` take `key=value` pairs or the legacy `key value` form;
  `ARG` takes `name` or `name=default`;
- `FROM` (and `USER`, `WORKDIR`, `COPY`, `ADD`, `ENV`, `ARG`, `LABEL`,
  `EXPOSE`, `VOLUME`, `STOPSIGNAL`) expand `$VAR`, `${VAR}`, `${VAR:-default}`,
  `${VAR-default}`, `${VAR:+alt}` and `${VAR+alt}`. FROM sees only the ARGs
  declared before the first FROM (with their defaults: build arguments passed
  on the command line are unknown to a scan); a stage sees the ARGs it
  redeclares and the ENV of the stage it builds on. A variable with no value
  leaves the instruction *unresolved*, and checks that depend on it say
  UNKNOWN.

A file Docker would refuse to build (an unterminated heredoc, an unknown
instruction, `ENV` without a value, an instruction before the first FROM...)
is reported as a problem with its line, and is not judged: its Dockerfile
target joins its service, so the problem shows there, but no check runs on a
build that cannot happen.

The build context is assumed to be the directory the Dockerfile sits in (what
`docker build <dir>` and Compose's default `context: .` next to it give). The
loader looks for the context's `.dockerignore` there (or the Dockerfile's own
`<name>.dockerignore` beside it, which BuildKit prefers), and reads the
entrypoint scripts the final stage copies from that context to see whether
they end by exec-ing the app. It reads them as text and never runs anything.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..discovery import FileReadError, Problem, read_text
from ..model import Location
from ..targets import Artifact
from ..yamlsrc import find_ignores

if TYPE_CHECKING:  # pragma: no cover
    from ..sources import LoadContext, Loaded

# --------------------------------------------------------------------------- parsing

INSTRUCTIONS = frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
                          "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})
# Instructions whose arguments may be a JSON array (exec form) or a string (shell form).
_MAYBE_JSON = frozenset({"CMD", "ENTRYPOINT", "RUN", "SHELL"})
# Instructions whose arguments may be a JSON array or whitespace-separated words.
_JSON_OR_WORDS = frozenset({"ADD", "COPY", "VOLUME"})
_WORDS = frozenset({"FROM", "EXPOSE"})
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})

_DIRECTIVE_RE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_WHITESPACE_RE = re.compile(r"[\t\v\f\r ]+")
_HEREDOC_RE = re.compile(r"^(\d*)<<(-?)([^<]*)$")
_STAGE_NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]*$")
DEFAULT_SHELL = ("/bin/sh", "-c")
# BuildKit's automatic platform ARGs: usable in FROM, with values that depend on the platform built for.
PLATFORM_ARGS = frozenset({"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS",
                           "BUILDARCH", "BUILDVARIANT"})


class DockerfileError(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line

    def __reduce__(self):
        # A parse (ParsedDockerfile.errors) crosses from a worker process and lives in the parse cache as a pickle;
        # an exception pickles as cls(*args), and args holds the message alone, so without this it would not load.
        return type(self), (self.message, self.line)


# Directory names that hold build files, not a service's.
GENERIC_DIRECTORIES = frozenset({"docker", "dockerfiles", "build", "builds", ".devcontainer", "devcontainer",
                                 "container", "containers", "images", "ci", ".ci", ".github", "tools", "scripts"})


@dataclass(frozen=True)
class Heredoc:
    """A heredoc body: `name` is its terminator, `line` the line of the `<<NAME` that opens it."""

    name: str
    content: str
    line: int
    first_content_line: int
    chomp: bool = False  # <<- strips leading tabs
    expand: bool = True  # an unquoted terminator: the body expands variables


@dataclass(frozen=True)
class KeyValue:
    """One `key=value` of ENV, LABEL or ARG. `raw` is the value as written (None for `ARG NAME`), `value` the value
    after expansion and quote removal (None when it has none), `refs` the variables the raw value names and
    `unresolved` those of them the scan cannot resolve."""

    key: str
    raw: str | None
    value: str | None
    refs: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    line: int = 0
    at: str = ""


@dataclass(eq=False)
class Instruction:
    """One instruction as BuildKit reads it.

    `args` holds, in exec form, the JSON array's strings; in shell form (RUN, CMD, ENTRYPOINT, SHELL, and the
    command of HEALTHCHECK after its CMD/NONE word) the command string as one item; for ADD, COPY, VOLUME, FROM
    and EXPOSE the whitespace-separated words; for the rest the argument text as one item. `form` is "exec" or
    "shell" for instructions that have the two forms, "" otherwise. `expanded` holds the arguments after variable
    expansion for instructions Docker expands (FROM, USER, WORKDIR, COPY, ADD, EXPOSE, VOLUME, STOPSIGNAL), with
    `unresolved` naming the variables the scan could not resolve.
    """

    keyword: str
    line: int
    end_line: int
    text: str  # the instruction with its continuations joined (heredoc bodies not included)
    flags: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    form: str = ""
    heredocs: tuple[Heredoc, ...] = ()
    pairs: tuple[KeyValue, ...] = ()
    sub: "Instruction | None" = None  # the trigger of an ONBUILD
    # Physical lines (number, text) the instruction spans, heredoc bodies excluded.
    physical: tuple[tuple[int, str], ...] = ()
    # Set when stages are built.
    expanded: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    shell: tuple[str, ...] = DEFAULT_SHELL  # the SHELL in effect, for shell-form commands
    at: str = ""

    def flag(self, name: str) -> str | None:
        """The value of `--name=value` (or "" for a bare `--name`), None when absent."""
        for flag in self.flags:
            key, eq, value = flag[2:].partition("=")
            if key.lower() == name.lower():
                return value if eq else ""
        return None

    @property
    def command(self) -> str:
        """The arguments as the user wrote them: the shell string, or the exec-form array in JSON."""
        args = list(self.args)
        if self.keyword == "HEALTHCHECK" and args[:1] == ["CMD"]:
            return "CMD " + (json.dumps(args[1:]) if self.form == "exec" else " ".join(args[1:]))
        if self.form == "exec":
            return json.dumps(args)
        return " ".join(args)

    @property
    def argv(self) -> list[str]:
        """What the instruction runs: the exec-form array, or the SHELL in effect followed by the shell string."""
        if self.form == "exec":
            return list(self.args)
        return [*self.shell, self.args[0] if self.args else ""]

    def line_of_key(self, key: str) -> int:
        """The line where an ENV, ARG or LABEL key is written (`KEY=` or the legacy `KEY value`)."""
        pattern = re.compile(r"(?:^|[\s\"'])" + re.escape(key) + r"(?:[\"']?=|\s|$)")
        for number, text in self.physical:
            if pattern.search(text):
                return number
        return self.line

    def line_of(self, word: str) -> int:
        """The line where `word` first appears in the instruction or its heredoc bodies, else its first line."""
        for number, text in self.physical:
            if word in text:
                return number
        for heredoc in (self.sub or self).heredocs:
            for offset, text in enumerate(heredoc.content.split("\n")):
                if word in text:
                    return heredoc.first_content_line + offset
        return self.line


@dataclass
class ParsedDockerfile:
    instructions: list[Instruction] = field(default_factory=list)
    directives: dict[str, str] = field(default_factory=dict)
    escape: str = "\\"
    errors: list[DockerfileError] = field(default_factory=list)


def parse(text: str) -> ParsedDockerfile:
    """Instructions with their lines, as BuildKit's parser reads them; errors are collected, not raised, so one bad
    instruction does not hide the next (an unterminated heredoc ends the file)."""
    parsed = ParsedDockerfile()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    raw_lines = lines  # heredoc bodies keep their line endings, as BuildKit writes them
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    directives_done = False
    index = 0
    total = len(lines)

    def directive(line_text: str, number: int) -> None:
        nonlocal directives_done
        if directives_done:
            return
        match = _DIRECTIVE_RE.match(line_text)
        if not match or match.group(1).lower() not in _KNOWN_DIRECTIVES:
            directives_done = True
            return
        name, value = match.group(1).lower(), match.group(2)
        if name in parsed.directives:
            parsed.errors.append(DockerfileError(f"only one {name} parser directive can be used", number))
            return
        parsed.directives[name] = value
        if name == "escape":
            if value not in ("\\", "`"):
                parsed.errors.append(DockerfileError(f"invalid escape token {value!r}: the escape parser directive "
                                                     "takes ` or \\", number))
            else:
                parsed.escape = value

    while index < total:
        raw = lines[index]
        index += 1
        start = index
        stripped = raw.lstrip(" \t")
        directive(stripped, start)
        if stripped.startswith("#"):
            continue
        escape = parsed.escape
        line, ended = _trim_continuation(stripped, escape)
        if ended and line == "":
            continue
        physical = [(start, raw)]
        while not ended and index < total:
            raw_next = lines[index]
            index += 1
            directive(raw_next, index)
            if raw_next.lstrip(" \t").startswith("#"):
                continue
            if raw_next.strip(" \t") == "":
                continue
            physical.append((index, raw_next))
            part, ended = _trim_continuation(raw_next, escape)
            line += part
        end = index
        if not line.strip():
            continue  # a lone continuation character: nothing to run
        try:
            instruction = _instruction(line, start, escape)
        except DockerfileError as exc:
            parsed.errors.append(exc)
            continue
        target = instruction.sub or instruction
        if target.keyword in _HEREDOC_INSTRUCTIONS and target.form != "exec" and "<<" in line:
            heredocs = []
            for name, chomp, expands in _heredoc_names(line):
                body: list[str] = []
                first = index + 1
                terminated = False
                while index < total:
                    body_line = raw_lines[index]
                    candidate = lines[index].lstrip("\t") if chomp else lines[index]
                    index += 1
                    if candidate == name:
                        terminated = True
                        break
                    body.append(body_line.lstrip("\t") if chomp else body_line)
                if not terminated:
                    parsed.errors.append(DockerfileError(
                        f"unterminated heredoc: no line {name!r} closes the <<{'-' if chomp else ''}{name} opened "
                        f"here", start))
                    return parsed
                heredocs.append(Heredoc(name, "".join(b + "\n" for b in body), start, first, chomp, expands))
            end = index
            target.heredocs = tuple(heredocs)
        instruction.end_line = end
        instruction.physical = tuple(physical)
        if instruction.sub is not None:
            instruction.sub.end_line = end
            instruction.sub.physical = instruction.physical
        parsed.instructions.append(instruction)
    if not parsed.instructions and not parsed.errors:
        parsed.errors.append(DockerfileError("no instructions: the file holds only comments or blank lines", 0))
    return parsed


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """The line without a trailing escape character (and the blanks after it), and whether the instruction ends."""
    trimmed = line.rstrip(" \t")
    if trimmed.endswith(escape):
        return trimmed[:-1], False
    return line, True


def _instruction(line: str, number: int, escape: str) -> Instruction:
    parts = _WHITESPACE_RE.split(line.strip(), maxsplit=1)
    keyword = parts[0].upper()
    rest = parts[1] if len(parts) > 1 else ""
    rest, flags = _builder_flags(rest)
    if keyword not in INSTRUCTIONS:
        raise DockerfileError(f"unknown instruction: {parts[0]}", number)
    instruction = Instruction(keyword, number, number, line.strip(), tuple(flags))
    if keyword in _MAYBE_JSON:
        instruction.args, instruction.form = _maybe_json(rest, keyword, number)
    elif keyword in _JSON_OR_WORDS:
        array = _json_array(rest, keyword, number)
        instruction.args = tuple(array) if array is not None else tuple(_words_split(rest))
        instruction.form = "exec" if array is not None else "shell"
    elif keyword in _WORDS:
        instruction.args = tuple(_words_split(rest))
    elif keyword in ("ENV", "LABEL"):
        instruction.pairs = tuple(_name_values(rest, keyword, number, escape))
    elif keyword == "ARG":
        pairs = []
        for word in _parse_words(rest, escape):
            key, eq, value = word.partition("=")
            pairs.append(KeyValue(key, value if eq else None, None))
        instruction.pairs = tuple(pairs)
    elif keyword == "HEALTHCHECK":
        kind = rest.split(None, 1)[0] if rest.split() else ""
        command = rest[len(kind):].lstrip()
        if kind.upper() not in ("CMD", "NONE"):
            raise DockerfileError(f"HEALTHCHECK takes CMD <command> or NONE, not {kind or 'nothing'!r}", number)
        if kind.upper() == "CMD":
            if not command:
                raise DockerfileError("HEALTHCHECK CMD needs a command", number)
            args, form = _maybe_json(command, keyword, number)
            instruction.args, instruction.form = (kind.upper(), *args), form
        else:
            instruction.args = ("NONE",)
    elif keyword == "ONBUILD":
        if not rest.strip():
            raise DockerfileError("ONBUILD needs an instruction", number)
        sub = _instruction(rest, number, escape)
        if sub.keyword in ("ONBUILD", "FROM", "MAINTAINER"):
            raise DockerfileError(f"{sub.keyword} is not allowed as an ONBUILD trigger", number)
        instruction.sub = sub
        instruction.args = (rest.strip(),)
    else:
        instruction.args = (rest,) if rest else ()
    _require_arguments(instruction, number)
    return instruction


def _require_arguments(instruction: Instruction, number: int) -> None:
    keyword = instruction.keyword
    if keyword in ("ENV", "LABEL", "ARG") and not instruction.pairs:
        raise DockerfileError(f"{keyword} requires at least one argument", number)
    if keyword in ("COPY", "ADD") and len(instruction.args) < 2:
        raise DockerfileError(f"{keyword} requires at least two arguments: a source and a destination", number)
    if keyword in ("FROM", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER", "EXPOSE", "VOLUME", "RUN") \
            and not any(a.strip() for a in instruction.args) and not instruction.heredocs:
        raise DockerfileError(f"{keyword} requires an argument", number)
    if keyword == "SHELL" and instruction.form != "exec":
        raise DockerfileError("SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]",
                              number)


def _builder_flags(line: str) -> tuple[str, list[str]]:
    """Leading `--flag[=value]` words (quotes removed), and the rest of the line; a lone `--` ends them."""
    flags: list[str] = []
    pos, n = 0, len(line)
    while True:
        while pos < n and line[pos].isspace():
            pos += 1
        if not line.startswith("--", pos):
            return line[pos:], flags
        word, quote, blank_ok = "", "", False
        while pos < n:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and pos + 1 < n:
                    pos += 1
                    word += line[pos]
                else:
                    word += ch
            elif ch.isspace():
                break
            elif ch in "'\"":
                quote, blank_ok = ch, True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word += line[pos]
            else:
                word += ch
            pos += 1
        if word == "--":
            return line[pos:].lstrip(), flags
        if word or blank_ok:
            flags.append(word)


def _reject_constant(name: str):
    raise ValueError(name)


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _json_array(rest: str, keyword: str, number: int) -> list[str] | None:
    """The strings of a JSON array, None when `rest` is not a JSON array; a JSON array of anything but strings is an
    error, as in Docker."""
    text = rest.strip()
    if not text.startswith("["):
        return None
    try:
        # Like BuildKit (a Go json.Decoder), read the first JSON value and ignore what follows it.
        value, _ = _JSON.raw_decode(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        raise DockerfileError(f"{keyword}: when using JSON array syntax, arrays must be comprised of strings only",
                              number)
    return value


def _maybe_json(rest: str, keyword: str, number: int) -> tuple[tuple[str, ...], str]:
    array = _json_array(rest, keyword, number)
    if array is not None:
        return tuple(array), "exec"
    return ((rest,) if rest else ()), "shell"


def _words_split(rest: str) -> list[str]:
    return [w for w in _WHITESPACE_RE.split(rest.strip()) if w] if rest.strip() else []


def _parse_words(rest: str, escape: str) -> list[str]:
    """Whitespace-separated words, keeping quotes and escapes in them (BuildKit's parseWords)."""
    words: list[str] = []
    word, quote, in_word, blank_ok = "", "", False, False
    pos, n = 0, len(rest)
    while pos < n:
        ch = rest[pos]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos + 1 == n:
                    pos += 1
                    continue
                word += ch
                pos += 1
                ch = rest[pos]
            word += ch
            pos += 1
            continue
        if ch.isspace():
            if in_word and (word or blank_ok):
                words.append(word)
            word, in_word, blank_ok = "", False, False
            pos += 1
            continue
        in_word = True
        if ch in "'\"":
            quote, blank_ok = ch, True
        elif ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word += ch
            pos += 1
            ch = rest[pos]
        word += ch
        pos += 1
    if in_word and (word or blank_ok):
        words.append(word)
    return words


def _name_values(rest: str, keyword: str, number: int, escape: str) -> list[KeyValue]:
    words = _parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        # The legacy form: KEY value with spaces.
        parts = _WHITESPACE_RE.split(rest.strip(), maxsplit=1)
        if len(parts) < 2:
            raise DockerfileError(f"{keyword} must have two arguments: {keyword} {parts[0]} needs a value "
                                  f"({keyword} {parts[0]}=<value>)", number)
        return [KeyValue(parts[0], parts[1], None)]
    pairs = []
    for word in words:
        if "=" not in word:
            raise DockerfileError(f"{keyword}: can't find = in {word!r}; each item must be of the form name=value",
                                  number)
        key, _, value = word.partition("=")
        if not key:
            raise DockerfileError(f"{keyword} names can not be blank: {word!r}", number)
        pairs.append(KeyValue(key, value, None))
    return pairs


def _heredoc_names(line: str) -> list[tuple[str, bool, bool]]:
    """(terminator, chomp, expand) for each heredoc the instruction line opens, in order."""
    found = []
    for word in _shell_words_raw(line):
        match = _HEREDOC_RE.match(word)
        if not match or not match.group(3):
            continue
        rest = match.group(3)
        name = _unquote(rest)
        if not name:
            continue
        found.append((name, match.group(2) == "-", "'" not in rest and '"' not in rest))
    return found


def _shell_words_raw(line: str) -> list[str]:
    """Words split on unquoted whitespace, quotes and backslashes kept."""
    words, word, quote, pos, started = [], "", "", 0, False
    while pos < len(line):
        ch = line[pos]
        if quote:
            word += ch
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and pos + 1 < len(line):
                pos += 1
                word += line[pos]
        elif ch.isspace():
            if started:
                words.append(word)
            word, started = "", False
        else:
            started = True
            word += ch
            if ch in "'\"":
                quote = ch
            elif ch == "\\" and pos + 1 < len(line):
                pos += 1
                word += line[pos]
        pos += 1
    if started:
        words.append(word)
    return words


def _unquote(text: str) -> str:
    value, _, _ = expand(text, {})
    return value


# --------------------------------------------------------------------------- variable expansion

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expand(text: str, env: dict[str, str | None], escape: str = "\\",
           quotes: bool = True) -> tuple[str, list[str], list[str]]:
    """`text` with variables expanded and quotes removed, as Docker expands an instruction's word: the value, the
    variables it refers to whose value the scan does not know (unresolved), and every variable it refers to.

    `env` maps a name to its value, or to None for an ARG declared without a default (unset unless a build argument
    gives it one). `${X:-default}` and `${X-default}` use the default when X has no value and are then resolved.
    """
    unresolved: list[str] = []
    refs: list[str] = []
    value = _Expander(text, env, escape, unresolved, refs, quotes).run()
    return value, unresolved, refs


class _Expander:
    def __init__(self, text: str, env: dict, escape: str, unresolved: list, refs: list, quotes: bool = True):
        self.text, self.env, self.escape, self.quotes = text, env, escape, quotes
        self.unresolved, self.refs = unresolved, refs
        self.pos = 0

    def run(self, stop: str = "") -> str:
        out = []
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if stop and ch == stop:
                return "".join(out)
            if ch == self.escape and self.quotes:
                if self.pos + 1 < n:
                    out.append(text[self.pos + 1])
                self.pos += 2
            elif ch == "'" and self.quotes:
                end = text.find("'", self.pos + 1)
                end = n if end == -1 else end
                out.append(text[self.pos + 1:end])
                self.pos = end + 1
            elif ch == '"' and self.quotes:
                self.pos += 1
                out.append(self._double_quoted())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def _double_quoted(self) -> str:
        out = []
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch == self.escape and self.pos + 1 < n and text[self.pos + 1] in ('"', "$", self.escape):
                out.append(text[self.pos + 1])
                self.pos += 2
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def _lookup(self, name: str) -> str | None:
        self.refs.append(name)
        return self.env.get(name)

    def _dollar(self) -> str:
        text = self.text
        self.pos += 1  # the $
        if self.pos < len(text) and text[self.pos] == "{":
            self.pos += 1
            match = _NAME_RE.match(text, self.pos)
            if not match:
                return self._unsupported()
            name = match.group(0)
            self.pos = match.end()
            value = self._lookup(name)
            rest = text[self.pos:self.pos + 2]
            if rest.startswith("}"):
                self.pos += 1
                if value is None:
                    self.unresolved.append(name)
                    return ""
                return value
            colon = rest.startswith(":")
            operator = rest[1:2] if colon else rest[:1]
            if operator not in ("-", "+", "?"):
                return self._unsupported(name)
            self.pos += 2 if colon else 1
            word = self.run(stop="}")
            self.pos += 1  # the }
            has_value = value is not None and (value != "" or not colon)
            if operator == "-":
                return value if has_value else word
            if operator == "+":
                return word if has_value else ""
            if not has_value:  # ${X:?message} fails the build when X has no value
                self.unresolved.append(name)
                return ""
            return value or ""
        match = _NAME_RE.match(text, self.pos)
        if not match:
            return "$"
        self.pos = match.end()
        value = self._lookup(match.group(0))
        if value is None:
            self.unresolved.append(match.group(0))
            return ""
        return value

    def _unsupported(self, name: str = "") -> str:
        """Pattern substitutions and the like: skip to the closing brace and leave the value unresolved."""
        depth = 1
        start = self.pos
        while self.pos < len(self.text) and depth:
            if self.text[self.pos] == "{":
                depth += 1
            elif self.text[self.pos] == "}":
                depth -= 1
            self.pos += 1
        self.unresolved.append(name or self.text[start:self.pos - 1])
        return ""


# --------------------------------------------------------------------------- stages


@dataclass(eq=False)
class Stage:
    """One build stage: its FROM, the base image after ARG substitution and the instructions that follow."""

    index: int
    from_instruction: Instruction
    base_raw: str  # as written in FROM
    base: str  # after substitution ("" when unresolved)
    unresolved: tuple[str, ...]  # variables the base image name depends on that the scan cannot resolve
    alias: str
    platform: str
    instructions: list[Instruction] = field(default_factory=list)
    parent: "Stage | None" = None  # the earlier stage this one builds FROM, by its name
    # ENV at the end of the stage, with values (None when unknown); WORKDIR at the end ("" when never set).
    env: dict = field(default_factory=dict)
    workdir: str = ""

    @property
    def name(self) -> str:
        return self.alias or str(self.index)

    @property
    def label(self) -> str:
        """How messages name the stage: `stage runtime`, or `stage #1` for an unnamed one."""
        return f"stage {self.alias}" if self.alias else f"stage #{self.index}"

    @property
    def line(self) -> int:
        return self.from_instruction.line

    @property
    def at(self) -> str:
        return self.from_instruction.at

    @property
    def scratch(self) -> bool:
        return self.base.lower() == "scratch" and not self.unresolved

    def chain(self) -> list["Stage"]:
        """This stage and the stages it builds on, nearest first."""
        chain, stage = [], self
        while stage is not None and stage not in chain:
            chain.append(stage)
            stage = stage.parent
        return chain

    def inherited(self, keyword: str) -> list[Instruction]:
        """Every `keyword` instruction that shapes this stage's image, in build order (ancestors first)."""
        return [i for stage in reversed(self.chain()) for i in stage.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.inherited(keyword)
        return found[-1] if found else None

    @property
    def external_base(self) -> str:
        """The image outside this Dockerfile the stage ultimately builds on ("" for scratch)."""
        root = self.chain()[-1]
        return "" if root.scratch else (root.base or root.base_raw)

    def process(self) -> tuple[Instruction | None, Instruction | None, bool]:
        """The ENTRYPOINT and CMD the image runs with (None when unset here), and whether what runs is left to the
        external base image (this Dockerfile sets neither). Setting ENTRYPOINT resets a CMD inherited from an
        earlier stage unless the same stage sets CMD too, as in Docker."""
        entrypoint = cmd = None
        for stage in reversed(self.chain()):
            cmd_set = False
            for i in stage.instructions:
                if i.keyword == "CMD":
                    cmd, cmd_set = i, True
                elif i.keyword == "ENTRYPOINT":
                    entrypoint = i
                    if not cmd_set:
                        cmd = None
        from_base = entrypoint is None and cmd is None and self.external_base != ""
        return entrypoint, cmd, from_base


@dataclass(frozen=True)
class Script:
    """An entrypoint script the final stage copies from the build context (or writes from a heredoc), read as text.

    `source` is where its text was read (a path relative to the scan root, or the Dockerfile for a heredoc) and
    `last_line` the line of its last command in that file.
    """

    reference: str  # as the ENTRYPOINT/CMD names it
    image_path: str
    source: str
    copied_at: int  # the COPY/ADD line
    shell: bool  # a shell script (a sh/bash shebang, or a .sh name without a shebang)
    interpreter: str
    last_command: str
    last_line: int
    ends_in_exec: bool
    execs_arguments: bool  # its last command is `exec "$@"`: it runs what follows it in the command line


@dataclass(eq=False)
class Dockerfile(Artifact):
    """A Dockerfile: its build stages, the last of which is the image that runs.

    `dockerignore` says whether a `.dockerignore` sits in the build context, assumed to be the Dockerfile's own
    directory (or whether the Dockerfile-specific `<name>.dockerignore` sits beside it). `scripts` holds the
    entrypoint scripts the final stage copies from that context, keyed by the name ENTRYPOINT or CMD uses.

    `runs_on_kubernetes` is set by the service model (services.py) when the image this Dockerfile builds runs as a
    Kubernetes workload: the workload running the image that `.prc.yaml` `builds` maps the Dockerfile to, or else a
    workload of the same service. Kubernetes ignores HEALTHCHECK and checks health with probes instead, which the
    Kubernetes probe checks judge; the loader leaves it False.
    """

    stages: list[Stage] = field(default_factory=list)
    global_args: list[Instruction] = field(default_factory=list)
    dockerignore: bool = False
    dockerignore_path: str = ""
    scripts: dict[str, Script] = field(default_factory=dict)
    escape: str = "\\"
    runs_on_kubernetes: bool = False
    # The image repository `.prc.yaml` `builds` says it builds ("" when not said), set by the service model.
    builds_image: str = ""
    # at -> line, for locate().
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def hint_reason(self) -> str:
        return f"its directory is named {self.service_hint}"

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @property
    def header_line(self) -> int:
        return self.line

    @property
    def all_instructions(self) -> list[Instruction]:
        return [*self.global_args, *(i for s in self.stages for i in (s.from_instruction, *s.instructions))]

    def instruction(self, at: str) -> Instruction | None:
        return next((i for i in self.all_instructions if i.at == at), None)

    def locate(self, at: str) -> Location:
        """`at` as an instruction path (`stage[runtime].USER[0]`, `global.ARG[0].TOKEN` for one ENV, ARG or LABEL
        pair, `stage[build].RUN[2]#curl` for the line of that RUN where `curl` appears), or `line:12` /
        `instruction:12`; "" and anything else is the Dockerfile's first FROM."""
        if at in self.lines:
            return Location(self.file, self.lines[at])
        base, hash_, word = at.partition("#")
        if hash_ and base in self.lines:
            found = self.instruction(base)
            return Location(self.file, found.line_of(word) if found else self.lines[base])
        kind, _, number = at.partition(":")
        if kind in ("line", "instruction") and number.isdigit():
            return Location(self.file, int(number))
        return Location(self.file, self.line)


def build(parsed: ParsedDockerfile) -> tuple[list[Instruction], list[Stage], list[DockerfileError]]:
    """The global ARGs and the stages of a parsed Dockerfile, with variables expanded and each instruction's `at`
    set; errors for what Docker would refuse (an instruction before FROM, a malformed FROM...)."""
    errors: list[DockerfileError] = []
    global_args: list[Instruction] = []
    global_env: dict[str, str | None] = {}
    stages: list[Stage] = []
    escape = parsed.escape
    stage: Stage | None = None
    counts: dict[str, int] = {}
    envs: dict[str, str | None] = {}
    args: dict[str, str | None] = {}
    shell = DEFAULT_SHELL
    workdir = ""

    def number(prefix: str, keyword: str) -> str:
        key = f"{prefix}.{keyword}"
        counts[key] = counts.get(key, -1) + 1
        return f"{key}[{counts[key]}]"

    for instruction in parsed.instructions:
        keyword = instruction.keyword
        if keyword == "FROM":
            stage = _new_stage(instruction, len(stages), stages, global_env, escape, errors)
            if stage is None:
                continue
            instruction.at = f"stage[{stage.name}]"
            stages.append(stage)
            parent = stage.parent
            # ENV carries over to a stage built on an earlier one; ARGs never do.
            envs = dict(parent.env) if parent else {}
            args = {}
            shell = parent_shell(parent)
            workdir = parent.workdir if parent else ""
            stage.env, stage.workdir = dict(envs), workdir
            continue
        if stage is None:
            if keyword != "ARG":
                errors.append(DockerfileError(f"{keyword} before the first FROM: only ARG instructions and parser "
                                              "directives may come before FROM", instruction.line))
                continue
            instruction.at = number("global", "ARG")
            instruction.pairs = _expand_pairs(instruction, global_env, global_env, escape, is_arg=True)
            global_args.append(instruction)
            continue
        instruction.at = number(f"stage[{stage.name}]", keyword)
        # An ENV overrides an ARG of the same name.
        _expand_instruction(instruction, {**args, **envs}, global_env, escape)
        if keyword == "ENV":
            envs.update({p.key: p.value for p in instruction.pairs})
        elif keyword == "ARG":
            args.update({p.key: p.value for p in instruction.pairs})
        elif keyword == "SHELL":
            shell = tuple(instruction.args)
        elif keyword == "WORKDIR" and instruction.expanded:
            workdir = posixpath.normpath(posixpath.join(workdir or "/", instruction.expanded[0]))
        if keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"):
            instruction.shell = shell
        if instruction.sub is not None:
            instruction.sub.shell = shell
            instruction.sub.at = instruction.at
        stage.instructions.append(instruction)
        stage.env = dict(envs)
        stage.workdir = workdir
    if not stages and not errors:
        line = parsed.instructions[0].line if parsed.instructions else 0
        errors.append(DockerfileError("no FROM instruction: a Dockerfile needs at least one build stage", line))
    return global_args, stages, errors


def parent_shell(parent: Stage | None) -> tuple[str, ...]:
    if parent is None:
        return DEFAULT_SHELL
    shells = parent.inherited("SHELL")
    return tuple(shells[-1].args) if shells else DEFAULT_SHELL


def _new_stage(instruction: Instruction, index: int, stages: list[Stage], global_env: dict, escape: str,
               errors: list[DockerfileError]) -> Stage | None:
    args = instruction.args
    line = instruction.line
    if len(args) not in (1, 3) or (len(args) == 3 and args[1].upper() != "AS"):
        errors.append(DockerfileError(f"FROM takes an image and optionally AS <name>, not {' '.join(args)!r}", line))
        return None
    alias = args[2].lower() if len(args) == 3 else ""
    if alias and not _STAGE_NAME_RE.match(alias):
        errors.append(DockerfileError(f"invalid name for build stage: {args[2]!r}; a name starts with a letter and "
                                      "holds letters, digits, '-', '_' and '.'", line))
        return None
    if alias and any(s.alias == alias for s in stages):
        errors.append(DockerfileError(f"duplicate stage name {alias!r}", line))
        return None
    env = {**{name: None for name in PLATFORM_ARGS}, **global_env}
    base, unresolved, _ = expand(args[0], env, escape)
    unresolved = list(dict.fromkeys(unresolved))
    parent = None
    if not unresolved:
        parent = next((s for s in reversed(stages) if s.alias and s.alias == base.lower()), None)
    elif not base:
        base = ""
    platform = instruction.flag("platform") or ""
    instruction.expanded = (base,)
    instruction.unresolved = tuple(unresolved)
    return Stage(index, instruction, args[0], "" if unresolved else base, tuple(unresolved), alias, platform,
                 parent=parent)


def _expand_pairs(instruction: Instruction, env: dict, global_env: dict, escape: str,
                  is_arg: bool = False) -> tuple[KeyValue, ...]:
    """Each pair with its value expanded against `env` as it was before the instruction (a later pair of one
    instruction does not see an earlier one, as in Docker). `ARG NAME` without a default takes, inside a stage, the
    default of the global ARG of that name."""
    in_stage = env is not global_env
    pairs = []
    for pair in instruction.pairs:
        at = f"{instruction.at}.{pair.key}"
        line = instruction.line_of_key(pair.key)
        if pair.raw is None:
            value = global_env.get(pair.key) if is_arg and in_stage else None
            pairs.append(KeyValue(pair.key, None, value, (), (), line, at))
        else:
            value, unresolved, refs = expand(pair.raw, env, escape)
            pairs.append(KeyValue(pair.key, pair.raw, value, tuple(dict.fromkeys(refs)),
                                  tuple(dict.fromkeys(unresolved)), line, at))
    if is_arg and not in_stage:
        global_env.update({pair.key: pair.value for pair in pairs})
    return tuple(pairs)


_EXPANDED = frozenset({"USER", "WORKDIR", "COPY", "ADD", "EXPOSE", "VOLUME", "STOPSIGNAL"})


def _expand_instruction(instruction: Instruction, env: dict, global_env: dict, escape: str) -> None:
    keyword = instruction.keyword
    if keyword in ("ENV", "LABEL"):
        instruction.pairs = _expand_pairs(instruction, env, global_env, escape)
    elif keyword == "ARG":
        instruction.pairs = _expand_pairs(instruction, env, global_env, escape, is_arg=True)
    elif keyword in _EXPANDED:
        values, unresolved = [], []
        for word in instruction.args:
            # JSON strings have no shell quoting left to remove; their variables are still expanded.
            value, missing, _ = expand(word, env, escape, quotes=instruction.form != "exec")
            values.append(value)
            unresolved += missing
        instruction.expanded = tuple(values)
        instruction.unresolved = tuple(dict.fromkeys(unresolved))


# --------------------------------------------------------------------------- entrypoint scripts

_SHEBANG_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
# Words that close a compound command: the last command of a script is the last one before them.
_CLOSERS = frozenset({"fi", "done", "esac", "}", ";;", "else", "then", "do", ")", "))"})
MAX_SCRIPT_BYTES = 1024 * 1024


def script_interpreter(text: str, name: str) -> tuple[bool, str]:
    """Whether the text is a shell script, and the interpreter its shebang names."""
    first = text.split("\n", 1)[0].strip() if text else ""
    if first.startswith("#!"):
        words = first[2:].split()
        if not words:
            return name.endswith((".sh", ".bash")), ""
        program = PurePosixPath(words[0]).name
        if program == "env":
            rest = [w for w in words[1:] if not w.startswith("-")]
            program = PurePosixPath(rest[0]).name if rest else ""
        return program in _SHEBANG_SHELLS, program
    return name.endswith((".sh", ".bash")), ""


def last_command(text: str) -> tuple[str, int]:
    """The last command a shell script runs when it reaches its end, with its line (1-based): comments, blank
    lines and words that close a block (fi, done, esac, }) are passed over; continuation lines are joined; of a
    list (`a && b`, `a; b`) the last part counts."""
    lines = text.split("\n")
    logical: list[tuple[int, str]] = []
    pending, pending_line = "", 0
    in_heredoc = ""
    for number, raw in enumerate(lines, start=1):
        if in_heredoc:
            if raw.strip() == in_heredoc:
                in_heredoc = ""
            continue
        line = raw.rstrip("\r")
        if not pending and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            if not pending:
                pending_line = number
            pending += line[:-1] + " "
            continue
        text_line = pending + line
        start = pending_line if pending else number
        pending = ""
        heredoc = re.search(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", text_line)
        if heredoc:
            in_heredoc = heredoc.group(1)
        code = _strip_comment(text_line).strip()
        if code:
            logical.append((start, code))
    for number, code in reversed(logical):
        parts = [p.strip() for p in re.split(r"&&|\|\||;|(?<![|&])\|(?![|&])|\bthen\b|\bdo\b", code) if p.strip()]
        parts = [p for p in parts if p not in _CLOSERS]
        while parts and parts[-1].split()[0] in _CLOSERS:
            parts[-1] = parts[-1].split(None, 1)[1] if len(parts[-1].split()) > 1 else ""
            if not parts[-1]:
                parts.pop()
        if parts:
            return parts[-1], number
    return "", 0


def _strip_comment(line: str) -> str:
    """The line without a trailing ` # comment` (a # that starts a word, outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t;"):
            return line[:i]
    return line


_REDIRECTION_RE = re.compile(r"^\d*(>>?|<|<>|>&|<&)(&?\d+|-)?$|^\d*(>>?|<|>&|<&)\S+$")


def is_exec(command: str) -> bool:
    """`exec <program> ...`: exec that replaces the shell with a program, not `exec >log 2>&1` (redirections only)."""
    words = command.split()
    if not words or words[0] != "exec":
        return False
    rest = words[1:]
    while rest and (rest[0] in ("-c", "-l") or rest[0] == "-a"):
        rest = rest[2:] if rest[0] == "-a" else rest[1:]
    while rest and _REDIRECTION_RE.match(rest[0]):
        rest = rest[1:] if not re.fullmatch(r"\d*(>>?|<|<>)", rest[0]) else rest[2:]
    return bool(rest)


def execs_arguments(command: str) -> bool:
    """`exec "$@"` (or `exec $@`, `exec "${@}"`): the script runs the rest of the container's command line."""
    words = command.split()
    return is_exec(command) and len(words) >= 2 and words[-1] in ('"$@"', "$@", '"${@}"', "${@}")


def make_script(reference: str, image_path: str, source: str, copied_at: int, text: str, offset: int = 0) -> Script:
    shell, interpreter = script_interpreter(text, image_path)
    command, line = last_command(text)
    return Script(reference, image_path, source, copied_at, shell, interpreter, command,
                  line + offset if line else 0, is_exec(command), execs_arguments(command))


# --------------------------------------------------------------------------- loading


def load(files: list, ctx: "LoadContext") -> "Loaded":
    """The Dockerfile source: each Dockerfile parsed into a Dockerfile target."""
    from ..sources import Loaded, read_each

    loaded = Loaded()
    root = Path(ctx.root)
    texts = list(read_each(files, ctx, loaded))
    for (found, text), parsed in zip(texts, ctx.parse_iter("dockerfile", [text for _, text in texts])):
        dockerfile, problems = load_dockerfile_text(found.display, text, found.path, root, ctx.max_file_bytes,
                                                    parsed)
        loaded.problems += problems
        loaded.owners.append(dockerfile)
        if not problems:
            loaded.targets.append(dockerfile)
        ignores = find_ignores(text)
        if ignores:
            loaded.ignores[found.display] = ignores
    return loaded


def load_dockerfile_text(display: str, text: str, path: Path | None = None, root: Path | None = None,
                         max_bytes: int = MAX_SCRIPT_BYTES,
                         parsed: ParsedDockerfile | None = None) -> tuple[Dockerfile, list[Problem]]:
    """A Dockerfile target and the problems found reading it. With problems, the target only carries the file
    into its service (line 0, no stages). `parsed`: parse(text), when the caller has it already."""
    # The directory's name is the service a Dockerfile names, unless it is a name every repository uses for its
    # build files (docker/, build/): those name no service. At the scan root there is no name to take: the
    # checkout's own directory name differs from clone to clone, and would change services and fingerprints.
    parent = PurePosixPath(display).parent
    hint = parent.name if str(parent) not in ("", ".") and parent.name.lower() not in GENERIC_DIRECTORIES else ""
    parsed = parse(text) if parsed is None else parsed
    global_args, stages, errors = build(parsed) if not parsed.errors else ([], [], [])
    errors = parsed.errors + errors
    problems = [Problem(display, e.line, e.message) for e in sorted(errors, key=lambda e: e.line)]
    if problems:
        return Dockerfile("Dockerfile", display, display, 0, service_hint=hint, escape=parsed.escape), problems
    first_from = stages[0].line if stages else 1
    dockerfile = Dockerfile("Dockerfile", display, display, first_from, service_hint=hint, stages=stages,
                            global_args=global_args, escape=parsed.escape)
    for instruction in dockerfile.all_instructions:
        dockerfile.lines[instruction.at] = instruction.line
        for pair in instruction.pairs:
            dockerfile.lines[pair.at] = pair.line
    if path is not None:
        directory = path.parent
        specific = directory / f"{path.name}.dockerignore"
        context_ignore = directory / ".dockerignore"
        for candidate in (specific, context_ignore):
            if candidate.is_file():
                dockerfile.dockerignore = True
                dockerfile.dockerignore_path = str(PurePosixPath(display).parent / candidate.name) \
                    if str(parent) not in ("", ".") else candidate.name
                break
        dockerfile.scripts = _read_scripts(dockerfile, directory, root, max_bytes)
    else:
        dockerfile.scripts = _read_scripts(dockerfile, None, root, max_bytes)
    return dockerfile, []


def _program_references(stage: Stage) -> set[str]:
    """Words of the final image's ENTRYPOINT and CMD that may name a script it runs."""
    entrypoint, cmd, _ = stage.process()
    words: set[str] = set()
    for instruction in (entrypoint, cmd):
        if instruction is None:
            continue
        for arg in instruction.argv:
            words.update(w.strip("'\"") for w in arg.split())
    return {w for w in words if w and not w.startswith("-")}


def resolve_in_image(reference: str, workdir: str, path_dirs: tuple[str, ...] = PATH_DIRS) -> list[str]:
    """The image paths a program reference may name: itself when absolute, under WORKDIR when it has a slash,
    else each PATH directory."""
    if reference.startswith("/"):
        return [posixpath.normpath(reference)]
    if "/" in reference:
        return [posixpath.normpath(posixpath.join(workdir or "/", reference))]
    return [posixpath.join(d, reference) for d in path_dirs]


def _read_scripts(dockerfile: Dockerfile, context: Path | None, root: Path | None, max_bytes: int) -> dict:
    final = dockerfile.final_stage
    if final is None:
        return {}
    references = _program_references(final)
    if not references:
        return {}
    path_value = next((s.env.get("PATH") for s in final.chain() if s.env.get("PATH")), None)
    path_dirs = tuple(d for d in path_value.split(":") if d) if path_value else PATH_DIRS
    copies = [i for i in final.inherited("COPY") + final.inherited("ADD") if i.flag("from") is None]
    copies.sort(key=lambda i: i.line)
    scripts: dict[str, Script] = {}
    for reference in sorted(references):
        for image_path in resolve_in_image(reference, final.workdir, path_dirs):
            found = _copied_file(image_path, copies, dockerfile, context, root, max_bytes)
            if found is not None:
                scripts[reference] = replace(found, reference=reference)
                break
    return scripts


def _copied_file(image_path: str, copies: list[Instruction], dockerfile: Dockerfile, context: Path | None,
                 root: Path | None, max_bytes: int) -> Script | None:
    """The script the last COPY/ADD that puts a file at `image_path` writes, when its text can be read."""
    for instruction in reversed(copies):
        if instruction.unresolved:
            continue
        words = list(instruction.expanded)
        sources, destination = words[:-1], words[-1]
        dest = posixpath.normpath(posixpath.join(_workdir_at(instruction, dockerfile) or "/", destination))
        dest_is_dir = destination.endswith("/") or len(sources) > 1
        for source in sources:
            heredoc = next((h for h in instruction.heredocs if _heredoc_word_names(source) == h.name), None)
            if heredoc is not None:
                target = posixpath.join(dest, heredoc.name) if dest_is_dir else dest
                if target == image_path:
                    return make_script(image_path, image_path, dockerfile.file, instruction.line, heredoc.content,
                                       offset=heredoc.first_content_line - 1)
                continue
            if context is None or any(ch in source for ch in "*?[") or "://" in source:
                continue
            local = _inside(context / source.lstrip("/"), root)
            if local is None:
                continue
            if local.is_dir():
                prefix = dest.rstrip("/") + "/"
                if not image_path.startswith(prefix):
                    continue
                candidate = _inside(local / image_path[len(prefix):], root)
            else:
                target = posixpath.join(dest, PurePosixPath(source).name) if dest_is_dir or dest == "/" else dest
                if target != image_path:
                    continue
                candidate = local
            if candidate is None or not candidate.is_file():
                continue
            try:
                text = read_text(candidate, min(max_bytes, MAX_SCRIPT_BYTES))
            except FileReadError:
                continue
            return make_script(image_path, image_path, _display(candidate, root), instruction.line, text)
    return None


def _heredoc_word_names(word: str) -> str:
    match = _HEREDOC_RE.match(word)
    return _unquote(match.group(3)) if match else ""


def _workdir_at(instruction: Instruction, dockerfile: Dockerfile) -> str:
    """WORKDIR in effect at an instruction (its stage's ancestors included)."""
    for stage in dockerfile.stages:
        if instruction in stage.instructions:
            workdir = stage.parent.workdir if stage.parent else ""
            for i in stage.instructions:
                if i is instruction:
                    return workdir
                if i.keyword == "WORKDIR" and i.expanded:
                    workdir = posixpath.normpath(posixpath.join(workdir or "/", i.expanded[0]))
    return ""


def _inside(path: Path, root: Path | None) -> Path | None:
    """The path when it stays inside the scan root once symlinks are resolved, else None."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return None
    if root is not None:
        try:
            resolved.relative_to(root.resolve())
        except ValueError:
            return None
    return resolved


def _display(path: Path, root: Path | None) -> str:
    if root is None:
        return path.as_posix()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
