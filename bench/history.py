"""`make bench`, the time machine (clusterviz.history) at 2,000 pods: printed, never asserted.

On a `large`-preset cluster (100 nodes) with 2,000 Running pods, stored in a
temporary SQLite database exactly as the app stores it:

- the snapshot: its size packed (zlib JSON, as stored) and unpacked, and the
  time to take one (serialise `Simulation.state()` and compress it);
- an ordinary save (a ConfigMap created through `runtime.run`) with the
  history hook, beside the same save with the hook switched off: the
  median of each and the difference is what the history costs a save;
- the past view: the graph at a moment after the last snapshot, with a
  scale-up by 100 pods replayed from the entries, beside the floor of
  drawing the present (`graph.elements` of the stored rows);
- a restore to a moment after the snapshot (the replay forward, checked against
  the change log: its worst case, a change it cannot redo), and a restore to the
  snapshot, beside the floor of rebuilding the engine from its rows (what any
  process does after a restart).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import zlib
from pathlib import Path

SAVES = 20
PODS = 2000
RS = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: bench}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: bench}}}}
  template:
    metadata: {{labels: {{app: bench}}}}
    spec:
      enableServiceLinks: false
      containers: [{{name: web, image: "whatwant/node-web:1.0"}}]
"""


def _setup(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterviz.settings")
    os.environ["CLUSTERVIZ_TICKER"] = "0"
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", "--noinput", verbosity=0)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        _setup(folder)
        _measure()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _drain(runtime) -> None:
    """Let the ticks take the bounded steps a big apply leaves (`runtime.STEP_WRITES`), and
    the paused clock's pods start (a step of virtual time each round)."""
    for _ in range(2000):
        if not runtime.tick("bench"):
            runtime.run("bench", lambda sim: sim.run_until_idle(120))
            if not runtime.tick("bench"):
                return


def _measure() -> None:
    from clusterviz.clusters import engines, runtime
    from clusterviz.clusters.models import Cluster, StoredObject
    from clusterviz.history import past, record, restore
    from clusterviz.history.models import Snapshot
    from clusterviz.operations.graph import RESOURCES, elements

    runtime.create_cluster("bench", preset="large", speed=0)  # a paused clock: no drift
    runtime.run("bench", lambda sim: sim.apply(RS.format(replicas=PODS), create=True))
    _drain(runtime)
    cluster = Cluster.objects.get(slug="bench")
    sim = engines.engine_for(cluster)
    running = sum(p["status"].get("phase") == "Running" for p in sim.api.list_ref("pods"))
    timeline = record.timeline_of(cluster)
    here = sim.engine.clock.elapsed + timeline.offset
    took = _timed(lambda: record.take_snapshot(cluster, sim, timeline, here))
    snap = Snapshot.objects.filter(cluster=cluster).order_by("-id").first()
    packed = len(bytes(snap.state))
    raw = len(zlib.decompress(bytes(snap.state)))
    print(f"history: {running} Running pods; snapshot {packed / 1e6:.2f} MB packed, "
          f"{raw / 1e6:.1f} MB as JSON; taking one {took * 1000:.0f} ms "
          f"(at most one per {runtime.settings.HISTORY_SNAPSHOT_SECONDS:g} virtual s)")

    def save(i: int) -> None:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}}
        runtime.run("bench", lambda s: s.api.create("configmaps", body, "default"))

    with_hook = [_timed(lambda i=i: save(i)) for i in range(SAVES)]
    hook = record.saved
    record.saved = lambda *args, **kwargs: None
    try:
        without = [_timed(lambda i=i: save(SAVES + i)) for i in range(SAVES)]
    finally:
        record.saved = hook
    print(f"history: an ordinary save (one ConfigMap) {_median_ms(with_hook)} with the "
          f"history hook, {_median_ms(without)} without (median of {SAVES})")

    runtime.run("bench", lambda s: s.api.patch(
        "replicasets.apps", "bench", {"spec": {"replicas": PODS + 100}},
        "application/merge-patch+json", "default"))
    _drain(runtime)
    cluster = Cluster.objects.get(slug="bench")
    now = past.now_at(cluster)
    viewed = _timed(lambda: past.graph_at("bench", now))

    def present() -> None:
        rows = StoredObject.objects.filter(cluster=cluster, resource__in=RESOURCES.values())
        objects: dict[str, list] = {}
        for resource, body in rows.order_by("namespace", "name").values_list("resource", "body"):
            objects.setdefault(resource, []).append(body)
        elements(objects)
    floor = _timed(present)
    print(f"history: past view (graph at a moment after the snapshot, 100-pod scale-up "
          f"replayed) {viewed * 1000:.0f} ms; floor, the present drawn from its rows "
          f"{floor * 1000:.0f} ms")

    outcome: dict = {}
    between = _timed(lambda: outcome.update(restore.restore("bench", now)))
    landed = "there" if outcome["restored_to"] == now else \
        f"on the snapshot {now - outcome['restored_to']:.0f} s before it"
    print(f"history: restore to a moment after the snapshot (the scale-up made by no "
          f"person, so the replay from the snapshot cannot redo it and lands {landed}) "
          f"{between * 1000:.0f} ms")
    restored = _timed(lambda: restore.restore("bench", snap.at))
    engines.forget()
    rebuilt = _timed(lambda: engines.engine_for(Cluster.objects.get(slug="bench")))
    print(f"history: restore to the snapshot {restored * 1000:.0f} ms; floor, rebuilding "
          f"the engine from its rows {rebuilt * 1000:.0f} ms")


if __name__ == "__main__":
    main()
