"""The pod row: `NAME READY STATUS RESTARTS AGE` + `IP NODE NOMINATED NODE READINESS GATES`.

STATUS is the one cell students read most, and printers.go derives it through a
chain of overrides rather than from one field: start from the phase (or
`status.reason`), let the first unfinished init container speak (`Init:1/2`,
`Init:CrashLoopBackOff`), then the app containers from last to first (a waiting
or terminated reason wins, else `ExitCode:N` / `Signal:N`), then deletion
(`Terminating`, or `Unknown` for a pod on a lost node). This module follows that
chain step for step, including its quirks (a `Completed` container next to a
running one reads `Running`), because the simulator's pods go through the same
states and the lecture shows the outcome (`Completed`, `Error`,
`CrashLoopBackOff`).

RESTARTS is a string since Kubernetes 1.22: `0`, or `3 (2m ago)` counted from
the newest `lastState.terminated.finishedAt`. Sidecar init containers
(`restartPolicy: Always`) count towards READY and RESTARTS like app containers.
Succeeded and Failed pods also carry a row condition `Completed`, as the real
server sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simcore.identitycache import IdentityCache
from simcore.printers.common import Printer, age_column, column, meta, name_column, spec, status
from simcore.printers.duration import age, between, parse_time

_COLUMNS = (
    name_column(),
    column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "The aggregate status of the containers in this pod."),
    column("Restarts", "The number of times the containers in this pod have been restarted "
                       "and when the last container in this pod has restarted."),
    age_column(),
    column("IP", "podIP address allocated to the pod. Routable at least within the cluster. "
                 "Empty if not yet allocated.", priority=1),
    column("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod "
                   "is a candidate for scheduling by the scheduler defined in schedulerName. "
                   "Once this field is set, the kubelet for this node becomes responsible for "
                   "the lifecycle of this pod. This field should not be used to express a "
                   "desire for the pod to be scheduled on a specific node. https://kubernetes"
                   ".io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
           priority=1),
    column("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods "
                             "on the node, but it cannot be scheduled right away as preemption "
                             "victims receive their graceful termination periods. This field "
                             "does not guarantee that the pod will be scheduled on this node. "
                             "Scheduler may decide to place the pod elsewhere if other nodes "
                             "become available sooner. Scheduler may also decide to give the "
                             "resources on this node to a higher priority pod that is created "
                             "after preemption. As a result, this field may be different than "
                             "PodSpec.nodeName when the pod is scheduled.", priority=1),
    column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod "
                              "readiness. A pod is ready when all its containers are ready AND "
                              "all conditions specified in the readiness gates have status "
                              'equal to "True" More info: https://git.k8s.io/enhancements/keps/'
                              "sig-network/580-pod-readiness-gates", priority=1),
)

_TERMINAL_PHASES = ("Succeeded", "Failed")
_ROW_CONDITIONS = {
    "Succeeded": [{"type": "Completed", "status": "True", "reason": "Succeeded",
                   "message": "The pod has completed successfully."}],
    "Failed": [{"type": "Completed", "status": "True", "reason": "Failed",
                "message": "The pod failed."}],
}


@dataclass
class _Tally:
    """What printPod accumulates while it walks the container statuses."""

    reason: str
    ready: int = 0
    restarts: int = 0
    last_restart: datetime | None = None
    sidecar_restarts: int = 0
    last_sidecar_restart: datetime | None = None
    initializing: bool = False


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or current < candidate else current


def _finished_at(container_status: dict) -> datetime | None:
    terminated = (container_status.get("lastState") or {}).get("terminated")
    return parse_time(terminated.get("finishedAt")) if terminated is not None else None


def _is_sidecar(container: dict | None) -> bool:
    """podutil.IsRestartableInitContainer."""
    policy: str | None = container.get("restartPolicy") if container is not None else None
    return policy == "Always"


def _has_condition(pod_status: dict, type_: str) -> bool:
    """True when the condition is present and True (first match decides)."""
    for cond in pod_status.get("conditions") or []:
        if cond.get("type") == type_:
            condition_status: str | None = cond.get("status")
            return condition_status == "True"
    return False


def _initial_reason(pod_status: dict) -> str:
    reason: str = pod_status.get("reason") or pod_status.get("phase", "")
    for cond in pod_status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    return reason


def _terminated_text(terminated: dict, prefix: str = "") -> str:
    reason: str | None = terminated.get("reason")
    if reason:
        return prefix + reason
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _walk_init_containers(pod: dict, tally: _Tally) -> None:
    init_specs = spec(pod).get("initContainers") or []
    by_name = {c.get("name"): c for c in init_specs}
    for i, cs in enumerate(status(pod).get("initContainerStatuses") or []):
        sidecar = _is_sidecar(by_name.get(cs.get("name")))
        tally.restarts += cs.get("restartCount", 0)
        tally.last_restart = _later(tally.last_restart, _finished_at(cs))
        if sidecar:
            tally.sidecar_restarts += cs.get("restartCount", 0)
            tally.last_sidecar_restart = _later(tally.last_sidecar_restart, _finished_at(cs))
        if _init_container_done(cs, sidecar, tally):
            continue
        tally.reason = _init_reason(cs, i, len(init_specs))
        tally.initializing = True
        break


def _init_container_done(cs: dict, sidecar: bool, tally: _Tally) -> bool:
    state = cs.get("state") or {}
    terminated = state.get("terminated")
    if terminated is not None and terminated.get("exitCode", 0) == 0:
        return True
    if sidecar and cs.get("started"):
        tally.ready += 1 if cs.get("ready") else 0
        return True
    return False


def _init_reason(cs: dict, index: int, total: int) -> str:
    state = cs.get("state") or {}
    if state.get("terminated") is not None:
        return _terminated_text(state["terminated"], "Init:")
    waiting = state.get("waiting")
    reason: str | None = waiting.get("reason") if waiting is not None else None
    if reason and reason != "PodInitializing":
        return "Init:" + reason
    return f"Init:{index}/{total}"


def _walk_containers(pod: dict, tally: _Tally) -> None:
    # Only the sidecars' restarts survive from the init walk once the pod is initialized.
    tally.restarts, tally.last_restart = tally.sidecar_restarts, tally.last_sidecar_restart
    has_running = False
    for cs in reversed(status(pod).get("containerStatuses") or []):
        tally.restarts += cs.get("restartCount", 0)
        tally.last_restart = _later(tally.last_restart, _finished_at(cs))
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting is not None and waiting.get("reason"):
            tally.reason = waiting["reason"]
        elif terminated is not None:
            tally.reason = _terminated_text(terminated)
        elif cs.get("ready") and state.get("running") is not None:
            has_running = True
            tally.ready += 1
    if tally.reason == "Completed" and has_running:
        tally.reason = "Running" if _has_condition(status(pod), "Ready") else "NotReady"


def pod_status(pod: dict) -> tuple[str, int, int, datetime | None]:
    """printPod's (STATUS, ready containers, restarts, last restart time)."""
    pod_st = status(pod)
    tally = _Tally(_initial_reason(pod_st))
    _walk_init_containers(pod, tally)
    if not tally.initializing or _has_condition(pod_st, "Initialized"):
        _walk_containers(pod, tally)
    if meta(pod).get("deletionTimestamp"):
        if pod_st.get("reason") == "NodeLost":
            tally.reason = "Unknown"
        elif pod_st.get("phase", "") not in _TERMINAL_PHASES:
            tally.reason = "Terminating"
    return tally.reason, tally.ready, tally.restarts, tally.last_restart


def _total_containers(pod: dict) -> int:
    pod_spec = spec(pod)
    sidecars = sum(1 for c in pod_spec.get("initContainers") or [] if _is_sidecar(c))
    return len(pod_spec.get("containers") or []) + sidecars


def _pod_ip(pod_st: dict) -> str:
    # The v1 -> internal conversion makes podIP authoritative, then podIPs[0].
    ips = pod_st.get("podIPs") or []
    ip: str = pod_st.get("podIP") or (ips[0].get("ip", "") if ips else "") or "<none>"
    return ip


def _readiness_gates(pod: dict) -> str:
    gates = spec(pod).get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = status(pod).get("conditions") or []
    true_count = 0
    for gate in gates:
        match = next((c for c in conditions if c.get("type") == gate.get("conditionType")), None)
        true_count += 1 if match is not None and match.get("status") == "True" else 0
    return f"{true_count}/{len(gates)}"


def _timeless_cells(pod: dict) -> tuple:
    """Everything in the row that does not depend on `now`."""
    reason, ready, restarts, last_restart = pod_status(pod)
    pod_st = status(pod)
    return (meta(pod).get("name", ""), f"{ready}/{_total_containers(pod)}", reason,
            restarts, last_restart, meta(pod).get("creationTimestamp"), _pod_ip(pod_st),
            spec(pod).get("nodeName") or "<none>",
            pod_st.get("nominatedNodeName") or "<none>", _readiness_gates(pod))


# The timeless cells by the identity of the stored pod dict (see simcore.identitycache): a
# large `get pods` then costs the AGE cells only. The cells are a pure function of the
# dict, so any thread may fill it.
_timeless: IdentityCache[dict, tuple] = IdentityCache(lambda pod: _timeless_cells(pod),
                                                     limit=20_000)


def pod_cells(pod: dict, now: datetime) -> list:
    name, ready, reason, restarts, last_restart, created, ip, node, nominated, gates = \
        _timeless(pod)
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({between(last_restart, now)} ago)"
    return [name, ready, reason, restarts_text, age(created, now), ip, node, nominated, gates]


def pod_conditions(pod: dict) -> list:
    """The row conditions: `Completed` for a Succeeded or Failed pod."""
    return [dict(c) for c in _ROW_CONDITIONS.get(status(pod).get("phase", ""), [])]


PRINTERS = {"Pod": Printer(_COLUMNS, pod_cells, pod_conditions)}
