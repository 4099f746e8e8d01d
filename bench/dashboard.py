"""`make bench`, third part: the live dashboard's speed goals (issue 5), measured and printed.

Three numbers, each beside a floor or a goal:

- Apply to picture: from the response to a ReplicaSet create sent over the
  Kubernetes API (3 replicas, pod start-up delay 0, a Service already
  selecting them) to the page's graph holding 3 ready pods with 3 ready
  endpoint edges, each run starting with the page at rest (the previous
  run's fade-in and fade-out animations over). Everything is timed inside the page with
  `performance.now()`: the page itself sends the create with `fetch()`, so
  start and end are on one clock. Beside it, the round trip of a bare
  Channels echo consumer, measured from the same page over its own
  websocket. The end is when the delta that completes the picture has been
  applied to the Cytoscape model; the next animation frame (when it is on
  screen) is printed too. Goal: p99 under 20x the echo.
- A 2,000-pod cluster (the `large` preset, 100 nodes): navigation start to
  the first frame after the graph holds every pod, over a few fresh page
  loads; then frames per second (`requestAnimationFrame` count) and the
  longest gap between frames while a ReplicaSet scales up by 100.
  Goal: drawn within 2 s, the page stays responsive.
- 200 viewers of one cluster (plain asyncio websocket clients: aiohttp, which
  the pinned `kubernetes` test dependency brings): from a change's API
  response to the last of the 200 receiving its delta, over 30 changes
  (a Service created, then deleted, and so on). Goal: p99 under 100 ms.

The server is the one `bench/api.py` starts (daphne on a free 127.0.0.1
port, a temporary SQLite database, `bench.echo_asgi:application`) with three
clusters made before it starts: `lat` (the lecture preset, pod start-up set
to 0 in its saved config), `big` (the large preset) and `fan` (the lecture
preset). The browser is Debian's Chromium driven by Playwright, as in
`tests/browser`. Prints numbers only, asserts nothing; the product's delta
throttle window (`CLUSTERVIZ_BATCH_SECONDS`, 50 ms by default: a change to a
quiet feed goes out at once, later ones at most once per window) is printed
with the numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import aiohttp

from bench.api import Server, percentile, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
VIEWPORT = {"width": 1600, "height": 900}
RUNS = int(os.environ.get("BENCH_DASHBOARD_RUNS", 30))
ECHOES = 200
BIG_PODS = 2000
BIG_LOADS = 5
SCALE_BY = 100
VIEWERS = int(os.environ.get("BENCH_DASHBOARD_VIEWERS", 200))
CHANGES = 30
BATCH = float(os.environ.get("CLUSTERVIZ_BATCH_SECONDS", 0.05))


def _rs(name: str, replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"enableServiceLinks": False, "containers": [
                                      {"name": "web", "image": "whatwant/node-web:1.0",
                                       "ports": [{"containerPort": 8080}]}]}}}}


def _svc(name: str, app: str | None) -> dict:
    spec: dict = {"ports": [{"port": 80, "targetPort": 8080}]}
    if app:
        spec["selector"] = {"app": app}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


SESSIONS: dict[str, str] = {}  # server base URL -> the signed-in teacher's session cookie


class DashboardServer(Server):
    """bench.api's server, with the dashboard bench's three clusters made before daphne starts."""

    def start(self) -> None:
        super().start()
        SESSIONS[self.base] = self.session_cookie()  # the pages and sockets need a sign-in

    def manage(self, *args: str) -> str:
        if args[:1] == ("ensure_cluster",):  # bench.api's own `bench` cluster: ours instead
            for slug, preset in (("lat", "lecture"), ("big", "large"), ("fan", "lecture")):
                super().manage("ensure_cluster", slug, "--preset", preset)
            # pod start-up delay 0 on `lat`: the preset's config is saved with the cluster
            super().manage("shell", "-c", (
                "from clusterviz.clusters.models import Cluster\n"
                "c = Cluster.objects.get(slug='lat')\n"
                "c.state['config']['pod_startup_seconds'] = 0\n"
                "c.save(update_fields=['state'])\n"))
            return ""
        if args[:1] == ("kubeconfig",):
            args = ("kubeconfig", "lat", *args[2:])
        return super().manage(*args)

    def call(self, slug: str, method: str, path: str, body: dict | None = None) -> dict:
        self.api = f"/k8s/clusters/{slug}"
        status, answer = self.request(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} on {slug}: {status} {answer}")
        return answer


# the browser ---------------------------------------------------------------------------------

_WATCH = """
// Resolves with performance.now() once test() holds, checked after every model change (a
// microtask after Cytoscape's add/data/class events, so a whole delta has been applied),
// and with the time of the next animation frame after that.
window.benchWatch = (test) => new Promise((resolve) => {
  const cy = window.clusterviz.cy;
  let queued = false;
  const check = () => {
    queued = false;
    if (!test(cy)) return;
    const model = performance.now();
    cy.off("add remove data class", onEvent);
    requestAnimationFrame(() => resolve({model, frame: performance.now()}));
  };
  const onEvent = () => { if (!queued) { queued = true; queueMicrotask(check); } };
  cy.on("add remove data class", onEvent);
  onEvent();
});
window.benchPost = async (path, body) => {
  const response = await fetch(path, {method: "POST", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "Accept": "application/json"}});
  const answered = performance.now();
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  await response.json();
  return answered;
};
"""

_ECHO = """
async ([url, count]) => {
  const ws = new WebSocket(url);
  await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = bad; });
  const next = () => new Promise((ok) => { ws.onmessage = (e) => ok(e.data); });
  const out = [];
  for (let i = 0; i < count + 10; i++) {
    const start = performance.now();
    ws.send(`ping-${i}`);
    if (await next() !== `ping-${i}`) throw new Error("the echo answered something else");
    if (i >= 10) out.push(performance.now() - start);  // 10 warm-up frames
  }
  ws.close();
  return out;
}
"""

# The previous run's Service and removals fade in and out for 450 ms, a frame each 16 ms:
# each apply starts on a page at rest, as a user's does, not in the middle of those frames.
_AT_REST = "!window.clusterviz.cy.animated() && !window.clusterviz.cy.elements().some((e) => e.animated())"

_APPLY = """
async ([api, name, body]) => {
  const done = window.benchWatch((cy) => cy.edges(
    `edge.endpoint.ready[source = 'svc/default/${name}']`).filter(
      (e) => e.target().hasClass("running-ready")).length === 3);
  const answered = await window.benchPost(`${api}/apis/apps/v1/namespaces/default/replicasets`, body);
  const {model, frame} = await done;
  return [model - answered, frame - answered];
}
"""


async def _launch(pw):
    return await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)


async def _open(browser, url: str, init: str = _WATCH):
    # Playwright polls string predicates with eval, which the pages' CSP refuses
    context = await browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    base = url.split("/clusters/")[0]
    await context.add_cookies([{"name": "sessionid", "value": SESSIONS[base], "url": base}])
    page = await context.new_page()
    await page.add_init_script(init)
    await page.goto(url)
    await page.wait_for_function("window.clusterviz && window.clusterviz.state.seq > 0",
                                 timeout=60_000)
    return context, page


async def apply_latencies(server: DashboardServer, browser) -> tuple[list, list, list]:
    """(echo round trips, apply-to-model, apply-to-frame), milliseconds, from one page."""
    context, page = await _open(browser, f"{server.base}/clusters/lat/")
    try:
        echo = await page.evaluate(_ECHO, [f"ws://127.0.0.1:{server.port}/bench/echo", ECHOES])
        model, frame = [], []
        for i in range(RUNS):
            name = f"lat-{i}"
            server.call("lat", "POST", "/api/v1/namespaces/default/services", _svc(name, name))
            await page.wait_for_function(
                f"window.clusterviz.cy.getElementById('svc/default/{name}').nonempty()")
            await page.wait_for_function(_AT_REST)
            m, f = await page.evaluate(_APPLY, ["/k8s/clusters/lat", name, _rs(name, 3)])
            model.append(m)
            frame.append(f)
            server.call("lat", "DELETE", f"/apis/apps/v1/namespaces/default/replicasets/{name}")
            server.call("lat", "DELETE", f"/api/v1/namespaces/default/services/{name}")
        return echo, model, frame
    finally:
        await context.close()


# the 2,000-pod cluster ------------------------------------------------------------------------

_FIRST_DRAW = """
// From navigation start (performance.now() is 0 there): the first animation frame after the
// graph holds every pod, checked once per frame.
window.benchDrawn = new Promise((resolve) => {
  const frame = () => {
    const cz = window.clusterviz;
    if (cz && cz.cy.nodes("node.pod").length >= PODS) {
      const model = performance.now();
      requestAnimationFrame(() => resolve({arrived, model, frame: performance.now()}));
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
});
// when the snapshot's last byte arrived: the server's share ends there
let arrived = null;
const PageSocket = window.WebSocket;
window.WebSocket = class extends PageSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", () => { arrived = arrived ?? performance.now(); });
  }
};
""".replace("PODS", str(BIG_PODS))

_SCALE = """
async ([api, replicas]) => {
  // frames counted from the scale request until every new pod is drawn ready, then 1 s more
  const gaps = [];
  let last = performance.now(), counting = true;
  const tick = () => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    if (counting) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const start = performance.now();
  const done = window.benchWatch((cy) => cy.nodes("node.pod.running-ready").length >= replicas);
  const response = await fetch(`${api}/apis/apps/v1/namespaces/default/replicasets/big/scale`, {
    method: "PATCH", body: JSON.stringify({spec: {replicas}}),
    headers: {"Content-Type": "application/merge-patch+json", "Accept": "application/json"}});
  if (response.status >= 300) throw new Error(`scale: ${response.status} ${await response.text()}`);
  const {model} = await done;
  await new Promise((ok) => setTimeout(ok, 1000));
  counting = false;
  const seconds = (performance.now() - start) / 1000;
  return {frames: gaps.length, seconds, allDrawn: (model - start) / 1000, longest: Math.max(...gaps)};
}
"""


def fill_big(server: DashboardServer) -> float:
    start = time.perf_counter()
    server.call("big", "POST", "/apis/apps/v1/namespaces/default/replicasets",
                _rs("big", BIG_PODS))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        pods = server.call("big", "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dbig"
                                         "&fieldSelector=status.phase%3DRunning")
        if len(pods.get("items") or []) >= BIG_PODS:
            return time.perf_counter() - start
        time.sleep(1)
    raise RuntimeError(f"fewer than {BIG_PODS} pods Running after 600 s")


async def big_cluster(server: DashboardServer, browser) -> tuple[list, dict]:
    """(seconds to the first frame with every pod, per fresh page load), the scale-up's frames."""
    drawn = []
    for _ in range(BIG_LOADS):
        context, page = await _open(browser, f"{server.base}/clusters/big/",
                                    _WATCH + _FIRST_DRAW)
        times = await page.evaluate("window.benchDrawn")
        drawn.append({k: v / 1000 for k, v in times.items()})
        if len(drawn) < BIG_LOADS:
            await context.close()
    try:
        await page.wait_for_timeout(1000)  # the first fit's animation is over
        scale = await page.evaluate(_SCALE, ["/k8s/clusters/big", BIG_PODS + SCALE_BY])
    finally:
        await context.close()
    return drawn, scale


# 200 viewers ------------------------------------------------------------------------------------

async def _viewer(session: aiohttp.ClientSession, url: str, origin: str, arrivals: list,
                  ready: asyncio.Event, connected: list) -> None:
    headers = {"Origin": origin, "Cookie": f"sessionid={SESSIONS[origin]}"}
    async with session.ws_connect(url, headers=headers, max_msg_size=0) as ws:
        first = await ws.receive()
        if json.loads(first.data)["type"] != "snapshot":
            raise RuntimeError("the feed did not start with a snapshot")
        connected.append(1)
        async for message in ws:
            arrivals.append((time.perf_counter(), message.data))
            if ready.is_set():
                return


async def fan_out(server: DashboardServer) -> tuple[list[float], list[float], int]:
    """Per change: ms from its response to the last viewer's delta, and the mean viewer's."""
    base = f"http://127.0.0.1:{server.port}"
    url = f"ws://127.0.0.1:{server.port}/ws/clusters/fan/graph"
    arrivals: list[list] = [[] for _ in range(VIEWERS)]
    stop, connected = asyncio.Event(), []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(_viewer(session, url, base, arrivals[i], stop, connected))
                 for i in range(VIEWERS)]
        while len(connected) < VIEWERS:
            if any(t.done() for t in tasks):
                for t in tasks:
                    if t.done():
                        t.result()
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        lasts, means = [], []
        api = f"{base}/k8s/clusters/fan/api/v1/namespaces/default/services"
        headers = {"Accept": "application/json"}
        for i in range(CHANGES):
            for a in arrivals:
                a.clear()
            name = f"fan-{i // 2}"
            if i % 2 == 0:
                response = await session.post(api, json=_svc(name, None), headers=headers)
            else:
                response = await session.delete(f"{api}/{name}", headers=headers)
            await response.read()
            answered = time.perf_counter()
            if response.status >= 300:
                raise RuntimeError(f"change {i}: {response.status}")
            wanted = f"svc/default/{name}"
            deadline = time.monotonic() + 30
            while not all(any(wanted in data for _, data in a) for a in arrivals):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"not every viewer got change {i} within 30 s")
                await asyncio.sleep(0.005)
            got = [next(t for t, data in a if wanted in data) - answered for a in arrivals]
            lasts.append(max(got) * 1000)
            means.append(statistics.mean(got) * 1000)
            await asyncio.sleep(0.2)
        resyncs = sum(1 for a in arrivals for _, d in a if '"snapshot"' in d[:40])
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return lasts, means, resyncs


# the whole ----------------------------------------------------------------------------------

def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"


async def browser_parts(server: DashboardServer) -> None:
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        browser = await _launch(pw)
        try:
            echo, model, frame = await apply_latencies(server, browser)
            floor = statistics.median(echo)
            print(f"apply (ReplicaSet of 3, start-up 0, Service selecting them) -> 3 ready pods "
                  f"with endpoint edges in the page's graph, {RUNS} runs: {_ms(model)}; "
                  f"echo {floor:.2f} ms (p99 {percentile(echo, 0.99):.2f} ms, same page); "
                  f"ratio p99/echo {percentile(model, 0.99) / floor:.0f}x (goal < 20x); "
                  f"throttle window {BATCH * 1000:.0f} ms")
            print(f"  to the next animation frame after it: {_ms(frame)}")
            took = fill_big(server)
            print(f"dashboard: {BIG_PODS}-pod cluster (large preset, 100 nodes) Running in "
                  f"{took:.0f} s")
            drawn, scale = await big_cluster(server, browser)
            frames = [d["frame"] for d in drawn]
            print(f"{BIG_PODS}-pod graph, navigation start -> first frame with every pod, "
                  f"{BIG_LOADS} fresh loads: median {statistics.median(frames):.2f} s, first "
                  f"{frames[0]:.2f} s, worst {max(frames):.2f} s (goal < 2 s); median snapshot "
                  f"received at {statistics.median(d['arrived'] for d in drawn):.2f} s, in the "
                  f"graph's model at {statistics.median(d['model'] for d in drawn):.2f} s")
            print(f"scaling its ReplicaSet by {SCALE_BY}: {scale['frames']} frames in "
                  f"{scale['seconds']:.1f} s = {scale['frames'] / scale['seconds']:.0f} fps, "
                  f"longest frame gap {scale['longest']:.0f} ms; all {SCALE_BY} new pods drawn "
                  f"ready after {scale['allDrawn']:.1f} s")
        finally:
            await browser.close()


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit("bench.dashboard needs Debian's Chromium at /usr/bin/chromium")
    with running_server(DashboardServer, "clusterviz-bench-dashboard-") as server:
        asyncio.run(browser_parts(server))
        lasts, means, resyncs = asyncio.run(fan_out(server))
        print(f"{VIEWERS} viewers of one cluster, {CHANGES} changes (a Service added or "
              f"removed): change's response -> its delta at the last viewer {_ms(lasts)}, at "
              f"the mean viewer {_ms(means)} (goal p99 < 100 ms; throttle "
              f"window {BATCH * 1000:.0f} ms); {resyncs} snapshots resent")


if __name__ == "__main__":
    main()
