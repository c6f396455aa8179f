"""Kubernetes security checks: how securityContext values resolve, RBAC wildcards, tokens, secret-looking env."""

from __future__ import annotations

import textwrap

import pytest

from prc.loaders.k8s import load_k8s_text
from prc.loaders.k8s_links import link
from prc.model import Status
from prc.loaders.k8s import targets_of
from prc_checks import k8s_security as sec


def run(check, text: str, **options) -> list[tuple[str, str]]:
    """(status, message) of every outcome of one check over the manifests in text, in document order."""
    objects = load_k8s_text("test.yaml", textwrap.dedent(text)).objects
    link(objects)
    found = []
    for target in targets_of(objects):
        if isinstance(target, check.targets):
            for outcome in check.run(target, {**check.default_options(), **options}):
                found.append((outcome.status.value, outcome.message))
    return found


def pod(pod_sc: str = "", container_sc: str = "", extra: str = "") -> str:
    """A Deployment with one container `app`, with the given pod and container securityContext bodies."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  template:
    spec:
      {extra}
      securityContext: {{{pod_sc}}}
      containers:
        - name: app
          image: registry.example.com/web:1.0.0
          securityContext: {{{container_sc}}}
"""


def statuses(check, text: str, **options) -> list[str]:
    return [s for s, _ in run(check, text, **options)]


# --------------------------------------------------------------------------- run-as-non-root


@pytest.mark.parametrize("pod_sc, container_sc, expected", [
    ("", "", "FAIL"),
    ("runAsNonRoot: true", "", "PASS"),
    ("runAsUser: 1000", "", "PASS"),
    ("runAsNonRoot: true", "runAsNonRoot: false", "FAIL"),          # the container switches it off
    ("runAsNonRoot: true", "runAsUser: 0", "FAIL"),                 # contradiction: the kubelet refuses it
    ("runAsUser: 1000", "runAsUser: 0", "FAIL"),                    # the container overrides the UID with root
    ("runAsUser: 0", "runAsUser: 1000", "PASS"),                    # ... or with a non-root one
    ("runAsUser: 1000", "runAsNonRoot: false", "PASS"),             # UID 1000 is not root, whatever the flag says
    ("runAsNonRoot: false", "runAsNonRoot: true", "PASS"),
    ("runAsUser: '1000'", "", "UNKNOWN"),                           # a string is not a UID
    ("", "runAsNonRoot: 'yes'", "UNKNOWN"),
    ("runAsUser: -1", "", "UNKNOWN"),
])
def test_run_as_non_root_container_overrides_pod(pod_sc, container_sc, expected):
    assert statuses(sec.run_as_non_root, pod(pod_sc, container_sc)) == [expected]


def test_run_as_non_root_names_the_source_of_the_root_uid():
    [(status, message)] = run(sec.run_as_non_root, pod("runAsUser: 0"))
    assert status == "FAIL" and message == "container app runs as root: runAsUser 0 in the pod securityContext"


def test_run_as_non_root_covers_init_containers_and_native_sidecars():
    text = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      securityContext: {runAsNonRoot: true}
      initContainers:
        - {name: chown, image: busybox:1.36.1, securityContext: {runAsUser: 0}}
        - {name: proxy, image: proxy:1.0.0, restartPolicy: Always}
      containers:
        - {name: app, image: app:1.0.0}
    """
    assert statuses(sec.run_as_non_root, text) == ["PASS", "FAIL", "PASS"]


@pytest.mark.parametrize("windows_options, expected", [
    ("{runAsUserName: ContainerAdministrator}", "FAIL"),
    ("{runAsUserName: ContainerUser}", "PASS"),
    ("{}", "FAIL"),
])
def test_run_as_non_root_on_windows_reads_the_user_name(windows_options, expected):
    text = pod(f"windowsOptions: {windows_options}", extra="os: {name: windows}")
    assert statuses(sec.run_as_non_root, text) == [expected]


def test_windows_pods_skip_linux_only_checks():
    text = pod(extra="os: {name: windows}")
    for check in (sec.no_privilege_escalation, sec.drop_capabilities, sec.read_only_root_fs):
        assert run(check, text) == []
    legacy = pod(extra="nodeSelector: {kubernetes.io/os: windows}")
    assert run(sec.read_only_root_fs, legacy) == []


# --------------------------------------------------------------------------- escalation, privileged, read-only


@pytest.mark.parametrize("container_sc, expected", [
    ("allowPrivilegeEscalation: false", "PASS"),
    ("", "FAIL"),
    ("allowPrivilegeEscalation: true", "FAIL"),
    ("privileged: true", "FAIL"),
    ("allowPrivilegeEscalation: 'false'", "UNKNOWN"),
])
def test_no_privilege_escalation(container_sc, expected):
    assert statuses(sec.no_privilege_escalation, pod(container_sc=container_sc)) == [expected]


def test_allow_privilege_escalation_on_the_pod_does_not_count():
    # The field exists only on containers; a pod-level one is ignored by Kubernetes.
    assert statuses(sec.no_privilege_escalation, pod("allowPrivilegeEscalation: false")) == ["FAIL"]


@pytest.mark.parametrize("pod_sc, container_sc, extra, expected", [
    ("", "", "", "PASS"),
    ("", "privileged: false", "", "PASS"),
    ("", "privileged: true", "", "FAIL"),
    ("windowsOptions: {hostProcess: true}", "", "os: {name: windows}", "FAIL"),
    ("windowsOptions: {hostProcess: true}", "windowsOptions: {hostProcess: false}", "os: {name: windows}", "PASS"),
])
def test_not_privileged(pod_sc, container_sc, extra, expected):
    assert statuses(sec.not_privileged, pod(pod_sc, container_sc, extra)) == [expected]


@pytest.mark.parametrize("container_sc, expected", [
    ("readOnlyRootFilesystem: true", "PASS"),
    ("readOnlyRootFilesystem: false", "FAIL"),
    ("", "FAIL"),
])
def test_read_only_root_fs(container_sc, expected):
    assert statuses(sec.read_only_root_fs, pod(container_sc=container_sc)) == [expected]


# --------------------------------------------------------------------------- capabilities


def test_capability_names_normalise_case_and_prefix():
    assert sec.capability_names(["all", "CAP_NET_ADMIN", " sys_admin "]) == ["ALL", "NET_ADMIN", "SYS_ADMIN"]
    assert sec.capability_names(None) == []
    assert sec.capability_names("ALL") is None


@pytest.mark.parametrize("caps, expected", [
    ("{drop: [ALL]}", [("PASS", None)]),
    ("{drop: [all]}", [("PASS", None)]),
    ("{drop: [ALL], add: [NET_BIND_SERVICE]}", [("PASS", None)]),
    ("{drop: [NET_RAW, MKNOD]}", [("FAIL", None)]),
    ("{drop: [ALL], add: [CAP_SYS_ADMIN]}", [("FAIL", "high")]),
    ("{add: [ALL]}", [("FAIL", None), ("FAIL", "high")]),
    ("{drop: ALL}", [("UNKNOWN", None)]),
])
def test_drop_capabilities(caps, expected):
    objects = load_k8s_text("t.yaml", pod(container_sc=f"capabilities: {caps}")).objects
    container = objects[0].containers[0]
    found = [(o.status.value, o.severity.value if o.severity else None)
             for o in sec.drop_capabilities.run(container, sec.drop_capabilities.default_options())]
    assert found == expected


def test_dangerous_capabilities_is_configurable():
    text = pod(container_sc="capabilities: {drop: [ALL], add: [NET_ADMIN]}")
    assert statuses(sec.drop_capabilities, text) == ["PASS"]
    assert statuses(sec.drop_capabilities, text, dangerous_capabilities=["NET_ADMIN"]) == ["FAIL"]


# --------------------------------------------------------------------------- host namespaces


def test_host_namespaces_one_finding_per_field():
    text = pod(extra="hostNetwork: true\n      hostPID: true\n      hostIPC: false")
    found = run(sec.no_host_namespaces, text)
    assert [s for s, _ in found] == ["FAIL", "FAIL"]
    assert found[1][1] == "Deployment web sets hostPID: true: its pods see and can signal every process on the node"
    assert statuses(sec.no_host_namespaces, pod()) == ["PASS"]


# --------------------------------------------------------------------------- RBAC


ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}{labels}}}
rules:
{rules}
"""


def role(rules: str, name: str = "r", labels: str = "") -> str:
    return ROLE.format(name=name, labels=labels, rules=textwrap.indent(textwrap.dedent(rules), "  "))


def test_rbac_wildcard_verbs_and_resources():
    text = role("""\
        - {apiGroups: [""], resources: [pods], verbs: [get, list]}
        - {apiGroups: [apps], resources: [deployments], verbs: ["*"]}
        - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
        - {nonResourceURLs: ["*"], verbs: ["*"]}
        """)
    assert run(sec.rbac_no_wildcards, text) == [
        ("FAIL", "ClusterRole r rule 1 grants every verb on deployments in apiGroups apps"),
        ("FAIL", "ClusterRole r rule 2 grants get on every resource in apiGroups *"),
        ("FAIL", "ClusterRole r rule 3 grants every verb on non-resource URLs *"),
    ]


def test_rbac_narrow_role_passes_and_aggregated_role_without_rules_passes():
    assert statuses(sec.rbac_no_wildcards, role("- {apiGroups: [''], resources: [pods], verbs: [get]}")) == ["PASS"]
    assert statuses(sec.rbac_no_wildcards, role("[]")) == ["PASS"]


def test_rbac_skips_api_server_defaults_but_not_roles_merely_named_system():
    wildcard = "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}"
    default = role(wildcard, name="cluster-admin", labels=", labels: {kubernetes.io/bootstrapping: rbac-defaults}")
    assert run(sec.rbac_no_wildcards, default) == []
    assert statuses(sec.rbac_no_wildcards, role(wildcard, name="system:my-admin")) == ["FAIL"]


BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: b, namespace: team-a}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {ref_kind}, name: {ref_name}}}
subjects:
  - {{kind: ServiceAccount, name: deployer, namespace: ci}}
  - {{kind: User, apiGroup: rbac.authorization.k8s.io, name: jane@example.com}}
"""


@pytest.mark.parametrize("kind, ref_kind, ref_name, expected", [
    ("ClusterRoleBinding", "ClusterRole", "cluster-admin",
     ("FAIL", "ClusterRoleBinding b grants ClusterRole cluster-admin over the whole cluster to "
              "ServiceAccount ci/deployer, User jane@example.com")),
    ("RoleBinding", "ClusterRole", "cluster-admin",
     ("FAIL", "RoleBinding b grants ClusterRole cluster-admin over namespace team-a to "
              "ServiceAccount ci/deployer, User jane@example.com")),
    ("RoleBinding", "Role", "cluster-admin", ("PASS", "")),  # a Role that happens to be called cluster-admin
    ("RoleBinding", "ClusterRole", "edit", ("PASS", "")),
])
def test_rbac_bindings_to_cluster_admin(kind, ref_kind, ref_name, expected):
    text = BINDING.format(kind=kind, ref_kind=ref_kind, ref_name=ref_name)
    assert run(sec.rbac_no_wildcards, text) == [expected]


def test_rbac_admin_roles_option():
    text = BINDING.format(kind="RoleBinding", ref_kind="ClusterRole", ref_name="admin")
    assert statuses(sec.rbac_no_wildcards, text, admin_roles=["cluster-admin", "admin"]) == ["FAIL"]


# --------------------------------------------------------------------------- service account token


@pytest.mark.parametrize("extra, expected", [
    ("automountServiceAccountToken: false", "PASS"),
    ("", "FAIL"),
    ("serviceAccountName: default", "FAIL"),
    ("automountServiceAccountToken: true", "FAIL"),
    ("serviceAccountName: web", "PASS"),
    ("serviceAccount: web", "PASS"),  # the deprecated alias
    ("automountServiceAccountToken: 'false'", "UNKNOWN"),
])
def test_service_account_token(extra, expected):
    assert statuses(sec.service_account_token, pod(extra=extra)) == [expected]


def test_service_account_token_dedicated_account_option():
    text = pod(extra="serviceAccountName: web")
    [(status, message)] = run(sec.service_account_token, text, allow_dedicated_service_account=False)
    assert status == "FAIL"
    assert message == ("Deployment web mounts the API token of ServiceAccount web (automountServiceAccountToken not "
                       "set) and no role binding in the scan shows it needs the API")


def test_service_account_token_uses_linked_account_and_bindings_when_the_loader_provides_them():
    objects = load_k8s_text("t.yaml", pod()).objects
    workload = objects[0]
    account = load_k8s_text("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default}\n"
                                       "automountServiceAccountToken: false\n").objects[0]
    workload.service_account = account
    assert [o.status for o in sec.service_account_token.run(workload, {"allow_dedicated_service_account": True})] \
        == [Status.PASS]
    binding = load_k8s_text("b.yaml", BINDING.format(kind="RoleBinding", ref_kind="Role", ref_name="r")).objects[0]
    workload.service_account = None
    workload.service_account_bindings = [binding]
    [outcome] = sec.service_account_token.run(workload, {"allow_dedicated_service_account": True})
    assert outcome.status is Status.PASS and "RoleBinding b grants API access" in outcome.message


# --------------------------------------------------------------------------- literal secrets


PATTERNS = sec.no_literal_secrets.default_options()["patterns"]
WORDS = sec.no_literal_secrets.default_options()["not_secret_words"]


@pytest.mark.parametrize("name", [
    "PASSWORD", "DB_PASSWORD", "MYSQLPASSWORD", "db-password", "GITHUB_TOKEN", "AUTH_TOKENS", "JWT_SECRET",
    "SECRET_KEY_BASE", "AWS_SECRET_ACCESS_KEY", "STRIPE_API_KEY", "SENDGRID_APIKEY", "SSH_PRIVATE_KEY",
    "AWS_ACCESS_KEY", "REGISTRY_CREDENTIALS", "GPG_PASSPHRASE", "smtp.password",
])
def test_secret_looking_names(name):
    assert sec.secret_looking(name, PATTERNS, WORDS)


@pytest.mark.parametrize("name", [
    "DB_PASSWORD_FILE", "TOKEN_TTL", "SESSION_TOKEN_EXPIRY", "TOKEN_URL", "SECRETS_DIR", "AWS_ACCESS_KEY_ID",
    "TOKENIZER_MODEL", "SECRETARY_EMAIL", "LOG_LEVEL", "PWD", "OAUTH_TOKEN_ENDPOINT",
])
def test_names_that_are_not_secrets(name):
    assert not sec.secret_looking(name, PATTERNS, WORDS)


@pytest.mark.parametrize("value, literal", [
    ("hunter2", True),
    ("", False),
    ("   ", False),
    (None, False),
    ("$(DB_PASSWORD)", False),
    ("postgres://$(DB_USER):$(DB_PASSWORD)@db/app", False),
    ("$$(NOT_A_REFERENCE)", True),   # `$$(` escapes to a literal `$(`
    ("/var/secrets/google/key.json", False),
    ("/not a path", True),
    (123456, True),
    (True, False),
    # switches: boolean-like values are never secrets
    (1, False),
    (0, False),
    ("1", False),
    ("yes", False),
    ("YES", False),
    ("off", False),
    ("true", False),
    (" False ", False),
    ("10", True),
    ("yesplease", True),
])
def test_literal_secret_values(value, literal):
    assert sec.is_literal_secret(value) is literal


def test_no_literal_secrets_reports_each_variable_and_never_the_value():
    text = pod(container_sc="")
    text = text.replace("          securityContext: {}\n", """\
          env:
            - {name: DB_PASSWORD, value: hunter2}
            - {name: API_TOKEN, valueFrom: {configMapKeyRef: {name: app-config, key: token}}}
            - {name: SMTP_PASSWORD, valueFrom: {secretKeyRef: {name: smtp, key: password}}}
""")
    found = run(sec.no_literal_secrets, text)
    assert found == [
        ("FAIL", "container app: env DB_PASSWORD is set to a literal value"),
        ("FAIL", "container app: env API_TOKEN is read from ConfigMap app-config; secrets belong in a Secret"),
    ]
    assert all("hunter2" not in message for _, message in found)


def test_switch_variables_are_not_literal_secrets():
    text = pod(container_sc="").replace("          securityContext: {}\n", """\
          env:
            - {name: MYSQL_ALLOW_EMPTY_PASSWORD, value: "1"}
            - {name: MYSQL_RANDOM_ROOT_PASSWORD, value: "yes"}
            - {name: ALLOW_EMPTY_PASSWORD, value: no}
            - {name: REDIS_PASSWORD_REQUIRED, value: enforce}
            - {name: AUTH_TOKEN_ENABLED, value: "true"}
""")
    assert run(sec.no_literal_secrets, text) == [("PASS", "")]


def test_no_literal_secrets_does_not_apply_without_secret_looking_env():
    text = pod().replace("          securityContext: {}\n", "          env: [{name: LOG_LEVEL, value: debug}]\n")
    assert run(sec.no_literal_secrets, text) == []
