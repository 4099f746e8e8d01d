"""The Inspect tab: the object behind a graph element, as YAML, and its recent events.

A graph element's id says what it stands for (`pod/<ns>/<name>`,
`svc/<ns>/<name>`, `ep/<ns>/<svc>/<pod>`: see `graph`), so the object is
one row lookup in the saved state, like the graph itself: no engine, no
lock, no clock. An endpoint edge shows its Service's EndpointSlices, an
owner edge its child, an Ingress route its Ingress. The events are the
core `v1` Events whose `involvedObject` is that object, newest last, as
`kubectl describe` lists them. `metadata.managedFields` is left out, as
`kubectl get -o yaml` leaves it out unless `--show-managed-fields`.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml
from django.utils.translation import gettext as _

from clusterviz.clusters.models import Cluster, StoredObject
from clusterviz.operations.graph import OWNER_PREFIX, RESOURCES
from clusterviz.web import Refused

MAX_EVENTS = 20
PREFIX_KINDS = {"pod": "Pod", "svc": "Service", "ing": "Ingress", "node": "Node",
                **{prefix: kind for kind, prefix in OWNER_PREFIX.items()}}


def inspect(slug: str, element_id: str) -> dict:
    """YAML documents and events of what the element `element_id` stands for."""
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Refused(_("no cluster %(slug)s") % {"slug": slug})
    objects = [o for o in _objects_of(cluster, element_id) if o is not None]
    if not objects:
        return {"id": element_id, "yaml": "", "events": [],
                "note": _("nothing stored stands behind this element (it is drawn, not an object)")}
    text = "---\n".join(yaml.safe_dump(_without_managed_fields(o), sort_keys=False,
                                       default_flow_style=False) for o in objects)
    return {"id": element_id, "yaml": text, "events": events_of(cluster, objects[0])}


def _without_managed_fields(obj: dict) -> dict:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _objects_of(cluster: Cluster, element_id: str) -> Sequence[dict | None]:
    parts = element_id.split("/")
    prefix = parts[0]
    if prefix == "node" and len(parts) == 2:
        return [_row(cluster, "Node", "", parts[1])]
    if prefix in PREFIX_KINDS and len(parts) == 3:
        return [_row(cluster, PREFIX_KINDS[prefix], parts[1], parts[2])]
    if prefix == "ep" and len(parts) == 4:
        return _slices(cluster, parts[1], parts[2])
    if prefix == "own" and len(parts) >= 6:  # own/<owner 3 parts>/<child 3 parts>
        return _objects_of(cluster, "/".join(parts[-3:]))
    if prefix == "route" and len(parts) >= 3:
        return [_row(cluster, "Ingress", parts[1], parts[2])]
    return []


def _row(cluster: Cluster, kind: str, namespace: str, name: str) -> dict | None:
    body: dict | None = StoredObject.objects.filter(cluster=cluster, resource=RESOURCES[kind],
                                                    namespace=namespace, name=name) \
        .values_list("body", flat=True).first()
    return body


def _slices(cluster: Cluster, namespace: str, service: str) -> list[dict]:
    rows = StoredObject.objects.filter(cluster=cluster, resource=RESOURCES["EndpointSlice"],
                                       namespace=namespace).order_by("name")
    return [body for body in rows.values_list("body", flat=True)
            if ((body.get("metadata") or {}).get("labels") or {})
            .get("kubernetes.io/service-name") == service]


def events_of(cluster: Cluster, obj: dict) -> list[dict]:
    """The object's recent events, oldest first: type, reason, message, count, last seen."""
    meta = obj.get("metadata") or {}
    rows = StoredObject.objects.filter(cluster=cluster, resource="events",
                                       namespace=meta.get("namespace") or "default")
    mine = []
    for event in rows.values_list("body", flat=True):
        involved = event.get("involvedObject") or {}
        if involved.get("kind") == obj.get("kind") and involved.get("name") == meta.get("name"):
            mine.append(event)
    return event_rows(mine)


def event_rows(events: list[dict]) -> list[dict]:
    """The panel's rows for an object's Events: the latest MAX_EVENTS, oldest first."""
    latest = sorted(events, key=_when)[-MAX_EVENTS:]
    return [{"type": e.get("type", ""), "reason": e.get("reason", ""),
             "message": e.get("message", ""), "count": e.get("count") or 1,
             "last": _when(e)} for e in latest]


def _when(event: dict) -> str:
    return event.get("lastTimestamp") or event.get("eventTime") or \
        (event.get("metadata") or {}).get("creationTimestamp") or ""
