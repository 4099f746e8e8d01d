"""The event recorder: what `kubectl get events` and `describe` show.

Controllers and the kubelet record events the way client-go's recorder does:
a repeat of the same event (same object, reason, message and source) within
the correlator's window bumps `count` and `lastTimestamp` on the existing
Event instead of creating another, so the lecture's Job shows `Created pod`
once per pod and a crash loop shows `Back-off restarting failed container`
with a growing count.
"""

from __future__ import annotations

from simcore import errors, touched
from simcore.apiserver import INTERNAL
from simcore.resources import lookup

# client-go's EventCorrelator remembers this many recent events (maxLruCacheEntries)
CORRELATOR_ENTRIES = 4096
# about how many resourceVersions pass between two compactions of the correlator's dict
COMPACT_EVERY = 512

_EVENTS = lookup("events")  # resolved once: the recorder writes for every pod step


def _reference(obj: dict) -> dict:
    meta = obj["metadata"]
    ref = {"kind": obj["kind"], "name": meta["name"], "uid": meta.get("uid", ""),
           "apiVersion": obj["apiVersion"], "resourceVersion": meta.get("resourceVersion", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


def record(engine, obj: dict, type_: str, reason: str, message: str, component: str,
           host: str | None = None, field_path: str | None = None) -> None:
    """Record (or count again) one event about `obj`."""
    api = engine.api
    meta = obj["metadata"]
    namespace = meta.get("namespace") or "default"
    state = touched.table(engine.runtime, "events")
    key = "|".join((meta.get("uid", meta["name"]), reason, message, component, host or "",
                    field_path or ""))
    now = api.clock.timestamp()
    name = state.get(key)
    if name is not None:
        try:
            api.mutate("events", name, namespace, lambda ev: _bump(ev, now))
            return
        except errors.NotFound:
            pass
    involved = _reference(obj)
    if field_path:
        involved["fieldPath"] = field_path
    source = {"component": component}
    if host:
        source["host"] = host
    nanos = int(api.clock.elapsed * 1e9) + int(api.clock.start.timestamp()) * 10**9
    name = f"{meta['name']}.{nanos + api.store.rv:x}"
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"name": name, "namespace": namespace},
             "involvedObject": involved, "reason": reason, "message": message,
             "source": source, "firstTimestamp": now, "lastTimestamp": now, "count": 1,
             "type": type_, "eventTime": None, "reportingComponent": component,
             "reportingInstance": host or ""}
    try:
        api.create(_EVENTS, event, namespace, INTERNAL, copy_result=False, owned=True)
    except errors.APIError:
        return  # e.g. the namespace is terminating: the recorder drops the event, as client-go's
    state[key] = name
    if len(state) > CORRELATOR_ENTRIES:
        del state[next(iter(state))]  # oldest first, like the correlator's LRU cache
        if api.store.rv % COMPACT_EVERY == 0:
            # each deletion at the front leaves a hole that next(iter()) then walks past,
            # thousands of them between the dict's own resizes; a copy has none (same
            # entries, same order)
            engine.runtime["events"] = touched.compacted(state)


def _bump(event: dict, now: str) -> None:
    event["count"] = event.get("count", 1) + 1
    event["lastTimestamp"] = now
