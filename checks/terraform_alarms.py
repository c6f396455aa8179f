"""Terraform alerting checks: CloudWatch alarms and Datadog monitors link to a runbook (PRC-TF-060, PRC-TF-061) and
notify someone, a pager for critical Datadog monitors (PRC-TF-062).

Resources are read as in checks/terraform.py, whose helpers this module imports rather than copies: a block with
count/for_each is judged once on the values its instances agree on, and instance by instance when a value that
differs between them decides the answer (`aws_cloudwatch_metric_alarm.db["storage"]`). A value prc cannot know is
UNKNOWN naming the expression, and only when it decides the answer: in a description built from a template with an
unknown part, the known text is searched first, so `"Runbook: https://runbooks.example.com/${var.service}"` links a
runbook whatever the variable holds, while `"Runbook: ${var.runbook_url}"` is UNKNOWN.

What a runbook link is: an http(s) URL that the URL itself or its label marks as a runbook: one of the `words`
option (runbook, run-book, playbook, wiki, sop) in the URL, in the 40 characters before it, or in the text of a
Markdown link around it. Any URL is not enough, because alarm descriptions and Datadog messages link dashboards,
graphs and logs far more often than runbooks; counting those would pass exactly the alerts that leave the
responder without instructions. A URL that nothing marks is reported at medium severity (it may be a runbook
under an opaque address: `Runbook: <url>` settles it); `any_url: true` accepts every URL. In a Datadog message a
Markdown link to a relative target (`[Runbook](/notebook/123)`) counts too, when its text or target is marked.

Alarms that only drive automation are not alerts and are not judged: a CloudWatch alarm whose every alarm action
is an Auto Scaling or Application Auto Scaling policy, or an EC2 action (stop, reboot, recover, terminate).

Datadog messages: a handle notifies when it is an email (`@jane@example.com`) or starts with one of the
`notify_prefixes` (`@slack-ops`, `@pagerduty-payments`, `@team-checkout`, `@webhook-x`); `@here` or `@john` do
not. Template conditionals are followed for the moment the monitor alerts: handles inside `{{#is_alert}}` and
outside any block count, those only inside `{{#is_warning}}`, `{{#is_recovery}}`, `{{#is_no_data}}`,
`{{#is_renotify}}` or `{{^is_alert}}` do not (they never fire on the first alert), and tag conditions
(`{{#is_match}}`) are assumed to match. A monitor with no handle of its own is also routed by a
`datadog_monitor_notification_rule` of the same root whose filter tags all appear on the monitor; a rule prc cannot
evaluate (a filter scope, conditional recipients) makes the answer UNKNOWN when it decides it.

A critical Datadog monitor has priority 1, or a tag in the `critical_tags` option (critical, p1, priority:p1,
severity:critical, severity:p1). Criticality is read from the monitor's own metadata and never from the shape of
its message: an `{{#is_alert}}` block is where a page belongs, not a sign that one is needed. A critical monitor
must notify a pager (a handle starting with one of `pager_prefixes`: pagerduty, opsgenie, oncall, victorops) when
it alerts.
"""

from __future__ import annotations

import re

from prc.loaders.terraform import TfResource, Unresolved
from prc.registry import check

# Private helpers of checks/terraform.py: one reading of resources and count/for_each for every Terraform check.
from .terraform import _View, _boolean, _judged, _managed, _number, _root_resources

_CLOUDWATCH_ALARMS = ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")
_DATADOG_MONITORS = ("datadog_monitor",)
_NOTIFICATION_RULES = ("datadog_monitor_notification_rule",)

# Stands for an unknown part of a template, so that no URL or handle is read across it.
_GAP = "\x00"

# --------------------------------------------------------------------------- runbook links

_URL_RE = re.compile(r"""https?://[^\s/?#<>()\[\]{}"'`|\\\x00]+[^\s<>()\[\]{}"'`|\\\x00]*""", re.IGNORECASE)
_MARKDOWN_LINK_RE = re.compile(r"\[([^\[\]\x00]*)\]\(\s*([^()\s\x00]+)[^()\x00]*\)")
_LABEL_CHARS = 40

_RUNBOOK_OPTIONS = {
    "words": (["runbook", "run-book", "playbook", "wiki", "sop"],
              "words that mark a link as a runbook when they appear in the URL, in the 40 characters before it or "
              "in its Markdown link text (case-insensitive, plural allowed)"),
    "any_url": (False, "count any http(s) URL as a runbook link, marked or not"),
}


def _words_re(words) -> re.Pattern:
    alternatives = "|".join(re.escape(str(w).lower()) for w in words if str(w).strip()) or r"(?!)"
    return re.compile(rf"(?<![a-z])(?:{alternatives})s?(?![a-z])")


def _runbook_link(text: str, words: re.Pattern, any_url: bool, relative_links: bool) -> tuple[str | None, list]:
    """(the first runbook link in the text, or None; the URLs seen that nothing marks as a runbook)."""
    unmarked = []
    previous_end = 0
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(".,;:!?*_'")
        start = match.start()
        before = text[max(previous_end, start - _LABEL_CHARS):start]
        if text[:start].rstrip().endswith("]("):  # a Markdown link: its text is the label, however long
            opening = text.rfind("[", 0, start)
            before = text[opening:start] if opening >= 0 else before
        previous_end = match.end()
        if any_url or words.search(url.lower()) or words.search(before.lower()):
            return url, []
        unmarked.append(url)
    if relative_links:
        for match in _MARKDOWN_LINK_RE.finditer(text):
            label, target = match.groups()
            if target.lower().startswith(("http://", "https://")):
                continue  # judged with the URLs above
            if words.search(label.lower()) or words.search(target.lower()):
                return match.group(0), []
    return None, unmarked


def _known_text(value: object) -> tuple[str | None, Unresolved | None]:
    """(the text prc knows, with _GAP where a part is unknown; the first unknown part). (None, value) when the
    whole value is unknown, (None, None) when there is no text."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, Unresolved):
        parts = value.partial
        if isinstance(parts, tuple) and any(isinstance(p, str) for p in parts):
            first = next((p for p in parts if isinstance(p, Unresolved)), value)
            return "".join(p if isinstance(p, str) else _GAP for p in parts), first
        return None, value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None
    return None, None


def _judge_runbook(v: _View, attr: str, opts, relative_links: bool):
    text, unknown = _known_text(v.get(attr))
    if text is None or not text.replace(_GAP, "").strip():
        if unknown is not None:
            yield v.unknown(f"{attr}, where the runbook link would be,", unknown, attr)
        elif text is None:
            yield v.fail(f"no {attr}, so the alert links no runbook")
        else:
            yield v.fail(f"{attr} is empty, so the alert links no runbook", at=attr)
        return
    link, unmarked = _runbook_link(text, _words_re(opts["words"]), bool(opts["any_url"]), relative_links)
    if link is not None:
        yield v.ok(f"{attr} links the runbook {link}", at=attr)
    elif unknown is not None:
        yield v.unknown(f"part of {attr}, which may hold the runbook link,", unknown, attr)
    elif unmarked:
        shown = ", ".join(unmarked[:2]) + (f" and {len(unmarked) - 2} more" if len(unmarked) > 2 else "")
        # It may be a runbook under an opaque address, so not the full severity.
        words = ", ".join(str(w) for w in opts["words"])
        yield v.r.fail(f"{v.label}: {attr} links {shown} but nothing marks a runbook (none of {words} in the URL "
                       "or just before it); write the runbook link as Runbook: <url>", at=attr, severity="medium")
    else:
        yield v.fail(f"{attr} holds no runbook link (no http(s) URL)", at=attr)


# Actions that drive automation rather than tell a person: scaling policies and EC2 instance actions.
_AUTOMATION_REF_RE = re.compile(r"^(?:module\.[^.]+\.)*aws_(?:app)?autoscaling_policy\.")
_AUTOMATION_ARN_RE = re.compile(r"^arn:aws[\w-]*:(?:autoscaling:|automate:[^:]*:ec2:"
                                r"|swf:[^:]*:[^:]*:action/actions/AWS_EC2)")


def _automation_only(v: _View) -> bool:
    actions = v.get("alarm_actions")
    if not isinstance(actions, list) or not actions:
        return False
    for action in actions:
        if isinstance(action, Unresolved):
            if not _AUTOMATION_REF_RE.match(action.expression):
                return False
        elif not (isinstance(action, str) and _AUTOMATION_ARN_RE.match(action.strip())):
            return False
    return True


@check(id="PRC-TF-060", slug="cloudwatch-alarm-runbook", target=TfResource, item="alert-runbooks", severity="high",
       fix='Put the runbook in alarm_description: alarm_description = "... Runbook: https://runbooks.example.com/x".',
       options=_RUNBOOK_OPTIONS)
def cloudwatch_alarm_runbook(r: TfResource, opts):
    """What: every aws_cloudwatch_metric_alarm and aws_cloudwatch_composite_alarm has an alarm_description that links a runbook: an http(s) URL that the URL itself or the words just before it mark as a runbook (runbook, playbook, wiki or sop by default; the `any_url` option accepts any URL). A description with only other links (dashboards, graphs) fails at medium severity, one with no link at high. Alarms whose actions only drive automation (Auto Scaling policies, EC2 stop/reboot/recover) are not alerts and are not judged. A description prc cannot resolve is UNKNOWN, unless its known text already holds the link; alarms with count/for_each are judged per instance when their descriptions differ.

    Why: the description is the only free text CloudWatch puts in the notification that wakes someone up; without a runbook link the responder starts from the alarm name at 3 a.m., rediscovers the diagnosis and the fix under pressure, and the knowledge of the last incident is lost. A dashboard link shows the symptom but not what to do about it.

    How to fix: write the runbook (what the alarm means, how to confirm it, how to mitigate, whom to escalate to) and end the description with `Runbook: https://runbooks.example.com/<service>/<alarm>`; keep it under the 1,024-character limit of alarm_description.
    """
    if not _managed(r, _CLOUDWATCH_ALARMS):
        return
    yield from _judged(r, lambda v: () if _automation_only(v) else _judge_runbook(v, "alarm_description", opts,
                                                                                   relative_links=False))


@check(id="PRC-TF-061", slug="datadog-monitor-runbook", target=TfResource, item="alert-runbooks", severity="high",
       fix="Add the runbook to the monitor's message: [Runbook](https://runbooks.example.com/x).",
       options=_RUNBOOK_OPTIONS)
def datadog_monitor_runbook(r: TfResource, opts):
    """What: every datadog_monitor's message links a runbook: an http(s) URL that the URL, the words just before it or its Markdown link text mark as a runbook (runbook, playbook, wiki or sop by default; the `any_url` option accepts any URL), or a Markdown link to a relative target whose text or target is marked (`[Runbook](/notebook/123)`). A message with only other links (dashboards, logs) fails at medium severity, one with no link at high. A message prc cannot resolve is UNKNOWN, unless its known text already holds the link; monitors with count/for_each are judged per instance when their messages differ.

    Why: the message is what the responder reads in the page, the Slack channel and the incident; without a runbook link they start from the monitor name, rediscover the diagnosis and the fix under pressure, and the knowledge of the last incident is lost. A dashboard link shows the symptom but not what to do about it.

    How to fix: write the runbook (what the monitor means, how to confirm it, how to mitigate, whom to escalate to) and add `[Runbook](https://runbooks.example.com/<service>/<monitor>)` to the message, outside the `{{#is_alert}}` blocks so every notification carries it.
    """
    if not _managed(r, _DATADOG_MONITORS):
        return
    yield from _judged(r, lambda v: _judge_runbook(v, "message", opts, relative_links=True))


# --------------------------------------------------------------------------- routing: CloudWatch


def _cloudwatch_actions(v: _View):
    actions = v.get("alarm_actions")
    enabled = v.get("actions_enabled")
    at_actions = "alarm_actions" if actions is not None else ""
    entries = [a for a in actions if a is not None and a != ""] if isinstance(actions, list) else None
    if actions is None or entries == []:
        said = "no alarm_actions" if actions is None else "alarm_actions is empty"
        also = " (and actions_enabled = false)" if _boolean(enabled) is False else ""
        yield v.fail(f"{said}{also}: the alarm changes state and notifies no one", at=at_actions)
        return
    if _boolean(enabled) is False:
        yield v.fail("actions_enabled = false: the alarm changes state but its alarm_actions never run",
                     at="actions_enabled")
        return
    if isinstance(actions, Unresolved):
        yield v.unknown("alarm_actions", actions, "alarm_actions")
        return
    if entries is None:
        yield v.fail(f"alarm_actions is not a list of ARNs ({actions!r}), so the alarm notifies no one",
                     at="alarm_actions")
        return
    if isinstance(enabled, Unresolved):
        yield v.unknown("actions_enabled", enabled, "actions_enabled")
        return
    if enabled is not None and _boolean(enabled) is None:
        yield v.fail(f"actions_enabled is {enabled!r}, not a boolean", at="actions_enabled")
        return
    refs = list(v.r.refs.get("alarm_actions", ()))
    shown = refs or [a.expression if isinstance(a, Unresolved) else str(a) for a in entries]
    yield v.ok(f"alarm_actions notify {', '.join(shown)}", at="alarm_actions")


# --------------------------------------------------------------------------- routing: Datadog

# `{{#name ...}}`, `{{^name}}`, `{{/name}}` and `{{else}}`: the conditional tags of a Datadog message.
_DD_TAG_RE = re.compile(r"\{\{\s*(?:([#^/])\s*([A-Za-z_][\w.]*)|(else))[^{}]*\}\}")
# Whether a condition holds at the first notification of an alert: True, False, or None (it depends on tags or
# on values prc does not model, so both branches may show).
_ON_ALERT = {"is_alert": True, "is_warning": False, "is_recovery": False, "is_alert_recovery": False,
             "is_warning_recovery": False, "is_no_data": False, "is_no_data_recovery": False,
             "is_alert_to_warning": False, "is_renotify": False}
_HANDLE_RE = re.compile(r"(?<![\w@./:\-])@([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+|(?:[\w.+\-]|\{\{[^{}]*\}\})+)")


def _split_on_alert(text: str) -> tuple[str, str]:
    """(the text a notification shows when the monitor alerts, the text shown only in other states)."""
    shown, hidden = [], []
    stack: list[list] = []  # [name, sigil, condition, in_else]

    def visible() -> bool:
        for name, sigil, condition, in_else in stack:
            holds = (condition is not False) if sigil == "#" else (condition is not True)
            if in_else:
                holds = (condition is not True) if sigil == "#" else (condition is not False)
            if not holds:
                return False
        return True

    position = 0
    for match in _DD_TAG_RE.finditer(text):
        (shown if visible() else hidden).append(text[position:match.start()])
        position = match.end()
        sigil, name, is_else = match.groups()
        if is_else:
            if stack:
                stack[-1][3] = True
        elif sigil in "#^":
            stack.append([name, sigil, _ON_ALERT.get(name), False])
        else:
            names = [frame[0] for frame in stack]
            if name in names:
                del stack[len(names) - 1 - names[::-1].index(name):]
    (shown if visible() else hidden).append(text[position:])
    return "".join(shown), "".join(hidden)


def _handles(text: str) -> list[str]:
    found = []
    for match in _HANDLE_RE.finditer(text):
        handle = match.group(1).rstrip(".-")
        if handle and handle not in found:
            found.append(handle)
    return found


def _prefix(handle: str) -> str:
    return handle.split("-", 1)[0].lower()


def _notifies(handle: str, notify_prefixes: set, pager_prefixes: set) -> bool:
    if re.fullmatch(r"[^@{}]+@[^@{}]+\.[^@{}]+", handle):
        return True
    return _prefix(handle) in notify_prefixes or _prefix(handle) in pager_prefixes


def _critical(v: _View, critical_tags: set) -> tuple[object, str, str]:
    """(True, why, at) for a critical monitor; (False, "", ""); or (the Unresolved that decides it, "", at)."""
    unknown: tuple = (False, "", "")
    priority = v.get("priority")
    if isinstance(priority, Unresolved):
        unknown = (priority, "", "priority")
    elif _number(priority) == 1:
        return True, "priority 1", "priority"
    tags = v.get("tags")
    if isinstance(tags, Unresolved):
        return (unknown if unknown[0] is not False else (tags, "", "tags"))
    for i, tag in enumerate(tags if isinstance(tags, list) else []):
        if isinstance(tag, str) and tag.strip().lower() in critical_tags:
            return True, f"tag {tag.strip()}", f"tags[{i}]"
        if isinstance(tag, Unresolved) and unknown[0] is False:
            unknown = (tag, "", f"tags[{i}]")
    return unknown


def _rule_routing(v: _View) -> tuple[list, list]:
    """([(recipient, rule address)] of the notification rules whose filter tags all appear on the monitor,
    [(rule, why)] for the rules that may route it but that prc cannot evaluate)."""
    rules = _root_resources(v.r, _NOTIFICATION_RULES)
    if not rules:
        return [], []
    tags = v.get("tags")
    monitor_tags = {t.strip() for t in tags if isinstance(t, str)} if isinstance(tags, list) else set()
    tags_unknown = isinstance(tags, Unresolved) or isinstance(tags, list) and any(isinstance(t, Unresolved)
                                                                                     for t in tags)
    routed: list = []
    undecided: list = []
    for rule in sorted(rules, key=lambda o: o.address):
        filters = [f for f in rule.blocks("filter") if isinstance(f, dict)]
        filter_tags = filters[0].get("tags") if filters else None
        scope = filters[0].get("scope") if filters else None
        if isinstance(scope, str):
            undecided.append((rule, f'its filter scope "{scope}" is a query prc does not evaluate'))
            continue
        if not isinstance(filter_tags, list) or any(not isinstance(t, str) for t in filter_tags):
            undecided.append((rule, "its filter is not known statically"))
            continue
        if not {t.strip() for t in filter_tags} <= monitor_tags:
            if tags_unknown:
                undecided.append((rule, "the monitor's tags are not all known statically"))
            continue
        plain = rule.attrs.get("recipients")
        if isinstance(plain, list) and plain and all(isinstance(x, str) for x in plain):
            routed += [(x.strip().lstrip("@"), rule.address) for x in plain]
        else:
            undecided.append((rule, "its recipients are conditional or not known statically"))
    return routed, undecided


def _datadog_routing(v: _View, opts):
    notify_prefixes = {str(p).lower() for p in opts["notify_prefixes"]}
    pager_prefixes = {str(p).lower() for p in opts["pager_prefixes"]}
    critical_tags = {str(t).strip().lower() for t in opts["critical_tags"]}

    def notifies(handle: str) -> bool:
        return _notifies(handle, notify_prefixes, pager_prefixes)

    text, unknown = _known_text(v.get("message"))
    if text is None and unknown is not None:
        yield v.unknown("message, which names whom the monitor notifies,", unknown, "message")
        return
    on_alert, elsewhere = _split_on_alert(text or "")
    # (handle, where it comes from): the message, or the notification rule that adds it.
    handles = [(h, "") for h in _handles(on_alert) if notifies(h)]
    routed, undecided = _rule_routing(v)
    handles += [(h, rule) for h, rule in routed if notifies(h) and h not in {x for x, _ in handles}]
    pagers = [(h, rule) for h, rule in handles if _prefix(h) in pager_prefixes]
    critical, why, critical_at = _critical(v, critical_tags)
    at = "message" if text is not None else ""

    def named(pairs) -> str:
        return ", ".join(f"@{h}" + (f" (through {rule})" if rule else "") for h, rule in pairs)

    def undecided_unknown(lacks: str):
        rule, reason = undecided[0]
        return v.r.unknown(f"{v.label}: its message {lacks} when the monitor alerts, and {rule.address} may add "
                           f"recipients: {reason}", at=at)

    if critical is True or isinstance(critical, Unresolved):
        if pagers:
            label = f" (critical: {why})" if critical is True else ""
            yield v.ok(f"pages {named(pagers)} when it alerts{label}", at=at)
        elif unknown is not None:
            yield v.unknown("part of message, which may name a pager,", unknown, "message")
        elif undecided:
            yield undecided_unknown("pages no one" if handles else "notifies no one")
        elif critical is True:
            notified = f"notifies only {named(handles)}" if handles else "notifies no one"
            late = [h for h in _handles(elsewhere) if _prefix(h) in pager_prefixes]
            if late:
                notified += f" (and {', '.join('@' + h for h in late)} only in blocks for other states)"
            yield v.fail(f"critical monitor ({why}) pages no one when it alerts: it {notified}; add "
                         "@pagerduty-<service> or @opsgenie-<team>, inside {{#is_alert}} to page only on alerts",
                         at=at)
        elif not handles:
            yield from _no_one(v, on_alert, elsewhere, notifies, at)
        else:
            yield v.unknown("whether the monitor is critical (and so must page)", critical, critical_at)
        return
    if handles:
        yield v.ok(f"notifies {named(handles)} when it alerts", at=at)
    elif unknown is not None:
        yield v.unknown("part of message, which may name whom the monitor notifies,", unknown, "message")
    elif undecided:
        yield undecided_unknown("notifies no one")
    else:
        yield from _no_one(v, on_alert, elsewhere, notifies, at)


def _no_one(v: _View, on_alert: str, elsewhere: str, notifies, at: str):
    notes = []
    other_states = [h for h in _handles(elsewhere) if notifies(h)]
    if other_states:
        notes.append(f"{', '.join('@' + h for h in other_states)} only in blocks for other states, such as "
                     "warning or recovery")
    not_handles = [h for h in _handles(on_alert) + _handles(elsewhere) if not notifies(h)]
    if not_handles:
        verb = "is not a notification handle" if len(not_handles) == 1 else "are not notification handles"
        notes.append(f"{', '.join('@' + h for h in not_handles)} {verb}")
    detail = f" ({'; '.join(notes)})" if notes else ""
    yield v.fail(f"its message notifies no one when the monitor alerts{detail}; add a handle such as "
                 "@pagerduty-<service>, @opsgenie-<team> or @slack-<channel>", at=at)


@check(id="PRC-TF-062", slug="alarm-has-actions", target=TfResource, item="alerts-routed", severity="high",
       fix="Give CloudWatch alarms alarm_actions (an SNS topic that pages) and Datadog monitors an @-handle in the "
           "message, a pager for critical ones.",
       options={
           "notify_prefixes": (["pagerduty", "opsgenie", "oncall", "victorops", "slack", "team", "teams", "webhook",
                                "servicenow", "jira", "workflow"],
                               "Datadog handle prefixes (before the first -) that notify someone; an email handle "
                               "always does"),
           "pager_prefixes": (["pagerduty", "opsgenie", "oncall", "victorops"],
                              "Datadog handle prefixes that page a person on call"),
           "critical_tags": (["critical", "p1", "priority:p1", "severity:critical", "severity:p1"],
                             "monitor tags (compared case-insensitively) that make a Datadog monitor critical, as "
                             "priority 1 does"),
       })
def alarm_has_actions(r: TfResource, opts):
    """What: every aws_cloudwatch_metric_alarm and aws_cloudwatch_composite_alarm has non-empty alarm_actions and does not set actions_enabled = false (it defaults to true); alarms whose actions only drive automation (Auto Scaling policies, EC2 actions) pass as they are. Every datadog_monitor's message notifies a handle when the monitor alerts: @pagerduty-, @opsgenie-, @oncall-, @slack-, @team-, @webhook-... or an email; handles inside {{#is_alert}} count, handles only inside {{#is_warning}}, {{#is_recovery}} or {{#is_no_data}} blocks do not; a datadog_monitor_notification_rule whose filter tags the monitor carries routes it too. A critical monitor (priority 1, or a critical, p1, priority:p1 or severity:critical tag) must notify a pager (@pagerduty-, @opsgenie-, @oncall-, @victorops-) when it alerts. Values prc cannot resolve are UNKNOWN only when they decide the answer.

    Why: an alarm without actions, or with its actions disabled, changes state in a console nobody watches: the outage is found by customers. A critical alert that only posts to a chat channel waits for someone to read it; paging is what puts a person on it within minutes, at night too.

    How to fix: set alarm_actions = [aws_sns_topic.<pager>.arn] (a topic subscribed by PagerDuty, Opsgenie or the on-call email) and remove actions_enabled = false, or use a waiver for an alarm kept silent on purpose; in Datadog messages add @slack-<channel> for every monitor and `{{#is_alert}}@pagerduty-<service>{{/is_alert}}` for critical ones.
    """
    if _managed(r, _CLOUDWATCH_ALARMS):
        yield from _judged(r, _cloudwatch_actions)
    elif _managed(r, _DATADOG_MONITORS):
        yield from _judged(r, lambda v: _datadog_routing(v, opts))
