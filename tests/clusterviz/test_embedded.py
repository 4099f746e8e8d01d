"""The embedded default: one daphne on SQLite, whose own ticker moves the clocks.

The first request starts the ticker; after one write nobody asks anything,
and the pods still start in the database, because their timers fell due.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import yaml

pytest_plugins = ["service_fixtures"]

LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"
APPS = "/k8s/clusters/solo/apis/apps/v1/namespaces/default/replicasets"


def _phases(database_url: str) -> list[str]:
    from service_fixtures import query
    rows = query(database_url, "SELECT o.body FROM clusters_storedobject o JOIN clusters_cluster c"
                 " ON c.id = o.cluster_id WHERE c.slug = 'solo' AND o.resource = 'pods' AND "
                 "o.namespace = 'default'")
    return sorted(json.loads(body)["status"].get("phase", "") for (body,) in rows)


def test_the_in_process_ticker_starts_pods_while_nobody_asks(processes, sqlite_env, run_manage):
    run_manage(sqlite_env, "ensure_cluster", "solo")
    server = processes.daphne(sqlite_env)  # its first request starts the ticker
    body = json.dumps(yaml.safe_load((LECTURE / "rs-node-web.yaml").read_text())).encode()
    from service_fixtures import api_token
    request = urllib.request.Request(server.url + APPS, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {api_token(sqlite_env)}"})
    assert urllib.request.urlopen(request, timeout=30).status == 201
    database = sqlite_env["DATABASE_URL"]
    assert _phases(database) == ["Pending"] * 3
    deadline = time.monotonic() + 10
    while _phases(database) != ["Running"] * 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _phases(database) == ["Running"] * 3
