"""Kubernetes security checks: container hardening, host namespaces, RBAC, API tokens, literal secrets.

Which containers the container checks cover: every container of the pod
template, regular containers, init containers and native sidecars (init
containers with restartPolicy: Always) alike. An init container runs with
the same kernel access as the app, often with a writable volume the app
later trusts, so a privileged or root init container is as much a risk as
a privileged app container. A team that deliberately runs, say, a
volume-permissions init container as root says so with an inline
`# prc:ignore` or a waiver.

Windows pods (spec.os.name: windows, or the kubernetes.io/os: windows node
selector) have no Linux capabilities, privilege escalation or read-only
root file system, so those checks do not apply to them; running as
non-root and privileged mode have Windows forms (windowsOptions) that the
checks understand.
"""

from __future__ import annotations

import re

from prc.registry import check
from prc.targets import Container, RbacBinding, RbacRole, Workload, mapping, sequence

from ._common import pod_template_unknown
from ._secrets import secret_looking, secret_name_options

# --------------------------------------------------------------------------- helpers



def _is_windows(w: Workload) -> bool:
    os_name = mapping(w.pod_spec.get("os")).get("name")
    if isinstance(os_name, str):
        return os_name.lower() == "windows"
    node_os = mapping(w.pod_spec.get("nodeSelector")).get("kubernetes.io/os")
    return isinstance(node_os, str) and node_os.lower() == "windows"


def _container_sc(c: Container):
    return mapping(c.spec.get("securityContext"))


def _effective(c: Container, *path: str) -> tuple[object, str]:
    """A securityContext field as Kubernetes resolves it: the container's value wins over the pod's.

    Returns (value, "container" | "pod"), or (None, "") when neither sets it.
    """
    for source, sc in (("container", _container_sc(c)), ("pod", mapping(c.workload.pod_spec.get("securityContext")))):
        node: object = sc
        for key in path[:-1]:
            node = mapping(mapping(node).get(key))
        value = mapping(node).get(path[-1])
        if value is not None:  # an explicit null is the same as leaving the field out
            return value, source
    return None, ""


def _what(value: object) -> str:
    """A value as the user wrote it, for a message."""
    return repr(value) if isinstance(value, str) else str(value)


def _uid(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --------------------------------------------------------------------------- PRC-K8S-080


@check(id="PRC-K8S-080", slug="run-as-non-root", target=Container, item="container-hardening", severity="medium",
       fix="Set securityContext.runAsNonRoot: true and a non-zero runAsUser (pod or container level).")
def run_as_non_root(c: Container, opts):
    """What: every container (including init containers and native sidecars) runs as a non-root user: the effective securityContext has runAsNonRoot: true or a runAsUser above 0, where a container's own setting overrides the pod's.

    Why: a process running as UID 0 that escapes its container, or exploits a kernel or runtime bug, is root on the node; inside the container it can also rewrite its own binaries and read every mounted secret. Without runAsNonRoot nothing stops an image whose USER is root from running that way.

    How to fix: build the image with a numeric non-root USER and set runAsNonRoot: true (and, when the image has no USER, runAsUser: 10001 or similar) in the pod securityContext so every container inherits it; do not override it with runAsUser: 0 in a container.
    """
    if _is_windows(c.workload):
        yield from _windows_non_root(c)
        return
    uid, uid_from = _effective(c, "runAsUser")
    non_root, non_root_from = _effective(c, "runAsNonRoot")
    if uid is not None and not _uid(uid):
        yield c.unknown(f"container {c.name}: runAsUser {_what(uid)} in the {uid_from} securityContext is not a "
                        "user ID (an integer)", at="securityContext.runAsUser")
        return
    if non_root is not None and not isinstance(non_root, bool):
        yield c.unknown(f"container {c.name}: runAsNonRoot {_what(non_root)} in the {non_root_from} securityContext "
                        "is not a boolean", at="securityContext.runAsNonRoot")
        return
    if uid == 0:
        if non_root is True:
            yield c.fail(f"container {c.name}: runAsUser 0 (from the {uid_from} securityContext) contradicts "
                         f"runAsNonRoot: true (from the {non_root_from} securityContext); the kubelet refuses to "
                         "start it", at="securityContext.runAsUser")
        else:
            yield c.fail(f"container {c.name} runs as root: runAsUser 0 in the {uid_from} securityContext",
                         at="securityContext.runAsUser")
    elif uid is not None:
        yield c.ok(f"container {c.name} runs as UID {uid} (from the {uid_from} securityContext)",
                   at="securityContext.runAsUser")
    elif non_root is True:
        yield c.ok(f"container {c.name} has runAsNonRoot: true (from the {non_root_from} securityContext)",
                   at="securityContext.runAsNonRoot")
    elif non_root is False:
        yield c.fail(f"container {c.name}: runAsNonRoot: false in the {non_root_from} securityContext and no "
                     "runAsUser; it runs as the image's user, which is root unless the image sets a USER",
                     at="securityContext.runAsNonRoot")
    else:
        yield c.fail(f"container {c.name} sets neither runAsNonRoot: true nor a non-zero runAsUser (container or pod "
                     "securityContext); it runs as root unless the image sets a USER",
                     at="securityContext.runAsNonRoot")


def _windows_non_root(c: Container):
    """Windows: runAsUser is ignored; runAsNonRoot and windowsOptions.runAsUserName decide."""
    non_root, non_root_from = _effective(c, "runAsNonRoot")
    user, user_from = _effective(c, "windowsOptions", "runAsUserName")
    if isinstance(user, str) and user.lower() == "containeradministrator":
        yield c.fail(f"container {c.name} runs as ContainerAdministrator (windowsOptions.runAsUserName in the "
                     f"{user_from} securityContext)", at="securityContext.windowsOptions.runAsUserName")
    elif non_root is True:
        yield c.ok(f"container {c.name} has runAsNonRoot: true", at="securityContext.runAsNonRoot")
    elif isinstance(user, str) and user:
        yield c.ok(f"container {c.name} runs as Windows user {user}", at="securityContext.windowsOptions")
    else:
        yield c.fail(f"Windows container {c.name} sets neither runAsNonRoot: true nor a windowsOptions.runAsUserName "
                     "other than ContainerAdministrator", at="securityContext.runAsNonRoot")


# --------------------------------------------------------------------------- PRC-K8S-081


@check(id="PRC-K8S-081", slug="no-privilege-escalation", target=Container, item="container-hardening",
       severity="medium", fix="Set securityContext.allowPrivilegeEscalation: false on the container.")
def no_privilege_escalation(c: Container, opts):
    """What: every Linux container (including init containers and native sidecars) sets securityContext.allowPrivilegeEscalation: false; the field exists only at container level and defaults to true.

    Why: with privilege escalation allowed, the kernel's no_new_privs flag is not set, so a setuid binary or file capability in the image lets a compromised process gain more privileges than the container was started with.

    How to fix: add allowPrivilegeEscalation: false to each container's securityContext (it cannot be set on the pod) and do not run the container privileged or with CAP_SYS_ADMIN, both of which always allow escalation.
    """
    if _is_windows(c.workload):
        return
    sc = _container_sc(c)
    value = sc.get("allowPrivilegeEscalation")
    if sc.get("privileged") is True:
        yield c.fail(f"container {c.name} is privileged, which always allows privilege escalation",
                     at="securityContext.privileged")
    elif value is False:
        yield c.ok(at="securityContext.allowPrivilegeEscalation")
    elif value is True:
        yield c.fail(f"container {c.name} sets allowPrivilegeEscalation: true",
                     at="securityContext.allowPrivilegeEscalation")
    elif value is None:
        yield c.fail(f"container {c.name} does not set allowPrivilegeEscalation: false (it defaults to true)",
                     at="securityContext.allowPrivilegeEscalation")
    else:
        yield c.unknown(f"container {c.name}: allowPrivilegeEscalation {_what(value)} is not a boolean",
                        at="securityContext.allowPrivilegeEscalation")


# --------------------------------------------------------------------------- PRC-K8S-082


@check(id="PRC-K8S-082", slug="not-privileged", target=Container, item="container-hardening", severity="critical",
       fix="Remove securityContext.privileged: true; add only the capabilities the container needs.")
def not_privileged(c: Container, opts):
    """What: no container (including init containers and native sidecars) runs with securityContext.privileged: true, and no Windows container runs as a HostProcess container (windowsOptions.hostProcess: true).

    Why: a privileged container gets every capability, every host device and no seccomp or AppArmor confinement; a process in it is effectively root on the node and can take over every other pod scheduled there.

    How to fix: remove privileged: true and grant the one or two capabilities the workload really needs under capabilities.add; node-level agents that truly need the host belong in a dedicated, separately reviewed namespace, with the exception recorded as a waiver.
    """
    sc = _container_sc(c)
    privileged = sc.get("privileged")
    host_process, host_process_from = _effective(c, "windowsOptions", "hostProcess")
    if privileged is True:
        yield c.fail(f"container {c.name} runs privileged (securityContext.privileged: true): it has every "
                     "capability and all host devices", at="securityContext.privileged")
    elif privileged is not None and privileged is not False:
        yield c.unknown(f"container {c.name}: privileged {_what(privileged)} is not a boolean",
                        at="securityContext.privileged")
    elif host_process is True:
        yield c.fail(f"container {c.name} is a Windows HostProcess container (windowsOptions.hostProcess: true in "
                     f"the {host_process_from} securityContext)", at="securityContext.windowsOptions.hostProcess")
    else:
        yield c.ok(at="securityContext.privileged")


# --------------------------------------------------------------------------- PRC-K8S-083


def capability_names(value: object) -> list[str] | None:
    """Capability names as the runtime reads them (upper case, CAP_ prefix optional); None for a non-list."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    names = []
    for item in value:
        name = str(item).strip().upper()
        names.append(name[4:] if name.startswith("CAP_") else name)
    return names


@check(id="PRC-K8S-083", slug="drop-capabilities", target=Container, item="container-hardening", severity="low",
       fix="Set securityContext.capabilities.drop: [ALL] and add back only what the container needs.",
       options={"dangerous_capabilities": (
           ["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "BPF"],
           "capabilities that undo the hardening when added back; adding one fails with severity high")})
def drop_capabilities(c: Container, opts):
    """What: every Linux container (including init containers and native sidecars) drops all capabilities (securityContext.capabilities.drop contains ALL), and does not add a capability that gives near-root power (option dangerous_capabilities: ALL, SYS_ADMIN, SYS_MODULE, SYS_PTRACE, BPF by default; reported with severity high).

    Why: container runtimes grant a default set of capabilities (CHOWN, SETUID, NET_RAW, and more) that most applications never use; NET_RAW alone lets a compromised pod spoof traffic on the node network. Adding SYS_ADMIN or ALL back gives away nearly everything the drop took.

    How to fix: set capabilities.drop: [ALL] and list under capabilities.add only what the process needs, typically nothing or NET_BIND_SERVICE to bind a port below 1024.
    """
    if _is_windows(c.workload):
        return
    caps = mapping(_container_sc(c).get("capabilities"))
    drop = capability_names(caps.get("drop"))
    add = capability_names(caps.get("add"))
    if drop is None or add is None:
        bad = "drop" if drop is None else "add"
        yield c.unknown(f"container {c.name}: capabilities.{bad} is not a list",
                        at=f"securityContext.capabilities.{bad}")
        return
    failed = False
    if "ALL" not in drop:
        failed = True
        if drop:
            yield c.fail(f"container {c.name} drops only {', '.join(drop)}, not ALL capabilities",
                         at="securityContext.capabilities.drop")
        else:
            yield c.fail(f"container {c.name} does not drop capabilities (capabilities.drop has no ALL)",
                         at="securityContext.capabilities.drop")
    dangerous = {str(n).upper().removeprefix("CAP_") for n in opts["dangerous_capabilities"]}
    added = [name for name in add if name in dangerous]
    if added:
        failed = True
        yield c.fail(f"container {c.name} adds the dangerous capabilit{'ies' if len(added) > 1 else 'y'} "
                     f"{', '.join(added)}, which give{'' if len(added) > 1 else 's'} near-root power over the node",
                     at="securityContext.capabilities.add", severity="high")
    if not failed:
        yield c.ok(at="securityContext.capabilities.drop")


# --------------------------------------------------------------------------- PRC-K8S-084


@check(id="PRC-K8S-084", slug="read-only-root-fs", target=Container, item="container-hardening", severity="low",
       fix="Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.")
def read_only_root_fs(c: Container, opts):
    """What: every Linux container (including init containers and native sidecars) sets securityContext.readOnlyRootFilesystem: true.

    Why: a writable root file system lets an attacker who gets code execution drop tools or replace binaries and libraries, and lets the app scatter state in the container layer, where it is lost on restart and invisible to reviews.

    How to fix: set readOnlyRootFilesystem: true and mount an emptyDir volume on each path the process must write to (/tmp, a cache directory).
    """
    if _is_windows(c.workload):
        return
    value = _container_sc(c).get("readOnlyRootFilesystem")
    if value is True:
        yield c.ok(at="securityContext.readOnlyRootFilesystem")
    elif value is False:
        yield c.fail(f"container {c.name} sets readOnlyRootFilesystem: false",
                     at="securityContext.readOnlyRootFilesystem")
    elif value is None:
        yield c.fail(f"container {c.name} has a writable root file system (readOnlyRootFilesystem not set)",
                     at="securityContext.readOnlyRootFilesystem")
    else:
        yield c.unknown(f"container {c.name}: readOnlyRootFilesystem {_what(value)} is not a boolean",
                        at="securityContext.readOnlyRootFilesystem")


# --------------------------------------------------------------------------- PRC-K8S-085

_HOST_NAMESPACES = (
    ("hostNetwork", "{pods} share{s} the node's network stack and can reach every port bound on the node"),
    ("hostPID", "{pods} see{s} and can signal every process on the node"),
    ("hostIPC", "{pods} share{s} the node's System V IPC and POSIX shared memory"),
)


@check(id="PRC-K8S-085", slug="no-host-namespaces", target=Workload, item="container-hardening", severity="high",
       fix="Remove hostNetwork, hostPID and hostIPC from the pod spec (they default to false).")
def no_host_namespaces(w: Workload, opts):
    """What: the pod spec of every workload leaves hostNetwork, hostPID and hostIPC unset or false.

    Why: sharing a host namespace removes a layer of isolation between the pod and the node: with hostNetwork the pod can listen on and reach node-local ports (kubelet, metadata endpoints) and bypasses NetworkPolicies; with hostPID it can inspect and signal every process and read their environments; with hostIPC it can read other processes' shared memory.

    How to fix: remove the fields; expose the app with a Service (or a hostPort only when unavoidable) instead of hostNetwork, and record a waiver for node agents that truly need a host namespace.
    """
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    clean = True
    for field_name, consequence in _HOST_NAMESPACES:
        value = w.pod_spec.get(field_name)
        if value is True:
            clean = False
            subject = {"pods": "the pod", "s": "s"} if w.kind == "Pod" else {"pods": "its pods", "s": ""}
            what = consequence.format(**subject)
            yield w.fail(f"{w.kind} {w.name} sets {field_name}: true: {what}", at=w.pod_path(field_name))
        elif value is not None and value is not False:
            clean = False
            yield w.unknown(f"{w.kind} {w.name}: {field_name} {_what(value)} is not a boolean",
                            at=w.pod_path(field_name))
    if clean:
        yield w.ok(at=w.pod_path())


# --------------------------------------------------------------------------- PRC-K8S-086

_BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")


def _built_in(obj) -> bool:
    """A default role or binding the API server creates and reconciles itself (cluster-admin, system:*)."""
    return obj.labels.get(_BOOTSTRAP_LABEL[0]) == _BOOTSTRAP_LABEL[1]


def _strings(value: object) -> list[str]:
    return [str(v) for v in sequence(value)]


def _subject_text(subject: object) -> str:
    s = mapping(subject)
    kind, name, namespace = s.get("kind", "?"), s.get("name", "?"), s.get("namespace")
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


@check(id="PRC-K8S-086", slug="rbac-no-wildcards", target=(RbacRole, RbacBinding), item="container-hardening",
       severity="high", fix="List the exact verbs and resources the role needs; bind a narrow role instead of "
       "cluster-admin.", options={"admin_roles": (["cluster-admin"], "ClusterRoles a binding must not grant")})
def rbac_no_wildcards(obj, opts):
    """What: no Role or ClusterRole rule grants "*" verbs or "*" resources, and no RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole (option admin_roles). The defaults the API server creates itself (labelled kubernetes.io/bootstrapping: rbac-defaults) are skipped; any other role is checked, even one named system:*.

    Why: a wildcard grants today's and tomorrow's resources and verbs alike, including secrets, escalate, bind and impersonate, so a leaked token or a compromised controller can take over the namespace or the cluster; cluster-admin is every permission on everything.

    How to fix: list the exact apiGroups, resources and verbs the workload uses (kubectl auth can-i --list, or audit logs, show them), and bind a role built that way instead of cluster-admin; for people, use groups bound to narrower roles such as view or edit.
    """
    if _built_in(obj):
        return
    if isinstance(obj, RbacBinding):
        yield from _binding(obj, opts)
        return
    clean = True
    for index, rule in enumerate(obj.rules):
        rule = mapping(rule)
        verbs, resources, groups = (_strings(rule.get(k)) for k in ("verbs", "resources", "apiGroups"))
        wild_verbs, wild_resources = "*" in verbs, "*" in resources
        if not wild_verbs and not wild_resources:
            continue
        clean = False
        if wild_verbs and wild_resources:
            what = "every verb on every resource"
        elif wild_verbs:
            targets = resources or [f"non-resource URLs {', '.join(_strings(rule.get('nonResourceURLs')))}"]
            what = f"every verb on {', '.join(targets)}"
        else:
            what = f"{', '.join(verbs) or 'no verbs'} on every resource"
        if groups and resources:
            what += " in apiGroups " + ", ".join(g or '"" (core)' for g in groups)
        at = f"rules[{index}].{'verbs' if wild_verbs else 'resources'}"
        yield obj.fail(f"{obj.kind} {obj.name} rule {index} grants {what}", at=at)
    if clean:
        yield obj.ok(at="rules")


def _binding(b: RbacBinding, opts):
    ref = b.role_ref
    name = ref.get("name")
    admin_roles = {str(r) for r in opts["admin_roles"]}
    if ref.get("kind") == "ClusterRole" and name in admin_roles:
        subjects = ", ".join(_subject_text(s) for s in b.subjects) or "no subjects"
        scope = "the whole cluster" if b.kind == "ClusterRoleBinding" else f"namespace {b.effective_namespace}"
        yield b.fail(f"{b.kind} {b.name} grants ClusterRole {name} over {scope} to {subjects}", at="roleRef.name")
    else:
        yield b.ok(at="roleRef")


# --------------------------------------------------------------------------- PRC-K8S-087


@check(id="PRC-K8S-087", slug="service-account-token", target=Workload, item="container-hardening", severity="low",
       fix="Set automountServiceAccountToken: false in the pod spec unless the app calls the Kubernetes API.",
       options={"allow_dedicated_service_account": (
           True, "when the token is mounted, accept a pod that runs as its own (non-default) ServiceAccount as "
                 "needing the Kubernetes API")})
def service_account_token(w: Workload, opts):
    """What: the pod spec sets automountServiceAccountToken: false, unless the workload needs the Kubernetes API: its ServiceAccount is bound to a role in the scan, or (option allow_dedicated_service_account, on by default) it runs as its own ServiceAccount rather than the namespace's default one.

    Why: Kubernetes mounts an API token into every container by default; an attacker who gets code execution reads it from /var/run/secrets/kubernetes.io/serviceaccount and acts with whatever the ServiceAccount is allowed, including anything granted to the shared default ServiceAccount now or later.

    How to fix: add automountServiceAccountToken: false to the pod spec (or to the ServiceAccount) for apps that never call the API; give an app that does call it a dedicated ServiceAccount with a narrow Role.
    """
    unknown = pod_template_unknown(w)
    if unknown:
        yield unknown
        return
    mount = w.pod_spec.get("automountServiceAccountToken")
    at = w.pod_path("automountServiceAccountToken")
    sa_name = w.service_account_name
    if mount is False:
        yield w.ok(at=at)
        return
    if mount is not None and mount is not True:
        yield w.unknown(f"{w.kind} {w.name}: automountServiceAccountToken {_what(mount)} is not a boolean", at=at)
        return
    account, bindings = w.service_account, w.service_account_bindings
    if mount is None and account is not None and mapping(account.doc).get("automountServiceAccountToken") is False:
        yield w.ok(f"ServiceAccount {sa_name} sets automountServiceAccountToken: false", at=at)
        return
    if bindings:
        names = ", ".join(f"{b.kind} {b.name}" for b in bindings)
        yield w.ok(f"mounts the token of ServiceAccount {sa_name}, which {names} grants API access", at=at)
        return
    how = "automountServiceAccountToken: true" if mount else "automountServiceAccountToken not set"
    if sa_name != "default" and opts["allow_dedicated_service_account"]:
        yield w.ok(f"mounts the token of its own ServiceAccount {sa_name} ({how}); assumed to need the API", at=at)
    elif sa_name == "default":
        yield w.fail(f"{w.kind} {w.name} mounts the default ServiceAccount's API token into every container ({how})",
                     at=at)
    else:
        yield w.fail(f"{w.kind} {w.name} mounts the API token of ServiceAccount {sa_name} ({how}) and no role "
                     "binding in the scan shows it needs the API", at=at)


# --------------------------------------------------------------------------- PRC-K8S-090

_REFERENCE_RE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)")
_ABSOLUTE_PATH_RE = re.compile(r"^/[\w.\-/]*$")


# Values of on/off switches such as MYSQL_ALLOW_EMPTY_PASSWORD=1 or MYSQL_RANDOM_ROOT_PASSWORD=yes: a variable
# whose value is one of these turns a behaviour about the secret on or off and never holds the secret itself.
SWITCH_VALUES = frozenset({"0", "1", "true", "false", "yes", "no", "y", "n", "on", "off"})


def is_switch(value: object) -> bool:
    """A boolean-like value (YAML true/false, 0, 1, "yes", "off"...), which no real secret is."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.strip().lower() in SWITCH_VALUES


def is_literal_secret(value: object) -> bool:
    """A value that holds a secret as written: a non-empty string (or number) that is not a switch value
    (is_switch), is not built from $(VAR) references (`$$(` is an escaped, literal `$(`) and is not a file path."""
    if is_switch(value):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    if _REFERENCE_RE.search(value.replace("$$", "")):
        return False
    return not _ABSOLUTE_PATH_RE.match(value)


@check(id="PRC-K8S-090", slug="no-literal-secrets", target=Container, item="secrets-not-literals", severity="high",
       fix="Move the value into a Secret and set the variable with valueFrom.secretKeyRef.",
       options=secret_name_options())
def no_literal_secrets(c: Container, opts):
    """What: env variables of every container (including init containers and native sidecars) whose names look secret (PASSWORD, TOKEN, SECRET, API_KEY... by default) are set with valueFrom.secretKeyRef, not a literal value or a ConfigMap. Empty values, values built from $(OTHER_VAR) references and absolute file paths (GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json) are not literals; nor are boolean-like values (0, 1, true, false, yes, no, on, off), since a variable set to one is a switch such as MYSQL_ALLOW_EMPTY_PASSWORD=1 or MYSQL_RANDOM_ROOT_PASSWORD=yes, never a secret; names ending in FILE, PATH, URL, TTL, ENABLED, REQUIRED and similar are settings about a secret, not secrets.

    Why: a literal in a manifest is in Git history forever, in every clone and CI log, and readable by anyone who can get the Deployment; it cannot be rotated without a commit. A ConfigMap is not encrypted at rest and is readable by far more roles than Secrets are.

    How to fix: store the value in a Secret (created by External Secrets, Sealed Secrets, SOPS or your CD tool, never committed in clear) and reference it with env[].valueFrom.secretKeyRef, or mount it as a file; rotate any value that was ever committed.
    """
    patterns, words = opts["patterns"], opts["not_secret_words"]
    secret_vars = 0
    clean = True
    for index, entry in enumerate(sequence(c.spec.get("env"))):
        entry = mapping(entry)
        name = entry.get("name")
        if not isinstance(name, str) or not secret_looking(name, patterns, words):
            continue
        secret_vars += 1
        source = mapping(entry.get("valueFrom"))
        config_ref = mapping(source.get("configMapKeyRef"))
        if not source and is_literal_secret(entry.get("value")):
            clean = False
            yield c.fail(f"container {c.name}: env {name} is set to a literal value", at=f"env[{index}].value")
        elif config_ref:
            clean = False
            yield c.fail(f"container {c.name}: env {name} is read from ConfigMap {config_ref.get('name', '?')}; "
                         "secrets belong in a Secret", at=f"env[{index}].valueFrom.configMapKeyRef", severity="medium")
    if secret_vars and clean:
        yield c.ok(at="env")
