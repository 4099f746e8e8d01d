"""Two clients, two daphne processes, one object: one update wins or both apply, nothing lost.

Each client talks to its own daphne process, both on one database (SQLite
in WAL mode, then PostgreSQL), so the only thing between them is the
compare-and-swap on the cluster's version: the per-process lock never
sees the other process. A ReplicaSet starting its pods keeps both
processes' clock tickers busy claiming and saving while the clients race.
Afterwards the change log must hold every resourceVersion exactly once,
up to the cluster's: a lost update or a save done twice would show there.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

pytest_plugins = ["service_fixtures"]

LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"
CORE = "/k8s/clusters/race/api/v1/namespaces/default/configmaps"
APPS = "/k8s/clusters/race/apis/apps/v1/namespaces/default/replicasets"
CONFLICT = ('Operation cannot be fulfilled on configmaps "{}": the object has been modified; '
            "please apply your changes to the latest version and try again")


AUTH: dict[str, str] = {}  # the teacher's bearer token on the backend's database


def call(method: str, url: str, body: dict | None = None,
         content_type: str = "application/json") -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": content_type, "Accept": "application/json", **AUTH})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory, module_processes):
    """Two daphne processes on one fresh database, a cluster `race` with pods starting."""
    from service_fixtures import api_token, app_env, manage
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'db.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database("race")
    env = app_env(url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "ensure_cluster", "race")
    AUTH["Authorization"] = f"Bearer {api_token(env)}"
    servers = [module_processes.daphne(env), module_processes.daphne(env)]
    rs = yaml.safe_load((LECTURE / "rs-node-web.yaml").read_text())
    assert call("POST", servers[0].url + APPS, rs)[0] == 201
    yield url, servers
    for server in servers:
        server.stop()


def _configmap(server, name: str) -> dict:
    status, body = call("POST", server.url + CORE, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {}})
    assert status == 201, body
    return body


def _race(*calls) -> list:
    """Run the calls at the same moment, one thread each; their results in order."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def one(i, fn):
        start.wait()
        results[i] = fn()
    threads = [threading.Thread(target=one, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _put(server, body: dict):
    return lambda: call("PUT", f"{server.url}{CORE}/{body['metadata']['name']}", body)


def test_of_two_updates_from_one_version_exactly_one_wins(backend):
    _url, (a, b) = backend
    current = _configmap(a, "same-version")
    for round_ in range(8):
        results = _race(*[_put(server, {**current, "data": {"writer": f"{who}{round_}"}})
                          for server, who in ((a, "a"), (b, "b"))])
        assert sorted(status for status, _ in results) == [200, 409], results
        (won, _), (lost, _) = sorted(zip(results, "ab", strict=True), key=lambda r: r[0][0])
        assert lost[1]["reason"] == "Conflict"
        assert lost[1]["message"] == CONFLICT.format("same-version")
        status, current = call("GET", f"{b.url}{CORE}/same-version")
        assert current["data"] == {"writer": won[1]["data"]["writer"]}


def test_two_clients_patching_at_once_lose_nothing(backend):
    _url, (a, b) = backend
    _configmap(b, "both-apply")

    def patches(server, prefix: str):
        def send() -> list[int]:
            return [call("PATCH", f"{server.url}{CORE}/both-apply", {"data": {f"{prefix}{i}": "x"}},
                         "application/merge-patch+json")[0] for i in range(15)]
        return send
    results = _race(patches(a, "a"), patches(b, "b"))
    assert results == [[200] * 15, [200] * 15]
    _status, final = call("GET", f"{a.url}{CORE}/both-apply")
    assert sorted(final["data"]) == sorted([f"a{i}" for i in range(15)] +
                                           [f"b{i}" for i in range(15)])


def test_the_change_log_holds_every_version_once(backend):
    from service_fixtures import change_log_rvs
    url, (a, _b) = backend
    call("GET", a.url + CORE)  # one more catch-up, so the pods' timers have surely fired
    rvs, stored = change_log_rvs(url, "race")
    assert rvs == list(range(rvs[0], stored + 1))
