"""What a teacher reads of a kubectl request: one line per command, not per HTTP request.

kubectl makes many requests for one command: discovery (`/api`, `/apis`,
the OpenAPI documents), the GET before `apply` writes, the list and then the
watch of `get -w`, the events list behind `describe`. A history of all of
them would bury the one line that matters. So, per request:

- only resource requests count (discovery, version, OpenAPI and the
  SelfSubject reviews are kubectl's own business);
- a watch is never a line, nor a list that names a `resourceVersion` (an
  informer's re-list: someone already listed);
- the reads behind a write command are dropped: kubectl says which command
  it runs in its `Kubectl-Command` header (KEP-859, on by default since
  1.22), and a GET inside `kubectl apply` is not what the student did;
- the line is the authorizer's verb, the resource (`deployments.apps`, its
  subresource in brackets), the name, the namespace when it is not
  `default`, prefixed with the kubectl command when kubectl said it:
  `kubectl apply: create deployments.apps/web`.

Of several reads of one read command (`describe` reads the pod, then the
events) the recorder keeps the first, by kubectl's `Kubectl-Session`
header (`record.api_request`). Pure functions: table-tested.
"""

from __future__ import annotations

from collections.abc import Mapping

from clusterviz.k8sapi.access import verb_for
from clusterviz.k8sapi.routing import Route

MAX_TEXT = 300
# kubectl's commands that change something: their GETs are how they find what to change.
WRITE_COMMANDS = frozenset({
    "apply", "create", "delete", "edit", "patch", "replace", "scale", "label", "annotate",
    "set", "rollout", "expose", "run", "autoscale", "cordon", "uncordon", "drain", "taint",
})


def kubectl_command(headers: Mapping[str, str]) -> str:
    """`kubectl apply` as kubectl's Kubectl-Command header says it, or ""."""
    value = str(headers.get("Kubectl-Command") or "").strip()
    return value[:80] if value.startswith("kubectl") else ""


def is_write_command(command: str) -> bool:
    words = command.split()
    return len(words) > 1 and words[1] in WRITE_COMMANDS


def api_summary(method: str, route: Route | None, query: Mapping[str, str],
                headers: Mapping[str, str], watching: bool = False,
                created: str = "") -> str | None:
    """The history line of one API request, or None when it is not worth one. `created`:
    the name a create to a collection made (the path does not say it, the answer does)."""
    if route is None or route.endpoint != "resource" or route.resource is None:
        return None
    if watching or str(query.get("watch", "")).lower() in ("1", "true"):
        return None
    reading = method in ("GET", "HEAD")
    listing = reading and route.name is None
    if listing and query.get("resourceVersion"):
        return None
    command = kubectl_command(headers)
    if reading and is_write_command(command):
        return None
    text = _target(verb_for(method, route, False), route, created)
    return (f"{command}: {text}" if command else text)[:MAX_TEXT]


def _target(verb: str, route: Route, created: str = "") -> str:
    resource = route.resource.group_resource  # type: ignore[union-attr]
    name = route.name or (created if verb == "create" else "")
    text = f"{verb} {resource}" + (f"/{name}" if name else "")
    if route.subresource:
        text += f" ({route.subresource})"
    if route.namespace and route.namespace != "default":
        text += f" -n {route.namespace}"
    return text
