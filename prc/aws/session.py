"""The one place every AWS call goes through: a boto3 session that can only read.

Read-only by construction: a botocore `before-call` handler registered on every client this session makes sees
every operation (client methods and paginators alike, since a paginator calls the client method) before it is
signed and sent, and refuses any whose name does not start with Describe, Get or List, except
GenerateCredentialReport. The handler also counts the calls, for the report on stderr and the benchmark.
Credentials come from the normal boto3 chain (environment, profile, SSO, instance role); prc never reads,
prints or stores them.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

READ_PREFIXES = ("Describe", "Get", "List")
# Operations that write nothing a user owns and that the audit needs.
ALLOWED_OTHERS = frozenset({"GenerateCredentialReport"})

DEFAULT_MAX_ATTEMPTS = 5  # attempts in all, the first included (botocore total_max_attempts)


class ReadOnlyViolation(RuntimeError):
    """An operation that could change the account was about to be sent: a bug in prc, never sent."""


def allowed_operation(name: str) -> bool:
    return name.startswith(READ_PREFIXES) or name in ALLOWED_OTHERS


@dataclass
class CallLog:
    """Which operations were sent, per service (thread-safe)."""

    counts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, service: str, operation: str) -> None:
        with self.lock:
            self.counts[(service, operation)] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ReadOnlySession:
    """A boto3 session whose clients can only read, with bounded retries (standard mode)."""

    def __init__(self, profile: str | None = None, endpoint_url: str | None = None,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS, default_region: str | None = None):
        import boto3
        from botocore.config import Config as BotoConfig

        self._boto = boto3.session.Session(profile_name=profile)
        self.endpoint_url = endpoint_url
        self.default_region = default_region or self._boto.region_name or "us-east-1"
        self.calls = CallLog()
        self._config = BotoConfig(retries={"mode": "standard", "total_max_attempts": max_attempts},
                                  connect_timeout=10, read_timeout=60, user_agent_extra="prc-audit")
        self._lock = threading.Lock()

    def _guard(self, model, **kwargs):
        name = model.name
        service = model.service_model.service_name
        if not allowed_operation(name):
            raise ReadOnlyViolation(f"prc audit refused to call {service}:{name}: only Describe*, Get*, List* and "
                                    "GenerateCredentialReport are ever sent")
        self.calls.add(service, name)
        return None  # go on and send the request

    def client(self, service: str, region: str | None = None):
        # Creating clients from one session is not thread-safe in boto3; using them is.
        with self._lock:
            client = self._boto.client(service, region_name=region or self.default_region,
                                       endpoint_url=self.endpoint_url, config=self._config)
        # The guard sits on each client prc makes, not on the session: botocore resolves credentials through
        # clients of its own (sts:AssumeRole for a role_arn profile, AssumeRoleWithWebIdentity on EKS and in
        # CI, sso-oidc for SSO), which must keep working; every call prc makes goes through a client from here.
        client.meta.events.register("before-call", self._guard)
        return client


def error_text(exc: BaseException) -> str:
    """A short, credential-free reason: the AWS error code and message, or the exception type and text."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):
        error = response["Error"]
        code = error.get("Code") or type(exc).__name__
        message = " ".join(str(error.get("Message") or "").split())
        operation = getattr(exc, "operation_name", "")
        return f"{code}{' on ' + operation if operation else ''}: {message}".rstrip(": ")
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
