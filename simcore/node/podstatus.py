"""Pod status as the kubelet reports it, built from the kubelet's runtime record.

Kept apart from the kubelet's decisions so the mapping from "what the
containers are doing" to `status.phase`, `containerStatuses` and conditions
reads in one place: it is what `kubectl get pods` turns into READY and
STATUS.
"""

from __future__ import annotations

import functools
import hashlib

from simcore.clock import Clock
from simcore.exec.imageref import canonical_name, familiar_name, repository_digest


def pod_ref(pod: dict) -> str:
    meta = pod["metadata"]
    return f"{meta['name']}_{meta['namespace']}({meta['uid']})"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def image_id(image: str) -> str:
    """status.imageID under containerd: `docker.io/library/nginx@sha256:<digest>`."""
    # every status write of every pod names its image: hash each image once
    return _image_id(image) if isinstance(image, str) else _image_id.__wrapped__(image)


@functools.lru_cache(maxsize=1024)
def _image_id(image: str) -> str:
    return repository_digest(image, _digest(image))


def docker_image_id(image: str) -> str:
    """status.imageID under dockershim: `docker-pullable://<repo>@sha256:<digest>`."""
    return "docker-pullable://" + repository_digest(image, _digest(image), familiar=True)


def _condition(type_: str, status: bool, now: str, old: dict | None,
               reason: str | None = None, message: str | None = None) -> dict:
    value = "True" if status else "False"
    since = old["lastTransitionTime"] if old and old.get("status") == value else now
    cond = {"type": type_, "status": value, "lastProbeTime": None, "lastTransitionTime": since}
    if reason and not status:
        cond["reason"] = reason
    if message and not status:
        cond["message"] = message
    return cond


def sandbox_created(pod: dict, record: dict, now: str) -> None:
    pod["status"].update(_sandbox_fields(pod, record, now))


def _sandbox_fields(pod: dict, record: dict, now: str) -> dict:
    return {
        "hostIP": record["host_ip"], "hostIPs": [{"ip": record["host_ip"]}],
        "podIP": record["ip"], "podIPs": [{"ip": record["ip"]}], "startTime": now,
        "phase": "Pending",
        "containerStatuses": [
            {"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False,
             "restartCount": 0, "started": False,
             "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}}
            for c in pod["spec"].get("containers") or []]}


def _reported_image(image: str, docker: bool) -> tuple[str, str]:
    """(status.image, status.imageID once pulled) as the runtime reports them."""
    if isinstance(image, str):
        return _reported_image_of(image, docker)  # every status of every pod names one
    return _reported_image_of.__wrapped__(image, docker)


@functools.lru_cache(maxsize=1024)
def _reported_image_of(image: str, docker: bool) -> tuple[str, str]:
    if docker:
        return familiar_name(image), docker_image_id(image)
    return canonical_name(image), image_id(image)


def _container_status(container: dict, state: dict, record: dict, pod: dict,
                      clock: Clock) -> dict:
    now = clock.elapsed
    # dockershim (the lecture's Docker 20.10 nodes) names images and containers its own way
    docker = state.get("runtime") == "docker"
    shown, pulled = _reported_image(container.get("image", ""), docker)
    out = {"name": container["name"], "image": shown, "imageID": "",
           "ready": False, "restartCount": state.get("restart_count", 0), "started": False,
           "lastState": {}}
    if state.get("last_terminated"):
        out["lastState"] = {"terminated": _terminated(state["last_terminated"], clock)}
    stage = state["stage"]
    if stage == "waiting":
        waiting = state.get("waiting") or {"reason": "ContainerCreating"}
        if state.get("backoff_reason") and now + 1e-9 >= state.get("show_backoff_at", 0):
            waiting = state["backoff_reason"]
        out["state"] = {"waiting": dict(waiting)}
        if state.get("pulled"):
            out["imageID"] = pulled
        return out
    out["imageID"] = pulled
    out["containerID"] = ("docker://" if docker else "containerd://") + _digest(
        f"{record['uid']}/{container['name']}/{state.get('restart_count', 0)}")
    if stage == "running":
        out["started"] = True
        out["ready"] = bool(state.get("probe", {}).get("readiness", True)) \
            if container.get("readinessProbe") else True
        out["state"] = {"running": {"startedAt": clock.timestamp(state["started_at"] - now)}}
        return out
    if stage == "exited" and state.get("restart_at", now) > now + 1e-9:
        out["state"] = {"waiting": {
            "reason": "CrashLoopBackOff",
            "message": f"back-off {int(state['restart_at'] - state['terminated']['at'])}s "
                       f"restarting failed container={container['name']} pod={pod_ref(pod)}"}}
        out["lastState"] = {"terminated": _terminated(state["terminated"], clock)}
        return out
    out["state"] = {"terminated": _terminated(state["terminated"], clock)}
    return out


def _terminated(term: dict, clock: Clock) -> dict:
    now = clock.elapsed
    return {"exitCode": term["exitCode"], "reason": term["reason"],
            "startedAt": clock.timestamp(term["started"] - now),
            "finishedAt": clock.timestamp(term["at"] - now),
            "containerID": term.get("containerID", "")}


def _phase(statuses: list[dict], record: dict, pod: dict) -> str:
    states = [s["stage"] for s in record["containers"].values()]
    if states and all(s == "done" for s in states):
        codes = [s["terminated"]["exitCode"] for s in record["containers"].values()]
        return "Succeeded" if all(c == 0 for c in codes) else "Failed"
    if any(s.get("started_once") for s in record["containers"].values()):
        return "Running"
    return "Pending"


def status_of(pod: dict, record: dict, now: str, clock: Clock) -> dict:
    """The status the kubelet reports now, as a new dict (the pod is left as it is).

    Built from the kubelet's record alone, and a condition keeps its
    lastTransitionTime unless its status flips (lastProbeTime stays null, as the
    kubelet leaves it): a pod whose containers did nothing new gets a status equal to
    the one stored, which is how the kubelet knows there is nothing to write."""
    spec, status = pod["spec"], dict(pod["status"])
    if "podIP" not in status:
        status.update(_sandbox_fields(pod, record, now))
    statuses = [_container_status(c, record["containers"][c["name"]], record, pod, clock)
                for c in spec.get("containers") or []]
    status["containerStatuses"] = statuses
    status["phase"] = _phase(statuses, record, pod)
    old = {c["type"]: c for c in status.get("conditions") or []}
    unready = [s["name"] for s in statuses if not s["ready"]]
    done = status["phase"] in ("Succeeded", "Failed")
    reason = "PodCompleted" if done else "ContainersNotReady"
    message = None if done else f"containers with unready status: [{' '.join(unready)}]"
    conditions = [
        _condition("PodReadyToStartContainers", not done, now,
                   old.get("PodReadyToStartContainers")),
        _condition("Initialized", True, now, old.get("Initialized")),
        _condition("Ready", not unready, now, old.get("Ready"), reason, message),
        _condition("ContainersReady", not unready, now, old.get("ContainersReady"), reason,
                   message),
    ]
    if "PodScheduled" in old:
        conditions.append(old["PodScheduled"])
    status["conditions"] = conditions
    return status
