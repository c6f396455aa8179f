"""The commented starter configuration `prc init` writes."""

STARTER_CONFIG = """\
# prc configuration. Reference: docs/configuration.md; check list: `prc checks`.
version: 1

# Tier of services that are not listed below: critical, standard or experimental.
default_tier: standard

# checks:
#   # Run only these (ids, slugs, id prefixes such as PRC-K8S, or categories).
#   enable: []
#   # Never run these.
#   disable: [PRC-K8S-034]
#   # Change a check's severity (and so its weight in the score).
#   severity:
#     PRC-K8S-021: medium
#   # Check options; `prc explain ID` lists each check's options.
#   options:
#     PRC-K8S-110:
#       keys: [owner, team, app.kubernetes.io/part-of]

# Paths (globs relative to this file) that are never read.
exclude:
  - "**/testdata/**"

# Services: how objects are grouped and which tier each must meet.
# Without this list, services come from the app.kubernetes.io/name or app
# label, then the workload name.
services: []
#  - name: checkout
#    tier: critical
#    paths: ["services/checkout/**"]
#    selector: {app.kubernetes.io/name: checkout}
#    runbook: https://runbooks.example.com/checkout
#    owner: team-payments

# Waivers hide a finding until they expire; an expired waiver stops hiding it.
waivers: []
#  - check: PRC-K8S-030
#    target: Deployment/batch-worker
#    reason: single replica by design; the queue absorbs restarts
#    expires: 2027-01-31

# Manual items no machine can verify: load-test, failover-rehearsed,
# capacity-plan, security-review, oncall-staffed, postmortem-template.
attestations: []
#  - item: load-test
#    service: checkout
#    evidence: https://wiki.example.com/checkout/load-test-2026-10
#    date: 2026-10-12
#    expires: 2027-04-12
"""
