"""One student of bench.classroom: joins, opens the dashboard, does the lesson, then acts.

The student joins with the class code (the join form: an account, a cluster,
signed in), opens their dashboard (the page, then its graph socket), downloads
the kubeconfig, and creates the lecture's step 3 and 4 objects through the
Kubernetes API as `kubectl create -f` does (`rs-node-web.yaml`, then
`svc-none-node-web.yaml`, from the lesson's own manifests), and waits until
svc-node has its three ready endpoints, as the lesson's check does.

Then each action is one of what a student does in that lesson, and each checks
its answer, not only its status: a `kubectl get` or `describe` through the API
(describe's reads share one `Kubectl-Session`, as kubectl's do), a curl to
svc-node's ClusterIP from a node through the request panel (`You've hit` a
node-web pod), a kubectl command in the web terminal (exit 0), and "Fire 100"
(`POST /clusters/<slug>/fire`: 100 curls, every one answered by a pod). Each
returns what the command history will show as its line, for the roster's delay.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from bench.classclient import Api, Feed, GraphCheck, Terminal, Web

MANIFESTS = Path(__file__).resolve().parent.parent / "clusterviz/lessons/data/manifests"
LESSON = (("rs-node-web.yaml", "/apis/apps/v1/namespaces/default/replicasets"),
          ("svc-none-node-web.yaml", "/api/v1/namespaces/default/services"))
APPLIED = (("replicasets", "rs-node-web"), ("services", "svc-node"))
LISTS = (("pods", "/api/v1/namespaces/default/pods"),
         ("services", "/api/v1/namespaces/default/services"),
         ("replicasets.apps", "/apis/apps/v1/namespaces/default/replicasets"),
         ("endpoints", "/api/v1/namespaces/default/endpoints"))
TERMINAL_LINES = ("kubectl get pods -o wide", "kubectl get svc",
                  "kubectl describe svc svc-node", "kubectl get endpoints svc-node")
FIRE = 100
READY_TIMEOUT = 120.0


class Failed(Exception):
    """An action whose answer was wrong; the message says how."""


@dataclass
class Done:
    kind: str
    history: str | None  # the command history's line it makes (None: it makes none)


class Student:
    def __init__(self, name: str, base: str) -> None:
        self.name, self.base = name, base
        self.web = Web(base)
        self.graph = GraphCheck()
        self.slug = self.cluster_ip = ""
        self.nodes: list[str] = []
        self.api: Api | None = None
        self.feed: Feed | None = None
        self.terminal: Terminal | None = None

    # ---- arriving ---------------------------------------------------------------------

    def join(self, code: str) -> None:
        self.web.request("GET", "/join")
        reply = self.web.post_form("/join", {"code": code, "username": self.name,
                                             "password": f"pw-{uuid.uuid4().hex}"})
        location = reply.headers.get("Location", "")
        if reply.status != 302 or "#cluster-" not in location:
            raise Failed(f"join: {reply.status} {reply.body[:300]!r}")
        self.slug = location.split("#cluster-", 1)[1]

    def open_dashboard(self) -> None:
        page = self.web.request("GET", f"/clusters/{self.slug}/")
        if page.status != 200:
            raise Failed(f"dashboard page: {page.status}")
        sock = self.web.socket(f"/ws/clusters/{self.slug}/graph")
        self.graph(time.time(), _first(sock, "snapshot"))
        self.feed = Feed(sock, self.graph)
        self.feed.start()
        config = self.web.request("GET", f"/clusters/{self.slug}/kubeconfig")
        if config.status != 200:
            raise Failed(f"kubeconfig: {config.status} {config.body[:200]!r}")
        self.api = Api(config.body.decode())

    def do_lesson(self) -> None:
        for name, collection in LESSON:
            body = yaml.safe_load((MANIFESTS / name).read_text())
            reply = self.api.call("POST", collection, body, command="kubectl create")
            if reply.status != 201:
                raise Failed(f"create -f {name}: {reply.status} {reply.body[:300]!r}")
        self.nodes = [n["metadata"]["name"] for n in self._read("/api/v1/nodes")["items"]]
        self.cluster_ip = self._read("/api/v1/namespaces/default/services/svc-node")[
            "spec"]["clusterIP"]
        deadline = time.monotonic() + READY_TIMEOUT
        while _ready(self._read("/api/v1/namespaces/default/endpoints/svc-node")) < 3:
            if time.monotonic() > deadline:
                raise Failed(f"svc-node not ready after {READY_TIMEOUT:.0f} s")
            time.sleep(0.5)
        self.terminal = Terminal(self.web, self.slug)

    def _read(self, path: str) -> dict:
        reply = self.api.call("GET", path)
        if reply.status != 200:
            raise Failed(f"GET {path}: {reply.status} {reply.body[:200]!r}")
        return reply.json()

    # ---- acting -----------------------------------------------------------------------

    def get(self, rng: random.Random) -> Done:
        resource, path = rng.choice(LISTS)
        if not isinstance(self._read(path).get("items"), list):
            raise Failed(f"get {resource}: no items")
        return Done("get", f"kubectl get: list {resource}")

    def describe(self, rng: random.Random) -> Done:
        """`kubectl describe svc svc-node` or `rs rs-node-web`: the object, what it
        selects, its events, in one kubectl session."""
        session = uuid.uuid4().hex
        if rng.random() < 0.5:
            first, ref = "/api/v1/namespaces/default/services/svc-node", "services/svc-node"
            then = "/api/v1/namespaces/default/endpoints/svc-node"
        else:
            first = "/apis/apps/v1/namespaces/default/replicasets/rs-node-web"
            ref = "replicasets.apps/rs-node-web"
            then = "/api/v1/namespaces/default/pods?labelSelector=" + quote("app in (node-web)")
        obj = self._described(first, session)
        self._described(then, session)
        fields = (f"involvedObject.name={obj['metadata']['name']},involvedObject.namespace="
                  f"default,involvedObject.uid={obj['metadata']['uid']}")
        self._described("/api/v1/namespaces/default/events?fieldSelector=" + quote(fields),
                        session)
        return Done("describe", f"kubectl describe: get {ref}")

    def _described(self, path: str, session: str) -> dict:
        reply = self.api.call("GET", path, command="kubectl describe", session=session)
        if reply.status != 200:
            raise Failed(f"describe GET {path}: {reply.status} {reply.body[:200]!r}")
        return reply.json()

    def curl(self, rng: random.Random) -> Done:
        node, command = rng.choice(self.nodes), f"curl -s http://{self.cluster_ip}"
        reply = self.web.post_json(f"/clusters/{self.slug}/run", {
            "source": {"kind": "node", "name": node}, "command": command})
        answer = reply.json() if reply.status == 200 else {}
        if answer.get("exit_code") != 0 or "You've hit" not in answer.get("stdout", ""):
            raise Failed(f"curl from {node}: {reply.status} {reply.body[:300]!r}")
        return Done("curl", f"[node {node}] {command}")

    def terminal_command(self, rng: random.Random) -> Done:
        line = rng.choice(TERMINAL_LINES)
        code, out = self.terminal.run(line)
        if code != 0:
            raise Failed(f"terminal {line!r}: exit {code}: {out[:300]}")
        return Done("terminal", line)

    def fire(self, rng: random.Random) -> Done:
        reply = self.web.post_json(f"/clusters/{self.slug}/fire", {
            "source": {"kind": "node", "name": rng.choice(self.nodes)},
            "command": f"curl -s http://{self.cluster_ip}", "count": FIRE})
        answer = reply.json() if reply.status == 200 else {}
        hits = answer.get("hits") or {}
        if answer.get("ran") != FIRE or sum(hits.values()) != FIRE or hits.get(""):
            raise Failed(f"fire {FIRE}: {reply.status} {reply.body[:300]!r}")
        return Done("fire", None)

    # ---- leaving ----------------------------------------------------------------------

    def missing(self) -> list[str]:
        """The applied objects the API no longer has (lost writes)."""
        gone = []
        for resource, name in APPLIED:
            group = "/apis/apps/v1" if resource == "replicasets" else "/api/v1"
            if self.api.call("GET", f"{group}/namespaces/default/{resource}/{name}").status != 200:
                gone.append(f"{self.slug}: {resource}/{name}")
        return gone

    def leave(self) -> None:
        """Close everything, kept-alive connections too (daphne waits for them to stop)."""
        for thing in (self.feed, self.terminal, self.web.connection,
                      self.api and self.api.connection):
            if thing is not None:
                thing.close()


KINDS = {"get": Student.get, "describe": Student.describe, "curl": Student.curl,
         "terminal": Student.terminal_command, "fire": Student.fire}


def _first(sock, kind: str) -> dict:
    message = json.loads(sock.recv())
    if message.get("type") != kind:
        raise Failed(f"the socket's first message is {message.get('type')!r}, not {kind!r}")
    return message


def _ready(endpoints: dict) -> int:
    return sum(len(s.get("addresses") or []) for s in endpoints.get("subsets") or [])
