"""Discovery documents (/version, /api, /apis, group versions) and meta.k8s.io/v1 Tables."""

import kube_openapi
import kube_types

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0+standin", "gitCommit": "standin",
           "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.4",
           "compiler": "gc", "platform": "linux/amd64"}
_STATUS_VERBS = ["get", "patch", "update"]
# authentication.k8s.io/v1 is served only for SelfSubjectReview (kubectl auth whoami).
AUTHN_GROUP = "authentication.k8s.io"
SELF_SUBJECT_REVIEW = f"/apis/{AUTHN_GROUP}/v1/selfsubjectreviews"


def self_subject_review(user, groups):
    return {"kind": "SelfSubjectReview", "apiVersion": f"{AUTHN_GROUP}/v1", "metadata": {"creationTimestamp": None},
            "status": {"userInfo": {"username": user, "groups": groups}}}


class Discovery:
    def __init__(self, port):
        self.port = port

    def document(self, parts):
        """Returns the discovery document for a GET of `parts`, or None if it is not one."""
        if not parts:
            return {"paths": sorted(["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1",
                                     f"/apis/{AUTHN_GROUP}", f"/apis/{AUTHN_GROUP}/v1", "/healthz",
                                     "/livez", "/openapi/v3", "/readyz", "/version"])}
        if parts in (["healthz"], ["livez"], ["readyz"]):
            return "ok"
        if parts[:2] == ["openapi", "v3"]:
            return kube_openapi.document(parts)
        if parts == ["version"]:
            return VERSION
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                    "serverAddress": f"127.0.0.1:{self.port}"}]}
        if parts == ["apis"]:
            return {"kind": "APIGroupList", "apiVersion": "v1",
                    "groups": [self._group(g) for g in kube_types.GROUPS if g] + [self._group(AUTHN_GROUP)]}
        if parts == ["apis", AUTHN_GROUP]:
            return dict({"kind": "APIGroup", "apiVersion": "v1"}, **self._group(AUTHN_GROUP))
        if parts == ["apis", AUTHN_GROUP, "v1"]:
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{AUTHN_GROUP}/v1",
                    "resources": [{"name": "selfsubjectreviews", "singularName": "selfsubjectreview",
                                   "namespaced": False, "kind": "SelfSubjectReview", "verbs": ["create"]}]}
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in kube_types.GROUPS and parts[1]:
            return dict({"kind": "APIGroup", "apiVersion": "v1"}, **self._group(parts[1]))
        if parts == ["api", "v1"]:
            return self._resources("", "v1")
        if len(parts) == 3 and parts[0] == "apis" and kube_types.GROUPS.get(parts[1]) == parts[2] and parts[1]:
            return self._resources(parts[1], parts[2])
        return None

    @staticmethod
    def _group(name):
        version = kube_types.GROUPS.get(name, "v1")
        gv = {"groupVersion": f"{name}/{version}", "version": version}
        return {"name": name, "versions": [gv], "preferredVersion": gv}

    @staticmethod
    def _resources(group, version):
        resources = []
        for rt in kube_types.RESOURCES:
            if rt.group != group or rt.version != version:
                continue
            resources.append(rt.discovery())
            if rt.status:
                resources.append({"name": f"{rt.plural}/status", "singularName": "", "namespaced": rt.namespaced,
                                  "kind": rt.kind, "verbs": _STATUS_VERBS})
            if rt.kind in kube_types.SCALABLE:
                resources.append({"name": f"{rt.plural}/scale", "singularName": "", "namespaced": rt.namespaced,
                                  "group": "autoscaling", "version": "v1", "kind": "Scale",
                                  "verbs": _STATUS_VERBS})
        gv = f"{group}/{version}" if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def table(rt, items, resource_version, include_object, continue_token=None):
    meta = {"resourceVersion": resource_version}
    if continue_token:
        meta["continue"] = continue_token
    rows = []
    for obj in items:
        row = {"cells": kube_types.table_cells(rt, obj)}
        if include_object == "Object":
            full = dict(obj)
            full.setdefault("apiVersion", rt.api_version)
            full.setdefault("kind", rt.kind)
            row["object"] = full
        elif include_object != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj.get("metadata") or {}}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": kube_types.table_columns(rt), "rows": rows}
