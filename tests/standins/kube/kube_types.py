"""The resource types the stand-in serves: discovery facts, defaulting, validation, and table columns.

Defaults and validation follow pkg/apis/{core,apps}/v1/defaults.go and the validation the real API
server applies to these types, reduced to what a deployment tool meets in practice. Secrets are
checked as ValidateSecret does for the types berth writes: base64 data, a kubernetes.io/dockerconfigjson
Secret's `.dockerconfigjson` present and a JSON object (its value never echoed; the JSON error text is
Python's, not Go's), and a type that never changes on update.
"""

import base64
import binascii
import calendar
import ipaddress
import itertools
import json
import re
import time

_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class ResourceType:
    def __init__(self, group, version, plural, singular, kind, namespaced, short_names=(), categories=(),
                 generation=False, status=False):
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.short_names = list(short_names)
        self.categories = list(categories)
        self.generation = generation  # metadata.generation is maintained
        self.status = status  # has a status the main resource may not write

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self):
        return f"{self.group}/{self.plural}"

    @property
    def qualified(self):
        """How error messages name the resource: `deployments.apps`, `services`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self):
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def discovery(self):
        out = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
               "kind": self.kind, "verbs": _CRUD}
        if self.short_names:
            out["shortNames"] = self.short_names
        if self.categories:
            out["categories"] = self.categories
        return out


RESOURCES = [
    ResourceType("", "v1", "namespaces", "namespace", "Namespace", False, ["ns"], status=True),
    ResourceType("", "v1", "services", "service", "Service", True, ["svc"], ["all"], status=True),
    ResourceType("", "v1", "secrets", "secret", "Secret", True),
    ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", True, ["cm"]),
    ResourceType("", "v1", "pods", "pod", "Pod", True, ["po"], ["all"], status=True),
    ResourceType("apps", "v1", "deployments", "deployment", "Deployment", True, ["deploy"], ["all"],
                 generation=True, status=True),
    ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", True, ["rs"], ["all"],
                 generation=True, status=True),
]
GROUPS = {"": "v1", "apps": "v1"}
SCALABLE = {"Deployment", "ReplicaSet"}


def find(group, version, plural):
    for rt in RESOURCES:
        if rt.group == group and rt.version == version and rt.plural == plural:
            return rt
    return None


def by_kind(kind):
    return next(rt for rt in RESOURCES if rt.kind == kind)


# ---------------------------------------------------------------- defaulting

def _default_container(c):
    image = c.get("image", "")
    if "imagePullPolicy" not in c:
        last = image.rsplit("/", 1)[-1]
        tagged = ":" in last and not last.endswith(":latest")
        c["imagePullPolicy"] = "IfNotPresent" if ("@" in image or tagged) else "Always"
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        pr = c.get(probe)
        if isinstance(pr, dict):
            pr.setdefault("timeoutSeconds", 1)
            pr.setdefault("periodSeconds", 10)
            pr.setdefault("successThreshold", 1)
            pr.setdefault("failureThreshold", 3)
            if isinstance(pr.get("httpGet"), dict):
                pr["httpGet"].setdefault("scheme", "HTTP")
    for e in c.get("env") or []:
        ref = (e.get("valueFrom") or {}).get("fieldRef") if isinstance(e, dict) else None
        if isinstance(ref, dict):
            ref.setdefault("apiVersion", "v1")


def _default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _default_container(c)
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        for src in ("secret", "configMap"):
            if isinstance(v.get(src), dict):
                v[src].setdefault("defaultMode", 420)


def _default_template(template):
    if not isinstance(template, dict):
        return
    # v1.32 serialises the zero creationTimestamp of a template as null.
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    if isinstance(template.get("spec"), dict):
        _default_pod_spec(template["spec"])


_cluster_ips = (f"10.96.{i // 250}.{i % 250 + 2}" for i in itertools.count(10))


def default(rt, obj, old):
    spec = obj.get("spec")
    if rt.kind == "Deployment" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            ru = strategy.setdefault("rollingUpdate", {})
            ru.setdefault("maxUnavailable", "25%")
            ru.setdefault("maxSurge", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        _default_template(spec.get("template"))
    elif rt.kind == "ReplicaSet" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        _default_template(spec.get("template"))
    elif rt.kind == "Pod" and isinstance(spec, dict):
        _default_pod_spec(spec)
    elif rt.kind == "Service" and isinstance(spec, dict):
        old_spec = (old or {}).get("spec") or {}
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                if "port" in p:
                    p.setdefault("targetPort", p["port"])
        if spec["type"] != "ExternalName":
            # clusterIP is immutable and allocated once, like the real allocator.
            ip = spec.get("clusterIP") or old_spec.get("clusterIP") or next(_cluster_ips)
            spec["clusterIP"] = ip
            spec.setdefault("clusterIPs", [ip])
            if ip != "None":
                spec.setdefault("ipFamilies", ["IPv4"])
                spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in old_spec.get("ports") or []}
            for i, p in enumerate(spec.get("ports") or []):
                p.setdefault("nodePort", old_ports.get((p.get("port"), p.get("protocol"))) or 30000 + (hash(
                    (obj["metadata"].get("name"), i)) % 2767))
    elif rt.kind == "Secret":
        obj.setdefault("type", "Opaque")
    elif rt.kind == "Namespace":
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])


def initial_status(rt):
    if rt.kind == "Namespace":
        return {"phase": "Active"}
    if rt.kind == "Service":
        return {"loadBalancer": {}}
    if rt.kind == "Pod":
        return {"phase": "Pending", "qosClass": "BestEffort"}
    return {}


def fold_string_data(obj):
    """Secrets: stringData is write-only and merged into data, base64 encoded (stringData wins)."""
    string_data = obj.pop("stringData", None)
    if string_data:
        data = obj.setdefault("data", {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()


# ---------------------------------------------------------------- validation

class Invalid(Exception):
    def __init__(self, causes):
        super().__init__("invalid")
        self.causes = causes  # list of (field, reason, message-detail)


def _required(causes, field):
    causes.append((field, "FieldValueRequired", "Required value"))


def validate(rt, obj, old):
    causes = []
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    if not name:
        _required(causes, "metadata.name")
    elif len(name) > 253 or not _NAME_RE.match(name) or (rt.kind in ("Namespace", "Service") and not
                                                         _LABEL_RE.match(name)):
        detail = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
                  "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
        causes.append(("metadata.name", "FieldValueInvalid", f"Invalid value: \"{name}\": {detail}"))
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is not None and (not isinstance(value, dict) or
                                  any(not isinstance(v, str) for v in value.values())):
            causes.append((f"metadata.{field}", "FieldValueInvalid", "Invalid value: must be a map of strings"))
    spec = obj.get("spec")
    if rt.kind in ("Deployment", "ReplicaSet"):
        _validate_workload(rt, spec, (old or {}).get("spec"), causes)
    elif rt.kind == "Secret":
        decoded = {}
        for k, v in (obj.get("data") or {}).items():
            try:
                decoded[k] = base64.b64decode(v, validate=True)
            except (binascii.Error, TypeError, ValueError):
                causes.append((f"data[{k}]", "FieldValueInvalid", "Invalid value: illegal base64 data"))
        _validate_secret_type(obj, old, decoded, causes)
    elif rt.kind == "Service" and isinstance(spec, dict):
        if spec.get("type") != "ExternalName" and not spec.get("ports") and spec.get("clusterIP") != "None":
            _required(causes, "spec.ports")
        old_ip = ((old or {}).get("spec") or {}).get("clusterIP")
        if old and old_ip and spec.get("clusterIP") != old_ip:
            causes.append(("spec.clusterIP", "FieldValueInvalid",
                           f"Invalid value: \"{spec.get('clusterIP')}\": field is immutable"))
        ip = spec.get("clusterIP")
        if ip not in (None, "", "None"):
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                causes.append(("spec.clusterIP", "FieldValueInvalid", f"Invalid value: \"{ip}\": must be a "
                               "valid IP address"))
    if causes:
        raise Invalid(causes)


def _validate_secret_type(obj, old, decoded, causes):
    """ValidateSecret / ValidateSecretUpdate: a kubernetes.io/dockerconfigjson Secret holds
    .dockerconfigjson as a JSON object (the value is never echoed), and a Secret's type never changes."""
    if obj.get("type") == "kubernetes.io/dockerconfigjson":
        key = ".dockerconfigjson"
        if key not in decoded and key not in (obj.get("data") or {}):
            _required(causes, f"data[{key}]")
        elif key in decoded:
            try:
                config = json.loads(decoded[key])
                if not isinstance(config, dict):
                    raise ValueError("json: cannot unmarshal into Go value of type map[string]interface {}")
            except ValueError as error:
                causes.append((f"data[{key}]", "FieldValueInvalid",
                               f"Invalid value: \"<secret contents redacted>\": {error}"))
    if old and old.get("type") and obj.get("type") != old.get("type"):
        causes.append(("type", "FieldValueInvalid", f"Invalid value: \"{obj.get('type')}\": field is immutable"))


def _validate_workload(rt, spec, old_spec, causes):
    if not isinstance(spec, dict):
        _required(causes, "spec.selector")
        _required(causes, "spec.template.spec.containers")
        return
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = ((template.get("metadata") or {}).get("labels")) or {}
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        _required(causes, "spec.selector")
    elif not selector_matches(selector, labels):
        shown = "map[string]string{" + ", ".join(f"\"{k}\":\"{v}\"" for k, v in sorted(labels.items())) + "}"
        causes.append(("spec.template.metadata.labels", "FieldValueInvalid",
                       f"Invalid value: {shown}: `selector` does not match template `labels`"))
    if old_spec and old_spec.get("selector") and selector and old_spec.get("selector") != selector:
        causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: field is immutable"))
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
        causes.append(("spec.replicas", "FieldValueInvalid",
                       f"Invalid value: {replicas}: must be greater than or equal to 0"))
    pds = spec.get("progressDeadlineSeconds")
    if rt.kind == "Deployment" and pds is not None and (not isinstance(pds, int) or pds <= 0):
        causes.append(("spec.progressDeadlineSeconds", "FieldValueInvalid",
                       f"Invalid value: {pds}: must be greater than minReadySeconds"))
    containers = ((template.get("spec") or {}).get("containers"))
    if not containers:
        _required(causes, "spec.template.spec.containers")
        return
    names = set()
    for i, c in enumerate(containers):
        if not isinstance(c, dict):
            continue
        if not c.get("name"):
            _required(causes, f"spec.template.spec.containers[{i}].name")
        elif c["name"] in names:
            causes.append((f"spec.template.spec.containers[{i}].name", "FieldValueDuplicate",
                           f"Duplicate value: \"{c['name']}\""))
        names.add(c.get("name"))
        if not c.get("image"):
            _required(causes, f"spec.template.spec.containers[{i}].image")


# ---------------------------------------------------------------- selectors

def selector_matches(selector, labels):
    """A metav1.LabelSelector against a label map."""
    labels = labels or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def selector_string(selector):
    """The labelSelector query string for a LabelSelector (metav1.LabelSelectorAsSelector)."""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), sorted(expr.get("values") or [])
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append("!" + key)
    return ",".join(parts)


# ---------------------------------------------------------------- tables (kubectl get)

def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = h // 24
    if h < 24 * 8:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    if d < 365 * 2:
        return f"{d}d"
    return f"{d // 365}y"


def _age(obj):
    ts = (obj.get("metadata") or {}).get("creationTimestamp")
    if not ts:
        return "<unknown>"
    then = calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))
    return human_duration(time.time() - then)


def _col(name, typ="string", fmt="", priority=0, description=""):
    return {"name": name, "type": typ, "format": fmt, "description": description, "priority": priority}


def _containers(obj):
    return ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []


def table_columns(rt):
    name = _col("Name", fmt="name", description="Name must be unique within a namespace.")
    age = _col("Age", description="CreationTimestamp is a timestamp representing the server time when this "
               "object was created.")
    if rt.kind == "Deployment":
        return [name, _col("Ready"), _col("Up-to-date", "integer"), _col("Available", "integer"), age,
                _col("Containers", priority=1), _col("Images", priority=1), _col("Selector", priority=1)]
    if rt.kind == "ReplicaSet":
        return [name, _col("Desired", "integer"), _col("Current", "integer"), _col("Ready", "integer"), age,
                _col("Containers", priority=1), _col("Images", priority=1), _col("Selector", priority=1)]
    if rt.kind == "Service":
        return [name, _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"), age,
                _col("Selector", priority=1)]
    if rt.kind == "Secret":
        return [name, _col("Type"), _col("Data", "integer"), age]
    if rt.kind == "ConfigMap":
        return [name, _col("Data", "integer"), age]
    if rt.kind == "Namespace":
        return [name, _col("Status"), age]
    return [name, _col("Ready"), _col("Status"), _col("Restarts", "string"), age]


def table_cells(rt, obj):
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    name = meta.get("name")
    if rt.kind in ("Deployment", "ReplicaSet"):
        cs = _containers(obj)
        wide = [",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs),
                selector_string(spec.get("selector") or {}) or "<none>"]
        if rt.kind == "Deployment":
            return [name, f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
                    status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj)] + wide
        return [name, spec.get("replicas", 1), status.get("replicas", 0), status.get("readyReplicas", 0),
                _age(obj)] + wide
    if rt.kind == "Service":
        ports = ",".join(f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/"
                         f"{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
        ext = ",".join(spec.get("externalIPs") or []) or ("<pending>" if spec.get("type") == "LoadBalancer"
                                                         else "<none>")
        sel = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items())) or "<none>"
        return [name, spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), ext, ports, _age(obj), sel]
    if rt.kind == "Secret":
        return [name, obj.get("type", "Opaque"), len(obj.get("data") or {}), _age(obj)]
    if rt.kind == "ConfigMap":
        return [name, len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), _age(obj)]
    if rt.kind == "Namespace":
        return [name, status.get("phase", "Active"), _age(obj)]
    cs = spec.get("containers") or []
    return [name, f"0/{len(cs)}", status.get("phase", "Pending"), "0", _age(obj)]
