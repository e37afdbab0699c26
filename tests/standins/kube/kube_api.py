"""Verbs on stored objects: get, list, create, replace, patch (four kinds), delete.

Errors are raised as ApiError and sent as metav1.Status objects, with the reasons, codes and message
wording of the real API server.
"""

import copy
import json
import re

import kube_fieldmanager as fm
import kube_patch
import kube_types
from kube_store import now_rfc3339

try:
    import yaml  # Debian python3-yaml; apply bodies may be YAML.
except ImportError:  # pragma: no cover - JSON bodies still work
    yaml = None

APPLY_TYPE = "application/apply-patch+yaml"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", APPLY_TYPE)


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self):
        out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": self.message, "reason": self.reason}
        if self.details is not None:
            out["details"] = self.details
        out["code"] = self.code
        return out


def success_status(rt, name, uid):
    details = {"name": name, "kind": rt.plural, "uid": uid}
    if rt.group:
        details = {"name": name, "group": rt.group, "kind": rt.plural, "uid": uid}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def _details(rt, name):
    d = {"name": name}
    if rt.group:
        d["group"] = rt.group
    d["kind"] = rt.plural
    return d


def not_found(rt, name):
    return ApiError(404, "NotFound", f"{rt.qualified} \"{name}\" not found", _details(rt, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def invalid(kind_qualified, name, causes, group, kind):
    items = [f"{field}: {msg}" for field, _, msg in causes]
    text = items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"
    details = {"name": name} if name else {}
    if group is not None:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = [{"reason": r, "message": m, "field": f} for f, r, m in causes]
    return ApiError(422, "Invalid", f"{kind_qualified} \"{name}\" is invalid: {text}", details)


# ---------------------------------------------------------------- selectors

_SPLIT = re.compile(r",(?![^()]*\))")


def parse_label_selector(text):
    """Returns a predicate over label maps for the labelSelector query syntax."""
    terms = []
    for raw in _SPLIT.split(text or ""):
        t = raw.strip()
        if not t:
            continue
        m = re.match(r"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$", t)
        if m:
            values = {v.strip() for v in m.group(3).split(",") if v.strip()}
            terms.append((m.group(1), m.group(2), values))
        elif "!=" in t:
            k, v = t.split("!=", 1)
            terms.append((k.strip(), "!=", v.strip()))
        elif "==" in t or "=" in t:
            k, v = t.split("==", 1) if "==" in t else t.split("=", 1)
            terms.append((k.strip(), "=", v.strip()))
        elif t.startswith("!"):
            terms.append((t[1:].strip(), "!exists", None))
        elif re.match(r"^[\w./-]+$", t):
            terms.append((t, "exists", None))
        else:
            raise bad_request(f"unable to parse requirement: found '{t}', expected: in, notin, =, ==, !=, gt, "
                              "lt")

    def match(labels):
        labels = labels or {}
        for key, op, value in terms:
            have = labels.get(key)
            if op == "=" and have != value:
                return False
            if op == "!=" and have == value:
                return False
            if op == "in" and have not in value:
                return False
            if op == "notin" and have in value:
                return False
            if op == "exists" and key not in labels:
                return False
            if op == "!exists" and key in labels:
                return False
        return True
    return match


def parse_field_selector(text):
    terms = []
    for t in (text or "").split(","):
        t = t.strip()
        if not t:
            continue
        neg = "!=" in t
        k, v = t.split("!=" if neg else ("==" if "==" in t else "="), 1)
        k = k.strip()
        if k not in ("metadata.name", "metadata.namespace"):
            raise bad_request(f"\"{k}\" is not a known field selector: only \"metadata.name\", "
                              "\"metadata.namespace\"")
        terms.append((k.split(".")[1], neg, v.strip()))

    def match(obj):
        meta = obj.get("metadata") or {}
        for field, neg, value in terms:
            if (meta.get(field, "") == value) == neg:
                return False
        return True
    return match


# ---------------------------------------------------------------- the API

class Api:
    def __init__(self, store):
        self.store = store

    # ---- reads

    def get(self, rt, ns, name):
        with self.store.cond:
            obj = self.store.get(rt, ns, name)
        if obj is None:
            raise not_found(rt, name)
        return obj

    def list(self, rt, ns, query):
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"))
        with self.store.cond:
            items = [o for o in self.store.list(rt, ns)
                     if labels((o.get("metadata") or {}).get("labels")) and fields(o)]
            rv = str(self.store.rv)
        meta = {"resourceVersion": rv}
        limit = int(query.get("limit") or 0)
        start = int(query.get("continue") or 0) if (query.get("continue") or "").isdigit() else 0
        if limit > 0:
            if start + limit < len(items):
                meta["continue"] = str(start + limit)
                meta["remainingItemCount"] = len(items) - start - limit
            items = items[start:start + limit]
        # Items of built-in lists carry no apiVersion/kind, as from the real server.
        for o in items:
            o.pop("apiVersion", None)
            o.pop("kind", None)
        return {"kind": rt.kind + "List", "apiVersion": rt.api_version, "metadata": meta, "items": items}

    # ---- writes

    def _require_namespace(self, rt, ns, name=None):
        if not rt.namespaced or not ns:
            return
        nrt = kube_types.by_kind("Namespace")
        namespace = self.store.get(nrt, "", ns)
        if namespace is None:
            raise not_found(nrt, ns)
        if namespace["metadata"].get("deletionTimestamp"):
            what = f"{rt.qualified} \"{name}\"" if name else rt.qualified
            details = {"name": name} if name else {}
            if rt.group:
                details["group"] = rt.group
            details["kind"] = rt.plural
            raise ApiError(403, "Forbidden", f"{what} is forbidden: unable to create new content in namespace {ns} "
                           "because it is being terminated", details)

    def _check_identity(self, rt, ns, name, obj, creating):
        if not isinstance(obj, dict):
            raise bad_request("the body of the request is not a JSON object")
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if av and av != rt.api_version:
            raise bad_request(f"the API version in the data ({av}) does not match the expected API version "
                              f"({rt.api_version})")
        if kind and kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if name is not None and meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL "
                              f"({name})")
        if name is not None:
            meta["name"] = name
        if rt.namespaced:
            if meta.get("namespace") and ns and meta["namespace"] != ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent on "
                                  "the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)

    def create(self, rt, ns, body, query, manager):
        dry = _dry_run(query)
        with self.store.cond:
            meta = body.get("metadata") if isinstance(body, dict) else None
            if isinstance(meta, dict) and not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + self.store.new_uid()[:5]
            self._check_identity(rt, ns, None, body, True)
            name = body["metadata"].get("name")
            if name and self.store.get(rt, ns, name) is not None:
                raise ApiError(409, "AlreadyExists", f"{rt.qualified} \"{name}\" already exists",
                               _details(rt, name))
            self._require_namespace(rt, ns, name)
            return self.commit(rt, None, body, manager, dry_run=dry), 201

    def replace(self, rt, ns, name, body, query, manager, subresource=None):
        dry = _dry_run(query)
        with self.store.cond:
            self._check_identity(rt, ns, name, body, False)
            old = self.store.get(rt, ns, name)
            if old is None:
                raise not_found(rt, name)
            rv = body["metadata"].get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise _modified(rt, name)
            return self.commit(rt, old, body, manager, dry_run=dry, subresource=subresource), 200

    def patch(self, rt, ns, name, content_type, raw, query, manager, subresource=None):
        dry = _dry_run(query)
        if content_type not in PATCH_TYPES:
            raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                           f"accepted media types include: {', '.join(PATCH_TYPES)}")
        force = query.get("force")
        if content_type != APPLY_TYPE and force is not None:
            raise invalid("PatchOptions.meta.k8s.io", "", [("force", "FieldValueForbidden",
                          "Forbidden: may not be specified for non-apply patch")], "meta.k8s.io", "PatchOptions")
        if content_type == APPLY_TYPE:
            return self._apply(rt, ns, name, raw, query, force == "true", dry, subresource)
        try:
            patch = json.loads(raw or b"null")
        except ValueError as e:
            raise bad_request(f"error decoding patch: {e}") from None
        with self.store.cond:
            old = self.store.get(rt, ns, name)
            if old is None:
                raise not_found(rt, name)
            try:
                if content_type == "application/json-patch+json":
                    new = kube_patch.json_patch(old, patch)
                elif content_type == "application/merge-patch+json":
                    new = kube_patch.merge_patch(old, patch)
                else:
                    new = kube_patch.strategic_merge_patch(old, patch)
            except kube_patch.PatchError as e:
                raise ApiError(422, "Invalid", str(e)) from None
            self._check_identity(rt, ns, name, new, False)
            rv = new["metadata"].get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise _modified(rt, name)
            return self.commit(rt, old, new, manager, dry_run=dry, subresource=subresource), 200

    def _apply(self, rt, ns, name, raw, query, force, dry, subresource):
        manager = query.get("fieldManager")
        if not manager:
            raise invalid("PatchOptions.meta.k8s.io", "", [("fieldManager", "FieldValueRequired",
                          "Required value: is required for apply patch")], "meta.k8s.io", "PatchOptions")
        config = _decode_apply(raw)
        with self.store.cond:
            self._check_identity(rt, ns, name, config, False)
            if config.get("metadata", {}).get("managedFields") is not None:
                raise bad_request("metadata.managedFields must be nil")
            if not config.get("apiVersion") or not config.get("kind"):
                raise bad_request("apiVersion and kind must be set in an applied configuration")
            old = self.store.get(rt, ns, name)
            rv = config["metadata"].get("resourceVersion")
            if rv and (old is None or rv != old["metadata"]["resourceVersion"]):
                raise _modified(rt, name)
            if old is None:
                if subresource:
                    raise not_found(rt, name)
                self._require_namespace(rt, ns, name)
            reset = _reset_prefixes(rt, subresource)
            managers = fm.read_managers(old) if old else {}
            me = fm.Entry(manager, "Apply", rt.api_version, subresource or "", now_rfc3339(), set())
            try:
                result, managers = fm.apply(_comparable(old), _comparable(config), managers, me, force, reset)
            except fm.ApplyConflict as e:
                raise _conflict_error(e.conflicts) from None
            for key in ("uid", "resourceVersion", "creationTimestamp", "generation"):
                if old is not None and key in old["metadata"]:
                    result.setdefault("metadata", {})[key] = old["metadata"][key]
            if old is not None and "status" in old:
                result["status"] = copy.deepcopy(old["status"])
            out = self.commit(rt, old, result, manager, dry_run=dry, managers=managers, subresource=subresource)
            return out, (201 if old is None else 200)

    def commit(self, rt, old, new, manager, dry_run=False, managers=None, subresource=None):
        """Stores `new` the way the registry strategies do; `managers` is set when applying."""
        new = copy.deepcopy(new)
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        meta = new.setdefault("metadata", {})
        if subresource == "status":
            status = new.get("status")
            annotations = meta.get("annotations")
            new = copy.deepcopy(old)
            new["status"] = status
            if annotations is not None:
                new["metadata"]["annotations"] = annotations
            meta = new["metadata"]
        elif rt.status:
            new["status"] = copy.deepcopy(old["status"]) if old and "status" in old else \
                kube_types.initial_status(rt)
        if rt.kind == "Secret":
            kube_types.fold_string_data(new)
        kube_types.default(rt, new, old)
        try:
            kube_types.validate(rt, new, old)
        except kube_types.Invalid as e:
            raise invalid(rt.qualified_kind, meta.get("name", ""), e.causes, rt.group, rt.kind) from None
        for key in ("selfLink", "deletionTimestamp"):
            meta.pop(key, None)
        if old is not None:
            om = old["metadata"]
            if om.get("deletionTimestamp"):
                meta["deletionTimestamp"] = om["deletionTimestamp"]
            meta["uid"], meta["creationTimestamp"] = om["uid"], om["creationTimestamp"]
            meta["resourceVersion"] = om["resourceVersion"]
            if rt.generation:
                meta["generation"] = om.get("generation", 1)
                bump = new.get("spec") != old.get("spec")
                if rt.kind == "Deployment":
                    bump = bump or meta.get("annotations") != om.get("annotations")
                if bump and subresource != "status":
                    meta["generation"] += 1
            else:
                meta.pop("generation", None)
        else:
            meta["uid"] = self.store.new_uid()
            meta["creationTimestamp"] = now_rfc3339()
            meta.pop("resourceVersion", None)
            if rt.generation:
                meta["generation"] = 1
            else:
                meta.pop("generation", None)
        old_managers = fm.read_managers(old) if old else {}
        if managers is None:
            me = fm.Entry(manager, "Update", rt.api_version, subresource or "", now_rfc3339(), set())
            managers = fm.update(_comparable(old), _comparable(new), old_managers, me,
                                 _reset_prefixes(rt, subresource))
        for key, entry in managers.items():
            if key in old_managers and old_managers[key].fields == entry.fields:
                entry.time = old_managers[key].time  # unchanged ownership keeps its timestamp
        fm.write_managers(new, managers)
        if old is not None and fm.canonical(_sans_rv(old)) == fm.canonical(_sans_rv(new)):
            return old  # a no-op write stores nothing and keeps the resourceVersion
        if dry_run:
            if old is None:
                meta.pop("resourceVersion", None)
            return new
        return self.store.put(rt, new)

    # ---- the scale subresource (autoscaling/v1 Scale), as kubectl scale uses it

    @staticmethod
    def to_scale(obj):
        meta = obj["metadata"]
        status = {"replicas": (obj.get("status") or {}).get("replicas", 0)}
        selector = kube_types.selector_string((obj.get("spec") or {}).get("selector") or {})
        if selector:
            status["selector"] = selector
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                  "creationTimestamp") if k in meta},
                "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)}, "status": status}

    def get_scale(self, rt, ns, name):
        return self.to_scale(self.get(rt, ns, name))

    def write_scale(self, rt, ns, name, content_type, raw, query, manager):
        """PUT (content_type None, raw a Scale) or PATCH of the scale subresource."""
        dry = _dry_run(query)
        with self.store.cond:
            old = self.store.get(rt, ns, name)
            if old is None:
                raise not_found(rt, name)
            scale = self.to_scale(old)
            try:
                if content_type is None:
                    new_scale = raw
                elif content_type == "application/json-patch+json":
                    new_scale = kube_patch.json_patch(scale, json.loads(raw or b"null"))
                elif content_type == "application/merge-patch+json":
                    new_scale = kube_patch.merge_patch(scale, json.loads(raw or b"null"))
                elif content_type == "application/strategic-merge-patch+json":
                    new_scale = kube_patch.strategic_merge_patch(scale, json.loads(raw or b"null"))
                else:
                    raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                                   "format - accepted media types include: application/json-patch+json, "
                                   "application/merge-patch+json, application/strategic-merge-patch+json")
            except (kube_patch.PatchError, ValueError) as e:
                raise ApiError(422, "Invalid", str(e)) from None
            rv = ((new_scale or {}).get("metadata") or {}).get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise _modified(rt, name)
            replicas = ((new_scale or {}).get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise invalid("Scale.autoscaling", name, [("spec.replicas", "FieldValueInvalid",
                              f"Invalid value: {replicas}: must be greater than or equal to 0")], "autoscaling",
                              "Scale")
            new = copy.deepcopy(old)
            new["spec"]["replicas"] = replicas
            return self.to_scale(self.commit(rt, old, new, manager, dry_run=dry, subresource="scale")), 200

    def delete(self, rt, ns, name, query, opts):
        dry = _dry_run(query) or "All" in ((opts or {}).get("dryRun") or [])
        if not isinstance(opts, dict):
            raise bad_request("the body of the request is not valid DeleteOptions")
        with self.store.cond:
            old = self.store.get(rt, ns, name)
            if old is None:
                raise not_found(rt, name)
            pre = (opts or {}).get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != old["metadata"]["uid"]:
                raise ApiError(409, "Conflict", f"Operation cannot be fulfilled on {rt.qualified} \"{name}\": "
                               f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                               f"{old['metadata']['uid']}", _details(rt, name))
            if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"]["resourceVersion"]:
                raise _modified(rt, name)
            if dry:
                return success_status(rt, name, old["metadata"]["uid"])
            policy = (opts or {}).get("propagationPolicy") or query.get("propagationPolicy")
            if policy == "Orphan" or (opts or {}).get("orphanDependents"):
                self._orphan(old["metadata"]["uid"], ns)
            if rt.kind == "Namespace":
                # Namespaces go Terminating; the namespace controller empties and removes them later.
                if not old["metadata"].get("deletionTimestamp"):
                    old["metadata"]["deletionTimestamp"] = now_rfc3339()
                    old["status"] = {"phase": "Terminating"}
                    old = self.store.put(rt, old)
                return old
            self.store.delete(rt, ns, name)
            return success_status(rt, name, old["metadata"]["uid"])

    def _orphan(self, uid, ns):
        for (key, ons, oname), obj in list(self.store.objects.items()):
            refs = obj.get("metadata", {}).get("ownerReferences") or []
            if ons == ns and any(r.get("uid") == uid for r in refs):
                rt = next(r for r in kube_types.RESOURCES if r.key == key)
                o = copy.deepcopy(obj)
                o["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != uid]
                if not o["metadata"]["ownerReferences"]:
                    del o["metadata"]["ownerReferences"]
                self.commit(rt, obj, o, "kube-controller-manager")

    def delete_collection(self, rt, ns, query):
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"))
        with self.store.cond:
            items = [o for o in self.store.list(rt, ns)
                     if labels((o.get("metadata") or {}).get("labels")) and fields(o)]
            if not _dry_run(query):
                for o in items:
                    self.store.delete(rt, o["metadata"].get("namespace"), o["metadata"]["name"])
            for o in items:
                o.pop("apiVersion", None)
                o.pop("kind", None)
            return {"kind": rt.kind + "List", "apiVersion": rt.api_version,
                    "metadata": {"resourceVersion": str(self.store.rv)}, "items": items}


def _dry_run(query):
    value = query.get("dryRun")
    if value is None or value == "":
        return False
    if value != "All":
        raise invalid("DryRun", "", [("dryRun", "FieldValueNotSupported",
                      f"Unsupported value: []string{{\"{value}\"}}: supported values: \"All\"")], None, "")
    return True


def _modified(rt, name):
    return ApiError(409, "Conflict", f"Operation cannot be fulfilled on {rt.qualified} \"{name}\": the object has "
                    "been modified; please apply your changes to the latest version and try again",
                    _details(rt, name))


def _conflict_error(conflicts):
    causes = [{"type": "FieldManagerConflict", "message": f"conflict with {e.describe()}",
               "field": fm.path_string(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {e.describe()}: {fm.path_string(p)}"
    else:
        by_manager = {}
        for e, p in conflicts:
            by_manager.setdefault(e.describe(), (e, []))[1].append(p)
        lines = []
        for described in sorted(by_manager, key=lambda d: (by_manager[d][0].manager, d)):
            lines.append(f"conflicts with {described}:")
            lines.extend(f"- {fm.path_string(p)}" for p in by_manager[described][1])
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _reset_prefixes(rt, subresource):
    if subresource == "scale":
        return [(("f", "status"),), (("f", "metadata"),)]
    if subresource == "status":
        return [(("f", "spec"),), (("f", "metadata"), ("f", "labels"))]
    if rt.status:
        return [(("f", "status"),)]
    return []


def _comparable(obj):
    if obj is None:
        return None
    out = copy.deepcopy(obj)
    out.get("metadata", {}).pop("managedFields", None)
    return out


def _sans_rv(obj):
    out = copy.deepcopy(obj)
    out["metadata"].pop("resourceVersion", None)
    for e in out["metadata"].get("managedFields") or []:
        e.pop("time", None)
    return out


def _decode_apply(raw):
    text = (raw or b"").decode("utf-8", "replace")
    try:
        obj = json.loads(text)
    except ValueError:
        if yaml is None:
            raise bad_request("apply bodies must be JSON: python3-yaml is not installed") from None
        try:
            obj = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise bad_request(f"error decoding YAML: {e}") from None
    if not isinstance(obj, dict):
        raise bad_request("the body of an apply patch must be an object")
    return obj
