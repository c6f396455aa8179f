"""Link Kubernetes objects the way the cluster would: label selectors, scale targets, hosts."""

from __future__ import annotations

from collections import defaultdict

from ..targets import K8sObject, RbacBinding, Workload, mapping, sequence


def selector_matches(selector: object, labels: dict) -> bool:
    """A LabelSelector (matchLabels / matchExpressions) against labels; an empty selector matches nothing here."""
    selector = mapping(selector)
    match_labels = mapping(selector.get("matchLabels"))
    expressions = sequence(selector.get("matchExpressions"))
    if not match_labels and not expressions:
        return False
    for key, value in match_labels.items():
        if labels.get(str(key)) != str(value):
            return False
    for expression in expressions:
        expression = mapping(expression)
        key = str(expression.get("key", ""))
        values = [str(v) for v in sequence(expression.get("values"))]
        operator = expression.get("operator")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def map_selector_matches(selector: object, labels: dict) -> bool:
    """A Service-style selector (a plain map); empty selects nothing."""
    selector = mapping(selector)
    return bool(selector) and all(labels.get(str(k)) == str(v) for k, v in selector.items())


def _short_host(host: str, namespace: str) -> tuple[str, str]:
    """(service, namespace) that an Istio host names; a bare name is in the object's namespace."""
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0], namespace
    return parts[0], parts[1]


# Scrape configurations that select pods by label: Prometheus Operator, VictoriaMetrics operator, and Google
# Managed Prometheus (PodMonitoring in its own namespace, ClusterPodMonitoring in every namespace).
POD_MONITOR_KINDS = frozenset({"PodMonitor", "VMPodScrape", "PodMonitoring", "ClusterPodMonitoring"})
# Scrape configurations that select Services by label and scrape the pods behind them.
SERVICE_MONITOR_KINDS = frozenset({"ServiceMonitor", "VMServiceScrape"})

# What an Argo Rollout's spec.workloadRef may name.
WORKLOAD_REF_KINDS = ("Deployment", "ReplicaSet", "PodTemplate")


def link(objects: list[K8sObject]) -> None:
    """Attach Services, PDBs, HPAs, monitors, Istio objects and Namespaces to the workloads they concern."""
    workloads = [o for o in objects if isinstance(o, Workload)]
    # First, so that Rollouts have their pod labels before anything selects them.
    _resolve_workload_refs(objects, workloads)
    by_namespace: dict[str, list[Workload]] = defaultdict(list)
    for w in workloads:
        by_namespace[w.effective_namespace].append(w)
    namespaces = {o.name: o for o in objects if o.kind == "Namespace"}
    services_by_key: dict[tuple[str, str], K8sObject] = {}

    for obj in objects:
        local = by_namespace.get(obj.effective_namespace, [])
        if obj.kind == "Service":
            services_by_key[(obj.name, obj.effective_namespace)] = obj
            for w in local:
                if map_selector_matches(obj.spec.get("selector"), w.pod_labels):
                    w.services.append(obj)
                    obj.selects.append(w)
        elif obj.kind == "PodDisruptionBudget":
            for w in local:
                if selector_matches(obj.spec.get("selector"), w.pod_labels):
                    w.pdbs.append(obj)
                    obj.selects.append(w)
        elif obj.kind == "HorizontalPodAutoscaler" or (obj.kind == "ScaledObject"
                                                       and obj.api_version.startswith("keda.sh/")):
            # A KEDA ScaledObject drives an HPA of its own; its scaleTargetRef.kind defaults to Deployment.
            target = mapping(obj.spec.get("scaleTargetRef"))
            for w in local:
                if target.get("kind", "Deployment") == w.kind and target.get("name") == w.name:
                    w.hpas.append(obj)
                    obj.selects.append(w)
        elif obj.kind in POD_MONITOR_KINDS:
            for w in _monitor_scope(obj, by_namespace):
                if selector_matches(obj.spec.get("selector"), w.pod_labels):
                    w.monitors.append(obj)
                    obj.selects.append(w)

    accounts = {(o.effective_namespace, o.name): o for o in objects if o.kind == "ServiceAccount"}
    bound = _bindings_by_subject(objects)
    for w in workloads:
        w.namespace_object = namespaces.get(w.effective_namespace)
        w.service_account = accounts.get((w.effective_namespace, w.service_account_name))
        keys = [(w.effective_namespace, w.service_account_name), ("group", "system:serviceaccounts"),
                ("group", f"system:serviceaccounts:{w.effective_namespace}")]
        found = {id(b): b for key in keys for b in bound.get(key, [])}
        w.service_account_bindings = sorted(found.values(), key=lambda b: (b.file, b.doc.line))

    for obj in objects:
        if obj.kind in SERVICE_MONITOR_KINDS:
            for w in _monitor_scope(obj, by_namespace):
                if any(selector_matches(obj.spec.get("selector"), s.labels) for s in w.services):
                    w.monitors.append(obj)
                    obj.selects.append(w)
        elif obj.kind in ("VirtualService", "DestinationRule"):
            _link_istio(obj, services_by_key, workloads)


def _resolve_workload_refs(objects: list[K8sObject], workloads: list[Workload]) -> None:
    """An Argo Rollout with spec.workloadRef runs the pod template of the Deployment, ReplicaSet or PodTemplate
    it names, in its own namespace; when that object is not in the scan its pod template is unknown."""
    by_key = {(o.kind, o.effective_namespace, o.name): o for o in objects}
    for rollout in workloads:
        if rollout.kind != "Rollout" or "workloadRef" not in rollout.spec or "template" in rollout.spec:
            continue
        ref = mapping(rollout.spec.get("workloadRef"))
        kind, name = ref.get("kind"), ref.get("name")
        if kind not in WORKLOAD_REF_KINDS or not isinstance(name, str) or not name:
            rollout.pod_template_missing = (f"workloadRef names {kind or '(no kind)'}/{name or '(no name)'}; a Rollout "
                                            "takes its pod template only from a Deployment, ReplicaSet or PodTemplate")
            continue
        source = by_key.get((kind, rollout.effective_namespace, name))
        if source is None:
            rollout.pod_template_missing = f"workloadRef {kind}/{name} not in the scan"
            continue
        rollout.template_source = source
        if isinstance(source, Workload):
            rollout.set_pod_template(source.pod_metadata, source.pod_spec, source.pod_spec_path)
            source.rollout_refs.append(rollout)
        else:  # a PodTemplate holds its template at the top level
            template = mapping(source.doc.get("template"))
            rollout.set_pod_template(mapping(template.get("metadata")), mapping(template.get("spec")), "template.spec")


def _bindings_by_subject(objects: list[K8sObject]) -> dict[tuple[str, str], list[RbacBinding]]:
    """Bindings keyed by the ServiceAccount they name, (namespace, name), or by ("group", name) for groups such
    as system:serviceaccounts:<namespace> that hold every ServiceAccount of a namespace."""
    found: dict[tuple[str, str], list[RbacBinding]] = defaultdict(list)
    for binding in (o for o in objects if isinstance(o, RbacBinding)):
        for subject in binding.subjects:
            subject = mapping(subject)
            if subject.get("kind") == "ServiceAccount":
                namespace = str(subject.get("namespace") or binding.effective_namespace)
                found[(namespace, str(subject.get("name")))].append(binding)
            elif subject.get("kind") == "Group":
                found[("group", str(subject.get("name")))].append(binding)
    return found


def _monitor_scope(monitor: K8sObject, by_namespace: dict) -> list[Workload]:
    if monitor.kind == "ClusterPodMonitoring":
        return [w for ws in by_namespace.values() for w in ws]
    if monitor.kind == "PodMonitoring":
        return list(by_namespace.get(monitor.effective_namespace, []))
    selector = mapping(monitor.spec.get("namespaceSelector"))
    if selector.get("any") is True:
        return [w for ws in by_namespace.values() for w in ws]
    names = list(dict.fromkeys(str(n) for n in sequence(selector.get("matchNames")))) or [monitor.effective_namespace]
    return [w for n in names for w in by_namespace.get(n, [])]


def _link_istio(obj: K8sObject, services_by_key: dict, workloads: list[Workload]) -> None:
    if obj.kind == "DestinationRule":
        hosts = [obj.spec.get("host")]
    else:
        hosts = list(sequence(obj.spec.get("hosts")))
        for section in ("http", "tcp", "tls"):
            for route in sequence(obj.spec.get(section)):
                for destination in sequence(mapping(route).get("route")):
                    hosts.append(mapping(mapping(destination).get("destination")).get("host"))
    for host in hosts:
        if not isinstance(host, str):
            continue
        service = services_by_key.get(_short_host(host, obj.effective_namespace))
        if service is None:
            continue
        for w in workloads:
            bucket = w.destination_rules if obj.kind == "DestinationRule" else w.virtual_services
            if service in w.services and obj not in bucket:
                bucket.append(obj)
                obj.selects.append(w)


def bindings_by_role(objects: list[K8sObject]) -> dict[tuple[str, str], list[RbacBinding]]:
    """Bindings keyed by (role kind, role name)."""
    found: dict[tuple[str, str], list[RbacBinding]] = defaultdict(list)
    for obj in objects:
        if isinstance(obj, RbacBinding):
            ref = obj.role_ref
            found[(str(ref.get("kind", "")), str(ref.get("name", "")))].append(obj)
    return found
