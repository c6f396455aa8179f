"""prc.formatters.jsontext writes exactly what json.dumps(indent=2, sort_keys=True, ensure_ascii=False) writes:
the JSON report's bytes must not depend on which encoder made them."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from prc.formatters import jsontext

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
           | st.text())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner,
                                                                                             max_size=5),
                      max_leaves=40)


def _reference(value, prefix="", sort_keys=True):
    return json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False).replace("\n", "\n" + prefix)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from(["", "  ", "    "]), st.booleans())
def test_the_same_text_as_json_dumps_for_any_json_value(value, prefix, sort_keys):
    assert jsontext.dumps(value, prefix, sort_keys) == _reference(value, prefix, sort_keys)


def test_strings_that_need_escaping_are_escaped_like_json_dumps():
    value = {"message": 'quote " backslash \\ newline \n tab \t nul \x00 del \x7f é 漢 \U0001f600 \ud800',
             "": [True, False, None, 0, -1, 10**30, 1.5, -0.0, 1e-300, 100.0]}
    assert jsontext.dumps(value, "  ") == _reference(value, "  ")


def test_what_it_does_not_handle_itself_still_comes_out_as_json_dumps_writes_it():
    for unusual in ({1: "a", 2: "b"}, {"x": float("nan")}, {"x": float("inf")}, {"t": (1, [2, ()])}, [{}, []]):
        assert jsontext.dumps(unusual, "  ") == _reference(unusual, "  ")


def test_the_streamed_reports_are_json_dumps_of_their_dicts(registry, tmp_path):
    """The JSON report and the SARIF log are written in pieces; joined, they are the documents json.dumps makes of
    report_dict and sarif_dict, on the sample services and on a scan that found nothing."""
    from prc.formatters import json_report, sarif

    from .conftest import REPO, run_scan

    for report in (run_scan([REPO / "sample_services"], registry), run_scan([tmp_path], registry)):
        assert json_report.render(report) == json.dumps(json_report.report_dict(report), indent=2, sort_keys=True,
                                                        ensure_ascii=False) + "\n"
        assert sarif.render(report) == json.dumps(sarif.sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
