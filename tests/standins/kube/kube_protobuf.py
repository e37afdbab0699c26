"""Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf).

kubectl's typed clients (kubectl create secret/configmap/namespace/deployment/service, ...) send
their bodies as protobuf: the 4-byte magic "k8s\\0" then a runtime.Unknown message whose `raw` field
holds the object encoded with the field numbers of k8s.io/api's generated.proto. The stand-in
decodes the messages of the types it serves into the JSON form the REST API uses; a field it does
not know is an error (415), never silently dropped. It answers in JSON, which those clients accept.
"""

import base64
import datetime
import struct

MAGIC = b"k8s\x00"


class ProtobufError(Exception):
    pass


# Field tables: number -> (json name, type, flags). Types: s (string), b (bytes), i (varint int),
# bool, t (metav1.Time), ios (IntOrString), q (resource.Quantity), m:string / m:bytes / m:q (maps),
# or a message name. Flags: "r" repeated, "p" pointer (zero values are kept), "x" skipped (status).
_S = {
    "ObjectMeta": {1: ("name", "s", ""), 2: ("generateName", "s", ""), 3: ("namespace", "s", ""),
                   4: ("selfLink", "s", ""), 5: ("uid", "s", ""), 6: ("resourceVersion", "s", ""),
                   7: ("generation", "i", ""), 8: ("creationTimestamp", "t", ""),
                   9: ("deletionTimestamp", "t", "p"), 10: ("deletionGracePeriodSeconds", "i", "p"),
                   11: ("labels", "m:string", ""), 12: ("annotations", "m:string", ""),
                   13: ("ownerReferences", "OwnerReference", "r"), 14: ("finalizers", "s", "r"),
                   17: ("managedFields", "ManagedFieldsEntry", "rx")},
    "OwnerReference": {1: ("kind", "s", ""), 3: ("name", "s", ""), 4: ("uid", "s", ""),
                       5: ("apiVersion", "s", ""), 6: ("controller", "bool", "p"),
                       7: ("blockOwnerDeletion", "bool", "p")},
    "ManagedFieldsEntry": {},
    "Secret": {1: ("metadata", "ObjectMeta", ""), 2: ("data", "m:bytes", ""), 3: ("type", "s", ""),
               4: ("stringData", "m:string", ""), 5: ("immutable", "bool", "p")},
    "ConfigMap": {1: ("metadata", "ObjectMeta", ""), 2: ("data", "m:string", ""),
                  3: ("binaryData", "m:bytes", ""), 4: ("immutable", "bool", "p")},
    "Namespace": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "NamespaceSpec", ""),
                  3: ("status", "Ignored", "x")},
    "NamespaceSpec": {1: ("finalizers", "s", "r")},
    "Ignored": {},
    "Deployment": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "DeploymentSpec", ""),
                   3: ("status", "Ignored", "x")},
    "DeploymentSpec": {1: ("replicas", "i", "p"), 2: ("selector", "LabelSelector", "p"),
                       3: ("template", "PodTemplateSpec", ""), 4: ("strategy", "DeploymentStrategy", ""),
                       5: ("minReadySeconds", "i", ""), 6: ("revisionHistoryLimit", "i", "p"),
                       7: ("paused", "bool", ""), 9: ("progressDeadlineSeconds", "i", "p")},
    "DeploymentStrategy": {1: ("type", "s", ""), 2: ("rollingUpdate", "RollingUpdateDeployment", "p")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "ios", "p"), 2: ("maxSurge", "ios", "p")},
    "LabelSelector": {1: ("matchLabels", "m:string", ""),
                      2: ("matchExpressions", "LabelSelectorRequirement", "r")},
    "LabelSelectorRequirement": {1: ("key", "s", ""), 2: ("operator", "s", ""), 3: ("values", "s", "r")},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "PodSpec", "")},
    "PodSpec": {1: ("volumes", "Volume", "r"), 2: ("containers", "Container", "r"),
                3: ("restartPolicy", "s", ""), 4: ("terminationGracePeriodSeconds", "i", "p"),
                5: ("activeDeadlineSeconds", "i", "p"), 6: ("dnsPolicy", "s", ""),
                7: ("nodeSelector", "m:string", ""), 8: ("serviceAccountName", "s", ""),
                9: ("serviceAccount", "s", ""), 10: ("nodeName", "s", ""), 11: ("hostNetwork", "bool", ""),
                12: ("hostPID", "bool", ""), 13: ("hostIPC", "bool", ""),
                14: ("securityContext", "PodSecurityContext", "p"),
                15: ("imagePullSecrets", "LocalObjectReference", "r"), 16: ("hostname", "s", ""),
                17: ("subdomain", "s", ""), 19: ("schedulerName", "s", ""),
                20: ("initContainers", "Container", "r"), 21: ("automountServiceAccountToken", "bool", "p"),
                22: ("tolerations", "Toleration", "r"), 24: ("priorityClassName", "s", ""),
                25: ("priority", "i", "p"), 27: ("shareProcessNamespace", "bool", "p"),
                29: ("runtimeClassName", "s", "p"), 30: ("enableServiceLinks", "bool", "p"),
                31: ("preemptionPolicy", "s", "p"), 34: ("setHostnameAsFQDN", "bool", "p"),
                36: ("hostUsers", "bool", "p")},
    "Toleration": {1: ("key", "s", ""), 2: ("operator", "s", ""), 3: ("value", "s", ""), 4: ("effect", "s", ""),
                   5: ("tolerationSeconds", "i", "p")},
    "PodSecurityContext": {},
    "LocalObjectReference": {1: ("name", "s", "")},
    "Volume": {1: ("name", "s", "")},
    "Container": {1: ("name", "s", ""), 2: ("image", "s", ""), 3: ("command", "s", "r"), 4: ("args", "s", "r"),
                  5: ("workingDir", "s", ""), 6: ("ports", "ContainerPort", "r"), 7: ("env", "EnvVar", "r"),
                  8: ("resources", "ResourceRequirements", ""), 9: ("volumeMounts", "VolumeMount", "r"),
                  13: ("terminationMessagePath", "s", ""), 14: ("imagePullPolicy", "s", ""),
                  16: ("stdin", "bool", ""), 17: ("stdinOnce", "bool", ""), 18: ("tty", "bool", ""),
                  20: ("terminationMessagePolicy", "s", "")},
    "ContainerPort": {1: ("name", "s", ""), 2: ("hostPort", "i", ""), 3: ("containerPort", "i", ""),
                      4: ("protocol", "s", ""), 5: ("hostIP", "s", "")},
    "EnvVar": {1: ("name", "s", ""), 2: ("value", "s", "")},
    "ResourceRequirements": {1: ("limits", "m:q", ""), 2: ("requests", "m:q", "")},
    "VolumeMount": {1: ("name", "s", ""), 2: ("readOnly", "bool", ""), 3: ("mountPath", "s", ""),
                    4: ("subPath", "s", "")},
    "Service": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "ServiceSpec", ""),
                3: ("status", "Ignored", "x")},
    "ServiceSpec": {1: ("ports", "ServicePort", "r"), 2: ("selector", "m:string", ""), 3: ("clusterIP", "s", ""),
                    4: ("type", "s", ""), 5: ("externalIPs", "s", "r"), 7: ("sessionAffinity", "s", ""),
                    8: ("loadBalancerIP", "s", ""), 10: ("externalName", "s", ""),
                    9: ("loadBalancerSourceRanges", "s", "r"), 11: ("externalTrafficPolicy", "s", ""),
                    12: ("healthCheckNodePort", "i", ""), 13: ("publishNotReadyAddresses", "bool", "")},
    "ServicePort": {1: ("name", "s", ""), 2: ("protocol", "s", ""), 3: ("port", "i", ""),
                    4: ("targetPort", "ios", ""), 5: ("nodePort", "i", ""), 6: ("appProtocol", "s", "p")},
    "Scale": {1: ("metadata", "ObjectMeta", ""), 2: ("spec", "ScaleSpec", ""), 3: ("status", "Ignored", "x")},
    "ScaleSpec": {1: ("replicas", "i", "")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "i", "p"), 2: ("preconditions", "Preconditions", "p"),
                      3: ("orphanDependents", "bool", "p"), 4: ("propagationPolicy", "s", "p"),
                      5: ("dryRun", "s", "r")},
    "Preconditions": {1: ("uid", "s", "p"), 2: ("resourceVersion", "s", "p")},
}


def _varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ProtobufError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    """Yields (number, wire type, value) for each field of a message."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = bytes(buf[pos:pos + n]), pos + n
        elif wt == 1:
            val, pos = struct.unpack("<q", buf[pos:pos + 8])[0], pos + 8
        elif wt == 5:
            val, pos = struct.unpack("<i", buf[pos:pos + 4])[0], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wt}")
        yield num, wt, val


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _time(buf):
    seconds = 0
    for num, _, val in _fields(buf):
        if num == 1:
            seconds = _signed(val)
    if seconds == 0:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_or_string(buf):
    kind, ival, sval = 0, 0, ""
    for num, _, val in _fields(buf):
        if num == 1:
            kind = val
        elif num == 2:
            ival = _signed(val)
        elif num == 3:
            sval = val.decode()
    return sval if kind == 1 else ival


def _quantity(buf):
    for num, _, val in _fields(buf):
        if num == 1:
            return val.decode()
    return "0"


def _map_entry(buf, value_type):
    key, value = "", None
    for num, _, val in _fields(buf):
        if num == 1:
            key = val.decode()
        elif num == 2:
            value = val
    if value_type == "string":
        return key, (value or b"").decode()
    if value_type == "bytes":
        return key, base64.b64encode(value or b"").decode()
    return key, _quantity(value or b"")


def decode_message(name, buf):
    table = _S[name]
    out = {}
    for num, wt, val in _fields(buf):
        if num not in table:
            if name in ("Ignored", "ManagedFieldsEntry"):
                continue
            raise ProtobufError(f"protobuf field {num} of {name} is not supported by the stand-in")
        field, typ, flags = table[num]
        if "x" in flags:
            continue
        if typ == "s":
            value = val.decode()
        elif typ == "b":
            value = base64.b64encode(val).decode()
        elif typ == "i":
            value = _signed(val)
        elif typ == "bool":
            value = bool(val)
        elif typ == "t":
            value = _time(val)
        elif typ == "ios":
            value = _int_or_string(val)
        elif typ.startswith("m:"):
            k, v = _map_entry(val, typ[2:])
            out.setdefault(field, {})[k] = v
            continue
        else:
            value = decode_message(typ, val)
        if "r" in flags:
            out.setdefault(field, []).append(value)
        else:
            out[field] = value
    # Go's JSON encoding omits zero scalars (omitempty) unless the field is a pointer.
    for num, (field, typ, flags) in table.items():
        if field in out and "p" not in flags and typ in ("s", "i", "bool") and not out[field]:
            del out[field]
    return out


def decode(body, kind):
    """Decodes a protobuf request body holding an object of `kind`; returns its JSON form."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    api_version = got_kind = ""
    raw = b""
    for num, _, val in _fields(body[len(MAGIC):]):
        if num == 1:
            for n, _, v in _fields(val):
                if n == 1:
                    api_version = v.decode()
                elif n == 2:
                    got_kind = v.decode()
        elif num == 2:
            raw = val
    if got_kind and got_kind != kind:
        raise ProtobufError(f"the body holds a {got_kind}, expected a {kind}")
    if kind not in _S:
        raise ProtobufError(f"protobuf bodies for {kind} are not supported by the stand-in")
    obj = {"apiVersion": api_version, "kind": kind} if api_version else {}
    obj.update(decode_message(kind, raw))
    return obj
