"""Subresources with their own shapes: `scale` (an autoscaling/v1 Scale) and `pods/log`.

`scale` is a view of a workload's `spec.replicas`: reading builds the Scale
from the object, writing patches the Scale, then writes the new replica
count back to the workload through `sim.api` (a merge patch, guarded by the
Scale's resourceVersion when the client sent one). `status` needs nothing
special: it is the object itself, written with `subresource="status"`.

Logs come from the kubelet's runtime records (`simcore.runtime.containers.logs`),
as a real kubelet reads a container's log file, returned as text/plain.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from clusterviz.clusters.runtime import run
from clusterviz.k8sapi.negotiation import decode_object, decode_patch
from clusterviz.k8sapi.responses import json_response
from clusterviz.k8sapi.routing import Route
from simcore import errors
from simcore.clock import rfc3339
from simcore.labels import format_label_selector
from simcore.patch import apply_patch
from simcore.runtime import containers as rt

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
    res, method = route.resource, request.method
    if method == "GET":
        return json_response(run(slug, lambda sim: scale_of(sim.api.get(
            res, route.name, route.namespace))))
    if method == "PUT":
        body = decode_object(request)
        change = lambda current: body  # noqa: E731
    elif method == "PATCH":
        patch_type, raw = decode_patch(request)
        change = lambda current: apply_patch(current, raw, patch_type, "Scale")  # noqa: E731
    else:
        raise errors.method_not_allowed()

    def operation(sim) -> dict:
        current = scale_of(sim.api.get(res, route.name, route.namespace))
        wanted = change(current)
        replicas = (wanted.get("spec") or {}).get("replicas", 0)
        patch: dict = {"spec": {"replicas": replicas}}
        rv = (wanted.get("metadata") or {}).get("resourceVersion")
        if rv:
            patch["metadata"] = {"resourceVersion": rv}
        return scale_of(sim.api.patch(res, route.name, json.dumps(patch), MERGE_PATCH,
                                      route.namespace))
    return json_response(run(slug, operation))


def pod_log(request: HttpRequest, slug: str, route: Route) -> HttpResponse:
    query = request.GET
    container = query.get("container")
    tail = query.get("tailLines")
    stamps = query.get("timestamps") == "true"

    def operation(sim) -> str:
        pod = sim.api.get("pods", route.name, route.namespace)
        name = _container_name(pod, container)
        record = sim.engine.runtime.get("kubelet", {}).get("pods", {}).get(
            f"{route.namespace}/{route.name}") or {}
        state = (record.get("containers") or {}).get(name)
        if state is None or state.get("stage") == "waiting" and not state.get("logs"):
            raise errors.bad_request(f'container "{name}" in pod "{route.name}" is waiting to '
                                     "start: ContainerCreating")
        lines = rt.logs(state, sim.engine.clock.elapsed)
        return "".join(_line(sim, line, stamps) for line in lines)
    text = run(slug, operation)
    if tail not in (None, ""):
        text = _tail(text, tail)
    return HttpResponse(text, content_type="text/plain")


def _container_name(pod: dict, wanted: str | None) -> str:
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    if wanted:
        if wanted not in names:
            raise errors.bad_request(f"container {wanted} is not valid for pod "
                                     f"{pod['metadata']['name']}")
        return wanted
    if len(names) == 1:
        return names[0]
    raise errors.bad_request(f"a container name must be specified for pod "
                             f"{pod['metadata']['name']}, choose one of: [{' '.join(names)}]")


def _line(sim, line: list, stamps: bool) -> str:
    at, _stream, text = line
    if not stamps:
        return text
    from datetime import timedelta
    moment = sim.engine.clock.start + timedelta(seconds=at)
    return rfc3339(moment).replace("Z", ".000000000Z") + " " + text


def _tail(text: str, tail: str) -> str:
    try:
        count = int(tail)
    except ValueError:
        raise errors.bad_request(f"tailLines: invalid value {tail!r}") from None
    lines = text.splitlines(keepends=True)
    return "".join(lines[-count:]) if count > 0 else ""
