"""Live Kubernetes audit: read a cluster's objects (get and list only), then judge them with the ordinary engine.

    kinds.py    what is read: each kind's API group, resource name and scope
    session.py  the one place every API request goes through (kubeconfig or in-cluster, read-only guard)
    collect.py  discovery, paginated lists, denials, ownership filters -> a Collection of plain objects
    targets.py  objects -> the same K8sObject / Workload targets the file loader makes, linked
    gaps.py     what a denied list hides: which checks cannot decide, and for which namespace
    audit.py    collection -> targets -> engine -> gaps -> suppressions -> scores -> Report
    cli.py      `prc audit k8s`

Nothing here is imported by `prc scan`; the kubernetes client is imported only when an audit talks to a cluster.
"""
