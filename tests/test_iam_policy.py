"""Reading policy documents: every shape the IAM grammar allows, and clear errors for the rest."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prc.iam import PolicyError, analyse_identity_policy, analyse_trust_policy, load_catalogue, parse_policy
from prc.iam.policy import ConditionEntry


def test_single_statement_object_and_string_elements():
    p = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    )
    (s,) = p.statements
    assert (s.index, s.sid, s.effect, s.actions, s.resources) == (0, None, "Allow", ("s3:GetObject",), ("*",))
    assert s.not_actions is None and s.not_resources is None and s.principals is None
    assert p.version == "2012-10-17" and p.has_policy_variables


def test_statement_list_lists_and_not_elements():
    p = parse_policy(
        {
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObject", "s3:PutObject"],
                 "Resource": ["arn:aws:s3:::b/*"]},
                {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::b"]},
            ]
        }
    )
    a, b = p.statements
    assert a.actions == ("s3:GetObject", "s3:PutObject")  # duplicates dropped, order kept
    assert a.label == 'Statement[0] (Sid "A")'
    assert (b.effect, b.actions, b.not_actions, b.resources, b.not_resources) == (
        "Deny", None, ("iam:*",), None, ("arn:aws:s3:::b",))
    assert b.label == "Statement[1]"
    assert not p.has_policy_variables  # no Version: 2008-10-17 semantics


@pytest.mark.parametrize(
    "principal, expected",
    [
        ("*", {"*": ("*",)}),
        ({"AWS": "*"}, {"AWS": ("*",)}),
        ({"AWS": ["arn:aws:iam::111122223333:root", "444455556666"]},
         {"AWS": ("arn:aws:iam::111122223333:root", "444455556666")}),
        ({"Service": ["lambda.amazonaws.com"], "Federated": "cognito-identity.amazonaws.com"},
         {"Service": ("lambda.amazonaws.com",), "Federated": ("cognito-identity.amazonaws.com",)}),
    ],
)
def test_principal_forms(principal, expected):
    document = {"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
    (s,) = parse_policy(document).statements
    assert s.principals == expected


def test_conditions_normalised():
    (s,) = parse_policy(
        {
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:PrincipalOrgID": "o-abc", "aws:SourceAccount": ["1", "2"]},
                    "Bool": {"aws:SecureTransport": True},
                    "NumericLessThan": {"s3:max-keys": 10},
                },
            }
        }
    ).statements
    assert s.conditions == (
        ConditionEntry("StringEquals", "aws:PrincipalOrgID", ("o-abc",)),
        ConditionEntry("StringEquals", "aws:SourceAccount", ("1", "2")),
        ConditionEntry("Bool", "aws:SecureTransport", ("true",)),
        ConditionEntry("NumericLessThan", "s3:max-keys", ("10",)),
    )
    assert s.conditions[1].describe() == 'StringEquals aws:SourceAccount = ["1", "2"]'


def test_lower_case_effect_is_read_as_meant():
    (s,) = parse_policy({"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}).statements
    assert s.effect == "Allow"


def test_text_bytes_and_bom_are_accepted():
    text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}'
    assert parse_policy(text) == parse_policy(text.encode()) == parse_policy(b"\xef\xbb\xbf" + text.encode())


def test_statement_lines_from_text():
    text = """{
  "Version": "2012-10-17",
  "Id": "x",
  "Statement": [
    {
      "Sid": "First",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    },
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},

        {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:log-group:x:*"}
  ]
}"""
    assert [s.line for s in parse_policy(text).statements] == [5, 11, 14]
    single = '{"Statement":\n\n  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}'
    assert [s.line for s in parse_policy(single).statements] == [3]
    # A dict has no lines.
    assert [s.line for s in parse_policy({"Statement": {"Effect": "Allow", "Action": "a:b"}}).statements] == [None]


def test_statement_lines_when_statement_key_repeats_follow_json_loads():
    text = (
        '{"Statement": [{"Effect": "Allow", "Action": "a:b"}],\n'
        '"Statement": [\n{"Effect": "Deny", "Action": "a:b"}]}'
    )
    (s,) = parse_policy(text).statements
    assert (s.effect, s.line) == ("Deny", 3)


# --- errors a user sees ---------------------------------------------------------------------


def error(document) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_policy(document)
    return info.value


def test_invalid_json_names_line_and_column():
    e = error('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "*"}\n  ]\n}')
    assert (e.line, e.column) == (4, 24)
    assert str(e) == "policy is not valid JSON: Expecting ',' delimiter (line 4, column 24)"


def test_invalid_json_from_the_analyser_is_the_same_clear_error():
    with pytest.raises(PolicyError, match=r"^policy is not valid JSON: .*\(line 1, column \d+\)$"):
        analyse_identity_policy('{"Statement": [')


@pytest.mark.parametrize(
    "document, message",
    [
        ("", "policy is empty: expected a JSON object with a Statement"),
        ("   \n", "policy is empty: expected a JSON object with a Statement"),
        (b"\xff\xfe{}", "policy is not UTF-8 text: invalid start byte at byte 0"),
        ("[1, 2]", "policy must be a JSON object with a Statement, found a list (line 1)"),
        (42, "policy must be JSON text or a mapping, not a number"),
        ({"Version": "2012-10-17"}, "policy has no Statement (Statement)"),
        ({"Statement": "Allow"}, "Statement must be an object or a list of objects, found a string (Statement)"),
        ({"Statement": ["x"]}, "a statement must be a JSON object, found a string (Statement[0])"),
        ({"Version": 2012, "Statement": []}, "Version must be a string, found a number (Version)"),
        ({"Statement": [], "Statements": []},
         'unknown policy element "Statements"; expected one of Version, Id, Statement '
         '(element names are case-sensitive and singular: did you mean "Statement"?) (Statements)'),
        ({"Statement": {"Action": "s3:GetObject", "Resource": "*"}},
         'Effect must be "Allow" or "Deny", found nothing (Statement[0].Effect)'),
        ({"Statement": {"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}},
         "Effect must be \"Allow\" or \"Deny\", found 'Permit' (Statement[0].Effect)"),
        ({"Statement": {"Effect": "Allow", "Resource": "*"}},
         "statement has neither Action nor NotAction (Statement[0])"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "NotAction": "c:d", "Resource": "*"}},
         "a statement may have Action or NotAction, not both (Statement[0])"),
        ({"Statement": {"Effect": "Allow", "action": "s3:GetObject", "Resource": "*"}},
         'unknown statement element "action"; expected one of Sid, Effect, Principal, NotPrincipal, Action, '
         'NotAction, Resource, NotResource, Condition (element names are case-sensitive and singular: '
         'did you mean "Action"?) (Statement[0].action)'),
        ({"Statement": {"Effect": "Allow", "Action": 5, "Resource": "*"}},
         "Action must be a string or a list of strings, found a number (Statement[0].Action)"),
        ({"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", None], "Resource": "*"}},
         "Action must be a string or a list of strings; the list holds null (Statement[0].Action)"),
        ({"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", 7], "Resource": "*"}},
         "Action must be a string or a list of strings; the list holds a number: 7 (Statement[0].Action)"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": {"arn": "x"}}},
         "Resource must be a string or a list of strings, found an object (Statement[0].Resource)"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Principal": ["*"]}},
         'Principal must be "*" or an object such as {"AWS": [...]}, found ["*"] (Statement[0].Principal)'),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Principal": {"AWS": 1}}},
         "Principal AWS must be a string or a list of strings, found a number (Statement[0].Principal.AWS)"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": ["x"]}},
         "Condition must be an object of operators, found a list (Statement[0].Condition)"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEquals": "x"}}},
         "Condition StringEquals must be an object of condition keys, found a string "
         "(Statement[0].Condition.StringEquals)"),
        ({"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*",
                        "Condition": {"StringEquals": {"k": {"nested": 1}}}}},
         "Condition StringEquals k values must be strings, numbers or booleans, found an object "
         "(Statement[0].Condition.StringEquals.k)"),
        ("{\"Statement\": " + "[" * 100000 + "]" * 100000 + "}",
         "policy is not a readable JSON document: nested too deeply"),
    ],
)
def test_unreadable_policies(document, message):
    assert str(error(document)) == message


def test_structure_errors_in_text_carry_the_statement_line():
    e = error('{"Statement": [\n  {"Effect": "Allow", "Action": "a:b", "Resource": "*"},\n  {"Effect": "Maybe"}\n]}')
    assert (e.line, e.path) == (3, "Statement[1].Effect")
    assert str(e) == "Effect must be \"Allow\" or \"Deny\", found 'Maybe' (Statement[1].Effect; line 3)"


def test_identity_policy_needs_resource():
    with pytest.raises(PolicyError) as info:
        analyse_identity_policy({"Statement": {"Effect": "Allow", "Action": "s3:GetObject"}})
    assert str(info.value) == (
        "statement has neither Resource nor NotResource, which an identity policy requires (Statement[0])"
    )


# --- never a crash ----------------------------------------------------------------------------

_words = st.sampled_from(
    ["*", "*:*", "s3:*", "s3:GetObject", "iam:PassRole", "iam:Put*", "S3:getobject", "GetObject", "nope:x", "", ":",
     "arn:aws:iam::111122223333:role/*", "arn:aws:s3:::b/*", "111122223333", "${aws:username}", "lambda.amazonaws.com"]
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), _words)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_words, inner, max_size=3),
                       max_leaves=8)
_keys = st.sampled_from(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                         "NotResource", "Condition", "action"])
_effects = st.sampled_from(["Allow", "Deny", "allow", "Maybe"])
_statements = st.fixed_dictionaries({"Effect": _effects}, optional={k: _values for k in
                                    ["Sid", "Principal", "Action", "NotAction", "Resource", "NotResource",
                                     "Condition"]}) | st.dictionaries(_keys, _values, max_size=4)
_documents = st.one_of(
    st.fixed_dictionaries({"Statement": st.one_of(_statements, st.lists(_statements, max_size=3), _values)},
                          optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"])}),
    _values,
    st.text(max_size=40),
)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    return load_catalogue(cache_dir=tmp_path_factory.mktemp("iam-cache"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_documents)
def test_any_document_gives_findings_or_a_policy_error(catalogue, document):
    for analyse in (analyse_identity_policy, analyse_trust_policy):
        try:
            findings = analyse(document, catalogue=catalogue)
        except PolicyError as exc:
            assert str(exc)
        else:
            assert all(f.message and f.rule for f in findings)
