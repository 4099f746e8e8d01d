"""The hostile corpus (issue 10) against a live daphne: every payload of `bench.bombs` gets
the real server's 4xx (or its success) and never a 500, nothing refused is stored, no request
hangs (pytest-timeout, and each request's own timeout), a `replicas: 100000000` leaves the
cluster answering, and daphne's resident memory stays bounded, read from /proc in this
test's own process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import bombs
from tests.kubectl.kubectl_fixtures import teacher_web

pytest_plugins = ["kubectl_fixtures"]
SLUG = "hostile"
OTHER = "bystander"
REQUEST_TIMEOUT = 30  # seconds: a hang fails the request, not the whole session
MEMORY_BOUND = 400 * 1024 * 1024  # generous: without the bounds one bomb takes gigabytes


def _send(sender: bombs.Sender, method: str, path: str, body: bytes | None = None,
          content_type: str | None = None) -> tuple[int, str]:
    return sender.send(method, path.format(slug=SLUG), body, content_type,
                       timeout=REQUEST_TIMEOUT)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def clusters(server) -> bombs.Sender:
    """The two clusters, and a Sender as the signed-in teacher with a token for each."""
    tokens = {}
    for slug in (SLUG, OTHER):
        server.manage("ensure_cluster", slug)
        tokens[slug] = bombs.token_of(server.manage("kubeconfig", slug))
    session = next(c.value for c in teacher_web(server.url).jar if c.name == "sessionid")
    sender = bombs.Sender(server.url, session, tokens)
    assert _send(sender, "GET", bombs.CONFIGMAPS)[0] == 200  # engine loaded: memory settles
    return sender


@pytest.fixture(scope="module")
def baseline(clusters, server) -> int:
    return _rss(server.pid)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bomb", [pytest.param(b, id=b.id) for b in
                                  bombs.API_BOMBS + bombs.DASHBOARD_BOMBS])
def test_each_payload_gets_the_real_servers_answer(clusters, baseline, bomb):
    status, body = _send(clusters, bomb.method, bomb.path, bomb.body, bomb.content_type)
    assert (status, bomb.text in body) == (bomb.status, True), body[:500]
    if bomb.refused:
        assert _send(clusters, "GET", f"{bombs.CONFIGMAPS}/{bomb.refused}")[0] == 404


@pytest.mark.timeout(120)
def test_the_emoji_escape_is_stored_as_one_emoji(clusters, baseline):
    [bomb] = [b for b in bombs.DASHBOARD_BOMBS if b.id == "dashboard-emoji-escape"]
    _send(clusters, bomb.method, bomb.path, bomb.body, bomb.content_type)  # if not yet sent
    status, body = _send(clusters, "GET", f"{bombs.CONFIGMAPS}/emoji")
    assert status == 200 and json.loads(body)["data"] == {"a": "\U0001F600"}


@pytest.mark.timeout(180)
def test_a_hundred_million_replicas_leave_the_cluster_answering(clusters, baseline):
    bomb = bombs.REPLICAS_BOMB
    status, body = _send(clusters, bomb.method, bomb.path, bomb.body, bomb.content_type)
    assert (status, bomb.text in body) == (201, True)
    # while the ticker works through the backlog, the cluster and the server still answer
    for _ in range(5):
        assert _send(clusters, "GET", "/k8s/clusters/{slug}/version")[0] == 200
        assert _send(clusters, "GET", bombs.CONFIGMAPS + "?limit=1")[0] == 200
    status, body = _send(clusters, "GET", bombs.REPLICASETS + "/flood")
    assert json.loads(body)["status"]["replicas"] < 100_000_000
    gone = _send(clusters, "DELETE", bombs.REPLICASETS + "/flood",
                 b'{"propagationPolicy": "Background"}', "application/json")
    assert gone[0] == 200


@pytest.mark.timeout(60)
def test_the_servers_memory_stayed_bounded(server, clusters, baseline):
    # runs last in this module: after every bomb above
    grown = _rss(server.pid) - baseline
    assert grown < MEMORY_BOUND, f"daphne grew by {grown / 2**20:.0f} MiB"
