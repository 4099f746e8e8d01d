"""PATCH bodies applied the way the API server applies them.

Three content types reach the server: `application/merge-patch+json` (RFC
7386; `kubectl label`, `annotate`, `scale`), `application/json-patch+json`
(RFC 6902; `kubectl patch --type json`) and
`application/strategic-merge-patch+json` (client-side `kubectl apply`,
`kubectl patch`, `set image`). The first two are generic JSON algorithms; the
third needs to know, per field, whether a list is replaced or merged and by
which key. That knowledge lives in the Go struct tags of k8s.io/api
(`patchStrategy:"merge" patchMergeKey:"name"`); `_STRUCTS` below copies the
tags this simulator's kinds carry, nothing more.

The strategic merge is a transcription of apimachinery's `mergeMap` /
`mergeSlice` (strategicpatch/patch.go) on plain dicts, directives included
(`$patch`, `$retainKeys`, `$setElementOrder/`, `$deleteFromPrimitiveList/`),
because its odd corners are observable: a new list item is put *before* the
items the server already had unless `$setElementOrder` says otherwise, and
applying a changed Service port after `kubectl create` keeps both ports.
The trade-off: fields missing from `_STRUCTS` are treated leniently (maps
merge, lists are replaced) where the real server would complain about an
unknown field, and values the typed round trip would turn into zero values
are simply dropped.

Errors carry the server's words: BadRequest for undecodable bodies,
UnprocessableEntity for JSON-patch operations that do not apply, and the
plain 500 the server answers for strategic-merge errors it does not map.
Nothing is mutated: the object and the patch are copied first.
"""

from __future__ import annotations

import copy
import decimal
import json
import re
from typing import Any, NamedTuple

import jsonpatch
import jsonpointer

from simcore import bounds
from simcore.errors import APIError, Invalid, bad_request, status

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"  # server-side apply: simcore.serversideapply
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_FROM = "$deleteFromPrimitiveList"
_SET_ORDER = "$setElementOrder"


def apply_patch(obj: dict, patch: Any, patch_type: str, kind: str) -> dict:
    """The object after `patch`; `patch` is the raw body (str/bytes) or its decoded JSON."""
    if patch_type == STRATEGIC_MERGE_PATCH:
        return _strategic_merge_patch(obj, patch, kind)
    if patch_type == MERGE_PATCH:
        return _merge_patch(obj, patch)
    if patch_type == JSON_PATCH:
        return _json_patch(obj, patch)
    raise APIError(status(415, "UnsupportedMediaType",
                          "the body of the request was in an unknown format - accepted media "
                          "types include: " + ", ".join(PATCH_TYPES)))


# --- errors in the server's words ---------------------------------------------------------

def _unprocessable(message: str) -> Invalid:
    """`NewGenericServerResponse(422, ...)`: a generic message, the real one in a cause."""
    return Invalid(status(422, "Invalid",
                          "the server rejected our request due to an error in our request",
                          {"causes": [{"reason": "UnexpectedServerResponse", "message": message}]}))


def _internal(message: str) -> APIError:
    # errors the handler does not translate become a bare 500 with StatusReasonUnknown ("")
    return APIError(status(500, "", message))


def _no_merge_key(item: dict, key: str) -> APIError:
    return _internal(f"map: {_go_v(item)} does not contain declared merge key: {key}")


def _bad_arg_type(expected: str, actual: Any) -> APIError:
    return _internal(f"expected a {expected}, but received a {_go_type(actual)}")


def _go_type(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    return {dict: "map[string]interface {}", list: "[]interface {}", str: "string",
            int: "int64", float: "float64"}.get(type(value), type(value).__name__)


def _go_v(value: Any) -> str:
    """Go's `%v` of decoded JSON, which the strategic-merge messages embed."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_v(v) for v in value) + "]"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """%v of a float64: shortest digits, exponent form from 1e+06 up and below 1e-04."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    exact = decimal.Decimal(repr(value)).normalize()
    sign, digits, exp = exact.as_tuple()
    assert isinstance(exp, int), "NaN and the infinities returned above"
    text = "".join(map(str, digits))
    exponent = len(text) + exp - 1
    if -4 <= exponent < 6:
        return format(exact, "f")
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


# --- decoding raw bodies ------------------------------------------------------------------

class _Undecodable(Exception):
    pass


def _decode(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return copy.deepcopy(body)

    def reject_constant(name: str) -> Any:
        # Python accepts NaN and Infinity; encoding/json stops at their first letter
        at = body.find(name.lstrip("-"))
        where = "in numeric literal" if name.startswith("-") else "looking for beginning of value"
        raise _Undecodable(f"invalid character {_go_quote_char(body[at])} {where}")

    try:
        value = json.loads(body, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        raise _Undecodable(go_syntax_error(body, exc)) from None
    except RecursionError:
        raise _Undecodable("exceeded max depth") from None
    if bounds.depth_exceeds(value):  # see simcore.bounds: the merge functions recurse
        raise _Undecodable("exceeded max depth")
    return value


def go_syntax_error(text: str, exc: json.JSONDecodeError) -> str:
    """encoding/json's wording for the first syntax error Python found."""
    pos, msg = exc.pos, exc.msg
    if pos >= len(text) or msg.startswith("Unterminated string"):
        return "unexpected end of JSON input"
    if msg.startswith("Invalid \\escape"):
        return f"invalid character {_go_quote_char(text[pos + 1:pos + 2])} in string escape code"
    context = {
        "Expecting value": "looking for beginning of value",
        "Expecting property name enclosed in double quotes":
            "looking for beginning of object key string",
        "Expecting ':' delimiter": "after object key",
        "Extra data": "after top-level value",
    }.get(msg)
    if msg == "Expecting ',' delimiter":
        context = "after object key:value pair" if _in_object(text, pos) else "after array element"
    if msg.startswith("Invalid control character"):
        context = "in string literal"
    if context is None:
        return msg
    return f"invalid character {_go_quote_char(text[pos])} {context}"


def _go_quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + json.dumps(char, ensure_ascii=False)[1:-1] + "'"


def _in_object(text: str, pos: int) -> bool:
    """Whether `pos` lies directly inside an object (else an array), strings skipped."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "{"


_JSON_KINDS: dict[type, str] = {dict: "object", list: "array", str: "string"}


def _json_kind(value: Any) -> str:
    """The name encoding/json gives a value in `cannot unmarshal <kind> into ...`."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return _JSON_KINDS.get(type(value), "null")


# --- RFC 7386 merge patch (evanphx/json-patch MergePatch) ---------------------------------

def _merge_patch(obj: dict, body: Any) -> dict:
    try:
        patch = _decode(body)
    except _Undecodable as exc:
        raise bad_request(f"error decoding patch: {exc}") from None
    if patch is None:
        raise bad_request("Invalid JSON Patch")
    if not isinstance(patch, dict):
        raise bad_request(f"error decoding patch: json: cannot unmarshal {_json_kind(patch)} "
                          "into Go value of type map[string]interface {}")
    doc = copy.deepcopy(obj)
    _merge_docs(doc, patch)
    return doc


def _merge_docs(doc: dict, patch: dict) -> None:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
        elif doc.get(key) is None:
            doc[key] = _prune_nulls(value)
        else:
            doc[key] = _merge_value(doc[key], value)


def _merge_value(current: Any, patch: Any) -> Any:
    if not isinstance(current, dict):
        return _prune_nulls(patch)
    if not isinstance(patch, dict):
        return patch
    _merge_docs(current, patch)
    return current


def _prune_nulls(value: Any) -> Any:
    # objects lose their null members; arrays keep null elements but prune inside the others
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [v if v is None else _prune_nulls(v) for v in value]
    return value


# --- RFC 6902 JSON patch ------------------------------------------------------------------

_OPS = ("add", "remove", "replace", "move", "copy", "test")
_INDEX = re.compile(r"[+-]?[0-9]+")


def _json_patch(obj: dict, body: Any) -> dict:
    ops = _decode_json_patch(body)
    doc = copy.deepcopy(obj)
    for op in ops:
        doc = _apply_operation(doc, op)
    return doc


def _decode_json_patch(body: Any) -> list[dict]:
    try:
        ops = _decode(body)
    except _Undecodable as exc:
        raise bad_request(f"error decoding patch: {exc}") from None
    prefix = "error decoding patch: json: cannot unmarshal"
    if ops is None:
        return []
    if not isinstance(ops, list):
        raise bad_request(f"{prefix} {_json_kind(ops)} into Go value of type "
                          "[]handlers.jsonPatchOp")
    for op in ops:
        if not isinstance(op, dict):
            raise bad_request(f"{prefix} {_json_kind(op)} into Go value of type "
                              "handlers.jsonPatchOp")
        for field in ("op", "path", "from"):
            if op.get(field) is not None and not isinstance(op[field], str):
                raise bad_request(f"{prefix} {_json_kind(op[field])} into Go struct field "
                                  f"jsonPatchOp.{field} of type string")
    return ops


def _apply_operation(doc: Any, op: dict) -> Any:
    kind = op.get("op") or "unknown"
    if kind not in _OPS:
        raise _unprocessable(f"Unexpected kind: {kind}")
    problem = _missing_field(op, kind) or _OPERATION_CHECKS[kind](doc, op)
    if problem:
        raise _unprocessable(problem)
    if kind == "test":
        return doc  # _test_problem already compared, with evanphx's null rules
    step = {"op": kind, "path": _resolve_negative(doc, _go_pointer(op["path"]), kind)}
    if kind in ("move", "copy"):
        step["from"] = _go_pointer(op["from"])
    if kind in ("add", "replace"):
        step["value"] = op.get("value")  # a missing value is null, as in evanphx/json-patch
    try:
        return jsonpatch.apply_patch(doc, [step])
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise _unprocessable(str(exc)) from None


def _missing_field(op: dict, kind: str) -> str | None:
    """The decode errors of Operation.Path/From as each operation wraps them."""
    if kind in ("move", "copy") and op.get("from") is None:
        return f"{kind} operation failed to decode from: operation, missing from field: " \
               "missing value"
    if op.get("path") is not None:
        return None
    if kind in ("add", "remove", "copy"):
        return f"{kind} operation failed to decode path: missing value"
    return f"{kind} operation failed to decode path: operation missing path field: missing value"


def _go_pointer(path: str) -> str:
    # findObject splits on "/" and ignores what precedes the first one
    tokens = path.split("/")
    return "/" + "/".join(tokens[1:]) if len(tokens) > 1 else path


def _find_parent(doc: Any, path: str) -> tuple[Any, str] | None:
    """findObject: the container holding the pointer's last token, or None."""
    tokens = path.split("/")
    if len(tokens) < 2:
        return None
    node = doc
    for raw in tokens[1:-1]:
        node = _child(node, _unescape(raw))
        if not isinstance(node, (dict, list)):
            return None
    return node, _unescape(tokens[-1])


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token)
    if isinstance(node, list) and _INDEX.fullmatch(token) and 0 <= int(token) < len(node):
        return node[int(token)]
    return None


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _index_problem(key: str, where: str, verb: str, size: int) -> str | None:
    """partialArray's index errors, wrapped as `error in <verb> for path: '<where>'`."""
    if not _INDEX.fullmatch(key):
        inner = f'strconv.Atoi: parsing "{key}": invalid syntax'
        if verb == "add":
            inner = f"value was not a proper array index: '{key}': {inner}"
        return f"error in {verb} for path: '{where}': {inner}"
    if not -size <= int(key) < size:
        return (f"error in {verb} for path: '{where}': Unable to access invalid index: "
                f"{int(key)}: invalid index referenced")
    return None


def _add_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["path"])
    if found is None:
        return f'add operation does not apply: doc is missing path: "{op["path"]}": missing value'
    container, key = found
    if isinstance(container, list) and key != "-":
        return _index_problem(key, op["path"], "add", len(container) + 1)
    return None


def _remove_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["path"])
    if found is None:
        return f'remove operation does not apply: doc is missing path: "{op["path"]}": ' \
               "missing value"
    return _take_problem(*found, op["path"], "remove")


def _take_problem(container: Any, key: str, where: str, verb: str) -> str | None:
    """Errors of removing `key` (remove, and the first half of move)."""
    if isinstance(container, dict):
        if key in container:
            return None
        return f"error in {verb} for path: '{where}': Unable to remove nonexistent key: " \
               f"{key}: missing value"
    return _index_problem(key, where, verb, len(container))


def _replace_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["path"])
    if found is None:
        return f"replace operation does not apply: doc is missing path: {op['path']}: " \
               "missing value"
    if not _present(*found):
        return f"replace operation does not apply: doc is missing key: {op['path']}: " \
               "missing value"
    return None


def _move_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["from"])
    if found is None:
        return f"move operation does not apply: doc is missing from path: {op['from']}: " \
               "missing value"
    problem = _take_problem(*found, found[1], "move")
    if problem:
        return problem
    if _find_parent(doc, op["path"]) is None:
        return f"move operation does not apply: doc is missing destination path: " \
               f"{op['path']}: missing value"
    return None


def _copy_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["from"])
    if found is None or not _present(*found):
        return f"copy operation does not apply: doc is missing from path: {op['from']}: " \
               "missing value"
    if _find_parent(doc, op["path"]) is None:
        return f"copy operation does not apply: doc is missing destination path: " \
               f"{op['path']}: missing value"
    return None


def _test_problem(doc: Any, op: dict) -> str | None:
    found = _find_parent(doc, op["path"])
    if found is None:
        return f"test operation does not apply: is missing path: {op['path']}: missing value"
    container, key = found
    if isinstance(container, list):
        problem = _index_problem(key, op["path"], "test", len(container))
        if problem:
            return problem
        current = container[int(key)]
    else:
        current = container.get(key)  # a missing key reads as null
    if current == op.get("value"):
        return None
    return f"testing value {op['path']} failed: test failed"


_OPERATION_CHECKS = {"add": _add_problem, "remove": _remove_problem,
                     "replace": _replace_problem, "move": _move_problem,
                     "copy": _copy_problem, "test": _test_problem}


def _present(container: Any, key: str) -> bool:
    if isinstance(container, dict):
        return key in container
    return bool(_INDEX.fullmatch(key)) and -len(container) <= int(key) < len(container)


def _resolve_negative(doc: Any, path: str, kind: str) -> str:
    # evanphx/json-patch accepts negative array indices for add and remove; RFC 6902 does not
    found = _find_parent(doc, path)
    if kind not in ("add", "remove") or found is None or not isinstance(found[0], list):
        return path
    container, key = found
    if not _INDEX.fullmatch(key) or int(key) >= 0:
        return path
    size = len(container) + (1 if kind == "add" else 0)
    return path.rsplit("/", 1)[0] + "/" + str(int(key) + size)


# --- strategic merge patch ----------------------------------------------------------------

class _Field(NamedTuple):
    """One field's struct tags: its own struct type, patchStrategy and patchMergeKey."""
    type: str | None = None
    strategy: str = ""
    key: str = ""


_UNKNOWN = _Field()
_CONDITIONS = {"conditions": _Field(None, "merge", "type")}

# From the patchStrategy/patchMergeKey tags of k8s.io/api/{core,apps,batch,...}/v1/types.go.
# Lists not named here are replaced whole (the default, e.g. tolerations, envFrom, taints).
_STRUCTS: dict[str, dict[str, _Field]] = {
    "ObjectMeta": {
        "ownerReferences": _Field(None, "merge", "uid"),
        "finalizers": _Field(None, "merge"),
    },
    "Container": {
        "ports": _Field(None, "merge", "containerPort"),
        "env": _Field(None, "merge", "name"),
        "volumeMounts": _Field(None, "merge", "mountPath"),
        "volumeDevices": _Field(None, "merge", "devicePath"),
    },
    "PodSpec": {
        "volumes": _Field(None, "merge,retainKeys", "name"),
        "initContainers": _Field("Container", "merge", "name"),
        "containers": _Field("Container", "merge", "name"),
        "ephemeralContainers": _Field("Container", "merge", "name"),
        "imagePullSecrets": _Field(None, "merge", "name"),
        "hostAliases": _Field(None, "merge", "ip"),
        "topologySpreadConstraints": _Field(None, "merge", "topologyKey"),
        "schedulingGates": _Field(None, "merge", "name"),
        "resourceClaims": _Field(None, "merge,retainKeys", "name"),
    },
    "PodStatus": {
        **_CONDITIONS,
        "podIPs": _Field(None, "merge", "ip"),
        "hostIPs": _Field(None, "merge", "ip"),
        "resourceClaimStatuses": _Field(None, "merge,retainKeys", "name"),
    },
    "PodTemplateSpec": {"metadata": _Field("ObjectMeta"), "spec": _Field("PodSpec")},
    "TemplateOwnerSpec": {"template": _Field("PodTemplateSpec")},
    "DeploymentSpec": {"template": _Field("PodTemplateSpec"),
                       "strategy": _Field(None, "retainKeys")},
    "JobTemplateSpec": {"metadata": _Field("ObjectMeta"), "spec": _Field("TemplateOwnerSpec")},
    "CronJobSpec": {"jobTemplate": _Field("JobTemplateSpec")},
    "ServiceSpec": {"ports": _Field(None, "merge", "port")},
    "NodeSpec": {"podCIDRs": _Field(None, "merge")},
    "NodeStatus": {**_CONDITIONS, "addresses": _Field(None, "merge", "type")},
    "Conditions": _CONDITIONS,
}


def _root(spec: str | None = None, status_type: str | None = None, **extra: _Field) -> dict:
    fields = {"metadata": _Field("ObjectMeta"), **extra}
    if spec:
        fields["spec"] = _Field(spec)
    if status_type:
        fields["status"] = _Field(status_type)
    return fields


_KINDS: dict[str, dict[str, _Field]] = {
    "Pod": _root("PodSpec", "PodStatus"),
    "PodTemplate": _root(template=_Field("PodTemplateSpec")),
    "ReplicationController": _root("TemplateOwnerSpec", "Conditions"),
    "ReplicaSet": _root("TemplateOwnerSpec", "Conditions"),
    "Deployment": _root("DeploymentSpec", "Conditions"),
    "DaemonSet": _root("TemplateOwnerSpec", "Conditions"),
    "StatefulSet": _root("TemplateOwnerSpec", "Conditions"),
    "Job": _root("TemplateOwnerSpec", "Conditions"),
    "CronJob": _root("CronJobSpec"),
    "Service": _root("ServiceSpec", "Conditions"),
    "Node": _root("NodeSpec", "NodeStatus"),
    "Namespace": _root(None, "Conditions"),
    "ServiceAccount": _root(secrets=_Field(None, "merge", "name")),
    "PersistentVolumeClaim": _root(None, "Conditions"),
    "HorizontalPodAutoscaler": _root(None, "Conditions"),
    "PodDisruptionBudget": _root(None, "Conditions"),
}
_STRUCTS.update({f"kind:{kind}": fields for kind, fields in _KINDS.items()})
_STRUCTS["kind:"] = _root()  # every other kind: only ObjectMeta has merge lists


def _field(struct: str | None, name: str) -> _Field:
    return _STRUCTS.get(struct or "", {}).get(name, _UNKNOWN)


def _strategies(field: _Field) -> tuple[bool, str]:
    """(retainKeys?, the other strategy) as extractRetainKeysPatchStrategy splits them."""
    parts = [p for p in field.strategy.split(",") if p]
    return "retainKeys" in parts, next((p for p in parts if p != "retainKeys"), "")


def _strategic_merge_patch(obj: dict, body: Any, kind: str) -> dict:
    try:
        patch = _decode(body)
    except _Undecodable as exc:
        raise bad_request(str(exc)) from None
    if patch is None:
        return copy.deepcopy(obj)
    if not isinstance(patch, dict):
        raise bad_request(f"json: cannot unmarshal {_json_kind(patch)} into Go value of type "
                          "map[string]interface {}")
    root = f"kind:{kind}" if kind in _KINDS else "kind:"
    return _merge_map(copy.deepcopy(obj), patch, root)


def _merge_map(original: dict | None, patch: dict, struct: str | None) -> dict:
    """strategicpatch.mergeMap with MergeParallelList and IgnoreUnmatchedNulls."""
    if _DIRECTIVE in patch:
        return _map_directive(patch)
    original = {} if original is None else original
    _apply_retain_keys(original, patch)
    _merge_element_orders(original, patch, struct)
    for key, value in list(patch.items()):
        delete_list = key.startswith(_DELETE_FROM)
        if delete_list:
            key = _extract_key(key, _DELETE_FROM)
        if value is None:
            original.pop(key, None)
        elif key not in original:
            original[key] = _clean(value)
        elif _go_type(original[key]) != _go_type(value):
            original[key] = _clean(value)
        else:
            original[key] = _merge_value_sm(original[key], value, _field(struct, key), delete_list)
    return original


def _merge_value_sm(current: Any, value: Any, field: _Field, delete_list: bool) -> Any:
    strategy = _strategies(field)[1]
    if isinstance(current, dict):
        return _clean(value) if strategy == "replace" else _merge_map(current, value, field.type)
    if isinstance(current, list):
        return _merge_list_sm(current, value, field, delete_list)
    return value


def _merge_list_sm(current: list, value: list, field: _Field, delete_list: bool) -> list:
    if _strategies(field)[1] != "merge":
        replaced: list = _clean(value)
        return replaced
    return _merge_slice(current, value, field.type, field.key, delete_list)


def _map_directive(patch: dict) -> dict:
    directive = patch[_DIRECTIVE]
    if directive == "replace":
        replaced: dict = _clean({k: v for k, v in patch.items() if k != _DIRECTIVE})
        return replaced
    if directive == "delete":
        return {}
    raise _bad_patch_type(directive, patch)


def _bad_patch_type(directive: Any, item: dict) -> APIError:
    shown = directive if isinstance(directive, str) else \
        f"%!s({_go_type(directive)}={_go_v(directive)})"
    return _internal(f"unknown patch type: {shown} in map: {_go_v(item)}")


def _clean(value: Any) -> Any:
    """What the typed round trip keeps of an inserted value: no nulls, no `$` directives."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()
                if v is not None and not k.startswith("$")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise bad_request("invalid patch format of primitive list" if prefix == _DELETE_FROM
                          else "invalid patch format of setElementOrder list")
    return rest


def _apply_retain_keys(original: dict, patch: dict) -> None:
    if _RETAIN_KEYS not in patch:
        return
    keep = patch.pop(_RETAIN_KEYS)
    if not isinstance(keep, list):
        raise bad_request("invalid patch format of retainKeys")
    allowed = {k for k in keep if isinstance(k, str)}
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_FROM, _SET_ORDER)):
            continue
        if key not in allowed:
            raise bad_request("invalid patch format of retainKeys")
    for key in [k for k in original if k not in allowed]:
        del original[key]


def _merge_element_orders(original: dict, patch: dict, struct: str | None) -> None:
    """mergePatchIntoOriginal: merge each list named by `$setElementOrder/` and order it."""
    for directive in [k for k in patch if k.startswith(_SET_ORDER)]:
        order = patch.pop(directive)
        if not isinstance(order, list):
            raise _bad_arg_type("[]interface {}", order)
        name = _extract_key(directive, _SET_ORDER)
        in_original, in_patch = name in original, name in patch
        current, wanted = original.get(name), patch.get(name)
        for present, value in ((in_original, current), (in_patch, wanted)):
            if present and not isinstance(value, list):
                raise _bad_arg_type("[]interface {}", value)
        if not (in_original or in_patch):
            continue
        field = _field(struct, name)
        _check_order(wanted or [], order, field.key)
        merged = _merged_for_order(current, wanted, field)
        kind = _element_kind(current or [], wanted or [])
        patch_items, server_only = _partition(merged, order, field.key)
        original[name] = _normalize_order(patch_items, server_only, order, current or [],
                                          field.key, kind)
        patch.pop(name, None)


def _merged_for_order(current: list | None, wanted: list | None, field: _Field) -> list:
    """None is a list the original or the patch lacks (the caller refused a present null)."""
    if current is None:
        added: list = _clean(wanted)
        return added
    if wanted is None:
        return current
    return _merge_list_sm(current, wanted, field, False)


def _check_order(patch_list: list, order: list, key: str) -> None:
    """validatePatchWithSetOrderList: patch items keep the order `$setElementOrder` gives."""
    if not patch_list or not order:
        return
    items = patch_list
    if key:
        items = [v for v in patch_list if not _is_delete(v)]
    i = j = 0
    while i < len(items) and j < len(order):
        if isinstance(items[i], dict) and _DIRECTIVE in items[i]:
            i += 1
            continue
        if _merge_key_equal(items[i], order[j], key):
            i += 1
        j += 1
    if i < len(items) and j >= len(order):
        raise _internal(f"The order in patch list:\n{_go_v(patch_list)}\n doesn't match "
                        f"{_SET_ORDER} list:\n{_go_v(order)}\n")


def _is_delete(item: Any) -> bool:
    if not isinstance(item, dict):
        raise _bad_arg_type("map[string]interface {}", item)
    return item.get(_DIRECTIVE) == "delete"


def _merge_key_equal(left: Any, right: Any, key: str) -> bool:
    if not key:
        return _same(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise _bad_arg_type("map[string]interface {}", item)
        if key not in item:
            raise _no_merge_key(item, key)
    return _same(left[key], right[key])


def _same(a: Any, b: Any) -> bool:
    """Go's interface equality: same dynamic type and value (True is not 1)."""
    return _go_type(a) == _go_type(b) and a == b


def _element_kind(*lists: list) -> str:
    """sliceElementType: all elements share one type, and it is not a list."""
    kinds = [_go_type(v) for values in lists for v in values]
    if not kinds:
        raise _internal("no elements in any of the given slices")
    if kinds[0] == "[]interface {}":
        raise _unprocessable("lists of lists are not supported")
    if any(k != kinds[0] for k in kinds):
        raise _internal("list element types are not identical: "
                        + "[" + " ".join(_go_v(v) for v in lists) + "]")
    return "map" if kinds[0].startswith("map") else "scalar"


def _merge_slice(original: list, patch: list, struct: str | None, key: str,
                 delete_list: bool) -> list:
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind == "scalar":
        if delete_list:
            return [v for v in original if not any(_same(v, d) for d in patch)]
        merged = _unique(original + patch)
    else:
        if not key:
            raise _internal("cannot merge lists without merge key for type map")
        original, patch = _special_elements(original, patch, key)
        merged = _merge_items(original, patch, key, struct)
    patch_items, server_only = _partition(merged, patch, key)
    return _normalize_order(patch_items, server_only, patch, original, key, kind)


def _unique(values: list) -> list:
    out: list = []
    for v in values:
        if not any(_same(v, seen) for seen in out):
            out.append(v)
    return out


def _special_elements(original: list, patch: list, key: str) -> tuple[list, list]:
    """mergeSliceWithSpecialElements: apply `$patch: delete` items and `$patch: replace`."""
    plain, replace = [], False
    for item in patch:
        if not isinstance(item, dict) or _DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[_DIRECTIVE]
        if directive == "delete":
            if key not in item:
                raise _no_merge_key(item, key)
            original = [o for o in original if not (key in o and _same(o[key], item[key]))]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _internal("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, item)
    if replace:
        return _clean(plain), []
    return original, plain


def _find(key: str, value: Any, items: list) -> int | None:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _internal(f"value for key {i} is not a map.")
        if key in item and _same(item[key], value):
            return i
    return None


def _merge_items(original: list, patch: list, key: str, struct: str | None) -> list:
    merged = list(original)
    for item in patch:
        if key not in item:
            raise _no_merge_key(item, key)
        at = _find(key, item[key], merged)
        if at is None:
            merged.append(_clean(item))
        else:
            merged[at] = _merge_map(merged[at], item, struct)
    return merged


def _partition(merged: list, by: list, key: str) -> tuple[list, list]:
    """Items named in `by` (the patch or `$setElementOrder`) and the server-only rest."""
    named: list = []
    rest: list = []
    for item in merged:
        if key:
            if not isinstance(item, dict):
                raise _bad_arg_type("map[string]interface {}", item)
            if key not in item:
                raise _no_merge_key(item, key)
            hit = _find(key, item[key], by) is not None
        else:
            hit = any(_same(item, b) for b in by)
        (named if hit else rest).append(item)
    return named, rest


def _normalize_order(patch_items: list, server_only: list, patch_order: list,
                     server_order: list, key: str, kind: str) -> list:
    """normalizeElementOrder: each part in its own order, then interleaved by server order."""
    patch_items = _sort_by(patch_items, patch_order, key, kind)
    server_only = _sort_by(server_only, server_order, key, kind)
    out, i, j = [], 0, 0
    while i < len(server_only) or j < len(patch_items):
        if j >= len(patch_items):
            out.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            out.append(patch_items[j])
            j += 1
        else:
            left = _index(server_order, server_only[i], key, kind)
            right = _index(server_order, patch_items[j], key, kind)
            # an item the server never had (index -1) goes first: new list items lead
            if left >= 0 and right >= 0 and left < right:
                out.append(server_only[i])
                i += 1
            else:
                out.append(patch_items[j])
                j += 1
    return out


def _sort_by(items: list, order: list, key: str, kind: str) -> list:
    to_delete: list = []
    if kind == "map":
        for item in items + order:
            if not isinstance(item, dict):
                raise _bad_arg_type("map[string]interface {}", item)
            if key not in item:
                raise _no_merge_key(item, key)
        to_delete = [v for v in items if v.get(_DIRECTIVE) == "delete"]
        items = [v for v in items if v.get(_DIRECTIVE) != "delete"]
    return sorted(items, key=lambda v: _index(order, v, key, kind)) + to_delete


def _index(items: list, value: Any, key: str, kind: str) -> int:
    def merge_value(item: Any) -> Any:
        if kind != "map":
            return item
        return item.get(key) if isinstance(item, dict) else None
    wanted = merge_value(value)
    for i, item in enumerate(items):
        if _same(merge_value(item), wanted):
            return i
    return -1
