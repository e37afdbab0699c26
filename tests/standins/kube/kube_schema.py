"""The few schema facts the stand-in needs to merge and track fields like the API server.

The real server reads these from the OpenAPI schema of each type (x-kubernetes-list-type,
x-kubernetes-list-map-keys, x-kubernetes-map-type, patchMergeKey). The stand-in knows only
the lists and maps that occur in the types it serves; every other list is atomic.
"""

# List field name -> (keys, key defaults). Context matters only for `ports`.
_MAP_LISTS = {
    "containers": (["name"], {}),
    "initContainers": (["name"], {}),
    "ephemeralContainers": (["name"], {}),
    "env": (["name"], {}),
    "volumes": (["name"], {}),
    "volumeMounts": (["mountPath"], {}),
    "volumeDevices": (["devicePath"], {}),
    "imagePullSecrets": (["name"], {}),
    "hostAliases": (["ip"], {}),
    "ownerReferences": (["uid"], {}),
    "conditions": (["type"], {}),
    "topologySpreadConstraints": (["topologyKey", "whenUnsatisfiable"], {}),
    "resourceClaims": (["name"], {}),
    "schedulingGates": (["name"], {}),
}
_CONTAINER_PORTS = (["containerPort", "protocol"], {"protocol": "TCP"})
_SERVICE_PORTS = (["port", "protocol"], {"protocol": "TCP"})
_SET_LISTS = {"finalizers"}
# Fields whose value is replaced as a whole (structType/mapType atomic).
_ATOMIC_FIELDS = {"labelSelector", "namespaceSelector"}

# Strategic merge patch keys (patchMergeKey), which differ from the SSA keys for ports.
_SMP_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "imagePullSecrets": "name", "hostAliases": "ip", "ownerReferences": "uid", "conditions": "type",
    "topologySpreadConstraints": "topologyKey", "resourceClaims": "name", "schedulingGates": "name",
}
_SMP_PRIMITIVE_MERGE = {"finalizers"}


def is_atomic_field(ctx):
    """ctx is the tuple of field names from the object root to this field."""
    name = ctx[-1]
    if name in _ATOMIC_FIELDS:
        return True
    # LabelSelector is structType=atomic; Service.spec.selector is mapType=atomic.
    if ctx == ("spec", "selector"):
        return True
    return False


def list_type(ctx):
    """Returns ("map", keys, defaults), ("set",) or ("atomic",) for the list at ctx."""
    name = ctx[-1]
    if name == "ports":
        if len(ctx) >= 2 and ctx[-2] in ("containers", "initContainers", "ephemeralContainers"):
            return ("map",) + _CONTAINER_PORTS
        if ctx == ("spec", "ports"):
            return ("map",) + _SERVICE_PORTS
        return ("atomic",)
    if name in _MAP_LISTS:
        keys, defaults = _MAP_LISTS[name]
        return ("map", keys, defaults)
    if name in _SET_LISTS and ctx == ("metadata", "finalizers"):
        return ("set",)
    return ("atomic",)


def smp_merge_key(ctx):
    """The patchMergeKey for a list in a strategic merge patch, or None if it is replaced."""
    name = ctx[-1]
    if name == "ports":
        if len(ctx) >= 2 and ctx[-2] in ("containers", "initContainers", "ephemeralContainers"):
            return "containerPort"
        if ctx == ("spec", "ports"):
            return "port"
        return None
    return _SMP_KEYS.get(name)


def smp_merges_primitives(ctx):
    return ctx[-1] in _SMP_PRIMITIVE_MERGE


def item_key(item, keys, defaults):
    """The key of an associative list item as a sorted tuple of (name, value)."""
    if not isinstance(item, dict):
        return None
    out = []
    for k in sorted(keys):
        if k in item:
            out.append((k, item[k]))
        elif k in defaults:
            out.append((k, defaults[k]))
        else:
            return None
    return tuple(out)
