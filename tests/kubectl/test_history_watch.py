"""A restore under a real kubectl: `kubectl get pods -w` open across it sees what a client
sees when its resourceVersion is no longer valid (410 Gone, Expired), and a new list shows
the restored cluster."""

from __future__ import annotations

import json
import re

pytest_plugins = ["kubectl_fixtures", "test_streaming"]

from test_streaming import _pods, _spawn  # noqa: E402


def _post(server, path: str, body: dict) -> dict:
    """POST as the signed-in teacher at the page (session and CSRF token), the JSON answer."""
    from kubectl_fixtures import teacher_web  # registered by pytest_plugins by now
    status, _, text = teacher_web(server.url).request("POST", path, json_body=body)
    assert status == 200, text
    return json.loads(text)


def test_a_watch_across_a_restore_gets_410_and_a_relist_shows_the_past(server, fast):
    fast("create", "-f", "rs-node-web.yaml")
    _pods(fast)
    slug = fast.kubeconfig.read_text().split("/k8s/clusters/")[1].split()[0].rstrip("/")
    watcher = _spawn(fast, "get", "pods", "-w")
    listed = [watcher.stdout.readline() for _ in range(4)]  # the header and three pods
    assert all(" Running " in line for line in listed[1:]), listed
    rv_before = int(json.loads(fast("get", "--raw", "/api/v1/namespaces/default/pods").stdout)
                    ["metadata"]["resourceVersion"])
    done = _post(server, f"/clusters/{slug}/history/restore", {"at": 0})
    rv_after = int(done["resource_version"])
    assert rv_after > rv_before
    try:
        out, err = watcher.communicate(timeout=20)
    finally:
        watcher.kill()
    # kubectl prints the ERROR event's Status as a table row and the watch ends
    header, row = out.splitlines()
    assert header == "STATUS              REASON    MESSAGE"
    watched = re.fullmatch(r"Failure +Expired +too old resource version: (\d+) \((\d+)\)", row)
    assert watched and int(watched[1]) <= rv_before and int(watched[2]) == rv_after, row
    assert (err, watcher.returncode) == ("", 0)
    relisted = fast("get", "pods")
    assert (relisted.stdout, relisted.stderr) == ("", "No resources found in default namespace.\n")
    assert int(json.loads(fast("get", "--raw", "/api/v1/namespaces/default/pods").stdout)
               ["metadata"]["resourceVersion"]) >= rv_after
