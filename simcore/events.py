"""The event recorder: what `kubectl get events` and `describe` show.

Controllers and the kubelet record events the way client-go's recorder does:
a repeat of the same event (same object, reason, message and source) bumps
`count` and `lastTimestamp` on the existing Event instead of creating
another, so the lecture's Job shows `Created pod` once per pod and a crash
loop shows `Back-off restarting failed container` with a growing count.

The correlator remembers which Event a repeat belongs to. In a real cluster
every recorder has its own (each node's kubelet, each controller, the
scheduler): a least-recently-used cache of 4,096 entries (client-go's
maxLruCacheEntries). So here: one bounded LRU per source (component and
host), not one for the whole cluster, which a 10,000-pod cluster's kubelets
would overflow with every tick, each repeat then creating a new Event.

The correlator's entries (`runtime["events"]`, correlation key -> Event name)
are saved with the cluster; the order in which each source used them is not:
it is kept beside them and rebuilt from the entries' order after a load (a
hit moves a key to the back of its source's order only, so a save does not
rewrite the table's list of keys at every repeat).

Not modelled: client-go's spam filter (a token bucket per source and object)
for events other than failing probe runs (the kubelet paces those itself,
node/kubelet.py), and its aggregator (ten events that differ only in their
message within ten minutes become one "(combined from similar events)").
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from simcore import errors, touched
from simcore.apiserver import INTERNAL, APIServer
from simcore.resources import lookup

if TYPE_CHECKING:  # a type only: the engine imports the controllers that record events
    from simcore.engine import Engine

# client-go's EventCorrelator remembers this many recent events (maxLruCacheEntries), per
# recorder
CORRELATOR_ENTRIES = 4096

_EVENTS = lookup("events")  # resolved once: the recorder writes for every pod step


class _Recency:
    """Per source, the correlation keys of `table` from least to most recently used."""

    def __init__(self, table: touched.Table) -> None:
        self.table = table
        self.by_source: dict[str, OrderedDict[str, None]] = {}
        for key in dict.keys(table):  # a plain walk: the Table notes nothing
            self.of(_source_of(key))[key] = None

    def of(self, source: str) -> OrderedDict[str, None]:
        order = self.by_source.get(source)
        if order is None:
            order = self.by_source[source] = OrderedDict()
        return order


def _key(meta: dict, reason: str, message: str, component: str, host: str,
         field_path: str) -> str:
    # the source comes after the message, which may hold "|": `_source_of` splits from the right
    return "|".join((meta.get("uid", meta["name"]), reason, message, component, host,
                     field_path))


def _source_of(key: str) -> str:
    _, component, host, _ = key.rsplit("|", 3)
    return f"{component}|{host}"


def _recency(engine: Engine, table: touched.Table) -> _Recency:
    """The use order beside the engine's correlator table, rebuilt when the table is new
    (a cluster loaded from its saved state)."""
    found = engine.event_recency
    if not isinstance(found, _Recency) or found.table is not table:
        found = engine.event_recency = _Recency(table)
    return found


def _reference(obj: dict) -> dict:
    meta = obj["metadata"]
    ref = {"kind": obj["kind"], "name": meta["name"], "uid": meta.get("uid", ""),
           "apiVersion": obj["apiVersion"], "resourceVersion": meta.get("resourceVersion", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


def record(engine: Engine, obj: dict, type_: str, reason: str, message: str, component: str,
           host: str | None = None, field_path: str | None = None) -> None:
    """Record (or count again) one event about `obj`."""
    api = engine.api
    meta = obj["metadata"]
    namespace = meta.get("namespace") or "default"
    state = touched.table(engine.runtime, "events")
    order = _recency(engine, state).of(f"{component}|{host or ''}")
    key = _key(meta, reason, message, component, host or "", field_path or "")
    now = api.clock.timestamp()
    name = state.get(key)
    if name is not None:
        order[key] = None
        order.move_to_end(key)  # the LRU's hit
        try:
            api.mutate("events", name, namespace, lambda ev: _bump(ev, now))
            return
        except errors.NotFound:
            pass
    name = _create(api, obj, type_, reason, message, component, host, field_path, now)
    if name is None:
        return
    state[key] = name
    order[key] = None
    if len(order) > CORRELATOR_ENTRIES:
        oldest, _ = order.popitem(last=False)  # least recently used, like the LRU cache
        state.pop(oldest, None)


def _create(api: APIServer, obj: dict, type_: str, reason: str, message: str, component: str,
            host: str | None, field_path: str | None, now: str) -> str | None:
    """A new Event with count 1; its name, or None when the API server refused it."""
    meta = obj["metadata"]
    namespace = meta.get("namespace") or "default"
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
        return None  # e.g. the namespace is terminating: the recorder drops the event, as client-go's
    return name


def _bump(event: dict, now: str) -> None:
    event["count"] = event.get("count", 1) + 1
    event["lastTimestamp"] = now
