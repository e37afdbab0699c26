"""A simulated deployment controller, replica set controller and garbage collector.

Follows pkg/controller/deployment (sync.go, progress.go, rolling.go, util/deployment_util.go): one
ReplicaSet per pod template, named <deployment>-<pod-template-hash>, revisions in the
deployment.kubernetes.io/revision annotation, status and conditions computed as calculateStatus and
syncRolloutStatus do. Pods are not modelled as objects: each ReplicaSet's pods become ready one by
one over --rollout-seconds, unless the template asks to stall (an image containing "stall" or a
container env STANDIN_STALL=1), in which case they never become ready.
"""

import calendar
import copy
import hashlib
import math
import threading
import time

import kube_fieldmanager as fm
import kube_types
from kube_store import now_rfc3339

MANAGER = "kube-controller-manager"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
HASH_LABEL = "pod-template-hash"
# Annotations the controller never copies from a Deployment to its ReplicaSets (annotationsToSkip).
_SKIP = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX,
         "deprecated.deployment.rollback.to"}
# How long a deleted namespace stays Terminating before its contents and itself are removed.
NAMESPACE_GRACE_SECONDS = 2
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _strip_empty(value):
    if isinstance(value, dict):
        out = {k: _strip_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_strip_empty(v) for v in value]
    return value


def template_identity(template):
    """What EqualIgnoreHash compares: the template minus its hash label, zero values dropped."""
    t = copy.deepcopy(template or {})
    (t.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    return fm.canonical(_strip_empty(t))


def template_hash(template, collision_count=0):
    digest = hashlib.sha256((template_identity(template) + str(collision_count)).encode()).digest()
    n = int.from_bytes(digest[:4], "big")
    out = ""
    for ch in str(n):
        out += _SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)]  # rand.SafeEncodeString
    return out[:10]


def revision_of(obj):
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def is_stalled(template):
    for c in ((template or {}).get("spec") or {}).get("containers") or []:
        if "stall" in (c.get("image") or ""):
            return True
        for e in c.get("env") or []:
            if e.get("name") == "STANDIN_STALL" and e.get("value") == "1":
                return True
    return False


def _int_or_percent(value, total, round_up):
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            pct = int(value[:-1])
        except ValueError:
            return 0
        x = pct * total / 100.0
        return int(math.ceil(x)) if round_up else int(math.floor(x))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def max_unavailable(d):
    spec = d.get("spec") or {}
    replicas = spec.get("replicas", 1)
    strategy = spec.get("strategy") or {}
    if strategy.get("type") != "RollingUpdate" or replicas == 0:
        return 0
    ru = strategy.get("rollingUpdate") or {}
    surge = _int_or_percent(ru.get("maxSurge", "25%"), replicas, True)
    unavailable = _int_or_percent(ru.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return min(unavailable, replicas)


def _condition(ctype, status, reason, message, now):
    return {"type": ctype, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def _get_condition(status, ctype):
    return next((c for c in status.get("conditions") or [] if c.get("type") == ctype), None)


def _set_condition(status, cond):
    """deploymentutil.SetDeploymentCondition: same status and reason means no change."""
    current = _get_condition(status, cond["type"])
    if current and current["status"] == cond["status"] and current["reason"] == cond["reason"]:
        return
    if current and current["status"] == cond["status"]:
        cond["lastTransitionTime"] = current["lastTransitionTime"]
    others = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]]
    status["conditions"] = others + [cond]


def _remove_condition(status, ctype):
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != ctype]


class Controller:
    def __init__(self, api, rollout_seconds):
        self.api = api
        self.store = api.store
        self.rollout_seconds = rollout_seconds
        self.pods = {}  # replica set uid -> {"ready": n, "since": t, "base": n, "spec": n}
        self.terminating = {}  # namespace uid -> when the controller first saw it Terminating
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="controller", daemon=True)
        self.rs_type = kube_types.by_kind("ReplicaSet")
        self.d_type = kube_types.by_kind("Deployment")

    def start(self):
        self.thread.start()

    def _run(self):
        seen = -1
        while not self.stop.is_set():
            with self.store.cond:
                if self.store.rv == seen:
                    self.store.cond.wait(0.1)
                try:
                    self.sync_all()
                except Exception as e:  # keep simulating; a bug shows up in the log
                    import traceback
                    traceback.print_exc()
                    print(f"controller error: {e}", flush=True)
                seen = self.store.rv
            time.sleep(0.05)

    # ---- helpers that write like a controller would (Update operations by kube-controller-manager)

    def _write(self, rt, old, new, subresource=None):
        return self.api.commit(rt, old, new, MANAGER, subresource=subresource)

    def sync_all(self):
        self._finalize_namespaces()
        deployments = self.store.list(self.d_type)
        uids = {d["metadata"]["uid"] for d in deployments}
        for rs in self.store.list(self.rs_type):
            owner = self._controller_ref(rs)
            if owner and owner.get("kind") == "Deployment" and owner.get("uid") not in uids:
                # Garbage collection of dependents after their owner is gone (background propagation).
                self.store.delete(self.rs_type, rs["metadata"]["namespace"], rs["metadata"]["name"])
                self.pods.pop(rs["metadata"]["uid"], None)
        for d in deployments:
            self.sync_deployment(d)

    def _finalize_namespaces(self):
        """The namespace controller: a Terminating namespace is emptied, then removed."""
        ns_type = kube_types.by_kind("Namespace")
        for ns in self.store.list(ns_type):
            if not ns["metadata"].get("deletionTimestamp"):
                continue
            first_seen = self.terminating.setdefault(ns["metadata"]["uid"], time.monotonic())
            if first_seen + NAMESPACE_GRACE_SECONDS > time.monotonic():
                continue
            self.terminating.pop(ns["metadata"]["uid"], None)
            name = ns["metadata"]["name"]
            for (key, ons, oname) in list(self.store.objects):
                if ons == name:
                    rt = next(r for r in kube_types.RESOURCES if r.key == key)
                    self.store.delete(rt, ons, oname)
            self.store.delete(ns_type, "", name)

    @staticmethod
    def _controller_ref(obj):
        return next((r for r in obj["metadata"].get("ownerReferences") or [] if r.get("controller")), None)

    def sync_deployment(self, d):
        now_t = time.time()
        now = now_rfc3339()
        ns, uid = d["metadata"]["namespace"], d["metadata"]["uid"]
        spec = d.get("spec") or {}
        replicas = spec.get("replicas", 1)
        template = spec.get("template") or {}
        rss = [rs for rs in self.store.list(self.rs_type, ns)
               if (self._controller_ref(rs) or {}).get("uid") == uid]
        rss.sort(key=lambda r: (r["metadata"]["creationTimestamp"], r["metadata"]["name"]))
        ident = template_identity(template)
        new_rs = next((rs for rs in rss if template_identity(rs["spec"].get("template")) == ident), None)
        old_rss = [rs for rs in rss if rs is not new_rs]
        status = copy.deepcopy(d.get("status") or {})
        paused = bool(spec.get("paused"))
        annotations_changed = False
        d_annotations = dict(d["metadata"].get("annotations") or {})

        if not paused:
            max_old = max([revision_of(rs) for rs in old_rss] or [0])
            if new_rs is None:
                new_rs = self._create_rs(d, template, max_old + 1, replicas, status)
                _set_condition(status, _condition("Progressing", "True", "NewReplicaSetCreated",
                                                  f"Created new replica set \"{new_rs['metadata']['name']}\"",
                                                  now))
            else:
                new_rs = self._update_rs_annotations(d, new_rs, max_old + 1, replicas)
                if _get_condition(status, "Progressing") is None:
                    _set_condition(status, _condition("Progressing", "True", "FoundNewReplicaSet",
                                                      f"Found new replica set \"{new_rs['metadata']['name']}\"",
                                                      now))
            rev = str(revision_of(new_rs))
            if d_annotations.get(REVISION) != rev:
                d_annotations[REVISION] = rev
                annotations_changed = True
            self._scale(d, new_rs, old_rss, replicas)

        # Pod simulation and replica set status.
        all_rss = []
        for rs in ([new_rs] if new_rs else []) + old_rss:
            all_rss.append(self._simulate_pods(rs, now_t))

        new_rs = all_rss[0] if new_rs else None
        new_status = self._calculate_status(d, all_rss, new_rs, status)
        self._rollout_status(d, new_status, new_rs, status, now, now_t, paused)
        if new_status != (d.get("status") or {}) or annotations_changed:
            updated = copy.deepcopy(d)
            updated["status"] = new_status
            if annotations_changed:
                updated["metadata"]["annotations"] = d_annotations
            self._write(self.d_type, d, updated, subresource="status")
        if self._complete(d, new_status):
            self._cleanup(d, [rs for rs in all_rss if rs is not new_rs])

    def _create_rs(self, d, template, revision, replicas, status):
        h = template_hash(template, status.get("collisionCount", 0))
        ns = d["metadata"]["namespace"]
        rs_template = copy.deepcopy(template)
        rs_template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = copy.deepcopy(d["spec"].get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels[HASH_LABEL] = h
        annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k not in _SKIP}
        annotations[DESIRED] = str(replicas)
        annotations[MAX] = str(replicas + self._surge(d))
        annotations[REVISION] = str(revision)
        rs = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": f"{d['metadata']['name']}-{h}", "namespace": ns, "labels": labels,
                "annotations": annotations,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": d["metadata"]["name"],
                                     "uid": d["metadata"]["uid"], "controller": True,
                                     "blockOwnerDeletion": True}],
            },
            "spec": {"replicas": 0, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                     "selector": selector, "template": rs_template},
        }
        if not rs["spec"]["minReadySeconds"]:
            del rs["spec"]["minReadySeconds"]
        existing = self.store.get(self.rs_type, ns, rs["metadata"]["name"])
        if existing is not None:
            # A hash collision with a foreign replica set: the real controller bumps collisionCount.
            status["collisionCount"] = status.get("collisionCount", 0) + 1
            return self._create_rs(d, template, revision, replicas, status)
        return self._write(self.rs_type, None, rs)

    def _surge(self, d):
        spec = d.get("spec") or {}
        strategy = spec.get("strategy") or {}
        if strategy.get("type") != "RollingUpdate":
            return 0
        return _int_or_percent((strategy.get("rollingUpdate") or {}).get("maxSurge", "25%"),
                               spec.get("replicas", 1), True)

    def _update_rs_annotations(self, d, rs, new_revision, replicas):
        """SetNewReplicaSetAnnotations: reusing an old template moves it to the newest revision."""
        annotations = dict(rs["metadata"].get("annotations") or {})
        before = dict(annotations)
        for k, v in (d["metadata"].get("annotations") or {}).items():
            if k not in _SKIP:
                annotations[k] = v
        old_rev = revision_of(rs)
        if old_rev < new_revision:
            annotations[REVISION] = str(new_revision)
            if old_rev:
                history = [h for h in annotations.get(REVISION_HISTORY, "").split(",") if h]
                annotations[REVISION_HISTORY] = ",".join(history + [str(old_rev)])
        annotations[DESIRED] = str(replicas)
        annotations[MAX] = str(replicas + self._surge(d))
        if annotations == before:
            return rs
        updated = copy.deepcopy(rs)
        updated["metadata"]["annotations"] = annotations
        return self._write(self.rs_type, rs, updated)

    def _scale(self, d, new_rs, old_rss, replicas):
        """Rolling update: the new set goes to full size; old sets shrink as new pods become available."""
        recreate = ((d["spec"].get("strategy") or {}).get("type") == "Recreate")
        new_ready = (new_rs.get("status") or {}).get("availableReplicas", 0)
        old_running = sum((rs.get("status") or {}).get("replicas", 0) for rs in old_rss)
        if recreate:
            allowed_old = 0
        else:
            allowed_old = max(0, replicas - new_ready)
        # The oldest replica sets are scaled down first.
        for rs in old_rss:
            current = rs["spec"].get("replicas", 0)
            keep = min(current, allowed_old)
            allowed_old -= keep
            if keep != current:
                self._set_replicas(rs, keep)
        if not (recreate and old_running > 0) and new_rs["spec"].get("replicas") != replicas:
            self._set_replicas(new_rs, replicas)

    def _set_replicas(self, rs, n):
        current = self.store.get(self.rs_type, rs["metadata"]["namespace"], rs["metadata"]["name"])
        if current is None:
            return
        updated = copy.deepcopy(current)
        updated["spec"]["replicas"] = n
        self._write(self.rs_type, current, updated)

    def _simulate_pods(self, rs, now_t):
        rs = self.store.get(self.rs_type, rs["metadata"]["namespace"], rs["metadata"]["name"])
        uid = rs["metadata"]["uid"]
        want = rs["spec"].get("replicas", 1)
        state = self.pods.setdefault(uid, {"ready": 0, "since": now_t, "base": 0, "spec": 0})
        if want > state["spec"]:
            state["since"], state["base"] = now_t, state["ready"]
        state["spec"] = want
        if is_stalled(rs["spec"].get("template")):
            ready = 0
        elif state["ready"] >= want:
            ready = want
        elif self.rollout_seconds <= 0:
            ready = want
        else:
            pending = want - state["base"]
            ready = state["base"] + int((now_t - state["since"]) * pending / self.rollout_seconds)
            ready = min(want, ready)
        state["ready"] = ready
        status = {"replicas": want}
        if want:
            status["fullyLabeledReplicas"] = want
        if ready:
            status["readyReplicas"] = ready
            status["availableReplicas"] = ready
        status["observedGeneration"] = rs["metadata"].get("generation", 1)
        if status != rs.get("status"):
            updated = copy.deepcopy(rs)
            updated["status"] = status
            rs = self._write(self.rs_type, rs, updated, subresource="status")
        return rs

    def _calculate_status(self, d, all_rss, new_rs, old_status):
        def total(field, sets):
            return sum((rs.get("status") or {}).get(field, 0) for rs in sets)
        available = total("availableReplicas", all_rss)
        spec_total = sum(rs["spec"].get("replicas", 0) for rs in all_rss)
        status = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": total("replicas", all_rss),
            "updatedReplicas": total("replicas", [new_rs] if new_rs else []),
            "readyReplicas": total("readyReplicas", all_rss),
            "availableReplicas": available,
            "unavailableReplicas": max(0, spec_total - available),
            "collisionCount": old_status.get("collisionCount", 0),
        }
        status = {k: v for k, v in status.items() if v}  # omitempty
        status["conditions"] = copy.deepcopy(old_status.get("conditions") or [])
        replicas = d["spec"].get("replicas", 1)
        now = now_rfc3339()
        if available >= replicas - max_unavailable(d):
            _set_condition(status, _condition("Available", "True", "MinimumReplicasAvailable",
                                              "Deployment has minimum availability.", now))
        else:
            _set_condition(status, _condition("Available", "False", "MinimumReplicasUnavailable",
                                              "Deployment does not have minimum availability.", now))
        return status

    @staticmethod
    def _complete(d, status):
        r = d["spec"].get("replicas", 1)
        return (status.get("updatedReplicas", 0) == r and status.get("replicas", 0) == r and
                status.get("availableReplicas", 0) == r and
                status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1))

    def _rollout_status(self, d, new_status, new_rs, old_status, now, now_t, paused):
        """syncRolloutStatus from progress.go."""
        deadline = d["spec"].get("progressDeadlineSeconds")
        if paused:
            cond = _get_condition(old_status, "Progressing")
            if cond is None or cond["reason"] != "DeploymentPaused":
                _set_condition(new_status, _condition("Progressing", "Unknown", "DeploymentPaused",
                                                      "Deployment is paused", now))
            return
        if deadline is None:
            _remove_condition(new_status, "Progressing")
            return
        current = _get_condition(old_status, "Progressing")
        complete_before = (new_status.get("replicas", 0) == new_status.get("updatedReplicas", 0) and
                           current is not None and current["reason"] == "NewReplicaSetAvailable")
        if complete_before:
            return
        rs_name = new_rs["metadata"]["name"] if new_rs else None
        if self._complete(d, new_status):
            msg = f"ReplicaSet \"{rs_name}\" has successfully progressed." if rs_name else \
                f"Deployment \"{d['metadata']['name']}\" has successfully progressed."
            _set_condition(new_status, _condition("Progressing", "True", "NewReplicaSetAvailable", msg, now))
        elif self._progressing(old_status, new_status):
            msg = f"ReplicaSet \"{rs_name}\" is progressing." if rs_name else \
                f"Deployment \"{d['metadata']['name']}\" is progressing."
            cond = _condition("Progressing", "True", "ReplicaSetUpdated", msg, now)
            existing = _get_condition(new_status, "Progressing")
            if existing is not None:
                if existing["status"] == "True":
                    cond["lastTransitionTime"] = existing["lastTransitionTime"]
                _remove_condition(new_status, "Progressing")
            new_status["conditions"].append(cond)
        else:
            cond = _get_condition(new_status, "Progressing")
            if cond is not None and cond["reason"] != "NewReplicaSetAvailable":
                timed_out = cond["reason"] == "ProgressDeadlineExceeded"
                if not timed_out:
                    since = _parse_time(cond["lastUpdateTime"])
                    timed_out = since + deadline < now_t
                if timed_out:
                    msg = f"ReplicaSet \"{rs_name}\" has timed out progressing." if rs_name else \
                        f"Deployment \"{d['metadata']['name']}\" has timed out progressing."
                    _set_condition(new_status, _condition("Progressing", "False", "ProgressDeadlineExceeded",
                                                          msg, now))

    @staticmethod
    def _progressing(old, new):
        """deploymentutil.DeploymentProgressing: any observable progress since the last status."""
        old_stale = old.get("replicas", 0) - old.get("updatedReplicas", 0)
        new_stale = new.get("replicas", 0) - new.get("updatedReplicas", 0)
        return (new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_stale < old_stale or
                new.get("readyReplicas", 0) > old.get("readyReplicas", 0) or
                new.get("availableReplicas", 0) > old.get("availableReplicas", 0))

    def _cleanup(self, d, old_rss):
        limit = d["spec"].get("revisionHistoryLimit", 10)
        dead = [rs for rs in old_rss if rs["spec"].get("replicas", 0) == 0 and
                (rs.get("status") or {}).get("replicas", 0) == 0]
        dead.sort(key=revision_of)
        for rs in dead[:max(0, len(dead) - limit)]:
            self.store.delete(self.rs_type, rs["metadata"]["namespace"], rs["metadata"]["name"])
            self.pods.pop(rs["metadata"]["uid"], None)


def _parse_time(ts):
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))
