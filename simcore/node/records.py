"""The kubelet's saved state, typed: the one reader of `engine.runtime["kubelet"]["pods"]`.

What: `PodRecord` (the pod sandbox as the kubelet keeps it: uid, node, IPs, when its
containers may start, one `ContainerRecord` each) and the readers the data plane,
`kubectl exec`, `port-forward` and `logs` use: `pod_record`, `container_records` and
`container_record`. Each takes the pod object, not its name, and checks its uid.

Why: the record is plain data saved with the cluster (`sim.state()`), so it cannot be a
class; it was read by string path in three places, only one of which checked that the
record still belongs to the pod of that name (a pod deleted and re-created under the same
name keeps its key until the kubelet catches up: a bounded step can end between the two).
The TypedDicts name every field the kubelet writes, for the type checker and a newcomer.

Trade-off: TypedDicts describe, they do not check at run time; `total=False` on the
container record because its fields appear as the container moves through its stages.
The kubelet (node/kubelet.py) writes the record through its own `state`; it is not
switched to these types yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

from simcore.resources import object_key

# "done": exited for good (restartPolicy Never, or OnFailure after a zero exit)
Stage = Literal["waiting", "running", "exited", "done"]


class Terminated(TypedDict):
    exitCode: int
    reason: str
    started: float
    at: float
    message: NotRequired[str]  # a start that failed (the runtime's words)
    containerID: NotRequired[str]


class ContainerRecord(TypedDict, total=False):
    stage: Stage
    image: str  # what it was started from: the spec's image only counts at the next start
    runtime: str  # "docker" (dockershim) or "containerd"
    restart_count: int
    logs: list[list]  # [virtual seconds, stream, text]
    backoff_n: int
    backoff_reason: dict
    show_backoff_at: float
    waiting: dict
    pulled: bool
    pull_failures: int
    retry_at: float
    started_at: float
    started_once: bool
    env: list[str]
    files: dict[str, str | None]
    plan: dict  # exec/processes.py's ProcessPlan
    file_cursor: int
    probe: dict[str, bool]
    probe_due: dict[str, float]
    probe_runs: dict[str, dict]  # per failing probe: next run and Unhealthy events sent
    exit_at: float | None
    exit_code: int
    terminated: Terminated
    last_terminated: Terminated
    ran_long: bool
    restart_at: float
    app_state: dict[str, dict]  # per port: the server's memory (net/listeners.py)


class PodRecord(TypedDict):
    uid: str
    node: str
    ip: str
    host_ip: str
    host_network: bool
    start_at: float
    containers: dict[str, ContainerRecord]
    killing_recorded: NotRequired[bool]  # the Killing events of a graceful stop are out


_NONE: Mapping[str, Any] = {}  # read-only stand-in for a missing table


def pod_record(runtime: Mapping[str, Any], pod: dict) -> PodRecord | None:
    """The kubelet's record of `pod` in the engine's `runtime` table, None when it has none
    or the record under that name is a predecessor's (its uid is not this pod's)."""
    meta = pod["metadata"]
    record: PodRecord | None = runtime.get("kubelet", _NONE).get("pods", _NONE).get(
        object_key(meta["namespace"], meta["name"]))
    if record is None or record["uid"] != meta.get("uid"):
        return None
    return record


def container_records(runtime: Mapping[str, Any], pod: dict) -> dict[str, ContainerRecord]:
    """The container records of `pod` (this very pod: the uid must match), {} when none."""
    record = pod_record(runtime, pod)
    return {} if record is None else record["containers"]


def container_record(runtime: Mapping[str, Any], pod: dict, name: str) -> ContainerRecord:
    """The record of `pod`'s container `name`, {} when the kubelet has none (not started)."""
    return container_records(runtime, pod).get(name) or {}
