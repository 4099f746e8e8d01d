"""`make bench`, what a request-panel run and an exec cost the server: printed, never asserted.

A curl from a pod through `POST /clusters/<slug>/run` changes a log line and
a conntrack/affinity entry at most, yet it saves (`runtime.run(...,
force_save=True)`); so does a `kubectl exec`. On a `large`-preset cluster
(100 nodes) with 60 and then 2,000 Running pods behind one Service, stored in
a temporary SQLite database as the app stores it, this prints the median
server time (wall, and this process's CPU) of:

    from clusterviz.k8sapi import execstream
    from clusterviz.operations import actions
- a ConfigMap created through `runtime.run` (issue 12's create round trip
  without HTTP);
- beside floors from the same run: `GET /k8s/clusters/<slug>/version` through
  the same client (a request that touches no cluster), the curl on the
  engine alone (no load, no save), and a bare one-row transaction on the same
  database (the commit every save pays, whatever it writes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

RUNS = 20
SIZES = (60, 2000)
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
      containers: [{{name: web, image: "whatwant/node-web:1.0", ports: [{{containerPort: 8080}}]}}]
"""
SVC = """apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: bench}
  ports: [{port: 80, targetPort: 8080}]
"""


def _setup(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterviz.settings")
    os.environ["CLUSTERVIZ_TICKER"] = "0"
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", "--noinput", verbosity=0)


def _median_ms(fn, runs: int = RUNS) -> tuple[float, float]:
    """Medians in ms of wall time and of this process's CPU time: the machine may be
    shared, and CPU time is what the server spends whoever else runs."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _ms(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.1f} ms ({pair[1]:.1f} ms CPU)"


def _fill(slug: str, pods: int) -> None:
    """A paused cluster with `pods` Running pods: the ticks take up the bounded steps."""
    from django.utils import timezone

    from clusterviz.clusters import runtime
    from clusterviz.clusters.models import Cluster
    runtime.create_cluster(slug, preset="large", speed=0)  # a paused clock: no drift
    runtime.run(slug, lambda sim: sim.apply(SVC, create=True))
    runtime.run(slug, lambda sim: sim.apply(RS.format(replicas=pods), create=True))
    later = timezone.now() + timedelta(days=1)

    def running(sim) -> bool:
        return all(p["status"].get("phase") == "Running"
                   for p in sim.api.list_ref("pods", "default"))
    for _ in range(100_000):
        if Cluster.objects.get(slug=slug).next_due_at is not None:
            runtime.tick(slug, now=later)
        elif runtime.run(slug, running):  # and a moment for their servers to listen
            runtime.run(slug, lambda sim: sim.advance(5), force_save=True)
            return
        else:  # the pods wait for time: the paused clock moves only when told
            runtime.run(slug, lambda sim: sim.advance(5), force_save=True)
    raise RuntimeError(f"{slug}: pods not Running")


def _client(slug: str):
    """Django's test client signed in as a teacher, with the teacher's API token."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from clusterviz.classroom import tokens
    user, _ = get_user_model().objects.get_or_create(username="bench-teacher",
                                                     defaults={"is_staff": True})
    client = Client(headers={"Authorization": f"Bearer {tokens.issue(user, slug)}"})
    client.force_login(user)
    return client


def _measure(pods: int) -> None:
    from django.db import connection, transaction

    from clusterviz.clusters import engines, runtime
    from clusterviz.clusters.models import Cluster
    from clusterviz.k8sapi import execstream
    from clusterviz.operations import actions
    slug = f"bench-{pods}"
    _fill(slug, pods)
    ip = runtime.run(slug, lambda sim: sim.get("services", "web")["spec"]["clusterIP"])
    pod = runtime.run(slug, lambda sim: sim.api.list_ref("pods", "default")[0]["metadata"]["name"])
    source = actions.Source("pod", pod, "default")
    command = f"curl -s http://{ip}"
    client = _client(slug)
    body = {"source": {"kind": "pod", "name": pod, "namespace": "default"}, "command": command}

    def panel() -> None:
        answer = client.post(f"/clusters/{slug}/run", body, content_type="application/json")
        if answer.status_code != 200 or answer.json()["exit_code"] != 0:
            raise RuntimeError(f"the request panel's curl failed: {answer.content[:300]!r}")
    panel()
    run = _median_ms(panel)
    options = execstream.ExecOptions(command=("sh", "-c", "date > /tmp/last"), stdout=True)
    exec_ = _median_ms(lambda: execstream.execute(slug, "default", pod, "web", options))

    def version() -> None:
        if client.get(f"/k8s/clusters/{slug}/version").status_code != 200:
            raise RuntimeError("GET /version failed")
    version()
    floor_http = _median_ms(version)
    sim = engines.engine_for(Cluster.objects.get(slug=slug))
    engine = _median_ms(lambda: actions.exec_from(sim, source, command))
    count = iter(range(10**9))

    def create() -> None:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{next(count)}"}}
        runtime.run(slug, lambda s: s.api.create("configmaps", body, "default"))
    created = _median_ms(create)

    def commit() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE clusters_cluster SET name = name WHERE slug = %s", [slug])
    floor = _median_ms(commit)
    print(f"save: {pods} Running pods: POST /run (a request-panel curl) {_ms(run)}, an exec "
          f"{_ms(exec_)}, a ConfigMap create {_ms(created)} (medians of {RUNS}); floors: "
          f"GET /version {_ms(floor_http)}, the curl on the engine alone {_ms(engine)}, "
          f"a one-row commit {_ms(floor)}")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-save-"))
    try:
        _setup(folder)
        for pods in (int(arg) for arg in sys.argv[1:]) if sys.argv[1:] else SIZES:
            _measure(pods)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
