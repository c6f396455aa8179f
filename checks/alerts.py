"""Prometheus alerting and recording rule checks: runbooks, routing by severity, `for:` and valid PromQL.

Every check reads an `AlertRule` (prc.loaders.alerts) from a rule file or a PrometheusRule object. The loader has
already parsed the expression (`rule.promql`) and resolved the runbook link (`rule.runbook`), so these checks only
read what it found. Recording rules have no annotations, labels to route by or `for:`; only PRC-ALERT-005 applies
to them.
"""

from __future__ import annotations

import re

from prc.loaders.alerts import (DIRECTORY, FILE, MISSING, OUTSIDE, UNRESOLVABLE, URL, AlertRule,
                                RunbookLink)
from prc.promql import format_seconds
from prc.registry import check

# kube-prometheus and the monitoring mixins route on critical / warning / info; the SRE workbook (and Sloth's
# sloth_severity) names the two kinds of response page / ticket. Teams with other names configure theirs.
DEFAULT_SEVERITIES = ["critical", "warning", "info", "page", "ticket"]
# Annotation keys people use for a runbook when they do not use the conventional one.
_RUNBOOK_LIKE = re.compile(r"runbook|playbook", re.IGNORECASE)
_DOC_SUFFIXES = frozenset({"md", "markdown", "html", "htm", "txt", "rst", "adoc", "yaml", "yml", "json", "pdf"})


@check(id="PRC-ALERT-001", slug="runbook-url", target=AlertRule, item="alert-runbooks", severity="high",
       fix="Add annotations.runbook_url to the alerting rule, linking the page that says what to do when it fires")
def runbook_url(rule: AlertRule, opts):
    """What: every Prometheus alerting rule, in rule files and PrometheusRule objects, has an
    annotations.runbook_url. Recording rules are not alerts and are not checked.

    Why: the person paged at night needs to know what the alert means and what to do first. runbook_url is the
    annotation Alertmanager templates, Grafana and the kube-prometheus runbooks use to take them there in one
    click.

    How to fix: add `annotations: {runbook_url: <link>}` to the rule: an https URL of the runbook, or a path to
    a runbook file in the repository relative to the rule file.
    """
    if rule.record:
        return
    url = rule.rule_annotations.get("runbook_url")
    if url is None:
        similar = sorted(k for k in rule.rule_annotations if _RUNBOOK_LIKE.search(k))
        hint = (f"; annotations.{similar[0]} is not read as one, rename it runbook_url" if similar
                else "; add annotations.runbook_url")
        yield rule.fail(f"{rule.label} has no runbook link{hint}")
    elif not url.strip():
        yield rule.fail(f"{rule.label} has an empty annotations.runbook_url", at="annotations.runbook_url")
    else:
        yield rule.ok(f"{rule.label} links a runbook: {url.strip()}", at="annotations.runbook_url")


@check(id="PRC-ALERT-002", slug="runbook-link-resolves", target=AlertRule, item="alert-runbooks",
       severity="medium",
       fix="Point runbook_url at an existing runbook file in the repository or at a well-formed https:// URL")
def runbook_link_resolves(rule: AlertRule, opts):
    """What: an alerting rule's runbook_url leads somewhere: a relative link names an existing file inside the
    repository (resolved from the rule file's directory, without its #anchor), and an absolute link is a
    well-formed http(s) URL with a host. Links are not fetched unless `prc scan --check-links` is given; then an
    absolute link must also answer (HTTP 2xx or 3xx, or 401/403 for a page behind a login).

    Why: a runbook link that is broken, or that points outside the repository, costs the on-call engineer the
    minutes the runbook was meant to save, and is found only during an incident.

    How to fix: correct the path (it is relative to the directory of the rule file; a leading / starts at the
    scan root), move the runbook into the repository, or give the full https:// URL.
    """
    link = rule.runbook
    if rule.record or link is None:
        return  # no link: PRC-ALERT-001 reports it
    at = "annotations.runbook_url"
    if link.status == URL and link.reachable is False:
        yield rule.fail(f"{rule.label}: runbook_url {link.url} does not answer ({link.answer})", at=at)
    elif link.status == URL and link.answer and link.reachable is None:
        yield rule.unknown(f"{rule.label}: runbook_url {link.url} was not checked: {link.answer}", at=at)
    elif link.status == URL and link.reachable:
        yield rule.ok(f"{rule.label}: runbook_url {link.url} answers ({link.answer})", at=at)
    elif link.status in (URL, FILE):
        where = f"the file {link.path}" if link.status == FILE else "a well-formed URL"
        yield rule.ok(f"{rule.label}: runbook_url {link.url} is {where}", at=at)
    elif link.status == UNRESOLVABLE:
        yield rule.unknown(f"{rule.label}: runbook_url {link.url} {link.reason}, so whether it resolves is unknown",
                           at=at)
    else:
        yield rule.fail(f"{rule.label}: runbook_url {link.url} {_broken(link)}", at=at)


def _broken(link: RunbookLink) -> str:
    if link.status == MISSING:
        return f"points to {link.path}, which does not exist in the repository{_web_hint(link.url)}"
    if link.status == DIRECTORY:
        return f"points to the directory {link.path}/, not to a runbook file"
    if link.status == OUTSIDE:
        return f"points outside the repository: it {link.reason}; keep the runbook in the repository or link it by URL"
    return link.reason  # BAD_URL: the reason says what is wrong with it


def _web_hint(url: str) -> str:
    """For `runbooks.example.com/api`: a web address written without its scheme reads as a relative path."""
    first = url.split("/", 1)[0]
    tld = first.rpartition(".")[2].lower()
    if "/" in url and "." in first and tld.isalpha() and tld not in _DOC_SUFFIXES:
        return f" (if {first} is a web host, write https://{url})"
    return ""


@check(id="PRC-ALERT-003", slug="severity-label", target=AlertRule, item="alerts-routed", severity="medium",
       fix="Set labels.severity on the alerting rule to one of the severities your Alertmanager routes on",
       options={"severities": (DEFAULT_SEVERITIES, "the severity label values Alertmanager routes on (exact, "
                                                   "case-sensitive)")})
def severity_label(rule: AlertRule, opts):
    """What: every alerting rule has labels.severity, and its value is one of the configured severities
    (default critical, warning, info, page, ticket: the kube-prometheus and SRE workbook conventions).

    Why: Alertmanager routes by labels; an alert without a known severity falls through to the default route,
    where it may page nobody, or page someone for something that could wait until morning.

    How to fix: add `labels: {severity: critical}` (or warning, info...) to the rule. If your routes use other
    names, list them in .prc.yaml under checks.options.PRC-ALERT-003.severities.
    """
    if rule.record:
        return
    allowed = [str(s) for s in opts["severities"]]
    value = rule.labels.get("severity")
    if value is None:
        yield rule.fail(f"{rule.label} has no labels.severity, so Alertmanager cannot route it by severity; use one "
                        f"of {', '.join(allowed)}")
    elif not value.strip():
        yield rule.fail(f"{rule.label} has an empty labels.severity; use one of {', '.join(allowed)}",
                        at="labels.severity")
    elif "{{" in value:
        yield rule.unknown(f"{rule.label}: labels.severity {value!r} is a template, known only when the alert fires",
                           at="labels.severity")
    elif value in allowed:
        yield rule.ok(f"{rule.label} has severity {value}", at="labels.severity")
    else:
        yield rule.fail(f"{rule.label}: labels.severity {value!r} is not one of {', '.join(allowed)}"
                        f"{_case_hint(value, allowed)}", at="labels.severity")


def _case_hint(value: str, allowed: list[str]) -> str:
    same = next((a for a in allowed if a.lower() == value.strip().lower()), None)
    return f" (label matching is exact: write {same})" if same else ""


@check(id="PRC-ALERT-004", slug="for-duration", target=AlertRule, item="alerts-routed", severity="low",
       fix="Add `for: 5m` (or however long the condition must hold) to the alerting rule")
def for_duration(rule: AlertRule, opts):
    """What: an alerting rule has a non-zero `for:`, so its condition must hold for a while before it fires.
    Multiwindow burn-rate alerts, recognised from their expression, are exempt: their short window already
    ends the alert quickly once the problem stops. Expressions that read no series (a Watchdog `vector(1)`)
    are exempt too.

    Why: without `for`, one evaluation above the threshold fires the alert, so a single scrape blip or a
    deployment's restart pages someone for a problem that was already gone.

    How to fix: add `for: 5m` (or however long the condition must hold to be worth acting on) to the rule.
    """
    if rule.record or (rule.promql.parsed and not rule.promql.selectors):
        return
    if rule.for_text and rule.for_ is None:
        yield rule.unknown(f"{rule.label}: `for: {rule.for_text}` is not a duration, so how long the condition must "
                           "hold is unknown", at="for")
        return
    if rule.for_:
        yield rule.ok(f"{rule.label} must hold for {format_seconds(rule.for_)} before firing", at="for")
        return
    if rule.is_burn_rate():
        return
    written = f"has `for: {rule.for_text}`" if rule.for_text else "has no `for`"
    if not rule.promql.parsed:
        yield rule.unknown(f"{rule.label} {written}, and whether it is a burn-rate alert (which needs none) is "
                           "unknown: its expr was not parsed", at="expr")
    else:
        yield rule.fail(f"{rule.label} {written}, so it fires on a single evaluation; add e.g. `for: 5m`",
                        at="for" if rule.for_text else "")


@check(id="PRC-ALERT-005", slug="valid-promql", target=AlertRule, item="alerts-routed", severity="high",
       fix="Correct the rule's expr so that it parses as PromQL (promtool check rules shows the same error)")
def valid_promql(rule: AlertRule, opts):
    """What: the expr of every alerting and recording rule parses as PromQL.

    Why: Prometheus refuses a rule file with an expression that does not parse, so none of its rules are
    evaluated: the alerts in it never fire, and nothing says so until someone looks.

    How to fix: correct the expression; `promtool check rules <file>` reports the same error. For a renamed
    or removed function, use its replacement.
    """
    expr = rule.promql
    if expr.error:
        yield rule.fail(f"{rule.label}: expr is not valid PromQL: {expr.error}", at="expr")
    elif expr.skipped:
        yield rule.unknown(f"{rule.label}: expr was not parsed: {expr.skipped}", at="expr")
    else:
        yield rule.ok(f"{rule.label}: expr is valid PromQL", at="expr")
