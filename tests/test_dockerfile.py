"""The Dockerfile source: the parser (BuildKit's rules), stages and ARG substitution, entrypoint scripts, the target,
bad input, and the subtle parts of the Dockerfile checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prc.config import Config
from prc.loaders.dockerfile import (Dockerfile, expand, last_command, is_exec, execs_arguments,
                                    load_dockerfile_text, parse)
from prc.model import Status
from prc_checks.dockerfile import piped_into, pid1, _process

from .conftest import run_scan


def load(text: str, display: str = "svc/Dockerfile") -> Dockerfile:
    dockerfile, problems = load_dockerfile_text(display, text)
    assert problems == []
    return dockerfile


def problems_of(text: str, display: str = "svc/Dockerfile") -> list[tuple[int, str]]:
    _, problems = load_dockerfile_text(display, text)
    return [(p.line, p.message) for p in problems]


def keywords(text: str) -> list[tuple[str, int, int]]:
    return [(i.keyword, i.line, i.end_line) for i in parse(text).instructions]


# --------------------------------------------------------------------------- every instruction with its line

def test_every_instruction_has_its_start_and_end_line():
    text = """\
# syntax=docker/dockerfile:1
ARG BASE=python:3.12.4-slim

FROM ${BASE} AS build
LABEL org.opencontainers.image.title=api
RUN apt-get update \\
    && apt-get install -y curl
ENV A=1
COPY . /src
ADD https://example.com/a.tgz /tmp/
WORKDIR /src
EXPOSE 8080
VOLUME /data
USER 1000
SHELL ["/bin/bash", "-c"]
ONBUILD RUN echo triggered
STOPSIGNAL SIGINT
HEALTHCHECK CMD ["true"]
MAINTAINER someone
ENTRYPOINT ["app"]
CMD ["serve"]
"""
    assert keywords(text) == [
        ("ARG", 2, 2), ("FROM", 4, 4), ("LABEL", 5, 5), ("RUN", 6, 7), ("ENV", 8, 8), ("COPY", 9, 9), ("ADD", 10, 10),
        ("WORKDIR", 11, 11), ("EXPOSE", 12, 12), ("VOLUME", 13, 13), ("USER", 14, 14), ("SHELL", 15, 15),
        ("ONBUILD", 16, 16), ("STOPSIGNAL", 17, 17), ("HEALTHCHECK", 18, 18), ("MAINTAINER", 19, 19),
        ("ENTRYPOINT", 20, 20), ("CMD", 21, 21)]


def test_keywords_are_case_insensitive_and_crlf_and_bom_are_read():
    text = "\ufefffrom alpine:3.20\r\nrun echo a \\\r\n  b\r\ncmd [\"sh\"]\r\n"
    parsed = parse(text)
    assert [(i.keyword, i.line, i.end_line) for i in parsed.instructions] == [
        ("FROM", 1, 1), ("RUN", 2, 3), ("CMD", 4, 4)]
    assert parsed.instructions[1].args == ("echo a   b",)
    assert parsed.instructions[2].form == "exec"


# --------------------------------------------------------------------------- line continuations

def test_continuations_drop_comment_and_blank_lines_and_keep_leading_whitespace():
    text = """\
FROM alpine:3.20
RUN apk add --no-cache \\
  # the TLS roots
    ca-certificates \\

    tzdata
CMD ["sh"]
"""
    run = parse(text).instructions[1]
    assert (run.line, run.end_line) == (2, 6)
    assert run.args == ("apk add --no-cache     ca-certificates     tzdata",)
    assert [n for n, _ in run.physical] == [2, 4, 6]
    assert parse(text).instructions[2].line == 7


def test_a_hash_inside_an_instruction_is_not_a_comment():
    run = parse("FROM a\nRUN echo '#not a comment' # nor this\n").instructions[1]
    assert run.args == ("echo '#not a comment' # nor this",)


def test_a_trailing_continuation_at_the_end_of_the_file_ends_the_instruction():
    assert keywords("FROM a\nRUN echo \\\n") == [("FROM", 1, 1), ("RUN", 2, 2)]


# --------------------------------------------------------------------------- parser directives

def test_escape_directive_makes_the_backtick_the_continuation_character():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\n"
    parsed = parse(text)
    assert parsed.escape == "`"
    assert parsed.directives == {"escape": "`"}
    run = parsed.instructions[1]
    assert (run.line, run.end_line) == (3, 4)
    assert run.args == ("dir c:\\     && echo done",)  # the backslash is an ordinary character now


def test_directives_are_read_only_at_the_top():
    parsed = parse("# syntax=docker/dockerfile:1\n# a comment\n# escape=`\nFROM a\nRUN a \\\n b\n")
    assert parsed.directives == {"syntax": "docker/dockerfile:1"}
    assert parsed.escape == "\\"
    assert keywords("# syntax=docker/dockerfile:1\n# a comment\n# escape=`\nFROM a\nRUN a \\\n b\n")[1] == ("RUN", 5, 6)


def test_bad_and_repeated_escape_directives_are_problems_with_their_line():
    assert problems_of("# escape=x\nFROM a\n") == [
        (1, "invalid escape token 'x': the escape parser directive takes ` or \\")]
    assert problems_of("# escape=`\n# escape=\\\nFROM a\n") == [(2, "only one escape parser directive can be used")]


# --------------------------------------------------------------------------- heredocs

def test_heredocs_in_run_and_copy():
    text = """\
FROM python:3.12.4-slim
RUN <<EOF
set -e
pip install -r requirements.txt
EOF
COPY <<EOF /etc/app.conf
listen 8080
EOF
RUN <<-EOT cat > /x
\tindented
\tEOT
RUN python3 <<'PY' && <<A cat
print("$HOME")
PY
a
A
CMD ["app"]
"""
    instructions = parse(text).instructions
    assert [(i.keyword, i.line, i.end_line) for i in instructions] == [
        ("FROM", 1, 1), ("RUN", 2, 5), ("COPY", 6, 8), ("RUN", 9, 11), ("RUN", 12, 16), ("CMD", 17, 17)]
    run, copy, chomped, two = instructions[1:5]
    assert run.heredocs[0].content == "set -e\npip install -r requirements.txt\n"
    assert run.heredocs[0].first_content_line == 3
    assert copy.args == ("<<EOF", "/etc/app.conf") and copy.heredocs[0].content == "listen 8080\n"
    assert chomped.heredocs[0].chomp and chomped.heredocs[0].content == "indented\n"
    assert [(h.name, h.content, h.expand) for h in two.heredocs] == [
        ("PY", 'print("$HOME")\n', False), ("A", "a\n", True)]


def test_no_heredoc_in_exec_form_or_in_quotes():
    parsed = parse('FROM a\nRUN ["sh", "-c", "cat <<EOF"]\nRUN echo "<<EOF"\nCMD ["x"]\n')
    assert [(i.keyword, i.line, i.heredocs) for i in parsed.instructions] == [
        ("FROM", 1, ()), ("RUN", 2, ()), ("RUN", 3, ()), ("CMD", 4, ())]


def test_unterminated_heredoc_is_a_problem_at_the_instruction():
    assert problems_of("FROM a\nRUN <<EOF\necho hi\n") == [
        (2, "unterminated heredoc: no line 'EOF' closes the <<EOF opened here")]


# --------------------------------------------------------------------------- exec form and shell form

@pytest.mark.parametrize("line, form, args", [
    ('CMD ["python", "app.py"]', "exec", ("python", "app.py")),
    ("CMD [python, app.py]", "shell", ("[python, app.py]",)),  # not JSON: shell form, as in Docker
    ("CMD ['python', 'app.py']", "shell", ("['python', 'app.py']",)),  # JSON has no single quotes
    ('CMD ["python"] --debug', "exec", ("python",)),  # BuildKit reads the first JSON value
    ("CMD python app.py", "shell", ("python app.py",)),
    ("ENTRYPOINT []", "exec", ()),
    ('RUN ["apt-get", "update"]', "exec", ("apt-get", "update")),
    ('COPY ["my file.txt", "/dest/"]', "exec", ("my file.txt", "/dest/")),
    ("COPY a b /dest/", "shell", ("a", "b", "/dest/")),
])
def test_exec_form_is_a_json_array_of_strings_and_anything_else_is_shell_form(line, form, args):
    instruction = parse(f"FROM a\n{line}\n").instructions[1]
    assert (instruction.form, instruction.args) == (form, args)


def test_a_json_array_of_non_strings_is_an_error():
    assert problems_of('FROM a\nCMD ["serve", 8080]\n') == [
        (2, "CMD: when using JSON array syntax, arrays must be comprised of strings only")]


def test_shell_form_runs_under_the_shell_in_effect():
    df = load('FROM a\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nCMD app --serve\n')
    cmd = df.final_stage.last("CMD")
    assert cmd.argv == ["/bin/bash", "-o", "pipefail", "-c", "app --serve"]


def test_healthcheck_and_onbuild():
    parsed = parse('FROM a\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\n'
                   'HEALTHCHECK NONE\nONBUILD COPY . /app\n')
    health, none, onbuild = parsed.instructions[1:]
    assert health.flags == ("--interval=5s",)
    assert (health.args, health.form) == (("CMD", "curl -f http://localhost/ || exit 1"), "shell")
    assert health.command == "CMD curl -f http://localhost/ || exit 1"
    assert none.args == ("NONE",)
    assert onbuild.sub.keyword == "COPY" and onbuild.sub.args == (".", "/app")


def test_builder_flags():
    copy = parse('FROM a\nCOPY --from=build --chown="app:app" /out /app\n').instructions[1]
    assert copy.flags == ("--from=build", "--chown=app:app")
    assert copy.flag("from") == "build" and copy.flag("chmod") is None
    assert copy.args == ("/out", "/app")


# --------------------------------------------------------------------------- ENV, ARG, LABEL

def test_env_forms_and_quotes():
    df = load('FROM a\nENV A=1 B="two words" C=three\\ words D=\'$HOME\'\nENV OLD value with spaces\n'
              'ENV E=${A}-x\n')
    env = df.final_stage.instructions
    assert [(p.key, p.raw, p.value) for p in env[0].pairs] == [
        ("A", "1", "1"), ("B", '"two words"', "two words"), ("C", "three\\ words", "three words"),
        ("D", "'$HOME'", "$HOME")]
    assert [(p.key, p.value) for p in env[1].pairs] == [("OLD", "value with spaces")]
    assert [(p.key, p.value, p.refs) for p in env[2].pairs] == [("E", "1-x", ("A",))]


def test_pairs_know_the_line_they_are_written_on():
    df = load("FROM a\nENV DB_HOST=db \\\n    OLD_DB_PASSWORD=x \\\n    DB_PASSWORD=y\n")
    env = df.final_stage.instructions[0]
    assert [(p.key, p.line) for p in env.pairs] == [("DB_HOST", 2), ("OLD_DB_PASSWORD", 3), ("DB_PASSWORD", 4)]
    assert df.locate(env.pairs[2].at).line == 4


@pytest.mark.parametrize("text, line, message", [
    ("FROM a\nENV DEBUG\n", 2, "ENV must have two arguments: ENV DEBUG needs a value (ENV DEBUG=<value>)"),
    ("FROM a\nENV A=1 B\n", 2, "ENV: can't find = in 'B'; each item must be of the form name=value"),
    ("FROM a\nLABEL =x\n", 2, "LABEL names can not be blank: '=x'"),
    ("FROM a\nARG\n", 2, "ARG requires at least one argument"),
    ("FROM a\nCOPY app\n", 2, "COPY requires at least two arguments: a source and a destination"),
    ("FROM a\nUSER\n", 2, "USER requires an argument"),
    ("FROM a\nSHELL /bin/bash -c\n", 2,
     'SHELL requires the arguments to be in JSON form: SHELL ["executable", "parameters"]'),
    ("FROM a\nHEALTHCHECK curl x\n", 2, "HEALTHCHECK takes CMD <command> or NONE, not 'curl'"),
    ("FROM a\nONBUILD FROM b\n", 2, "FROM is not allowed as an ONBUILD trigger"),
    ("FROM a\n\nRUNN make\n", 3, "unknown instruction: RUNN"),
    ("# a comment\nRUN make\nFROM a\n", 2,
     "RUN before the first FROM: only ARG instructions and parser directives may come before FROM"),
    ("FROM a b\n", 1, "FROM takes an image and optionally AS <name>, not 'a b'"),
    ("FROM a AS 1st\n", 1, "invalid name for build stage: '1st'; a name starts with a letter and holds letters, "
                           "digits, '-', '_' and '.'"),
    ("FROM a AS x\nFROM b AS X\n", 2, "duplicate stage name 'x'"),
    ("ARG A=1\n", 1, "no FROM instruction: a Dockerfile needs at least one build stage"),
])
def test_what_docker_refuses_is_a_problem_with_its_line(text, line, message):
    assert problems_of(text) == [(line, message)]


def test_all_errors_of_a_file_are_reported_not_just_the_first():
    assert [line for line, _ in problems_of("FROM a\nENV X\nRUNN y\nCMD [1]\n")] == [2, 3, 4]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n# FROM python\n", "# syntax=docker/dockerfile:1\n"])
def test_a_file_with_only_comments_has_no_instructions(text):
    assert problems_of(text) == [(0, "no instructions: the file holds only comments or blank lines")]


# --------------------------------------------------------------------------- ARG substitution

def test_arg_substitution_in_from():
    df = load("""\
ARG BASE=python:3.12.4-slim
ARG REGISTRY
ARG DEFAULTED
FROM ${BASE} AS a
FROM $BASE AS b
FROM ${DEFAULTED:-alpine:3.20} AS c
FROM ${REGISTRY}/team/app:1.0 AS d
FROM base-${TARGETARCH}:1.0 AS e
FROM ${MISSING:-debian}:${BASE_TAG-12.6} AS f
ARG LATE=node:20
FROM ${LATE} AS g
""")
    assert [(s.alias, s.base, s.unresolved) for s in df.stages] == [
        ("a", "python:3.12.4-slim", ()), ("b", "python:3.12.4-slim", ()), ("c", "alpine:3.20", ()),
        ("d", "", ("REGISTRY",)), ("e", "", ("TARGETARCH",)), ("f", "debian:12.6", ()),
        ("g", "", ("LATE",)),  # an ARG inside a stage is not visible to a later FROM
    ]


def test_a_stage_arg_takes_the_global_default_and_env_overrides_arg():
    df = load("ARG UID=10001\nFROM a\nARG UID\nUSER ${UID}\nENV UID=2000\nARG UID=3000\nUSER $UID\n")
    users = [i for i in df.final_stage.instructions if i.keyword == "USER"]
    assert [u.expanded for u in users] == [("10001",), ("2000",)]


def test_env_carries_over_to_a_stage_built_on_another_and_args_do_not():
    df = load("FROM a AS base\nENV HOME_DIR=/srv\nARG V=1\nFROM base\nWORKDIR ${HOME_DIR}/app\nUSER u$V\n")
    final = df.final_stage
    assert final.parent is df.stages[0]
    workdir, user = final.instructions
    assert workdir.expanded == ("/srv/app",) and final.workdir == "/srv/app"
    assert user.unresolved == ("V",)


@pytest.mark.parametrize("text, env, value, unresolved", [
    ("$A", {"A": "1"}, "1", []),
    ("${A}x", {"A": "1"}, "1x", []),
    ("${A:-d}", {"A": None}, "d", []),
    ("${A:-d}", {"A": ""}, "d", []),
    ("${A-d}", {"A": ""}, "", []),
    ("${A:+alt}", {"A": "1"}, "alt", []),
    ("${A:+alt}", {}, "", []),
    ("${A}", {"A": None}, "", ["A"]),
    ("${A:?must be set}", {}, "", ["A"]),
    ("${A%.*}", {"A": "x.y"}, "", ["A"]),  # pattern operators are not evaluated
    ("'$A'", {"A": "1"}, "$A", []),
    ('"$A b"', {"A": "1"}, "1 b", []),
    ("\\$A", {"A": "1"}, "$A", []),
    ("${A:-${B}}", {"B": "2"}, "2", []),
    ("cost$", {}, "cost$", []),
])
def test_expand(text, env, value, unresolved):
    assert expand(text, env)[:2] == (value, unresolved)


def test_from_a_previous_stage_alias_links_the_stages_case_insensitively():
    df = load("FROM golang:1.22 AS Build\nRUN go build\nFROM build\nFROM BUILD AS again\n")
    assert [s.parent.alias if s.parent else None for s in df.stages] == [None, "build", "build"]


def test_entrypoint_resets_an_inherited_cmd_unless_the_stage_sets_cmd_too():
    df = load('FROM a AS base\nCMD ["serve"]\nFROM base AS one\nENTRYPOINT ["app"]\n'
              'FROM base AS two\nCMD ["other"]\nENTRYPOINT ["app"]\n')
    one, two = df.stages[1], df.stages[2]
    assert one.process()[1] is None
    assert two.process()[1].args == ("other",)
    assert df.stages[0].process()[2] is False and load("FROM a\nRUN x\n").final_stage.process()[2] is True


# --------------------------------------------------------------------------- the target

def test_the_target():
    df = load("# comment\nARG V=1\n\nFROM a:1 AS build\nFROM build\nUSER app\n", display="shop/api/Dockerfile")
    assert (df.kind, df.name, df.file, df.line, df.service_hint) == (
        "Dockerfile", "shop/api/Dockerfile", "shop/api/Dockerfile", 4, "api")
    assert df.final_stage is df.stages[-1] and df.final_stage.label == "stage #1"
    assert str(df.ref) == "Dockerfile/shop/api/Dockerfile"
    assert df.runs_on_kubernetes is False and df.dockerignore is False


def test_locate():
    df = load("FROM a AS build\nRUN apt-get update \\\n    && curl -fsSL https://x | sh\nFROM build\nUSER root\n")
    assert df.locate("stage[build].RUN[0]").line == 2
    assert df.locate("stage[build].RUN[0]#curl").line == 3
    assert df.locate("stage[1].USER[0]").line == 5
    assert df.locate("instruction:4").line == 4 and df.locate("line:3").line == 3
    assert df.locate("").line == 1 and df.locate("no.such.path").line == 1


def test_a_dockerfile_at_the_scan_root_or_in_a_build_directory_names_no_service(tmp_path):
    # The clone's directory name differs from laptop to CI: taking it would change services and fingerprints.
    root = tmp_path / "billing"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM a:1\n")
    df, _ = load_dockerfile_text("Dockerfile", "FROM a:1\n", root / "Dockerfile", root)
    assert df.service_hint == ""
    df, _ = load_dockerfile_text("docker/Dockerfile", "FROM a:1\n")
    assert df.service_hint == ""
    df, _ = load_dockerfile_text("orders/Dockerfile", "FROM a:1\n")
    assert df.service_hint == "orders"


def test_a_dockerfile_at_the_top_joins_the_only_service_whatever_the_clone_is_called(tmp_path, registry):
    from prc.config import Config

    from .conftest import run_scan

    fingerprints = set()
    for clone in ("myrepo", "repo"):
        root = tmp_path / clone
        (root / "k8s").mkdir(parents=True)
        (root / "Dockerfile").write_text('FROM python:3.12.7-slim\nUSER 10001\nCMD ["python", "-m", "app"]\n')
        (root / "k8s" / "deploy.yaml").write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: myapp}\nspec:\n  template:\n    spec:\n"
            "      containers: [{name: myapp, image: registry.example.com/myapp:1.0.0}]\n")
        report = run_scan([root], registry, Config(enable=["PRC-DKR-020"]), root=root)
        [result] = report.results
        assert (result.service, result.status.value) == ("myapp", "PASS")
        fingerprints.add(result.fingerprint)
    assert len(fingerprints) == 1


def test_dockerignore_in_the_context_or_beside_the_dockerfile(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text("FROM x:1\n")
    (tmp_path / "a" / ".dockerignore").write_text(".git\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "api.Dockerfile").write_text("FROM x:1\n")
    (tmp_path / "b" / "api.Dockerfile.dockerignore").write_text("*\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "Dockerfile").write_text("FROM x:1\n")
    found = {}
    for display in ("a/Dockerfile", "b/api.Dockerfile", "c/Dockerfile"):
        df, _ = load_dockerfile_text(display, "FROM x:1\n", tmp_path / display, tmp_path)
        found[display] = (df.dockerignore, df.dockerignore_path)
    assert found == {"a/Dockerfile": (True, "a/.dockerignore"),
                     "b/api.Dockerfile": (True, "b/api.Dockerfile.dockerignore"), "c/Dockerfile": (False, "")}


# --------------------------------------------------------------------------- entrypoint scripts

def _scripts(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> dict:
    for name, text in files.items():
        path = tmp_path / "svc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "svc" / "Dockerfile").write_text(dockerfile)
    df, problems = load_dockerfile_text("svc/Dockerfile", dockerfile, tmp_path / "svc" / "Dockerfile", tmp_path)
    assert problems == []
    return df.scripts


def test_entrypoint_scripts_copied_from_the_context_are_read(tmp_path):
    scripts = _scripts(tmp_path, 'FROM a\nWORKDIR /app\nCOPY . .\nCOPY bin/run.sh /usr/local/bin/\n'
                                 'ENTRYPOINT ["./docker/entrypoint.sh"]\nCMD ["run.sh"]\n',
                       {"docker/entrypoint.sh": "#!/bin/sh\nset -e\nexec \"$@\"\n",
                        "bin/run.sh": "#!/bin/bash\n# start\nnode server.js\n"})
    entry, run = scripts["./docker/entrypoint.sh"], scripts["run.sh"]
    assert (entry.image_path, entry.source, entry.shell, entry.ends_in_exec, entry.execs_arguments,
            entry.last_line) == ("/app/docker/entrypoint.sh", "svc/docker/entrypoint.sh", True, True, True, 3)
    assert (run.image_path, run.last_command, run.ends_in_exec, run.copied_at) == (
        "/usr/local/bin/run.sh", "node server.js", False, 4)


def test_a_script_from_a_heredoc_is_read_from_the_dockerfile():
    df = load('FROM a\nCOPY <<EOF /entrypoint.sh\n#!/bin/sh\nmigrate\nexec app\nEOF\nENTRYPOINT ["/entrypoint.sh"]\n')
    script = df.scripts["/entrypoint.sh"]
    assert (script.source, script.last_line, script.ends_in_exec) == ("svc/Dockerfile", 5, True)


def test_a_script_outside_the_scan_root_is_never_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "entrypoint.sh").write_text("#!/bin/sh\nexec app\n")
    root = tmp_path / "root"
    (root / "svc").mkdir(parents=True)
    os.symlink(outside / "entrypoint.sh", root / "svc" / "entrypoint.sh")
    text = 'FROM a\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n'
    (root / "svc" / "Dockerfile").write_text(text)
    df, _ = load_dockerfile_text("svc/Dockerfile", text, root / "svc" / "Dockerfile", root)
    assert df.scripts == {}


def test_a_copy_from_another_stage_is_not_read_from_the_context(tmp_path):
    scripts = _scripts(tmp_path, 'FROM a AS build\nFROM b\nCOPY --from=build /entrypoint.sh /entrypoint.sh\n'
                                 'ENTRYPOINT ["/entrypoint.sh"]\n', {"entrypoint.sh": "#!/bin/sh\nexec app\n"})
    assert scripts == {}


@pytest.mark.parametrize("script, last, line, execs", [
    ('#!/bin/sh\nset -e\nexec "$@"\n', 'exec "$@"', 3, True),
    ("#!/bin/sh\nif [ -n \"$X\" ]; then\n  exec app --x\nelse\n  exec app\nfi\n", "exec app", 5, True),
    ("#!/bin/sh\nexec app \\\n  --port 80\n# done\n\n", "exec app    --port 80", 2, True),
    ("#!/bin/sh\nmigrate && exec server\n", "exec server", 2, True),
    ("#!/bin/sh\nexec >/var/log/app.log 2>&1\nserver\n", "server", 3, False),
    ("#!/bin/sh\nwhile true; do\n  worker\ndone\n", "worker", 3, False),
    ("#!/bin/sh\ncat <<EOF > /tmp/conf\nexec nothing\nEOF\nnode app.js\n", "node app.js", 5, False),
    ("#!/bin/sh\nnode app.js # exec later\n", "node app.js", 2, False),
])
def test_last_command_of_a_script(script, last, line, execs):
    command, number = last_command(script)
    assert (command, number, is_exec(command)) == (last, line, execs)


def test_exec_needs_a_program():
    assert not is_exec("exec 2>&1") and not is_exec("exec > /tmp/log") and is_exec("exec 3>&1 app")
    assert execs_arguments('exec "$@"') and execs_arguments("exec gosu app ${@}") and not execs_arguments("exec app")


# --------------------------------------------------------------------------- check logic

def _pid1(text: str):
    df = load(text)
    return pid1(df, _process(df.final_stage))


@pytest.mark.parametrize("text, status", [
    ('FROM a\nENTRYPOINT ["tini", "-g", "--"]\nCMD node app.js\n', "pass"),  # -g signals the process group
    ('FROM a\nENTRYPOINT ["tini", "--"]\nCMD node app.js\n', "fail"),
    ('FROM a\nENTRYPOINT ["dumb-init", "--"]\nCMD node app.js\n', "pass"),
    ('FROM a\nENTRYPOINT ["dumb-init", "--single-child", "--"]\nCMD node app.js\n', "fail"),
    ('FROM a\nENTRYPOINT ["/bin/bash", "-ec", "exec app"]\n', "pass"),
    ('FROM a\nENTRYPOINT exec app --port 80\nCMD ["ignored"]\n', "pass"),
    ('FROM a\nENTRYPOINT app --port 80\n', "fail"),
    ('FROM a\nENTRYPOINT ["sh", "/opt/start.sh"]\n', "unknown"),
    ('FROM a\nCMD ["python", "-m", "app"]\n', "pass"),
])
def test_what_runs_as_pid1(text, status):
    assert _pid1(text).status == status


def test_piped_into():
    shells = {"sh", "bash", "python3"}
    assert piped_into("curl -fsSL https://x | bash -s -- --yes", shells) == "curl -fsSL https://x | bash -s -- --yes"
    assert piped_into("wget -O - https://x | tee /tmp/i | sudo sh", shells)
    assert piped_into("/usr/bin/curl https://x | /bin/sh", shells)
    assert piped_into("curl -o /tmp/x https://x && sh /tmp/x", shells) == ""
    assert piped_into("curl https://x | tar -xz", shells) == ""
    assert piped_into("echo 'curl x | sh'", shells) == ""
    assert piped_into("curl https://x || echo failed | sh", shells) == ""


def test_a_dockerfile_on_kubernetes_needs_no_healthcheck(registry):
    from prc_checks.dockerfile import healthcheck

    df = load('FROM a\nCMD ["app"]\n')
    assert [o.status for o in healthcheck.run(df, {})] == [Status.FAIL]
    df.runs_on_kubernetes = True
    assert list(healthcheck.run(df, {})) == []


# --------------------------------------------------------------------------- through the scan

def test_inline_ignores_suppress_dockerfile_results(tmp_path, registry):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(
        "FROM alpine:3.20\n# prc:ignore PRC-DKR-020 the sync job needs root to chown the NFS share (OPS-88)\n"
        "USER root\nCMD [\"/sync\"]\n")
    report = run_scan([tmp_path], registry, Config(enable=["PRC-DKR-020"]))
    (result,) = report.results
    assert result.status is Status.FAIL and result.location.line == 3
    assert result.suppression.kind == "inline" and "OPS-88" in result.suppression.reason


def test_a_broken_dockerfile_is_reported_under_its_service_and_not_judged(tmp_path, registry):
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "Dockerfile").write_text("# only a plan\n# FROM python\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text("FROM python:3.12\nENV DEBUG\nCMD python app.py\n")
    report = run_scan([tmp_path], registry)
    # Checks on each service as a whole (its runbook, dependency updates) still run; the Dockerfiles are not judged.
    assert [(r.check.id, r.service, str(r.location), r.message) for r in report.results
            if r.target.kind != "service"] == [
        ("PRC-INPUT", "api", "api/Dockerfile:2",
         "ENV must have two arguments: ENV DEBUG needs a value (ENV DEBUG=<value>)"),
        ("PRC-INPUT", "billing", "billing/Dockerfile",
         "no instructions: the file holds only comments or blank lines"),
    ]


def test_a_dockerfile_specific_ignore_file_is_not_mistaken_for_a_dockerfile(tmp_path, registry):
    (tmp_path / "Dockerfile").write_text('FROM alpine:3.20\nUSER 1000\nCMD ["app"]\n')
    (tmp_path / "Dockerfile.dockerignore").write_text(".git\n")
    report = run_scan([tmp_path], registry, Config(enable=["PRC-REPO-001"]))
    assert report.skipped == ()
    assert [(r.status, r.message) for r in report.results] == [
        (Status.PASS, "Dockerfile.dockerignore filters the build context")]


def test_scanning_never_writes_to_the_tree_or_runs_scripts(tmp_path, registry):
    marker = tmp_path / "ran"
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "entrypoint.sh").write_text(f"#!/bin/sh\ntouch {marker}\nexec app\n")
    os.chmod(tmp_path / "svc" / "entrypoint.sh", 0o755)
    (tmp_path / "svc" / "Dockerfile").write_text('FROM a:1\nCOPY entrypoint.sh /e.sh\nENTRYPOINT ["/e.sh"]\n')
    before = sorted(p.name for p in tmp_path.rglob("*"))
    report = run_scan([tmp_path], registry, Config(enable=["PRC-DKR-010"]))
    assert [r.status for r in report.results] == [Status.PASS]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before and not marker.exists()


def test_a_script_run_by_sh_is_a_shell_script_whatever_its_first_line(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "start").write_text("cd /app\nnode server.js\n")
    text = 'FROM a:1\nCOPY start /start\nENTRYPOINT ["sh", "/start"]\n'
    df, _ = load_dockerfile_text("svc/Dockerfile", text, tmp_path / "svc" / "Dockerfile", tmp_path)
    found = pid1(df, _process(df.final_stage))
    assert found.status == "fail" and "node server.js" in found.message
