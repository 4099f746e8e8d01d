"""Subresources with their own shapes: `scale` (an autoscaling/v1 Scale).

`scale` is a view of a workload's `spec.replicas`: reading builds the Scale
from the object, writing patches the Scale, then writes the new replica
count back to the workload through `sim.api` (a merge patch, guarded by the
Scale's resourceVersion when the client sent one). `status` needs nothing
special: it is the object itself, written with `subresource="status"`.

`pods/log` lives in `podlogs`, `pods/exec` in `execstream`.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.runtime import run
from clusterviz.k8sapi.negotiation import decode_object, decode_patch
from clusterviz.k8sapi.objects import field_manager
from clusterviz.k8sapi.responses import json_response
from clusterviz.k8sapi.routing import Route
from simcore import errors
from simcore.apiserver import Request
from simcore.labels import format_label_selector
from simcore.patch import apply_patch
from simcore.simulation import Simulation

MERGE_PATCH = "application/merge-patch+json"


def scale_of(obj: dict) -> dict:
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                              "creationTimestamp") if k in meta},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": format_label_selector((obj.get("spec") or {}).get("selector"))}}


def scale(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    res, name, method = route.resource, route.name, request.method
    assert res is not None and name is not None, "views routes a named object's scale only"
    if method == "GET":
        return json_response(run(slug, lambda sim: scale_of(sim.api.get(
            res, name, route.namespace))))
    if method == "PUT":
        body = decode_object(request)
        change = lambda current: body  # noqa: E731
    elif method == "PATCH":
        patch_type, raw = decode_patch(request)
        change = lambda current: apply_patch(current, raw, patch_type, "Scale")  # noqa: E731
    else:
        raise errors.method_not_allowed()

    recorded = Request(field_manager=field_manager(request), record_as="scale")

    def operation(sim: Simulation) -> dict:
        current = scale_of(sim.api.get(res, name, route.namespace))
        wanted = change(current)
        replicas = (wanted.get("spec") or {}).get("replicas", 0)
        patch: dict = {"spec": {"replicas": replicas}}
        rv = (wanted.get("metadata") or {}).get("resourceVersion")
        if rv:
            patch["metadata"] = {"resourceVersion": rv}
        return scale_of(sim.api.patch(res, name, json.dumps(patch), MERGE_PATCH,
                                      route.namespace, request=recorded))
    return json_response(run(slug, operation))
