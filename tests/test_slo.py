"""SLO documents: prc's format, OpenSLO and Sloth read into Slo targets (values and lines), every bad input with
the message and line a user sees, the schema, the SLO document checks' edges, and the burn-rate arithmetic."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
import types
from collections import Counter

import jsonschema
import pytest

from prc.config import Config, load_schema
from prc.loaders.slo import Slo, from_document, objective_from, parse_window, schema_problems
from prc.model import Status
from prc.slo_math import (BURN_RATE_PATTERN, expected_burn_rates, matching_row, relative_error,
                          threshold_matches)
from prc.yamlsrc import parse_yaml
from prc_checks.slo import document_gaps, error_budget_policy, slo_document

from .conftest import run_scan


def read(text: str, today: dt.date | None = None, display: str = "slos.yaml"):
    """Slos, problems as (line, message), and skipped reasons of every document in `text`."""
    ctx = types.SimpleNamespace(today=today, config=Config()) if today else None
    slos, problems, skipped = [], [], []
    for document in parse_yaml(textwrap.dedent(text)).documents:
        loaded = from_document(display, document, ctx)
        if loaded is None:
            continue
        slos += loaded.targets
        problems += [(p.line, p.message) for p in loaded.problems]
        skipped += [s.reason for s in loaded.skipped]
    return slos, problems, skipped


def problems_of(text: str) -> list[tuple[int, str]]:
    return read(text)[1]


def one(text: str, today: dt.date | None = None) -> Slo:
    slos, problems, _ = read(text, today)
    assert problems == []
    assert len(slos) == 1
    return slos[0]


PRC_DOC = """\
apiVersion: prc.dev/v1
kind: SLO
service: checkout
description: Checkout API
owner: team-payments
approver: jane.doe@example.com
created: 2026-05-04
approved: 2026-05-20
nextReview: 2027-05-20
errorBudgetPolicy:
  url: https://wiki.example.com/policy
  whenExhausted:
    - Freeze releases
    - Fix postmortem items first
  escalation:
    - Payments on-call
slos:
  - name: availability
    description: Requests without a server error
    target: 99.9
    window: 28d
    sli:
      ratio:
        bad: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total: sum(rate(http_requests_total[{{window}}]))
  - name: latency
    target: 99
    window: 4w
    sli:
      latency:
        threshold: 300ms
        query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
"""


# --------------------------------------------------------------------------- prc's format


def test_prc_document_is_read_into_one_slo_per_entry_with_values_and_lines():
    availability, latency = read(PRC_DOC)[0]
    assert (availability.format, availability.service_hint, availability.slo_name) == ("prc", "checkout",
                                                                                         "availability")
    assert str(availability.ref) == "SLO/checkout/availability"
    assert (availability.line, availability.header_line) == (18, 1)
    assert (availability.objective, availability.objective_text) == (0.999, "target: 99.9")
    assert (availability.window_text, availability.window_seconds) == ("28d", 28 * 86400)
    assert availability.sli.kind == "ratio" and availability.sli.incomplete == ""
    assert availability.sli.query("bad") == 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))'
    assert availability.sli.query("total") == "sum(rate(http_requests_total[{{window}}]))"
    assert (availability.owned_by, availability.approver) == ("team-payments", "jane.doe@example.com")
    assert (availability.created, availability.approved, availability.next_review) == ("2026-05-04", "2026-05-20",
                                                                                       "2027-05-20")
    assert availability.policy.actions == ("Freeze releases", "Fix postmortem items first")
    assert availability.policy.escalation == ("Payments on-call",)
    assert availability.policy.url == "https://wiki.example.com/policy"
    assert availability.description == "Requests without a server error"
    assert availability.locate(availability.path("objective")).line == 20
    assert availability.locate(availability.path("owner")).line == 5
    assert availability.locate(availability.path("policy")).line == 10
    assert availability.locate("").line == 18
    assert (latency.line, latency.objective, latency.window_seconds) == (26, 0.99, 28 * 86400)
    assert (latency.sli.kind, latency.sli.threshold, latency.sli.incomplete) == ("latency", "300ms", "")
    assert latency.sli.query("value").startswith("histogram_quantile(0.99")


def test_an_slo_document_names_its_service_outright():
    slo = read(PRC_DOC)[0][0]
    # services.assign_services lets a Service tag equal to the hint win over the directory the file sits in.
    assert slo.tags == {"Service": "checkout"}
    assert slo.generated_alerts == ()


def test_the_scan_date_is_taken_from_the_load_context_when_it_has_one():
    assert read(PRC_DOC, today=dt.date(2026, 11, 23))[0][0].as_of == "2026-11-23"
    assert read(PRC_DOC)[0][0].as_of == ""


@pytest.mark.parametrize("text", [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
    "groups:\n  - name: g\n    rules: []\n",
    "- a\n- b\n",
    "apiVersion: prc.dev/v1\nkind: Config\n",
    "version: '3.8'\nservices: {web: {image: nginx}}\n",
])
def test_documents_of_other_kinds_are_not_taken(text):
    document = parse_yaml(text).documents[0]
    assert from_document("x.yaml", document, None) is None


# --------------------------------------------------------------------------- prc's format: bad input

def prc_doc(slo: str = "  - name: availability\n    target: 99.9\n    window: 28d\n", top: str = "") -> str:
    return f"apiVersion: prc.dev/v1\nkind: SLO\nservice: checkout\n{top}slos:\n{slo}"


@pytest.mark.parametrize("slo, expected", [
    ("  - name: availability\n    target: 100\n",
     (6, "slos[0].target: 100 is not below 100 (a target of 100% leaves no error budget)")),
    ("  - name: availability\n    target: 0.999\n",
     (6, "slos[0].target: 0.999 is a percentage here, so it would mean 0.999%: write 99.9 for 99.9%")),
    ("  - name: availability\n    target: 1.5\n",
     (6, "slos[0].target: 1.5 would mean 1.5% (letting 98.5% of events fail); a target below 50% is taken for a "
         "typo: write the percentage of good events, like 99.9")),
    ("  - name: availability\n    target: 150\n", (6, "slos[0].target: 150 is above 100 (this field is a percentage)")),
    ("  - name: availability\n    target: 99.9%\n",
     (6, "slos[0].target: '99.9%' is not a number: write the percentage as a number, like 99.9")),
    ("  - name: availability\n    window: 4 weeks\n",
     (6, "slos[0].window: '4 weeks' is not a duration like 28d, 30d or 4w (a whole number and m, h, d or w)")),
    ("  - name: availability\n    window: 1M\n",
     (6, "slos[0].window: '1M' is not a duration like 28d, 30d or 4w (a whole number and m, h, d or w)")),
    ("  - name: availability\n    tagret: 99.9\n",
     (6, "slos[0].tagret: unknown field (expected one of: description, name, sli, target, window)")),
    ("  - target: 99.9\n", (5, "slos[0].name: is required")),
    ("  - name: Availability SLO\n",
     (5, "slos[0].name: 'Availability SLO' is not a name of lowercase letters, digits and dashes")),
    ("  - availability\n", (5, "slos[0]: expected a mapping, got a string")),
    ("  - name: a\n    sli:\n      ratio: {good: g, bad: b, total: t}\n",
     (7, "slos[0].sli.ratio: gives good and bad; give one of them")),
    ("  - name: a\n    sli:\n      ratio: {total: t}\n      latency: {threshold: 1s, query: q}\n",
     (6, "slos[0].sli: give exactly one of ratio or latency")),
    ("  - name: a\n    sli:\n      latency: {query: q}\n", (7, "slos[0].sli.latency.threshold: is required")),
    ("  - name: a\n    sli:\n      latency: {threshold: 300 ms, query: q}\n",
     (7, "slos[0].sli.latency.threshold: '300 ms' is not a duration like 300ms or 1.5s")),
])
def test_each_bad_slo_entry_is_a_problem_with_its_line_and_field(slo, expected):
    assert problems_of(prc_doc(slo)) == [expected]


@pytest.mark.parametrize("top, expected", [
    ("approved: 2026-13-01\n", (4, "approved: '2026-13-01' is not a calendar date")),
    ("nextReview: 2026-02-30\n", (4, "nextReview: '2026-02-30' is not a calendar date")),
    ("created: 4 May 2026\n", (4, "created: '4 May 2026' is not a date like 2026-01-31")),
    ("owner: '  '\n", (4, "owner: is blank")),
    ("approver: 42\n", (4, "approver: expected a string, got a number")),
    ("errorBudgetPolicy: see the wiki\n", (4, "errorBudgetPolicy: expected a mapping, got a string")),
    ("errorBudgetPolicy:\n  whenExhausted: freeze\n",
     (5, "errorBudgetPolicy.whenExhausted: expected a list, got a string")),
    ("team: payments\n",
     (4, "team: unknown field (expected one of: apiVersion, approved, approver, created, description, "
         "errorBudgetPolicy, kind, nextReview, owner, service, slos)")),
])
def test_each_bad_document_field_is_a_problem_with_its_line_and_field(top, expected):
    assert problems_of(prc_doc(top=top)) == [expected]


def test_a_document_level_field_that_cannot_be_read_is_unusable_on_every_slo():
    slos, problems, _ = read(prc_doc(top="approved: 2026-13-01\nerrorBudgetPolicy: see the wiki\n"))
    assert [s.approved for s in slos] == [""]
    assert slos[0].invalid == {"approved": "'2026-13-01' is not a calendar date",
                               "policy": "expected a mapping, got a string"}
    assert slos[0].policy is None


def test_a_bad_target_leaves_the_objective_unusable_and_the_rest_of_the_slo_read():
    slo = read(prc_doc("  - name: availability\n    target: 100\n    window: 28d\n"))[0][0]
    assert slo.objective is None
    assert slo.invalid == {"objective": "100 is not below 100 (a target of 100% leaves no error budget)"}
    assert slo.window_seconds == 28 * 86400


def test_wrong_version_or_kind_of_a_prc_document_is_a_problem():
    assert problems_of("apiVersion: prc.dev/v2\nkind: SLO\nservice: a\nslos: []\n") == [
        (1, "apiVersion: prc.dev/v2 is not a version this prc reads (expected prc.dev/v1)")]
    assert problems_of("apiVersion: prc.dev/v1\nkind: ServiceLevelObjective\nservice: a\nslos: []\n") == [
        (2, "kind: ServiceLevelObjective: a prc.dev/v1 SLO document has kind: SLO")]


def test_a_document_without_slos_or_service_names_what_is_missing():
    assert problems_of("apiVersion: prc.dev/v1\nkind: SLO\nslos: []\n") == [
        (1, "service: is required"), (3, "slos: lists no SLO")]
    assert problems_of("apiVersion: prc.dev/v1\nkind: SLO\nservice: a\nslos: {availability: {}}\n") == [
        (4, "slos: expected a list, got a mapping")]


def test_two_slos_with_one_name_are_a_problem_and_keep_distinct_identities():
    text = prc_doc("  - name: availability\n    target: 99.9\n  - name: availability\n    target: 99\n")
    slos, problems, _ = read(text)
    assert problems == [(7, "slos[1].name: availability is also the name of the SLO at line 5; SLO names must "
                            "be unique within a service")]
    assert [str(s.ref) for s in slos] == ["SLO/checkout/availability", "SLO/checkout/availability[#2]"]


def test_a_bad_document_does_not_stop_the_rest_of_the_file(tmp_path, registry):
    (tmp_path / "slos.yaml").write_text(
        prc_doc("  - name: availability\n    target: 100\n    window: 28d\n")
        + "---\n" + prc_doc("  - name: latency\n    target: 99\n    window: 28d\n").replace("checkout", "cart"))
    report = run_scan([tmp_path], registry, Config(enable=["PRC-SLO-001"]))
    # (PRC-SLO-001 also says, of each service as a whole, that it has an SLO document.)
    seen = sorted((r.check.id, r.status.value, str(r.location), str(r.target), r.message) for r in report.results
                  if r.target.kind != "service")
    assert seen == [
        ("PRC-INPUT", "ERROR", "slos.yaml:6", "File/slos.yaml",
         "slos[0].target: 100 is not below 100 (a target of 100% leaves no error budget)"),
        ("PRC-SLO-001", "FAIL", "slos.yaml:13", "SLO/cart/latency",
         "missing SLI definition, owner, approver, created date, approved date and next review date (add sli, "
         "owner, approver, created, approved and nextReview)"),
        ("PRC-SLO-001", "FAIL", "slos.yaml:5", "SLO/checkout/availability",
         "missing SLI definition, owner, approver, created date, approved date and next review date (add sli, "
         "owner, approver, created, approved and nextReview); target: 100 is not below 100 (a target of 100% "
         "leaves no error budget)"),
    ]
    # The input error belongs to the service of the document it is in.
    assert next(r for r in report.results if r.check.id == "PRC-INPUT").service == "checkout"


# --------------------------------------------------------------------------- the schema


def test_the_schema_ships_and_is_a_valid_draft_2020_12_schema():
    schema = load_schema("slo.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["apiVersion"] == {"const": "prc.dev/v1"}


def test_the_schema_accepts_the_complete_example_and_rejects_what_it_must():
    assert schema_problems(parse_yaml(PRC_DOC).documents[0].data) == []
    bad = {"apiVersion": "prc.dev/v1", "kind": "SLO", "service": "a", "owner": "",
           "slos": [{"name": "x", "target": 100, "window": "1 month", "sli": {}}]}
    assert schema_problems(bad) == [
        (("owner",), "is blank"),
        (("slos", 0, "sli"), "give exactly one of ratio or latency"),
        (("slos", 0, "target"), "100 is not below 100 (a target of 100% leaves no error budget)"),
        (("slos", 0, "window"), "'1 month' is not a duration like 28d, 30d or 4w (a whole number and m, h, d or w)"),
    ]


def test_extension_keys_are_allowed():
    assert schema_problems({"apiVersion": "prc.dev/v1", "kind": "SLO", "service": "a", "x-team-notes": {"a": 1},
                            "slos": [{"name": "x", "x-dashboard": "https://grafana"}]}) == []


# --------------------------------------------------------------------------- OpenSLO

OPENSLO_DOC = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-availability
  namespace: discovery
  labels:
    team: [discovery, ranking]
  annotations:
    prc.dev/approver: maria@example.com
    prc.dev/created: "2026-02-02"
    prc.dev/approved: "2026-02-10"
    prc.dev/next-review: "2027-02-10"
    prc.dev/error-budget-policy: https://wiki.example.com/policy
    prc.dev/error-budget-actions: |
      - Freeze experiments
      2. Reliability first
    prc.dev/error-budget-escalation: Discovery on-call
spec:
  service: search
  indicator:
    metadata: {name: good-queries}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {type: Prometheus, spec: {query: 'sum(rate(q{ok="1"}[5m]))'}}
        total:
          metricSource: {type: CloudWatch, spec: {namespace: Search, metricName: Queries}}
  timeWindow:
    - duration: 1M
      calendar: {startTime: "2026-01-01 00:00:00", timeZone: UTC}
  budgetingMethod: Occurrences
  objectives:
    - displayName: strict
      target: 0.999
    - targetPercent: 99
"""


def test_openslo_is_read_into_one_slo_per_objective():
    strict, second = read(OPENSLO_DOC)[0]
    assert [str(s.ref) for s in (strict, second)] == ["SLO/discovery/search/search-availability[strict]",
                                                      "SLO/discovery/search/search-availability[objectives[1]]"]
    assert (strict.line, second.line, strict.header_line) == (34, 36, 1)
    assert (strict.objective, strict.objective_text) == (0.999, "target: 0.999")
    assert (second.objective, second.objective_text) == (0.99, "targetPercent: 99")
    assert (strict.window_text, strict.window_seconds, strict.window_rolling) == ("1M", 30 * 86400, False)
    assert strict.budgeting_method == "Occurrences"
    assert strict.sli.query("good") == 'sum(rate(q{ok="1"}[5m]))'
    assert strict.sli.query("total") == '{"metricName": "Queries", "namespace": "Search"}'
    assert strict.owned_by == "discovery, ranking"
    assert strict.locate(strict.path("owner")).line == 7
    assert (strict.approver, strict.created, strict.approved, strict.next_review) == (
        "maria@example.com", "2026-02-02", "2026-02-10", "2027-02-10")
    assert strict.policy.actions == ("Freeze experiments", "Reliability first")
    assert strict.policy.escalation == ("Discovery on-call",)
    assert strict.locate(strict.path("policy")).line == 14
    assert strict.annotations["prc.dev/approver"] == "maria@example.com"


def test_openslo_threshold_metric_and_indicator_ref():
    threshold = one("""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: latency}
        spec:
          service: search
          indicator:
            metadata: {name: p99}
            spec:
              thresholdMetric:
                metricSource: {type: Prometheus, spec: {query: 'histogram_quantile(0.99, x)'}}
          timeWindow: [{duration: 28d, isRolling: true}]
          budgetingMethod: Timeslices
          objectives: [{op: lte, value: 0.5, target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}]
        """)
    assert (threshold.sli.kind, threshold.sli.threshold, threshold.sli.query("value")) == (
        "threshold", "lte 0.5", "histogram_quantile(0.99, x)")
    assert threshold.window_rolling is True
    ref = one("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {indicatorRef: good-queries}\n")
    assert (ref.sli.kind, ref.sli.ref, ref.sli.incomplete) == ("ref", "good-queries", "")
    assert ref.objective is None and ref.window_seconds is None and ref.service_hint == ""


def test_other_openslo_objects_are_taken_without_targets_and_other_versions_are_skipped():
    slos, problems, skipped = read("""\
        apiVersion: openslo/v1
        kind: Service
        metadata: {name: search}
        ---
        apiVersion: openslo/v1alpha
        kind: SLO
        metadata: {name: old}
        """)
    assert (slos, problems) == ([], [])
    assert skipped == ["OpenSLO SLO old at line 5 is openslo/v1alpha; prc reads openslo/v1"]


def openslo(objective: str = "target: 0.999", metadata: str = "metadata: {name: a}",
            spec: str = "timeWindow: [{duration: 28d}]") -> str:
    return (f"apiVersion: openslo/v1\nkind: SLO\n{metadata}\nspec:\n  service: s\n  {spec}\n"
            f"  objectives:\n    - {objective}\n")


@pytest.mark.parametrize("text, expected", [
    (openslo("target: 1"), [(8, "spec.objectives[0].target: 1 is not below 1 (a target of 100% leaves no error "
                                "budget)")]),
    (openslo("target: 1.5"), [(8, "spec.objectives[0].target: 1.5 is above 1, but this field is a fraction (0.999 "
                                  "means 99.9%); for a percentage write targetPercent: 1.5")]),
    (openslo("target: 99.9"), [(8, "spec.objectives[0].target: 99.9 is above 1, but this field is a fraction "
                                   "(0.999 means 99.9%); for a percentage write targetPercent: 99.9")]),
    (openslo("target: 0.2"), [(8, "spec.objectives[0].target: 0.2 would mean 20% (letting 80% of events fail); a "
                                  "target below 50% is taken for a typo: write the fraction of good events, like "
                                  "0.999")]),
    (openslo("targetPercent: 100"), [(8, "spec.objectives[0].targetPercent: 100 is not below 100 (a target of 100% "
                                         "leaves no error budget)")]),
    (openslo("targetPercent: 0.999"), [(8, "spec.objectives[0].targetPercent: 0.999 is a percentage here, so it "
                                           "would mean 0.999%: write 99.9 for 99.9%, or target: 0.999 for a "
                                           "fraction")]),
    (openslo("{target: 0.999, targetPercent: 99.9}"), [(8, "spec.objectives[0]: gives target and targetPercent; "
                                                           "give one of them")]),
    (openslo("target: high"), [(8, "spec.objectives[0].target: 'high' is not a number")]),
    (openslo(spec="timeWindow: [{duration: 1 month}]"),
     [(6, "spec.timeWindow[0].duration: '1 month' is not a duration like 28d or 4w (a whole number and m, h, d, w, "
          "M, Q or Y)")]),
    (openslo(spec="timeWindow: [{duration: 28d}, {duration: 7d}]"),
     [(6, "spec.timeWindow: lists 2 windows; OpenSLO allows exactly one")]),
    (openslo(spec="timeWindow: [{isRolling: true}]"),
     [(6, "spec.timeWindow[0].duration: is required: the window's length, like 28d")]),
    (openslo(metadata="metadata: a"), [(3, "metadata.name: is required: the SLO's name"),
                                       (3, "metadata: expected a mapping, got a string")]),
    (openslo(metadata="metadata:\n  name: a\n  annotations: {prc.dev/next-review: next year}"),
     [(5, "metadata.annotations.prc.dev/next-review: 'next year' is not a date like 2026-01-31")]),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  objectives: {target: 0.99}\n",
     [(5, "spec.objectives: expected a list, got a mapping")]),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  objectives: [0.99]\n",
     [(5, "spec.objectives[0]: expected a mapping, got a number")]),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: [service]\n",
     [(4, "spec: expected a mapping, got a list")]),
])
def test_each_bad_openslo_field_is_a_problem_with_its_line(text, expected):
    assert problems_of(text) == expected


def test_a_refused_openslo_target_is_unusable_not_guessed():
    slo = read(openslo("target: 99.9"))[0][0]
    assert slo.objective is None and slo.objective_text == "target: 99.9"
    assert slo.invalid["objective"].startswith("99.9 is above 1")


# --------------------------------------------------------------------------- Sloth

SLOTH_DOC = """\
version: "prometheus/v1"
service: "cart"
labels:
  owner: "team-cart"
x-prc:
  approver: sam@example.com
  created: 2026-03-01
  approved: 2026-03-15
  nextReview: 2026-12-15
  errorBudgetPolicy:
    whenExhausted: [Only fixes ship]
    escalation: [Cart on-call, Engineering manager]
slos:
  - name: "requests-availability"
    objective: 99.5
    description: "Cart requests without 5xx."
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CartHighErrorRate
      ticket_alert:
        disable: true
  - name: "raw"
    objective: 99
    sli:
      raw:
        errorRatioQuery: slo:errors:ratio_rate{{.window}}
  - name: "plugin"
    objective: 99.9
    sli:
      plugin:
        id: sloth-common/kubernetes/apiserver/availability
"""


def test_sloth_is_read_into_one_slo_per_entry():
    events, raw, plugin = read(SLOTH_DOC)[0]
    assert [str(s.ref) for s in (events, raw, plugin)] == ["SLO/cart/requests-availability", "SLO/cart/raw",
                                                           "SLO/cart/plugin"]
    assert (events.format, events.line, events.header_line) == ("sloth", 14, 1)
    assert (events.objective, events.objective_text) == (0.995, "objective: 99.5")
    assert events.sli.queries == (("bad", 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))'),
                                  ("total", "sum(rate(http_requests_total[{{.window}}]))"))
    assert (events.window_text, events.window_seconds, events.window_default) == ("30d", 30 * 86400, True)
    assert events.generated_alerts == ("page",)
    assert (events.owned_by, events.approver, events.next_review) == ("team-cart", "sam@example.com", "2026-12-15")
    assert events.locate(events.path("owner")).line == 4
    assert events.policy.escalation == ("Cart on-call", "Engineering manager")
    assert events.description == "Cart requests without 5xx."
    assert (raw.sli.kind, raw.sli.query("error_ratio")) == ("raw", "slo:errors:ratio_rate{{.window}}")
    assert (plugin.sli.kind, plugin.sli.ref, plugin.generated_alerts) == (
        "plugin", "sloth-common/kubernetes/apiserver/availability", ("page", "ticket"))


def test_the_sloth_object_reads_annotations_namespace_and_window():
    slo = one("""\
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata:
          name: inventory
          namespace: shop
          annotations:
            prc.dev/owner: team-inventory
            prc.dev/window: 28d
        spec:
          service: inventory
          slos:
            - name: availability
              objective: "99.95"
              sli: {raw: {error_ratio_query: x}}
        """)
    assert (str(slo.ref), slo.line, slo.format) == ("SLO/shop/inventory/availability", 12, "sloth-crd")
    assert (slo.objective, slo.window_text, slo.window_seconds, slo.window_default) == (0.9995, "28d", 28 * 86400,
                                                                                        False)
    assert slo.owned_by == "team-inventory" and slo.locate(slo.path("window")).line == 8


def sloth(entry: str = "  - name: a\n    objective: 99.9\n", top: str = "") -> str:
    return f"version: prometheus/v1\nservice: cart\n{top}slos:\n{entry}"


@pytest.mark.parametrize("text, expected", [
    (sloth("  - name: a\n    objective: 100\n"),
     [(5, "slos[0].objective: 100 is not below 100 (a target of 100% leaves no error budget)")]),
    (sloth("  - name: a\n    objective: 0.999\n"),
     [(5, "slos[0].objective: 0.999 is a percentage here, so it would mean 0.999%: write 99.9 for 99.9%")]),
    (sloth("  - name: a\n    objective: 1.5\n"),
     [(5, "slos[0].objective: 1.5 would mean 1.5% (letting 98.5% of events fail); a target below 50% is taken for a "
          "typo: write the percentage of good events, like 99.9")]),
    (sloth("  - name: a\n    objective: ninety-nine\n"), [(5, "slos[0].objective: 'ninety-nine' is not a number")]),
    (sloth("  - name: a\n    sli: {events: {error_query: e, total_query: t}, raw: {error_ratio_query: r}}\n"),
     [(5, "slos[0].sli: gives events and raw; Sloth takes one of events, raw or plugin")]),
    (sloth("  - objective: 99\n"), [(4, "slos[0].name: is required: the SLO's name")]),
    (sloth("  - just-a-name\n"), [(4, "slos[0]: expected a mapping, got a string")]),
    ("version: prometheus/v1\nservice: cart\nslos: {a: 1}\n", [(3, "slos: expected a list, got a mapping")]),
    ("version: prometheus/v1\nslos: []\n", [(1, "service: is required: the service these SLOs are about")]),
    (sloth(top="x-prc:\n  owner: cart\n  nextRevew: 2027-01-01\n"),
     [(5, "x-prc.nextRevew: unknown field (expected one of: approved, approver, created, errorBudgetPolicy, "
          "nextReview, owner, window)")]),
    (sloth(top="x-prc:\n  window: 1 month\n"),
     [(4, "x-prc.window: '1 month' is not a duration like 28d, 30d or 4w (a whole number and m, h, d or w)")]),
    (sloth(top="x-prc:\n  approved: 2026-02-30\n"), [(4, "x-prc.approved: '2026-02-30' is not a calendar date")]),
    ("apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata:\n  name: a\n  annotations:\n"
     "    prc.dev/window: a month\nspec:\n  service: a\n  slos: [{name: a, objective: 99}]\n",
     [(6, "metadata.annotations.prc.dev/window: 'a month' is not a duration like 28d or 4w (a whole number and m, "
          "h, d or w)")]),
])
def test_each_bad_sloth_field_is_a_problem_with_its_line(text, expected):
    assert problems_of(text) == expected


def test_an_unknown_sloth_version_is_skipped_with_the_reason():
    assert read("version: prometheus/v2\nservice: a\nslos: []\n")[2] == [
        "Sloth spec version prometheus/v2 at line 1: prc reads prometheus/v1"]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("text, calendar, seconds", [
    ("28d", False, 28 * 86400), ("4w", False, 28 * 86400), ("12h", False, 43200), ("90m", False, 5400),
    ("1M", True, 30 * 86400), ("1Q", True, 90 * 86400), ("1Y", True, 365 * 86400),
    ("1M", False, None), ("0d", False, None), ("28 d", False, None), ("28D", False, None), (28, False, None),
])
def test_parse_window(text, calendar, seconds):
    assert parse_window(text, calendar) == seconds


@pytest.mark.parametrize("value, unit, fraction", [
    (99.9, "percent", 0.999), (99, "percent", 0.99), ("99.95", "percent", 0.9995), (50, "percent", 0.5),
    (0.999, "fraction", 0.999), (0.5, "fraction", 0.5),
    (100, "percent", None), (0.999, "percent", None), (1.5, "percent", None), (1, "fraction", None),
    (1.5, "fraction", None), (True, "percent", None), (None, "fraction", None),
])
def test_objective_units_are_never_misread(value, unit, fraction):
    got, reason = objective_from(value, unit)
    assert got == fraction
    assert bool(reason) == (fraction is None)


# --------------------------------------------------------------------------- PRC-SLO-001 and PRC-SLO-002 edges


def outcomes(check, slo: Slo, **options):
    return [(o.status, o.message) for o in check.run(slo, {**check.default_options(), **options})]


def test_a_review_date_that_has_passed_fails_when_the_scan_gives_a_date():
    slo = read(PRC_DOC, today=dt.date(2027, 6, 1))[0][0]
    assert outcomes(slo_document, slo) == [(Status.FAIL, "next review date 2027-05-20 has passed (scan date "
                                                         "2027-06-01)")]
    slo = read(PRC_DOC, today=dt.date(2027, 5, 20))[0][0]
    assert outcomes(slo_document, slo) == [(Status.PASS, "target 99.9% over 28d, ratio SLI, owner team-payments, "
                                                         "approved by jane.doe@example.com on 2026-05-20, next "
                                                         "review 2027-05-20")]


def test_without_a_scan_date_the_pass_says_the_review_date_was_not_compared():
    assert outcomes(slo_document, read(PRC_DOC)[0][0])[0][1].endswith(
        "next review 2027-05-20 (not compared with today: the scan gave no date)")


def test_the_review_interval_limit_is_an_option():
    text = PRC_DOC.replace("nextReview: 2027-05-20", "nextReview: 2028-05-20")
    slo = read(text)[0][0]
    assert outcomes(slo_document, slo)[0] == (Status.FAIL, "next review date 2028-05-20 is 731 days after approval "
                                                           "(at most 365 allowed)")
    assert outcomes(slo_document, slo, max_review_interval_days=0)[0][0] is Status.PASS
    assert outcomes(slo_document, slo, max_review_interval_days=800)[0][0] is Status.PASS


def test_unusable_fields_are_named_with_the_reason():
    slo = read(openslo("targetPercent: 100", metadata="metadata:\n  name: a\n  annotations: {prc.dev/owner: t}"))[0][0]
    missing, wrong = document_gaps(slo)
    assert missing == ["sli", "approver", "created", "approved", "next_review"]
    assert wrong == ["target: 100 is not below 100 (a target of 100% leaves no error budget)"]
    assert outcomes(slo_document, slo) == [(Status.FAIL, (
        "missing SLI definition, approver, created date, approved date and next review date (add spec.indicator (or "
        "indicatorRef) and the annotations prc.dev/approver, prc.dev/created, prc.dev/approved and "
        "prc.dev/next-review); target: 100 is not below 100 (a target of 100% leaves no error budget)"))]


def test_a_policy_that_cannot_be_read_fails_error_budget_policy():
    slo = read(prc_doc(top="errorBudgetPolicy: see the wiki\n"))[0][0]
    assert outcomes(error_budget_policy, slo) == [
        (Status.FAIL, "the error budget policy cannot be read: expected a mapping, got a string")]


def test_an_ignore_annotation_on_an_openslo_document_suppresses_its_results(tmp_path, registry):
    ignore = "prc.dev/ignore: 'PRC-SLO-002: policy lives with the platform team'"
    (tmp_path / "slo.yaml").write_text(openslo(metadata=f"metadata:\n  name: a\n  annotations:\n    {ignore}"))
    report = run_scan([tmp_path], registry, Config(enable=["PRC-SLO-002"]))
    assert [(r.status.value, r.suppressed, r.suppression.reason) for r in report.results] == [
        ("FAIL", True, "policy lives with the platform team")]


def test_no_two_slos_of_a_file_share_a_fingerprint(tmp_path, registry):
    (tmp_path / "slo.yaml").write_text(
        prc_doc("  - name: a\n    target: 99\n  - name: a\n    target: 99.9\n  - name: b\n    target: 99\n")
        + "---\n" + OPENSLO_DOC + "---\n" + SLOTH_DOC)
    report = run_scan([tmp_path], registry, Config(enable=["PRC-SLO-001", "PRC-SLO-002"]))
    counts = Counter(r.fingerprint for r in report.results)
    assert len(report.results) > 10 and max(counts.values()) == 1


# --------------------------------------------------------------------------- burn rates


def test_expected_burn_rates_for_99_9():
    rows = expected_burn_rates(0.999)
    assert [(r.severity, r.long_window, r.short_window, r.factor, r.threshold) for r in rows] == [
        ("page", "1h", "5m", 14.4, 0.0144), ("page", "6h", "30m", 6.0, 0.006),
        ("ticket", "1d", "2h", 3.0, 0.003), ("ticket", "3d", "6h", 1.0, 0.001)]
    assert [(r.long_seconds, r.short_seconds) for r in rows] == [(3600, 300), (21600, 1800), (86400, 7200),
                                                                 (259200, 21600)]
    # The budget each long window spends at its factor, over 30 days: 2%, 5%, 10% and 10%.
    assert [round(r.budget_spent(30 * 86400), 6) for r in rows] == [0.02, 0.05, 0.1, 0.1]


def test_expected_burn_rates_scale_with_the_objective():
    assert [r.threshold for r in expected_burn_rates(0.99)] == [0.144, 0.06, 0.03, 0.01]
    assert [r.threshold for r in expected_burn_rates(0.9995)] == [0.0072, 0.003, 0.0015, 0.0005]
    assert len(BURN_RATE_PATTERN) == 4


@pytest.mark.parametrize("objective", [99.9, 1, 0, -0.5, True, "0.999", None])
def test_expected_burn_rates_refuse_anything_but_a_fraction(objective):
    with pytest.raises(ValueError):
        expected_burn_rates(objective)


def test_threshold_tolerance():
    assert threshold_matches(0.0144, 0.0144)
    assert threshold_matches(14.4 * (1 - 0.999), 0.0144)
    assert threshold_matches(0.014, 0.0144)  # rounded to two significant digits: 2.8% off
    assert not threshold_matches(0.01344, 0.0144)  # 13.44x, another factor: 6.7% off
    assert not threshold_matches(0.0144, 0.006)
    assert threshold_matches(0.0139, 0.0144, tolerance=0.05) and not threshold_matches(0.0139, 0.0144, 0.01)
    assert relative_error(0.0, 0.0) == 0.0 and math.isinf(relative_error(0.1, 0.0))


def test_matching_row_finds_the_row_a_threshold_belongs_to():
    assert matching_row(0.0144, 0.999).long_window == "1h"
    assert matching_row(0.003, 0.999).long_window == "1d"
    assert matching_row(0.144, 0.999) is None  # written for a 99% objective
    assert matching_row(0.144, 0.99).factor == 14.4
