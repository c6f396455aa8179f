"""Dockerfile checks: health check, PID 1 and signals, the user the image runs as, secrets in ENV and ARG, pinned
base images, piping downloads into a shell, ADD where COPY is meant, and a .dockerignore for the build context.

The image that runs is the final stage (the last FROM), together with the stages it builds on by name
(`FROM build AS runtime`): its ENTRYPOINT, CMD, USER, HEALTHCHECK and STOPSIGNAL are what the container gets.
Checks about the build itself (base image pins, curl | sh, ADD, literal secrets) look at every stage, since each
one runs on the build machine and a secret in any stage is in the Dockerfile's history.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from prc.loaders.dockerfile import Dockerfile, Instruction, Stage, is_exec, last_command
from prc.registry import check

from ._secrets import secret_looking, secret_name_options
from .k8s_release import ImageRefError, floats, parse_image
from .k8s_security import is_switch

# Programs that run as PID 1 to reap zombies and pass signals on: tini (and its static builds), dumb-init,
# catatonit, s6's supervisor, and s6-overlay's /init.
_INIT_RE = re.compile(r"^(tini(-static)?(-[a-z0-9_]+)?|dumb-init|catatonit|s6-svscan)$")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})


def _init_name(program: str) -> str:
    """The init a program path names, or ""."""
    name = posixpath.basename(program)
    if _INIT_RE.match(name) or program == "/init":
        return name or program
    return ""


def _looks_like_script(program: str) -> bool:
    name = posixpath.basename(program)
    return name.endswith((".sh", ".bash")) or "entrypoint" in name.lower()


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- what runs as PID 1


@dataclass
class Pid1:
    """What the final image runs as PID 1: `status` pass / fail / unknown for DKR-010, the reason, the instruction
    it is about, and the init program when one runs as PID 1."""

    status: str
    message: str
    instruction: Instruction
    init: str = ""
    program: str = ""


def _process(stage: Stage) -> list[tuple[str, Instruction]] | None:
    """The container's command line, each word with the instruction it comes from; None when neither ENTRYPOINT
    nor CMD is set (or both are empty)."""
    entrypoint, cmd, _ = stage.process()
    if entrypoint is not None and entrypoint.args and any(a for a in entrypoint.args):
        words = [(a, entrypoint) for a in entrypoint.argv]
        if entrypoint.form == "exec" and cmd is not None and cmd.args:
            words += [(a, cmd) for a in cmd.argv]
        return words
    if cmd is not None and cmd.args and any(a for a in cmd.args):
        return [(a, cmd) for a in cmd.argv]
    return None


def _shell_script(words: list[str]) -> tuple[bool, int]:
    """For `sh [-flags] -c 'script' ...` or `sh script.sh ...`: whether it is -c, and the index of the script."""
    index = 1
    c_mode = False
    while index < len(words) and words[index].startswith("-") and words[index] not in ("-", "--"):
        flag = words[index]
        if not flag.startswith("--") and "c" in flag[1:]:
            c_mode = True
        index += 1
    if index < len(words) and words[index] == "--":
        index += 1
    return c_mode, index


def pid1(df: Dockerfile, words: list[tuple[str, Instruction]], depth: int = 0) -> Pid1:
    """Follow the command line to the process that ends up as PID 1 (through an init, `sh -c`, and entrypoint
    scripts that exec what follows them) and say whether it receives SIGTERM."""
    program, instruction = words[0]
    args = [w for w, _ in words]
    name = posixpath.basename(program)
    init = _init_name(program)
    if init:
        flags = []
        rest = words[1:]
        while rest and rest[0][0].startswith("-") and rest[0][0] != "--":
            flags.append(rest[0][0])
            takes_value = rest[0][0] in ("-p", "-e", "-r", "--rewrite")
            rest = rest[2:] if takes_value else rest[1:]
        if rest and rest[0][0] == "--":
            rest = rest[1:]
        group = (name == "dumb-init" and not any(f in ("--single-child", "-c") for f in flags)) or \
            (name.startswith("tini") and "-g" in flags)
        if group or not rest or depth > 5:
            how = "forwards SIGTERM to the whole process group" if group else "receives SIGTERM"
            return Pid1("pass", f"{instruction.keyword} runs {init} as PID 1, which {how}", instruction, init,
                        program)
        child = pid1(df, rest, depth + 1)
        if child.status == "pass":
            return Pid1("pass", f"{instruction.keyword} runs {init} as PID 1, which passes SIGTERM to "
                                f"{child.program or rest[0][0]}", instruction, init, child.program)
        return Pid1(child.status, f"{init} passes SIGTERM only to its child, and {child.message}",
                    child.instruction, init, child.program)
    if name in _SHELLS and len(args) > 1:
        c_mode, index = _shell_script(args)
        if c_mode and index < len(args):
            script = args[index]
            command, _ = last_command(script)
            shell_form = instruction.form == "shell"
            how = (f"{instruction.keyword} {_short(script)} is in shell form, so {program} -c is PID 1"
                   if shell_form else f"{instruction.keyword} runs `{_short(script)}` through {program} -c, so the "
                                      "shell is PID 1")
            if is_exec(command):
                target = command.split()[1] if len(command.split()) > 1 else ""
                return Pid1("pass", f"{instruction.keyword} {'(shell form) ' if shell_form else ''}ends by exec-ing "
                                    f"{target}, which replaces the shell as PID 1", instruction, "", target)
            return Pid1("fail", f"{how} and SIGTERM does not reach {(command.split() or [script])[0]}; "
                                "start the command with exec", instruction)
        if not c_mode and index < len(args):
            return _script(df, args[index], words[index + 1:], instruction, depth, run_by_shell=True)
    return _script(df, program, words[1:], instruction, depth)


def _script(df: Dockerfile, reference: str, after: list, instruction: Instruction, depth: int,
            run_by_shell: bool = False) -> Pid1:
    """PID 1 when `reference` runs with the words `after` it: a copied script is judged by its last command
    (`run_by_shell`: it is the argument of `sh script`, a shell script whatever its first line says)."""
    script = df.scripts.get(reference)
    if script is None:
        if _looks_like_script(reference):
            return Pid1("unknown", f"{instruction.keyword} runs the script {reference}, which this Dockerfile does "
                                   "not copy from the build context (it comes from the base image or another stage), "
                                   "so whether it ends by exec-ing the app is unknown", instruction, "", reference)
        return Pid1("pass", f"{instruction.keyword} runs {reference} in exec form, so it is PID 1 and receives "
                            "SIGTERM", instruction, "", reference)
    if not script.shell and not run_by_shell:
        return Pid1("pass", f"{instruction.keyword} runs {reference} ({script.interpreter or 'not a shell script'}) "
                            "in exec form, so it is PID 1 and receives SIGTERM", instruction, "", reference)
    where = f"{script.source}:{script.last_line}" if script.last_line else script.source
    if script.execs_arguments and after and depth <= 5:
        child = pid1(df, after, depth + 1)
        if child.status == "pass":
            return Pid1("pass", f"the entrypoint script {reference} ends with `{script.last_command}` ({where}), and "
                                f"{child.message}", child.instruction, child.init, child.program)
        return Pid1(child.status, f"the entrypoint script {reference} execs its arguments, and {child.message}",
                    child.instruction, child.init, child.program)
    if script.ends_in_exec:
        return Pid1("pass", f"the entrypoint script {reference} ends with `{_short(script.last_command)}` ({where}), "
                            "which replaces the shell as PID 1", instruction, "", reference)
    last = f"ends with `{_short(script.last_command)}` ({where})" if script.last_command else \
        f"runs no command ({script.source})"
    return Pid1("fail", f"the entrypoint script {reference} {last} instead of exec, so the shell stays PID 1 and "
                        "SIGTERM does not reach the app", instruction, "", reference)


def _final(df: Dockerfile) -> Stage | None:
    return df.final_stage


def _stage_name(stage: Stage) -> str:
    return f"final stage {stage.alias}" if stage.alias else f"final stage (#{stage.index})"


# --------------------------------------------------------------------------- PRC-DKR-001


@check(id="PRC-DKR-001", slug="healthcheck", target=Dockerfile, item="readiness", severity="low",
       fix="Add a HEALTHCHECK to the final stage, e.g. HEALTHCHECK CMD [\"/app/server\", \"healthcheck\"].")
def healthcheck(df: Dockerfile, opts):
    """What: the final stage of a Dockerfile whose image runs outside Kubernetes (plain Docker, Compose, ECS with container health checks) defines a HEALTHCHECK, inherited HEALTHCHECKs from earlier stages included; `HEALTHCHECK NONE` fails. It does not apply when the image runs on Kubernetes (a workload of the same service, or the one running the image `builds` in .prc.yaml maps the Dockerfile to): Kubernetes ignores HEALTHCHECK, and its probes are judged by PRC-K8S-001 and PRC-K8S-002.

    Why: without a health check Docker reports a container as running as long as its process exists, so a hung or deadlocked server keeps its place behind a load balancer, Compose's depends_on: service_healthy cannot wait for it, and restart policies never replace it.

    How to fix: add `HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/server", "healthcheck"]` (an exec-form probe of the app's own health endpoint, with a binary the image actually contains; curl is often missing from slim images).
    """
    final = _final(df)
    if final is None or df.runs_on_kubernetes:
        return
    found = final.inherited("HEALTHCHECK")
    if not found:
        yield df.fail(f"{_stage_name(final)} defines no HEALTHCHECK, so Docker cannot tell a hung container from a "
                      "healthy one", at=final.at)
    elif found[-1].args[:1] == ("NONE",):
        yield df.fail(f"{_stage_name(final)}: HEALTHCHECK NONE disables the health check", at=found[-1].at)
    else:
        yield df.ok(f"{_stage_name(final)}: HEALTHCHECK {_short(found[-1].command)}", at=found[-1].at)


# --------------------------------------------------------------------------- PRC-DKR-010


@check(id="PRC-DKR-010", slug="exec-form-entrypoint", target=Dockerfile, item="graceful-shutdown", severity="high",
       fix="Write ENTRYPOINT/CMD in exec form (CMD [\"app\", \"serve\"]), or end shell commands and entrypoint "
           "scripts with exec (exec \"$@\").")
def exec_form_entrypoint(df: Dockerfile, opts):
    """What: the final stage's ENTRYPOINT and CMD make the application PID 1, so that it receives the SIGTERM `docker stop` and Kubernetes send. Exec form (a JSON array) passes; shell form (`CMD node server.js`) fails unless the command ends by exec-ing the app (`CMD exec node server.js`, `sh -c "migrate && exec app"`). The check follows the command line: through tini or dumb-init, through `sh -c`, and into entrypoint scripts that the Dockerfile copies from the build context (read as text, never run), which pass when their last command is `exec` (`exec "$@"` hands over to CMD, which is then judged the same way). A script the scan cannot read (from the base image or another stage) is UNKNOWN, naming it; so is an image that sets neither ENTRYPOINT nor CMD and runs its base image's.

    Why: in shell form the container runs `/bin/sh -c "<command>"`; the shell is PID 1, does not forward SIGTERM to the app, and the app is killed with SIGKILL when the grace period ends, dropping in-flight requests and skipping its shutdown hooks. Some shells exec a lone simple command, but that depends on the base image's /bin/sh and breaks as soon as the command grows an `&&`.

    How to fix: use exec form (`ENTRYPOINT ["/app/server"]`, `CMD ["--port", "8080"]`); when a shell is needed for setup, end the command or the entrypoint script with `exec` (`exec "$@"`, `exec app`), and put an init such as tini in front when the app spawns children.
    """
    final = _final(df)
    if final is None:
        return
    words = _process(final)
    if words is None:
        _, _, from_base = final.process()
        if from_base:
            yield df.unknown(f"{_stage_name(final)} sets neither ENTRYPOINT nor CMD: it runs what the base image "
                             f"{final.external_base} defines, which the scan cannot see", at=final.at)
        return
    found = pid1(df, words)
    if found.status == "pass":
        yield df.ok(f"{_stage_name(final)}: {found.message}", at=found.instruction.at)
    elif found.status == "fail":
        yield df.fail(f"{_stage_name(final)}: {found.message}", at=found.instruction.at)
    else:
        yield df.unknown(f"{_stage_name(final)}: {found.message}", at=found.instruction.at)


# --------------------------------------------------------------------------- PRC-DKR-011


@check(id="PRC-DKR-011", slug="init-or-signal-aware-pid1", target=Dockerfile, item="graceful-shutdown",
       severity="low", fix="Run the app under an init (ENTRYPOINT [\"/sbin/tini\", \"--\"]) or declare the signal it "
                           "stops on with STOPSIGNAL.")
def init_or_signal_aware_pid1(df: Dockerfile, opts):
    """What: the final stage runs an init as PID 1 (tini, dumb-init, catatonit, s6-svscan or s6-overlay's /init, in ENTRYPOINT), or declares with STOPSIGNAL the signal its app stops on (SIGQUIT for nginx's graceful stop, SIGINT for some runtimes). An image that sets neither ENTRYPOINT nor CMD is UNKNOWN. Docker's `--init` flag and Kubernetes' shareProcessNamespace are set where the container runs, not in the Dockerfile, so they cannot count here.

    Why: PID 1 gets no default signal handlers from the kernel: an app that never installs a SIGTERM handler ignores `docker stop` and is killed after the grace period, and a PID 1 that does not reap children fills the process table with zombies when the app forks (health-check scripts, subprocesses). An app that stops gracefully only on another signal needs STOPSIGNAL, or it is stopped with a signal it treats as a crash.

    How to fix: install tini (`apk add tini`, `apt-get install tini`, or the static binary) and use `ENTRYPOINT ["/sbin/tini", "--", "/app/server"]`, or dumb-init likewise; or declare `STOPSIGNAL SIGQUIT` (or whatever the app expects) when it handles its own signals.
    """
    final = _final(df)
    if final is None:
        return
    words = _process(final)
    stop = final.last("STOPSIGNAL")
    if words is None:
        _, _, from_base = final.process()
        if stop is not None:
            yield df.ok(f"{_stage_name(final)}: STOPSIGNAL {stop.command}", at=stop.at)
        elif from_base:
            yield df.unknown(f"{_stage_name(final)} sets neither ENTRYPOINT nor CMD: PID 1 is whatever the base image "
                             f"{final.external_base} runs", at=final.at)
        return
    program, instruction = words[0]
    init = _init_name(program)
    if init:
        yield df.ok(f"{_stage_name(final)}: {instruction.keyword} runs {init} as PID 1", at=instruction.at)
    elif stop is not None:
        yield df.ok(f"{_stage_name(final)}: no init, but STOPSIGNAL {stop.command} is declared", at=stop.at)
    else:
        what = (f"/bin/sh (the shell-form {instruction.keyword})" if instruction.form == "shell"
                else posixpath.basename(program) or program)
        yield df.fail(f"{_stage_name(final)}: PID 1 is {what}, not an init such as tini or dumb-init, and no "
                      "STOPSIGNAL is declared", at=instruction.at)


# --------------------------------------------------------------------------- PRC-DKR-020

_ROOT_USERS = frozenset({"root", "0"})


@check(id="PRC-DKR-020", slug="non-root-user", target=Dockerfile, item="container-hardening", severity="high",
       fix="Create an unprivileged user and switch to it at the end of the final stage: USER 10001:10001.")
def non_root_user(df: Dockerfile, opts):
    """What: the last USER of the final stage (USERs of the stages it builds on count) names a user other than root or UID 0; a final stage with no USER fails, since it runs as the base image's user, which is root for nearly every base image. A USER that depends on a variable the scan cannot resolve is UNKNOWN. A root group with a non-root user (USER 1001:0, the OpenShift convention) passes.

    Why: a process running as root in a container is root on the host when it escapes through a kernel or runtime bug, can rewrite the image's own binaries, and gets every file a volume exposes; Kubernetes' runAsNonRoot refuses such an image, and many platforms do too.

    How to fix: add a user in the image (`RUN addgroup -S app && adduser -S -G app -u 10001 app`, or use a base image's nonroot user) and end the final stage with `USER 10001:10001`; use a numeric UID so that runAsNonRoot can verify it.
    """
    final = _final(df)
    if final is None:
        return
    users = final.inherited("USER")
    if not users:
        base = final.external_base or "scratch"
        yield df.fail(f"{_stage_name(final)} sets no USER, so the container runs as the user of {base}: root unless "
                      "that image sets another", at=final.at)
        return
    last = users[-1]
    written = last.args[0] if last.args else ""
    if last.unresolved:
        yield df.unknown(f"{_stage_name(final)}: USER {written} depends on {', '.join(last.unresolved)}, which has no "
                         "value in the Dockerfile", at=last.at)
        return
    value = last.expanded[0] if last.expanded else written
    user = value.split(":", 1)[0].strip()
    shown = value if value == written else f"{written} ({value})"
    if user in _ROOT_USERS:
        yield df.fail(f"{_stage_name(final)}: the last USER is {shown}{'' if user == 'root' else ', which is root'}",
                      at=last.at)
    else:
        yield df.ok(f"{_stage_name(final)} runs as USER {shown}", at=last.at)


# --------------------------------------------------------------------------- PRC-DKR-030

_ABSOLUTE_PATH_RE = re.compile(r"^/[\w.\-/]*$")
_REFERENCE_RE = re.compile(r"(?<!\\)\$(\{[A-Za-z_]|[A-Za-z_])")


def _literal(raw: str, value: str | None) -> bool:
    """A value written out in the Dockerfile: not empty, not a switch (0, 1, true, off...), not a file path."""
    if value is None or not value.strip() or is_switch(value):
        return False
    return not _ABSOLUTE_PATH_RE.match(value)


@check(id="PRC-DKR-030", slug="no-literal-secrets-env-arg", target=Dockerfile, item="secrets-not-literals",
       severity="high",
       fix="Pass secrets at build time with RUN --mount=type=secret and at run time from the platform's secret "
           "store, never with ENV or ARG.",
       options=secret_name_options())
def no_literal_secrets(df: Dockerfile, opts):
    """What: ENV and ARG instructions (in every stage, and global ARGs before the first FROM) whose names look secret, by the same name rules as PRC-K8S-090 (PASSWORD, TOKEN, SECRET, API_KEY...; names ending in FILE, PATH, URL, TTL and similar are settings about a secret), hold no value. A literal value fails; empty values, boolean-like switches (MYSQL_ALLOW_EMPTY_PASSWORD=1) and absolute file paths pass. An ENV set from a variable (ENV NPM_TOKEN=$NPM_TOKEN) and a secret-looking ARG, even without a default, fail at medium severity: the value is kept in the image.

    Why: a literal in a Dockerfile is in Git history and in every image built from it; ENV values are stored in the image configuration and shown by `docker inspect` to anyone who can pull the image, and build arguments are recorded in the image history (`docker history`) of every layer that uses them, even when the Dockerfile gives no default.

    How to fix: remove the value and rotate it; at build time mount the secret only for the step that needs it (`RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci`), and at run time give it to the container from the platform's secret store (a Kubernetes Secret, ECS secrets, Compose secrets) or as a file (DB_PASSWORD_FILE).
    """
    patterns, words = opts["patterns"], opts["not_secret_words"]
    secret_vars = 0
    clean = True
    for instruction in df.all_instructions:
        if instruction.keyword not in ("ENV", "ARG"):
            continue
        for pair in instruction.pairs:
            if not secret_looking(pair.key, patterns, words):
                continue
            secret_vars += 1
            keyword = instruction.keyword
            if pair.raw is None:  # ARG NAME, given with --build-arg
                clean = False
                yield df.fail(f"build arg {pair.key} is recorded in the image history of every RUN that uses it; "
                              "mount the secret with RUN --mount=type=secret instead", at=pair.at, severity="medium")
            elif not _REFERENCE_RE.search(pair.raw):
                if _literal(pair.raw, pair.value):
                    clean = False
                    yield df.fail(f"build arg {pair.key} has a literal default value" if keyword == "ARG"
                                  else f"ENV {pair.key} is set to a literal value", at=pair.at)
            elif not pair.unresolved:
                if _literal(pair.raw, pair.value):  # ${X} where X is written out earlier in the Dockerfile
                    clean = False
                    yield df.fail(f"{keyword} {pair.key} is set to a literal value through {pair.raw}", at=pair.at)
            elif keyword == "ARG":
                clean = False
                yield df.fail(f"build arg {pair.key} defaults to {pair.raw} and is recorded in the image history; "
                              "mount the secret with RUN --mount=type=secret instead", at=pair.at, severity="medium")
            else:
                clean = False
                yield df.fail(f"ENV {pair.key} is set from {pair.raw}, which stores the value in the image's "
                              "configuration (docker inspect shows it)", at=pair.at, severity="medium")
    if secret_vars and clean:
        yield df.ok(f"{secret_vars} secret-looking ENV/ARG name(s), none holding a value")


# --------------------------------------------------------------------------- PRC-DKR-040


@check(id="PRC-DKR-040", slug="base-image-pinned", target=Dockerfile, item="images-pinned", severity="medium",
       fix="Pin every FROM to a version tag and its digest: FROM python:3.12.4-slim@sha256:<digest>.",
       options={"floating_tags": ([], "more tags that count as floating (compared case-insensitively), such as a "
                                      "major-only channel; tags with no digit float anyway, as in PRC-K8S-100")})
def base_image_pinned(df: Dockerfile, opts):
    """What: every FROM names its base image with an explicit tag other than latest, and with a digest. A missing tag (which means latest), latest itself, and a tag with no version number in it (alpine, slim, bookworm, lts: it moves to new builds, as in PRC-K8S-100) fail; a version tag without a digest fails at low severity (pin by digest); a digest passes. FROM scratch and FROM an earlier stage are not judged. A base image named through an ARG is judged after substituting the ARG's default; an ARG without a default makes it UNKNOWN.

    Why: an unpinned base image changes under the build: the same commit builds a different image next week, with a new OS release, a new language runtime or a compromised upstream push, and a rollback no longer restores what ran. A tag can be moved to another image at any time; only a digest names one image.

    How to fix: use the version you test with and its digest (`FROM node:20.15.1-bookworm-slim@sha256:...`, from `docker buildx imagetools inspect node:20.15.1-bookworm-slim`), and let Renovate or Dependabot update both.
    """
    extra = {str(t).lower() for t in opts["floating_tags"]}
    for stage in df.stages:
        if stage.parent is not None:
            continue
        raw = stage.base_raw
        if stage.unresolved:
            yield df.unknown(f"{stage.label}: base image {raw} depends on {', '.join(stage.unresolved)}, which has no "
                             "default in the Dockerfile", at=stage.at)
            continue
        if stage.scratch:
            continue
        image = stage.base
        shown = image if image == raw else f"{raw} ({image})"
        try:
            ref = parse_image(image)
        except ImageRefError as exc:
            yield df.fail(f"{stage.label}: base image {shown} is not a valid image reference: {exc}", at=stage.at)
            continue
        if ref.digest:
            yield df.ok(f"{stage.label}: base image {shown} is pinned by digest", at=stage.at)
        elif not ref.tag:
            yield df.fail(f"{stage.label}: base image {shown} has no tag, so the build pulls :latest", at=stage.at)
        elif ref.tag.lower() == "latest" or ref.tag.lower() in extra:
            yield df.fail(f"{stage.label}: base image {shown} uses the floating tag {ref.tag}", at=stage.at)
        elif floats(ref.tag, extra):
            yield df.fail(f"{stage.label}: base image {shown} uses the floating tag {ref.tag} (no version number, so "
                          "it moves to new builds)", at=stage.at)
        else:
            yield df.fail(f"{stage.label}: base image {shown} is tagged {ref.tag} but not pinned by digest; pin by "
                          "digest (@sha256:...)", at=stage.at, severity="low")


# --------------------------------------------------------------------------- PRC-DKR-041

_DOWNLOADERS = re.compile(r"(?:^|[\s;&|(`])(?:/usr/bin/|/bin/|/usr/local/bin/)?(curl|wget)\b")
_PREFIXES = frozenset({"sudo", "env", "command", "exec", "nohup", "time"})


def _run_scripts(instruction: Instruction) -> list[str]:
    """The shell text a RUN (or an ONBUILD RUN) runs: its command, the `sh -c` script of an exec form, and its
    heredoc bodies."""
    run = instruction.sub if instruction.sub is not None else instruction
    if run.keyword != "RUN":
        return []
    texts = []
    if run.form == "exec":
        args = list(run.args)
        if args and posixpath.basename(args[0]) in _SHELLS:
            c_mode, index = _shell_script(args)
            if c_mode and index < len(args):
                texts.append(args[index])
        else:
            texts.append(" ".join(args))
    elif run.args:
        texts.append(run.args[0])
    texts += [h.content for h in run.heredocs]
    return texts


def _pipelines(text: str) -> list[list[str]]:
    """Pipelines of a shell text, each a list of its commands (split on unquoted |, and on ;, &&, || and newlines)."""
    pipelines, current, word, quote = [], [], "", ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            word += ch
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in "'\"":
            quote = ch
            word += ch
        elif text.startswith(("&&", "||"), i) or ch in ";\n":
            current.append(word)
            pipelines.append(current)
            current, word = [], ""
            i += 2 if text.startswith(("&&", "||"), i) else 1
            continue
        elif ch == "|":
            current.append(word)
            word = ""
        else:
            word += ch
        i += 1
    current.append(word)
    pipelines.append(current)
    return [[c.strip() for c in p if c.strip()] for p in pipelines if any(c.strip() for c in p)]


def _command_word(command: str) -> str:
    words = command.split()
    while words and (words[0] in _PREFIXES or words[0].startswith("-") or "=" in words[0]):
        words = words[1:]
    return posixpath.basename(words[0]) if words else ""


def piped_into(text: str, interpreters: set[str]) -> str:
    """The first `download | interpreter` (or `interpreter <(download)`, `interpreter -c "$(download)"`) in a shell
    text, as written, or ""."""
    for pipeline in _pipelines(text):
        for index, command in enumerate(pipeline):
            if _DOWNLOADERS.search(" " + command) and _command_word(command) in ("curl", "wget"):
                for later in pipeline[index + 1:]:
                    if _command_word(later) in interpreters:
                        return " | ".join(pipeline[index:pipeline.index(later) + 1])
            program = _command_word(command)
            if program in interpreters and re.search(r"(<\(|\$\(|`)\s*(?:\S*/)?(curl|wget)\b", command):
                return command
    return ""


@check(id="PRC-DKR-041", slug="no-curl-pipe-shell", target=Dockerfile, item="build-hygiene", severity="medium",
       fix="Download the script to a file, verify its checksum or signature, then run it; or install the tool from a "
           "package manager.",
       options={"interpreters": (["sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby",
                                  "node", "php"],
                                 "programs that count as running the downloaded text when curl or wget output is "
                                 "piped into them")})
def no_curl_pipe_shell(df: Dockerfile, opts):
    """What: no RUN in any stage pipes a download into a shell or an interpreter: `curl ... | sh`, `wget -O- ... | bash`, `curl ... | sudo -E bash -`, `curl ... | python3`, `bash <(curl ...)` or `sh -c "$(curl ...)"`. RUN commands in shell form, exec-form `sh -c` scripts and heredoc bodies are all read. The interpreters option lists the programs that count.

    Why: the build runs whatever the server returns at that moment, unverified: a compromised or hijacked download site, a truncated transfer or a changed installer puts arbitrary code into the image, and two builds of one commit can differ.

    How to fix: download to a file, check it against a pinned checksum and run it (`curl -fsSLo install.sh https://... && echo "<sha256>  install.sh" | sha256sum -c - && sh install.sh`), use ADD --checksum, or install the tool from the distribution's package manager or a pinned release binary.
    """
    interpreters = {str(i) for i in opts["interpreters"]}
    runs = 0
    for instruction in df.all_instructions:
        texts = _run_scripts(instruction)
        if not texts:
            continue
        runs += 1
        for text in texts:
            found = piped_into(text, interpreters)
            if found:
                word = "curl" if "curl" in found else "wget"
                stage = next((s for s in df.stages if instruction in s.instructions), None)
                label = stage.label if stage else "RUN"
                program = _command_word(found.split("|")[-1]) or "a shell"
                yield df.fail(f"{label}: RUN feeds a download straight into {program}: `{_short(found)}`",
                              at=f"{instruction.at}#{word}")
                break
    if runs and not any(piped_into(t, interpreters) for i in df.all_instructions for t in _run_scripts(i)):
        yield df.ok(f"{runs} RUN instruction(s), none piping a download into a shell")


# --------------------------------------------------------------------------- PRC-DKR-042

_ARCHIVE_RE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz|tbz2|tar\.xz|txz|tar\.lz|tar\.lzma)$", re.IGNORECASE)
_URL_RE = re.compile(r"^([a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)


@check(id="PRC-DKR-042", slug="copy-not-add", target=Dockerfile, item="build-hygiene", severity="low",
       fix="Use COPY for local files and directories; keep ADD for URLs and local tar archives it should unpack.")
def copy_not_add(df: Dockerfile, opts):
    """What: ADD is used only for what COPY cannot do: fetching a URL or a Git repository (`ADD https://...`, `ADD git@...`, ideally with --checksum) and unpacking a local tar archive (.tar, .tar.gz, .tgz, .tar.bz2, .tar.xz...). ADD of a plain local file or directory, or of a heredoc, fails. An ADD whose sources depend on a variable without a value is UNKNOWN. A Dockerfile that copies only with COPY passes.

    Why: ADD silently does more than copy: a local file that happens to be a tar archive is unpacked instead of copied, and a source that becomes a URL is fetched from the network. COPY says what it does, which keeps builds predictable and reviews honest.

    How to fix: replace `ADD app.jar /app/` with `COPY app.jar /app/`; keep ADD only where it fetches a URL (add --checksum=sha256:...) or unpacks a local archive on purpose.
    """
    copies = 0
    for instruction in df.all_instructions:
        add = instruction.sub if instruction.sub is not None else instruction
        if add.keyword == "COPY":
            copies += 1
        if add.keyword != "ADD":
            continue
        copies += 1
        if add.unresolved:
            yield df.unknown(f"ADD {_short(add.command)} depends on {', '.join(add.unresolved)}, which has no value in "
                             "the Dockerfile", at=instruction.at)
            continue
        sources = list(add.expanded or add.args)[:-1]
        local = [s for s in sources if not _URL_RE.match(s) and not _ARCHIVE_RE.search(s)]
        if local:
            shown = ", ".join("a heredoc" if s.startswith("<<") else s for s in local)
            yield df.fail(f"ADD copies {shown}, which COPY does without ADD's URL fetching and archive unpacking",
                          at=instruction.at)
        else:
            urls = [s for s in sources if _URL_RE.match(s)]
            what = "fetches" if len(urls) == len(sources) else "unpacks" if not urls else "fetches and unpacks"
            yield df.ok(f"ADD {what} {', '.join(sources)}", at=instruction.at)
    if copies and not any(i.keyword == "ADD" or (i.sub is not None and i.sub.keyword == "ADD")
                          for i in df.all_instructions):
        yield df.ok("copies with COPY only")


# --------------------------------------------------------------------------- PRC-REPO-001


@check(id="PRC-REPO-001", slug="dockerignore", target=Dockerfile, item="build-hygiene", severity="low",
       fix="Add a .dockerignore next to the Dockerfile that excludes .git, local env files, build output and "
           "dependencies.")
def dockerignore(df: Dockerfile, opts):
    """What: a .dockerignore sits in each Dockerfile's build context, taken to be the directory the Dockerfile is in (what `docker build <dir>` and a Compose service with `build: .` beside it use), or a Dockerfile-specific `<name>.dockerignore` sits beside the Dockerfile (which BuildKit reads first). A Dockerfile built with another context (`docker build -f docker/Dockerfile .`) is judged by its own directory too; suppress the result or keep a .dockerignore beside it.

    Why: without one the whole directory is sent to the builder, including .git, local .env files with credentials, node_modules and build output: builds are slower, caches bust on unrelated changes, and `COPY . .` puts secrets and junk into the image.

    How to fix: add a .dockerignore beside the Dockerfile listing at least .git, .env*, build output, dependency directories and the Dockerfile itself, or an allow-list (`*` then `!src/`, `!go.mod`...).
    """
    if df.dockerignore:
        yield df.ok(f"{df.dockerignore_path} filters the build context")
    else:
        directory = df.file.rpartition("/")[0] or "the scan root"
        yield df.fail(f"no .dockerignore in the build context {directory} (the Dockerfile's directory), so everything "
                      "in it, .git and local secrets included, is sent to the builder")
