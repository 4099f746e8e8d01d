"""Another site's page in Chromium attacks the app, and the cluster does not change.

The attacker is a page on ANOTHER origin: a tiny server this test starts on
another port of 127.0.0.1 (the same host, so the same site as far as
cookies go: the hardest case for an origin check). Its script opens the
graph socket, the web terminal socket, the pod shell socket and a pod's
exec and port-forward sockets of the app, POSTs manifests with `no-cors` fetches (a body
with no type and text/plain bodies) to the Kubernetes API and to the
dashboard's apply and preview endpoints, submits a form, and frames the
dashboard. Each must fail: no
socket opens, no frame shows the page, and every object of the cluster is
as it was (names and resourceVersions, listed through the API afterwards).

Also here: the app's own pages report no CSP violation in Chromium (the
policy in clusterviz/csp.py must not break the pages it protects).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.test_dashboard import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LECTURE,
    VIEWPORT,
    playwright_api,
)
from tests.kubectl.kubectl_fixtures import (  # noqa: F401
    Kubectl,
    server,
    teacher_cookies,
    teacher_web,
)

_slugs = itertools.count(1)
LISTED = ["api/v1/namespaces/default/pods", "api/v1/namespaces/default/configmaps",
          "api/v1/namespaces/default/services", "apis/apps/v1/namespaces/default/replicasets",
          "apis/apps/v1/namespaces/default/deployments", "api/v1/namespaces"]
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pwned"},
             "data": {"by": "another site"}}
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pwned-dashboard\n"

ATTACK = """<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<iframe id="framed" src="%(app)s/clusters/%(slug)s/"></iframe>
<form id="form-api" method="POST" target="sink" enctype="text/plain"
      action="%(app)s/k8s/clusters/%(slug)s/api/v1/namespaces/default/configmaps">
  <input name='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pwned-form"},"x":"'
         value='"}'></form>
<script>
const app = "%(app)s", ws = "%(ws)s", slug = "%(slug)s", pod = "%(pod)s";
const configmap = %(configmap)s;
const dashboard = JSON.stringify({text: %(manifest)s, mode: "apply"});

function socket(url, protocols, first) {
  return new Promise((resolve) => {
    let s;
    try { s = new WebSocket(url, protocols); } catch (e) { return resolve("threw"); }
    const timer = setTimeout(() => resolve("pending"), 10000);
    s.onopen = () => { if (first) s.send(first); clearTimeout(timer); resolve("opened"); };
    s.onclose = (e) => { clearTimeout(timer); resolve("closed " + e.code); };
  });
}
function post(url, body) {
  return fetch(url, {method: "POST", mode: "no-cors", body: body})
    .then((r) => r.type, (e) => "failed");
}
function submitted(form) {
  return new Promise((resolve) => {
    document.getElementById("sink").onload = () => resolve("loaded");
    document.getElementById(form).submit();
  });
}
const api = `${app}/k8s/clusters/${slug}/api/v1/namespaces/default/configmaps`;
window.attacks = (async () => ({
  graph: await socket(`${ws}/ws/clusters/${slug}/graph`),
  terminal: await socket(`${ws}/ws/clusters/${slug}/kubectl`, undefined,
                         JSON.stringify({command: "kubectl create configmap pwned-terminal"})),
  shell: await socket(`${ws}/ws/clusters/${slug}/shell/default/${pod}?command=sh`, undefined,
                      JSON.stringify({type: "input", data: "touch /tmp/pwned\\r"})),
  exec: await socket(`${ws}/k8s/clusters/${slug}/api/v1/namespaces/default/pods/${pod}` +
                     "/exec?command=touch&command=/tmp/pwned", ["v5.channel.k8s.io"]),
  portforward: await socket(`${ws}/k8s/clusters/${slug}/api/v1/namespaces/default/pods/` +
                            `${pod}/portforward?ports=8080`, ["v4.channel.k8s.io"]),
  apiNoType: await post(api, new Blob([JSON.stringify(configmap)])),
  apiText: await post(api, JSON.stringify(configmap)),
  apply: await post(`${app}/clusters/${slug}/apply`, dashboard),
  applyNoType: await post(`${app}/clusters/${slug}/apply`, new Blob([dashboard])),
  preview: await post(`${app}/clusters/${slug}/preview`, dashboard),
  form: await submitted("form-api"),
}))();
</script></body></html>"""


class _Attacker(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self):  # noqa: N802 (http.server's spelling)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker():
    """A server on another port of 127.0.0.1 serving `attacker.html` (set by the test)."""
    handler = type("Attacker", (_Attacker,), {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


_API: dict[str, Kubectl] = {}  # slug -> the teacher's kubeconfig for that cluster


def _api(server, slug: str) -> Kubectl:  # noqa: F811
    """The teacher's kubeconfig for `slug` (its token and CA), for reading the API."""
    if slug not in _API:
        folder = Path(tempfile.mkdtemp(prefix=f"{slug}-"))
        server.manage("kubeconfig", slug, "-o", str(folder / "kubeconfig"))
        _API[slug] = Kubectl(folder / "kubeconfig", folder, LECTURE)
    return _API[slug]


def _get(server, slug: str, path: str) -> dict:  # noqa: F811
    with _api(server, slug).request(f"/{path}") as answer:
        return json.loads(answer.read())


def _cluster_state(server, slug: str) -> dict[str, list]:  # noqa: F811
    return {path: sorted((item["metadata"]["name"], item["metadata"]["resourceVersion"])
                         for item in _get(server, slug, path)["items"])
            for path in LISTED}


def _post_json(server, path: str, body: dict) -> dict:  # noqa: F811
    """POST at the pages as the signed-in teacher (session and CSRF token)."""
    status, _, text = teacher_web(server.url).request("POST", path, json_body=body)
    assert status == 200, text
    return json.loads(text)


def _paused_cluster_with_a_pod(server) -> tuple[str, str]:  # noqa: F811
    """A cluster whose ReplicaSet has a scheduled pod (exec-able), then paused: from here
    only a request can change it."""
    slug = f"attacked-{next(_slugs)}"
    server.manage("ensure_cluster", slug, "--speed", "20")
    manifest = (LECTURE / "rs-node-web.yaml").read_text()
    _post_json(server, f"/clusters/{slug}/apply", {"text": manifest, "mode": "create"})
    deadline = time.monotonic() + 60
    while not (scheduled := [p for p in _get(server, slug, "api/v1/namespaces/default/pods")
                             ["items"] if p["spec"].get("nodeName")]):
        assert time.monotonic() < deadline, "no pod was scheduled within 60 s"
        time.sleep(0.2)  # the clock runs the scheduler; poll its result
    _post_json(server, f"/clusters/{slug}/clock", {"action": "pause"})
    return slug, scheduled[0]["metadata"]["name"]


async def _browse(url: str, steps):
    """`steps(page, url)` in a browser whose user is the signed-in teacher of the app (a
    cross-site attack needs a victim with a session)."""
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=VIEWPORT)
            return await steps(page, url)
        finally:
            await browser.close()


def test_a_page_on_another_origin_cannot_touch_the_cluster(server, attacker):  # noqa: F811
    slug, pod = _paused_cluster_with_a_pod(server)
    before = _cluster_state(server, slug)
    handler, attacker_url = attacker
    handler.html = (ATTACK % {
        "app": server.url, "ws": server.url.replace("http://", "ws://"), "slug": slug,
        "pod": pod, "configmap": json.dumps(CONFIGMAP), "manifest": json.dumps(MANIFEST),
    }).encode()

    async def attack(page, url):
        await page.context.add_cookies(teacher_cookies(server.url))
        await page.goto(url)
        results = await page.evaluate("window.attacks")
        framed = await (await page.query_selector("#framed")).content_frame()
        return results, framed.url, await framed.query_selector("#graph")

    results, framed_url, framed_graph = asyncio.run(_browse(attacker_url, attack))
    sockets = ("graph", "terminal", "shell", "exec", "portforward")
    assert {k: results[k] for k in sockets} == dict.fromkeys(sockets, "closed 1006")
    sent = ("apiNoType", "apiText", "apply", "applyNoType", "preview")
    assert [results[k] for k in sent] == ["opaque"] * len(sent)  # each reached the server
    assert results["form"] == "loaded"
    assert framed_graph is None and framed_url == "chrome-error://chromewebdata/"
    assert _cluster_state(server, slug) == before, results


# A function, not an expression: Playwright polls an expression with eval, which the CSP
# under test refuses; a function is compiled once, by the debugger, which CSP allows.
READY = "() => window.clusterviz && window.clusterviz.state.seq > 0"
DASHBOARD = "/clusters/{slug}/"
_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.mark.parametrize("page_path, ready", [
    pytest.param(DASHBOARD, READY, id="dashboard"),
    pytest.param("/clusters/{slug}/present?lesson=week4-services", READY, id="presenter"),
    pytest.param("/lessons/", "() => document.readyState === 'complete'", id="lessons"),
    pytest.param("/clusters/{slug}/pods/default/nowhere/shell",  # xterm.js draws regardless
                 "() => window.clustervizTerminal && document.querySelector('.xterm-rows')",
                 id="pod-shell"),
])
def test_the_pages_run_under_their_policy_without_a_violation(server, page_path, ready):  # noqa: F811
    slug = f"csp-{next(_slugs)}"
    server.manage("ensure_cluster", slug)

    async def visit(page, url):
        await page.context.add_cookies(teacher_cookies(url))
        await page.add_init_script(_VIOLATIONS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text else None)
        await page.goto(url)
        await page.wait_for_function(ready, timeout=30_000)
        if page_path == DASHBOARD:  # its upload preview and terminal too
            await page.fill("#manifest", (LECTURE / "rs-node-web.yaml").read_text())
            await page.click("#preview")
            await page.wait_for_selector("#preview-results li.ok")
            await page.click("button[data-tab='terminal']")
            await page.click("#kubectl-run")
            await page.wait_for_selector("#kubectl-output:not(:empty)")
        await page.wait_for_timeout(500)  # let late styles and images arrive
        return await page.evaluate("window.cspViolations"), errors

    violations, errors = asyncio.run(_browse(server.url + page_path.format(slug=slug), visit))
    assert violations == []
    assert errors == []
