"""SLO document checks: each SLO is complete (PRC-SLO-001) and has an error budget policy (PRC-SLO-002).

They run on one `Slo` each, whatever format it was written in (prc's own, OpenSLO, Sloth): the loader has read
every field into the same attributes and recorded which ones it could not use. Checks about a whole service (does
it have SLOs at all, how many, are they alerted on) run on the service, elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re

from prc import promql
from prc.loaders.alerts import AlertRule
from prc.loaders.slo import FIELD_LABELS, FIELDS, Slo
from prc.model import Outcome
from prc.registry import check
from prc.service_model import ServiceView
from prc.slo_math import expected_burn_rates, threshold_matches


def _percent(objective: float) -> str:
    return format(round(objective * 100, 10), "g")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _count(items: tuple, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _add(keys: list[str]) -> str:
    """`add window and the annotations prc.dev/owner and prc.dev/approver`: what to write, as the format spells it."""
    plain = [k for k in keys if not k.startswith("annotation ")]
    annotations = [k.removeprefix("annotation ") for k in keys if k.startswith("annotation ")]
    if annotations:
        plain.append(f"the annotation{'s' if len(annotations) > 1 else ''} {_and(annotations)}")
    return f"add {_and(plain)}"


# --------------------------------------------------------------------------- PRC-SLO-001


def _given(slo: Slo, name: str) -> bool:
    value = {"sli": slo.sli, "objective": slo.objective, "window": slo.window_seconds, "owner": slo.owned_by,
             "approver": slo.approver, "created": slo.created, "approved": slo.approved,
             "next_review": slo.next_review}[name]
    return value is not None and value != ""


def _date_problems(slo: Slo, max_interval_days: int) -> list[str]:
    """Dates that contradict each other, a review interval longer than allowed, and a review that is overdue."""
    problems = []
    if slo.created and slo.approved and slo.approved < slo.created:
        problems.append(f"approved date {slo.approved} is before the created date {slo.created}")
    if slo.approved and slo.next_review:
        if slo.next_review <= slo.approved:
            problems.append(f"next review date {slo.next_review} is not after the approved date {slo.approved}")
        elif max_interval_days > 0:
            days = (dt.date.fromisoformat(slo.next_review) - dt.date.fromisoformat(slo.approved)).days
            if days > max_interval_days:
                problems.append(f"next review date {slo.next_review} is {days} days after approval (at most "
                                f"{max_interval_days} allowed)")
    if slo.as_of and slo.next_review and slo.next_review < slo.as_of:
        problems.append(f"next review date {slo.next_review} has passed (scan date {slo.as_of})")
    return problems


def document_gaps(slo: Slo, max_interval_days: int = 365) -> tuple[list[str], list[str]]:
    """The fields an SLO lacks (FIELDS names), and what is wrong with the ones it gives."""
    missing, wrong = [], []
    for name in FIELDS:
        if name in slo.invalid:
            wrong.append(f"{FIELD_LABELS[name]}: {slo.invalid[name]}")
        elif not _given(slo, name):
            missing.append(name)
        elif name == "sli" and slo.sli.incomplete:
            wrong.append(f"{FIELD_LABELS[name]}: {slo.sli.incomplete}")
    return missing, wrong + _date_problems(slo, max_interval_days)


def _summary(slo: Slo) -> str:
    window = f"{slo.window_text} (Sloth's default period)" if slo.window_default else slo.window_text
    text = (f"target {_percent(slo.objective)}% over {window}, {slo.sli.kind} SLI, owner {slo.owned_by}, approved "
            f"by {slo.approver} on {slo.approved}, next review {slo.next_review}")
    if not slo.as_of:
        text += " (not compared with today: the scan gave no date)"
    return text


def _judge_slo(slo: Slo, max_interval_days: int) -> Outcome:
    missing, wrong = document_gaps(slo, max_interval_days)
    if not missing and not wrong:
        return slo.ok(_summary(slo))
    parts = []
    if missing:
        parts.append(f"missing {_and([FIELD_LABELS[m] for m in missing])} ({_add([slo.key(m) for m in missing])})")
    return slo.fail("; ".join(parts + wrong))


@check(id="PRC-SLO-001", slug="slo-document", target=(Slo, ServiceView), item="slos-defined", severity="medium",
       fix="Complete the SLO document: SLI, target below 100%, window, owner, approver, created and approved "
           "dates, and a next review date that has not passed",
       options={"max_review_interval_days": (365, "the longest time allowed from the approved date to the next "
                                                  "review date; 0 allows any")})
def slo_document(target, opts):
    """What: each SLO (one per objective, in prc's format, OpenSLO or Sloth) is complete: it defines its SLI (a
    good/total or bad/total ratio of queries, a latency threshold, a precomputed ratio, an OpenSLO indicatorRef or
    a Sloth plugin), a target strictly below 100%, a window, an owner and an approver, the dates it was created and
    approved, and a next review date after the approval, at most `max_review_interval_days` later, that has not
    passed. A service that no SLO document names fails too, at its declaration. The message names every missing field and how the document's format spells it, and every field that
    is given but unusable. OpenSLO and Sloth have no fields for owner, approver, dates or review, so prc reads
    them from `prc.dev/` annotations (a plain Sloth file: its `x-prc` block); see docs/slo.md.

    Why: an SLO nobody owns, nobody with authority agreed to, or nobody has looked at since it was written stops
    steering decisions: its target drifts away from what users need, and the error budget it defines is ignored
    when it runs out. A target of 100% leaves no error budget at all, so every incident is a breach and no risk
    can ever be taken.

    How to fix: add the missing fields named in the message (prc format: `owner`, `approver`, `created`,
    `approved`, `nextReview` at the top of the document and `sli`, `target`, `window` in each SLO; OpenSLO and
    the Sloth object: the `prc.dev/owner`, `prc.dev/approver`, `prc.dev/created`, `prc.dev/approved` and
    `prc.dev/next-review` annotations), set a target below 100%, and when a review is due, hold it and move
    the next review date forward.
    """
    if isinstance(target, Slo):
        yield _judge_slo(target, opts["max_review_interval_days"])
    else:
        yield _service_has_slos(target)


def _service_has_slos(service: ServiceView) -> Outcome:
    slos = service.of_type(Slo)
    if not slos:
        return service.fail(f"service {service.name} has no SLO document: no prc SLO, OpenSLO or Sloth document "
                            f"names it (see docs/slo.md)")
    names = sorted({s.slo_name for s in slos})
    return service.ok(f"service {service.name} has {_count(tuple(names), 'SLO')}: {', '.join(names)}")


# --------------------------------------------------------------------------- PRC-SLO-002


def _policy_outcome(slo: Slo) -> Outcome:
    policy = slo.policy
    at = slo.path("policy") if "policy" in slo.paths else ""
    if "policy" in slo.invalid:
        return slo.fail(f"the error budget policy cannot be read: {slo.invalid['policy']}", at=at)
    actions, escalation = slo.key("policy.actions"), slo.key("policy.escalation")
    if policy is None:
        return slo.fail("no error budget policy: nothing states what the team does when the budget is spent or "
                        f"who it escalates to ({_add([actions, escalation])})", at=at)
    lacking = [(what, key) for what, key, given in (
        ("the actions when the budget is spent", actions, policy.actions),
        ("an escalation path", escalation, policy.escalation)) if not given]
    if not lacking:
        return slo.ok(f"error budget policy states {_count(policy.actions, 'action')} when the budget is spent and "
                      f"an escalation path of {_count(policy.escalation, 'step')}", at=at)
    states = " or ".join(what for what, _ in lacking)
    add = _add([key for _, key in lacking])
    if policy.url and len(lacking) == 2:
        return slo.fail(f"the error budget policy is only a link ({policy.url}); the SLO document does not state "
                        f"{states} ({add})", at=at)
    return slo.fail(f"the error budget policy does not state {states} ({add})", at=at)


@check(id="PRC-SLO-002", slug="error-budget-policy", target=Slo, item="slos-defined", severity="low",
       fix="State in the SLO document what the team does when the error budget is spent and who it escalates to")
def error_budget_policy(target, opts):
    """What: the SLO's document states its error budget policy: the actions the team takes when the budget is
    spent (a release freeze, reliability work first) and the escalation path (who is told, who decides). prc's
    format has `errorBudgetPolicy` with `whenExhausted` and `escalation` lists (and an optional `url` to the full
    text); OpenSLO and the Sloth object, which have no such field, use the annotations
    `prc.dev/error-budget-actions` and `prc.dev/error-budget-escalation` (one step a line) beside an optional
    `prc.dev/error-budget-policy` link; a plain Sloth file uses `x-prc.errorBudgetPolicy`. A link alone fails:
    prc never fetches it, and the steps belong where they are reviewed with the target.

    Why: an error budget only changes behaviour when everyone agreed beforehand what happens when it runs out;
    decided during an incident, the answer is always "ship anyway". Writing the steps and the escalation path
    next to the target makes the owner and the approver agree to both at once.

    How to fix: add the actions and the escalation path named in the message, for example `whenExhausted: [Freeze
    feature releases until the budget is positive, Fix the top postmortem action items first]` and `escalation:
    [On-call SRE opens a budget review, Engineering manager decides on exceptions]`.
    """
    if isinstance(target, Slo):
        yield _policy_outcome(target)



# --------------------------------------------------------------------------- PRC-SLO-003


@check(id="PRC-SLO-003", slug="slo-count", target=ServiceView, item="slos-defined", severity="low",
       fix="Keep the SLOs that reflect what users feel (availability, latency of the main journeys) and turn the "
           "rest into dashboards or internal alerts",
       options={"max_slos": (5, "the most SLOs one service should have")})
def slo_count(service: ServiceView, opts):
    """What: a service has at most `max_slos` (default 5) SLOs across all its SLO documents. A service without SLOs is left to PRC-SLO-001.

    Why: every SLO is a promise someone reviews, alerts on and defends when its budget runs out; past a handful, nobody can say which one matters, error budgets stop driving decisions, and burn-rate alerts multiply into noise.

    How to fix: keep the few SLOs that describe what users experience (is the main journey available, is it fast enough) and demote the others to dashboards or non-paging alerts.
    """
    slos = service.of_type(Slo)
    if not slos:
        return
    limit = opts["max_slos"]
    names = sorted(s.slo_name for s in slos)
    if len(slos) > limit:
        yield service.fail(f"service {service.name} has {len(slos)} SLOs, more than {limit}: {', '.join(names)}")
    else:
        yield service.ok(f"service {service.name} has {_count(tuple(names), 'SLO')} (at most {limit})")


# --------------------------------------------------------------------------- PRC-SLO-010

_WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")


@check(id="PRC-SLO-010", slug="burn-rate-alerts", target=ServiceView, item="burn-rate-alerts", severity="medium",
       fix="Alert on each SLO with the four multiwindow burn-rate conditions (1h/5m at 14.4x, 6h/30m at 6x paging; "
           "1d/2h at 3x, 3d/6h at 1x as tickets), thresholds factor x (1 - target)")
def burn_rate_alerts(service: ServiceView, opts):
    """What: for each SLO of the service, Prometheus alerting rules implement the multiwindow, multi-burn-rate pattern of the SRE workbook: page when the error ratio over 1h and over 5m both exceed 14.4 x (1 - target), or over 6h and 30m exceed 6x; open a ticket at 3x over 1d and 2h and at 1x over 3d and 6h. An alert counts for an SLO when it reads the SLO's metrics (directly or through recording rules) or, when that cannot be told, when it belongs to or selects the service. Windows and thresholds are read from the PromQL (constant arithmetic such as `14.4 * (1 - 0.999)` is evaluated; a series already divided by the budget is compared with the factor); a threshold within 5% of the expected one matches. The message names each missing window pair and each wrong threshold. An SLO that Sloth generates alerts for (its `alerting` block) passes on that; an SLO without a usable target is UNKNOWN.

    Why: a plain threshold on the error rate either pages for blips that cost nothing or stays quiet while a slow leak spends the month's budget. Pairing a long window (how much budget burned) with a short one (is it still burning) pages quickly on fast burns, catches slow ones as tickets, and stops paging soon after a fix; thresholds computed for another target page at the wrong burn rate.

    How to fix: record the SLO's error ratio over 5m, 30m, 1h, 2h, 6h, 1d and 3d, and alert on `(ratio_rate1h > 14.4 * (1 - T) and ratio_rate5m > 14.4 * (1 - T)) or (ratio_rate6h > 6 * (1 - T) and ratio_rate30m > 6 * (1 - T))` as a page and on the 1d/2h (3x) and 3d/6h (1x) pairs as a ticket, with T the SLO target as a fraction; or let Sloth generate them.
    """
    slos = sorted(service.of_type(Slo), key=lambda s: (s.file, s.line, s.slo_name))
    if not slos:
        return
    candidates = _burn_rate_candidates(service)
    for slo in slos:
        yield _judge_burn_rates(slo, candidates)


def _burn_rate_candidates(service: ServiceView) -> list[tuple[AlertRule, tuple, set[str]]]:
    """(rule, its burn-rate pairs, the metrics it reads through its recording rules) of every alerting rule that
    watches the service (prc.service_model links them once per scan)."""
    found = []
    for alert, _ in service.watched_by:
        if isinstance(alert, AlertRule):
            pairs = alert.burn_rate()
            if pairs:
                found.append((alert, pairs, _metrics_read(alert)))
    return found


def _metrics_read(rule: AlertRule) -> set[str]:
    """The metric names an alert reads, following the recording rules it uses (two steps deep)."""
    metrics: set[str] = set()
    frontier = [rule]
    for _ in range(3):
        following = []
        for r in frontier:
            for selector in r.selectors:
                if not selector.metric:
                    continue
                recorded = rule.recording_rules.get(selector.metric) or rule.scan_recording_rules.get(selector.metric)
                if recorded:
                    following += [x for x in (recorded if isinstance(recorded, list) else [recorded])
                                  if isinstance(x, AlertRule)]
                else:
                    metrics.add(selector.metric)
        frontier = following
    return metrics


def _sli_metrics(slo: Slo) -> set[str]:
    if slo.sli is None:
        return set()
    metrics = set()
    for _, text in slo.sli.queries:
        parsed = promql.parse(_WINDOW_PLACEHOLDER.sub("5m", text))
        metrics |= {s.metric for s in parsed.selectors if s.metric}
    return metrics


def _judge_burn_rates(slo: Slo, candidates: list) -> Outcome:
    label = f"SLO {slo.slo_name}"
    if {"page", "ticket"} <= set(slo.generated_alerts):
        return slo.ok(f"{label}: Sloth generates its page and ticket burn-rate alerts from this document")
    if slo.objective is None or not 0 < slo.objective < 1:
        reason = slo.invalid.get("objective", "the document gives none")
        return slo.unknown(f"{label}: no usable target, so the expected burn-rate thresholds are unknown ({reason})")
    sli = _sli_metrics(slo)
    # Alerts reading the SLO's own metrics, when both sides name any; else every burn-rate alert of the service.
    # A series recorded outside the scan (a name with a colon, by the recording-rule convention) may well be
    # the SLO's: such an alert is not ruled out.
    mine = [c for c in candidates if sli and (c[2] & sli or any(":" in m for m in c[2]))] or (
        [] if sli and any(c[2] for c in candidates) else candidates)
    percent = _percent(slo.objective)
    missing, wrong, unknown, matched = [], [], [], []
    for row in expected_burn_rates(slo.objective):
        windows = f"{row.long_window}/{row.short_window}"
        same = [(rule, pair) for rule, pairs, _ in mine for pair in pairs
                if (pair.long, pair.short) == (row.long_seconds, row.short_seconds)]
        good = [rule for rule, pair in same if pair.threshold is not None and threshold_matches(
            pair.threshold, row.factor if pair.measures == "burn_rate" else row.threshold)]
        if good:
            matched.append(f"{windows} at {format(row.factor, 'g')}x ({good[0].name})")
        elif any(pair.threshold is not None for _, pair in same):
            rule, pair = next((r, p) for r, p in same if p.threshold is not None)
            want = row.factor if pair.measures == "burn_rate" else row.threshold
            wrong.append(f"{windows} in {rule.name} compares with {format(pair.threshold, 'g')}, expected "
                         f"{format(want, 'g')} ({format(row.factor, 'g')}x for {percent}%)")
        elif same:
            unknown.append(f"{windows} in {same[0][0].name} (its threshold is not a constant)")
        else:
            missing.append(f"{windows} at {format(row.factor, 'g')}x (threshold {format(row.threshold, 'g')})")
    if missing or wrong:
        parts = []
        if missing:
            parts.append(f"no burn-rate alert for {_and(missing)}")
        parts += wrong
        return slo.fail(f"{label} ({percent}%): " + "; ".join(parts))
    if unknown:
        return slo.unknown(f"{label} ({percent}%): cannot compare the threshold of {_and(unknown)}")
    return slo.ok(f"{label} ({percent}%): burn-rate alerts for {_and(matched)}")
