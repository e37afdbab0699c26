"""Server-side apply and managedFields, modelled on kubernetes-sigs/structured-merge-diff.

A field path is a tuple of elements: ("f", name) for a field, ("k", ((key, value), ...)) for an
item of an associative list, ("v", json) for an item of a set. A field set is a Python set of
paths (the "members" of a fieldpath.Set). metadata.managedFields holds one entry per
(manager, operation, subresource[, apiVersion for Update]) with its set encoded as FieldsV1.
"""

import copy
import json

from kube_schema import is_atomic_field, item_key, list_type

# Paths the API server never records ownership of (fieldmanager's stripMeta).
_STRIPPED_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                  "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}
# Containers that show up as members ("." in FieldsV1) when an Update adds them: maps and
# optional (pointer) structs. Plain structs such as spec are always present in typed objects.
_OPTIONAL_CONTAINERS = {"labels", "annotations", "matchLabels", "nodeSelector", "data", "binaryData",
                        "stringData", "limits", "requests", "rollingUpdate", "securityContext",
                        "livenessProbe", "readinessProbe", "startupProbe", "httpGet", "tcpSocket", "exec",
                        "grpc", "lifecycle", "affinity", "configMap", "secret", "emptyDir",
                        "persistentVolumeClaim", "hostPath", "projected", "downwardAPI", "valueFrom",
                        "secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"}


class ApplyConflict(Exception):
    def __init__(self, conflicts):
        super().__init__("apply conflict")
        self.conflicts = conflicts  # list of (manager_key, path)


class Walk:
    """Everything a comparison needs about one object."""

    def __init__(self, obj):
        self.members = set()
        self.values = {}
        self.optional_containers = set()
        if isinstance(obj, dict):
            self._walk(obj, (), ())

    def _walk(self, obj, ctx, prefix):
        for name, value in obj.items():
            path = prefix + (("f", name),)
            fctx = ctx + (name,)
            if is_atomic_field(fctx):
                self._leaf(path, value)
            elif isinstance(value, dict):
                if not value:
                    self._leaf(path, value)
                else:
                    if name in _OPTIONAL_CONTAINERS:
                        self.optional_containers.add(path)
                    self._walk(value, fctx, path)
            elif isinstance(value, list):
                self._walk_list(value, fctx, path)
            else:
                self._leaf(path, value)

    def _walk_list(self, items, ctx, path):
        kind = list_type(ctx)
        if kind[0] == "map":
            keys = [item_key(item, kind[1], kind[2]) for item in items]
            if any(k is None for k in keys) or len(set(keys)) != len(keys):
                self._leaf(path, items)  # not a valid associative list: own it as a whole
                return
            for key, item in zip(keys, items):
                item_path = path + (("k", key),)
                self.members.add(item_path)
                self._walk(item, ctx, item_path)
        elif kind[0] == "set":
            for item in items:
                item_path = path + (("v", canonical(item)),)
                self._leaf(item_path, item)
        else:
            self._leaf(path, items)

    def _leaf(self, path, value):
        self.members.add(path)
        self.values[path] = value


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def strip(paths, reset_prefixes):
    out = set()
    for p in paths:
        head = p[0][1] if p else None
        if head in ("apiVersion", "kind"):
            continue
        if head == "metadata" and (len(p) == 1 or p[1][1] in _STRIPPED_META):
            continue
        if any(p[:len(r)] == r for r in reset_prefixes):
            continue
        out.add(p)
    return out


def to_field_set(obj, reset_prefixes):
    return strip(Walk(obj).members, reset_prefixes)


class Comparison:
    def __init__(self, old, new):
        a, b = Walk(old), Walk(new)
        self.added = (b.members - a.members) | (b.optional_containers - a.optional_containers)
        self.removed = (a.members - b.members) | (a.optional_containers - b.optional_containers)
        self.modified = {p for p in a.members & b.members
                         if p in a.values and p in b.values and canonical(a.values[p]) != canonical(b.values[p])}


# ---------------------------------------------------------------- merging and pruning

def merge(lhs, rhs, ctx=()):
    """Merges an applied configuration (rhs) into the live object (lhs)."""
    if isinstance(lhs, dict) and isinstance(rhs, dict) and not (ctx and is_atomic_field(ctx)):
        out = copy.deepcopy(lhs)
        for name, value in rhs.items():
            if value is None:
                out.pop(name, None)
            elif name in out:
                out[name] = merge(out[name], value, ctx + (name,))
            else:
                out[name] = copy.deepcopy(value)
        return out
    if isinstance(lhs, list) and isinstance(rhs, list) and ctx:
        kind = list_type(ctx)
        if kind[0] == "map":
            lkeys = [item_key(i, kind[1], kind[2]) for i in lhs]
            rkeys = [item_key(i, kind[1], kind[2]) for i in rhs]
            if None in lkeys or None in rkeys:
                return copy.deepcopy(rhs)
            by_key = dict(zip(rkeys, rhs))
            out = []
            for k, item in zip(lkeys, lhs):
                out.append(merge(item, by_key[k], ctx) if k in by_key else copy.deepcopy(item))
            seen = set(lkeys)
            out.extend(copy.deepcopy(i) for k, i in zip(rkeys, rhs) if k not in seen)
            return out
        if kind[0] == "set":
            out = copy.deepcopy(lhs)
            present = {canonical(i) for i in lhs}
            out.extend(copy.deepcopy(i) for i in rhs if canonical(i) not in present)
            return out
    return copy.deepcopy(rhs)


def _prefixes(paths):
    out = set()
    for p in paths:
        for i in range(1, len(p) + 1):
            out.add(p[:i])
    return out


def _locate(obj, path):
    """Returns (container, accessor) for the last element of path, or None if absent."""
    node = obj
    for i, el in enumerate(path):
        last = i == len(path) - 1
        if el[0] == "f":
            if not isinstance(node, dict) or el[1] not in node:
                return None
            if last:
                return node, el
            node = node[el[1]]
        else:
            if not isinstance(node, list):
                return None
            idx = _find_item(node, el, path[:i])
            if idx is None:
                return None
            if last:
                return node, idx
            node = node[idx]
    return None


def _find_item(items, el, list_path):
    ctx = tuple(e[1] for e in list_path if e[0] == "f")
    if el[0] == "v":
        for i, item in enumerate(items):
            if canonical(item) == el[1]:
                return i
        return None
    kind = list_type(ctx)
    if kind[0] != "map":
        return None
    for i, item in enumerate(items):
        if item_key(item, kind[1], kind[2]) == el[1]:
            return i
    return None


def _get(obj, path):
    loc = _locate(obj, path)
    if loc is None:
        return None
    container, acc = loc
    return container[acc[1]] if isinstance(acc, tuple) else container[acc]


def _remove(obj, path):
    loc = _locate(obj, path)
    if loc is None:
        return False
    container, acc = loc
    if isinstance(acc, tuple):
        del container[acc[1]]
    else:
        del container[acc]
    return True


def prune(merged, managers, last_set):
    """Drops what the applier owned before, no longer applies, and nobody else owns."""
    if not last_set:
        return merged
    owned = set()
    for entry in managers.values():
        owned |= entry.fields
    keep = _prefixes(owned)
    out = copy.deepcopy(merged)
    # Ancestors first: removing a list item takes its fields with it (and keeps its key locatable).
    doomed = sorted((p for p in last_set if p not in keep), key=len)
    for path in doomed:
        if not _remove(out, path):
            continue
        parent = path[:-1]
        while parent and parent not in keep:
            value = _get(out, parent)
            if value in ({}, []):
                _remove(out, parent)
                parent = parent[:-1]
            else:
                break
    return out


# ---------------------------------------------------------------- managedFields encoding

def _encode_element(el):
    if el[0] == "f":
        return "f:" + el[1]
    if el[0] == "k":
        return "k:" + canonical(dict(el[1]))
    return "v:" + el[1]


def _decode_element(text):
    kind, _, rest = text.partition(":")
    if kind == "f":
        return ("f", rest)
    if kind == "k":
        return ("k", tuple(sorted(json.loads(rest).items())))
    if kind == "v":
        return ("v", canonical(json.loads(rest)))
    raise ValueError("unsupported FieldsV1 element " + text)


def to_fields_v1(paths):
    root = {}
    members = set(paths)
    for p in sorted(paths, key=path_sort_key):
        node = root
        for el in p:
            node = node.setdefault(_encode_element(el), {})

    def mark(node, prefix):
        for key, child in node.items():
            if key == ".":
                continue
            path = prefix + (_decode_element(key),)
            if child and path in members:
                child["."] = {}
            mark(child, path)
    mark(root, ())
    return _sorted_tree(root)


def _sorted_tree(node):
    return {k: _sorted_tree(node[k]) for k in sorted(node, key=lambda k: (k != ".", k))}


def from_fields_v1(tree, prefix=()):
    out = set()
    for key, child in (tree or {}).items():
        if key == ".":
            out.add(prefix)
            continue
        path = prefix + (_decode_element(key),)
        if not child:
            out.add(path)
        else:
            out |= from_fields_v1(child, path)
    return out


def path_sort_key(path):
    out = []
    for el in path:
        if el[0] == "f":
            out.append((0, el[1]))
        elif el[0] == "k":
            out.append((1, canonical(dict(el[1]))))
        else:
            out.append((2, el[1]))
    return tuple(out)


def path_string(path):
    parts = []
    for el in path:
        if el[0] == "f":
            parts.append("." + el[1])
        elif el[0] == "k":
            parts.append("[" + ",".join(f"{k}={_go_value(v)}" for k, v in el[1]) + "]")
        else:
            parts.append("[=" + _go_value(json.loads(el[1])) + "]")
    return "".join(parts)


def _go_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return json.dumps(v) if isinstance(v, (dict, list)) else str(v)


# ---------------------------------------------------------------- managers

class Entry:
    def __init__(self, manager, operation, api_version, subresource, time, fields):
        self.manager = manager
        self.operation = operation
        self.api_version = api_version
        self.subresource = subresource
        self.time = time
        self.fields = fields

    def describe(self):
        """How the API server names this manager in conflict messages (printManager)."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text


def manager_key(manager, operation, api_version, subresource):
    # Appliers are identified without the API version (BuildManagerIdentifier).
    return (manager, operation, subresource or "", api_version if operation == "Update" else "")


def read_managers(obj):
    out = {}
    for e in (obj.get("metadata") or {}).get("managedFields") or []:
        key = manager_key(e.get("manager", ""), e.get("operation", ""), e.get("apiVersion", ""),
                          e.get("subresource", ""))
        out[key] = Entry(e.get("manager", ""), e.get("operation", ""), e.get("apiVersion", ""),
                         e.get("subresource", ""), e.get("time"), from_fields_v1(e.get("fieldsV1")))
    return out


def write_managers(obj, managers):
    entries = []
    for entry in managers.values():
        if not entry.fields:
            continue
        e = {"manager": entry.manager, "operation": entry.operation, "apiVersion": entry.api_version}
        if entry.time:
            e["time"] = entry.time
        e["fieldsType"] = "FieldsV1"
        e["fieldsV1"] = to_fields_v1(entry.fields)
        if entry.subresource:
            e["subresource"] = entry.subresource
        entries.append(e)
    meta = obj.setdefault("metadata", {})
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def apply(live, config, managers, me, force, reset_prefixes):
    """Returns the new object and managers, or raises ApplyConflict. `me` is an Entry."""
    key = manager_key(me.manager, "Apply", me.api_version, me.subresource)
    merged = merge(live or {}, config)
    new_set = to_field_set(config, reset_prefixes)
    last_set = managers[key].fields if key in managers else set()
    out_managers = {k: Entry(v.manager, v.operation, v.api_version, v.subresource, v.time, set(v.fields))
                    for k, v in managers.items()}
    me.fields = new_set
    out_managers[key] = me
    result = prune(merged, out_managers, last_set)
    cmp = Comparison(live or {}, result)
    changed = cmp.modified | cmp.added
    conflicts = []
    for k, entry in out_managers.items():
        if k == key:
            continue
        for path in sorted(entry.fields & changed & new_set, key=path_sort_key):
            conflicts.append((entry, path))
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    for k, entry in out_managers.items():
        if k != key:
            entry.fields -= changed & new_set
            entry.fields -= cmp.removed
    return result, {k: v for k, v in out_managers.items() if v.fields}


def update(live, new, managers, me, reset_prefixes):
    """Records an Update (create, replace, non-apply patch) by `me` in the managers."""
    key = manager_key(me.manager, "Update", me.api_version, me.subresource)
    cmp = Comparison(live or {}, new)
    changed = strip(cmp.modified | cmp.added, reset_prefixes)
    out = {}
    for k, entry in managers.items():
        if k == key:
            continue
        fields = entry.fields - changed - cmp.removed
        out[k] = Entry(entry.manager, entry.operation, entry.api_version, entry.subresource, entry.time,
                       fields)
    previous = managers[key].fields if key in managers else set()
    mine = (previous - cmp.removed) | changed
    if key in managers:
        me.time = me.time if mine != previous else managers[key].time
    me.fields = mine
    # Keep the position of an existing entry; new managers go last.
    ordered = {}
    for k in list(managers.keys()):
        if k == key:
            ordered[k] = me
        elif k in out:
            ordered[k] = out[k]
    if key not in ordered:
        ordered[key] = me
    return {k: v for k, v in ordered.items() if v.fields}
