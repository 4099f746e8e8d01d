"""The cluster as it was at timeline moment T: its objects, its graph, an object's YAML.

The objects at T are the latest snapshot at or before T plus the entries
recorded after that snapshot up to T, replayed in resourceVersion order. The
cost is bounded by the snapshot interval: one snapshot decoded and at most
`HISTORY_SNAPSHOT_SECONDS` of entries applied, whatever the age of T (see
`bench.history` for 2,000 pods). Nothing here touches the engine, its lock
or its clock: showing the past never moves the present.

The graph and the Inspect tab reuse the live page's pure functions in `operations`
(`graph.elements`, the inspector's element-id rules), fed with the past
objects instead of the stored rows, so the past is drawn exactly as the
present is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import yaml
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterviz.clusters.clock import virtual_elapsed
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.history.models import Entry, Snapshot, Timeline
from clusterviz.history.record import unpack
from clusterviz.operations.graph import RESOURCES, Outside, delta, elements
from clusterviz.operations.inspector import PREFIX_KINDS, event_rows
from clusterviz.web import Refused
from simcore.clock import parse_time, rfc3339

Key = tuple[str, str, str]  # resource, namespace, name
MAX_FRAMES = 200
MIN_FRAMES = 10
# A replay draws the whole graph once per frame: frames x objects is kept under this, so a
# 2,000-pod cluster replays in fewer, larger steps rather than in minutes of work.
FRAME_WORK = 200_000
FUTURE_SLACK = 1.0  # seconds: the page's idea of now may run a little ahead of the row's
MAX_MARKS = 500


@dataclass
class Past:
    at: float
    elapsed: float  # the virtual clock at that moment
    start: str  # the clock's start (RFC 3339)
    config: dict
    objects: dict[Key, dict]

    def by_resource(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for key in sorted(self.objects):
            out.setdefault(key[0], []).append(self.objects[key])
        return out

    def clock(self) -> dict:
        now = rfc3339(parse_time(self.start) + timedelta(seconds=self.elapsed)) \
            if self.start else ""
        return {"now": now, "elapsed": round(self.elapsed, 3), "speed": 0, "at": self.at}


def cluster_of(slug: str) -> Cluster:
    cluster: Cluster | None = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise ClusterNotFound(slug)
    return cluster


def now_at(cluster: Cluster) -> float:
    """Where the cluster stands on its timeline now."""
    offset = Timeline.objects.filter(cluster=cluster).values_list("offset", flat=True).first()
    elapsed = virtual_elapsed(cluster.elapsed, cluster.saved_at, cluster.speed, timezone.now())
    return elapsed + (offset or 0.0)


def snapshot_before(cluster: Cluster, at: float, rv: int | None = None) -> Snapshot:
    """The latest snapshot at or before `at` (and at or before resourceVersion `rv`: two
    saves on a paused clock share a moment, and only the rv tells them apart)."""
    found = Snapshot.objects.filter(cluster=cluster, at__lte=at)
    if rv is not None:
        found = found.filter(rv__lte=rv)
    snap: Snapshot | None = found.order_by("-at", "-rv").first()
    if snap is None:
        raise Refused(_("the history does not reach back to that moment"))
    return snap


def snapshot_state(snap: Snapshot) -> dict:
    """The `Simulation.state()` a snapshot holds (record.take_snapshot packed it)."""
    state = unpack(snap.state)
    if not isinstance(state, dict):
        raise ValueError(f"snapshot {snap.pk} holds no cluster state")
    return state


def past_at(cluster: Cluster, at: float) -> Past:
    """The objects as they were at `at` (the snapshot before it, plus the entries since)."""
    now = now_at(cluster)
    if at > now + FUTURE_SLACK:
        raise Refused(_("that moment has not happened yet"))
    at = min(at, now)
    snap = snapshot_before(cluster, at)
    state = snapshot_state(snap)
    objects = {(res, obj["metadata"].get("namespace") or "", obj["metadata"]["name"]): obj
               for res, objs in state["store"]["objects"].items() for obj in objs}
    past = Past(snap.at, snap.elapsed, (state.get("clock") or {}).get("start") or "",
                state.get("config") or {}, objects)
    for entry in _entries(cluster, snap.rv, at):
        _apply(past, entry)
    past.elapsed += at - past.at  # the clock ran on since the last thing recorded
    past.at = at
    return past


def _entries(cluster: Cluster, after_rv: int, upto_at: float) -> QuerySet[Entry]:
    return Entry.objects.filter(cluster=cluster, to_rv__gt=after_rv, at__lte=upto_at) \
        .exclude(mark="event").order_by("to_rv", "id").only("at", "elapsed", "events")


def _apply(past: Past, entry: Entry) -> None:
    events = unpack(entry.events)
    assert isinstance(events, list), "record.saved packs a list of [kind, resource, object]"
    for kind, resource, obj in events:
        meta = obj["metadata"]
        key = (resource, meta.get("namespace") or "", meta["name"])
        if kind == "DELETED":
            past.objects.pop(key, None)
        else:
            past.objects[key] = obj
    past.at, past.elapsed = entry.at, entry.elapsed


def _outside(past: Past) -> Outside:
    return Outside(dns=tuple(past.config.get("host_nameservers") or ()))


def graph_at(slug: str, at: float, namespace: str = "") -> dict:
    """The graph elements and the clock of moment `at`, marked as the past."""
    past = past_at(cluster_of(slug), at)
    return {"past": True, "at": at, "clock": past.clock(),
            "elements": elements(past.by_resource(), namespace, _outside(past))}


def timeline(slug: str) -> dict:
    """The span the history covers, where now is, the marks and the restore points."""
    cluster = cluster_of(slug)
    first = Snapshot.objects.filter(cluster=cluster).order_by("at").values_list(
        "at", flat=True).first()
    marks = Entry.objects.filter(cluster=cluster).exclude(mark="").order_by("-at", "-id") \
        .values_list("at", "mark", "label")[:MAX_MARKS]
    points = Snapshot.objects.filter(cluster=cluster).order_by("at").values_list("at", flat=True)
    now = now_at(cluster)
    return {"start": first if first is not None else now, "now": now,
            "marks": [{"at": at, "kind": kind, "label": label} for at, kind, label
                      in reversed(list(marks))],
            "restore_points": list(points)}


def replay(slug: str, at: float, namespace: str = "") -> dict:
    """The graph at `at`, then frames of deltas up to now: at most `MAX_FRAMES`, entries
    that fall in one frame's slice of time merged into it."""
    cluster = cluster_of(slug)
    past = past_at(cluster, at)
    start, clock = elements(past.by_resource(), namespace, _outside(past)), past.clock()
    end = now_at(cluster)
    frames_wanted = max(MIN_FRAMES, min(MAX_FRAMES, FRAME_WORK // max(len(past.objects), 1)))
    origin = past.at  # `at`, no later than now
    slice_ = max((end - origin) / frames_wanted, 1e-9)
    frames: list[dict] = []
    shown, bucket = start, None
    rows = Entry.objects.filter(cluster=cluster, at__gt=at).exclude(mark="event") \
        .order_by("to_rv", "id").only("at", "elapsed", "events")
    for entry in rows.iterator(chunk_size=200):
        here = int((entry.at - origin) / slice_)
        if bucket is not None and here != bucket:
            shown = _frame(frames, past, shown, namespace)
        bucket = here
        _apply(past, entry)
    if bucket is not None:
        _frame(frames, past, shown, namespace)
    return {"past": True, "at": at, "now": end, "clock": clock,
            "elements": start, "frames": frames}


def _frame(frames: list, past: Past, shown: list[dict], namespace: str) -> list[dict]:
    now = elements(past.by_resource(), namespace, _outside(past))
    frames.append({"at": past.at, "clock": past.clock(), **delta(shown, now)})
    return now


def inspect_at(slug: str, at: float, element_id: str) -> dict:
    """The Inspect tab for moment `at`: the object's YAML and events as they were then."""
    past = past_at(cluster_of(slug), at)
    objects = [o for o in _objects_of(past, element_id) if o is not None]
    if not objects:
        return {"id": element_id, "yaml": "", "events": [], "past": True,
                "note": _("nothing stood behind this element at that moment")}
    text = "---\n".join(yaml.safe_dump(o, sort_keys=False, default_flow_style=False)
                        for o in objects)
    return {"id": element_id, "yaml": text, "events": _events_of(past, objects[0]),
            "past": True, "at": at}


def _objects_of(past: Past, element_id: str) -> list[dict | None]:
    parts = element_id.split("/")
    prefix = parts[0]
    if prefix == "node" and len(parts) == 2:
        return [past.objects.get((RESOURCES["Node"], "", parts[1]))]
    if prefix in PREFIX_KINDS and len(parts) == 3:
        return [past.objects.get((RESOURCES[PREFIX_KINDS[prefix]], parts[1], parts[2]))]
    if prefix == "ep" and len(parts) == 4:
        return [obj for (res, ns, _name), obj in sorted(past.objects.items())
                if res == RESOURCES["EndpointSlice"] and ns == parts[1] and
                ((obj["metadata"].get("labels") or {}).get("kubernetes.io/service-name")
                 == parts[2])]
    if prefix == "own" and len(parts) >= 6:
        return _objects_of(past, "/".join(parts[-3:]))
    if prefix == "route" and len(parts) >= 3:
        return [past.objects.get((RESOURCES["Ingress"], parts[1], parts[2]))]
    return []


def _events_of(past: Past, obj: dict) -> list[dict]:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or "default"
    mine = [e for (res, ns, _name), e in past.objects.items()
            if res == "events" and ns == namespace
            and (e.get("involvedObject") or {}).get("kind") == obj.get("kind")
            and (e.get("involvedObject") or {}).get("name") == meta.get("name")]
    return event_rows(mine)
