"""The verbs on a resource or a collection: list, get, create, update, patch, delete.

Each handler reads the request (query, body) first, outside the cluster's
lock, then hands `runtime.run` a small function of the simulation that does
the work through `sim.api` and returns plain dicts. Lists and gets answer a
Table when kubectl asks for one (`as=Table`), always with every column
(kubectl hides the wide ones itself) and a row object per row; a listed
Table is written by `tables`, which reuses the stored objects' JSON.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.runtime import run, run_on_copy
from clusterviz.k8sapi.negotiation import decode_object, decode_options, decode_patch, wants_table
from clusterviz.k8sapi.responses import json_response, success_status
from clusterviz.k8sapi.routing import Route
from clusterviz.k8sapi.tables import table_response
from simcore import errors
from simcore.apiserver import Request
from simcore.printers import table

# Kinds whose DELETE answers with the deleted object rather than a Status (what the
# Python client's models expect; kubectl-api.md pitfall 14).
RETURNS_DELETED_OBJECT = {"services", "pods", "namespaces"}


def _include_object(request: HttpRequest) -> str:
    return request.GET.get("includeObject", "Metadata") or "Metadata"


def _as_table(request: HttpRequest, kind: str, objects: list[dict], sim) -> dict:
    try:
        return table(kind, objects, sim.now, include_object=_include_object(request),
                     resource_version=str(sim.engine.store.rv))
    except ValueError as exc:
        raise errors.bad_request(str(exc)) from None


def list_objects(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    res, query = route.resource, request.GET
    label, field = query.get("labelSelector"), query.get("fieldSelector")
    as_table = wants_table(request)

    def operation(sim) -> dict:
        if as_table:
            items = sim.api.list_ref(res, route.namespace, label, field)
            return _as_table(request, res.kind, items, sim)
        return sim.api.list(res, route.namespace, label, field)
    body = run(slug, operation)
    return table_response(body) if as_table else json_response(body)


def get_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    res, as_table = route.resource, wants_table(request)

    def operation(sim) -> dict:
        obj = sim.api.get(res, route.name, route.namespace)
        return _as_table(request, res.kind, [obj], sim) if as_table else obj
    return json_response(run(slug, operation))


def _run(slug: str, operation, dry_run: bool):
    """A write runs under the cluster's lock; its dry run on a copy, outside it."""
    return run_on_copy(slug, operation) if dry_run else run(slug, operation)


def _write_request(request: HttpRequest) -> Request:
    validation = request.GET.get("fieldValidation") or "Warn"
    if validation not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request(f"fieldValidation parameter unsupported: {validation}")
    return Request(field_validation=validation, dry_run=request.GET.get("dryRun") == "All")


def create_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body, res = decode_object(request), route.resource
    req = _write_request(request)

    def operation(sim) -> dict:
        req.warnings.clear()  # a retried attempt starts over
        return sim.api.create(res, body, route.namespace, req)
    obj = _run(slug, operation, req.dry_run)
    return json_response(obj, status=201, warnings=req.warnings)


def update_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    body, res = decode_object(request), route.resource
    req = _write_request(request)
    own = (body.get("metadata") or {}).get("name") if isinstance(body.get("metadata"), dict) \
        else None
    if own and own != route.name:
        raise errors.bad_request(f"the name of the object ({own}) does not match the name on "
                                 f"the URL ({route.name})")
    body.setdefault("metadata", {})["name"] = route.name

    def operation(sim) -> dict:
        req.warnings.clear()
        return sim.api.update(res, body, route.namespace, route.subresource, req)
    return json_response(_run(slug, operation, req.dry_run), warnings=req.warnings)


def patch_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    patch_type, raw = decode_patch(request)
    req, res = _write_request(request), route.resource

    def operation(sim) -> dict:
        req.warnings.clear()
        return sim.api.patch(res, route.name, raw, patch_type, route.namespace,
                             route.subresource, req)
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


def _integer(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise errors.bad_request(f"{name}: invalid value {value!r}") from None


def delete_object(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    options, res = _delete_options(request), route.resource

    def operation(sim) -> tuple[dict, bool]:
        return sim.api.delete(res, route.name, route.namespace, **options)
    obj, gone = _run(slug, operation, options["dry_run"])
    if not gone or res.plural in RETURNS_DELETED_OBJECT and not res.group:
        return json_response(obj)
    details = {"name": route.name, **({"group": res.group} if res.group else {}),
               "kind": res.plural, "uid": obj["metadata"].get("uid", "")}
    return json_response(success_status(details))
