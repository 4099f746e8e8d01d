"""Scaled out: daphne processes with their tickers off, `runsim` running the clocks,
all sharing PostgreSQL and Redis.

The test writes once through one daphne and then makes no request at all,
so whatever moves afterwards was moved by runsim: first nothing moves (the
daphne tickers are off and no runsim runs yet), then two runsim processes
start and the pods start running in the database, and every change they
saved reaches a listener on the cluster's Redis group, in one unbroken
chain of resourceVersions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import urllib.request
from pathlib import Path

import yaml

pytest_plugins = ["service_fixtures"]

LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"
APPS = "/k8s/clusters/{}/apis/apps/v1/namespaces/default/replicasets"
LISTENER = "scaledouttest"


def _post(url: str, body: dict, token: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def _phases(database_url: str, slug: str) -> list[str]:
    from service_fixtures import query
    rows = query(database_url, "SELECT o.body FROM clusters_storedobject o JOIN clusters_cluster c"
                 " ON c.id = o.cluster_id WHERE c.slug = %s AND o.resource = 'pods' AND "
                 "o.namespace = 'default'", (slug,))
    bodies = [json.loads(b) if isinstance(b, str) else b for (b,) in rows]
    return sorted(b["status"].get("phase", "") for b in bodies)


def _stored(database_url: str, slug: str) -> tuple[int, int, object]:
    from service_fixtures import query
    return query(database_url, "SELECT resource_version, version, next_due_at FROM "
                 "clusters_cluster WHERE slug = %s", (slug,))[0]


def _until(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


class Listener:
    """A member of the cluster's group on Redis; messages wait there until drained."""

    def __init__(self, redis_url: str, slug: str):
        from channels_redis.core import RedisChannelLayer
        self.layer = RedisChannelLayer(hosts=[redis_url], capacity=1000)
        asyncio.run(self.layer.group_add(f"cluster.{slug}", LISTENER))

    def drain(self, wait: float = 1.0) -> list[dict]:
        async def receive_all() -> list[dict]:
            out = []
            while True:
                try:
                    out.append(await asyncio.wait_for(self.layer.receive(LISTENER), wait))
                except TimeoutError:
                    await self.layer.close_pools()
                    return out
        return asyncio.run(receive_all())


def test_runsim_runs_the_clocks_of_a_scaled_out_deployment(postgres, redis_url, processes,
                                                          run_manage):
    from service_fixtures import api_token, app_env
    database = postgres.create_database("scaled")
    env = app_env(database, REDIS_URL=redis_url, CLUSTERVIZ_TICKER="0")
    run_manage(env, "migrate", "--noinput", "-v0")
    run_manage(env, "ensure_cluster", "scaled")
    web = [processes.daphne(env), processes.daphne(env)]
    listener = Listener(redis_url, "scaled")

    rs = yaml.safe_load((LECTURE / "rs-node-web.yaml").read_text())
    assert _post(web[0].url + APPS.format("scaled"), rs, api_token(env)) == 201
    written_rv, written_version, due = _stored(database, "scaled")
    assert due is not None  # the kubelet's timers are pending
    time.sleep(3)  # the containers were due after 2 s, but no process runs the clocks
    assert _phases(database, "scaled") == ["Pending"] * 3
    assert _stored(database, "scaled")[1] == written_version

    runners = [processes.runsim(env, "-v", "2"), processes.runsim(env, "-v", "2")]
    assert _until(lambda: _phases(database, "scaled") == ["Running"] * 3, timeout=20)
    final_rv, final_version, due = _until(
        lambda: (row := _stored(database, "scaled"))[2] is None and row, timeout=20)
    for runner in runners:
        runner.stop()
    advanced = sum(int(n) for runner in runners
                   for n in re.findall(r"advanced (\d+) cluster", runner.output()))
    assert advanced == final_version - written_version  # every save since was a runsim tick

    ticks = [m for m in listener.drain() if m["from_rv"] >= written_rv]
    assert ticks[0]["from_rv"] == written_rv and ticks[-1]["to_rv"] == final_rv
    assert all(m["from_rv"] == prev["to_rv"] for prev, m in itertools.pairwise(ticks))
    pods = {c["name"] for m in ticks for c in m["changes"] if c["resource"] == "pods"}
    assert len(pods) == 3 and all(name.startswith("rs-node-web-") for name in pods)
