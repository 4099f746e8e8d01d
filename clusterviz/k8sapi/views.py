"""The one entry view of a cluster's Kubernetes API, and the dispatch behind it.

The view is async so that daphne's event loop only parses and hands over:
the work (ORM, engine) runs in a worker thread via `runtime.offload`
(`thread_sensitive=False`), never on the loop nor on the single
shared thread that thread-sensitive calls queue on (one slow call there
holds up every other). Tests that use Django's test client set
`K8S_OFFLOAD_TO_THREADS = False` so the work shares the test's database
connection and transaction.

Streams (a watch, `logs -f`) are prepared the same way, in a worker thread,
and answered with a `StreamingHttpResponse` whose async iterator then runs
on the loop, awaiting the cluster's `pulse` between batches.

Deprecated resources carry the API server's deprecation warning on every
answer, whatever the verb and whether it succeeded: the real server adds it
in its request handlers before storage runs (today only core v1 Endpoints,
deprecated in v1.33 for EndpointSlices).

Every failure leaves as a `Status`: simcore's refusals as they are, an
unknown path as the API server's 404, a crash as a 500 InternalError Status
(logged) rather than an HTML page.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from clusterviz.clusters.runtime import ClusterNotFound, offload
from clusterviz.history import marks
from clusterviz.k8sapi import (
    discovery,
    eventsv1,
    execstream,
    objects,
    openapi,
    podlogs,
    portforward,
    reviews,
    subresources,
    watch,
)
from clusterviz.k8sapi.access import check_access
from clusterviz.k8sapi.negotiation import discovery_flavour
from clusterviz.k8sapi.responses import (
    add_warning,
    error_response,
    json_response,
    not_found,
    status_response,
)
from clusterviz.k8sapi.routing import Route, parse
from clusterviz.room import record as room_record
from simcore import errors

log = logging.getLogger(__name__)

Handler = Callable[[HttpRequest, str, Route], HttpResponse]

# (group, version, resource) -> the warning every request to it gets, in the API server's words.
DEPRECATED = {("", "v1", "endpoints"):
              "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"}


@csrf_exempt
async def api(request: HttpRequest, slug: str, path: str = "") -> HttpResponse:
    return await offload(handle)(request, slug, path)


def handle(request: HttpRequest, slug: str, path: str) -> HttpResponse:
    try:
        review = reviews.kind_for(path)
        route = Route("review") if review else parse(path)
        watching = route is not None and watch.is_watch(request, route)
        refusal = check_access(request, slug, path, route, watching)
        if refusal is not None:
            return status_response(refusal)
        if review:
            return reviews.answer(request, slug, review)
        if route is None:
            return not_found()
        warning = _deprecation(route)
        try:
            with _person(request, route):  # a person's change: a mark on the timeline
                response = _dispatch(request, slug, route)
        except errors.APIError as exc:
            response = error_response(exc)
        room_record.api_request(request, route, watching, slug, response)  # a queued line
        return add_warning(response, warning) if warning else response
    except errors.APIError as exc:
        return error_response(exc)
    except ClusterNotFound:
        return not_found()
    except Exception as exc:  # a bug: still a Status, never Django's HTML page
        log.exception("API request failed: %s %s", request.method, request.path)
        return status_response(errors.status(500, "InternalError",
                                             f"Internal error occurred: {exc}"))


def _person(request: HttpRequest, route: Route) -> contextlib.AbstractContextManager[None]:
    if request.method in marks.VERBS and route.resource is not None:
        return marks.by_person(marks.api_label(request.method, route.resource.group_resource,
                                               route.name, route.subresource))
    return contextlib.nullcontext()


def _deprecation(route: Route) -> str | None:
    if route.resource is None:
        return None
    return DEPRECATED.get((route.group, route.version, route.resource.plural))


def _base(request: HttpRequest, slug: str) -> str:
    return f"/k8s/clusters/{slug}"


def _dispatch(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    if route.endpoint != "resource":
        if request.method != "GET":
            raise errors.method_not_allowed()
        return _static(request, slug, route)
    return _resource(request, slug, route)


def _static(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    """Answers that do not depend on the cluster's state (but only for a cluster that exists)."""
    from clusterviz.clusters.models import Cluster
    if not Cluster.objects.filter(slug=slug).exists():
        return not_found()
    body: dict | None  # discovery's answer; None for a group version it does not serve
    if route.endpoint == "version":
        return json_response(discovery.SERVER_VERSION)
    if route.endpoint in ("api", "apis"):
        flavour = discovery_flavour(request)
        if flavour:
            version = flavour.split("v=")[1].split(";")[0]
            body = discovery.aggregated(route.endpoint == "api", f"apidiscovery.k8s.io/{version}")
            return json_response(body, content_type=flavour)
        body = discovery.api_versions() if route.endpoint == "api" else \
            discovery.api_group_list()
        return json_response(body)
    if route.endpoint == "resourcelist":
        body = discovery.api_resource_list(route.group, route.version)
    elif route.endpoint == "openapi":
        body = openapi.root(_base(request, slug))
    else:
        return _openapi_document(request, route)
    return json_response(body) if body is not None else not_found()


def _openapi_document(request: HttpRequest, route: Route) -> HttpResponse:
    """The cached bytes of an OpenAPI document (half a megabyte: not re-encoded per request)."""
    if route.endpoint == "openapi-v2":
        if openapi.wants_protobuf(request.headers.get("Accept", "")):
            return HttpResponse(openapi.v2_protobuf(), content_type=openapi.V2_PROTOBUF)
        return HttpResponse(openapi.v2_json(), content_type="application/json")
    body = openapi.v3_json(route.group, route.version)
    return HttpResponse(body, content_type="application/json") if body else not_found()


_COLLECTION: dict[str, Handler] = {"GET": objects.list_objects, "POST": objects.create_object,
                                   "DELETE": objects.delete_collection}
_ITEM: dict[str, Handler] = {"GET": objects.get_object, "PUT": objects.update_object,
                             "PATCH": objects.patch_object, "DELETE": objects.delete_object}
_STATUS: dict[str, Handler] = {"GET": objects.get_object, "PUT": objects.update_object,
                               "PATCH": objects.patch_object}


def _resource(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    method, sub = request.method, route.subresource
    if route.resource is discovery.EVENTS_V1:
        return eventsv1.handle(request, slug, route)
    handler: Handler | None
    if watch.is_watch(request, route):
        handler = watch.start
    elif route.name is None:
        handler = _COLLECTION.get(method)
    elif sub is None:
        handler = _ITEM.get(method)
    elif sub == "status":
        handler = _STATUS.get(method)
    elif sub == "scale":
        handler = subresources.scale
    elif sub == "log" and method == "GET":
        handler = podlogs.pod_log
    elif sub == "exec":
        handler = execstream.refuse_spdy
    elif sub == "portforward":
        handler = portforward.refuse_spdy
    else:
        return not_found()
    if handler is None:
        raise errors.method_not_allowed()
    return handler(request, slug, route)
