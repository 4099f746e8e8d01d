"""Field selectors (`--field-selector`, `?fieldSelector=`), parsed and matched as the API server does.

The grammar is apimachinery's fields.ParseSelector: comma-joined terms, each
`field=value`, `field==value` or `field!=value`; a value escapes `\\`, `,`
and `=` with a backslash, and the terms are sorted before use. The field on
the left is then checked against the kind's field-label conversion: core
kinds answer `field label not supported: <f>`, batch/v1 Job its own
sentence, and every kind without a conversion (Deployment, ReplicaSet,
Ingress, ...) the default `"<f>" is not a known field selector: only
"metadata.name", "metadata.namespace"`. ReplicaSet is in that last group
although the docs list `status.replicas` for it: apps/v1 registers no
conversion, and a real 1.34 server refuses it (kubernetes#135136).

Matching compares the field's string form (`true`, `3`, `Running`) the way
the registries' `ToSelectableFields` print it; a field an object lacks
reads as the empty string, as `fields.Set.Get` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from simcore.errors import bad_request

EQUALS = "="
NOT_EQUALS = "!="
_OPERATORS = ("!=", "==", "=")  # `==` before `=` so no `=` is left on the value

_META = frozenset({"metadata.name", "metadata.namespace"})
_CORE_ERROR = "field label not supported: {label}"

# kind -> (labels its field-label conversion accepts, error message template)
_SUPPORTED: dict[str, tuple[frozenset[str], str]] = {
    "Pod": (_META | {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                     "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                     "status.podIP", "status.podIPs", "status.nominatedNodeName",
                     "spec.host"}, _CORE_ERROR),
    "Node": (frozenset({"metadata.name", "spec.unschedulable"}), _CORE_ERROR),
    "ReplicationController": (_META | {"status.replicas"}, _CORE_ERROR),
    "Event": (_META | {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                       "involvedObject.uid", "involvedObject.apiVersion",
                       "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                       "reportingComponent", "source", "type"}, _CORE_ERROR),
    "Namespace": (frozenset({"metadata.name", "status.phase"}), _CORE_ERROR),
    "Secret": (_META | {"type"}, _CORE_ERROR),
    "Service": (_META | {"spec.clusterIP", "spec.type"}, _CORE_ERROR),
    "Job": (_META | {"status.successful"}, 'field label {quoted} not supported for batchv1.Job'),
}
_DEFAULT_ERROR = '{quoted} is not a known field selector: only "metadata.name", ' \
                 '"metadata.namespace"'
_RENAMED = {("Pod", "spec.host"): "spec.nodeName"}  # old v1 clients' name for nodeName


def parse_field_selector(text: str) -> list[tuple[str, str, str]]:
    """(field, "=" or "!=", value) terms, sorted like apimachinery sorts them."""
    requirements = []
    for term in sorted(_split_terms(text)):
        if term == "":
            continue
        parsed = _split_term(term)
        if parsed is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        field, operator, raw = parsed
        requirements.append((field, NOT_EQUALS if operator == "!=" else EQUALS,
                             _unescape(raw)))
    return requirements


def field_equalities(text: str) -> dict[str, str]:
    """The `field=value` terms, for an index lookup before the full match."""
    return {field: value for field, op, value in parse_field_selector(text) if op == EQUALS}


def field_matcher(kind: str, text: str) -> Callable[[dict], bool]:
    """A predicate for objects of `kind`; refuses fields the kind cannot select on."""
    requirements = [(_convert(kind, field), op, value)
                    for field, op, value in parse_field_selector(text)]

    def matches(obj: dict) -> bool:
        fields = selectable_fields(kind, obj)
        return all((fields.get(field, "") == value) == (op == EQUALS)
                   for field, op, value in requirements)
    return matches


def selectable_fields(kind: str, obj: dict) -> dict[str, str]:
    """The field set the kind's registry exposes for `obj`, values as strings."""
    meta = obj.get("metadata") or {}
    fields = {"metadata.name": meta.get("name", "")}
    if kind not in ("Node", "Namespace"):
        fields["metadata.namespace"] = meta.get("namespace", "")
    extra = _EXTRACTORS.get(kind)
    if extra:
        fields.update(extra(obj))
    return fields


def _convert(kind: str, field: str) -> str:
    labels, message = _SUPPORTED.get(kind, (_META, _DEFAULT_ERROR))
    if field not in labels:
        raise bad_request(message.format(label=field, quoted=json.dumps(field)))
    return _RENAMED.get((kind, field), field)


def _split_terms(text: str) -> list[str]:
    """Split on commas a backslash does not escape (the backslash stays for unescaping)."""
    if not text:
        return []
    terms, start, escaped = [], 0, False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    # the field part cannot be escaped: the first operator found splits the term
    for i in range(len(term)):
        for operator in _OPERATORS:
            if term.startswith(operator, i):
                return term[:i], operator, term[i + len(operator):]
    return None


def _unescape(value: str) -> str:
    out, escaped = [], False
    for char in value:
        if escaped:
            if char not in "\\,=":
                raise bad_request("invalid field selector: invalid escape sequence: \\" + char)
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",=":
            # Go prints the rune with %v: its code point
            raise bad_request(f"invalid field selector: unescaped character in value: {ord(char)}")
        else:
            out.append(char)
    if escaped:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _bool(value: object) -> str:
    return "true" if value else "false"


def _pod_fields(pod: dict) -> dict[str, str]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    pod_ips = status.get("podIPs") or []
    pod_ip = (pod_ips[0] or {}).get("ip", "") if pod_ips else status.get("podIP", "")
    return {
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.restartPolicy": spec.get("restartPolicy", ""),
        "spec.schedulerName": spec.get("schedulerName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "spec.hostNetwork": _bool(spec.get("hostNetwork")),
        "status.phase": status.get("phase", ""),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": status.get("nominatedNodeName", ""),
    }


def _event_fields(event: dict) -> dict[str, str]:
    involved = event.get("involvedObject") or {}
    source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
    fields = {f"involvedObject.{k}": str(involved.get(k, ""))
              for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
                        "fieldPath")}
    fields.update({"reason": event.get("reason", ""),
                   "reportingComponent": event.get("reportingComponent", ""),
                   "source": source, "type": event.get("type", "")})
    return fields


_EXTRACTORS: dict[str, Callable[[dict], dict[str, str]]] = {
    "Pod": _pod_fields,
    "Event": _event_fields,
    "Node": lambda o: {"spec.unschedulable": _bool((o.get("spec") or {}).get("unschedulable"))},
    "ReplicationController":
        lambda o: {"status.replicas": str((o.get("status") or {}).get("replicas", 0))},
    "Namespace": lambda o: {"status.phase": (o.get("status") or {}).get("phase", "")},
    "Secret": lambda o: {"type": o.get("type", "")},
    "Service": lambda o: {"spec.clusterIP": (o.get("spec") or {}).get("clusterIP", ""),
                          "spec.type": (o.get("spec") or {}).get("type", "")},
    "Job": lambda o: {"status.successful": str((o.get("status") or {}).get("succeeded", 0))},
}
