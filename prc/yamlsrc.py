"""Parse YAML text into plain dicts and lists that remember the line of every node.

Safe loading only (no object construction), PyYAML's C parser when it is
available, and alias expansion bounded so that an alias bomb is refused
instead of expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

try:  # The C composer is several times faster on large manifests.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# A document may expand aliases to at most this many nodes, and to at most
# this many times the nodes it actually spells out: manifests rarely use
# aliases, an alias bomb always exceeds both.
MAX_EXPANDED_NODES = 500_000
MAX_EXPANSION_RATIO = 20


class LDict(dict):
    """A mapping that knows its own line and the line of each key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.key_lines: dict = {}


class LList(list):
    """A sequence that knows its own line and the line of each item."""

    __slots__ = ("line", "item_lines")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class YamlError(Exception):
    """A document that cannot be read, with the 1-based line the problem is on."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Document:
    data: object
    line: int  # first line of the document's content
    end_line: int


@dataclass
class Ignore:
    """An inline `# prc:ignore ID[,ID] reason` comment."""

    line: int
    checks: tuple[str, ...]
    reason: str
    own_line: bool  # a comment alone on its line applies to the line below it
    applies_to: int  # the line whose results it suppresses


@dataclass
class YamlFile:
    documents: list[Document] = field(default_factory=list)
    ignores: list[Ignore] = field(default_factory=list)


# Check ids or slugs separated by commas (spaces around them allowed), then the reason.
_IGNORE_RE = re.compile(
    r"#\s*prc:ignore\b[ \t]*(?P<checks>[A-Za-z0-9_\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-]+)*)?[ \t]*(?P<reason>.*)$")


def find_ignores(text: str) -> list[Ignore]:
    found = []
    if "prc:ignore" not in text:
        return found
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "prc:ignore" not in line:
            continue
        match = _IGNORE_RE.search(line)
        if not match:
            continue
        checks = tuple(c.strip() for c in (match.group("checks") or "").split(",") if c.strip())
        own_line = line.lstrip().startswith("#")
        applies_to = index + 1
        if own_line:
            # Skip further comments, so several ignores can stack above one line.
            below = index + 1
            # A document marker belongs to no object: an ignore above `---` covers the object after it.
            while below < len(lines) and (not lines[below].strip() or lines[below].lstrip().startswith("#")
                                          or lines[below].rstrip() in ("---", "...")):
                below += 1
            applies_to = below + 1
        found.append(Ignore(index + 1, checks, match.group("reason").strip(), own_line, applies_to))
    return found


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """Nodes the document would have once aliases are expanded, and nodes it spells out."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    distinct = 0

    def size(node: yaml.Node) -> int:
        nonlocal distinct
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise YamlError("recursive YAML alias (a node that contains itself) is not allowed", _line(node))
        distinct += 1
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            return 1
        in_progress.add(key)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1 + sum(size(item) for item in node.value)
        in_progress.discard(key)
        sizes[key] = total
        return total

    return size(root), distinct


_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
# PyYAML's C composer recurses once per nesting level with no limit of its own:
# a few hundred kilobytes of `[[[[...` would overflow the C stack and kill the
# process, so deep flow nesting is refused before composing.
MAX_FLOW_DEPTH = 500
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth_problem(text: str) -> YamlError | None:
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return None
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_FLOW_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                return YamlError(f"YAML nesting is deeper than {MAX_FLOW_DEPTH} levels; refusing to read it", line)
    return None


def _scalar(node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor) -> object:
    if node.tag == "tag:yaml.org,2002:str" or node.tag in _KEEP_AS_TEXT or not node.tag.startswith("tag:yaml.org"):
        # Dates stay text: reports must be deterministic and JSON-safe.
        return node.value
    try:
        return constructor.construct_object(node)
    except yaml.YAMLError:
        return node.value
    finally:
        constructor.constructed_objects.clear()


def _convert(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> object:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, constructor)
    if isinstance(node, yaml.SequenceNode):
        seq = LList(_line(node))
        for item in node.value:
            seq.append(_convert(item, constructor))
            seq.item_lines.append(_line(item))
        return seq
    mapping = LDict(_line(node))
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged = _convert(value_node, constructor)
            for part in merged if isinstance(merged, list) else [merged]:
                if isinstance(part, LDict):
                    for k, v in part.items():
                        mapping.setdefault(k, v)
                        mapping.key_lines.setdefault(k, part.key_lines.get(k, part.line))
            continue
        key = _convert(key_node, constructor)
        if isinstance(key, (dict, list)):
            # A complex key (`{{ template "x" . }}: ...` is a flow mapping used as a key) becomes its flow text.
            key = _flow_text(key)
        mapping[key] = _convert(value_node, constructor)
        mapping.key_lines[key] = _line(key_node)
    return mapping


def _flow_text(value: object) -> str:
    """A converted node in YAML flow style, for use as a mapping key; never fails."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow_text(k)}: {_flow_text(v)}" if v is not None else _flow_text(k)
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow_text(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _problem_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 0


def _problem_text(exc: yaml.YAMLError) -> str:
    context = getattr(exc, "context", None)
    context_mark, problem_mark = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
    if context and context_mark is not None and problem_mark is not None and context_mark.line != problem_mark.line:
        # The error is reported where the parser gave up; say where the construct began.
        context = f"{context} on line {context_mark.line + 1}"
    parts = [context, getattr(exc, "problem", None)]
    text = "; ".join(p for p in parts if p)
    return text or str(exc).splitlines()[0]


def parse_yaml(text: str) -> YamlFile:
    """Every document of a YAML stream, converted with line numbers.

    Raises YamlError on a syntax error or an alias bomb; documents before
    the error are not returned, since a stream that breaks halfway is not
    one a user would apply.
    """
    result = YamlFile(ignores=find_ignores(text))
    too_deep = _flow_depth_problem(text)
    if too_deep:
        raise too_deep
    # A fresh constructor per stream: no state is shared between files or threads.
    constructor = yaml.constructor.SafeConstructor()
    has_anchors = "&" in text  # without an anchor there is no alias to expand
    try:
        for root in yaml.compose_all(text, Loader=_Loader):
            if root is None:
                continue
            expanded, distinct = _expanded_size(root) if has_anchors else (0, 0)
            if expanded > MAX_EXPANDED_NODES or expanded > MAX_EXPANSION_RATIO * max(distinct, 1000):
                raise YamlError(
                    f"YAML aliases expand to {expanded} nodes from {distinct} written ones; refusing to expand "
                    "(possible alias bomb)",
                    _line(root),
                )
            result.documents.append(Document(_convert(root, constructor), _line(root), root.end_mark.line + 1))
    except yaml.YAMLError as exc:
        raise YamlError(_problem_text(exc), _problem_line(exc)) from None
    except RecursionError:
        raise YamlError("YAML nesting is too deep to read") from None
    return result


def line_of(node: object, path: str) -> int:
    """The line of the deepest existing node along a dotted path like `spec.containers[0].ports`.

    A key that itself holds dots, such as the annotation `prometheus.io/scrape`,
    is written as it is: `metadata.annotations.prometheus.io/scrape`.
    """
    best = getattr(node, "line", 0)
    if not path:
        return best
    parts = _split_path(path)
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            if isinstance(node, LList) and 0 <= part < len(node):
                best = node.item_lines[part] or best
                node = node[part]
                best = getattr(node, "line", 0) or best
                i += 1
                continue
            break
        if not isinstance(node, LDict):
            break
        key, last = part, i
        while key not in node and last + 1 < len(parts) and isinstance(parts[last + 1], str):
            last += 1
            key = f"{key}.{parts[last]}"
        if key not in node:
            break
        best = node.key_lines.get(key, best)
        node = node[key]
        i = last + 1
    return best


_PATH_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split_path(path: str) -> list:
    return [int(index) if index else name for name, index in _PATH_RE.findall(path)]
