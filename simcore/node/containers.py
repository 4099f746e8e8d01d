"""One container's life as the kubelet tracks it: plain data, saved with the cluster.

A container record holds its stage (waiting, running, exited, done), what
its image's main process plans to do (`simcore.exec.processes`: output,
file changes and listeners at given times, an exit or none, what SIGTERM
does), its small file system, its environment as fixed at start, and its
restart history. The kubelet drives the stages; this module knows how each
one is entered, what the files are at a given moment, and what a probe sees.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from simcore.exec import imagelookup, images
from simcore.exec.imageref import canonical_name, familiar_name
from simcore.exec.images import ImageProfile
from simcore.node import resolvconf
from simcore.node.system_images import system_profile

if TYPE_CHECKING:
    from simcore.apiserver import APIServer
    from simcore.exec.context import ExecContext, FileSystem
    from simcore.exec.netapi import Network


def profile_for(image: str) -> ImageProfile | None:
    return imagelookup.image_profile(image) or system_profile(image)


def image_size(image: str) -> int:
    return 40_000_000 + int(hashlib.sha256(image.encode()).hexdigest()[:6], 16)


def pull_error(image: str, runtime: str = "containerd") -> str:
    """The pull failure the kubelet reports, in the node's runtime's words.

    dockershim (Docker 20.10, the lecture): the daemon's "pull access denied for <name>"
    for a repository Docker Hub does not have, "manifest for <name:tag> not found" for a
    tag a known repository lacks. containerd: "insufficient_scope" for the former, the
    resolver's "not found" for the latter and for other registries."""
    name = canonical_name(image)
    known = imagelookup.repository_known(image)
    if runtime == "docker":
        short = familiar_name(image)
        if name.startswith("docker.io/") and not known:
            return ("rpc error: code = Unknown desc = Error response from daemon: pull access "
                    f"denied for {short.rsplit(':', 1)[0]}, repository does not exist or may "
                    "require 'docker login': denied: requested access to the resource is denied")
        return (f"rpc error: code = Unknown desc = Error response from daemon: manifest for "
                f"{short} not found: manifest unknown: manifest unknown")
    if name.startswith("docker.io/") and not known:
        return (f"failed to pull and unpack image \"{name}\": failed to resolve reference "
                f"\"{name}\": pull access denied, repository does not exist or may require "
                "authorization: server message: insufficient_scope: authorization failed")
    return (f"rpc error: code = NotFound desc = failed to pull and unpack image \"{name}\": "
            f"failed to resolve reference \"{name}\": {name}: not found")


def new_container(container: dict) -> dict:
    return {"stage": "waiting", "restart_count": 0, "logs": [], "backoff_n": 0}


def runtime_of(node: dict | None) -> str:
    version = ((node or {}).get("status") or {}).get("nodeInfo", {}).get(
        "containerRuntimeVersion", "containerd://")
    return "docker" if version.startswith("docker") else "containerd"


# environment and files ------------------------------------------------------------------
def pod_env(container: dict, links: list[tuple[str, str]], pod: dict,
            api: APIServer) -> list[tuple[str, str]]:
    """Service links, then the container's own `env` (which wins on a clash)."""
    own = []
    for var in container.get("env") or []:
        if "valueFrom" in var:
            own.append((var["name"], _value_from(var["valueFrom"], pod, api)))
        else:
            own.append((var["name"], str(var.get("value", ""))))
    if not own:
        return links  # most containers: nothing of their own to win over a Service's
    names = {k for k, _ in own}
    return [kv for kv in links if kv[0] not in names] + own


def _value_from(source: dict, pod: dict, api: APIServer) -> str:
    if "fieldRef" in source:
        path = source["fieldRef"].get("fieldPath", "")
        meta, spec, status = pod["metadata"], pod["spec"], pod.get("status") or {}
        simple: dict[str, str] = {"metadata.name": meta["name"], "metadata.namespace": meta["namespace"],
                  "metadata.uid": meta.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
                  "spec.serviceAccountName": spec.get("serviceAccountName", ""),
                  "status.podIP": status.get("podIP", ""),
                  "status.hostIP": status.get("hostIP", "")}
        if path in simple:
            return simple[path]
        for prefix, field in (("metadata.labels['", "labels"),
                              ("metadata.annotations['", "annotations")):
            if path.startswith(prefix):
                picked: str = (meta.get(field) or {}).get(path[len(prefix):-2], "")
                return picked
        return ""
    for ref_kind, resource in (("configMapKeyRef", "configmaps"), ("secretKeyRef", "secrets")):
        ref = source.get(ref_kind)
        if ref:
            obj = api.store.get(resource, pod["metadata"]["namespace"], ref.get("name", ""))
            value: str = ((obj or {}).get("data") or {}).get(ref.get("key", ""), "")
            if resource == "secrets" and value:
                value = base64.b64decode(value).decode(errors="replace")
            return value
    return ""


def initial_files(profile: ImageProfile, pod: dict, record: dict, config: dict,
                  runtime: str) -> FileSystem:
    spec = pod["spec"]
    hostname = spec.get("hostname") or pod["metadata"]["name"]
    fqdn = ""
    if spec.get("subdomain"):
        fqdn = (f"{hostname}.{spec['subdomain']}.{pod['metadata']['namespace']}.svc."
                f"{config.get('cluster_domain', 'cluster.local')}")
    files: FileSystem = dict(profile.files)
    files.update(images.kubelet_files(hostname, record["ip"], resolvconf.pod_resolv_conf(pod, config, runtime),
                                      fqdn=fqdn))
    return files


# stages -----------------------------------------------------------------------------------
def start(state: dict, profile: ImageProfile, container: dict, env: Mapping[str, str],
          files: FileSystem, pod: dict, now: float, now_dt: datetime, rng: random.Random) -> None:
    """Start the container with `env` (images.container_env_map), fixed from now on: kept
    as the runtime's list, and its map kept beside it for `env_map`."""
    items = images.joined(env)
    _remember_env(items, dict(env))
    plan = profile.start(container.get("command"), container.get("args"), env, rng,
                         now=now_dt, files=files)
    state.update({"stage": "running", "image": container.get("image", ""),
                  "started_at": now, "started_once": True,
                  "env": items, "files": dict(files), "plan": _keep(plan),
                  "file_cursor": 0, "probe": {}, "probe_due": {}})
    for key in ("waiting", "retry_at", "backoff_reason", "show_backoff_at"):
        state.pop(key, None)
    error = plan.get("start_error")
    if error:
        flavour = error.get(state.get("runtime", "docker")) or next(iter(error.values()))
        finish(state, now, flavour["exit_code"], flavour["reason"], flavour["message"])
        return
    for line in plan.get("output") or []:
        state["logs"].append([now + line["at"], line["stream"], line["text"]])
    exit_ = plan.get("exit")
    state["exit_at"] = None if exit_ is None else now + float(exit_["at"])
    state["exit_code"] = 0 if exit_ is None else int(exit_["code"])


def _keep(plan: dict) -> dict:
    return {k: plan.get(k) for k in ("argv", "files", "listeners", "repeat", "sigterm")}


def finish(state: dict, at: float, code: int, reason: str | None = None,
           message: str | None = None) -> None:
    state["stage"] = "exited"
    term = {"exitCode": code, "reason": reason or ("Completed" if code == 0 else "Error"),
            "started": state.get("started_at", at), "at": at}
    if message:
        term["message"] = message
    state["terminated"] = term
    state["ran_long"] = at - state.get("started_at", at) >= 600
    state["exit_at"] = None


def handles_sigterm(state: dict) -> bool:
    sigterm = (state.get("plan") or {}).get("sigterm") or {}
    return sigterm.get("action") == "exit"


def listening(state: dict, port: int, now: float) -> dict | None:
    if state.get("stage") != "running":
        return None
    listeners: list[dict] = (state.get("plan") or {}).get("listeners") or []
    for listener in listeners:
        if listener["port"] == port and now + 1e-9 >= state["started_at"] + listener["at"]:
            return listener
    return None


def next_listener(state: dict, now: float) -> float | None:
    """When the process next opens a port: worth a look, so waiting ends after it."""
    times = [state["started_at"] + entry["at"]
             for entry in (state.get("plan") or {}).get("listeners") or []]
    later = [t for t in times if t > now + 1e-9]
    return min(later) if later else None


def _file_events(state: dict, until: float) -> list[dict]:
    from simcore.exec.processes import expand_repeat
    plan = state.get("plan") or {}
    start = state["started_at"]
    events = [dict(e, at=start + e["at"]) for e in plan.get("files") or []]
    if plan.get("repeat"):
        events += [dict(e, at=start + e["at"]) for e in
                   expand_repeat(plan, until - start) if e["kind"] == "files"]
    return sorted((e for e in events if e["at"] <= until), key=lambda e: e["at"])


def apply_file_events(state: dict, now: float) -> None:
    """Play the process's file writes up to now, once each."""
    events = _file_events(state, now)
    for event in events[state.get("file_cursor", 0):]:
        if event.get("op") in ("delete", "rm", "remove"):
            state["files"].pop(event["path"], None)
        else:
            state["files"][event["path"]] = event.get("content", "")
    state["file_cursor"] = len(events)


def next_file_event(state: dict, now: float) -> float | None:
    """When the process next writes a file, if ever."""
    plan = state.get("plan") or {}
    start = state["started_at"]
    times = sorted(start + e["at"] for e in plan.get("files") or [])
    later = [t for t in times if t > now + 1e-9]
    repeat = plan.get("repeat")
    if repeat and repeat.get("files") and repeat.get("every", 0) > 0:
        first = start + repeat["start"] + min(e["at"] for e in repeat["files"])
        k = 0 if now < first else int((now - first) // repeat["every"]) + 1
        later.append(first + k * repeat["every"])
    return min(later) if later else None


# probes --------------------------------------------------------------------------------------
_ENV_MAPS: dict[int, tuple[list, Mapping[str, str]]] = {}
_NO_ENV: Mapping[str, str] = MappingProxyType({})


def env_map(state: dict) -> Mapping[str, str]:
    """The container's environment, read-only.

    Probes, execs and requests read it for every run; the list is fixed when the
    container starts (a restart stores a new list), so its parse is kept per list object
    and handed out as a read-only view: with service links on, a pod in a namespace of
    1,000 Services has 7,000 variables, and copying them for every curl was a sixth of
    its cost. A process that changes its environment copies it first (Shell, `env`)."""
    items = state.get("env")
    if not items:
        return _NO_ENV
    cached = _ENV_MAPS.get(id(items))
    if cached is None or cached[0] is not items:
        # a list the start did not hand over (a saved cluster loaded again): parse it once
        return _remember_env(items, dict(item.split("=", 1) for item in items))
    return cached[1]


def _remember_env(items: list[str], env: dict[str, str]) -> Mapping[str, str]:
    if len(_ENV_MAPS) > 50_000:
        _ENV_MAPS.clear()
    parsed = MappingProxyType(env)
    _ENV_MAPS[id(items)] = (items, parsed)
    return parsed


def exec_context(profile: ImageProfile, state: dict, now_dt: datetime, rng: random.Random,
                 runtime: str, net: Network | None = None, tty: bool = False) -> ExecContext:
    from simcore.exec.context import ExecContext
    env = env_map(state)
    return ExecContext(profile, env, env.get("HOSTNAME", ""), state.setdefault("files", {}),
                       now_dt, rng, net, tty=tty, runtime=runtime)


# A probe's command always sees a generator freshly seeded with 0. Seeding (hashing the
# seed into the Mersenne Twister state) costs more than copying a state seeded once, and
# every pod runs its probe when it starts.
_PROBE_RNG_STATE = random.Random(0).getstate()


def _probe_rng() -> random.Random:
    rng = random.Random.__new__(random.Random)
    rng.setstate(_PROBE_RNG_STATE)
    return rng


def run_probe(probe: dict, profile: ImageProfile, state: dict, pod: dict, now: float,
              now_dt: datetime, rng: random.Random, runtime: str) -> tuple[bool, str]:
    """(passes, what the kubelet would report) for one probe, at the current state."""
    if "exec" in probe:
        from simcore.exec.shell import run
        argv = probe["exec"].get("command") or []
        result = run(argv, exec_context(profile, state, now_dt, _probe_rng(), runtime))
        # the exec prober's combined output, untrimmed (kubectl describe trims it)
        return result.exit_code == 0, result.stdout + result.stderr
    handler = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc") or {}
    port = handler.get("port")
    if isinstance(port, str) and not port.isdigit():
        port = next((p["containerPort"] for c in pod["spec"].get("containers") or []
                     for p in c.get("ports") or [] if p.get("name") == port), None)
    port = int(port) if port is not None else None
    ok = port is not None and listening(state, port, now) is not None
    ip = (pod.get("status") or {}).get("podIP", "")
    if "httpGet" in probe:
        path = handler.get("path", "/")
        why = f'Get "http://{ip}:{port}{path}": dial tcp {ip}:{port}: connect: connection refused'
    else:
        why = f"dial tcp {ip}:{port}: connect: connection refused"
    return ok, "" if ok else why


def next_probe_run(probe: dict, state: dict, now: float) -> float:
    """The probe's next run at or after now: initialDelaySeconds after the start, then
    every periodSeconds."""
    period = float(probe.get("periodSeconds", 10))
    started: float = state["started_at"]
    first = started + float(probe.get("initialDelaySeconds", 0))
    if now <= first:
        return first
    return first + -(-(now - first) // period) * period


def next_probe_tick(probe: dict, state: dict, now: float, ok: bool) -> float:
    """When the probe result `ok` takes effect: the next probe run at or after now, plus the
    further runs its threshold needs."""
    period = float(probe.get("periodSeconds", 10))
    tick = next_probe_run(probe, state, now)
    threshold = int(probe.get("successThreshold", 1) if ok else probe.get("failureThreshold", 3))
    return tick + (threshold - 1) * period


def logs(state: Mapping, now: float) -> list[list]:
    """[time, stream, text] lines written up to now, repeats included."""
    from simcore.exec.processes import expand_repeat
    lines = [line for line in state.get("logs") or [] if line[0] <= now + 1e-9]
    plan = state.get("plan") or {}
    if plan.get("repeat") and state.get("started_at") is not None:
        start = state["started_at"]
        lines += [[start + e["at"], e["stream"], e["text"]]
                  for e in expand_repeat(plan, now - start) if e["kind"] == "output"]
    return sorted(lines, key=lambda line: line[0])
