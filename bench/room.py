"""`make bench`: the teacher's room, measured on a real daphne: roster delay, history cost.

Two numbers, each beside a floor from the same run:

- The roster's delay: a class of `STUDENTS` students, the teacher's roster socket
  open (`/ws/classes/<pk>/roster`, as the class page opens it); students create pods
  through the Kubernetes API one after another, and the delay is from the create's
  response reaching the student to the roster receiving that student's card with the
  create as its last command and the pod counted (p50, p99, max). The floor: a bare
  Channels echo round trip on the same daphne (bench.echo_asgi).
- What the command history costs a request: the median of `GET pods` (a line in the
  history: "list pods") beside the same list with `resourceVersion=0` (an informer's
  re-list: no line), alternated on one connection.

The server is bench.api's (a daphne subprocess on 127.0.0.1 against a temporary SQLite
database, the in-memory channel layer); the class is made with `manage.py shell`.
Prints numbers, asserts nothing.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time

import websocket

from bench.api import Server, echo_round_trips, percentile, running_server

STUDENTS = 10
ROUNDS = 40
LISTS = 200
MAKE_CLASS = """
import json
from django.contrib.auth import get_user_model
from clusterviz.classroom import tokens
from clusterviz.classroom.models import Classroom
from clusterviz.classroom.views import student_cluster
users = get_user_model().objects
room = Classroom.objects.create(name="bench", teacher=users.get(username="teacher"),
                                code="BENCH2")
out = {"class": room.pk, "students": []}
for i in range(%d):
    cluster = student_cluster(room, users.create_user(f"s{i}"))
    out["students"].append({"slug": cluster.slug, "token": tokens.issue(cluster.owner,
                                                                         cluster.slug)})
print(json.dumps(out))
"""


class RoomServer(Server):
    """bench.api's server with a class of students instead of the one big cluster."""

    room: dict

    def manage(self, *args: str) -> str:
        if args[:1] == ("ensure_cluster",):
            out = super().manage("shell", "-c", MAKE_CLASS % STUDENTS)
            self.room = json.loads(out.strip().splitlines()[-1])
            return ""
        if args[:1] == ("kubeconfig",):  # the teacher's, for any cluster of the class
            return super().manage("kubeconfig", self.room["students"][0]["slug"], *args[2:])
        return super().manage(*args)


class Roster(threading.Thread):
    """The teacher's roster socket; every card it receives, with when."""

    def __init__(self, server: RoomServer) -> None:
        super().__init__(daemon=True)
        url = f"ws://127.0.0.1:{server.port}/ws/classes/{server.room['class']}/roster"
        self.socket = websocket.create_connection(
            url, origin=server.base, header=[f"Cookie: sessionid={server.session_cookie()}"])
        first = json.loads(self.socket.recv())
        assert first["type"] == "cards", first
        self.cards: list[tuple[float, dict]] = []
        self.lock = threading.Condition()

    def run(self) -> None:
        while True:
            try:
                message = json.loads(self.socket.recv())
            except Exception:
                return
            if message.get("type") == "card":
                with self.lock:
                    self.cards.append((time.perf_counter(), message["card"]))
                    self.lock.notify_all()

    def wait_for(self, slug: str, last: str, timeout: float = 10.0) -> float | None:
        deadline = time.perf_counter() + timeout
        with self.lock:
            while True:
                for at, card in self.cards:
                    if card["slug"] == slug and (card.get("last") or {}).get("text") == last:
                        return at
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.lock.wait(left)


def _post(server: RoomServer, student: dict, body: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", f"/k8s/clusters/{student['slug']}/api/v1/namespaces/default/pods",
                     body=json.dumps(body), headers={
                         "Content-Type": "application/json", "Kubectl-Command": "kubectl run",
                         "Authorization": f"Bearer {student['token']}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def roster_delays(server: RoomServer) -> tuple[list[float], int]:
    roster = Roster(server)
    roster.start()
    delays, lost = [], 0
    for n in range(ROUNDS):
        student = server.room["students"][n % STUDENTS]
        name = f"p{n}"
        status = _post(server, student, {"apiVersion": "v1", "kind": "Pod",
                                         "metadata": {"name": name}, "spec": {"containers": [
                                             {"name": "c", "image": "nginx:1.25"}]}})
        answered = time.perf_counter()
        if status != 201:
            lost += 1
            continue
        at = roster.wait_for(student["slug"], f"kubectl run: create pods/{name}")
        if at is None:
            lost += 1
        else:
            delays.append(max(at - answered, 0.0))
        time.sleep(0.05)
    roster.socket.close()
    return delays, lost


def list_costs(server: RoomServer) -> tuple[list[float], list[float]]:
    student = server.room["students"][0]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    path = f"/k8s/clusters/{student['slug']}/api/v1/namespaces/default/pods"
    headers = {"Accept": "application/json", "Authorization": f"Bearer {student['token']}",
               "Kubectl-Command": "kubectl get"}
    recorded, skipped = [], []
    for n in range(LISTS):
        for query, into in (("", recorded), ("?resourceVersion=0", skipped)):
            started = time.perf_counter()
            conn.request("GET", path + query, headers=headers)
            conn.getresponse().read()
            if n >= 10:  # warm-up
                into.append(time.perf_counter() - started)
    conn.close()
    return recorded, skipped


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def main() -> None:
    with running_server(RoomServer, "clusterviz-bench-room-") as server:
        echo = echo_round_trips(server)
        delays, lost = roster_delays(server)
        recorded, skipped = list_costs(server)
    print(f"room: a class of {STUDENTS}, the teacher's roster open, {ROUNDS} pod creates")
    if delays:
        print(f"  create answered -> roster card: p50 {_ms(statistics.median(delays))}, "
              f"p99 {_ms(percentile(delays, 0.99))}, max {_ms(max(delays))} "
              f"({len(delays)} seen, {lost} not seen within 10 s)")
    print(f"  floor, websocket echo round trip: p50 {_ms(statistics.median(echo))}")
    print(f"  GET pods with its history line: median {_ms(statistics.median(recorded))}; "
          f"without (resourceVersion=0, no line): {_ms(statistics.median(skipped))}")


if __name__ == "__main__":
    main()
