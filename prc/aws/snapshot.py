"""What an audit collected from one account: plain JSON-able data, saved and loaded byte for byte.

The snapshot holds AWS API responses as AWS returns them (timestamps as ISO 8601 text), so checks read the
real shapes, and a snapshot saved from a live audit and re-judged with `--from-snapshot` gives the same
report. It never holds credentials: only what Describe/Get/List calls return about resources.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = "prc-aws-snapshot/1"
GLOBAL = "global"  # the "region" of account-wide collectors (IAM)

# Collector names: account-wide, then per region.
GLOBAL_COLLECTORS = ("iam", "credential-report", "password-policy", "account-summary")
REGIONAL_COLLECTORS = ("instances", "security-groups", "volumes", "ebs-encryption-default", "launch-templates",
                       "autoscaling", "target-groups", "load-balancers", "alarms", "snapshots", "backup")


class SnapshotError(Exception):
    pass


@dataclass
class Snapshot:
    account_id: str = ""
    partition: str = "aws"
    regions: list[str] = field(default_factory=list)
    # GetAccountAuthorizationDetails, pages merged: UserDetailList, GroupDetailList, RoleDetailList, Policies.
    iam: dict = field(default_factory=dict)
    # Credential report rows (CSV columns as keys, values as text, as AWS writes them).
    credential_report: list[dict] = field(default_factory=list)
    # GetAccountPasswordPolicy's PasswordPolicy; None when the account has none (NoSuchEntity).
    password_policy: dict | None = None
    # GetAccountSummary's SummaryMap.
    account_summary: dict = field(default_factory=dict)
    # Region -> collector name -> what it returned.
    regional: dict[str, dict] = field(default_factory=dict)
    # Collectors that failed: {"region": <region or "global">, "collector": name, "reason": text}.
    errors: list[dict] = field(default_factory=list)

    def error(self, region: str, collector: str) -> str | None:
        """Why a collector could not read a region (or GLOBAL), or None when it did."""
        for e in self.errors:
            if e["region"] == region and e["collector"] == collector:
                return e["reason"]
        return None

    def region_data(self, region: str, collector: str, default=None):
        return self.regional.get(region, {}).get(collector, default)

    def to_json(self) -> str:
        data = {"format": FORMAT, **asdict(self)}
        data["errors"] = sorted(data["errors"], key=lambda e: (e["region"], e["collector"]))
        return json.dumps(data, indent=1, sort_keys=True, default=jsonable, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Snapshot":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SnapshotError(f"not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SnapshotError(f"not a prc AWS snapshot (expected \"format\": \"{FORMAT}\")")
        data.pop("format")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise SnapshotError(f"unknown fields: {', '.join(unknown)}")
        _check_types(data)
        return cls(**data)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Snapshot":
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SnapshotError(exc.strerror or str(exc)) from None


# What each field must hold: a hand-edited snapshot with `"regions": "eu-west-1"` would otherwise be read
# letter by letter, and a null where a list belongs would crash a check.
_FIELD_TYPES = {"account_id": str, "partition": str, "regions": list, "iam": dict, "credential_report": list,
                "password_policy": (dict, type(None)), "account_summary": dict, "regional": dict, "errors": list}


def _check_types(data: dict) -> None:
    for name, expected in _FIELD_TYPES.items():
        if name in data and not isinstance(data[name], expected):
            wanted = "an object or null" if isinstance(expected, tuple) else {
                str: "a string", list: "a list", dict: "an object"}[expected]
            raise SnapshotError(f"{name}: expected {wanted}, got {type(data[name]).__name__}")
    checks = [("regions", str, "a string (a region name)"), ("credential_report", dict, "an object (a row)"),
              ("errors", dict, "an object with region, collector and reason")]
    for name, expected, wanted in checks:
        for i, item in enumerate(data.get(name, [])):
            if not isinstance(item, expected):
                raise SnapshotError(f"{name}[{i}]: expected {wanted}, got {type(item).__name__}")
    for i, error in enumerate(data.get("errors", [])):
        if not all(isinstance(error.get(key), str) for key in ("region", "collector", "reason")):
            raise SnapshotError(f"errors[{i}]: expected region, collector and reason as strings")
    for region, collected in data.get("regional", {}).items():
        if not isinstance(collected, dict):
            raise SnapshotError(f"regional.{region}: expected an object of collectors, got {type(collected).__name__}")


def jsonable(value):
    """What json cannot write by itself: AWS timestamps (ISO 8601, UTC kept as given), bytes, sets."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def plain(value):
    """An API response as plain JSON data (timestamps as text), without ResponseMetadata."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, bytes, set, frozenset)):
        return jsonable(value)
    return value


def parse_time(text: object) -> dt.datetime | None:
    """An ISO 8601 timestamp of the snapshot (or the credential report) as an aware datetime; None for
    N/A, no_information, not_supported, empty."""
    if not isinstance(text, str) or not text or text[0] not in "0123456789":
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
