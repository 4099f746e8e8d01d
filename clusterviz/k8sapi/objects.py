"""The verbs on a resource or a collection: list, get, create, update, patch, delete,
deletecollection.

Each handler reads the request (query, body) first, outside the cluster's
lock, then hands `runtime.run` a small function of the simulation that does
the work through `sim.api` and returns plain dicts. Lists and gets answer a
Table when kubectl asks for one (`as=Table`), always with every column
(kubectl hides the wide ones itself) and a row object per row; a listed
Table is written by `tables`, which reuses the stored objects' JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.runtime import run, run_on_copy
from clusterviz.k8sapi import eventclock
from clusterviz.k8sapi.negotiation import decode_object, decode_options, decode_patch, wants_table
from clusterviz.k8sapi.responses import json_response, success_status
from clusterviz.k8sapi.routing import Route
from clusterviz.k8sapi.tables import table_response
from simcore import Simulation, errors
from simcore.apiserver import Request
from simcore.patch import APPLY_PATCH
from simcore.printers import table
from simcore.resources import ResourceType
from simcore.serversideapply import options_invalid

T = TypeVar("T")

# strconv.ParseBool's true spellings, which the query parameter decoder accepts
GO_TRUE = ("1", "t", "T", "true", "TRUE", "True")

# Kinds whose DELETE answers with the deleted object rather than a Status (what the
# Python client's models expect).
RETURNS_DELETED_OBJECT = {"services", "pods", "namespaces"}


def _include_object(request: HttpRequest) -> str:
    return request.GET.get("includeObject", "Metadata") or "Metadata"


def _as_table(request: HttpRequest, kind: str, objects: list[dict[str, Any]],
              sim: Simulation) -> dict[str, Any]:
    try:
        return table(kind, objects, sim.now, include_object=_include_object(request),
                     resource_version=str(sim.rv))
    except ValueError as exc:
        raise errors.bad_request(str(exc)) from None


def list_objects(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    res, query = route.resource_type(), request.GET
    label, field = query.get("labelSelector"), query.get("fieldSelector")
    limit, token = _integer(query.get("limit"), "limit"), query.get("continue") or None
    as_table = wants_table(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        if as_table:
            items, meta = sim.api.list_page_ref(res, route.namespace, label, field, limit, token)
            body = _as_table(request, res.kind, items, sim)
            body["metadata"] = meta  # the page's resourceVersion, continue, remainingItemCount
            return body
        return _wall(res, sim, sim.api.list(res, route.namespace, label, field, limit, token))
    body = run(slug, operation)
    return table_response(body) if as_table else json_response(body)


def get_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    res, as_table = route.resource_type(), wants_table(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        obj = sim.api.get(res, route.object_name(), route.namespace)
        return _as_table(request, res.kind, [obj], sim) if as_table else _wall(res, sim, obj)
    return json_response(run(slug, operation))


def _run(slug: str, operation: Callable[[Simulation], T], dry_run: bool) -> T:
    """A write runs under the cluster's lock; its dry run on a copy, outside it."""
    return run_on_copy(slug, operation) if dry_run else run(slug, operation)


def _wall(res: ResourceType, sim: Simulation, body: dict[str, Any]) -> dict[str, Any]:
    """Events leave on the client's wall clock (eventclock); everything else as stored."""
    if res.kind != "Event":
        return body
    offset = eventclock.wall_offset(sim.now)
    if "items" in body:
        return {**body, "items": [eventclock.to_wall(i, offset) for i in body["items"]]}
    return eventclock.to_wall(body, offset)


def _cluster(res: ResourceType, sim: Simulation, body: dict) -> dict:
    """Events (and patches of them) posted on a wall clock, moved onto the cluster's."""
    if res.kind != "Event":
        return body
    return eventclock.to_cluster(body, eventclock.wall_offset(sim.now))


def _event_patch(res: ResourceType, patch_type: str, raw: bytes) -> dict | bytes:
    """A merge patch of an Event as a dict, so its times can be moved; else as sent."""
    if res.kind != "Event" or patch_type not in ("application/merge-patch+json",
                                                 "application/strategic-merge-patch+json"):
        return raw
    try:
        patch = json.loads(raw)
    except ValueError:
        return raw  # simcore.patch refuses it in the API server's words
    return patch if isinstance(patch, dict) else raw


def _write_request(request: HttpRequest, apply: bool = False) -> Request:
    validation = request.GET.get("fieldValidation") or "Warn"
    if validation not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f"fieldValidation parameter unsupported: {validation}")
    force = request.GET.get("force")
    if force is not None and not apply:
        raise options_invalid("force", "FieldValueForbidden",
                              "may not be specified for non-apply patch")
    return Request(field_validation=validation, dry_run=request.GET.get("dryRun") == "All",
                   field_manager=field_manager(request, apply), force=force in GO_TRUE)


def field_manager(request: HttpRequest, apply: bool = False) -> str:
    """`fieldManager`, else (not for an apply, where it is required) the User-Agent's
    first segment, printable characters only, at most 128: apiserver's
    prefixFromUserAgent (a kubectl without the flag is `kubectl` from `kubectl/v1.37...`)."""
    given = request.GET.get("fieldManager")
    if given or apply:
        return given or ""
    agent = request.headers.get("User-Agent", "").split("/")[0]
    return "".join(c for c in agent if c.isprintable())[:128]


def named_by_url(body: dict[str, Any], name: str | None) -> None:
    """A replace takes its name from the URL. Null metadata is what Go decodes as an empty
    ObjectMeta; metadata that is not an object stays as sent, for the API server's decoder to
    refuse (a 400, as on create)."""
    if body.get("metadata") is None:
        body["metadata"] = {}
    if isinstance(body["metadata"], dict):
        body["metadata"]["name"] = name


def create_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body, res = decode_object(request), route.resource_type()
    req = _write_request(request)

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()  # a retried attempt starts over
        return _wall(res, sim, sim.api.create(res, _cluster(res, sim, body), route.namespace,
                                              req))
    obj = _run(slug, operation, req.dry_run)
    return json_response(obj, status=201, warnings=req.warnings)


def update_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body, res = decode_object(request), route.resource_type()
    req = _write_request(request)
    meta = body.get("metadata")
    own = meta.get("name") if isinstance(meta, dict) else None
    if own and own != route.name:
        raise errors.bad_request(f"the name of the object ({own}) does not match the name on "
                                 f"the URL ({route.name})")
    named_by_url(body, route.name)

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()
        return _wall(res, sim, sim.api.update(res, _cluster(res, sim, body), route.namespace,
                                              route.subresource, req))
    return json_response(_run(slug, operation, req.dry_run), warnings=req.warnings)


def patch_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    patch_type, raw = decode_patch(request)
    req, res = _write_request(request, apply=patch_type == APPLY_PATCH), route.resource_type()

    def operation(sim: Simulation) -> dict[str, Any]:
        req.warnings.clear()
        patch = _event_patch(res, patch_type, raw)
        if isinstance(patch, dict):
            patch = _cluster(res, sim, patch)
        return _wall(res, sim, sim.api.patch(res, route.object_name(), patch, patch_type,
                                             route.namespace, route.subresource, req))
    return json_response(_run(slug, operation, req.dry_run), warnings=req.warnings)


def _delete_options(request: HttpRequest) -> dict:
    options = decode_options(request)  # JSON, or protobuf from `kubectl drain`
    query = request.GET
    grace = options.get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
    return {"propagation_policy": options.get("propagationPolicy",
                                              query.get("propagationPolicy")),
            "grace_period_seconds": _integer(grace, "gracePeriodSeconds"),
            "preconditions": options.get("preconditions"),
            "dry_run": "All" in (options.get("dryRun") or []) or query.get("dryRun") == "All"}


def _integer(value: str | int | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.bad_request(f"{name}: invalid value {value!r}") from None


def delete_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    options, res = _delete_options(request), route.resource_type()

    def operation(sim: Simulation) -> tuple[dict[str, Any], bool]:
        deleted: tuple[dict[str, Any], bool] = sim.api.delete(res, route.object_name(), route.namespace,
                                                              **options)
        return deleted
    obj, gone = _run(slug, operation, options["dry_run"])
    if not gone or res.plural in RETURNS_DELETED_OBJECT and not res.group:
        return json_response(obj)
    details = {"name": route.name, **({"group": res.group} if res.group else {}),
               "kind": res.plural, "uid": obj["metadata"].get("uid", "")}
    return json_response(success_status(details))


def delete_collection(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    """DELETE on a collection: the API server answers with the list of what it deleted.
    Like the real server, only within a namespace for namespaced kinds (the all-namespaces
    path has no deletecollection route)."""
    res, query = route.resource_type(), request.GET
    if res.namespaced and route.namespace is None:
        raise errors.method_not_allowed()
    options = _delete_options(request)
    label, field = query.get("labelSelector"), query.get("fieldSelector")

    def operation(sim: Simulation) -> dict[str, Any]:
        deleted: dict[str, Any] = sim.api.delete_collection(res, route.namespace, label, field,
                                                            **options)
        return deleted
    return json_response(run(slug, operation))

