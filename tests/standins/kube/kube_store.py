"""In-memory object storage with resourceVersions and a watch event log (the stand-in's etcd)."""

import collections
import copy
import datetime
import threading
import uuid


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """All reads and writes happen under `cond`; watchers wait on it for new events."""

    def __init__(self, event_log_size=20000):
        self.cond = threading.Condition(threading.RLock())
        self.rv = 1000
        self.objects = {}  # (resource key, namespace, name) -> object
        self.events = collections.deque(maxlen=event_log_size)  # (rv, key, namespace, name, type, object)

    def get(self, rt, namespace, name):
        obj = self.objects.get((rt.key, namespace or "", name))
        return copy.deepcopy(obj) if obj is not None else None

    def list(self, rt, namespace=None):
        out = []
        for (key, ns, _), obj in sorted(self.objects.items()):
            if key == rt.key and (namespace is None or ns == namespace):
                out.append(copy.deepcopy(obj))
        return out

    def new_uid(self):
        return str(uuid.uuid4())

    def put(self, rt, obj):
        """Stores obj with a new resourceVersion; returns a copy of what was stored."""
        with self.cond:
            meta = obj["metadata"]
            k = (rt.key, meta.get("namespace", "") if rt.namespaced else "", meta["name"])
            event = "MODIFIED" if k in self.objects else "ADDED"
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            stored = copy.deepcopy(obj)
            self.objects[k] = stored
            self.events.append((self.rv, rt.key, k[1], k[2], event, copy.deepcopy(stored)))
            self.cond.notify_all()
            return copy.deepcopy(stored)

    def delete(self, rt, namespace, name):
        with self.cond:
            k = (rt.key, namespace or "", name)
            obj = self.objects.pop(k, None)
            if obj is None:
                return None
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.events.append((self.rv, rt.key, k[1], k[2], "DELETED", copy.deepcopy(obj)))
            self.cond.notify_all()
            return copy.deepcopy(obj)

    def oldest_event_rv(self):
        return self.events[0][0] if self.events else self.rv + 1

    def events_after(self, rv, key):
        out = []
        for ev in reversed(self.events):
            if ev[0] <= rv:
                break
            if ev[1] == key:
                out.append(ev)
        out.reverse()
        return out
