"""A cluster's committed objects, read for the roster: the few kinds a card talks about.

The roster draws 60 cards from what the students' clusters saved, never from
their engines: reading rows takes no cluster lock and moves no clock, so a
teacher watching never slows a student down (the dashboard's graph reads the
same way, `operations.snapshot`). `RowView` answers the two questions a
lesson step's check asks of a `Simulation` (`list` with a label selector,
`get`), so `lessons.checks` runs unchanged on saved rows.

Read once per cluster version and kept in a small per-process cache: a card
refreshed because a command was recorded, or because a minute passed, reads
nothing new.
"""

from __future__ import annotations

import threading

from clusterviz.clusters.models import Cluster, StoredObject
from simcore import errors
from simcore.labels import parse_selector
from simcore.resources import lookup

KINDS = ("pods", "nodes", "services", "endpoints", "jobs.batch",
         "ingresses.networking.k8s.io")
_CACHE_SIZE = 256
_cache: dict[tuple, RowView] = {}
_guard = threading.Lock()


class RowView:
    """The objects of one cluster version, by group_resource, read-only."""

    def __init__(self, objects: dict[str, list[dict]]) -> None:
        self.objects = objects

    def of(self, group_resource: str) -> list[dict]:
        return self.objects.get(group_resource, [])

    def list(self, kind: str, namespace: str | None = "default",
             label_selector: str | None = None) -> list[dict]:
        selector = parse_selector(label_selector) if label_selector else None
        return [o for o in self.of(lookup(kind).group_resource)
                if (namespace is None or o["metadata"].get("namespace") == namespace)
                and (selector is None or selector.matches(o["metadata"].get("labels") or {}))]

    def get(self, kind: str, name: str, namespace: str = "default") -> dict:
        res = lookup(kind)
        for obj in self.of(res.group_resource):
            meta = obj["metadata"]
            if meta.get("name") == name and (meta.get("namespace") or "") == \
                    (namespace if res.namespaced else ""):
                return obj
        raise errors.not_found(res, name)


def view_of(cluster: Cluster) -> RowView:
    key = (cluster.pk, cluster.created, cluster.resource_version)
    with _guard:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    objects: dict[str, list[dict]] = {}
    rows = StoredObject.objects.filter(cluster=cluster, resource__in=KINDS) \
        .order_by("resource", "namespace", "name").values_list("resource", "body")
    for resource, body in rows:
        objects.setdefault(resource, []).append(body)
    view = RowView(objects)
    with _guard:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = view
    return view
