"""What one hostile student sends: the payloads of issue 10's "bounded" and "No 500s" lists.

Shared by the hostile corpus test (tests/kubectl/test_hostile_corpus.py), which
checks each answer, and by `bench.hostile`, which measures what the others see
while they are sent. Each `Bomb` is one HTTP request against a cluster `{slug}`,
with the status and a piece of the body the real server answers it with, and
the name of the object it must not leave behind, if any. A `Sender` sends them
as the signed-in teacher: the API paths with the cluster's bearer token (the
API answers 401 without one), the pages' with the session and Django's CSRF
token (a page answers a redirect to sign in otherwise).
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field

API = "/k8s/clusters/{slug}"
CONFIGMAPS = API + "/api/v1/namespaces/default/configmaps"
REPLICASETS = API + "/apis/apps/v1/namespaces/default/replicasets"
DASHBOARD = "/clusters/{slug}"
YAML = "application/yaml"
JSON = "application/json"
ALIASING = "yaml: document contains excessive aliasing"


@dataclass(frozen=True)
class Bomb:
    id: str
    method: str
    path: str
    content_type: str | None
    body: bytes
    status: int
    text: str  # a piece of the answer's body
    refused: str | None = None  # a ConfigMap that must not exist afterwards


@dataclass
class Sender:
    """Sends requests to `base` as one signed-in user: `tokens` maps a cluster's slug to a
    bearer token of its kubeconfig, `session` is the user's sessionid cookie."""
    base: str
    session: str
    tokens: dict[str, str]
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))  # cookie = header

    def send(self, method: str, path: str, body: bytes | None = None,
             content_type: str | None = None, timeout: float = 120) -> tuple[int, str]:
        """The answer's status and body (an error status is an answer, not an exception)."""
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        for name, value in self._credentials(path).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _credentials(self, path: str) -> dict[str, str]:
        if path.startswith("/k8s/clusters/"):  # the API takes a token, never a cookie
            slug = path.split("/")[3]
            return {"Authorization": f"Bearer {self.tokens[slug]}"}
        return {"Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
                "X-CSRFToken": self.csrf}


def token_of(kubeconfig_text: str) -> str:
    """The bearer token in a kubeconfig `manage.py kubeconfig` printed."""
    return kubeconfig_text.split("token: ")[1].split()[0]


def laughs(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each anchor a list of `width` aliases of the one before."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines)


def configmap_yaml(name: str, data: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n{data}\n"


def _cm_json(name: str, data: str) -> bytes:
    return ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "' + name +
            '"}, "data": ' + data + "}").encode()


def _expanding(name: str) -> str:
    """About 360 bytes that alias their way to tens of megabytes of one ConfigMap."""
    return configmap_yaml(name, laughs(7, 10).replace('"lol"', '"lollollollollollol"') +
                          "\ndata: {a: b}")


def _big_strings(name: str) -> str:
    """Within go-yaml's alias budget (20 aliases), but 2 MB once written out."""
    keys = "\n".join(f"  k{i}: *big" for i in range(20))
    return configmap_yaml(name, f'data:\n  big: &big "{"x" * 100_000}"\n{keys}')


def _dashboard(text: str) -> bytes:
    return json.dumps({"text": text, "mode": "create"}).encode()


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


API_BOMBS = [
    Bomb("api-alias-bomb", "POST", CONFIGMAPS, YAML,
         configmap_yaml("laughs", laughs() + "\ndata: {a: b}").encode(), 400, ALIASING,
         "laughs"),
    Bomb("api-360-bytes-to-33-MB", "POST", CONFIGMAPS, YAML, _expanding("expand").encode(),
         400, ALIASING, "expand"),
    Bomb("api-2-MB-object", "POST", CONFIGMAPS, YAML, _big_strings("big").encode(), 413,
         "etcdserver: request is too large", "big"),
    Bomb("api-900-deep-json", "POST", CONFIGMAPS, JSON, _cm_json("deep", _deep(900)), 400,
         "exceeded max depth", "deep"),
    Bomb("api-900-deep-yaml", "POST", CONFIGMAPS, YAML,
         configmap_yaml("deepy", "data: " + _deep(900)).encode(), 400,
         "yaml: exceeded max depth", "deepy"),
    Bomb("api-900-deep-patch", "PATCH", CONFIGMAPS + "/kube-root-ca.crt",
         "application/merge-patch+json", ('{"data": ' + _deep(900) + "}").encode(), 400,
         "exceeded max depth"),
    Bomb("api-900-deep-delete-options", "DELETE", CONFIGMAPS + "/kube-root-ca.crt", JSON,
         ('{"propagationPolicy": ' + _deep(900) + "}").encode(), 400, "json parse error"),
    Bomb("api-900-deep-dockerconfigjson", "POST", API + "/api/v1/namespaces/default/secrets",
         JSON, json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "reg"},
                           "type": "kubernetes.io/dockerconfigjson", "data": {
                               ".dockerconfigjson": base64.b64encode(
                                   _deep(5000).encode()).decode()}}).encode(), 422,
         "exceeded max depth"),
    Bomb("api-deep-last-applied-annotation", "POST", CONFIGMAPS, JSON, json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "annotated", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": _deep(5000)}}}).encode(),
         201, '"name":"annotated"'),
    Bomb("api-binary-timestamp-tags", "POST", CONFIGMAPS, YAML, configmap_yaml(
        "tags", "data: {a: !!binary aGVsbG8=, b: !!timestamp 2001-12-14, c: 2001-12-14}").encode(),
         201, '"data":{"a":"hello","b":"2001-12-14","c":"2001-12-14"}'),
    Bomb("api-set-tag", "POST", CONFIGMAPS, YAML,
         configmap_yaml("aset", "data: {a: b}\nextra: !!set {x, y}").encode(), 201,
         '"data":{"a":"b"}'),
    Bomb("api-lone-surrogate", "POST", CONFIGMAPS, JSON, _cm_json("lone", '{"a": "\\ud800"}'),
         201, '"a":"\\ufffd"'),
    # what an HTML form posts (urllib's default too); a body with no Content-Type at all is
    # read as JSON, as the API server does (tests/clusterviz/test_api.py)
    Bomb("api-form-encoded", "POST", CONFIGMAPS, "application/x-www-form-urlencoded",
         _cm_json("formed", '{"a": "b"}'), 415, "UnsupportedMediaType", "formed"),
    Bomb("api-node-without-spec", "POST", API + "/api/v1/nodes", JSON,
         b'{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "bare"}}', 201,
         '"spec":{}'),
]

DASHBOARD_BOMBS = [
    Bomb("dashboard-alias-bomb-preview", "POST", DASHBOARD + "/preview", JSON,
         _dashboard(configmap_yaml("laughs", laughs())), 200, ALIASING, "laughs"),
    Bomb("dashboard-alias-bomb-apply", "POST", DASHBOARD + "/apply", JSON,
         _dashboard(_expanding("expand")), 200, ALIASING, "expand"),
    Bomb("dashboard-2-MB-object", "POST", DASHBOARD + "/apply", JSON,
         _dashboard(_big_strings("big")), 200, "etcdserver: request is too large", "big"),
    Bomb("dashboard-900-deep-yaml", "POST", DASHBOARD + "/preview", JSON,
         _dashboard(configmap_yaml("deepy", "data: " + _deep(900))), 200,
         "yaml: exceeded max depth", "deepy"),
    Bomb("dashboard-900-deep-envelope", "POST", DASHBOARD + "/preview", JSON,
         ('{"text": ' + _deep(900) + "}").encode(), 400, "nested too deeply"),
    Bomb("dashboard-apply-over-a-deep-last-applied", "POST", DASHBOARD + "/apply", JSON,
         _dashboard(configmap_yaml("annotated", "data: {a: b}")).replace(
             b'"mode": "create"', b'"mode": "apply"'), 200,
         "error decoding the kubectl.kubernetes.io/last-applied-configuration annotation"),
    Bomb("dashboard-lesson-900-deep-envelope", "POST", DASHBOARD + "/lesson/goto", JSON,
         ('{"lesson": ' + _deep(900) + "}").encode(), 400, "nested too deeply"),
    Bomb("dashboard-deployment-list", "POST", DASHBOARD + "/apply", JSON,
         _dashboard("apiVersion: apps/v1\nkind: DeploymentList\n"), 400, "no objects passed"),
    Bomb("dashboard-node-without-spec", "POST", DASHBOARD + "/apply", JSON,
         _dashboard("apiVersion: v1\nkind: Node\nmetadata: {name: bare2}\n"), 200,
         "node/bare2 created"),
    Bomb("dashboard-emoji-escape", "POST", DASHBOARD + "/apply", JSON,
         _dashboard('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "emoji"},'
                    ' "data": {"a": "\\ud83d\\ude00"}}'), 200, "configmap/emoji created"),
    Bomb("dashboard-lone-surrogate", "POST", DASHBOARD + "/apply", JSON,
         b'{"text": "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: lone2}\\n'
         b'data: {a: \\"\\ud800\\"}\\n"}', 200, "configmap/lone2 created"),
    Bomb("dashboard-fire-nan", "POST", DASHBOARD + "/fire", JSON,
         b'{"count": NaN, "command": "curl -s http://x", "source": {"kind": "client",'
         b' "name": "10.0.0.1"}}', 400, "count must be a number"),
    Bomb("dashboard-fire-inf", "POST", DASHBOARD + "/fire", JSON,
         b'{"count": Infinity, "command": "curl -s http://x", "source": {"kind": "client",'
         b' "name": "10.0.0.1"}}', 400, "count must be a number"),
]

# a ReplicaSet no cluster can hold: the engine works on it in bounded steps
REPLICAS_BOMB = Bomb(
    "api-replicas-100000000", "POST", REPLICASETS, JSON, json.dumps({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "flood"},
        "spec": {"replicas": 100_000_000, "selector": {"matchLabels": {"app": "flood"}},
                 "template": {"metadata": {"labels": {"app": "flood"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    ).encode(), 201, '"replicas":100000000')

ALL = API_BOMBS + DASHBOARD_BOMBS + [REPLICAS_BOMB]
