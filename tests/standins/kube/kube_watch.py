"""Watch: a chunked stream of {"type", "object"} events, as the API server sends for ?watch=true."""

import json
import time

import kube_api


def _event(kind, obj):
    return (json.dumps({"type": kind, "object": obj}) + "\n").encode()


def serve_watch(handler, store, rt, ns, query, name=None):
    """A watch of one object (GET .../name?watch=true) is a watch with a metadata.name selector."""
    labels = kube_api.parse_label_selector(query.get("labelSelector"))
    fields = kube_api.parse_field_selector(query.get("fieldSelector"))
    timeout = float(query.get("timeoutSeconds") or 1800)
    deadline = time.time() + min(timeout, 3600)
    rv_param = query.get("resourceVersion", "")
    bookmarks = query.get("allowWatchBookmarks") == "true"
    initial_events = query.get("sendInitialEvents") == "true"

    def matches(obj, obj_ns):
        if ns is not None and obj_ns != ns:
            return False
        if name is not None and (obj.get("metadata") or {}).get("name") != name:
            return False
        return labels((obj.get("metadata") or {}).get("labels")) and fields(obj)

    first = []
    with store.cond:
        if initial_events or rv_param in ("", "0"):
            for obj in store.list(rt, ns):
                if matches(obj, obj["metadata"].get("namespace", "")):
                    first.append(_event("ADDED", obj))
            cursor = store.rv
            if initial_events and bookmarks:
                first.append(_event("BOOKMARK", {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {
                    "resourceVersion": str(cursor), "annotations": {"k8s.io/initial-events-end": "true"}}}))
        else:
            try:
                cursor = int(rv_param)
            except ValueError:
                raise kube_api.bad_request(f"invalid resource version: {rv_param}") from None
            if cursor < store.oldest_event_rv() - 1:
                gone = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": f"too old resource version: {cursor} ({store.oldest_event_rv() - 1})",
                        "reason": "Expired", "code": 410}
                first.append(_event("ERROR", gone))
                deadline = 0

    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Cache-Control", "no-cache, private")
    handler.end_headers()
    handler._record_code(200)
    out = handler.wfile

    def send(chunk):
        out.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        out.flush()

    try:
        for chunk in first:
            send(chunk)
        while time.time() < deadline:
            with store.cond:
                events = store.events_after(cursor, rt.key)
                if not events:
                    store.cond.wait(min(1.0, max(0.0, deadline - time.time())))
                    events = store.events_after(cursor, rt.key)
                if events:
                    cursor = events[-1][0]
            for _, _, obj_ns, _, kind, obj in events:
                if matches(obj, obj_ns):
                    send(_event(kind, obj))
        out.write(b"0\r\n\r\n")
        out.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        handler.close_connection = True
