"""`make bench`, hostile part: what the other students see while one sends bombs (issue 10).

One daphne (as `bench.api` starts it) with two lecture clusters. A bystander
times `GET` of the pods in its own cluster, one request after another, first
with nobody else on the server (the floor, measured in this same run), then
while a hostile client sends every payload of `bench.bombs` in a loop against
the other cluster (alias bombs, deep nesting, 2 MB objects, bad tags, and
once a `replicas: 100000000` ReplicaSet whose backlog the ticker then works
through). Printed: the bystander's p50 and p99 in both phases, daphne's
resident memory before and at its peak during the bombs, how many bombs
were answered with a 5xx (there should be none), and the hostile client's own
latencies. Numbers only, nothing asserted.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bench import bombs
from bench.api import percentile, running_server

HOSTILE = "hostile"
BYSTANDER = "bystander"
SAMPLES = 200


def _request(sender: bombs.Sender, bomb: bombs.Bomb) -> int:
    return sender.send(bomb.method, bomb.path.format(slug=HOSTILE), bomb.body,
                       bomb.content_type)[0]


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Bomber(threading.Thread):
    """Sends the flood once, then every other bomb in a loop until stopped."""

    def __init__(self, sender: bombs.Sender) -> None:
        super().__init__(daemon=True)
        self.sender = sender
        self.stopping = threading.Event()
        self.sent = self.errors = 0
        self.latencies: list[float] = []

    def run(self) -> None:
        corpus = [bombs.REPLICAS_BOMB]
        while not self.stopping.is_set():
            for bomb in corpus:
                if self.stopping.is_set():
                    return
                self.sent += 1
                start = time.perf_counter()
                self.errors += _request(self.sender, bomb) >= 500
                self.latencies.append(time.perf_counter() - start)
            corpus = bombs.API_BOMBS + bombs.DASHBOARD_BOMBS


def bystander_latencies(sender: bombs.Sender, pid: int, count: int) -> tuple[list[float], int]:
    """`count` GETs of the bystander's pods: their latencies, and the peak RSS seen."""
    path = f"/k8s/clusters/{BYSTANDER}/api/v1/namespaces/default/pods"
    times, peak = [], 0
    for _ in range(count):
        start = time.perf_counter()
        status, _ = sender.send("GET", path)
        assert status == 200, status
        times.append(time.perf_counter() - start)
        peak = max(peak, _rss(pid))
    return times, peak


def main() -> None:
    with running_server() as server:
        tokens = {}
        for slug in (HOSTILE, BYSTANDER):  # both as the teacher (a token each), signed in
            server.manage("ensure_cluster", slug)
            tokens[slug] = bombs.token_of(server.manage("kubeconfig", slug))
        sender = bombs.Sender(server.base, server.session_cookie(), tokens)
        pid = server.proc.pid
        bystander_latencies(sender, pid, 10)  # engines loaded, connections warm
        quiet, quiet_rss = bystander_latencies(sender, pid, SAMPLES)
        bomber = Bomber(sender)
        bomber.start()
        loud, loud_rss = bystander_latencies(sender, pid, SAMPLES)
        bomber.stopping.set()
        bomber.join(timeout=300)

    def ms(values: list[float], fraction: float) -> str:
        return f"{percentile(values, fraction) * 1000:.1f}"
    print(f"hostile student: another cluster's GET pods p50 {ms(loud, 0.5)} ms, p99 "
          f"{ms(loud, 0.99)} ms while {bomber.sent} bombs were sent ({bomber.errors} answered "
          f"5xx); with no bombs p50 {ms(quiet, 0.5)} ms, p99 {ms(quiet, 0.99)} ms [{SAMPLES} "
          f"each]; daphne RSS {quiet_rss / 2**20:.0f} MiB quiet, peak {loud_rss / 2**20:.0f} "
          "MiB under bombs")
    print(f"  the hostile student's own requests (its cluster working through the flood's "
          f"backlog): p50 {ms(bomber.latencies, 0.5)} ms, max {max(bomber.latencies) * 1000:.0f}"
          " ms")


if __name__ == "__main__":
    main()
