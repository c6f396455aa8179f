"""Terraform variable files given with `prc scan --var-file` and `.prc.yaml` `terraform.var_files`: applied to every
root module after terraform.tfvars and *.auto.tfvars, in the order given, config first; no longer reported as
skipped; a missing file is a usage or configuration error (exit 2), a file that does not parse a problem with its
file and line.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from prc.config import Config, ConfigError, load_config
from prc.discovery import DEFAULT_MAX_FILE_BYTES, Problem, Skipped, discover
from prc.loaders import terraform
from prc.sources import LoadContext

from .test_cli import cli  # noqa: F401  (fixture: prc in this process)

KINDS = ("terraform", "tfvars", "tfplan", "json")

MAIN_TF = """
    variable "env" {
      type    = string
      default = "default"
    }

    variable "retention" {
      type = number
    }

    variable "region" {
      type    = string
      default = "eu-west-1"
    }

    resource "aws_db_instance" "db" {
      identifier              = "orders-${var.env}"
      backup_retention_period = var.retention
      availability_zone       = "${var.region}a"
    }
    """


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def load(root: Path, *var_files: str):
    found, skipped = discover([root], root, [])
    loaded = terraform.load([f for f in found if f.kind in KINDS],
                            LoadContext(root, DEFAULT_MAX_FILE_BYTES, Config(terraform_var_files=list(var_files))))
    loaded.skipped += skipped
    return loaded


def db(loaded, address: str = "aws_db_instance.db"):
    return next(r for r in loaded.targets if r.address == address)


@pytest.fixture
def orders(tmp_path):
    """A root module with terraform.tfvars, an auto tfvars, and two files Terraform reads only with -var-file."""
    return write(tmp_path, {
        "main.tf": MAIN_TF,
        "terraform.tfvars": 'env = "tfvars"\nretention = 1\n',
        "b.auto.tfvars": 'env = "auto"\nretention = 3\n',
        "staging.tfvars": 'env = "staging"\nretention = 7\n',
        "envs/prod.tfvars.json": '{"env": "prod", "region": "us-east-1"}\n',
    })


def test_without_var_files_they_are_skipped_and_the_automatic_files_apply(orders):
    loaded = load(orders)
    resource = db(loaded)
    assert (resource.attrs["identifier"], resource.attrs["backup_retention_period"]) == ("orders-auto", 3)
    assert resource.root.var_files == ["terraform.tfvars", "b.auto.tfvars"]
    assert sorted(s.path for s in loaded.skipped) == ["envs/prod.tfvars.json", "staging.tfvars"]


def test_var_files_win_over_terraform_tfvars_and_auto_tfvars_in_the_order_given(orders):
    loaded = load(orders, "staging.tfvars", "envs/prod.tfvars.json")
    resource = db(loaded)
    # env: the last var file; retention: staging.tfvars (prod does not set it); region: prod.tfvars.json.
    assert resource.attrs["identifier"] == "orders-prod"
    assert resource.attrs["backup_retention_period"] == 7
    assert resource.attrs["availability_zone"] == "us-east-1a"
    assert resource.root.var_files == ["terraform.tfvars", "b.auto.tfvars", "staging.tfvars",
                                       "envs/prod.tfvars.json"]
    assert loaded.problems == []


def test_a_given_file_is_no_longer_reported_as_skipped(orders):
    loaded = load(orders, "staging.tfvars")
    assert loaded.skipped == [Skipped("envs/prod.tfvars.json", "not applied: no .tf files in this directory")]


def test_the_order_given_decides_not_the_file_name(orders):
    resource = db(load(orders, "envs/prod.tfvars.json", "staging.tfvars"))
    assert resource.attrs["identifier"] == "orders-staging"


def test_an_automatic_file_given_again_is_applied_last_as_terraform_does(orders):
    resource = db(load(orders, "terraform.tfvars"))
    assert resource.attrs["identifier"] == "orders-tfvars"
    assert resource.root.var_files == ["b.auto.tfvars", "terraform.tfvars"]


def test_a_var_file_applies_to_every_root_module(tmp_path):
    write(tmp_path, {
        "orders/main.tf": MAIN_TF,
        "billing/main.tf": MAIN_TF.replace('"orders-', '"billing-'),
        "shared/prod.tfvars": 'env = "prod"\nretention = 14\n',
    })
    loaded = load(tmp_path, "shared/prod.tfvars")
    assert sorted((r.attrs["identifier"], r.attrs["backup_retention_period"], tuple(r.root.var_files))
                  for r in loaded.targets) == [("billing-prod", 14, ("shared/prod.tfvars",)),
                                               ("orders-prod", 14, ("shared/prod.tfvars",))]
    assert loaded.skipped == []


def test_a_var_file_outside_the_scan_root_is_read_and_named_by_its_path(tmp_path):
    root = write(tmp_path / "repo", {"main.tf": MAIN_TF})
    outside = write(tmp_path / "elsewhere", {"ci.tfvars": "retention = 30\n"}) / "ci.tfvars"
    loaded = load(root, str(outside))
    assert db(loaded).attrs["backup_retention_period"] == 30
    assert db(loaded).root.var_files == [outside.as_posix()]


def test_a_var_file_that_does_not_parse_is_one_problem_with_its_line_and_the_scan_goes_on(tmp_path):
    write(tmp_path, {
        "orders/main.tf": MAIN_TF,
        "billing/main.tf": MAIN_TF,
        "broken.tfvars": 'env = "prod"\nretention = \n',
    })
    loaded = load(tmp_path, "broken.tfvars")
    # Read once per root module, reported once.
    assert loaded.problems == [Problem("broken.tfvars", 2, "HCL syntax error at column 13: expected an expression, "
                                                           "found the end of the line")]
    assert {r.attrs["identifier"] for r in loaded.targets} == {"orders-default"}


def test_a_var_file_that_cannot_be_read_is_a_problem(tmp_path):
    write(tmp_path, {"main.tf": MAIN_TF})
    (tmp_path / "binary.tfvars").write_bytes(b"env = \"\xff\xfe\"\n")
    loaded = load(tmp_path, "binary.tfvars")
    assert [(p.file, "UTF-8" in p.message) for p in loaded.problems] == [("binary.tfvars", True)]
    assert db(loaded).attrs["identifier"] == "orders-default"


# -- .prc.yaml -----------------------------------------------------------------------------------------------


def config_file(root: Path, text: str) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    path = root / ".prc.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_config_var_files_are_read_relative_to_the_config_file(orders, registry):
    path = config_file(orders, """\
        terraform:
          var_files: [staging.tfvars, envs/prod.tfvars.json]
        """)
    assert load_config(path, ".prc.yaml", registry).terraform_var_files == ["staging.tfvars",
                                                                            "envs/prod.tfvars.json"]


@pytest.mark.parametrize("var_files, message", [
    ("[missing.tfvars]", ".prc.yaml: terraform.var_files[0]: no such file: missing.tfvars (relative to the "
                         "directory of this file) (line 3)"),
    ("[../outside.tfvars]", ".prc.yaml: terraform.var_files[0]: ../outside.tfvars is outside the directory of this "
                            "file; give a path inside it, or pass the file with --var-file (line 3)"),
    ("[/etc/hostname]", ".prc.yaml: terraform.var_files[0]: /etc/hostname is outside the directory of this file; "
                        "give a path inside it, or pass the file with --var-file (line 3)"),
    ("staging.tfvars", ".prc.yaml: terraform.var_files: 'staging.tfvars' is not of type 'array' (line 2)"),
])
def test_config_var_file_errors_name_the_key_and_line(tmp_path, registry, var_files, message):
    (tmp_path / "outside.tfvars").write_text("env = \"x\"\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    path = config_file(repo, f"terraform:\n  var_files:\n    {var_files}\n" if var_files.startswith("[")
                       else f"terraform:\n  var_files: {var_files}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, ".prc.yaml", registry)
    assert raised.value.messages == [message]


def test_config_rejects_unknown_terraform_keys(tmp_path, registry):
    path = config_file(tmp_path, "terraform:\n  var_file: [x.tfvars]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, ".prc.yaml", registry)
    assert raised.value.messages == [".prc.yaml: terraform: Additional properties are not allowed ('var_file' was "
                                     "unexpected) (line 1)"]


# -- the command line ------------------------------------------------------------------------------------------


def retention(stdout: str) -> list[str]:
    return [r["message"] for r in json.loads(stdout)["results"] if r["check_id"] == "PRC-TF-040"]


def test_cli_var_file_applies_after_the_config_var_files(orders, cli):
    config_file(orders, "terraform:\n  var_files: [staging.tfvars]\n  \nchecks:\n  enable: [PRC-TF-040]\n")
    write(orders, {"ci/long.tfvars": "retention = 35\n"})
    from_config = cli("scan", ".", "--format", "json", "--fail-on", "never", cwd=orders)
    assert from_config.returncode == 0, from_config.stderr
    assert retention(from_config.stdout) == ["aws_db_instance.db: backups are kept 7 days"]
    both = cli("scan", ".", "--format", "json", "--fail-on", "never", "--var-file", "ci/long.tfvars", cwd=orders)
    assert retention(both.stdout) == ["aws_db_instance.db: backups are kept 35 days"]
    skipped = [s["path"] for s in json.loads(both.stdout)["skipped"]]
    assert "staging.tfvars" not in skipped and "ci/long.tfvars" not in skipped


def test_cli_var_file_is_repeatable_and_the_last_one_wins(orders, cli):
    result = cli("scan", ".", "--format", "json", "--fail-on", "never", "--var-file", "staging.tfvars",
                 "--var-file", "terraform.tfvars", cwd=orders)
    assert retention(result.stdout) == ["aws_db_instance.db: backup_retention_period is 1: only 1 day of automated "
                                        "backups (at least 7 days are needed)"]


def test_cli_var_file_that_does_not_exist_is_a_usage_error(orders, cli):
    result = cli("scan", ".", "--var-file", "prod.tfvars", cwd=orders)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "prc: --var-file prod.tfvars: no such file\n"


def test_config_var_file_that_does_not_exist_is_exit_2(orders, cli):
    config_file(orders, "terraform:\n  var_files: [prod.tfvars]\n")
    result = cli("scan", ".", cwd=orders)
    assert result.returncode == 2
    assert result.stderr == (".prc.yaml: terraform.var_files[0]: no such file: prod.tfvars (relative to the directory "
                             "of this file) (line 2)\n")
