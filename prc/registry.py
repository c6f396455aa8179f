"""Check metadata, the @check decorator, and loading checks through the `prc.checks` entry points."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from importlib import metadata
from types import MappingProxyType, ModuleType
from typing import Callable, Iterable, Iterator, Mapping

from .items import ITEMS
from .model import CATEGORIES, TIERS, CheckInfo, Outcome, Severity

ENTRY_POINT_GROUP = "prc.checks"
_ID_RE = re.compile(r"^PRC-(K8S|DKR|TF|ALERT|SLO|REPO|AWS|XA)-\d{3}$|^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CheckDefinitionError(Exception):
    pass


def names_check(key: str, check_id: str, slug: str, *, prefix: bool = False, category: str | None = None) -> bool:
    """Whether a user's word names a check: its id (any case) or slug, and optionally an id prefix
    (`PRC-K8S`) or its category. The one matcher for config, waivers and suppressions."""
    word = key.strip()
    if word.upper() == check_id or word.lower() == slug:
        return True
    if prefix and check_id.startswith(word.upper().rstrip("-") + "-"):
        return True
    return category is not None and word.lower() == category


@dataclass(frozen=True)
class Option:
    default: object
    description: str


@dataclass(frozen=True, eq=False)
class Check:
    """A check: metadata plus a generator function over one kind of target."""

    id: str
    slug: str
    item: str
    category: str
    severity: Severity
    targets: tuple[type, ...]
    func: Callable[..., Iterable[Outcome] | None]
    what: str
    why: str
    how_to_fix: str
    remediation: str
    options: Mapping[str, Option] = field(default_factory=dict)
    enabled_by_default: bool = True
    required_from: str | None = None

    @property
    def tiers(self) -> list[str]:
        if self.required_from is None:
            return []
        return list(TIERS[: TIERS.index(self.required_from) + 1])

    def info(self, severity: Severity | None = None) -> CheckInfo:
        return CheckInfo(self.id, self.slug, self.item, self.category, severity or self.severity, self.remediation,
                         self.required_from)

    def default_options(self) -> dict:
        return {name: option.default for name, option in self.options.items()}

    def run(self, target: object, options: Mapping) -> Iterator[Outcome]:
        produced = self.func(target, MappingProxyType(dict(options)))
        if produced is None:
            return iter(())
        if isinstance(produced, Outcome):
            return iter((produced,))
        return iter(produced)


def _sections(doc: str | None, name: str) -> tuple[str, str, str]:
    """What / Why / How to fix: the docstring's three paragraphs."""
    if not doc:
        raise CheckDefinitionError(f"{name}: a check needs a docstring with What, Why and How to fix paragraphs")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", inspect.cleandoc(doc)) if p.strip()]
    if len(paragraphs) != 3:
        raise CheckDefinitionError(f"{name}: the docstring must have exactly three paragraphs (What, Why, How to fix)")
    return tuple(re.sub(r"^(What|Why|How to fix):\s*", "", p) for p in paragraphs)  # type: ignore[return-value]


def check(*, id: str, slug: str, target: type | tuple[type, ...], item: str, severity: str, fix: str,
          category: str | None = None, options: Mapping[str, tuple[object, str]] | None = None,
          enabled: bool = True, required_from: str | None = "item") -> Callable[[Callable], Check]:
    """Declare a check. Returns a Check object; nothing is registered as a side effect of importing."""

    def decorate(func: Callable) -> Check:
        item_def = ITEMS.get(item)
        resolved_category = category or (item_def.category if item_def else None)
        if resolved_category not in CATEGORIES:
            raise CheckDefinitionError(f"{id}: unknown item {item!r}; give a known item or a category")
        if not _ID_RE.match(id) or not _SLUG_RE.match(slug):
            raise CheckDefinitionError(f"{id}: id must look like PRC-K8S-001 and slug like kebab-case")
        what, why, how = _sections(func.__doc__, id)
        if required_from not in ("item", None, *TIERS):
            raise CheckDefinitionError(f"{id}: required_from must be one of {', '.join(TIERS)} or None")
        return Check(
            id=id, slug=slug, item=item, category=resolved_category, severity=Severity(severity),
            targets=target if isinstance(target, tuple) else (target,), func=func, what=what, why=why,
            how_to_fix=how, remediation=fix,
            options=MappingProxyType({k: Option(*v) for k, v in (options or {}).items()}),
            enabled_by_default=enabled,
            required_from=(item_def.required_from if item_def else None) if required_from == "item" else required_from,
        )

    return decorate


def checks_in(module: ModuleType | object) -> list[Check]:
    """The Check objects an entry point provides: a module's Check attributes, a list, or one Check."""
    if isinstance(module, Check):
        return [module]
    if isinstance(module, (list, tuple)):
        return [c for c in module if isinstance(c, Check)]
    return [value for value in vars(module).values() if isinstance(value, Check)]


@dataclass
class Registry:
    checks: list[Check]
    # Entry points that could not be loaded, with the reason.
    load_errors: list[str] = field(default_factory=list)
    # Check id -> the entry point that provided it.
    sources: dict[str, str] = field(default_factory=dict)

    def by_id(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks}

    def find(self, key: str) -> Check | None:
        return next((c for c in self.checks if names_check(key, c.id, c.slug)), None)

    def select(self, selector: str, category: bool = True) -> list[Check]:
        """Checks named by id, slug, id prefix (PRC-K8S) or, unless told not to, category."""
        return [c for c in self.checks
                if names_check(selector, c.id, c.slug, prefix=True, category=c.category if category else None)]


def load_registry(entry_points: Iterable[metadata.EntryPoint] | None = None) -> Registry:
    if entry_points is None:
        entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    found: dict[str, Check] = {}
    sources: dict[str, str] = {}
    errors: list[str] = []
    # Built-ins first, so a plugin can never replace one by reusing its id or slug.
    for ep in sorted(entry_points, key=lambda e: (not e.value.startswith("prc_checks."), e.name, e.value)):
        try:
            provided = checks_in(ep.load())
        except Exception as exc:  # a broken plugin must not take the built-in checks down with it
            errors.append(f"entry point {ep.name} = {ep.value} failed to load: {type(exc).__name__}: {exc}")
            continue
        for c in provided:
            if c.id in found and found[c.id] is not c:
                errors.append(f"entry point {ep.name}: check id {c.id} is already provided by {sources[c.id]}")
                continue
            same_slug = next((other for other in found.values() if other.slug == c.slug and other.id != c.id), None)
            if same_slug is not None:
                errors.append(f"entry point {ep.name}: check {c.id} reuses the slug {c.slug} of {same_slug.id}")
                continue
            sources[c.id] = f"{ep.name} = {ep.value}"
            found[c.id] = c
    return Registry(sorted(found.values(), key=lambda c: c.id), errors, sources)
