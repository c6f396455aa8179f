"""`data "aws_iam_policy_document"` rendered into the JSON policy the AWS provider would produce.

The layout follows the provider: Version, Id, then Statement entries with Sid, Effect (default Allow),
Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition; a list of one value is
written as that value, longer lists are de-duplicated and sorted in reverse, as the provider does;
`principals { type = "*", identifiers = ["*"] }` is written `"Principal": "*"`. `source_policy_documents`
and `override_policy_documents` are merged by Sid when their JSON is known.

When part of the document is not known statically, the result is an Unresolved whose `partial` is the
document with Unresolved leaves (lists that hold one keep their written order), so a policy analyser can
still judge what is known (a Deny, an `"Action": "*"`) and say which value it could not see.
"""

from __future__ import annotations

import json

from .terraform_eval import Unresolved, find_unresolved, plain

DEFAULT_VERSION = "2012-10-17"


def _string_or_list(values: object, where: str, unknown: list) -> object:
    if isinstance(values, Unresolved):
        unknown.append((where, values))
        return values
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        unknown.append((where, Unresolved(where, f"{where} is not a list of strings")))
        return values
    if any(isinstance(v, Unresolved) for v in values):
        unknown.extend((where, v) for v in values if isinstance(v, Unresolved))
        return list(values)
    items = sorted({str(v) for v in values}, reverse=True)
    return items[0] if len(items) == 1 else items


def _blocks(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return value
    return [value]


def _principals(blocks: list, where: str, unknown: list) -> object:
    out: dict = {}
    for i, block in enumerate(blocks):
        here = f"{where}[{i}]"
        if isinstance(block, Unresolved):
            unknown.append((here, block))
            continue
        kind = block.get("type")
        identifiers = block.get("identifiers")
        if isinstance(kind, Unresolved):
            unknown.append((f"{here}.type", kind))
            continue
        if isinstance(identifiers, Unresolved) or (isinstance(identifiers, list)
                                                   and any(isinstance(x, Unresolved) for x in identifiers)):
            values = identifiers if isinstance(identifiers, list) else [identifiers]
            unknown.extend((f"{here}.identifiers", v) for v in values if isinstance(v, Unresolved))
            out.setdefault(str(kind), []).extend(values)
            continue
        if isinstance(identifiers, str):
            identifiers = [identifiers]
        out.setdefault(str(kind), []).extend(identifiers or [])
    if set(out) == {"*"} and all(v == "*" for v in out["*"] if not isinstance(v, Unresolved)) \
            and not any(isinstance(v, Unresolved) for v in out["*"]):
        return "*"
    rendered = {}
    for kind in sorted(out):
        values = out[kind]
        if any(isinstance(v, Unresolved) for v in values):
            rendered[kind] = values
        else:
            items = sorted({str(v) for v in values}, reverse=True)
            rendered[kind] = items[0] if len(items) == 1 else items
    return rendered


def _conditions(blocks: list, where: str, unknown: list) -> dict:
    out: dict = {}
    for i, block in enumerate(blocks):
        here = f"{where}[{i}]"
        if isinstance(block, Unresolved):
            unknown.append((here, block))
            continue
        test, variable = block.get("test"), block.get("variable")
        for name, value in (("test", test), ("variable", variable)):
            if isinstance(value, Unresolved):
                unknown.append((f"{here}.{name}", value))
        if isinstance(test, Unresolved) or isinstance(variable, Unresolved):
            continue
        values = _string_or_list(block.get("values"), f"{here}.values", unknown)
        out.setdefault(str(test), {})[str(variable)] = values
    return out


def _statement(block: object, index: int, unknown: list) -> object:
    where = f"statement[{index}]"
    if isinstance(block, Unresolved):
        unknown.append((where, block))
        return block
    out: dict = {}
    sid = block.get("sid")
    if isinstance(sid, Unresolved):
        unknown.append((f"{where}.sid", sid))
        out["Sid"] = sid
    elif sid:
        out["Sid"] = sid
    effect = block.get("effect", "Allow")
    if isinstance(effect, Unresolved):
        unknown.append((f"{where}.effect", effect))
    out["Effect"] = "Allow" if effect is None else effect
    for arg, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                     ("not_resources", "NotResource")):
        if arg in block and block[arg] is not None and block[arg] != []:
            out[key] = _string_or_list(block[arg], f"{where}.{arg}", unknown)
    for arg, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = _blocks(block.get(arg))
        if blocks:
            out[key] = _principals(blocks, f"{where}.{arg}", unknown)
    conditions = _blocks(block.get("condition"))
    if conditions:
        out["Condition"] = _conditions(conditions, f"{where}.condition", unknown)
    return out


def _documents(value: object, where: str, unknown: list) -> list[dict]:
    """The Statement lists of source or override documents given as JSON strings."""
    if value is None:
        return []
    if isinstance(value, Unresolved):
        unknown.append((where, value))
        return []
    docs = []
    for i, text in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(text, Unresolved):
            unknown.append((f"{where}[{i}]", text))
            continue
        if isinstance(text, dict):  # a partial document from another rendered data source
            docs.append(text)
            continue
        try:
            doc = json.loads(text)
        except (TypeError, json.JSONDecodeError):
            unknown.append((f"{where}[{i}]", Unresolved(f"{where}[{i}]", f"{where}[{i}] is not a JSON policy")))
            continue
        docs.append(doc if isinstance(doc, dict) else {})
    return docs


def _statement_list(doc: dict) -> list:
    statements = doc.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _merge_by_sid(base: list, extra: list) -> list:
    out = list(base)
    for statement in extra:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if isinstance(sid, str) and sid:
            for i, existing in enumerate(out):
                if isinstance(existing, dict) and existing.get("Sid") == sid:
                    out[i] = statement
                    break
            else:
                out.append(statement)
        else:
            out.append(statement)
    return out


def render_policy_document(args: dict) -> tuple[dict, list[tuple[str, Unresolved]]]:
    """The policy document as a dict, and the (argument path, Unresolved) of every unknown part."""
    unknown: list[tuple[str, Unresolved]] = []
    version = args.get("version")
    if isinstance(version, Unresolved):
        unknown.append(("version", version))
    doc: dict = {"Version": DEFAULT_VERSION if version is None or version == "" else version}
    policy_id = args.get("policy_id")
    if isinstance(policy_id, Unresolved):
        unknown.append(("policy_id", policy_id))
        doc["Id"] = policy_id
    elif policy_id:
        doc["Id"] = policy_id
    own = [_statement(block, i, unknown) for i, block in enumerate(_blocks(args.get("statement")))]
    statements: list = []
    for source in _documents(args.get("source_policy_documents"), "source_policy_documents", unknown):
        statements = _merge_by_sid(statements, _statement_list(source))
    statements = _merge_by_sid(statements, own)
    for override in _documents(args.get("override_policy_documents"), "override_policy_documents", unknown):
        statements = _merge_by_sid(statements, _statement_list(override))
    doc["Statement"] = statements
    return doc, unknown


def policy_json(args: dict, expression: str, minified: bool = False) -> object:
    """The `json` (or `minified_json`) attribute: a string, or an Unresolved with the partial document."""
    doc, unknown = render_policy_document(args)
    if unknown or find_unresolved(doc) is not None:
        where, first = unknown[0] if unknown else ("", find_unresolved(doc))
        reason = f"{where}: {first.describe()}" if where else first.describe()
        return Unresolved(expression, reason, plain(doc))
    if minified:
        return json.dumps(doc, separators=(",", ":"))
    return json.dumps(doc, indent=2)
