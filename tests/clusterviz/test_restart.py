"""State and clock survive a server restart: kill daphne mid-lesson, start it again."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

pytest_plugins = ["service_fixtures"]
KUBECTL = Path(sys.executable).parent / "kubectl"
LECTURE = Path(__file__).resolve().parents[2].parent / "shared" / "lecture"


def _kubectl(server, tmp_path, *args: str) -> str:
    config = tmp_path / f"kubeconfig-{server.port}"
    if not config.exists():  # the teacher's, over the server's TLS endpoint
        from service_fixtures import manage
        manage(server.env, "ensure_teacher")
        manage(server.env, "kubeconfig", "lesson", "--server", server.tls_url, "-o", str(config))
    done = subprocess.run([str(KUBECTL), "--kubeconfig", str(config), "--cache-dir",
                           str(tmp_path / "cache"), *args], cwd=LECTURE, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def _pods(server, tmp_path) -> dict[str, tuple[str, str]]:
    items = json.loads(_kubectl(server, tmp_path, "get", "pods", "-o", "json"))["items"]
    return {p["metadata"]["name"]: (p["metadata"]["uid"], p["metadata"]["creationTimestamp"])
            for p in items}


def _ages(server, tmp_path) -> dict[str, tuple[str, int]]:
    """Each pod's STATUS and AGE in seconds, as the server's Table prints them."""
    rows = _kubectl(server, tmp_path, "get", "pods").strip().splitlines()[1:]
    out = {}
    for row in rows:
        name, _ready, status, _restarts, age = re.split(r"\s{2,}", row.strip())
        minutes, seconds = re.fullmatch(r"(?:(\d+)m)?(\d+)s", age).groups()
        out[name] = (status, int(minutes or 0) * 60 + int(seconds))
    return out


def test_the_cluster_and_its_clock_survive_a_restart(processes, sqlite_env, run_manage,
                                                    tmp_path):
    env = sqlite_env
    run_manage(env, "ensure_cluster", "lesson")
    first = processes.daphne(env)
    assert _kubectl(first, tmp_path, "create", "-f", "rs-node-web.yaml") == \
        "replicaset.apps/rs-node-web created\n"
    # the statuses first: the containers start a few seconds of the clock after the create,
    # which a loaded machine's kubectl runs can use up
    ages_before = _ages(first, tmp_path)
    assert {status for status, _ in ages_before.values()} == {"ContainerCreating"}
    before = _pods(first, tmp_path)

    first.stop(kill=True)  # mid-lesson: the containers have not started yet
    down = time.monotonic()
    time.sleep(2)
    second = processes.daphne(env)
    after = _pods(second, tmp_path)
    ages_after = _ages(second, tmp_path)
    waited = time.monotonic() - down

    assert after == before  # the same pods: names, uids, creation times
    for name, (_status, age) in ages_after.items():
        # the clock went on while the server was down: no reset, no jump
        assert ages_before[name][1] + int(waited) - 1 <= age <= ages_before[name][1] + waited + 2
    assert {status for status, _ in ages_after.values()} == {"Running"}
