"""The Terraform source: `.tf`, `.tf.json`, `.tfvars` and plan JSON -> TfResource targets.

Targets for checks
------------------

`TfResource` (an Artifact) is one `resource` or `data` block, evaluated statically:

- `kind` / `type`: the resource type (`aws_instance`); `mode`: "managed" or "data"; `block_name`: `web`.
- `name` / `address`: the block address, module path included: `aws_instance.web`,
  `module.app.aws_autoscaling_group.this`, `data.aws_iam_policy_document.assume`. Instance keys of
  count/for_each are not part of it (see `instances`).
- `file`, `line`: where the block starts; for a resource only in a plan, the plan file and the line of its
  `"address"` key. `locate(at)` gives the line of a nested attribute: `at` is a path into `attrs` such as
  `metadata_options[0].http_tokens` or `ingress[1].cidr_blocks[0]`; the block line when the path has no
  line of its own (a value that came through a variable).
- `attrs`: the arguments and nested blocks as plain values (an LDict: a dict that also knows lines).
  Nested blocks are lists of dicts under the block type (`attrs["ingress"] == [{...}, {...}]`, also for one
  block); `dynamic` blocks are expanded when their for_each is known, and an Unresolved stands in the list
  for the blocks of a dynamic block whose for_each is not. Meta-arguments (count, for_each, provider,
  depends_on) and provisioner/connection blocks are not in attrs. In a `.tf.json` file a nested block may
  be a dict: use `blocks(name)`, which always gives a list. `get(path)` reads one value by path.
- Unknown values are `Unresolved(expression, reason, partial)` (see terraform_eval): the expression as
  written (`var.vpc_id`, `aws_kms_key.data.arn`) and why it is not known. Never a guessed value. An
  Unresolved refuses to be used as a boolean; `find_unresolved(value)` finds one inside a structure.
  A check that meets one answers UNKNOWN naming `value.describe()`.
- IAM policies: `policy`, `assume_role_policy` and `inline_policy[].policy` are the JSON strings Terraform
  would send (heredoc text, `jsonencode()` output, or `data.aws_iam_policy_document.X.json` rendered as
  the AWS provider renders it); when part is unknown, an Unresolved whose `partial` is the decoded
  document with Unresolved leaves. The data source itself is a TfResource too (mode "data"), with
  `attrs["json"]` rendered and `attrs["statement"][i]` located at its block.
- `tags`: the resource's tags merged over the AWS provider's `default_tags` (and, for an ASG, its `tag`
  blocks), values possibly Unresolved; `tags_unresolved` lists the tag sources that could not be evaluated
  at all (then a missing key may be hidden in them). `service_hint` is the value of the configured service
  tag (`service_tag` in .prc.yaml, default `Service`); a data source or an untagged resource type takes
  the one in the root module's default `aws` provider `default_tags`.
- `module`: the module path as a tuple (`("app",)`); `root`: the TfRoot it was loaded under; `provider`:
  the provider configuration it uses (`aws`, `aws.west`).
- count / for_each: one TfResource per block, not per instance. `count` / `for_each` hold the evaluated
  meta-argument (an Unresolved when unknown). When known (and at most MAX_INSTANCES instances) each
  instance is evaluated with its own `count.index` / `each.key` / `each.value`: `instances` maps each
  instance key to its attrs, and `attrs` holds the values all instances agree on, with an Unresolved
  ("differs between instances") where they differ. When unknown, `attrs` is evaluated once with the
  iteration values Unresolved. A block whose count is 0 (or for_each empty) creates nothing and is not a
  target.
- `refs`: top-level attribute -> the objects its expression refers to (`aws_lb_target_group.this`,
  `data.aws_iam_policy_document.deploy`, `module.app`), module-qualified, for linking resources;
  `root.referencing(address)` is the reverse.
- `source`: "config", "plan" (only in a plan) or "config+plan" (plan values, config location).
- `exprs`: each top-level attribute's expression as written, for messages. `text_location(at, n)`: where
  line n of a multi-line string is written when its lines map one for one (a heredoc, a file() read), to
  point at a statement inside a policy (prc.iam gives statement lines within the JSON text).
- Modules with count/for_each: their resources are loaded once, addressed without instance keys
  (`module.many.aws_s3_bucket.this`); one known instance binds its values, several or unknown ones leave
  the inputs that use count.index / each Unresolved; count 0 loads nothing.

`TfRoot` is one root module (a directory of .tf files that no scanned module calls as a local module):
its resources, the tfvars files applied, module calls (`TfModuleCall`: local ones are loaded as part of
the caller, remote ones are listed as not scanned) and the plan read for it, if any.

Resolution (what is evaluated statically)
-----------------------------------------

Variable defaults, then `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in the root
directory in Terraform's order (and `var_files` passed to `load_roots`); locals, with dependencies
between them (a cycle is a problem); string templates; `jsonencode()` and ~90 pure functions; `file()`,
`templatefile()` and `fileexists()` inside the scanned tree only (a path outside it is never read); local
modules with inputs bound from the call and outputs readable from the caller; references to configured
arguments of other resources (`aws_iam_role.app.name`); `aws_iam_policy_document` data sources. Computed
attributes (ids, arns), other data sources, provider functions and `terraform.workspace` stay Unresolved.

Limits that keep a hostile file from hanging a scan: 100 levels of nesting in the parser, 100,000
elements built by one expression, MAX_INSTANCES instances evaluated one by one, MAX_BLOCKS dynamic blocks
per resource, MAX_MODULE_DEPTH nested module calls; past them the value is Unresolved, saying why.

Root modules: every directory with .tf files that no scanned module calls with a local `source`. A
called directory is loaded once per caller, under the caller's root (TargetRef namespace = root dir).

Plans (`terraform show -json`): a plan's values win over the configuration for the same block address
when the plan sits in the root module's directory; file and line still come from the .tf block; the
attributes the plan marks unknown are Unresolved. A plan elsewhere, or a resource the configuration
does not declare (one inside a remote module), is a target of its own located at its `"address"` line.

Problems (ERROR results): syntax errors with line and column, a .tf.json that is not JSON, duplicate
declarations, cyclic locals, module call loops, unreadable tfvars, plans that are not JSON or of an
unsupported format_version. Skipped entries: remote modules and local modules outside the scan, tfvars
that Terraform would not read automatically, file() paths outside the scanned tree (never opened),
override files (`override.tf`, `*_override.tf`: not merged into the blocks they name).

Parsing (`parse_tf`) is a pure function of the text whose result is plain picklable data, so a parse
cache or a process pool can hold it; the evaluation then needs every file of a root at once.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..discovery import FileReadError, FoundFile, Problem, Skipped, read_text
from ..model import Location, TargetRef
from ..parsing import Failure
from ..targets import Artifact
from ..yamlsrc import LDict, LList, find_ignores, line_of
from .terraform_eval import (Computed, EvalError, Scope, SourceText, Unresolved, convert_to_type, evaluate,
                             find_unresolved, plain, same_value)
from .terraform_hcl import CALL, LIT, OBJ, REF, TPL, TUP, Body, HclError, parse_expression, parse_hcl
from .terraform_plan import PlanError, PlanFile, looks_like_plan, read_plan
from .terraform_policy import policy_json

if TYPE_CHECKING:
    from ..sources import Loaded

__all__ = ["TfResource", "TfRoot", "TfModuleCall", "TfPlan", "Unresolved", "find_unresolved", "load",
           "load_roots", "parse_tf"]

# At most this many instances of one count/for_each block are evaluated one by one.
MAX_INSTANCES = 32
MAX_MODULE_DEPTH = 16
# At most this many blocks generated by `dynamic` blocks in one resource (instances included).
MAX_BLOCKS = 10_000
RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on"})
RESOURCE_SKIPPED_BLOCKS = frozenset({"provisioner", "connection"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_OVERRIDE = re.compile(r"(?:.*_)?override\.tf(?:\.json)?")
_AUTO_TFVARS = re.compile(r"(?:terraform\.tfvars|.*\.auto\.tfvars)(?:\.json)?$")
_PATH_RE = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


# -- targets ----------------------------------------------------------------------------------------

@dataclass
class TfModuleCall:
    """A `module` block: local calls are loaded as part of the caller; remote ones are not scanned."""

    address: str  # module.app, module.app.module.db
    source: str
    file: str
    line: int
    local: bool
    scanned: bool
    dir: str = ""  # the called directory (display path) of a local call


@dataclass(frozen=True)
class TfPlan:
    file: str
    format_version: str
    terraform_version: str
    root_dir: str = ""  # the root module whose addresses it matched, "" when read on its own


@dataclass(eq=False)
class TfRoot:
    dir: str
    resources: list = field(default_factory=list)
    var_files: list = field(default_factory=list)
    module_calls: list = field(default_factory=list)
    plan: TfPlan | None = None
    _by_address: dict = field(default_factory=dict, repr=False)
    _referencing: dict | None = field(default=None, repr=False)

    def by_address(self, address: str) -> "TfResource | None":
        return self._by_address.get(address)

    def of_type(self, type_: str) -> list:
        return [r for r in self.resources if r.kind == type_]

    def referencing(self, address: str) -> list:
        """Resources whose attributes refer to `address` (a resource, data source or `module.x`)."""
        if self._referencing is None:
            found: dict[str, list] = {}
            for resource in self.resources:
                for target in sorted({a for addresses in resource.refs.values() for a in addresses}):
                    found.setdefault(target, []).append(resource)
            self._referencing = found
        return list(self._referencing.get(address, []))

    def add(self, resource: "TfResource") -> None:
        self.resources.append(resource)
        self._by_address[resource.name] = resource
        self._referencing = None


@dataclass(eq=False)
class TfResource(Artifact):
    mode: str = "managed"
    block_name: str = ""
    module: tuple = ()
    attrs: LDict = field(default_factory=LDict)
    tags_unresolved: list = field(default_factory=list)
    count: object = None
    for_each: object = None
    instances: dict = field(default_factory=dict)
    provider: str = ""
    refs: dict = field(default_factory=dict)
    exprs: dict = field(default_factory=dict)  # top-level attribute -> its expression as written
    # Path of a multi-line string attribute -> (file, line) where its lines are written one for one: a heredoc's
    # first content line, or line 1 of the file file() read. For pointing into a policy's JSON.
    text_lines: dict = field(default_factory=dict)
    root: TfRoot | None = field(default=None, repr=False)
    source: str = "config"
    plan_file: str = ""

    @property
    def type(self) -> str:
        return self.kind

    @property
    def address(self) -> str:
        return self.name

    @property
    def ref(self) -> TargetRef:
        # A module's file is shared by every root that calls it: the root directory keeps the identity apart.
        namespace = self.root.dir if self.module and self.root is not None else ""
        return TargetRef(self.kind, self.name, namespace)

    def locate(self, at: str) -> Location:
        if not at:
            return Location(self.file, self.line)
        return Location(self.file, line_of(self.attrs, at) or self.line)

    def text_location(self, at: str, line_in_text: int = 1) -> Location:
        """Where line `line_in_text` (1-based) of the string at `at` is written: for a statement of a heredoc
        policy, the line inside the heredoc; `locate(at)` when the text was built (jsonencode, a rendered
        policy document, an interpolation over several lines)."""
        origin = self.text_lines.get(at)
        if origin is None or line_in_text < 1:
            return self.locate(at)
        return Location(origin[0], origin[1] + line_in_text - 1)

    def get(self, path: str, default: object = None) -> object:
        """The value at a path like `metadata_options[0].http_tokens`; `default` when a step is missing."""
        value: object = self.attrs
        for name, index in _PATH_RE.findall(path):
            if index:
                if not isinstance(value, list) or int(index) >= len(value):
                    return default
                value = value[int(index)]
            elif isinstance(value, dict) and name in value:
                value = value[name]
            elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict) and name in value[0]:
                value = value[0][name]  # `metadata_options.http_tokens`: a single block, index left out
            else:
                return default
        return value

    def blocks(self, name: str) -> list:
        """The nested blocks of one type, always a list (of dicts, or Unresolved for unknown dynamic blocks)."""
        value = self.attrs.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return [value]


# -- parsing ------------------------------------------------------------------------------------------

@dataclass
class TfFile:
    """One parsed .tf or .tf.json file (plain data: it can be cached or sent between processes)."""

    display: str
    text: str
    body: Body | None
    error: tuple[int, str] | None = None  # (line, message)


def parse_tf(display: str, text: str) -> TfFile:
    return parse_tf_files([(display, text)])[0]


def parse_tf_files(items: list[tuple[str, str]], parse=None) -> list[TfFile]:
    """Each (display, text) parsed, in order. `parse(name, texts)` runs the HCL parser over many texts (in worker
    processes, from the cache: sources.LoadContext.parse); by default here, one by one."""
    if parse is None:
        from ..parsing import parse_one

        def parse(name, texts):
            return [parse_one(name, text) for text in texts]

    hcl = [i for i, (display, _) in enumerate(items) if not display.lower().endswith(".json")]
    bodies = dict(zip(hcl, parse("hcl", [items[i][1] for i in hcl])))
    files = []
    for i, (display, text) in enumerate(items):
        body = bodies.get(i)
        if body is None:
            files.append(_parse_tf_json(display, text))
        elif isinstance(body, Failure):
            line, column = HclError(body.message, body.offset).line_col(text)
            files.append(TfFile(display, text, None, (line, f"HCL syntax error at column {column}: {body.message}")))
        else:
            files.append(TfFile(display, text, body))
    return files


def _json_error(exc: json.JSONDecodeError) -> tuple[int, str]:
    return exc.lineno, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"


def _parse_tf_json(display: str, text: str) -> TfFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return TfFile(display, text, None, _json_error(exc))
    if not isinstance(data, dict):
        return TfFile(display, text, None, (1, "a .tf.json file must hold a JSON object of block types"))
    try:
        node = parse_expression(text)
    except HclError as exc:
        line, column = exc.line_col(text)
        return TfFile(display, text, None, (line, f"cannot read this JSON as Terraform at column {column}: "
                                                  f"{exc.message}"))
    source = SourceText(display, text)
    return TfFile(display, text, _json_body(node, source, top=True))


def _json_key(node: tuple) -> str | None:
    return node[3] if node[0] == LIT and isinstance(node[3], str) else None


def _json_body(node: tuple, source: SourceText, top: bool = False) -> Body:
    """Terraform's JSON syntax as a Body: at the top, block types; below, labels then attributes."""
    body = Body()
    if node[0] != OBJ:
        return body
    for key_node, value, line in node[3]:
        key = _json_key(key_node)
        if key is None or key == "//":
            continue
        if not top:
            body.attrs[key] = (key, value, line)
            continue
        labels_depth = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                        "locals": 0, "terraform": 0}.get(key)
        if labels_depth is None:
            continue
        for labels, inner, inner_line in _json_labelled(value, labels_depth, (), line):
            if key == "locals":
                for item in _json_objects(inner):
                    for k_node, v_node, v_line in item[3]:
                        name = _json_key(k_node)
                        if name and name != "//":
                            locals_body = Body()
                            locals_body.attrs[name] = (name, v_node, v_line)
                            body.blocks.append(("locals", (), locals_body, v_line, v_line))
                continue
            for item in _json_objects(inner):
                block_body = _json_body(item, source)
                body.blocks.append((key, labels, block_body, inner_line, source.line(item[2] - 1)))
    return body


def _json_labelled(node: tuple, depth: int, labels: tuple, line: int):
    if depth == 0:
        yield labels, node, line
        return
    if node[0] == TUP:
        for item in node[3]:
            yield from _json_labelled(item, depth, labels, line)
        return
    if node[0] != OBJ:
        return
    for key_node, value, item_line in node[3]:
        key = _json_key(key_node)
        if key is not None and key != "//":
            yield from _json_labelled(value, depth - 1, labels + (key,), item_line)


def _json_objects(node: tuple) -> list[tuple]:
    if node[0] == OBJ:
        return [node]
    if node[0] == TUP:
        return [item for item in node[3] if item[0] == OBJ]
    return []


# -- module declarations ----------------------------------------------------------------------------

@dataclass
class _Decl:
    kind: str  # "resource", "data", "variable", "local", "module", "output", "provider"
    name: str
    labels: tuple
    body: Body | None
    file: TfFile
    line: int
    expr: tuple | None = None  # a local's expression


class _ModuleDir:
    """What the .tf files of one directory declare, built once and shared by every instance of it."""

    def __init__(self, display: str, path: Path, files: list[TfFile], problems: list[Problem]):
        self.display = display
        self.path = path
        # Terraform merges override files into the blocks they name; prc does not, and says so (load_roots).
        self.overrides = [f for f in files if _OVERRIDE.fullmatch(PurePosixPath(f.display).name)]
        files = [f for f in files if f not in self.overrides]
        self.files = files
        self.sources = {f.display: SourceText(f.display, f.text) for f in files}
        self.variables: dict[str, _Decl] = {}
        self.locals: dict[str, _Decl] = {}
        self.resources: dict[str, _Decl] = {}  # "type.name" and "data.type.name"
        self.modules: dict[str, _Decl] = {}
        self.outputs: dict[str, _Decl] = {}
        self.providers: list[_Decl] = []
        for tf in files:
            if tf.body is None:
                continue
            for block in tf.body.blocks:
                self._declare(block, tf, problems)

    def _declare(self, block: tuple, tf: TfFile, problems: list[Problem]) -> None:
        kind, labels, body, line, _ = block

        def add(table: dict, key: str, decl: _Decl, what: str) -> None:
            if key in table:
                first = table[key]
                problems.append(Problem(tf.display, line, f"{what} is declared twice: also on {first.file.display}:"
                                                          f"{first.line}; Terraform refuses this configuration"))
                return
            table[key] = decl

        if kind == "resource" and len(labels) == 2:
            add(self.resources, f"{labels[0]}.{labels[1]}", _Decl("resource", labels[1], labels, body, tf, line),
                f'resource "{labels[0]}" "{labels[1]}"')
        elif kind == "data" and len(labels) == 2:
            add(self.resources, f"data.{labels[0]}.{labels[1]}", _Decl("data", labels[1], labels, body, tf, line),
                f'data "{labels[0]}" "{labels[1]}"')
        elif kind == "variable" and len(labels) == 1:
            add(self.variables, labels[0], _Decl("variable", labels[0], labels, body, tf, line),
                f'variable "{labels[0]}"')
        elif kind == "locals":
            for name, (_, expr, attr_line) in body.attrs.items():
                add(self.locals, name, _Decl("local", name, (), None, tf, attr_line, expr), f"local.{name}")
        elif kind == "module" and len(labels) == 1:
            add(self.modules, labels[0], _Decl("module", labels[0], labels, body, tf, line), f'module "{labels[0]}"')
        elif kind == "output" and len(labels) == 1:
            add(self.outputs, labels[0], _Decl("output", labels[0], labels, body, tf, line), f'output "{labels[0]}"')
        elif kind == "provider" and len(labels) == 1:
            self.providers.append(_Decl("provider", labels[0], labels, body, tf, line))

    def local_sources(self) -> list[tuple[_Decl, str]]:
        """(module call, called directory display) of every call whose source is a local path."""
        out = []
        for decl in self.modules.values():
            source = _literal_source(decl)
            if source is not None and _is_local(source):
                out.append((decl, _join_display(self.display, source)))
        return out


def _literal_source(decl: _Decl) -> str | None:
    attr = decl.body.attrs.get("source") if decl.body else None
    if attr is None:
        return None
    node = attr[1]
    return node[3] if node[0] == LIT and isinstance(node[3], str) else None


def _is_local(source: str) -> bool:
    return source.startswith("./") or source.startswith("../") or source in (".", "..")


def _join_display(base: str, relative: str) -> str:
    joined = os.path.normpath(os.path.join(base if base != "." else "", relative)).replace(os.sep, "/")
    return joined if joined else "."


# -- evaluation of one module instance ---------------------------------------------------------------

class _RootContext:
    """State shared by every module instance of one root module."""

    def __init__(self, dir_: _ModuleDir, dirs: dict[str, _ModuleDir], tfvars: dict, tf_root: TfRoot,
                 loaded, scan_root: Path, max_bytes: int, service_tag: str):
        self.dir = dir_
        self.dirs = dirs
        self.tfvars = tfvars
        self.tf_root = tf_root
        self.loaded = loaded
        self.scan_root = scan_root
        self.scan_root_real = os.path.realpath(scan_root)
        self.max_bytes = max_bytes
        self.service_tag = service_tag
        self.file_cache: dict[str, object] = {}
        self.reported: set = set()

    def problem(self, file: str, line: int, message: str) -> None:
        key = ("p", file, line, message)
        if key not in self.reported:
            self.reported.add(key)
            self.loaded.problems.append(Problem(file, line, message))

    def skip(self, path: str, reason: str) -> None:
        key = ("s", path, reason)
        if key not in self.reported:
            self.reported.add(key)
            self.loaded.skipped.append(Skipped(path, reason))


class _Instance:
    def __init__(self, root: _RootContext, module_dir: _ModuleDir, path: tuple[str, ...], inputs: dict | None,
                 providers: dict, call: str = "", chain: tuple[str, ...] = ()):
        self.root = root
        self.dir = module_dir
        self.path = path
        self.prefix = "".join(f"module.{p}." for p in path)
        self.inputs = inputs
        self.providers = providers
        self.call = call
        self.chain = chain + (module_dir.display,)
        self._vars: dict[str, object] = {}
        self._locals: dict[str, object] = {}
        self._locals_busy: list[str] = []
        self._built: dict[str, object] = {}  # address -> TfResource, or None for a block with no instance
        self._busy: set[str] = set()
        self._children: dict[str, object] = {}
        self._outputs: dict[str, object] | None = None
        self.resources: list[TfResource] = []
        self._last_read: str | None = None
        self._blocks_left = MAX_BLOCKS
        rel = os.path.relpath(module_dir.path, root.dir.path).replace(os.sep, "/")
        self.path_module = rel

    # -- names ------------------------------------------------------------------------------------

    def resolve(self, name: str, steps: tuple, node: tuple, scope: Scope) -> tuple[object, int]:
        def attr(i: int) -> str:
            if len(steps) <= i or steps[i][0] != ".":
                raise EvalError(f'"{name}" needs {"an attribute" if i == 0 else "a name"} after it')
            return steps[i][1]

        if name == "var":
            return self.variable(attr(0)), 1
        if name == "local":
            return self.local(attr(0)), 1
        if name == "module":
            return self.module_value(attr(0), node, scope), 1
        if name == "data":
            return self.object_value(f"data.{attr(0)}.{attr(1)}", node, scope), 2
        if name == "path":
            what = attr(0)
            if what == "module":
                return self.path_module, 1
            if what == "root":
                return ".", 1
            return Unresolved(scope.source.snippet(node), f"path.{what} depends on where Terraform runs"), 1
        if name == "terraform":
            return Unresolved(scope.source.snippet(node), "terraform.workspace is chosen when Terraform runs"), 1
        if name in ("count", "each", "self"):
            raise EvalError(f'"{name}" can only be used in a block with {name if name != "each" else "for_each"}')
        return self.object_value(f"{name}.{attr(0)}", node, scope), 1

    def variable(self, name: str) -> object:
        if name in self._vars:
            return self._vars[name]
        decl = self.dir.variables.get(name)
        if decl is None:
            raise EvalError(f'no variable "{name}" is declared in {self.dir.display}')
        attrs = decl.body.attrs
        source = self.dir.sources[decl.file.display]
        default = evaluate(attrs["default"][1], Scope(None, source)) if "default" in attrs else _MISSING
        if self.inputs is not None and name in self.inputs:
            value = self.inputs[name]
        elif self.inputs is None and name in self.root.tfvars:
            value = self.root.tfvars[name]
        elif default is not _MISSING:
            value = default
        elif self.inputs is not None:
            value = Unresolved(f"var.{name}", f'{self.call} does not set the input "{name}", which has no default')
        else:
            value = Unresolved(f"var.{name}", f"variable {name} has no default and no value in terraform.tfvars or "
                                              "*.auto.tfvars (a value given with -var at plan time is not known)")
        if value is None and default is not _MISSING and default is not None and "nullable" in attrs \
                and attrs["nullable"][1][0] == LIT and attrs["nullable"][1][3] is False:
            value = default
        if "type" in attrs:
            type_node = attrs["type"][1]
            type_text = type_node[3] if type_node[0] == LIT and isinstance(type_node[3], str) \
                else source.text[type_node[1]:type_node[2]]
            value = convert_to_type(value, type_text)
        value = plain(value)
        self._vars[name] = value
        return value

    def local(self, name: str) -> object:
        if name in self._locals:
            return self._locals[name]
        decl = self.dir.locals.get(name)
        if decl is None:
            raise EvalError(f'no local value "{name}" in {self.dir.display}')
        if name in self._locals_busy:
            cycle = self._locals_busy[self._locals_busy.index(name):] + [name]
            chain = " -> ".join(f"local.{n}" for n in cycle)
            first = self.dir.locals[cycle[0]]
            self.root.problem(first.file.display, first.line, f"cyclic reference between locals: {chain}; "
                                                              "Terraform refuses this configuration")
            return Unresolved(f"local.{name}", f"cyclic reference: {chain}")
        self._locals_busy.append(name)
        try:
            value = plain(evaluate(decl.expr, Scope(self, self.dir.sources[decl.file.display])))
        finally:
            self._locals_busy.pop()
        self._locals[name] = value
        return value

    def module_value(self, name: str, node: tuple, scope: Scope) -> object:
        child = self.child(name)
        if isinstance(child, Unresolved):
            return Unresolved(scope.source.snippet(node), child.reason)
        if child is None:
            raise EvalError(f'no module "{name}" is called in {self.dir.display}')
        if child == "empty":
            return []
        return child.outputs()

    def object_value(self, address: str, node: tuple, scope: Scope) -> object:
        """A resource or data source seen from an expression: configured arguments, the rest unknown."""
        decl = self.dir.resources.get(address)
        if decl is None:
            raise EvalError(f"no {address} is declared in {self.dir.display}")
        if address in self._busy:
            return Unresolved(scope.source.snippet(node), f"{self.prefix}{address} refers back to itself")
        resource = self.build(address)
        full = self.prefix + address
        why = "read from the provider when Terraform plans" if decl.kind == "data" else "known only after apply"
        if resource is None:
            return {} if decl.body and "for_each" in decl.body.attrs else []
        if resource.count is None and resource.for_each is None:
            return Computed(resource.attrs, full, why)
        if resource.instances:
            if resource.for_each is not None:
                return {k: Computed(v, f'{full}["{k}"]', why) for k, v in resource.instances.items()}
            return [Computed(v, f"{full}[{k}]", why) for k, v in resource.instances.items()]
        expansion = resource.count if resource.count is not None else resource.for_each
        reason = expansion.reason if isinstance(expansion, Unresolved) else "has too many instances to evaluate"
        return Unresolved(scope.source.snippet(node), f"the instances of {full} are not known: {reason}")

    def outputs(self) -> dict:
        if self._outputs is None:
            self._outputs = {}
            for name, decl in self.dir.outputs.items():
                attr = decl.body.attrs.get("value")
                if attr is None:
                    continue
                self._outputs[name] = plain(evaluate(attr[1], Scope(self, self.dir.sources[decl.file.display])))
        return self._outputs

    def read_file(self, path: str, node: tuple, scope: Scope, function: str) -> object:
        """(display, text) of a file for file()/templatefile(); None when it does not exist; Unresolved
        when it may not or cannot be read. Relative paths start at the root module's directory, as in
        Terraform; nothing outside the scanned tree is ever opened."""
        root = self.root
        target = path if os.path.isabs(path) else os.path.join(root.dir.path, path)
        real = os.path.realpath(target)
        base = root.scan_root_real
        if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
            line = scope.source.line(node[1])
            root.skip(scope.source.display, f'line {line}: {function}("{path}") points outside the scanned tree; '
                                            "prc does not read it, and the value stays unknown")
            return Unresolved(scope.source.snippet(node), f'{function}("{path}") points outside the scanned tree, '
                                                         "which prc does not read")
        display = os.path.relpath(real, base).replace(os.sep, "/")
        self._last_read = display
        if real in root.file_cache:
            return root.file_cache[real]
        if not os.path.isfile(real):
            found: object = None if function == "fileexists" else Unresolved(
                scope.source.snippet(node), f'no file "{display}" in the scanned tree')
        else:
            try:
                found = (display, read_text(Path(real), root.max_bytes))
            except FileReadError as exc:
                found = Unresolved(scope.source.snippet(node), f"{display}: {exc.message}")
        root.file_cache[real] = found
        return found

    # -- module calls -------------------------------------------------------------------------------

    def child(self, name: str) -> object:
        """The instance of a called local module; "empty" for count 0; Unresolved when not scanned."""
        if name in self._children:
            return self._children[name]
        decl = self.dir.modules.get(name)
        if decl is None:
            return None
        self._children[name] = Unresolved(f"module.{name}", "is being evaluated")  # a cycle ends here
        result = self._make_child(decl)
        self._children[name] = result
        return result

    def _make_child(self, decl: _Decl) -> object:
        root = self.root
        address = f"{self.prefix}module.{decl.name}"
        source = _literal_source(decl)
        if source is None:
            root.problem(decl.file.display, decl.line, f'module "{decl.name}" has no source given as a literal string')
            return Unresolved(address, "its source is not a literal string")
        local = _is_local(source)
        target = _join_display(self.dir.display, source) if local else ""
        called = root.dirs.get(target) if local else None
        call = TfModuleCall(address, source, decl.file.display, decl.line, local, called is not None, target)
        root.tf_root.module_calls.append(call)
        if not local:
            root.skip(decl.file.display, f'line {decl.line}: remote module "{source}" ({address}) not scanned; '
                                         "its resources are not checked")
            return Unresolved(address, f'remote module "{source}" is not scanned')
        if called is None:
            root.skip(decl.file.display, f'line {decl.line}: local module "{source}" ({address}) is not in the '
                                         "scanned tree; its resources are not checked")
            return Unresolved(address, f'local module "{source}" is not in the scanned tree')
        if target in self.chain or len(self.path) >= MAX_MODULE_DEPTH:
            root.problem(decl.file.display, decl.line, f'{address} calls "{source}" in a loop '
                                                       f"({' -> '.join(self.chain + (target,))})")
            call.scanned = False
            return Unresolved(address, "module calls loop")
        source_text = self.dir.sources[decl.file.display]
        scope = Scope(self, source_text)
        bound, count = self._expansion(decl.body, scope, address)
        if count == 0:
            return "empty"
        scope = scope.with_bound(bound)
        inputs = {}
        for name, (_, expr, _) in decl.body.attrs.items():
            if name not in MODULE_META:
                inputs[name] = plain(evaluate(expr, scope))
        providers = dict(self.providers)
        mapping = decl.body.attrs.get("providers")
        if mapping and mapping[1][0] == OBJ:
            providers = {}  # an explicit providers map replaces the implicit inheritance
            for key_node, value_node, _ in mapping[1][3]:
                child_key = source_text.snippet(key_node).strip('"')
                parent_key = source_text.snippet(value_node)
                providers[child_key] = self.providers.get(parent_key, {})
        child = _Instance(root, called, self.path + (decl.name,), inputs, providers, address, self.chain)
        for provider in called.providers:  # a module's own provider blocks (legacy) configure it
            providers.update(child.provider_configs([provider]))
        child.collect()
        return child

    def _expansion(self, body: Body, scope: Scope, address: str) -> tuple[dict, int | None]:
        """Names bound for a module call with count/for_each, and its number of instances when known.
        One known instance binds its values; several or unknown bind Unresolved ones."""
        if "count" in body.attrs:
            count = evaluate(body.attrs["count"][1], scope)
            if isinstance(count, (int, float)) and not isinstance(count, bool):
                if count == 1:
                    return {"count": {"index": 0}}, 1
                if count == 0:
                    return {}, 0
            why = count.reason if isinstance(count, Unresolved) else f"differs between the {count} instances"
            return {"count": {"index": Unresolved("count.index", f"{why} of {address}")}}, None
        if "for_each" in body.attrs:
            keys = _for_each_items(evaluate(body.attrs["for_each"][1], scope))
            if isinstance(keys, list):
                if len(keys) == 1:
                    key, value = keys[0]
                    return {"each": {"key": key, "value": value}}, 1
                if not keys:
                    return {}, 0
            why = keys.reason if isinstance(keys, Unresolved) else f"differs between the {len(keys)} instances"
            unknown = Unresolved("each.value", f"{why} of {address}")
            return {"each": {"key": Unresolved("each.key", f"{why} of {address}"), "value": unknown}}, None
        return {}, 1

    def provider_configs(self, decls: list[_Decl]) -> dict:
        """Provider key (`aws`, `aws.west`) -> {"default_tags": value} for provider blocks of this module."""
        out = {}
        for decl in decls:
            attrs = decl.body.attrs
            alias = attrs.get("alias")
            key = decl.name
            if alias is not None:
                alias_value = alias[1][3] if alias[1][0] == LIT else None
                key = f"{decl.name}.{alias_value}"
            config: dict = {"file": decl.file.display, "line": decl.line}
            scope = Scope(self, self.dir.sources[decl.file.display])
            for block in decl.body.blocks:
                if block[0] == "default_tags" and "tags" in block[2].attrs:
                    config["default_tags"] = plain(evaluate(block[2].attrs["tags"][1], scope))
            if "default_tags" in attrs:  # .tf.json: the block is an object attribute
                value = evaluate(attrs["default_tags"][1], scope)
                if isinstance(value, list) and len(value) == 1:
                    value = value[0]
                if isinstance(value, dict) and "tags" in value:
                    config["default_tags"] = plain(value["tags"])
                elif isinstance(value, Unresolved):
                    config["default_tags"] = value
            out[key] = config
        return out

    # -- resources ---------------------------------------------------------------------------------

    def _declared(self, address: str) -> bool:
        if address.startswith("module."):
            return address[7:] in self.dir.modules
        return address in self.dir.resources

    def collect(self) -> None:
        """Build every resource and data source of this instance, then its module calls, in file order."""
        for address in self.dir.resources:
            resource = self.build(address)
            if resource is not None:
                self.resources.append(resource)
        for name in self.dir.locals:  # a cycle is reported even when nothing refers to the locals
            self.local(name)
        for name in self.dir.modules:
            child = self.child(name)
            if isinstance(child, _Instance):
                self.resources.extend(child.resources)

    def build(self, address: str) -> "TfResource | None":
        if address in self._built:
            return self._built[address]
        decl = self.dir.resources[address]
        self._busy.add(address)
        try:
            resource = self._build(decl, address)
        finally:
            self._busy.discard(address)
        self._built[address] = resource
        return resource

    def _build(self, decl: _Decl, address: str) -> "TfResource | None":
        type_, block_name = decl.labels
        self._blocks_left = MAX_BLOCKS
        source = self.dir.sources[decl.file.display]
        body = decl.body
        scope = Scope(self, source, lines=True)
        count = for_each = None
        instances: list[tuple[object, dict]] = []  # (key, names bound)
        if "count" in body.attrs:
            count = evaluate(body.attrs["count"][1], Scope(self, source))
            if isinstance(count, (int, float)) and not isinstance(count, bool):
                count = int(count)
                if count == 0:
                    return None
                if count <= MAX_INSTANCES:
                    instances = [(i, {"count": {"index": i}}) for i in range(count)]
            why = count.reason if isinstance(count, Unresolved) else f"differs between the {count} instances"
            unknown_bound = {"count": {"index": Unresolved("count.index", why)}}
        elif "for_each" in body.attrs:
            for_each = evaluate(body.attrs["for_each"][1], Scope(self, source))
            items = _for_each_items(for_each)
            if isinstance(items, Unresolved):
                for_each = items
            else:
                if not items:
                    return None
                for_each = [key for key, _ in items]
                if len(items) <= MAX_INSTANCES:
                    instances = [(key, {"each": {"key": key, "value": value}}) for key, value in items]
            why = for_each.reason if isinstance(for_each, Unresolved) else \
                f"differs between the {len(for_each)} instances"
            unknown_bound = {"each": {"key": Unresolved("each.key", why), "value": Unresolved("each.value", why)}}
        exprs = {name: source.snippet(attr[1]) for name, attr in body.attrs.items() if name not in RESOURCE_META}
        per_instance: dict = {}
        texts: dict = {}
        if instances:
            for key, bound in instances:
                per_instance[key] = self._body(body, scope.with_bound(bound), decl.line, top=True,
                                               texts=None if per_instance else texts)
            attrs = _merge_instances(list(per_instance.values()), exprs, len(per_instance))
            attrs.line = decl.line
        else:
            if count is not None or for_each is not None:
                scope = scope.with_bound(unknown_bound)
            attrs = self._body(body, scope, decl.line, top=True, texts=texts)
        if decl.kind == "data" and type_ == "aws_iam_policy_document":
            full = f"{self.prefix}data.{type_}.{block_name}"
            for target in [attrs, *per_instance.values()]:
                target["json"] = policy_json(target, f"{full}.json")
                target["minified_json"] = policy_json(target, f"{full}.minified_json", minified=True)
        provider = _provider_key(body, source) or type_.split("_", 1)[0]
        resource = TfResource(
            kind=type_, name=self.prefix + address, file=decl.file.display, line=decl.line,
            mode="data" if decl.kind == "data" else "managed", block_name=block_name, module=self.path,
            attrs=attrs, count=count, for_each=for_each, instances=per_instance, provider=provider,
            refs=_references(body, self.prefix, self._declared), exprs=exprs, root=self.root.tf_root,
            text_lines=texts)
        self._set_tags(resource)
        return resource

    def _body(self, body: Body, scope: Scope, line: int, top: bool = False, path: str = "",
              texts: dict | None = None) -> LDict:
        """A block body as an LDict; `texts` (when given) gets where the text of each string value starts."""
        out = LDict(line)
        for name, (_, expr, attr_line) in body.attrs.items():
            if top and name in RESOURCE_META:
                continue
            self._last_read = None
            value = evaluate(expr, scope)
            out[name] = value
            out.key_lines[name] = attr_line
            if texts is not None and isinstance(value, str) and "\n" in value:
                origin = self._text_origin(expr, scope)
                if origin is not None:
                    texts[path + name] = origin
        for block in body.blocks:
            kind, labels, inner, block_line, _ = block
            if top and kind in RESOURCE_SKIPPED_BLOCKS:
                continue
            if kind == "dynamic" and labels:
                self._dynamic(labels[0], inner, scope, block_line, out, path, texts)
                continue
            items = out.get(kind)
            if not isinstance(items, LList):
                items = LList(block_line)
                out[kind] = items
                out.key_lines[kind] = block_line
            items.append(self._body(inner, scope, block_line, path=f"{path}{kind}[{len(items)}].", texts=texts))
            items.item_lines.append(block_line)
        return out

    def _text_origin(self, expr: tuple, scope: Scope) -> tuple[str, int] | None:
        """(file, line) where the lines of a multi-line string value are written one for one: a heredoc's
        first content line, or the first line of the file a `file()` call read."""
        if expr[0] in (LIT, TPL):
            if scope.source.text.startswith("<<", expr[1]):
                return scope.source.display, scope.source.line(expr[1]) + 1
        elif expr[0] == CALL and expr[3] == "file" and self._last_read:
            return self._last_read, 1
        return None

    def _dynamic(self, kind: str, body: Body, scope: Scope, line: int, out: LDict, path: str = "",
                 texts: dict | None = None) -> None:
        """The blocks a `dynamic` block generates, appended to `out[kind]` (created only when there are any)."""
        generated: list[tuple[object, int]] = []
        iterator = kind
        if "iterator" in body.attrs and body.attrs["iterator"][1][0] == REF:
            iterator = body.attrs["iterator"][1][3]
        content = next((b for b in body.blocks if b[0] == "content"), None)
        if content is None or "for_each" not in body.attrs:
            return
        for_each = body.attrs["for_each"][1]
        collection = evaluate(for_each, scope)
        if isinstance(collection, Unresolved):
            generated.append((Unresolved(scope.source.snippet(for_each), f'the "{kind}" blocks of this dynamic '
                                                                         f"block are not known: {collection.reason}"),
                              line))
        elif isinstance(collection, (dict, list)) and self._blocks_left < len(collection):
            generated.append((Unresolved(scope.source.snippet(for_each), f"dynamic blocks beyond {MAX_BLOCKS} in "
                                                                         "one resource are not evaluated"), line))
        elif isinstance(collection, (dict, list)):
            self._blocks_left -= len(collection)
            pairs = [(k, collection[k]) for k in sorted(collection)] if isinstance(collection, dict) \
                else list(enumerate(collection))
            existing = out.get(kind)
            offset = len(existing) if isinstance(existing, list) else 0
            for i, (key, value) in enumerate(pairs):
                inner = scope.with_bound({iterator: {"key": key, "value": value}})
                generated.append((self._body(content[2], inner, content[3], path=f"{path}{kind}[{offset + i}].",
                                             texts=texts), content[3]))
        else:
            generated.append((Unresolved(scope.source.snippet(for_each), "for_each of a dynamic block must be a "
                                                                         "list, set or map"), line))
        if not generated:
            return
        items = out.get(kind)
        if not isinstance(items, LList):
            items = LList(line)
            out[kind] = items
            out.key_lines[kind] = line
        for item, item_line in generated:
            items.append(item)
            items.item_lines.append(item_line)

    def _set_tags(self, resource: TfResource) -> None:
        tags: dict = {}
        unresolved: list = []
        # The AWS provider does not apply default_tags to Auto Scaling groups (their instances take the
        # group's own `tag` blocks with propagate_at_launch).
        if resource.kind.startswith("aws_") and resource.mode == "managed" and resource.kind != "aws_autoscaling_group":
            config = self.providers.get(resource.provider) or {}
            default = config.get("default_tags")
            if isinstance(default, Unresolved):
                unresolved.append(default)
            elif isinstance(default, dict):
                tags.update(default)
        own = resource.attrs.get("tags")
        if isinstance(own, Unresolved):
            unresolved.append(own)
        elif isinstance(own, dict):
            tags.update(own)
        if resource.kind == "aws_autoscaling_group":
            for block in resource.blocks("tag"):
                if isinstance(block, Unresolved):
                    unresolved.append(block)
                elif isinstance(block, dict) and isinstance(block.get("key"), str):
                    tags[block["key"]] = block.get("value")
        resource.tags = {str(k): (v if isinstance(v, (str, Unresolved)) or v is None else _tag_text(v))
                         for k, v in tags.items()}
        resource.tags_unresolved = unresolved
        hint = resource.tags.get(self.root.service_tag)
        resource.service_hint = hint if isinstance(hint, str) else ""


_MISSING = object()


def _tag_text(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _for_each_items(value: object) -> object:
    """(key, value) pairs of a for_each: a map's entries, or a set's strings (key and value alike)."""
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, dict):
        return [(k, value[k]) for k in sorted(value)]
    if isinstance(value, list):
        if any(isinstance(v, Unresolved) for v in value):
            return next(v for v in value if isinstance(v, Unresolved))
        return [(str(v), v) for v in sorted({str(v) for v in value})]
    return Unresolved("for_each", "for_each must be a map or a set of strings")


def _provider_key(body: Body, source: SourceText) -> str:
    attr = body.attrs.get("provider")
    if attr is None:
        return ""
    node = attr[1]
    return node[3] if node[0] == LIT and isinstance(node[3], str) else source.snippet(node)


def _references(body: Body, prefix: str, declared) -> dict:
    """Top-level attribute (or nested block type) -> addresses of the resources, data sources and module
    calls (declared in the same module) that its expressions refer to."""
    out: dict[str, set] = {}

    def walk(node: object, into: set) -> None:
        if isinstance(node, tuple):
            if not node or node[0] == LIT:
                return
            if node[0] == REF:
                address = _ref_address(node[3], node[4])
                if address and declared(address):
                    into.add(prefix + address)
            for item in node:
                if isinstance(item, (tuple, list)):
                    walk(item, into)
        elif isinstance(node, list):
            for item in node:
                walk(item, into)

    def body_refs(inner: Body, into: set) -> None:
        for _, expr, _ in inner.attrs.values():
            walk(expr, into)
        for block in inner.blocks:
            body_refs(block[2], into)

    for name, (_, expr, _) in body.attrs.items():
        if name == "provider":
            continue  # `provider = aws.dr` names a provider configuration, not an object
        found: set = set()
        walk(expr, found)
        if found:
            out.setdefault(name, set()).update(found)
    for block in body.blocks:
        found = set()
        body_refs(block[2], found)
        if found:
            key = block[1][0] if block[0] == "dynamic" and block[1] else block[0]
            out.setdefault(key, set()).update(found)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _ref_address(name: str, steps: tuple) -> str:
    names = [arg for kind, arg in steps if kind == "."]
    if name in ("var", "local", "path", "count", "each", "self", "terraform"):
        return ""
    if not steps or steps[0][0] != ".":
        return ""
    if name == "module":
        return f"module.{steps[0][1]}"
    if name == "data":
        return f"data.{names[0]}.{names[1]}" if len(steps) > 1 and steps[1][0] == "." and len(names) > 1 else ""
    return f"{name}.{steps[0][1]}"


def _merge_instances(values: list, exprs: dict, count: int) -> LDict:
    """The attributes every instance agrees on; an Unresolved where they differ."""
    first = values[0]
    merged = _merge_value(values, exprs, count, "")
    if isinstance(merged, LDict):
        return merged
    out = LDict(first.line)
    out.update(merged if isinstance(merged, dict) else {})
    return out


def _merge_value(values: list, exprs: dict, count: int, top: str) -> object:
    first = values[0]
    if all(isinstance(v, dict) and not isinstance(v, Unresolved) for v in values) \
            and all(v.keys() == first.keys() for v in values):
        out = LDict(getattr(first, "line", 0)) if isinstance(first, LDict) else {}
        for key in first:
            out[key] = _merge_value([v[key] for v in values], exprs, count, top or key)
            if isinstance(out, LDict):
                out.key_lines[key] = first.key_lines.get(key, 0)
        return out
    if all(isinstance(v, list) for v in values) and all(len(v) == len(first) for v in values):
        out_list = LList(getattr(first, "line", 0)) if isinstance(first, LList) else []
        for i in range(len(first)):
            out_list.append(_merge_value([v[i] for v in values], exprs, count, top))
        if isinstance(out_list, LList):
            out_list.item_lines = list(getattr(first, "item_lines", []))
        return out_list
    unknown = next((v for v in values if isinstance(v, Unresolved)), None)
    if unknown is not None:
        return Unresolved(exprs.get(top, unknown.expression), unknown.reason)
    if all(same_value(v, first) for v in values[1:]):
        return first
    return Unresolved(exprs.get(top, top), f"differs between the {count} instances of count/for_each")


# -- plans ----------------------------------------------------------------------------------------

def _plain_ldict(value: object, like: object = None) -> object:
    """A plan value as LDict/LList, taking lines from the configuration's value at the same place."""
    if isinstance(value, dict) and not isinstance(value, Unresolved):
        out = LDict(getattr(like, "line", 0))
        for key, item in value.items():
            counterpart = like.get(key) if isinstance(like, dict) else None
            out[key] = _plain_ldict(item, counterpart)
            if isinstance(like, LDict) and key in like.key_lines:
                out.key_lines[key] = like.key_lines[key]
        return out
    if isinstance(value, list):
        out_list = LList(getattr(like, "line", 0))
        for i, item in enumerate(value):
            counterpart = like[i] if isinstance(like, list) and i < len(like) else None
            out_list.append(_plain_ldict(item, counterpart))
            lines = getattr(like, "item_lines", [])
            out_list.item_lines.append(lines[i] if i < len(lines) else 0)
        return out_list
    return value


def _apply_plan(plan: PlanFile, root: TfRoot | None, service_tag: str, loaded) -> list[TfResource]:
    """Plan values onto the root's resources (matched by address); new TfResources for the rest."""
    by_block: dict[str, list] = {}
    for item in plan.resources:
        by_block.setdefault(item.block_address, []).append(item)
    created = []
    for address, items in by_block.items():
        existing = root.by_address(address) if root is not None else None
        keys = [item.index for item in items]
        values = [_plain_ldict(item.values, existing.attrs if existing is not None else None) for item in items]
        if len(values) == 1 and keys[0] is None:
            attrs = values[0]
            instances = {}
        else:
            exprs = existing.exprs if existing is not None else {}
            attrs = _merge_instances(values, exprs, len(values)) if values else LDict()
            instances = dict(zip(keys, values))
        first = items[0]
        if existing is not None:
            attrs.line = existing.line
            if existing.kind == "aws_iam_policy_document" and "json" not in attrs:
                attrs["json"] = existing.attrs.get("json")
            existing.attrs = attrs
            existing.instances = instances
            existing.source = "config+plan"
            existing.plan_file = plan.display
            resource = existing
        else:
            attrs.line = first.line
            resource = TfResource(kind=first.type, name=address, file=plan.display, line=first.line,
                                  mode=first.mode, block_name=first.name, module=first.module, attrs=attrs,
                                  instances=instances, source="plan", plan_file=plan.display, root=root,
                                  provider=first.type.split("_", 1)[0])
            if instances and all(isinstance(k, int) for k in keys):
                resource.count = len(keys)
            elif instances:
                resource.for_each = [str(k) for k in keys]
            created.append(resource)
        # tags_all holds default_tags too; when the plan does not know it yet, it stays unknown rather than
        # falling back to the resource's own tags.
        tags_all = attrs.get("tags_all") if attrs.get("tags_all") is not None else attrs.get("tags")
        resource.tags_unresolved = []
        if isinstance(tags_all, Unresolved):
            resource.tags_unresolved = [tags_all]
            resource.tags = {}
        elif isinstance(tags_all, dict):
            resource.tags = {str(k): v if isinstance(v, (str, Unresolved)) or v is None else _tag_text(v)
                             for k, v in tags_all.items()}
        hint = resource.tags.get(service_tag)
        resource.service_hint = hint if isinstance(hint, str) else ""
    return created


# -- the source ---------------------------------------------------------------------------------

def _dir_of(display: str) -> str:
    parent = str(PurePosixPath(display).parent)
    return parent if parent else "."


def _tfvars_values(display: str, text: str, loaded) -> dict:
    """A tfvars file's values; a problem (and no values) when it cannot be read."""
    if display.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            line, message = _json_error(exc)
            loaded.problems.append(Problem(display, line, message))
            return {}
        if not isinstance(data, dict):
            loaded.problems.append(Problem(display, 1, "a .tfvars.json file must hold a JSON object of variables"))
            return {}
        return data
    try:
        body = parse_hcl(text)
    except HclError as exc:
        line, column = exc.line_col(text)
        loaded.problems.append(Problem(display, line, f"HCL syntax error at column {column}: {exc.message}"))
        return {}
    for block in body.blocks:
        loaded.problems.append(Problem(display, block[3], f'a tfvars file holds only "name = value" lines, '
                                                          f'not the block "{block[0]}"; the block is ignored'))
    source = SourceText(display, text)
    return {name: plain(evaluate(expr, Scope(None, source))) for name, (_, expr, _) in body.attrs.items()}


def load_roots(tf_files: list[tuple[FoundFile, str]], tfvars_files: list[tuple[FoundFile, str]],
               plans: list[tuple[FoundFile, str]], loaded, root: Path, max_bytes: int, service_tag: str,
               var_files: list[tuple[str, str]] = (), parse=None) -> list[TfRoot]:
    """Parse, group into modules, evaluate every root module, apply plans. Problems and skipped paths go
    to `loaded`; `var_files` are extra (display, text) tfvars applied after the automatic ones; `parse` as for
    parse_tf_files."""
    parsed: dict[str, list[TfFile]] = {}
    paths: dict[str, Path] = {}
    tf_parsed = parse_tf_files([(found.display, text) for found, text in tf_files], parse)
    for (found, text), tf in zip(tf_files, tf_parsed):
        if tf.error:
            loaded.problems.append(Problem(found.display, tf.error[0], tf.error[1]))
        ignores = find_ignores(text)
        if ignores:
            loaded.ignores[found.display] = ignores
        directory = _dir_of(found.display)
        parsed.setdefault(directory, []).append(tf)
        paths.setdefault(directory, found.path.parent)
    dirs = {d: _ModuleDir(d, paths[d], files, loaded.problems) for d, files in sorted(parsed.items())}
    for module_dir in dirs.values():
        for tf in module_dir.overrides:
            loaded.skipped.append(Skipped(tf.display, "override file not merged: prc judges the blocks it "
                                                      "overrides as the other files write them"))
    called = {target for module_dir in dirs.values() for _, target in module_dir.local_sources()
              if target in dirs and target != module_dir.display}
    root_dirs = [d for d in dirs if d not in called]

    tfvars_by_dir: dict[str, list[tuple[str, str]]] = {}
    for found, text in tfvars_files:
        directory = _dir_of(found.display)
        name = PurePosixPath(found.display).name
        if directory in called and directory not in root_dirs:
            loaded.skipped.append(Skipped(found.display, "not applied: this directory is called as a module, and "
                                                         "tfvars files only set variables of a root module"))
        elif directory not in dirs:
            loaded.skipped.append(Skipped(found.display, "not applied: no .tf files in this directory"))
        elif not _AUTO_TFVARS.fullmatch(name):
            loaded.skipped.append(Skipped(found.display, "not applied: Terraform reads it only when given with "
                                                         "-var-file; variables keep their defaults and the "
                                                         "automatic tfvars values"))
        else:
            tfvars_by_dir.setdefault(directory, []).append((found.display, text))

    roots: list[TfRoot] = []
    root_by_dir: dict[str, TfRoot] = {}
    for directory in root_dirs:
        tf_root = TfRoot(directory)
        values: dict = {}
        ordered = sorted(tfvars_by_dir.get(directory, []), key=lambda item: _tfvars_order(item[0]))
        for display, text in list(ordered) + list(var_files):
            values.update(_tfvars_values(display, text, loaded))
            tf_root.var_files.append(display)
        context = _RootContext(dirs[directory], dirs, values, tf_root, loaded, root, max_bytes, service_tag)
        instance = _Instance(context, dirs[directory], (), None, {})
        instance.providers.update(instance.provider_configs(dirs[directory].providers))
        instance.collect()
        # Resources without a service tag of their own (data sources, null_resource, an IAM policy
        # attachment, an ASG whose tag blocks name none) belong to the service the default `aws` provider's
        # tags name; one on an aliased provider speaks only through that provider's tags.
        default_tags = (instance.providers.get("aws") or {}).get("default_tags")
        fallback = default_tags.get(service_tag) if isinstance(default_tags, dict) else None
        for resource in instance.resources:
            on_default_provider = resource.provider == "aws" or not resource.kind.startswith("aws_")
            if not resource.service_hint and isinstance(fallback, str) and on_default_provider:
                resource.service_hint = fallback
            tf_root.add(resource)
        roots.append(tf_root)
        root_by_dir[directory] = tf_root

    for found, text in plans:
        plan = _read_plan_file(found, text, loaded)
        if plan is None:
            continue
        tf_root = root_by_dir.get(_dir_of(found.display))
        matched = tf_root.dir if tf_root is not None else ""
        if tf_root is None:
            tf_root = TfRoot(_dir_of(found.display))
            roots.append(tf_root)
        tf_root.plan = TfPlan(plan.display, plan.format_version, plan.terraform_version, matched)
        for resource in _apply_plan(plan, tf_root, service_tag, loaded):
            tf_root.add(resource)
    return roots


def _tfvars_order(display: str) -> tuple:
    name = PurePosixPath(display).name
    if name == "terraform.tfvars":
        return (0, name)
    if name == "terraform.tfvars.json":
        return (1, name)
    return (2, name)


def _read_plan_file(found: FoundFile, text: str, loaded) -> PlanFile | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if found.kind == "json":
            loaded.skipped.append(Skipped(found.display, "not valid JSON, so not a Terraform plan; no source reads it"))
        else:
            line, message = _json_error(exc)
            loaded.problems.append(Problem(found.display, line, f"{message}; expected the output of "
                                                                "terraform show -json PLANFILE"))
        return None
    if not looks_like_plan(data):
        if found.kind == "json":
            loaded.skipped.append(Skipped(found.display, "not a Terraform plan (no format_version and "
                                                         "planned_values); no source reads this JSON"))
        else:
            loaded.problems.append(Problem(found.display, 1, "not a Terraform plan: expected the output of "
                                                             "terraform show -json PLANFILE, with format_version "
                                                             "and planned_values"))
        return None
    try:
        return read_plan(found.display, text, data)
    except PlanError as exc:
        loaded.problems.append(Problem(found.display, exc.line, exc.message))
        return None


def _given_var_files(ctx, files: list, texts: list, loaded) -> list[tuple[str, str, str]]:
    """(real path, display, text) of each var file named by --var-file or `terraform.var_files`, in order; a file
    the scan found too is not read twice. One that cannot be read is a problem, and the scan goes on."""
    found = {os.path.realpath(f.path): (f.display, t) for f, t in texts}
    unreadable = {os.path.realpath(f.path) for f in files} - set(found)  # already reported by read_each
    given = []
    for name in ctx.config.terraform_var_files:
        path = Path(os.path.normpath(ctx.root / name))
        real = os.path.realpath(path)
        if real in found:
            given.append((real, *found[real]))
            continue
        if real in unreadable:
            continue
        try:
            display = path.relative_to(ctx.root).as_posix()
        except ValueError:
            display = path.as_posix()
        loaded.files += 1
        try:
            given.append((real, display, read_text(path, ctx.max_file_bytes)))
        except FileReadError as exc:
            loaded.problems.append(Problem(display, exc.line, exc.message))
    return given


def load(files: list[FoundFile], ctx) -> Loaded:
    """The Terraform source: .tf and .tf.json (kind terraform), .tfvars (tfvars), plans (tfplan, or a .json
    named on the command line)."""
    from ..sources import Loaded, read_each

    loaded = Loaded()
    texts = list(read_each(files, ctx, loaded))
    var_files = _given_var_files(ctx, files, texts, loaded)
    given = {real for real, _, _ in var_files}
    tf_files = [(f, t) for f, t in texts if f.kind == "terraform"]
    # A tfvars file given as a var file is applied as one, not reported as skipped (nor applied twice when it is
    # also read automatically: applied last, its values win either way).
    tfvars = [(f, t) for f, t in texts if f.kind == "tfvars" and os.path.realpath(f.path) not in given]
    plans = [(f, t) for f, t in texts if f.kind in ("tfplan", "json")]
    # prc.memory.long_lived pauses the cyclic collector around every source: without that, it took ~45% of this
    # source's time on the 1,000-file tree.
    roots = load_roots(tf_files, tfvars, plans, loaded, ctx.root, ctx.max_file_bytes, ctx.config.service_tag,
                       var_files=[(display, text) for _, display, text in var_files], parse=ctx.parse)
    if var_files:
        # load_roots reads each var file once per root module: say what is wrong with one only once.
        shown = {display for _, display, _ in var_files}
        seen: set = set()
        kept = []
        for problem in loaded.problems:
            if problem.file in shown and problem in seen:
                continue
            seen.add(problem)
            kept.append(problem)
        loaded.problems = kept
    resources = [r for tf_root in roots for r in tf_root.resources]
    loaded.owners = list(resources)
    loaded.targets = list(resources)
    return loaded
