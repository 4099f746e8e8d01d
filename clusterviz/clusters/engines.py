"""The per-process cache of live engines, and how an engine is built from the database.

Building a `Simulation` from its rows costs milliseconds, running one costs
less, so each process keeps the last engine it used per cluster, keyed by
the cluster's `version`. A version that moved (another process saved)
means the cached engine is stale: it is dropped and rebuilt. Engines are
not thread-safe; `lock_for` gives the per-cluster lock every user of a
cached engine holds, so the threads of one process take turns while
processes race through the compare-and-swap in `runtime`.

On disk an engine is three things (`models`): the small `Cluster.state`
(config, clock and timers, cursor), one `EnginePart` row per piece of the
engine's runtime state (the rng, and each section of `engine.runtime`: the
kubelet's containers, the event correlator, kube-proxy's affinity tables...)
and one row per object. Splitting the runtime state out keeps the row every
request reads small, and lets a save rewrite only the parts that changed.
To know what changed, the cache keeps beside each engine a snapshot of the
parts as they are stored at that version (`saved_parts`), and a save
compares the live parts with it (`clusters.delta`): the small parts whole,
a deep `==` of dicts that runs in C, and of the tables that grow with the
cluster only the entries the engine noted as touched since they were stored
(`Simulation.touched`; `remember` with the parts makes it forget). The
trade-off is memory (a second copy of the runtime state per cached engine)
and that `==` is Python's equality, under which 1 == 1.0 == True; the engine
never swaps a stored number for a bool or an equal float, so no change is
missed in practice.

Sections that grow with the cluster are split finer (`FINE`): the kubelet's
`pods` table is stored one row per pod record (`runtime/kubelet/pods/<key>`),
and the section's own row keeps the table's keys in order in its place. A
curl or an exec changes one container's logs or a conntrack entry, so its
save writes one pod's row (a few kB) and not the table (megabytes at 2,000
pods); adding or removing a pod rewrites the section's row with its list of
keys as well. The per-pod names stay out of `Cluster.state["parts"]`, the
row every request reads: the section's row orders them.

The clock's timers (a few per pod: 90 kB at 2,000 pods) live in a part of
their own (`clock/timers`) for the same reason; the row keeps the soonest
`TIMERS_IN_ROW` of them, which is what its readers use (the next due time,
the time controls' list of pending timers).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from clusterviz.clusters.models import Cluster, EnginePart, StoredObject
from simcore import Simulation

RUNTIME = "runtime/"  # part names: "rng", and "runtime/<section>" per engine.runtime section
# section -> its table stored one row per entry, as "runtime/<section>/<table>/<key>"
FINE = {"kubelet": "pods"}
TIMERS = "clock/timers"  # the clock's timers, soonest first; the row keeps their head
TIMERS_IN_ROW = 16  # at least operations.timecontrol.MAX_PENDING_SHOWN


@dataclass
class _Entry:
    version: int
    sim: Simulation
    parts: dict[str, object] | None  # the parts as stored at `version`; None when unknown


_cache: dict[int, _Entry] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def lock_for(slug: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault(slug, threading.Lock())


def cached(cluster: Cluster) -> Simulation | None:
    entry = _cache.get(cluster.pk)
    if entry is not None and entry.version == cluster.version:
        return entry.sim
    return None


def saved_parts(cluster: Cluster) -> dict[str, object] | None:
    """The parts as stored at the cluster's version, if this process knows them."""
    entry = _cache.get(cluster.pk)
    if entry is not None and entry.version == cluster.version:
        return entry.parts
    return None


def remember(cluster: Cluster, sim: Simulation, parts: dict[str, object] | None = None) -> None:
    """Cache `sim` at the cluster's version. `parts`: what is stored for it now, the engine's
    state exactly, so its tables forget what they noted (`Simulation.touched`: from here on
    they note what will differ). Without `parts` the stored parts are taken to be those
    already known for this engine (a save that only moved the version)."""
    entry = _cache.get(cluster.pk)
    if parts is not None:
        sim.untouch()
    elif entry is not None and entry.sim is sim:
        parts = entry.parts
    _cache[cluster.pk] = _Entry(cluster.version, sim, parts)


def forget(cluster_id: int | None = None) -> None:
    """Drop one cluster's engine (all of them with no id): after a lost race or a crash."""
    if cluster_id is None:
        _cache.clear()
    else:
        _cache.pop(cluster_id, None)


def engine_for(cluster: Cluster) -> Simulation:
    """The cluster's engine at its stored version: from the cache, or rebuilt from the rows."""
    sim = cached(cluster)
    if sim is None:
        parts = stored_parts(cluster)
        sim = Simulation.from_state(full_state(cluster, parts))  # from_state copies the parts
        remember(cluster, sim, parts)
    return sim


def stored_parts(cluster: Cluster) -> dict[str, object]:
    return dict(EnginePart.objects.filter(cluster=cluster).values_list("name", "body"))


def full_state(cluster: Cluster, parts: dict[str, object] | None = None) -> dict:
    """`Simulation.state()` again: the stored engine state, its parts and the object rows."""
    parts = stored_parts(cluster) if parts is None else parts
    objects: dict[str, list[dict]] = {}
    rows = StoredObject.objects.filter(cluster=cluster).order_by("resource", "namespace", "name")
    for resource, body in rows.values_list("resource", "body"):
        objects.setdefault(resource, []).append(body)
    state = join_parts(cluster.state, parts)
    state["store"] = {"rv": cluster.resource_version, "objects": objects}
    return state


def split_state(sim: Simulation, objects: bool = True
                ) -> tuple[dict, dict[str, object], dict[str, list[dict]]]:
    """The engine's state as stored: the row's state, the parts, the objects by resource
    (none without `objects`). The parts are the live engine's own dicts, not copies: read
    them, never change them."""
    state, parts, tables, by_resource = split_rows(sim, objects)
    for prefix, table in tables.items():
        parts.update((prefix + key, record) for key, record in table.items())
    return state, parts, by_resource


def split_rows(sim: Simulation, objects: bool = False
               ) -> tuple[dict, dict[str, object], dict[str, dict], dict[str, list[dict]]]:
    """`split_state` without the FINE tables' entries: the row's state, the parts but those,
    each FINE table by the prefix of its entries' names, and the objects by resource. What
    a save needs when it writes only the entries that changed (`clusters.delta`)."""
    state = sim.state(objects=objects)
    by_resource = state["store"].pop("objects", {})
    parts: dict[str, object] = {"rng": state.pop("rng")}
    tables: dict[str, dict] = {}
    for section, value in state.pop("runtime").items():
        table = FINE.get(section)
        if table is not None and isinstance(value.get(table), dict):
            tables[f"{RUNTIME}{section}/{table}/"] = value[table]
            value = {k: list(v) if k == table else v for k, v in value.items()}  # keys, in order
        parts[RUNTIME + section] = value
    clock = state["clock"]
    parts[TIMERS] = clock["timers"]
    state["clock"] = {**clock, "timers": clock["timers"][:TIMERS_IN_ROW]}
    state["parts"] = list(parts)  # their order, so that a rebuilt engine.runtime has it too
    return state, parts, tables, by_resource


def join_parts(row_state: dict, parts: dict[str, object]) -> dict:
    """The inverse of `split_state` without objects: the row's state with its parts put back."""
    state = {k: v for k, v in row_state.items() if k != "parts"}
    state["store"] = dict(state.get("store") or {})
    runtime = state["runtime"] = {}
    for name in row_state.get("parts") or sorted(n for n in parts if n.count("/") < 2
                                                 and n != TIMERS):
        if name == "rng":
            state["rng"] = parts[name]
        elif name == TIMERS:
            state["clock"] = {**state["clock"], "timers": parts[name]}
        elif name.startswith(RUNTIME):
            section = name.removeprefix(RUNTIME)
            runtime[section] = _joined(section, parts[name], parts)
    return state


def _joined(section: str, value: object, parts: dict[str, object]) -> object:
    """A section as the engine holds it: a FINE table's keys replaced by their rows."""
    table = FINE.get(section)
    if table is None or not isinstance(value, dict) or not isinstance(value.get(table), list):
        return value
    prefix = f"{RUNTIME}{section}/{table}/"
    return {k: {key: parts[prefix + key] for key in v} if k == table else v
            for k, v in value.items()}
