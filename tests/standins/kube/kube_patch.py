"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes strategic merge patch."""

import copy
import json

from kube_schema import smp_merge_key, smp_merges_primitives


class PatchError(Exception):
    pass


# ---------------------------------------------------------------- RFC 6902

def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, tokens):
    node = doc
    for t in tokens:
        if isinstance(node, dict):
            if t not in node:
                raise PatchError(f"doc is missing path: /{'/'.join(tokens)}")
            node = node[t]
        elif isinstance(node, list):
            try:
                node = node[int(t)]
            except (ValueError, IndexError):
                raise PatchError(f"doc is missing path: /{'/'.join(tokens)}") from None
        else:
            raise PatchError(f"doc is missing path: /{'/'.join(tokens)}")
    return node


def _add(doc, tokens, value, replace=False):
    if not tokens:
        return value
    parent = _walk(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"replace operation does not apply: doc is missing key: /{'/'.join(tokens)}")
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        else:
            try:
                idx = int(last)
            except ValueError:
                raise PatchError(f"invalid array index {last!r}") from None
            if replace:
                if not 0 <= idx < len(parent):
                    raise PatchError("replace operation does not apply: index out of range")
                parent[idx] = value
            else:
                if not 0 <= idx <= len(parent):
                    raise PatchError("add operation does not apply: index out of range")
                parent.insert(idx, value)
    else:
        raise PatchError("path does not point into an object or array")
    return doc


def _remove(doc, tokens):
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent = _walk(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"remove operation does not apply: doc is missing path: /{'/'.join(tokens)}")
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(int(last))
        except (ValueError, IndexError):
            raise PatchError("remove operation does not apply: index out of range") from None
    raise PatchError("path does not point into an object or array")


def json_patch(doc, ops):
    if not isinstance(ops, list):
        raise PatchError("json patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        kind = op.get("op")
        tokens = _pointer(op.get("path", ""))
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op.get("value")))
        elif kind == "replace":
            doc = _add(doc, tokens, copy.deepcopy(op.get("value")), replace=True)
        elif kind == "remove":
            _remove(doc, tokens)
        elif kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            value = _remove(doc, src) if kind == "move" else copy.deepcopy(_walk(doc, src))
            doc = _add(doc, tokens, value)
        elif kind == "test":
            if _walk(doc, tokens) != op.get("value"):
                raise PatchError(f"testing value /{'/'.join(tokens)} failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# ---------------------------------------------------------------- RFC 7386

def merge_patch(doc, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# ---------------------------------------------------------------- strategic merge patch

_DIRECTIVE = "$patch"
_RETAIN = "$retainKeys"
_ORDER_PREFIX = "$setElementOrder/"
_DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList/"


def strategic_merge_patch(doc, patch):
    if not isinstance(patch, dict):
        raise PatchError("strategic merge patch must be an object")
    return _smp_map(copy.deepcopy(doc) if isinstance(doc, dict) else {}, patch, ())


def _smp_map(original, patch, ctx):
    directive = patch.get(_DIRECTIVE)
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != _DIRECTIVE}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive}")
    if _RETAIN in patch:
        keep = set(patch[_RETAIN] or [])
        original = {k: v for k, v in original.items() if k in keep}
    for key, value in patch.items():
        if key in (_DIRECTIVE, _RETAIN) or key.startswith(_ORDER_PREFIX):
            continue
        if key.startswith(_DELETE_PRIMITIVE_PREFIX):
            field = key[len(_DELETE_PRIMITIVE_PREFIX):]
            gone = {json.dumps(v, sort_keys=True) for v in value or []}
            if isinstance(original.get(field), list):
                original[field] = [v for v in original[field] if json.dumps(v, sort_keys=True) not in gone]
            continue
        fctx = ctx + (key,)
        if value is None:
            original.pop(key, None)
        elif isinstance(value, dict):
            base = original.get(key) if isinstance(original.get(key), dict) else {}
            merged = _smp_map(base, value, fctx)
            if merged is None:
                original.pop(key, None)
            else:
                original[key] = merged
        elif isinstance(value, list):
            original[key] = _smp_list(original.get(key), value, fctx)
        else:
            original[key] = value
    return original


def _smp_list(original, patch, ctx):
    original = original if isinstance(original, list) else []
    merge_key = smp_merge_key(ctx)
    if merge_key is None:
        if smp_merges_primitives(ctx):
            out = list(original)
            out.extend(v for v in patch if v not in out)
            return out
        if any(isinstance(i, dict) and i.get(_DIRECTIVE) == "replace" for i in patch):
            return [i for i in patch if not (isinstance(i, dict) and _DIRECTIVE in i)]
        return copy.deepcopy(patch)
    if any(isinstance(i, dict) and i.get(_DIRECTIVE) == "replace" for i in patch):
        return [i for i in patch if not (isinstance(i, dict) and _DIRECTIVE in i)]
    out = list(original)
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"merging an object in json but data type is not map, got {type(item).__name__}")
        if merge_key not in item:
            raise PatchError(f"map: {item} does not contain declared merge key: {merge_key}")
        idx = next((i for i, o in enumerate(out) if isinstance(o, dict) and o.get(merge_key) == item[merge_key]),
                   None)
        if item.get(_DIRECTIVE) == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(_smp_map({}, item, ctx))
        else:
            out[idx] = _smp_map(out[idx], item, ctx)
    return out
