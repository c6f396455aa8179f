"""What prc needs to know about a PromQL expression, read once from the `promql-parser` AST.

`parse(text)` gives a `PromQL`: the parser's message when the expression does not parse, every vector selector
with its metric name and label matchers, and every range window (matrix selectors and subqueries) in seconds.
`burn_rate(expr, records)` reads an alert expression as multiwindow, multi-burn-rate alerts (the SRE workbook's
`(long-window error ratio > F * (1 - T)) and (short-window error ratio > F * (1 - T))`, inline or through
recording rules such as Sloth's `slo:sli_error:ratio_rate5m`) and returns each (long, short, threshold) it finds.

The parser is native code that recurses once per nesting level and once per binary operator: a few thousand of
either overflow its stack and kill the process (no exception), and parsing time grows with their square. An
expression from a scanned repository is therefore measured before it is parsed, and one beyond the limits below
(far above any real rule) is not parsed at all: `skipped` says why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, NamedTuple, Sequence


class _DeferredParser:
    """Stands for the `promql_parser` module until an expression is first parsed, so a scan without alert rules
    (and `prc --version`) never loads the native extension; the first attribute read replaces it for good."""

    def __getattr__(self, name: str):
        global pp
        import promql_parser

        pp = promql_parser
        return getattr(promql_parser, name)


pp = _DeferredParser()

MAX_LENGTH = 64 * 1024
MAX_NESTING = 100
MAX_OPERATORS = 300

# String literals and comments are removed before counting, so `code=~"5.."` or `job="a-b-c"` count nothing.
_STRINGS_AND_COMMENTS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`|#[^\n]*')
_OPERATOR = re.compile(r"==|!=|>=|<=|=~|!~|[-+*/%^<>]|\b(?:and|or|unless|atan2)\b", re.IGNORECASE)

# A group followed by a quantifier: the shape of patterns that backtrack exponentially.
_QUANTIFIED_GROUP = re.compile(r"\)(?:[*+]|\{\d)")
_QUANTIFIER = re.compile(r"[*+?]|\{\d")
_MAX_QUANTIFIERS = 3
_MATCH_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_COMPARISONS = frozenset({">", ">=", "<", "<="})
_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "%": math.fmod, "^": math.pow,
}
# Functions Prometheus has removed or renamed, which the parser (rightly) no longer knows.
_RENAMED_FUNCTIONS = {
    "holt_winters": "Prometheus 3 renamed it double_exponential_smoothing, an experimental function "
                    "behind --enable-feature=promql-experimental-functions",
}

_DURATION_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_DURATION_UNITS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
# The window a recording rule's name states when its expression does not show one: `ratio_rate5m`, `rate1h`,
# `burnrate30m`, `error_ratio_3d`.
_NAME_WINDOW_RE = re.compile(r"(?:rate|ratio|burnrate|window)_?((?:\d+[ywdhms]|\d+ms)+)$", re.IGNORECASE)
_BURN_RATE_NAME_RE = re.compile(r"burn_?rate", re.IGNORECASE)
# How deep recording rules that read other recording rules are followed for their window.
_MAX_RECORD_DEPTH = 8


# --------------------------------------------------------------------------- the parsed expression


class LabelMatcher(NamedTuple):
    """One label matcher of a selector: `job="api"` is LabelMatcher("job", "=", "api"), which unpacks as a
    (name, op, value) tuple."""

    name: str
    op: str  # "=", "!=", "=~" or "!~"
    value: str

    def matches(self, value: str | None) -> bool | None:
        """Whether a series whose label has `value` (None: the label is absent, which PromQL reads as "") is
        selected; None when prc cannot tell. Regular expressions are anchored at both ends, as in Prometheus.

        Prometheus runs RE2, which never backtracks; Python's engine does, and a pattern from a scanned repository
        with a quantified group (`(a+)+`) or many quantifiers (`a*a*a*a*a*a*b`) could run for hours. Only patterns
        as simple as selectors usually are (`api|web`, `api-.*`, `5..`) are run; for others, and for RE2 syntax
        Python lacks, the answer is None.
        """
        value = value or ""
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        if _QUANTIFIED_GROUP.search(self.value) or len(_QUANTIFIER.findall(self.value)) > _MAX_QUANTIFIERS:
            return None
        try:
            found = re.fullmatch(self.value, value) is not None
        except re.error:
            return None
        return found == (self.op == "=~")

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


@dataclass(frozen=True)
class Selector:
    """A vector selector: the metric name (None for `{job="api"}` or a regex on `__name__`) and its matchers.

    `alternatives` is set only for Prometheus 3's `{a="1" or b="2"}`: each inner tuple selects on its own and
    `matchers` is then empty.
    """

    metric: str | None
    matchers: tuple[LabelMatcher, ...] = ()
    alternatives: tuple[tuple[LabelMatcher, ...], ...] = ()

    def label(self, name: str) -> LabelMatcher | None:
        """The first matcher on a label, or None."""
        return next((m for m in self.matchers if m.name == name), None)


@dataclass(frozen=True)
class BurnRatePair:
    """One multiwindow alert condition: both windows' error ratios above `threshold`.

    `long` and `short` are in seconds. `threshold` is the number both ratios are compared with when it is a
    constant (`14.4 * (1 - 0.999)` gives 0.0144) and both windows use the same one; otherwise None. `measures`
    is "error_ratio" when the compared series is an error ratio, or "burn_rate" when it is already divided by
    the error budget (a recording rule named like `...:burn_rate1h`, or `ratio / (1 - 0.999)` inline): the
    threshold is then the burn factor itself (14.4).
    """

    long: float
    short: float
    threshold: float | None
    measures: str = "error_ratio"


@dataclass(frozen=True, eq=False)
class PromQL:
    """An expression as written, and what prc read from it. Only one of `error` and `skipped` is ever set;
    when either is, nothing else is known."""

    text: str
    error: str = ""  # the parser's message: the expression is not valid PromQL
    skipped: str = ""  # why prc did not parse it
    selectors: tuple[Selector, ...] = ()
    windows: tuple[float, ...] = ()  # distinct range windows in seconds, ascending
    root: object = field(default=None, repr=False)

    @property
    def parsed(self) -> bool:
        return self.root is not None

    @property
    def metrics(self) -> tuple[str, ...]:
        """Distinct metric names the expression reads, in the order first written."""
        return tuple(dict.fromkeys(s.metric for s in self.selectors if s.metric))


def parse(text: str) -> PromQL:
    too_big = _too_big(text)
    if too_big:
        return PromQL(text, skipped=too_big)
    try:
        root = pp.parse(text)
    except ValueError as exc:
        return PromQL(text, error=_explained(str(exc)))
    except BaseException as exc:  # a panic inside the native parser arrives as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        return PromQL(text, skipped=f"the PromQL parser failed on it ({exc})")
    nodes = list(_nodes(root))
    selectors = tuple(_selector(n) for n in nodes if isinstance(n, pp.VectorSelector))
    windows = tuple(sorted({w for n in nodes if (w := _range(n)) is not None}))
    return PromQL(text, selectors=selectors, windows=windows, root=root)


def _too_big(text: str) -> str:
    if len(text) > MAX_LENGTH:
        return f"the expression is {len(text)} characters long, above the {MAX_LENGTH} prc parses"
    bare = _STRINGS_AND_COMMENTS.sub(" ", text)
    operators = len(_OPERATOR.findall(bare))
    if operators > MAX_OPERATORS:
        return f"the expression has {operators} operators, above the {MAX_OPERATORS} prc parses safely"
    depth = deepest = 0
    for char in bare:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        return f"the expression nests brackets {deepest} deep, above the {MAX_NESTING} prc parses safely"
    return ""


def _explained(message: str) -> str:
    found = re.search(r"unknown function with name '([^']+)'", message)
    if found and found.group(1) in _RENAMED_FUNCTIONS:
        return f"{message} ({_RENAMED_FUNCTIONS[found.group(1)]})"
    return message


def _children(node: object) -> tuple:
    if isinstance(node, pp.BinaryExpr):
        return (node.lhs, node.rhs)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return (node.expr,)
    if isinstance(node, pp.AggregateExpr):
        return (node.expr,) if node.param is None else (node.param, node.expr)
    if isinstance(node, pp.Call):
        return tuple(node.args)
    if isinstance(node, pp.MatrixSelector):
        return (node.vector_selector,)
    return ()


def _nodes(root: object) -> Iterator[object]:
    """Every node, depth first in the order written; iterative, since the tree may be deeper than Python's
    recursion limit allows."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def _range(node: object) -> float | None:
    if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)) and node.range is not None:
        return node.range.total_seconds()
    return None


def _matcher(m: pp.Matcher) -> LabelMatcher:
    return LabelMatcher(m.name, _MATCH_OPS.get(str(m.op), str(m.op)), m.value)


def _selector(node: pp.VectorSelector) -> Selector:
    matchers = tuple(_matcher(m) for m in node.matchers.matchers)
    alternatives = tuple(tuple(_matcher(m) for m in group) for group in node.matchers.or_matchers)
    return Selector(node.name or _name_from_matchers(matchers, alternatives), matchers, alternatives)


def _name_from_matchers(matchers: tuple, alternatives: tuple) -> str | None:
    groups = alternatives or (matchers,)
    names = {next((m.value for m in g if m.name == "__name__" and m.op == "="), None) for g in groups}
    return names.pop() if len(names) == 1 else None


# --------------------------------------------------------------------------- durations and constants


def parse_duration(text: str) -> float | None:
    """A Prometheus duration (`5m`, `1h30m`, `0`) in seconds; None when it is not one."""
    if text == "0":
        return 0.0
    found = _DURATION_RE.match(text)
    if not text or not found:
        return None
    return float(sum(int(n) * unit for n, unit in zip(found.groups(), _DURATION_UNITS) if n))


def constant(node: object) -> float | None:
    """The value of an expression made only of numbers and arithmetic (`14.4 * (1 - 0.999)`), else None."""
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.ParenExpr):
        return constant(node.expr)
    if isinstance(node, pp.UnaryExpr):
        inner = constant(node.expr)
        return None if inner is None else -inner
    if isinstance(node, pp.BinaryExpr) and str(node.op) in _ARITHMETIC:
        lhs, rhs = constant(node.lhs), constant(node.rhs)
        if lhs is None or rhs is None:
            return None
        try:
            return _ARITHMETIC[str(node.op)](lhs, rhs)
        except (ZeroDivisionError, OverflowError, ValueError):
            return None
    return None


# --------------------------------------------------------------------------- burn-rate alerts

Records = Mapping[str, "PromQL | Sequence[PromQL]"]


@dataclass(frozen=True)
class _Condition:
    """`series > threshold`, with the window the series is measured over."""

    window: float
    threshold: float | None
    measures: str


def burn_rate(expr: PromQL, records: Records | None = None) -> tuple[BurnRatePair, ...]:
    """The multiwindow burn-rate conditions of an alert expression, in the order written; () when it is not a
    burn-rate alert (or does not parse).

    A series' window is the range its own expression reads (`rate(x[1h])`), else that of the recording rule it
    names: `records` maps a record name to that rule's expression (or to several, when several rules record the
    same name, as Sloth does once per SLO); a name suffix such as `ratio_rate5m` is the fallback.
    """
    if not expr.parsed:
        return ()
    try:
        return tuple(_pairs(expr.root, records or {}))
    except RecursionError:  # a pathological tree within the parse limits: not a shape worth reading
        return ()


def _unwrapped(node: object) -> object:
    """Through parentheses and aggregations (Sloth once wrapped each condition in `max(...) without (...)`)."""
    while isinstance(node, (pp.ParenExpr, pp.AggregateExpr)) and not _is_parameterised(node):
        node = node.expr
    return node


def _is_parameterised(node: object) -> bool:
    return isinstance(node, pp.AggregateExpr) and node.param is not None


def _pairs(node: object, records: Records) -> Iterator[BurnRatePair]:
    node = _unwrapped(node)
    if not isinstance(node, pp.BinaryExpr):
        return
    op = str(node.op)
    if op == "or":
        yield from _pairs(node.lhs, records)
        yield from _pairs(node.rhs, records)
    elif op == "unless":
        yield from _pairs(node.lhs, records)  # what it removes (maintenance windows, inhibitors) is not a window
    elif op == "and":
        pair = _pair([c for operand in _and_operands(node) if (c := _condition(operand, records))])
        if pair is not None:
            yield pair


def _and_operands(node: pp.BinaryExpr) -> list:
    found, stack = [], [node]
    while stack:
        current = _unwrapped(stack.pop())
        if isinstance(current, pp.BinaryExpr) and str(current.op) == "and":
            stack += [current.rhs, current.lhs]
        else:
            found.append(current)
    return found


def _pair(conditions: list[_Condition]) -> BurnRatePair | None:
    if len({c.window for c in conditions}) < 2:
        return None
    long = max(conditions, key=lambda c: c.window)
    short = min(conditions, key=lambda c: c.window)
    same = (long.threshold is not None and short.threshold is not None
            and math.isclose(long.threshold, short.threshold, rel_tol=1e-9))
    return BurnRatePair(long.window, short.window, long.threshold if same else None, long.measures)


def _condition(node: object, records: Records) -> _Condition | None:
    node = _unwrapped(node)
    if not isinstance(node, pp.BinaryExpr) or str(node.op) not in _COMPARISONS:
        return None
    if node.modifier is not None and node.modifier.return_bool:
        return None  # `x > bool 1` is 0 or 1 and always present: it filters nothing
    lhs_value, rhs_value = constant(node.lhs), constant(node.rhs)
    upward = str(node.op).startswith(">")
    if lhs_value is not None and rhs_value is None:
        series, threshold, upward = node.rhs, lhs_value, not upward
    else:
        series, threshold = (node.lhs, rhs_value) if upward else (node.rhs, lhs_value)
    if not upward:
        return None  # fires when the ratio is low: not an error-budget burn
    window = _series_window(series, records)
    if window is None:
        return None
    return _Condition(window, threshold, _measures(series, records))


def _series_window(series: object, records: Records) -> float | None:
    nodes = list(_nodes(series))
    inline = {w for n in nodes if (w := _range(n)) is not None}
    if inline:
        return inline.pop() if len(inline) == 1 else None
    names = {n.name for n in nodes if isinstance(n, pp.VectorSelector) and n.name}
    windows = {record_window(name, records) for name in names}
    windows.discard(None)
    return windows.pop() if len(windows) == 1 else None


def _measures(series: object, records: Records) -> str:
    series = _unwrapped(series)
    if isinstance(series, pp.BinaryExpr) and str(series.op) == "/":
        budget = constant(series.rhs)
        if budget is not None and 0 < budget < 1:
            return "burn_rate"  # error ratio / (1 - target)
    names = [n.name for n in _nodes(series) if isinstance(n, pp.VectorSelector) and n.name]
    return "burn_rate" if any(_BURN_RATE_NAME_RE.search(n) for n in names) else "error_ratio"


def record_window(name: str, records: Records | None = None, _depth: int = 0) -> float | None:
    """The window a recorded series is measured over: the single range its recording rule(s) read (following
    recording rules that read other recording rules), else the one its name states (`..._rate5m`); None when
    neither says."""
    expressions = _as_list((records or {}).get(name))
    windows = {_expression_window(e, records, _depth) for e in expressions}
    if len(windows) == 1 and None not in windows:
        return windows.pop()
    found = _NAME_WINDOW_RE.search(name)
    return parse_duration(found.group(1)) if found else None


def _as_list(value: object) -> list[PromQL]:
    if value is None:
        return []
    if isinstance(value, PromQL):
        return [value]
    return [v for v in value if isinstance(v, PromQL)]


def _expression_window(expr: PromQL, records: Records | None, depth: int) -> float | None:
    if not expr.parsed:
        return None
    if expr.windows:
        return expr.windows[0] if len(expr.windows) == 1 else None
    if depth >= _MAX_RECORD_DEPTH:
        return None
    windows = {record_window(m, records, depth + 1) for m in expr.metrics}
    return windows.pop() if len(windows) == 1 else None


def format_seconds(seconds: float) -> str:
    """3600 -> `1h`, 5400 -> `1h30m`, 1.5 -> `1500ms`: as a Prometheus duration."""
    if seconds == 0:
        return "0s"
    parts, rest = [], round(seconds * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
