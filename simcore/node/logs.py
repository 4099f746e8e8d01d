"""`kubectl logs`, the kubelet's end: which lines of a container's log file a request reads.

What: `read(runtime, pod, container, now, previous)` gives a `LogRun`, the lines of one run
of the container (`[virtual seconds, stream, text]`), when it started, and whether it is
still running (a follower may get more). Which container a request means is the API
server's choice (`registry.stream_container`).

How a run is chosen, as the kubelet keeps its files: the record holds the lines of every
run; a run is the span from its start to its exit. `previous` reads the last terminated
run (the kubelet keeps one previous log file); otherwise the running one, else the one that
just ended, else (waiting to restart) the last one. A container that never ran has no file:
the request is refused with the reason it waits.

Why here and not in the API view (clusterviz/k8sapi/podlogs.py): it reads the kubelet's
record and says what Kubernetes says; the view parses the query, renders (timestamps,
since, tail, limitBytes) and streams. Trade-off: the record is read afresh for every
request and every follow poll; a log is a few hundred lines at most here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simcore import errors
from simcore.node import containers
from simcore.node.records import ContainerRecord, container_record

EPSILON = 1e-9
Line = list  # [virtual seconds, stream, text]


@dataclass(frozen=True)
class LogRun:
    """The lines of one run of a container, read at one virtual moment."""

    lines: list[Line]
    started_at: float | None
    live: bool  # the container is running this run: more lines may come


def read(runtime: Mapping[str, Any], pod: dict, name: str, now: float,
         previous: bool) -> LogRun:
    """The run of container `name` of `pod` a logs request reads (see the module essay)."""
    state = container_record(runtime, pod, name)
    last = state.get("last_terminated")
    pod_name = pod["metadata"]["name"]
    if previous:
        if not last:
            raise errors.bad_request(f'previous terminated container "{name}" in pod '
                                     f'"{pod_name}" not found')
        return _ended(state, last["started"], last["at"])
    stage = state.get("stage")
    if stage == "running":
        started = state["started_at"]
        lines = [ln for ln in containers.logs(state, now) if ln[0] + EPSILON >= started]
        return LogRun(lines, started, True)
    ended = state.get("terminated")
    if stage in ("exited", "done") and ended:
        return _ended(state, ended["started"], ended["at"])
    if last:  # waiting to restart: the kubelet still serves the last run's file
        return _ended(state, last["started"], last["at"])
    raise errors.bad_request(f'container "{name}" in pod "{pod_name}" is waiting to start: '
                             f"{_waiting_reason(pod, name)}")


def _ended(state: ContainerRecord, started: float, ended: float) -> LogRun:
    lines = [ln for ln in state.get("logs") or []
             if started - EPSILON <= ln[0] <= ended + EPSILON]
    return LogRun(lines, started, False)


def _waiting_reason(pod: dict, name: str) -> str:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == name:
            waiting = (status.get("state") or {}).get("waiting") or {}
            return waiting.get("reason") or "ContainerCreating"
    return "ContainerCreating"
