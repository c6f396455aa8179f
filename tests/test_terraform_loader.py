"""The Terraform source: HCL parsing, static evaluation, modules, plans, and bad input.

Fixtures live in tests/data/terraform/: `root/` (a root module with variables, tfvars, locals, IAM
policies written three ways, count/for_each, dynamic blocks, a local and a remote module), `plan/` (a
configuration and the `terraform show -json` plan of it) and `bad/` (one directory per kind of bad input).
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import textwrap
from pathlib import Path

import pytest

from prc.config import Config
from prc.discovery import DEFAULT_MAX_FILE_BYTES, FoundFile, Problem, Skipped, discover
from prc.loaders import terraform
from prc.loaders.terraform import TfResource, Unresolved, find_unresolved, parse_tf
from prc.loaders.terraform_hcl import HclError, parse_hcl
from prc.model import Location, Status, TargetRef
from prc.sources import LoadContext

from .conftest import REPO, run_scan

DATA = Path(__file__).parent / "data" / "terraform"
KINDS = ("terraform", "tfvars", "tfplan", "json")


def load_dir(root: Path, *explicit: Path, config: Config | None = None):
    found, skipped = discover([root, *explicit] if not explicit else list(explicit), root, [])
    loaded = terraform.load([f for f in found if f.kind in KINDS],
                            LoadContext(root, DEFAULT_MAX_FILE_BYTES, config or Config()))
    loaded.skipped += skipped
    return loaded


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def by_name(loaded) -> dict[str, TfResource]:
    return {r.name: r for r in loaded.targets}


def local_value(tmp_path: Path, expression: str, extra: str = "", files: dict | None = None) -> object:
    """The value of one expression, evaluated as a resource argument in a fresh root module."""
    write_tree(tmp_path, {"main.tf": f'{extra}\nresource "null_resource" "probe" {{\n  value = {expression}\n}}\n',
                          **(files or {})})
    loaded = load_dir(tmp_path)
    assert loaded.problems == []
    return by_name(loaded)["null_resource.probe"].attrs["value"]


# -- parser --------------------------------------------------------------------------------------

def test_blocks_labels_attributes_and_lines():
    text = textwrap.dedent('''\
        # a comment
        resource "aws_instance" "web" {
          ami = "ami-1"   // trailing comment

          /* a block
             comment */
          metadata_options {
            http_tokens = "required"
          }
          ebs_block_device { device_name = "/dev/sdb" }
          lifecycle {}
        }
        resource aws_iam_role bare_labels {
        }
        ''')
    body = parse_hcl(text)
    (web, bare) = body.blocks
    assert web[:2] == ("resource", ("aws_instance", "web")) and (web[3], web[4]) == (2, 12)
    assert web[2].attrs["ami"][1][3] == "ami-1" and web[2].attrs["ami"][2] == 3
    assert [(b[0], b[3]) for b in web[2].blocks] == [("metadata_options", 7), ("ebs_block_device", 10),
                                                     ("lifecycle", 11)]
    assert web[2].blocks[1][2].attrs["device_name"][1][3] == "/dev/sdb"
    assert bare[:2] == ("resource", ("aws_iam_role", "bare_labels"))


def test_heredocs_keep_or_trim_their_indentation(tmp_path):
    value = local_value(tmp_path, 'local.both', extra=textwrap.dedent('''\
        locals {
          plain = <<EOF
          kept as written
        EOF
          trimmed = <<-EOT
            {
              "a": "${upper("x")}"
            }
            EOT
          both = [local.plain, local.trimmed]
        }
        '''))
    assert value == ["  kept as written\n", '{\n  "a": "X"\n}\n']


def test_templates_escapes_directives_and_strip_markers(tmp_path):
    value = local_value(tmp_path, "local.all", extra=textwrap.dedent('''\
        locals {
          names = ["a", "b"]
          all = [
            "$${not.interpolated} %%{not.a.directive}",
            "tab\\there \\"quoted\\" \\u00e9",
            "%{ if length(local.names) > 1 }many%{ else }one%{ endif }",
            "%{ for n in local.names }[${n}]%{ endfor }",
            "x ${~ "y" ~} z",
            "${local.names}",
          ]
        }
        '''))
    assert value == ["${not.interpolated} %{not.a.directive}", 'tab\there "quoted" é', "many", "[a][b]", "xyz",
                     ["a", "b"]]


def test_operators_conditionals_for_expressions_and_splats(tmp_path):
    value = local_value(tmp_path, "local.all", extra=textwrap.dedent('''\
        locals {
          servers = [{ name = "a", port = 80 }, { name = "b", port = 22 }]
          all = {
            precedence = 1 + 2 * 3 == 7 && !false || false
            negative   = -4 % 3
            compare    = 2 >= 2 ? "yes" : "no"
            tuple_for  = [for s in local.servers : upper(s.name) if s.port != 22]
            object_for = { for i, s in local.servers : s.name => i }
            grouped    = { for s in local.servers : "all" => s.port... }
            splat      = local.servers[*].port
            attr_splat = local.servers.*.name
            legacy     = local.servers.0.name
            nested     = (local.servers)[1]["name"]
          }
        }
        '''))
    assert value == {"precedence": True, "negative": -1, "compare": "yes", "tuple_for": ["A"],
                     "object_for": {"a": 0, "b": 1}, "grouped": {"all": [80, 22]}, "splat": [80, 22],
                     "attr_splat": ["a", "b"], "legacy": "a", "nested": "b"}


@pytest.mark.parametrize("text, line, message", [
    ('resource "aws_instance" "web" {\n  ami "abc"\n}\n', 2,
     'HCL syntax error at column 12: expected "=" to set the attribute "ami", or "{" to open the block ami "abc", '
     "found the end of the line"),
    ('resource "aws_instance" "web" {\n  ami = "abc"\n', 1,
     'HCL syntax error at column 31: unclosed block: expected "}" before the end of the file for the "{" opened '
     "on line 1"),
    ('locals {\n  p = <<EOF\n{}\n}\n', 2,
     'HCL syntax error at column 7: unterminated heredoc: no line "EOF" closes the heredoc "<<EOF" opened on line 2'),
    ('variable "x" {\n  default = "abc\n}\n', 2,
     "HCL syntax error at column 17: unterminated string: a quoted string must end on the line it starts (use a "
     'heredoc "<<EOT" for text on several lines)'),
    ('locals {\n  a = 1\n}\n}\n', 4, 'HCL syntax error at column 1: unexpected "}": no block is open here'),
    ('locals {\n  a = [1, 2,, 3]\n}\n', 2, 'HCL syntax error at column 13: expected an expression, found ","'),
    ('locals {\n  a = 1\n  a = 2\n}\n', 3,
     'HCL syntax error at column 3: attribute "a" is already set in this block on line 2'),
    ('locals {\n  a = { b = 1 c = 2 }\n}\n', 2,
     'HCL syntax error at column 15: expected "," or a newline between the items of the object, or "}", found "c"'),
    ('locals {\n  a = "${var.x"\n}\n', 2,
     'HCL syntax error at column 15: expected "}" to close the interpolation "${", found \'"\''),
    ('locals {\n  a = 1 /* never closed\n}\n', 2,
     'HCL syntax error at column 9: unterminated comment: "/*" is never closed with "*/"'),
    ('locals {\n  a = "\\q"\n}\n', 2,
     'HCL syntax error at column 8: invalid escape "\\q" in a quoted string (valid: \\n \\r \\t \\" \\\\ \\uNNNN)'),
])
def test_syntax_errors_name_line_column_and_what_was_expected(text, line, message):
    assert parse_tf("main.tf", text).error == (line, message)


def test_deep_nesting_is_an_error_not_a_crash():
    error = parse_tf("deep.tf", "locals {\n  a = " + "[" * 5000 + "]" * 5000 + "\n}\n").error
    assert error == (2, "HCL syntax error at column 106: nesting deeper than 100 levels")
    error = parse_tf("deep.tf", "locals {\n  a = " + '"${' * 500 + "1" + '}"' * 500 + "\n}\n").error
    assert error == (2, "HCL syntax error at column 305: nesting deeper than 100 levels")
    # Just inside the limit: parsed and evaluated.
    assert parse_tf("ok.tf", "locals {\n  a = " + "[" * 99 + "]" * 99 + "\n}\n").error is None


def test_parsed_files_can_be_pickled_for_a_cache_or_a_process_pool():
    text = (DATA / "root" / "iam.tf").read_text()
    parsed = parse_tf("iam.tf", text)
    again = pickle.loads(pickle.dumps(parsed))
    assert [b[:2] for b in again.body.blocks] == [b[:2] for b in parsed.body.blocks]
    assert again.body.blocks[1][2].attrs == parsed.body.blocks[1][2].attrs


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_tf_tree", REPO / "bench" / "gen_tf_tree.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shape(body):
    """Block tree and literal attribute values, in the form both parsers can give."""
    from prc.loaders.terraform_hcl import LIT, REF, TUP
    attrs = {}
    for name, (_, node, _) in body.attrs.items():
        if node[0] == LIT:
            attrs[name] = node[3].rstrip("\n") if isinstance(node[3], str) else node[3]
        elif node[0] == REF and not node[4]:
            attrs[name] = node[3]
        elif node[0] == TUP and all(item[0] == LIT for item in node[3]):
            attrs[name] = [item[3] for item in node[3]]
        else:
            attrs[name] = "<expression>"
    return sorted(attrs.items(), key=repr), sorted(((b[0], b[1], _shape(b[2])) for b in body.blocks), key=repr)


def _shape_hcl2(data):
    attrs, blocks = {}, []

    def value(v):
        if isinstance(v, str):
            return "<expression>" if "${" in v or "%{" in v else v.replace('\\"', '"').rstrip("\n")
        if isinstance(v, list):
            items = [value(i) for i in v]
            return "<expression>" if any(i == "<expression>" or isinstance(i, (dict, list)) for i in items) else v
        return "<expression>" if isinstance(v, dict) else v

    def labelled(kind, labels, node):
        if node.get("__is_block__"):
            blocks.append((kind, tuple(labels), _shape_hcl2(node)))
            return
        for key, inner in node.items():
            if not key.startswith("__"):
                labelled(kind, labels + [key], inner)

    for key, v in data.items():
        if key.startswith("__"):
            continue
        if isinstance(v, list) and v and all(isinstance(i, dict) for i in v) and \
                (all(i.get("__is_block__") for i in v) or not any("__is_block__" in i for i in v)):
            for item in v:
                labelled(key, [], item)
        else:
            attrs[key] = value(v)
    return sorted(attrs.items(), key=repr), sorted(blocks, key=repr)


def test_agrees_with_python_hcl2_on_blocks_labels_and_literals():
    """Differential test: the hand-written parser and python-hcl2 read the same tree the same way."""
    hcl2 = pytest.importorskip("hcl2")
    from hcl2.utils import SerializationOptions
    options = SerializationOptions(with_comments=False, strip_string_quotes=True, explicit_blocks=True,
                                   preserve_heredocs=False)
    texts = [(path, text) for path, text in _gen_module().generate(60, seed=7) if path.endswith(".tf")]
    texts += [(str(p), p.read_text()) for p in sorted(DATA.rglob("*.tf")) if "bad" not in p.parts]
    assert len(texts) == 70
    for path, text in texts:
        assert _shape(parse_hcl(text)) == _shape_hcl2(hcl2.loads(text, serialization_options=options)), path


# -- the root module fixture -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def root_loaded():
    return load_dir(DATA / "root")


def test_every_resource_and_data_block_with_address_file_and_line(root_loaded):
    assert [(r.name, r.file, r.line, r.mode) for r in root_loaded.targets] == [
        ("aws_instance.bastion", "compute.tf", 1, "managed"),
        ("aws_ebs_volume.data", "compute.tf", 20, "managed"),
        ("aws_security_group.app", "compute.tf", 33, "managed"),
        ("aws_cloudwatch_metric_alarm.app", "compute.tf", 59, "managed"),
        ("aws_s3_bucket.replica", "compute.tf", 77, "managed"),
        ("data.aws_iam_policy_document.assume", "iam.tf", 1, "data"),
        ("aws_iam_role.app", "iam.tf", 13, "managed"),
        ("aws_iam_policy.heredoc", "iam.tf", 19, "managed"),
        ("aws_iam_role_policy.encoded", "iam.tf", 35, "managed"),
        ("data.aws_iam_policy_document.deploy", "iam.tf", 57, "data"),
        ("aws_iam_role_policy.deploy", "iam.tf", 78, "managed"),
        ("aws_iam_policy.from_file", "iam.tf", 84, "managed"),
        ("module.app.aws_launch_template.this", "modules/app/main.tf", 1, "managed"),
        ("module.app.aws_autoscaling_group.this", "modules/app/main.tf", 11, "managed"),
    ]
    assert root_loaded.owners == root_loaded.targets
    assert root_loaded.problems == []
    assert root_loaded.skipped == [
        Skipped("staging.tfvars", "not applied: Terraform reads it only when given with -var-file; variables "
                                  "keep their defaults and the automatic tfvars values"),
        Skipped("modules.tf", 'line 10: remote module "terraform-aws-modules/vpc/aws" (module.vpc) not scanned; '
                              "its resources are not checked"),
    ]


def test_variables_tfvars_and_locals_are_resolved(root_loaded):
    bastion = by_name(root_loaded)["aws_instance.bastion"]
    # zz.auto.tfvars ("prod") is read after terraform.tfvars ("production"); locals refer to each other.
    assert bastion.attrs["tags"] == {"Team": "payments", "Component": "CHECKOUT", "Name": "prod-checkout-bastion"}
    assert bastion.attrs["subnet_id"] == "subnet-0aa"
    assert bastion.root.var_files == ["terraform.tfvars", "zz.auto.tfvars"]
    kms = bastion.get("root_block_device[0].kms_key_id")
    assert isinstance(kms, Unresolved)
    assert (kms.expression, kms.reason) == (
        "var.kms_key_arn", "variable kms_key_arn has no default and no value in terraform.tfvars or *.auto.tfvars "
                           "(a value given with -var at plan time is not known)")
    # `min_size = "2"` in terraform.tfvars is converted to the declared number type and passed to the module.
    assert by_name(root_loaded)["module.app.aws_autoscaling_group.this"].attrs["min_size"] == 2


def test_nested_attributes_are_located_on_their_own_lines(root_loaded):
    bastion = by_name(root_loaded)["aws_instance.bastion"]
    assert bastion.locate("metadata_options[0].http_tokens") == Location("compute.tf", 9)
    assert bastion.locate("root_block_device") == Location("compute.tf", 12)
    assert bastion.locate("tags.Name") == Location("compute.tf", 17)  # built by merge(): the attribute's line
    assert bastion.locate("") == Location("compute.tf", 1)
    assert bastion.get("metadata_options.http_tokens") == "optional"
    assert bastion.blocks("metadata_options") == [{"http_endpoint": "enabled", "http_tokens": "optional"}]
    assert bastion.blocks("ebs_block_device") == []
    group = by_name(root_loaded)["aws_security_group.app"]
    assert group.locate("ingress[1].cidr_blocks") == Location("compute.tf", 45)


def test_default_tags_merge_under_resource_tags_and_give_the_service_hint(root_loaded):
    resources = by_name(root_loaded)
    assert resources["aws_instance.bastion"].tags == {
        "Service": "checkout", "Owner": "team-payments", "Environment": "prod", "Team": "payments",
        "Component": "CHECKOUT", "Name": "prod-checkout-bastion"}
    assert resources["aws_instance.bastion"].service_hint == "checkout"
    # An aliased provider's default_tags for a resource that selects it.
    assert (resources["aws_s3_bucket.replica"].provider, resources["aws_s3_bucket.replica"].tags) == (
        "aws.dr", {"Service": "checkout-dr"})
    # An ASG's tags are its tag blocks only: the AWS provider does not apply default_tags to it. It still
    # belongs to the service the default provider's tags name.
    asg = resources["module.app.aws_autoscaling_group.this"]
    assert asg.tags == {"Component": "CHECKOUT", "Team": "payments"}
    assert asg.service_hint == "checkout"
    # A data source has no tags, but belongs to the service the default provider's tags name.
    assert resources["data.aws_iam_policy_document.assume"].tags == {}
    assert resources["data.aws_iam_policy_document.assume"].service_hint == "checkout"
    assert all(r.tags_unresolved == [] for r in root_loaded.targets)


def test_service_tag_name_comes_from_config():
    loaded = load_dir(DATA / "root", config=Config(service_tag="Owner"))
    assert by_name(loaded)["aws_instance.bastion"].service_hint == "team-payments"


def test_policies_heredoc_file_jsonencode_and_policy_document(root_loaded):
    resources = by_name(root_loaded)
    heredoc = json.loads(resources["aws_iam_policy.heredoc"].attrs["policy"])
    assert heredoc["Statement"][0]["Resource"] == "arn:aws:logs:eu-west-1:*:log-group:/app/prod-checkout*"
    assert json.loads(resources["aws_iam_policy.from_file"].attrs["policy"])["Statement"][0]["Sid"] == "ReadAssets"
    assert json.loads(resources["aws_iam_role.app"].attrs["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}
    deploy = resources["aws_iam_role_policy.deploy"].attrs["policy"]
    assert deploy == resources["data.aws_iam_policy_document.deploy"].attrs["json"]
    assert json.loads(deploy) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "Refresh", "Effect": "Allow",
         "Action": ["autoscaling:StartInstanceRefresh", "autoscaling:DescribeAutoScalingGroups"], "Resource": "*"},
        {"Sid": "DenyElsewhere", "Effect": "Deny", "NotAction": ["sts:*", "iam:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}
    document = resources["data.aws_iam_policy_document.deploy"]
    assert document.locate("statement[1].condition[0]") == Location("iam.tf", 70)
    assert document.locate("statement[1].condition[0].values") == Location("iam.tf", 73)


def test_jsonencode_with_an_unknown_value_keeps_the_known_part(root_loaded):
    policy = by_name(root_loaded)["aws_iam_role_policy.encoded"].attrs["policy"]
    assert isinstance(policy, Unresolved)
    assert policy.expression.startswith('jsonencode({ Version = "2012-10-17" Statement = [')
    assert policy.reason.startswith("variable kms_key_arn has no default")
    statements = policy.partial["Statement"]
    assert statements[0] == {"Sid": "Assets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                             "Resource": "arn:aws:s3:::prod-checkout-assets/*"}
    assert isinstance(statements[1]["Resource"], Unresolved)
    assert statements[1]["Resource"].expression == "var.kms_key_arn"


def test_count_and_for_each_give_one_target_with_its_instances(root_loaded):
    resources = by_name(root_loaded)
    volumes = resources["aws_ebs_volume.data"]
    assert volumes.count == 2 and sorted(volumes.instances) == [0, 1]
    assert [v["availability_zone"] for v in volumes.instances.values()] == ["eu-west-1a", "eu-west-1b"]
    assert (volumes.attrs["size"], volumes.attrs["encrypted"]) == (100, True)  # all instances agree
    zone = volumes.attrs["availability_zone"]
    assert (zone.expression, zone.reason) == ('"${var.region}${["a", "b", "c"][count.index]}"',
                                              "differs between the 2 instances of count/for_each")
    assert "aws_ebs_volume.scratch" not in resources  # count = 0 creates nothing
    alarms = resources["aws_cloudwatch_metric_alarm.app"]
    assert alarms.for_each == ["cpu", "memory"]
    assert alarms.instances["memory"]["alarm_description"] == "Runbook: https://runbooks.example.com/checkout/memory"
    assert alarms.instances["cpu"]["threshold"] == 80
    assert alarms.attrs["dimensions"] == {"AutoScalingGroupName": "prod-checkout"}  # a module output


def test_dynamic_blocks_expand_or_stay_unknown(root_loaded):
    group = by_name(root_loaded)["aws_security_group.app"]
    assert group.attrs["ingress"] == [
        {"description": "http", "from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
        {"description": "ssh", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}]
    (egress,) = group.attrs["egress"]
    assert isinstance(egress, Unresolved) and egress.expression == "var.egress_ports"
    assert egress.reason.startswith('the "egress" blocks of this dynamic block are not known: variable egress_ports')
    assert "initial_lifecycle_hook" not in by_name(root_loaded)["module.app.aws_autoscaling_group.this"].attrs


def test_references_link_resources_both_ways(root_loaded):
    resources = by_name(root_loaded)
    assert resources["aws_iam_role_policy.deploy"].refs == {
        "role": ("aws_iam_role.app",), "policy": ("data.aws_iam_policy_document.deploy",)}
    assert resources["module.app.aws_autoscaling_group.this"].refs == {
        "launch_template": ("module.app.aws_launch_template.this",)}
    root = resources["aws_iam_role.app"].root
    assert [r.name for r in root.referencing("aws_iam_role.app")] == [
        "aws_iam_role_policy.encoded", "aws_iam_role_policy.deploy"]
    assert root.by_address("aws_iam_role.app") is resources["aws_iam_role.app"]
    assert [r.name for r in root.of_type("aws_iam_role_policy")] == [
        "aws_iam_role_policy.encoded", "aws_iam_role_policy.deploy"]
    # The role name is a configured argument of another resource, so it is known; its id is not.
    assert resources["aws_iam_role_policy.encoded"].attrs["role"] == "prod-checkout-app"
    role_id = resources["aws_iam_role_policy.deploy"].attrs["role"]
    assert (role_id.expression, role_id.reason) == ("aws_iam_role.app.id", "aws_iam_role.app.id is known only after "
                                                                           "apply")


def test_modules_roots_and_calls(root_loaded):
    asg = by_name(root_loaded)["module.app.aws_autoscaling_group.this"]
    assert (asg.module, asg.root.dir) == (("app",), ".")
    assert asg.ref == TargetRef("aws_autoscaling_group", "module.app.aws_autoscaling_group.this", ".")
    assert by_name(root_loaded)["aws_iam_role.app"].ref == TargetRef("aws_iam_role", "aws_iam_role.app")
    assert [(c.address, c.source, c.file, c.line, c.local, c.scanned, c.dir) for c in asg.root.module_calls] == [
        ("module.app", "./modules/app", "modules.tf", 1, True, True, "modules/app"),
        ("module.vpc", "terraform-aws-modules/vpc/aws", "modules.tf", 10, False, False, ""),
    ]


def test_a_module_called_by_two_roots_is_loaded_under_each(tmp_path):
    module = {"modules/bucket/main.tf": '''
        variable "name" {}
        resource "aws_s3_bucket" "this" {
          bucket = var.name
        }
        '''}
    write_tree(tmp_path, {**module,
                          "a/main.tf": 'module "b" {\n  source = "../modules/bucket"\n  name = "a-logs"\n}\n',
                          "b/main.tf": 'module "b" {\n  source = "../modules/bucket"\n  name = "b-logs"\n}\n'})
    loaded = load_dir(tmp_path)
    assert [(r.root.dir, r.name, r.file, r.attrs["bucket"], r.ref.namespace) for r in loaded.targets] == [
        ("a", "module.b.aws_s3_bucket.this", "modules/bucket/main.tf", "a-logs", "a"),
        ("b", "module.b.aws_s3_bucket.this", "modules/bucket/main.tf", "b-logs", "b"),
    ]


def test_module_inputs_outputs_providers_and_missing_sources(tmp_path):
    write_tree(tmp_path, {
        "main.tf": '''
            provider "aws" {
              default_tags {
                tags = { Owner = "team-a" }
              }
            }
            provider "aws" {
              alias = "b"
              default_tags {
                tags = { Owner = "team-b" }
              }
            }
            module "one" {
              source = "./mod"
              providers = {
                aws = aws.b
              }
            }
            module "gone" {
              source = "./not-there"
            }
            module "git" {
              source = "git::https://example.com/infra.git//vpc?ref=v1.2.0"
            }
            resource "aws_sns_topic" "t" {
              name = module.one.topic
              tags = { Missing = module.gone.x, Remote = module.git.y }
            }
            ''',
        "mod/main.tf": '''
            variable "prefix" {
              default = "mod"
            }
            resource "aws_sqs_queue" "q" {
              name = "${var.prefix}-queue"
            }
            output "topic" {
              value = "${aws_sqs_queue.q.name}-topic"
            }
            '''})
    loaded = load_dir(tmp_path)
    resources = by_name(loaded)
    assert resources["module.one.aws_sqs_queue.q"].tags == {"Owner": "team-b"}
    topic = resources["aws_sns_topic.t"]
    assert topic.attrs["name"] == "mod-queue-topic"
    assert topic.tags["Owner"] == "team-a"
    assert (topic.tags["Missing"].reason, topic.tags["Remote"].reason) == (
        'local module "./not-there" is not in the scanned tree',
        'remote module "git::https://example.com/infra.git//vpc?ref=v1.2.0" is not scanned')
    assert loaded.skipped == [
        Skipped("main.tf", 'line 18: local module "./not-there" (module.gone) is not in the scanned tree; its '
                           "resources are not checked"),
        Skipped("main.tf", 'line 21: remote module "git::https://example.com/infra.git//vpc?ref=v1.2.0" '
                           "(module.git) not scanned; its resources are not checked"),
    ]


def test_module_with_count_or_for_each(tmp_path):
    write_tree(tmp_path, {
        "mod/main.tf": 'variable "name" {}\nresource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n',
        "main.tf": '''
            module "many" {
              source = "./mod"
              count  = 2
              name   = "m-${count.index}"
            }
            module "one" {
              source   = "./mod"
              for_each = toset(["x"])
              name     = each.key
            }
            module "none" {
              source = "./mod"
              count  = 0
              name   = "never"
            }
            '''})
    resources = by_name(load_dir(tmp_path))
    assert sorted(resources) == ["module.many.aws_s3_bucket.this", "module.one.aws_s3_bucket.this"]
    many = resources["module.many.aws_s3_bucket.this"].attrs["bucket"]
    assert (many.expression, many.reason) == ("var.name", "differs between the 2 instances of module.many")
    assert resources["module.one.aws_s3_bucket.this"].attrs["bucket"] == "x"


def test_heredoc_and_file_texts_map_their_lines_to_the_file(root_loaded):
    resources = by_name(root_loaded)
    assert resources["aws_iam_policy.heredoc"].text_location("policy", 3) == Location("iam.tf", 24)
    assert resources["aws_iam_policy.from_file"].text_location("policy", 4) == Location("policies/read.json", 4)
    # A rendered policy document has no lines of its own: the attribute's line.
    assert resources["aws_iam_role_policy.deploy"].text_location("policy", 2) == Location("iam.tf", 81)


def test_unresolved_values_refuse_to_be_judged_as_booleans():
    value = Unresolved("var.encrypted", "no value")
    with pytest.raises(TypeError, match="var.encrypted is not known statically"):
        bool(value)
    assert value != "true" and value != True  # noqa: E712 - never equal to a real value
    assert find_unresolved({"a": [1, {"b": value}]}) is value
    assert find_unresolved({"a": [1]}) is None
    assert value.describe() == "var.encrypted (no value)"
    assert pickle.loads(pickle.dumps(value)) == value


# -- evaluation details ------------------------------------------------------------------------------

@pytest.mark.parametrize("expression, expected", [
    ('merge({ a = 1, b = 2 }, { b = 3 })', {"a": 1, "b": 3}),
    ('jsonencode({ b = [1, "x"], a = true, c = null })', '{"a":true,"b":[1,"x"],"c":null}'),
    ('format("%s-%03d", "web", 7)', "web-007"),
    ('join(",", concat(["a"], ["b", "c"]))', "a,b,c"),
    ('lookup({ a = "x" }, "b", "default")', "default"),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('length([1, 2, 3]) + max(4, 9) - min(2, 8)', 10),
    ('coalesce("", null, "first")', "first"),
    ('flatten([[1], [2, [3]]])', [1, 2, 3]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('jsondecode("{\\"a\\": [1, 2]}").a[1]', 2),
    ('try(local.missing.x, "fallback")', "fallback"),
    ('can(local.missing.x)', False),
    ('substr("production", 0, 4)', "prod"),
    ('element(["a", "b"], 3)', "b"),
    ('"${2 + 3}"', 5),  # a template that is one interpolation gives the value itself
    ('"n${2 + 3}"', "n5"),
    ('tostring(true)', "true"),
])
def test_functions_and_expressions(tmp_path, expression, expected):
    assert local_value(tmp_path, expression, extra='locals {\n  missing = {}\n}\n') == expected


@pytest.mark.parametrize("expression, unresolved, reason", [
    ("timestamp()", "timestamp()", "timestamp() gives the time of the run"),
    ('regex("[a-z]+", "abc")', 'regex("[a-z]+", "abc")', "regex() uses a regular expression, which prc does not "
                                                         "evaluate"),
    ('cidrsubnet("10.0.0.0/16", 8, 1)', 'cidrsubnet("10.0.0.0/16", 8, 1)', "function cidrsubnet() is not "
                                                                          "evaluated by prc"),
    ("provider::aws::arn_parse(var.x)", "provider::aws::arn_parse(var.x)", "provider function "
                                                                            "provider::aws::arn_parse() is not "
                                                                            "evaluated"),
    ("terraform.workspace", "terraform.workspace", "terraform.workspace is chosen when Terraform runs"),
    ("data.aws_caller_identity.me.account_id", "data.aws_caller_identity.me.account_id",
     "data.aws_caller_identity.me.account_id is read from the provider when Terraform plans"),
    ('upper(var.x)', "upper(var.x)", "variable x has no default and no value in terraform.tfvars or *.auto.tfvars "
                                     "(a value given with -var at plan time is not known)"),
    ('var.flag ? "a" : "b"', 'var.flag ? "a" : "b"', "variable flag has no default and no value in "
                                                      "terraform.tfvars or *.auto.tfvars (a value given with -var "
                                                      "at plan time is not known)"),
    ('[1, 2][5]', "[1, 2][5]", "cannot be evaluated: index 5 is out of range for a list of 2"),
])
def test_what_cannot_be_known_stays_unresolved_with_its_expression(tmp_path, expression, unresolved, reason):
    extra = 'variable "x" {}\nvariable "flag" {}\ndata "aws_caller_identity" "me" {}\n'
    value = local_value(tmp_path, expression, extra=extra)
    assert isinstance(value, Unresolved)
    assert (value.expression, value.reason) == (unresolved, reason)


def test_what_does_not_depend_on_an_unknown_is_still_known(tmp_path):
    value = local_value(tmp_path, "local.all", extra=textwrap.dedent('''\
        variable "x" {}
        locals {
          all = {
            short_circuit = false && var.x
            same_branches = var.x ? "same" : "same"
            length        = length([var.x, 2])
            known_keys    = merge({ a = var.x }, { b = 1 })
          }
        }
        '''))
    assert value["short_circuit"] is False and value["same_branches"] == "same" and value["length"] == 2
    assert value["known_keys"]["b"] == 1 and isinstance(value["known_keys"]["a"], Unresolved)


def test_hostile_loops_are_cut_short(tmp_path):
    value = local_value(tmp_path, "[for a in range(1000) : [for b in range(1000) : [a, b]]]")
    assert value.reason == "the expression builds more than 100000 elements; not evaluated"
    write_tree(tmp_path, {"main.tf": '''
        resource "aws_security_group" "g" {
          dynamic "ingress" {
            for_each = range(1000)
            content {
              dynamic "ip_range" {
                for_each = range(1000)
                content {
                  cidr = "10.0.0.0/8"
                }
              }
            }
          }
        }
        '''})
    (group,) = load_dir(tmp_path).targets
    assert len(group.attrs["ingress"]) == 1000
    assert group.attrs["ingress"][-1]["ip_range"][0].reason == ("dynamic blocks beyond 10000 in one resource are "
                                                                "not evaluated")


def test_templatefile_and_fileexists_inside_the_tree(tmp_path):
    files = {"templates/user_data.sh.tftpl": "#!/bin/sh\n%{ for p in ports ~}\nopen ${p}\n%{ endfor ~}\n"}
    value = local_value(tmp_path, '[templatefile("templates/user_data.sh.tftpl", { ports = [80, 443] }), '
                                  'fileexists("templates/user_data.sh.tftpl"), fileexists("nope.txt")]', files=files)
    assert value == ["#!/bin/sh\nopen 80\nopen 443\n", True, False]
    missing = local_value(tmp_path, 'file("policies/missing.json")')
    assert (missing.expression, missing.reason) == ('file("policies/missing.json")',
                                                    'no file "policies/missing.json" in the scanned tree')


def test_tfvars_json_and_terraform_json_syntax(tmp_path):
    write_tree(tmp_path, {
        "main.tf.json": '''
            {
              "variable": {"env": {"default": "dev"}, "size": {"type": "number"}},
              "locals": {"name": "${var.env}-app"},
              "resource": {
                "aws_ebs_volume": {
                  "data": {"size": "${var.size}", "encrypted": true, "tags": {"Name": "${local.name}"}}
                }
              }
            }
            ''',
        "terraform.tfvars.json": '{"env": "prod", "size": "30"}\n'})
    loaded = load_dir(tmp_path)
    assert loaded.problems == []
    (volume,) = loaded.targets
    assert (volume.name, volume.file, volume.line) == ("aws_ebs_volume.data", "main.tf.json", 6)
    assert volume.attrs == {"size": 30, "encrypted": True, "tags": {"Name": "prod-app"}}
    assert volume.locate("tags") == Location("main.tf.json", 6)


def test_ignore_comments_in_tf_files_are_collected(tmp_path):
    write_tree(tmp_path, {"main.tf": '''
        # prc:ignore PRC-TF-100 bastion is replaced by SSM next sprint
        resource "aws_instance" "bastion" {
          ami = "ami-1"
        }
        '''})
    loaded = load_dir(tmp_path)
    [ignore] = loaded.ignores["main.tf"]
    assert (ignore.checks, ignore.applies_to, loaded.targets[0].header_line) == (("PRC-TF-100",), 2, 2)


# -- plans -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_loaded():
    return load_dir(DATA / "plan")


def test_plan_values_win_and_the_location_stays_in_the_tf_file(plan_loaded):
    web = by_name(plan_loaded)["aws_instance.web"]
    assert (web.source, web.file, web.line, web.plan_file) == ("config+plan", "main.tf", 16, "orders.tfplan.json")
    # var.http_tokens has no value in the configuration; the plan knows it.
    assert web.get("metadata_options[0].http_tokens") == "required"
    assert web.locate("metadata_options[0].http_tokens") == Location("main.tf", 21)
    assert web.tags == {"Name": "orders-web", "Owner": "team-orders", "Service": "orders"}
    assert web.service_hint == "orders"
    arn = web.attrs["arn"]
    assert (arn.expression, arn.reason) == ("aws_instance.web.arn", "known only after apply (the plan marks it "
                                                                    "unknown)")
    assert web.root.plan == terraform.TfPlan("orders.tfplan.json", "1.2", "1.7.5", ".")


def test_plan_instances_are_merged_by_block(plan_loaded):
    volumes = by_name(plan_loaded)["aws_ebs_volume.data"]
    assert [v["availability_zone"] for v in volumes.instances.values()] == ["eu-west-1a", "eu-west-1b"]
    assert volumes.attrs["encrypted"] is True and volumes.locate("encrypted") == Location("main.tf", 33)
    assert isinstance(volumes.attrs["availability_zone"], Unresolved)


def test_a_resource_only_in_the_plan_points_at_its_address_line(plan_loaded):
    db = by_name(plan_loaded)["module.db.module.db_instance.aws_db_instance.this"]
    assert (db.source, db.file, db.line, db.module, db.kind, db.count) == (
        "plan", "orders.tfplan.json", 132, ("db", "db_instance"), "aws_db_instance", 1)
    assert (db.attrs["multi_az"], db.attrs["backup_retention_period"]) == (False, 1)
    assert db.locate("multi_az") == Location("orders.tfplan.json", 132)
    assert db.tags["Service"] == "orders"


def test_a_plan_named_on_the_command_line_as_json(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text((DATA / "plan" / "orders.tfplan.json").read_text())
    loaded = load_dir(tmp_path, plan)
    assert sorted(r.name for r in loaded.targets) == [
        "aws_ebs_volume.data", "aws_instance.web", "module.db.module.db_instance.aws_db_instance.this"]
    assert {(r.file, r.source) for r in loaded.targets} == {("plan.json", "plan")}
    assert loaded.targets[0].root.plan == terraform.TfPlan("plan.json", "1.2", "1.7.5", "")


def test_json_that_is_not_a_plan_is_skipped_with_a_reason(tmp_path):
    other = tmp_path / "package.json"
    other.write_text('{"name": "web"}\n')
    found = [FoundFile(other, "package.json", "json", explicit=True)]
    loaded = terraform.load(found, LoadContext(tmp_path, DEFAULT_MAX_FILE_BYTES, Config()))
    assert (loaded.targets, loaded.problems) == ([], [])
    assert loaded.skipped == [Skipped("package.json", "not a Terraform plan (no format_version and planned_values); "
                                                      "no source reads this JSON")]


# -- bad input ---------------------------------------------------------------------------------------

def test_syntax_error_is_reported_and_the_rest_of_the_tree_is_scanned():
    loaded = load_dir(DATA / "bad" / "syntax")
    assert loaded.problems == [Problem(
        "main.tf", 3, 'HCL syntax error at column 27: expected "=" to set the attribute "instance_type", or "{" to '
                      'open the block instance_type "t3.micro", found the end of the line')]
    assert [r.name for r in loaded.targets] == ["aws_ebs_volume.data"]
    assert loaded.files == 2


def test_unterminated_heredoc():
    assert load_dir(DATA / "bad" / "heredoc").problems == [Problem(
        "main.tf", 3, 'HCL syntax error at column 12: unterminated heredoc: no line "EOF" closes the heredoc "<<EOF" '
                      "opened on line 3")]


def test_tf_json_that_is_not_json():
    loaded = load_dir(DATA / "bad" / "json")
    assert loaded.problems == [Problem(
        "main.tf.json", 6, "not valid JSON: Expecting property name enclosed in double quotes (line 6, column 7)")]
    assert [(r.name, r.attrs["bucket"], r.service_hint) for r in loaded.targets] == [
        ("aws_s3_bucket.logs", "orders-logs", "orders")]


def test_plan_from_a_newer_format_version():
    loaded = load_dir(DATA / "bad" / "newer_plan")
    assert loaded.problems == [Problem(
        "orders.tfplan.json", 2, 'plan format_version "2.0" is not supported: prc reads format_version 0.x and 1.x '
                                 "(terraform show -json from Terraform 0.12 to 1.x); the plan was not read")]
    assert loaded.targets == []


def test_plan_that_is_not_json_or_not_a_plan(tmp_path):
    write_tree(tmp_path, {"broken.tfplan.json": '{"format_version": "1.2",\n', "state.tfplan.json": '{"values": {}}\n'})
    assert load_dir(tmp_path).problems == [
        Problem("broken.tfplan.json", 2, "not valid JSON: Expecting property name enclosed in double quotes (line 2, "
                                         "column 1); expected the output of terraform show -json PLANFILE"),
        Problem("state.tfplan.json", 1, "not a Terraform plan: expected the output of terraform show -json PLANFILE, "
                                        "with format_version and planned_values"),
    ]


def test_file_outside_the_tree_is_never_read():
    root = DATA / "bad" / "outside" / "tree"
    loaded = load_dir(root)
    assert loaded.skipped == [Skipped("main.tf", 'line 3: file("./../secret.json") points outside the scanned tree; '
                                                 "prc does not read it, and the value stays unknown")]
    outside, inside = loaded.targets
    assert (outside.attrs["policy"].expression, outside.attrs["policy"].reason) == (
        'file("${path.module}/../secret.json")', 'file("./../secret.json") points outside the scanned tree, which '
                                                 "prc does not read")
    assert json.loads(inside.attrs["policy"])["Statement"][0]["Effect"] == "Deny"
    assert loaded.problems == []


def test_symlink_out_of_the_tree_is_not_followed(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    tree = write_tree(tmp_path / "tree", {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("link.json")\n}\n'})
    (tree / "link.json").symlink_to(secret)
    policy = load_dir(tree).targets[0].attrs["policy"]
    assert policy.reason == 'file("link.json") points outside the scanned tree, which prc does not read'


def test_cyclic_locals():
    loaded = load_dir(DATA / "bad" / "cycle")
    assert loaded.problems == [Problem(
        "locals.tf", 2, "cyclic reference between locals: local.name -> local.prefix -> local.env -> local.name; "
                        "Terraform refuses this configuration")]
    bucket = loaded.targets[0].attrs["bucket"]
    assert (bucket.expression, bucket.reason) == (
        '"${local.name}-assets"', "cyclic reference: local.name -> local.prefix -> local.env -> local.name")


def test_duplicates_and_tfvars_mistakes(tmp_path):
    write_tree(tmp_path, {
        "a.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "one"\n}\n',
        "b.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "two"\n}\n',
        "terraform.tfvars": 'region = "eu-west-1"\nvariable "x" {\n}\n',
        "broken.auto.tfvars": 'region = \n',
        "sub/terraform.tfvars": 'x = 1\n'})
    loaded = load_dir(tmp_path)
    assert loaded.problems == [
        Problem("b.tf", 1, 'resource "aws_s3_bucket" "b" is declared twice: also on a.tf:1; Terraform refuses this '
                           "configuration"),
        Problem("terraform.tfvars", 2, 'a tfvars file holds only "name = value" lines, not the block "variable"; the '
                                       "block is ignored"),
        Problem("broken.auto.tfvars", 1, "HCL syntax error at column 10: expected an expression, found the end of the "
                                         "line"),
    ]
    assert loaded.skipped == [Skipped("sub/terraform.tfvars", "not applied: no .tf files in this directory")]
    assert [r.attrs["bucket"] for r in loaded.targets] == ["one"]


def test_override_files_are_listed_as_not_merged(tmp_path):
    write_tree(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "one"\n}\n',
                          "dev_override.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "dev"\n}\n'})
    loaded = load_dir(tmp_path)
    assert (loaded.problems, [r.attrs["bucket"] for r in loaded.targets]) == ([], ["one"])
    assert loaded.skipped == [Skipped("dev_override.tf", "override file not merged: prc judges the blocks it "
                                                         "overrides as the other files write them")]


def test_module_that_calls_itself_is_a_problem_not_a_hang(tmp_path):
    write_tree(tmp_path, {"root/main.tf": 'module "a" {\n  source = "../loop"\n}\n',
                          "loop/main.tf": 'module "again" {\n  source = "../loop"\n}\n'})
    loaded = load_dir(tmp_path)
    assert loaded.problems == [Problem("loop/main.tf", 1, 'module.a.module.again calls "../loop" in a loop (root -> '
                                                          "loop -> loop)")]


def test_bad_input_goes_through_the_scan_as_error_results(registry):
    report = run_scan([DATA / "bad"], registry, Config(enable=["PRC-INPUT"]), root=DATA / "bad")
    errors = sorted((r.location.file, r.location.line) for r in report.results if r.status is Status.ERROR)
    assert errors == [("cycle/locals.tf", 2), ("heredoc/main.tf", 3), ("json/main.tf.json", 6),
                      ("newer_plan/orders.tfplan.json", 2), ("syntax/main.tf", 3)]
    assert report.objects == 5  # the resources of the files that parse are still loaded


# -- the benchmark generator ---------------------------------------------------------------------

def test_generator_is_deterministic_and_writes_exactly_n_tf_files():
    gen = _gen_module()
    verdicts: dict = {}
    first = gen.generate(137, seed=3, verdicts=verdicts)
    assert first == gen.generate(137, seed=3)
    assert first != gen.generate(137, seed=4)
    assert sum(1 for path, _ in first if path.endswith(".tf")) == 137
    assert any(bad == [] for bad in verdicts.values()) and any(bad for bad in verdicts.values())
    for path, text in first:
        if path.endswith((".tf", ".tfvars")):
            parse_hcl(text)  # every generated file is valid HCL


def test_generated_tree_loads_without_problems(tmp_path):
    for path, text in _gen_module().generate(40, seed=1):
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    loaded = load_dir(tmp_path)
    assert loaded.problems == []
    assert all(r.service_hint.startswith("svc-") for r in loaded.targets if r.mode == "managed")
    # A policy with an unknown ARN keeps its known statements (the last service may be cut short, so only the
    # first one is sure to declare everything its policies refer to).
    policy = next(
        r for r in loaded.targets if r.name == "aws_iam_role_policy.data" and r.file.startswith("services/svc-0000/"))
    unknown = policy.attrs["policy"]
    assert unknown.reason == "aws_dynamodb_table.state.arn is known only after apply"
    assert [s["Sid"] for s in unknown.partial["Statement"]] == ["Assets", "Table", "Decrypt"]


def test_hcl_error_offsets_turn_into_lines_and_columns():
    error = HclError("x", 7)
    assert error.line_col("ab\ncdef\ng") == (2, 5)
