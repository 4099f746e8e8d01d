"""`events.k8s.io/v1`: the same Events as core v1, in the newer shape.

The API server keeps one store of Events and serves it in two versions;
so does this module, converting at the door as Kubernetes' conversion
functions do (pkg/apis/events/v1): `involvedObject` is `regarding`,
`message` is `note`, `reportingComponent` is `reportingController`, and the
legacy `source`, `firstTimestamp`, `lastTimestamp` and `count` become the
`deprecated...` fields. Reads convert stored core Events; writes convert the
body to a core Event and go through `sim.api` like any other, so defaults,
validation and the event-time normalisation (eventclock) are the core
path's. Tables are the core Event table (the server prints both versions
from one internal type).

Served verbs: get, list, watch, create, update, patch, delete,
deletecollection; a watch streams the core Events' changes converted the
same way (watch.py).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.runtime import run
from clusterviz.k8sapi import eventclock, objects, watch
from clusterviz.k8sapi.discovery import EVENTS_V1
from clusterviz.k8sapi.negotiation import decode_object, decode_patch, wants_table
from clusterviz.k8sapi.responses import json_response, success_status
from clusterviz.k8sapi.routing import Route
from simcore import Simulation, errors
from simcore.patch import apply_patch
from simcore.resources import ResourceType, lookup

RESOURCE = EVENTS_V1
API_VERSION = "events.k8s.io/v1"
# v1 field <-> core field, for the fields that only change name
_RENAMED = (("regarding", "involvedObject"), ("note", "message"),
            ("reportingController", "reportingComponent"), ("deprecatedSource", "source"),
            ("deprecatedFirstTimestamp", "firstTimestamp"),
            ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"))
_SAME = ("metadata", "eventTime", "series", "reportingInstance", "action", "reason", "related",
         "type")


def core() -> ResourceType:
    return lookup("events")


def from_core(event: dict[str, Any]) -> dict[str, Any]:
    """A stored core/v1 Event as events.k8s.io/v1 writes it (Go's zero values included)."""
    out: dict[str, Any] = {"kind": "Event", "apiVersion": API_VERSION}
    for key in _SAME:
        if key in event:
            out[key] = event[key]
    for new, old in _RENAMED:
        if old in event:
            out[new] = event[old]
    out.setdefault("eventTime", None)
    out.setdefault("deprecatedSource", {})
    out.setdefault("deprecatedFirstTimestamp", None)
    out.setdefault("deprecatedLastTimestamp", None)
    return out


def to_core(event: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "Event", "apiVersion": "v1"}
    for key in _SAME:
        if event.get(key) is not None:
            out[key] = event[key]
    for new, old in _RENAMED:
        if event.get(new) not in (None, {}):
            out[old] = event[new]
    return out


def _check_type(body: dict) -> None:
    api_version = body.get("apiVersion")
    if api_version and api_version != API_VERSION or body.get("kind") not in (None, "Event"):
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match "
                                 f"the expected API version ({API_VERSION})")


def _out(sim: Simulation, event: dict[str, Any]) -> dict[str, Any]:
    return from_core(eventclock.to_wall(event, eventclock.wall_offset(sim.now)))


def _in(sim: Simulation, event: dict[str, Any]) -> dict[str, Any]:
    return eventclock.to_cluster(to_core(event), eventclock.wall_offset(sim.now))


def handle(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    if route.subresource is not None:
        raise errors.not_found(RESOURCE, route.name or "")
    if route.name is None:
        handler = {"GET": _list, "POST": _create, "DELETE": _delete_collection}.get(
            request.method)
    else:
        handler = {"GET": _get, "PUT": _update, "PATCH": _patch,
                   "DELETE": _delete}.get(request.method)
    if watch.is_watch(request, route):
        return watch.start(request, slug, route, events_v1=True)
    if handler is None:
        raise errors.method_not_allowed()
    return handler(request, slug, route)


# AddFieldLabelConversionsForEvent: the field labels a v1 selector may use, in core terms
_FIELD_LABELS = {"reason": "reason", "type": "type", "reportingController": "reportingComponent",
                 "metadata.namespace": "metadata.namespace", "metadata.name": "metadata.name",
                 **{f"regarding.{k}": f"involvedObject.{k}" for k in (
                     "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
                     "fieldPath")}}


def core_field_selector(text: str | None) -> str | None:
    """The v1 field labels in core terms (the scheme's field label conversion for Events)."""
    if not text:
        return text
    out = []
    for term in text.split(","):
        key, op, value = _split_term(term)
        if key not in _FIELD_LABELS:
            raise errors.bad_request(f"field label not supported: {key}")
        out.append(f"{_FIELD_LABELS[key]}{op}{value}")
    return ",".join(out)


def _split_term(term: str) -> tuple[str, str, str]:
    for op in ("!=", "==", "="):
        key, found, value = term.partition(op)
        if found:
            return key, op, value
    return term, "", ""


def _list(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    query = request.GET
    label, field = query.get("labelSelector"), core_field_selector(query.get("fieldSelector"))
    limit = objects._integer(query.get("limit"), "limit")
    token = query.get("continue") or None
    as_table = wants_table(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        items, meta = sim.api.list_page_ref(core(), route.namespace, label, field, limit, token)
        if as_table:
            return {**objects._as_table(request, "Event", items, sim), "metadata": meta}
        return {"kind": "EventList", "apiVersion": API_VERSION, "metadata": meta,
                "items": [_out(sim, i) for i in items]}
    body = run(slug, operation)
    return objects.table_response(body) if as_table else json_response(body)


def _get(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    as_table = wants_table(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        event = sim.api.get(core(), route.object_name(), route.namespace)
        return objects._as_table(request, "Event", [event], sim) if as_table else \
            _out(sim, event)
    return json_response(run(slug, operation))


def _create(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body = decode_object(request)
    _check_type(body)
    req = objects._write_request(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()
        return _out(sim, sim.api.create(core(), _in(sim, body), route.namespace, req))
    return json_response(run(slug, operation), status=201, warnings=req.warnings)


def _update(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body = decode_object(request)
    _check_type(body)
    objects.named_by_url(body, route.name)
    req = objects._write_request(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()
        return _out(sim, sim.api.update(core(), _in(sim, body), route.namespace, None, req))
    return json_response(run(slug, operation), warnings=req.warnings)


def _patch(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    """The patch applies to the v1 shape, then the result is stored as a core Event."""
    patch_type, raw = decode_patch(request)
    req = objects._write_request(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()
        current = _out(sim, sim.api.get(core(), route.object_name(), route.namespace))
        patched = apply_patch(current, raw, patch_type, "Event")
        if "resourceVersion" not in (_json(raw).get("metadata") or {}):
            patched["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        return _out(sim, sim.api.update(core(), _in(sim, patched), route.namespace, None, req))
    return json_response(run(slug, operation), warnings=req.warnings)


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _delete(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    options = objects._delete_options(request)
    obj, _ = run(slug, lambda sim: sim.api.delete(core(), route.object_name(), route.namespace,
                                                  **options))
    return json_response(success_status({"name": route.name, "group": RESOURCE.group,
                                         "kind": RESOURCE.plural,
                                         "uid": obj["metadata"].get("uid", "")}))


def _delete_collection(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    if route.namespace is None:
        raise errors.method_not_allowed()
    options = objects._delete_options(request)
    query = request.GET

    def operation(sim: Simulation) -> dict[str, Any]:
        deleted = sim.api.delete_collection(core(), route.namespace, query.get("labelSelector"),
                                            core_field_selector(query.get("fieldSelector")),
                                            **options)
        return {**deleted, "apiVersion": API_VERSION,
                "items": [_out(sim, i) for i in deleted["items"]]}
    return json_response(run(slug, operation))
