"""The human checklist: items, their categories and the tier from which each is required."""

from __future__ import annotations

from dataclasses import dataclass

from .model import TIERS


@dataclass(frozen=True)
class Item:
    slug: str
    title: str
    category: str
    # Lowest tier that must satisfy the item; None means recommended only.
    required_from: str | None
    manual: bool = False

    def required_for(self, tier: str) -> bool:
        if self.required_from is None:
            return False
        return TIERS.index(tier) <= TIERS.index(self.required_from)

    @property
    def requirement(self) -> str:
        return {None: "recommended", "experimental": "all tiers", "standard": "standard and above",
                "critical": "critical"}[self.required_from]


ITEMS: dict[str, Item] = {
    i.slug: i
    for i in [
        Item("readiness", "Readiness is probed", "lifecycle", "experimental"),
        Item("liveness", "Liveness is probed sanely", "lifecycle", "standard"),
        Item("graceful-shutdown", "Graceful shutdown", "lifecycle", "experimental"),
        Item("zero-downtime-rollout", "Zero-downtime rollout", "lifecycle", "standard"),
        Item("redundancy", "Redundancy", "availability", "standard"),
        Item("disruption-budget", "Disruption budget", "availability", "standard"),
        Item("zone-spread", "Zone spread", "availability", "critical"),
        Item("autoscaling", "Autoscaling", "availability", None),
        Item("backups", "Backups and deletion safety", "availability", "experimental"),
        Item("dependencies-fail-fast", "Dependencies fail fast", "availability", None),
        Item("requests-and-limits", "Requests and limits", "capacity", "experimental"),
        Item("alerted", "Every service is alerted on", "observability", "experimental"),
        Item("alert-runbooks", "Alerts link to a runbook", "observability", "experimental"),
        Item("alerts-routed", "Alerts are actionable and routed", "observability", "experimental"),
        Item("slos-defined", "SLOs are defined and documented", "observability", "standard"),
        Item("burn-rate-alerts", "SLO burn-rate alerts", "observability", "critical"),
        Item("telemetry", "Telemetry is wired", "observability", None),
        Item("least-privilege-iam", "Least-privilege IAM", "security", "experimental"),
        Item("credential-hygiene", "Account credential hygiene", "security", "experimental"),
        Item("instance-hardening", "Instance hardening", "security", "experimental"),
        Item("container-hardening", "Container hardening", "security", "standard"),
        Item("secrets-not-literals", "Secrets are not literals", "security", "experimental"),
        Item("images-pinned", "Images are pinned", "release", "standard"),
        Item("build-hygiene", "Builds are hygienic", "release", None),
        Item("ownership", "Ownership is declared", "operability", "experimental"),
        Item("oncall-docs", "On-call documentation exists", "operability", "experimental"),
        # Manual items: no machine can verify them; teams attest them in .prc.yaml.
        Item("load-test", "Load test done", "capacity", "critical", manual=True),
        Item("failover-rehearsed", "Failover / AZ loss rehearsed", "availability", "critical", manual=True),
        Item("capacity-plan", "Capacity plan reviewed", "capacity", "critical", manual=True),
        Item("security-review", "Security review done", "security", "standard", manual=True),
        Item("oncall-staffed", "On-call rotation staffed", "operability", "standard", manual=True),
        Item("postmortem-template", "Postmortem template adopted", "operability", "standard", manual=True),
    ]
}

MANUAL_ITEMS = [i for i in ITEMS.values() if i.manual]
