"""Per-service scores, checklist items and the READY / NOT READY verdict for the service's tier."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from .config import Config
from .items import ITEMS, MANUAL_ITEMS, Item
from .model import CATEGORIES, SEVERITY_ORDER, Result, Status
from .services import UNASSIGNED

READY = "READY"
NOT_READY = "NOT READY"


@dataclass(frozen=True)
class ItemStatus:
    item: Item
    status: str  # PASS, FAIL, UNKNOWN, ERROR
    required: bool
    failing_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManualStatus:
    item: Item
    status: str  # attested, missing, expired
    required: bool
    evidence: str = ""
    date: str = ""
    expires: str = ""


@dataclass(frozen=True)
class ServiceScore:
    name: str
    tier: str
    verdict: str
    score: float | None
    categories: tuple[tuple[str, float | None], ...]
    items: tuple[ItemStatus, ...]
    manual: tuple[ManualStatus, ...]
    counts: tuple[tuple[str, int], ...]  # status counts, suppressed included separately
    fails_by_severity: tuple[tuple[str, int], ...]

    @property
    def ready(self) -> bool:
        return self.verdict == READY


def _percent(passed: int, evaluated: int) -> float | None:
    return round(100.0 * passed / evaluated, 1) if evaluated else None


def _score(results: list[Result]) -> float | None:
    counted = [r for r in results if r.status in (Status.PASS, Status.FAIL) and not r.suppressed]
    return _percent(sum(r.severity.weight for r in counted if r.status is Status.PASS),
                    sum(r.severity.weight for r in counted))


def _item_status(results: list[Result]) -> tuple[str, tuple[str, ...]]:
    live = [r for r in results if not r.suppressed]
    for status in (Status.FAIL, Status.ERROR, Status.UNKNOWN):
        hit = sorted({r.check.id for r in live if r.status is status})
        if hit:
            return status.value, tuple(hit)
    return Status.PASS.value, ()


def _plugin_item(slug: str, results: list[Result]) -> Item:
    """An item only a plugin check names: its category and requirement come from the check."""
    first = min(results, key=lambda r: r.check.id).check
    return Item(slug, slug.replace("-", " ").capitalize(), first.category, first.required_from)


def _manual(item: Item, service: str, tier: str, config: Config, today: str) -> ManualStatus:
    required = item.required_for(tier)
    candidates = [a for a in config.attestations if a.item == item.slug and a.service in ("", service)]
    # A service's own attestation wins over one for every service.
    candidates.sort(key=lambda a: a.date, reverse=True)
    candidates.sort(key=lambda a: a.service == "")
    if not candidates:
        return ManualStatus(item, "missing", required)
    best = candidates[0]
    status = "expired" if best.expires and best.expires < today else "attested"
    return ManualStatus(item, status, required, best.evidence, best.date, best.expires)


def score_services(results: list[Result], services: list[str], config: Config, today: dt.date) -> list[ServiceScore]:
    by_service: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_service[r.service].append(r)
    scores = []
    # Results outside any service (UNASSIGNED, or input errors in no object) are never scored.
    for name in sorted(set(services) - {UNASSIGNED, ""}):
        mine = by_service.get(name, [])
        tier = config.tier_of(name)
        by_item: dict[str, list[Result]] = defaultdict(list)
        for r in mine:
            if r.check.item:
                by_item[r.check.item].append(r)
        items = []
        for slug in [*ITEMS, *sorted(set(by_item) - set(ITEMS))]:
            if slug not in by_item:
                continue
            item = ITEMS.get(slug) or _plugin_item(slug, by_item[slug])
            status, failing = _item_status(by_item[slug])
            items.append(ItemStatus(item, status, item.required_for(tier), failing))
        manual = [_manual(item, name, tier, config, today.isoformat()) for item in MANUAL_ITEMS]
        ready = all(i.status == "PASS" for i in items if i.required) and all(
            m.status == "attested" for m in manual if m.required)
        # Input errors have no item but still make the verdict unprovable.
        ready = ready and not any(r.status is Status.ERROR and not r.suppressed for r in mine)
        counts = {s.value: 0 for s in Status}
        for r in mine:
            if not r.suppressed:
                counts[r.status.value] += 1
        counts["SUPPRESSED"] = sum(1 for r in mine if r.suppressed)
        fails = {s.value: 0 for s in SEVERITY_ORDER}
        for r in mine:
            if r.status is Status.FAIL and not r.suppressed:
                fails[r.severity.value] += 1
        scores.append(ServiceScore(
            name=name, tier=tier, verdict="READY" if ready else NOT_READY, score=_score(mine),
            categories=tuple((c, _score([r for r in mine if r.check.category == c])) for c in CATEGORIES),
            items=tuple(items), manual=tuple(manual), counts=tuple(counts.items()),
            fails_by_severity=tuple(fails.items()),
        ))
    return scores
