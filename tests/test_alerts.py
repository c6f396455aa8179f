"""The Prometheus alert source: the PromQL layer (selectors, windows, constants, burn-rate reading), rule files and
PrometheusRule objects (identity, bad input, runbook links), and the subtle parts of the PRC-ALERT checks."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from prc import promql
from prc.config import Config
from prc.loaders.alerts import (BAD_URL, DIRECTORY, FILE, MISSING, OUTSIDE, UNRESOLVABLE, URL, AlertRule,
                                burn_rate_windows, from_document, from_prometheus_rule, recording_rules_by_name,
                                resolve_runbook)
from prc.loaders.k8s import load_k8s_text
from prc.model import Status
from prc.promql import BurnRatePair, LabelMatcher, Selector
from prc.sources import LoadContext
from prc.yamlsrc import parse_yaml

from .conftest import run_scan

H = 3600.0
M = 60.0


def rules_of(text: str, display: str = "rules.yaml", ctx=None):
    """(rules, problems as (line, message)) of a rule file."""
    loaded = from_document(display, parse_yaml(textwrap.dedent(text)).documents[0], ctx)
    assert loaded is not None, "not read as a rule file"
    return loaded.targets, [(p.line, p.message) for p in loaded.problems]


def one_rule(text: str, **kwargs) -> AlertRule:
    rules, problems = rules_of(text, **kwargs)
    assert problems == []
    assert len(rules) == 1
    return rules[0]


def prometheus_rule(text: str, display: str = "k8s/rules.yaml", ctx=None):
    loaded = load_k8s_text(display, textwrap.dedent(text), ctx)
    (obj,) = [o for o in loaded.objects if o.kind == "PrometheusRule"]
    read = from_prometheus_rule(obj, ctx)
    return obj, read.targets, [(p.line, p.message) for p in read.problems]


def context(root: Path) -> LoadContext:
    return LoadContext(root, 20 * 1024 * 1024, Config())


def scan_results(registry, path: Path, *check_ids: str, root: Path | None = None):
    report = run_scan([path], registry, Config(enable=list(check_ids)), root=root or path.parent)
    return report.results


# --------------------------------------------------------------------------- PromQL: selectors and windows


def test_selectors_give_metric_names_and_every_label_matcher():
    expr = promql.parse('sum(rate(http_requests_total{job="api",code=~"5..",method!="GET",path!~"/health.*"}[5m]))'
                        ' / sum(rate(http_requests_total{job="api"}[5m]))')
    assert expr.error == "" and expr.parsed
    assert expr.selectors == (
        Selector("http_requests_total", (LabelMatcher("job", "=", "api"), LabelMatcher("code", "=~", "5.."),
                                         LabelMatcher("method", "!=", "GET"),
                                         LabelMatcher("path", "!~", "/health.*"))),
        Selector("http_requests_total", (LabelMatcher("job", "=", "api"),)),
    )
    assert expr.metrics == ("http_requests_total",)


def test_a_selector_without_a_name_takes_it_from_an_equality_on_name():
    (plain,) = promql.parse('{__name__="up", job="api"}').selectors
    assert plain.metric == "up"
    assert plain.label("job") == ("job", "=", "api")
    (regex,) = promql.parse('{__name__=~"up|scrape_.*"}').selectors
    assert regex.metric is None


def test_or_matchers_are_kept_as_alternatives():
    (selector,) = promql.parse('http_requests_total{job="api" or service="api"}').selectors
    assert selector.matchers == ()
    assert selector.alternatives == ((LabelMatcher("job", "=", "api"),), (LabelMatcher("service", "=", "api"),))


def test_windows_come_from_matrix_selectors_and_subqueries_in_seconds():
    expr = promql.parse("max_over_time(rate(x[5m])[1h:1m]) + rate(y[1500ms]) + rate(z[5m])")
    assert expr.windows == (1.5, 5 * M, H)


def test_a_parse_error_keeps_the_parsers_message():
    expr = promql.parse("sum(rate(x[5m])")
    assert (expr.error, expr.parsed, expr.selectors, expr.windows) == ("unclosed left parenthesis", False, (), ())


def test_a_removed_function_says_what_replaced_it():
    assert promql.parse("holt_winters(x[1h], 0.5, 0.5)").error == (
        "unknown function with name 'holt_winters' (Prometheus 3 renamed it double_exponential_smoothing, an "
        "experimental function behind --enable-feature=promql-experimental-functions)")


@pytest.mark.parametrize("text, reason", [
    ("(" * 20000 + "1" + ")" * 20000, "the expression nests brackets 20000 deep, above the 100 prc parses safely"),
    (" + ".join(["up"] * 5000), "the expression has 4999 operators, above the 300 prc parses safely"),
    ("x" * 70000, "the expression is 70000 characters long, above the 65536 prc parses"),
])
def test_an_expression_that_would_crash_the_native_parser_is_not_parsed(text, reason):
    # Parsed, either one kills the process with a stack overflow; nothing may ever hand it to the parser.
    expr = promql.parse(text)
    assert (expr.skipped, expr.error, expr.parsed) == (reason, "", False)


def test_strings_and_comments_do_not_count_as_operators():
    # 59 operators, plus 1,500 dashes in label values and comments that are not operators.
    text = "\nor ".join(f'up{{job="a-b-c-d-e-f-g-h-i-j-k", pod=~\'p-q-r-s\'}} # - - - - - - - - - - {i}'
                         for i in range(60))
    assert promql.parse(text).parsed


@pytest.mark.parametrize("text, seconds", [
    ("5m", 300.0), ("1h30m", 5400.0), ("0", 0.0), ("0s", 0.0), ("1d", 86400.0), ("500ms", 0.5), ("2w", 1209600.0),
    ("5 minutes", None), ("300", None), ("", None), ("1.5h", None), ("-5m", None),
])
def test_durations_are_read_as_prometheus_reads_them(text, seconds):
    assert promql.parse_duration(text) == seconds


def test_seconds_are_shown_as_prometheus_durations():
    assert [promql.format_seconds(s) for s in (300, 5400, 259200, 1.5, 0)] == ["5m", "1h30m", "3d", "1s500ms", "0s"]


@pytest.mark.parametrize("text, value", [
    ("14.4 * (1 - 0.999)", 14.4 * (1 - 0.999)),
    ("(14.4*0.001)", 14.4 * 0.001),
    ("-(2)", -2.0),
    ("2 ^ 3 % 5", 3.0),
    ("1 / 0", None),
    ("14.4 * slo:error_budget:ratio", None),
    ("time()", None),
])
def test_constant_arithmetic_is_evaluated(text, value):
    result = promql.constant(promql.parse(text).root)
    assert result == (pytest.approx(value) if value is not None else None)


def test_label_matchers_match_as_prometheus_does():
    assert LabelMatcher("job", "=", "api").matches("api") is True
    assert LabelMatcher("job", "!=", "api").matches(None) is True
    assert LabelMatcher("pod", "=~", "api-.*").matches("api-7d9f") is True
    assert LabelMatcher("pod", "=~", "api").matches("api-7d9f") is False  # anchored, as in Prometheus
    assert LabelMatcher("pod", "!~", "api|web").matches("db") is True
    assert LabelMatcher("env", "=~", "").matches(None) is True


@pytest.mark.parametrize("pattern", ["(a+)+b", "(a|aa)*c", "a*a*a*a*a*a*b", "(?P<x"])
def test_regexes_that_could_run_for_hours_or_do_not_compile_are_not_judged(pattern):
    assert LabelMatcher("pod", "=~", pattern).matches("a" * 60) is None


# --------------------------------------------------------------------------- PromQL: burn-rate alerts


def _ratio(window: str, job: str = "api") -> str:
    return (f'sum(rate(http_requests_total{{job="{job}",code=~"5.."}}[{window}])) / '
            f'sum(rate(http_requests_total{{job="{job}"}}[{window}]))')


def test_the_sre_workbook_multiwindow_alert_gives_each_long_short_pair_with_its_threshold():
    text = " or ".join(f"({_ratio(long)} > {factor} * (1 - 0.999) and {_ratio(short)} > {factor} * (1 - 0.999))"
                       for long, short, factor in (("1h", "5m", 14.4), ("6h", "30m", 6), ("1d", "2h", 3),
                                                   ("3d", "6h", 1)))
    pairs = promql.burn_rate(promql.parse(text))
    assert [(p.long, p.short) for p in pairs] == [(H, 5 * M), (6 * H, 30 * M), (24 * H, 2 * H), (72 * H, 6 * H)]
    assert [p.threshold for p in pairs] == pytest.approx([0.0144, 0.006, 0.003, 0.001])
    assert {p.measures for p in pairs} == {"error_ratio"}


def test_the_order_of_the_windows_and_the_side_of_the_threshold_do_not_matter():
    text = f"(0.0144 < {_ratio('5m')}) and ({_ratio('1h')} >= (14.4*0.001))"
    assert promql.burn_rate(promql.parse(text)) == (BurnRatePair(H, 5 * M, pytest.approx(0.0144)),)


SLOTH_ALERT = """
(
    (slo:sli_error:ratio_rate5m{sloth_id="api-availability", sloth_service="api"} > (14.4 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate1h{sloth_id="api-availability", sloth_service="api"} > (14.4 * 0.0009999999999999432))
)
or ignoring (sloth_window)
(
    (slo:sli_error:ratio_rate30m{sloth_id="api-availability", sloth_service="api"} > (6 * 0.0009999999999999432))
    and ignoring (sloth_window)
    (slo:sli_error:ratio_rate6h{sloth_id="api-availability", sloth_service="api"} > (6 * 0.0009999999999999432))
)
"""


def test_sloth_output_is_read_through_its_recording_rules_names():
    pairs = promql.burn_rate(promql.parse(SLOTH_ALERT))
    assert [(p.long, p.short) for p in pairs] == [(H, 5 * M), (6 * H, 30 * M)]
    assert [p.threshold for p in pairs] == pytest.approx([14.4 * 0.001, 6 * 0.001], rel=1e-9)


def test_older_sloth_output_wrapped_in_max_without_is_read_too():
    text = ('max(slo:sli_error:ratio_rate5m{sloth_id="a"} > (14.4 * 0.001)) without (sloth_window) and '
            'max(slo:sli_error:ratio_rate1h{sloth_id="a"} > (14.4 * 0.001)) without (sloth_window)')
    assert promql.burn_rate(promql.parse(text)) == (BurnRatePair(H, 5 * M, pytest.approx(0.0144)),)


def test_a_recording_rules_window_comes_from_its_expression_before_its_name():
    records = {
        "api:errors:short": promql.parse(_ratio("5m")),
        "api:errors:long": promql.parse(_ratio("1h")),
        # The name says 5m; the expression, which Prometheus runs, says 2h.
        "api:errors:ratio_rate5m": promql.parse(_ratio("2h")),
    }
    text = "api:errors:long > 0.0144 and api:errors:short > 0.0144"
    assert promql.burn_rate(promql.parse(text), records) == (BurnRatePair(H, 5 * M, 0.0144),)
    assert promql.record_window("api:errors:ratio_rate5m", records) == 2 * H
    assert promql.record_window("api:errors:ratio_rate5m") == 5 * M  # no rule in sight: the name is the fallback
    assert promql.burn_rate(promql.parse(text)) == ()  # no records, and the names say no window


def test_a_recording_rule_reading_another_takes_its_window_from_the_range_it_reads():
    # Sloth's 30d ratio averages the 5m one over 30 days.
    records = {
        "slo:sli_error:ratio_rate5m": [promql.parse(_ratio("5m", "a")), promql.parse(_ratio("5m", "b"))],
        "slo:sli_error:ratio_rate30d": promql.parse(
            "sum_over_time(slo:sli_error:ratio_rate5m[30d]) / ignoring (sloth_window) "
            "count_over_time(slo:sli_error:ratio_rate5m[30d])"),
        "api:ratio:copy": promql.parse("slo:sli_error:ratio_rate5m"),
    }
    assert promql.record_window("slo:sli_error:ratio_rate30d", records) == 30 * 86400
    assert promql.record_window("api:ratio:copy", records) == 5 * M


def test_records_that_disagree_on_their_window_fall_back_to_the_name():
    records = {"x:ratio_rate5m": [promql.parse(_ratio("5m")), promql.parse(_ratio("10m"))],
               "x:unnamed": [promql.parse(_ratio("5m")), promql.parse(_ratio("10m"))]}
    assert promql.record_window("x:ratio_rate5m", records) == 5 * M
    assert promql.record_window("x:unnamed", records) is None


@pytest.mark.parametrize("text", [
    "up == 0",
    f"{_ratio('1h')} > 0.0144",  # one window: not multiwindow
    f"{_ratio('1h')} > 0.0144 and {_ratio('1h')} > 0.0144",  # the same window twice
    f"{_ratio('1h')} < 0.0144 and {_ratio('5m')} < 0.0144",  # fires when errors are rare
    f"{_ratio('1h')} > bool 0.0144 and {_ratio('5m')} > bool 0.0144",  # always present: filters nothing
    "sum(rate(x[5m])",
])
def test_other_expressions_are_not_burn_rate_alerts(text):
    assert promql.burn_rate(promql.parse(text)) == ()


def test_a_threshold_that_is_not_constant_or_differs_between_windows_is_none():
    not_constant = f"{_ratio('1h')} > 14.4 * scalar(slo:error_budget:ratio) and {_ratio('5m')} > 0.0144"
    differs = f"{_ratio('1h')} > 0.0144 and {_ratio('5m')} > 0.02"
    assert promql.burn_rate(promql.parse(not_constant)) == (BurnRatePair(H, 5 * M, None),)
    assert promql.burn_rate(promql.parse(differs)) == (BurnRatePair(H, 5 * M, None),)


def test_an_alert_on_burn_rates_compares_the_factor_not_the_error_ratio():
    by_name = "slo:http_availability:burn_rate_1h > 14.4 and slo:http_availability:burn_rate_5m > 14.4"
    inline = f"({_ratio('1h')}) / (1 - 0.999) > 14.4 and ({_ratio('5m')}) / (1 - 0.999) > 14.4"
    assert promql.burn_rate(promql.parse(by_name)) == (BurnRatePair(H, 5 * M, 14.4, "burn_rate"),)
    assert promql.burn_rate(promql.parse(inline)) == (BurnRatePair(H, 5 * M, 14.4, "burn_rate"),)


def test_what_unless_removes_is_not_a_window():
    text = f"({_ratio('1h')} > 0.0144 and {_ratio('5m')} > 0.0144) unless on() max_over_time(maintenance[10m:]) > 0"
    assert promql.burn_rate(promql.parse(text)) == (BurnRatePair(H, 5 * M, 0.0144),)


# --------------------------------------------------------------------------- rule files: what is read


RULE_FILE = """\
groups:
  - name: api
    rules:
      - alert: ApiErrors
        expr: sum(rate(http_requests_total{job="api",code=~"5.."}[5m])) > 1
        for: 10m
        labels:
          severity: critical
          service: api
          tier: 1
        annotations:
          summary: Errors
          runbook_url: https://runbooks.example.com/api/errors
      - record: job:http_requests:rate5m
        expr: sum by (job) (rate(http_requests_total[5m]))
"""


def test_a_rule_file_gives_one_target_per_rule_with_its_lines():
    (alert, record), problems = rules_of(RULE_FILE)
    assert problems == []
    assert (alert.kind, alert.name, alert.group, alert.record, alert.file, alert.line) == (
        "AlertRule", "ApiErrors", "api", False, "rules.yaml", 4)
    assert (alert.expr_line, alert.for_, alert.for_text) == (5, 600.0, "10m")
    assert alert.labels == {"severity": "critical", "service": "api", "tier": "1"}
    assert alert.rule_annotations["runbook_url"] == "https://runbooks.example.com/api/errors"
    assert alert.runbook.status == URL
    assert alert.service_hint == "api" and alert.hint_reason == "its label service=api"
    assert alert.matchers == (("job", "=", "api"), ("code", "=~", "5.."))
    assert [str(alert.locate(at)) for at in ("", "expr", "for", "labels.severity", "annotations.runbook_url")] == [
        "rules.yaml:4", "rules.yaml:5", "rules.yaml:6", "rules.yaml:8", "rules.yaml:13"]
    assert (record.name, record.record, record.runbook, record.for_) == ("job:http_requests:rate5m", True, None, None)
    assert alert.owner is alert and alert.header_line == 4
    assert str(alert.ref) == "AlertRule/rules.yaml/api/ApiErrors"


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ngroups: []\n",  # a Kubernetes object
    "groups: [admins, developers]\nusers: [alice]\n",  # some other tool's config
    "rules: []\n",
    "- groups: []\n",
])
def test_documents_that_are_not_rule_files_are_left_to_other_readers(text):
    assert from_document("x.yaml", parse_yaml(text).documents[0], None) is None


def test_a_rule_file_with_a_namespace_key_is_still_a_rule_file():
    rules, problems = rules_of("namespace: team-a\ngroups:\n  - name: g\n    rules:\n      - record: r\n        "
                               "expr: up\n")
    assert problems == [] and [r.name for r in rules] == ["r"]


def test_rules_repeating_a_name_in_a_group_have_distinct_identities():
    rules, _ = rules_of("""\
        groups:
          - name: slo
            rules:
              - {alert: ApiSLO, expr: 'up == 0', labels: {sloth_severity: page}}
              - {alert: ApiSLO, expr: 'up == 0', labels: {sloth_severity: ticket}}
              - {alert: ApiSLO, expr: 'up == 0'}
        """)
    assert [str(r.ref) for r in rules] == ["AlertRule/rules.yaml/slo/ApiSLO", "AlertRule/rules.yaml/slo/ApiSLO[#2]",
                                           "AlertRule/rules.yaml/slo/ApiSLO[#3]"]


def test_rules_with_a_repeated_name_get_distinct_fingerprints(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text(
        "groups:\n  - name: slo\n    rules:\n"
        "      - {alert: ApiSLO, expr: 'up == 0'}\n"
        "      - {alert: ApiSLO, expr: 'up == 0'}\n")
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-001")
    assert [r.status for r in results] == [Status.FAIL, Status.FAIL]
    assert len({r.fingerprint for r in results}) == 2


# --------------------------------------------------------------------------- rule files: bad input


@pytest.mark.parametrize("text, problem", [
    ("groups:\n  name: api\n", (1, "`groups` must be a list of rule groups, found a mapping; no rule in it was "
                                   "checked")),
    ("groups:\n  - api\n", (2, "rule group #1 must be a mapping with `name` and `rules`, found a string; it was not "
                               "checked")),
    ("groups:\n  - name: api\n", (2, "rule group api has no `rules` list; expected `rules:` with alerting and "
                                     "recording rules")),
    ("groups:\n  - name: api\n    rules:\n      alert: X\n",
     (3, "rule group api has no `rules` list, found a mapping; expected `rules:` with alerting and recording "
         "rules")),
    ("groups:\n  - name: api\n    rules:\n      - up == 0\n",
     (4, "rule #1 of group api must be a mapping, found a string; it was not checked")),
])
def test_bad_structure_is_a_problem_with_its_line(text, problem):
    rules, problems = rules_of(text)
    assert (rules, problems) == ([], [problem])


BAD_RULES = """\
groups:
  - name: api
    rules:
      - expr: up == 0
        labels: {severity: critical}
      - alert: ApiDown
        record: api:up
        expr: up
      - alert: ApiNoExpr
        for: 5m
      - alert: ApiMappingExpr
        expr:
          query: up == 0
      - alert: ""
        expr: up == 0
      - alert: ApiBadFor
        expr: up == 0
        for: 5 minutes
      - record: api:labels
        expr: up
        labels: [severity]
      - alert: ApiFine
        expr: up{job="api"} == 0
        for: 5m
  - rules:
      - alert: NamelessGroupRule
        expr: up == 0
        for: 5m
  - name: api
    rules: []
"""


def test_each_bad_rule_is_a_problem_with_its_line_and_the_others_are_read():
    rules, problems = rules_of(BAD_RULES)
    assert problems == [
        (4, "rule #1 of group api has neither `alert` nor `record`; it was not checked"),
        (6, "rule #2 of group api has both `alert: ApiDown` and `record: api:up`; a rule is one or the other, so "
            "it was not checked"),
        (9, "alerting rule ApiNoExpr (group api) has no `expr`; it was not checked"),
        (12, "alerting rule ApiMappingExpr (group api): `expr` must be a PromQL string, found a mapping; it was not "
             "checked"),
        (14, "rule #5 of group api has an empty `alert` name (expected `alert: <name>`); it was not checked"),
        (18, "alerting rule ApiBadFor (group api): `for: 5 minutes` is not a duration (expected a number with a "
             "unit, like 5m or 1h30m); Prometheus refuses the file"),
        (21, "recording rule api:labels (group api): `labels` must be a mapping of names to values, found a list; "
             "it was ignored"),
        (25, "rule group #2 has no `name` (Prometheus refuses a group without one); its rules are checked as "
             "group #2"),
        (29, "rule group api is defined again (first at line 2); Prometheus refuses two groups of one name in a "
             "file"),
    ]
    assert [(r.group, r.name) for r in rules] == [("api", "ApiBadFor"), ("api", "api:labels"), ("api", "ApiFine"),
                                                  ("#2", "NamelessGroupRule")]
    bad_for = rules[0]
    assert (bad_for.for_text, bad_for.for_) == ("5 minutes", None)


def test_numbers_are_read_as_prometheus_reads_them_into_strings():
    rule = one_rule("groups:\n  - name: 7\n    rules:\n      - alert: A\n        expr: 1\n        for: 0\n"
                    "        labels: {tier: 2, paging: true, empty: }\n")
    assert (rule.group, rule.expr, rule.for_, rule.promql.parsed) == ("7", "1", 0.0, True)
    assert rule.labels == {"tier": "2", "paging": "true", "empty": ""}


def test_a_file_with_bad_rules_still_has_its_other_rules_checked(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text(BAD_RULES)
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-005")
    checked = sorted((r.target.name, r.status.value) for r in results if r.check.id == "PRC-ALERT-005")
    assert checked == [("#2/NamelessGroupRule", "PASS"), ("api/ApiBadFor", "PASS"), ("api/ApiFine", "PASS"),
                       ("api/api:labels", "PASS")]
    errors = [(r.location.line, r.status.value) for r in results if r.check.id == "PRC-INPUT"]
    assert errors == [(4, "ERROR"), (6, "ERROR"), (9, "ERROR"), (12, "ERROR"), (14, "ERROR"), (18, "ERROR"),
                      (21, "ERROR"), (25, "ERROR"), (29, "ERROR")]


# --------------------------------------------------------------------------- PrometheusRule objects


PROMETHEUS_RULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: api-rules
  namespace: monitoring
  annotations:
    prc.dev/ignore: "PRC-ALERT-003: routed by team label"
spec:
  groups:
    - name: api.rules
      rules:
        - alert: ApiDown
          expr: up{job="api"} == 0
          for: 5m
        - alert: ApiDown
          expr: up{job="api-canary"} == 0
"""


def test_the_rules_of_a_prometheus_rule_are_owned_by_the_object():
    obj, rules, problems = prometheus_rule(PROMETHEUS_RULE)
    assert problems == []
    first, second = rules
    assert first.owner is obj and first.origin is obj
    assert (first.file, first.line, second.line) == ("k8s/rules.yaml", 12, 15)
    assert [str(r.ref) for r in rules] == ["AlertRule/monitoring/api-rules/api.rules/ApiDown",
                                           "AlertRule/monitoring/api-rules/api.rules/ApiDown[#2]"]
    obj.service = "api"
    assert first.service == "api"  # the object's service is its rules'
    first.service = "other"
    assert (first.service, second.service) == ("other", "api")


def test_a_prometheus_rules_annotation_suppresses_findings_on_its_rules(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text(PROMETHEUS_RULE)
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-003")
    assert [(r.status, r.suppression.kind if r.suppression else None) for r in results] == [
        (Status.FAIL, "annotation"), (Status.FAIL, "annotation")]


def test_problems_in_a_prometheus_rule_name_the_object():
    _, rules, problems = prometheus_rule("""\
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata: {name: api-rules}
        spec:
          groups:
            - name: api
              rules:
                - alert: ApiDown
        """)
    assert (rules, problems) == ([], [(8, "PrometheusRule api-rules: alerting rule ApiDown (group api) has no "
                                          "`expr`; it was not checked")])


def test_a_prometheus_rule_without_groups_has_nothing_to_check():
    _, rules, problems = prometheus_rule("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
                                         "metadata: {name: empty}\nspec: {}\n")
    assert (rules, problems) == ([], [])


def test_rule_files_and_prometheus_rules_are_read_in_a_whole_scan(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text(RULE_FILE)
    (tmp_path / "k8s.yaml").write_text(PROMETHEUS_RULE)
    results = scan_results(registry, tmp_path, "PRC-ALERT-005", root=tmp_path)
    assert sorted(str(r.target) for r in results) == [
        "AlertRule/monitoring/api-rules/api.rules/ApiDown", "AlertRule/monitoring/api-rules/api.rules/ApiDown[#2]",
        "AlertRule/rules.yaml/api/ApiErrors", "AlertRule/rules.yaml/api/job:http_requests:rate5m"]


def test_an_ignore_comment_above_a_rule_in_a_rule_file_suppresses_its_findings(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text("groups:\n  - name: api\n    rules:\n"
                                         "      # prc:ignore PRC-ALERT-004 paged through the short window\n"
                                         "      - alert: ApiDown\n        expr: up == 0\n"
                                         "      - alert: ApiSlow\n        expr: up == 0\n")
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-004")
    assert [(r.target.name, r.suppression is not None) for r in results] == [("api/ApiDown", True),
                                                                             ("api/ApiSlow", False)]


def test_an_ignore_comment_above_a_rule_in_a_prometheus_rule_covers_findings_on_its_first_line(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text(PROMETHEUS_RULE.replace(
        "        - alert: ApiDown\n          expr: up{job=\"api-canary\"}",
        "        # prc:ignore PRC-ALERT-004 the canary pages through its own route\n"
        "        - alert: ApiDown\n          expr: up{job=\"api-canary\"}"))
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-004")
    assert [(r.status, r.location.line, r.suppression.kind if r.suppression else None) for r in results] == [
        (Status.PASS, 14, None), (Status.FAIL, 16, "inline")]


# --------------------------------------------------------------------------- burn-rate rules through AlertRule


def test_an_alert_rule_reads_burn_rate_windows_from_recording_rules_in_other_files():
    records, _ = rules_of(f"""\
        groups:
          - name: records
            rules:
              - record: api:errors:short
                expr: '{_ratio("5m")}'
              - record: api:errors:long
                expr: '{_ratio("1h")}'
        """, display="records.yaml")
    alert = one_rule("""\
        groups:
          - name: alerts
            rules:
              - alert: ApiBurn
                expr: api:errors:long > 14.4 * (1 - 0.999) and api:errors:short > 14.4 * (1 - 0.999)
        """, display="alerts.yaml")
    assert alert.burn_rate() == () and not alert.is_burn_rate()  # nothing beside it says the windows
    everything = recording_rules_by_name([*records, alert])
    assert list(everything) == ["api:errors:short", "api:errors:long"]
    assert alert.burn_rate(everything) == (BurnRatePair(H, 5 * M, pytest.approx(0.0144)),)
    assert burn_rate_windows(alert, {"api:errors:long": records[1], "api:errors:short": records[0]}) == (
        BurnRatePair(H, 5 * M, pytest.approx(0.0144)),)
    assert alert.is_burn_rate(everything)


def test_recording_rules_beside_an_alert_are_used_by_default():
    rules, _ = rules_of(f"""\
        groups:
          - name: records
            rules:
              - {{record: api:errors:short, expr: '{_ratio("5m")}'}}
              - {{record: api:errors:long, expr: '{_ratio("1h")}'}}
          - name: alerts
            rules:
              - alert: ApiBurn
                expr: api:errors:long > 0.0144 and api:errors:short > 0.0144
        """)
    assert rules[2].burn_rate() == (BurnRatePair(H, 5 * M, 0.0144),)
    assert rules[0].burn_rate() == ()  # a recording rule is never a burn-rate alert


# --------------------------------------------------------------------------- runbook links


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "monitoring").mkdir(parents=True)
    (root / "docs" / "runbooks").mkdir(parents=True)
    (root / "docs" / "runbooks" / "api.md").write_text("# api\n")
    (root / "docs" / "runbooks" / "high errors.md").write_text("# api\n")
    (tmp_path / "secret.md").write_text("outside\n")
    return root


@pytest.mark.parametrize("url, status, path", [
    ("../docs/runbooks/api.md", FILE, "docs/runbooks/api.md"),
    ("../docs/runbooks/api.md#high-error-rate", FILE, "docs/runbooks/api.md"),
    ("./../docs/runbooks/./api.md?plain=1", FILE, "docs/runbooks/api.md"),
    ("/docs/runbooks/api.md", FILE, "docs/runbooks/api.md"),  # a leading / starts at the scan root
    ("../docs/runbooks/high%20errors.md", FILE, "docs/runbooks/high errors.md"),
    ("runbooks/api.md", MISSING, "monitoring/runbooks/api.md"),
    ("../docs/runbooks", DIRECTORY, "docs/runbooks"),
    ("../../secret.md", OUTSIDE, ""),
    ("../../../../../../etc/passwd", OUTSIDE, ""),
])
def test_relative_links_are_resolved_from_the_rule_files_directory(repo, url, status, path):
    link = resolve_runbook(url, "monitoring/rules.yaml", context(repo))
    assert (link.status, link.path) == (status, path)


def test_a_link_leaving_the_root_is_never_looked_at(repo, monkeypatch):
    looked_at: list[str] = []
    for name in ("isfile", "isdir", "exists", "islink"):
        real = getattr(os.path, name)
        monkeypatch.setattr(os.path, name, lambda p, real=real: looked_at.append(os.fspath(p)) or real(p))
    link = resolve_runbook("../../secret.md", "monitoring/rules.yaml", context(repo))
    assert (link.status, link.reason) == (OUTSIDE, "leaves the repository (the scan root)")
    assert looked_at == []


def test_a_symbolic_link_out_of_the_root_counts_as_outside_and_its_target_is_not_looked_at(repo, monkeypatch):
    os.symlink(repo.parent, repo / "docs" / "escape")
    os.symlink("../../..", repo / "docs" / "runbooks" / "up")
    os.symlink("api.md", repo / "docs" / "runbooks" / "current.md")
    looked_at: list[str] = []
    real_islink = os.path.islink
    monkeypatch.setattr(os.path, "islink", lambda p: looked_at.append(os.fspath(p)) or real_islink(p))
    ctx = context(repo)
    escape = resolve_runbook("../docs/escape/secret.md", "monitoring/rules.yaml", ctx)
    up = resolve_runbook("../docs/runbooks/up/secret.md", "monitoring/rules.yaml", ctx)
    assert (escape.status, escape.reason) == (OUTSIDE, "leaves the repository (the scan root) through a symbolic link")
    assert up.status == OUTSIDE
    assert not any("secret.md" in p for p in looked_at)
    inside = resolve_runbook("../docs/runbooks/current.md", "monitoring/rules.yaml", ctx)
    assert (inside.status, inside.path) == (FILE, "docs/runbooks/current.md")


def test_relative_links_without_a_place_to_resolve_from_are_unresolvable(repo):
    cases = [
        ("rules.yaml", None, "is relative and there is no scan root to resolve it from"),
        ("-", context(repo), "is relative, and rules read from standard input have no directory to resolve it from"),
        ("/elsewhere/rules.yaml", context(repo), "is relative, and the rule file is outside the scan root"),
    ]
    for file, ctx, reason in cases:
        link = resolve_runbook("runbooks/api.md", file, ctx)
        assert (link.status, link.reason) == (UNRESOLVABLE, reason)


@pytest.mark.parametrize("url, status, reason", [
    ("https://runbooks.example.com/api#errors", URL, ""),
    ("http://wiki.internal:8080/runbooks/api", URL, ""),
    ("https://[2001:db8::1]/runbooks/api", URL, ""),
    ("https://runbooks.example.com/{{ $labels.alertname }}", URL, ""),
    ("https:///runbooks/api", BAD_URL, "has no host"),
    ("https://runbooks.example.com:99999/api", BAD_URL, "has an invalid port 99999"),
    ("https://runbooks example.com/api", BAD_URL, "has an invalid host 'runbooks example.com'"),
    ("https://runbooks.example.com/high errors", BAD_URL, "contains whitespace (encode a space as %20)"),
    ("ftp://files.example.com/api.txt", BAD_URL, "uses the ftp: scheme, not http or https"),
    ("file:///etc/passwd", BAD_URL, "uses the file: scheme, not http or https"),
    ("//runbooks.example.com/api", BAD_URL, "has no scheme (start it with https://)"),
    ("#errors", BAD_URL, "names no file, only an anchor or query"),
    ("https://{{ $externalHost }}/runbooks", UNRESOLVABLE, "has a templated host, known only when the alert fires"),
    ("{{ $externalURL }}/runbooks/api", UNRESOLVABLE, "is a template, known only when the alert fires"),
])
def test_absolute_links_are_judged_by_their_form_and_never_fetched(url, status, reason):
    link = resolve_runbook(url, "rules.yaml", None)
    assert (link.status, link.reason) == (status, reason)


def test_an_empty_runbook_url_is_not_resolved():
    rule = one_rule("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
                    "        annotations: {runbook_url: '  '}\n")
    assert rule.runbook is None


def test_links_are_resolved_at_load_time_in_a_scan(repo, registry):
    (repo / "monitoring" / "rules.yaml").write_text(
        "groups:\n  - name: api\n    rules:\n"
        "      - {alert: A, expr: up == 0, annotations: {runbook_url: ../docs/runbooks/api.md#a}}\n"
        "      - {alert: B, expr: up == 0, annotations: {runbook_url: ../../secret.md}}\n")
    results = scan_results(registry, repo, "PRC-ALERT-002", root=repo)
    assert [(r.status, r.message) for r in results] == [
        (Status.PASS, "alerting rule A (group api): runbook_url ../docs/runbooks/api.md#a is the file "
                      "docs/runbooks/api.md"),
        (Status.FAIL, "alerting rule B (group api): runbook_url ../../secret.md points outside the repository: it "
                      "leaves the repository (the scan root); keep the runbook in the repository or link it by URL"),
    ]


# --------------------------------------------------------------------------- the checks' subtle parts


def test_severities_come_from_the_check_option(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text("groups:\n  - name: g\n    rules:\n"
                                         "      - {alert: A, expr: up == 0, labels: {severity: sev1}}\n"
                                         "      - {alert: B, expr: up == 0, labels: {severity: critical}}\n")
    config = Config(enable=["PRC-ALERT-003"], options={"PRC-ALERT-003": {"severities": ["sev1", "sev2"]}})
    report = run_scan([tmp_path / "rules.yaml"], registry, config, root=tmp_path)
    assert [(r.status, r.message) for r in report.results] == [
        (Status.PASS, "alerting rule A (group g) has severity sev1"),
        (Status.FAIL, "alerting rule B (group g): labels.severity 'critical' is not one of sev1, sev2"),
    ]


def test_a_for_that_is_not_a_duration_is_unknown_for_the_check(tmp_path, registry):
    (tmp_path / "rules.yaml").write_text("groups:\n  - name: g\n    rules:\n"
                                         "      - alert: A\n        expr: up == 0\n        for: 5 minutes\n")
    results = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-004")
    assert [(r.check.id, r.status, r.location.line, r.message) for r in results] == [
        ("PRC-ALERT-004", Status.UNKNOWN, 6, "alerting rule A (group g): `for: 5 minutes` is not a duration, so how "
                                             "long the condition must hold is unknown"),
        ("PRC-INPUT", Status.ERROR, 6, "alerting rule A (group g): `for: 5 minutes` is not a duration (expected a "
                                       "number with a unit, like 5m or 1h30m); Prometheus refuses the file"),
    ]


def test_an_expression_too_large_to_parse_is_unknown_not_invalid(tmp_path, registry):
    expr = " + ".join(["up"] * 400)
    (tmp_path / "rules.yaml").write_text(f"groups:\n  - name: g\n    rules:\n      - record: r\n        expr: {expr}\n")
    (result,) = scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-005")
    assert (result.status, result.message) == (
        Status.UNKNOWN, "recording rule r (group g): expr was not parsed: the expression has 399 operators, above the "
                        "300 prc parses safely")


def test_an_ignore_above_a_rule_in_a_prometheusrule_covers_findings_inside_the_rule(tmp_path, registry):
    (tmp_path / "docs").mkdir()
    (tmp_path / "rules.yaml").write_text(textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata:
          name: api
        spec:
          groups:
            - name: api
              rules:
                # prc:ignore PRC-ALERT-002 the runbook moves to the wiki in OPS-412
                - alert: ApiDown
                  expr: up{job="api"} == 0
                  for: 5m
                  labels: {severity: critical}
                  annotations:
                    runbook_url: docs/missing.md
                - alert: ApiSlow
                  expr: up{job="api"} == 0
                  for: 5m
                  labels: {severity: critical}
                  annotations:
                    runbook_url: docs/missing.md
        """))
    results = [r for r in scan_results(registry, tmp_path / "rules.yaml", "PRC-ALERT-002")]
    assert [(r.location.line, r.status.value, r.suppressed) for r in results] == [(15, "FAIL", True),
                                                                                    (21, "FAIL", False)]
    assert "OPS-412" in results[0].suppression.reason


# --------------------------------------------------------------------------- --check-links (loopback only)


@pytest.fixture
def link_server():
    """An HTTP server on 127.0.0.1: /ok answers 200, /login 403, /gone 404, /nohead 405 to HEAD but 200 to GET."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, method):
            code = {"/ok": 200, "/login": 403, "/gone": 404}.get(self.path, 200 if method == "GET" else 405)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self):
            self._answer("HEAD")

        def do_GET(self):
            self._answer("GET")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_links_fails_a_runbook_url_that_does_not_answer(tmp_path, link_server):
    import subprocess
    import sys

    rules = "groups:\n  - name: api\n    rules:\n" + "".join(
        f"      - alert: A{i}\n        expr: up == 0\n        for: 5m\n        labels: {{severity: critical}}\n"
        f"        annotations: {{runbook_url: '{link_server}{path}'}}\n"
        for i, path in enumerate(["/ok", "/login", "/gone", "/nohead"]))
    (tmp_path / ".git").mkdir()
    (tmp_path / ".prc.yaml").write_text("version: 1\nchecks: {enable: [PRC-ALERT-002]}\n")
    (tmp_path / "rules.yaml").write_text(rules)

    def scan(*flags):
        # Loopback only: no proxy from the environment may carry the requests elsewhere.
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        done = subprocess.run([sys.executable, "-m", "prc.cli", "scan", ".", "--format", "json", "--allow-empty",
                               *flags], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
        import json
        return [(r["status"], r["message"].split(": ", 1)[1]) for r in json.loads(done.stdout)["results"]
                if r["check_id"] == "PRC-ALERT-002"]

    # Without the flag nothing is asked: every well-formed URL passes.
    assert [status for status, _ in scan()] == ["PASS"] * 4
    assert scan("--check-links") == [
        ("PASS", f"runbook_url {link_server}/ok answers (HTTP 200)"),
        ("PASS", f"runbook_url {link_server}/login answers (HTTP 403)"),
        ("FAIL", f"runbook_url {link_server}/gone does not answer (HTTP 404)"),
        ("PASS", f"runbook_url {link_server}/nohead answers (HTTP 200)"),
    ]


def test_check_links_reports_a_refused_connection(tmp_path, monkeypatch):
    import socket

    from prc import links

    for name in [k for k in os.environ if "proxy" in k.lower()]:
        monkeypatch.delenv(name)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answer = links.ask([f"http://127.0.0.1:{port}/runbook"], timeout=2)[f"http://127.0.0.1:{port}/runbook"]
    assert answer.reachable is False and "refused" in answer.detail.lower()


def test_check_links_survives_a_server_that_is_not_http_and_one_that_trickles(monkeypatch):
    import socket
    import threading
    import time

    from prc import links

    for name in [k for k in os.environ if "proxy" in k.lower()]:
        monkeypatch.delenv(name)

    def serve(reply, pace):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)

        def run():
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                try:
                    for chunk in reply:
                        conn.sendall(chunk)
                        time.sleep(pace)
                except OSError:
                    pass
                finally:
                    conn.close()

        threading.Thread(target=run, daemon=True).start()
        return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/runbook"

    garbage, garbage_url = serve([b"SSH-2.0-OpenSSH_9.6\r\n"], 0)
    # One byte every 0.4 s: each read is quicker than the timeout, the whole answer never ends.
    trickle, trickle_url = serve([b"HTTP/1.1 200 OK\r\n"] + [b"X"] * 200, 0.4)
    try:
        started = time.monotonic()
        answers = links.ask([garbage_url, trickle_url], timeout=1, budget=3)
        assert time.monotonic() - started < 10
    finally:
        garbage.close()
        trickle.close()
    assert answers[garbage_url].reachable is False and "BadStatusLine" in answers[garbage_url].detail
    assert answers[trickle_url].reachable is None
    assert answers[trickle_url].detail == "no answer within the 3 s the link check allows"
