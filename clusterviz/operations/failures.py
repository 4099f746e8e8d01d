"""Failure demos: what the graph's node and pod menus do, as plain functions.

Node: stop/start its kubelet (the engine's node lifecycle: NotReady 40 s
after the last heartbeat, the unreachable taints, eviction when the pods'
`tolerationSeconds` run out, 300 s by default), cordon and uncordon (the
`spec.unschedulable` patch `kubectl cordon` sends), drain (cordon, then
each pod not owned by a DaemonSet and not a mirror pod deleted with its
grace period, what `kubectl drain --ignore-daemonsets` does when no
PodDisruptionBudget stands in the way; the simulated API server has no
eviction subresource, so the deletes are direct). Pod: delete, kill its
container (exit 137: the kubelet restarts it and the restart count goes
up), make its readiness probe fail or succeed, only where the simulation
controls it: an `exec` probe that checks a file (`ls /var/ready`, `cat`,
`test -e`), which the action removes or creates inside the container.

Every action runs through `runtime.run`, marked as a person's change on the
timeline. `countdowns` reads what the node lifecycle controller will do and
when, in virtual seconds, with the clock, so the page can count down.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from django.utils.translation import gettext as _

from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.history import marks
from clusterviz.operations.snapshot import clock_of
from clusterviz.web import Refused
from simcore import Simulation, errors

NODE_ACTIONS = ("stop-kubelet", "start-kubelet", "cordon", "uncordon", "drain")
POD_ACTIONS = ("delete", "kill", "readiness-fail", "readiness-succeed")
FILE_CHECKS = {"ls", "cat", "test", "stat", "["}


def act(slug: str, action: str, name: str, namespace: str = "default") -> dict:
    """Do `action` to the node or pod `name`; what happened, in kubectl's words."""
    if action in NODE_ACTIONS:
        label, operation = f"{action} node/{name}", _node_operation(action, name)
    elif action in POD_ACTIONS:
        label, operation = f"{action} pod/{name}", _pod_operation(action, name, namespace)
    else:
        raise Refused(_("unknown action %(action)s") % {"action": action})
    with marks.by_person(label):
        try:
            lines = runtime.run(slug, operation, force_save=True)
        except errors.APIError as exc:
            raise Refused(exc.status.get("message") or str(exc)) from None
    return {"action": action, "name": name, "lines": lines}


def _node_operation(action: str, name: str) -> Callable[[Simulation], list[str]]:
    def operation(sim: Simulation) -> list[str]:
        sim.api.get_ref("nodes", name)  # a 404 Status for a node that is not there
        if action == "stop-kubelet":
            sim.stop_node(name)
            return [f"kubelet on node/{name} stopped"]
        if action == "start-kubelet":
            sim.start_node(name)
            return [f"kubelet on node/{name} started"]
        lines = [_cordon(sim, name, action != "uncordon")]
        if action == "drain":
            lines += _drain(sim, name)
        return lines
    return operation


def _cordon(sim: Simulation, name: str, on: bool) -> str:
    node = sim.api.get_ref("nodes", name)
    if bool((node.get("spec") or {}).get("unschedulable")) == on:
        return f"node/{name} already {'cordoned' if on else 'uncordoned'}"
    # the strategic merge patch kubectl cordon/uncordon sends (false is omitted: null)
    sim.api.patch("nodes", name, {"spec": {"unschedulable": True if on else None}},
                  "application/strategic-merge-patch+json")
    return f"node/{name} {'cordoned' if on else 'uncordoned'}"


def _drain(sim: Simulation, name: str) -> list[str]:
    lines = []
    pods = sim.api.list_ref("pods", None, None, f"spec.nodeName={name}")
    skipped = [p for p in pods if _daemon_or_mirror(p)]
    if skipped:
        refs = ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in skipped)
        lines.append(f"Warning: ignoring DaemonSet-managed Pods: {refs}")
    for pod in pods:
        meta = pod["metadata"]
        if pod in skipped or meta.get("deletionTimestamp"):
            continue
        sim.api.delete("pods", meta["name"], meta["namespace"])
        lines.append(f"pod/{meta['name']} evicted")
    lines.append(f"node/{name} drained")
    return lines


def _daemon_or_mirror(pod: dict) -> bool:
    meta = pod["metadata"]
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return True
    return any(ref.get("kind") == "DaemonSet" for ref in meta.get("ownerReferences") or [])


def _pod_operation(action: str, name: str,
                   namespace: str) -> Callable[[Simulation], list[str]]:
    def operation(sim: Simulation) -> list[str]:
        pod = sim.api.get_ref("pods", name, namespace)
        if action == "delete":
            sim.api.delete("pods", name, namespace)
            return [f'pod "{name}" deleted from {namespace} namespace']
        if action == "kill":
            killed = sim.kill_container(name, namespace)
            if not killed:
                raise Refused(_("no container of pod %(pod)s is running") % {"pod": name})
            return [f"container {c} of pod/{name} killed (exit code 137)" for c in killed]
        path = readiness_file(pod)
        if path is None:
            raise Refused(_("the simulation does not control this pod's readiness probe: "
                            "it is not an exec probe that checks a file"))
        command = f"rm -f {path}" if action == "readiness-fail" else f"touch {path}"
        result = sim.exec(name, command, namespace)
        if result.exit_code != 0:
            raise Refused(result.stderr or result.runtime_error or command)
        return [f"pod/{name}: {command}"]
    return operation


def readiness_file(pod: dict) -> str | None:
    """The file an exec readiness probe checks (`ls /var/ready`), if it is that kind."""
    for container in (pod.get("spec") or {}).get("containers") or []:
        argv: list[str] = (((container.get("readinessProbe") or {}).get("exec") or {})
                           .get("command")) or []
        if len(argv) == 3 and argv[0] in ("sh", "/bin/sh") and argv[1] == "-c":
            argv = shlex.split(argv[2])
        if argv and argv[0] in FILE_CHECKS and argv[-1].startswith("/"):
            return argv[-1].rstrip("]").strip() if argv[0] != "[" else argv[-2]
    return None


def countdowns(slug: str) -> dict:
    """Per node: kubelet running or stopped, when it goes NotReady, when its pods are
    evicted (virtual elapsed seconds), and the clock to count down with."""
    def read(sim: Simulation) -> dict:
        names = [n["metadata"]["name"] for n in sim.api.list_ref("nodes", None, None)]
        return {name: sim.node_countdown(name) for name in names}
    nodes = runtime.run(slug, read)
    cluster = Cluster.objects.get(slug=slug)
    return {"clock": clock_of(cluster), "nodes": nodes}
