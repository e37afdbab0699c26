"""A minimal OpenAPI v3 document set (/openapi/v3 and one document per group version).

kubectl (apply, create, replace, ...) reads /openapi/v3 to learn whether the server supports the
fieldValidation query parameter (it looks for that parameter on the PATCH operation carrying the
object's x-kubernetes-group-version-kind); without an answer it refuses to continue unless run with
--validate=false. The stand-in publishes the operations it serves with their query parameters, but
no object schemas, so `kubectl explain` and client-side schema validation are not available.
"""

import hashlib
import json

import kube_types

_ITEM_PARAMS = ["dryRun", "fieldManager", "fieldValidation", "pretty"]


def _param(name):
    return {"name": name, "in": "query", "description": f"{name} (see the Kubernetes API reference)",
            "schema": {"type": "boolean" if name == "force" else "string", "uniqueItems": True}}


def _op(rt, action, op_id, params):
    return {"operationId": op_id, "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
            "parameters": [_param(p) for p in params],
            "responses": {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}}}


def group_version_document(group, version):
    paths = {}
    for rt in kube_types.RESOURCES:
        if rt.group != group or rt.version != version:
            continue
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        collection = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
        item = collection + "/{name}"
        stem = f"{(group or 'core').capitalize()}{version.capitalize()}{'Namespaced' if rt.namespaced else ''}" \
               f"{rt.kind}"
        paths[collection] = {
            "get": _op(rt, "list", "list" + stem, ["labelSelector", "fieldSelector", "limit", "continue",
                                                    "resourceVersion", "watch", "timeoutSeconds"]),
            "post": _op(rt, "post", "create" + stem, ["dryRun", "fieldManager", "fieldValidation", "pretty"]),
            "delete": _op(rt, "deletecollection", "deleteCollection" + stem, ["labelSelector", "dryRun"]),
        }
        paths[item] = {
            "get": _op(rt, "get", "read" + stem, ["pretty"]),
            "put": _op(rt, "put", "replace" + stem, _ITEM_PARAMS),
            "patch": _op(rt, "patch", "patch" + stem, _ITEM_PARAMS + ["force"]),
            "delete": _op(rt, "delete", "delete" + stem, ["dryRun", "propagationPolicy"]),
        }
        if rt.status:
            paths[item + "/status"] = {
                "get": _op(rt, "get", "read" + stem + "Status", ["pretty"]),
                "put": _op(rt, "put", "replace" + stem + "Status", _ITEM_PARAMS),
                "patch": _op(rt, "patch", "patch" + stem + "Status", _ITEM_PARAMS + ["force"]),
            }
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes (berth stand-in)", "version": "v1.32.0"},
            "paths": paths, "components": {"schemas": {}}}


def _hash(doc):
    return hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:128].upper()


def document(parts):
    """Answers GET /openapi/v3[/...]; None if the path is not served."""
    if parts == ["openapi", "v3"]:
        out = {}
        for group, version in kube_types.GROUPS.items():
            rel = f"apis/{group}/{version}" if group else f"api/{version}"
            out[rel] = {"serverRelativeURL": f"/openapi/v3/{rel}?hash="
                                             f"{_hash(group_version_document(group, version))}"}
        return {"paths": out}
    rest = parts[2:]
    if rest[:1] == ["api"] and len(rest) == 2 and kube_types.GROUPS.get("") == rest[1]:
        return group_version_document("", rest[1])
    if rest[:1] == ["apis"] and len(rest) == 3 and kube_types.GROUPS.get(rest[1]) == rest[2] and rest[1]:
        return group_version_document(rest[1], rest[2])
    return None
