"""The kubelets of every node: pods from bound to running to gone.

One controller plays each node's kubelet, keyed by pod. For a pod bound to a
node it creates the sandbox (a pod IP from the node's podCIDR, as flannel's
host-local IPAM hands them out: the next free address after the last one,
so numbers climb), pulls the image (an image the catalogue does not know
fails with ErrImagePull, then ImagePullBackOff), starts each container with
the environment of that moment (service links included), and follows the
container's plan: a server keeps listening, a batch process exits with its
code after its run time, the file system changes when the script says so.

Probes are evaluated from state, not on a ticking timer: the result of
`ls /var/ready` only changes when the file system does, so the kubelet works
out at which probe period the outcome flips and sets one timer for it. A
cluster with nothing changing has no timers, and `run_until_idle` ends. A
failing probe still runs every period (each run is counted on its `Unhealthy`
event): the prober's background timers make those runs without the pod's
sync, as the real kubelet's probe workers do, and the status is written only
when it changed, as its status manager does.

The kubelet's own state (IP allocations, per-container plans, files, logs,
restart back-offs) lives in `self.state`, saved with the cluster; everyone else
reads it through node/records.py, which checks the pod's uid.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from simcore import envvars, events, touched
from simcore.exec import images
from simcore.exec.images import ImageProfile
from simcore.loop import Alarm, Controller
from simcore.node import containers, podstatus
from simcore.objects import node_ip, node_ready
from simcore.resources import object_key, split_key
from simcore.store import Event

BACKOFF_START, BACKOFF_CAP = 10.0, 300.0
PULL_BACKOFF_CAP = 300.0
# client-go EventCorrelator spam filter defaults: a burst of 25 events, then 1 per 5 minutes
SPAM_BURST, SPAM_INTERVAL = 25, 300.0


@functools.lru_cache(maxsize=4096)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    # parsed once per node, not once per pod started
    return ipaddress.ip_network(cidr)


class Kubelet(Controller):
    name = "kubelet"
    watches = ("pods", "nodes")

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource == "nodes":
            return ()
        pod, old = event.object, event.old
        if not pod["spec"].get("nodeName"):
            return ()
        if old is not None and event.type == "MODIFIED" and old["spec"] == pod["spec"] and \
                old["metadata"].get("deletionTimestamp") == pod["metadata"].get(
                    "deletionTimestamp"):
            return ()  # only the status moved, and the kubelet wrote it
        return (object_key(pod["metadata"]["namespace"], pod["metadata"]["name"]),)

    # ---------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        pod = self.api.try_get_ref("pods", name, namespace)
        pods = touched.table(self.state, "pods")
        if pod is None:
            self._forget(key)
            return
        node = self.api.try_get_ref("nodes", pod["spec"].get("nodeName", ""))
        if node is None or not node_ready(node):
            return
        record = pods.get(key)
        if record is not None and record["uid"] != pod["metadata"]["uid"]:
            self._forget(key)
            record = None
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(key, pod, record)
            return
        if record is None:
            if pod["status"].get("phase") in ("Succeeded", "Failed"):
                return
            record = self._create_sandbox(key, pod, node)
        self._step(key, pod, record)

    def _forget(self, key: str) -> None:
        record = touched.table(self.state, "pods").pop(key, None)
        if record and record.get("ip") and not record.get("host_network"):
            used = self.state.setdefault("ipam", {}).setdefault(record["node"], {}).setdefault(
                "used", [])
            if record["ip"] in used:
                used.remove(record["ip"])

    # sandbox -------------------------------------------------------------------
    def _create_sandbox(self, key: str, pod: dict, node: dict) -> dict:
        node_name = node["metadata"]["name"]
        host_ip = node_ip(node)
        host_network = bool(pod["spec"].get("hostNetwork"))
        ip = host_ip if host_network else self._allocate_ip(node)
        delay = float(self.config.get("pod_startup_seconds", 2.0))
        record = {"uid": pod["metadata"]["uid"], "node": node_name, "ip": ip,
                  "host_ip": host_ip, "host_network": host_network,
                  "start_at": self.clock.elapsed + delay, "containers": {}}
        touched.table(self.state, "pods")[key] = record
        for container in pod["spec"].get("containers") or []:
            record["containers"][container["name"]] = containers.new_container(container)
        if delay > 0:
            # with no start-up delay the first status written already shows the containers
            self.api.mutate("pods", pod["metadata"]["name"], pod["metadata"]["namespace"],
                            lambda p: podstatus.sandbox_created(p, record,
                                                                self.clock.timestamp()),
                            subresource="status")
            self.requeue_at(record["start_at"], key)
        return record

    def _allocate_ip(self, node: dict) -> str:
        cidr = _network(node["spec"].get("podCIDR") or "10.244.0.0/24")
        ipam = self.state.setdefault("ipam", {}).setdefault(node["metadata"]["name"], {})
        used = ipam.setdefault("used", [])
        last = ipam.get("last", 1)
        size = cidr.num_addresses
        for step in range(1, size):
            offset = (last - 2 + step) % (size - 3) + 2  # .2 .. .254: .1 is the cni0 gateway
            candidate = str(cidr.network_address + offset)
            if candidate not in used:
                used.append(candidate)
                ipam["last"] = offset
                return candidate
        raise RuntimeError(f"no pod IPs left on {node['metadata']['name']}")

    # containers ----------------------------------------------------------------
    def _step(self, key: str, pod: dict, record: dict) -> None:
        now = self.clock.elapsed
        if now + 1e-9 < record["start_at"]:
            self.requeue_at(record["start_at"], key)
            return
        spec = pod["spec"]
        wake: list[float] = []
        for container in spec.get("containers") or []:
            state = record["containers"].setdefault(container["name"],
                                                    containers.new_container(container))
            when = self._advance_container(pod, record, container, state)
            if when is not None:
                wake.append(when)
        self._write_status(pod, record)
        pending = [w for w in wake if w > now + 1e-9]
        if pending:
            self.requeue_at(min(pending), key)

    def _advance_container(self, pod: dict, record: dict, container: dict,
                           state: dict) -> float | None:
        """Move one container forward to now; the next moment it needs a look, if any."""
        now = self.clock.elapsed
        for _ in range(64):  # a crash loop can pass several stages within one step
            stage = state["stage"]
            if stage == "waiting":
                nxt = self._try_start(pod, record, container, state)
            elif stage == "running":
                nxt = self._while_running(pod, record, container, state)
            elif stage == "exited":
                nxt = self._after_exit(pod, record, container, state)
            else:
                return None
            if nxt is None or nxt > now + 1e-9:
                return nxt
        return now + 1.0

    def _try_start(self, pod: dict, record: dict, container: dict,
                   state: dict) -> float | None:
        now = self.clock.elapsed
        retry_at: float = state.get("retry_at", float("-inf"))
        if now + 1e-9 < retry_at:
            return retry_at
        profile = containers.profile_for(container.get("image", ""))
        if profile is None:
            return self._pull_failed(pod, record, container, state)
        if not state.get("pulled"):
            state["pulled"] = True
            state.pop("pull_failures", None)
            self._pull(pod, record, container)
        runtime = containers.runtime_of(self.api.try_get_ref("nodes", record["node"]))
        state["runtime"] = runtime
        hostname = pod["spec"].get("hostname") or pod["metadata"]["name"]
        links = self._environment(pod, record, container)
        env = images.container_env_map(
            profile, containers.pod_env(container, links, pod, self.api), hostname,
            runtime=runtime)
        files = containers.initial_files(profile, pod, record, self.config, runtime)
        containers.start(state, profile, container, env, files, pod, now, self.clock.now, self.rng)
        if state["stage"] == "exited":
            self._event(pod, "Warning", "Failed", f"Error: {state['terminated']['message']}",
                        container)
            return now
        self._event(pod, "Normal", "Created", f"Created container: {container['name']}",
                    container)
        self._event(pod, "Normal", "Started", f"Started container {container['name']}",
                    container)
        return now

    def _pull(self, pod: dict, record: dict, container: dict) -> None:
        """Pull, or find the image already on the node as IfNotPresent allows."""
        image = container["image"]
        cached = self.state.setdefault("images", {}).setdefault(record["node"], [])
        if image in cached and container.get("imagePullPolicy") != "Always":
            self._event(pod, "Normal", "Pulled", f'Container image "{image}" already present '
                        "on machine", container)
            return
        self._event(pod, "Normal", "Pulling", f'Pulling image "{image}"', container)
        self._event(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in 1.2s '
                    f"(1.2s including waiting). Image size: {containers.image_size(image)} bytes.",
                    container)
        if image not in cached:
            cached.append(image)

    def _pull_failed(self, pod: dict, record: dict, container: dict, state: dict) -> float:
        now = self.clock.elapsed
        failures = state.get("pull_failures", 0) + 1
        state["pull_failures"] = failures
        image = container.get("image", "")
        node = self.api.try_get_ref("nodes", record["node"])
        error = containers.pull_error(image, containers.runtime_of(node))
        state["waiting"] = {"reason": "ErrImagePull", "message": error}
        self._event(pod, "Normal", "Pulling", f'Pulling image "{image}"', container)
        self._event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {error}',
                    container)
        self._event(pod, "Warning", "Failed", "Error: ErrImagePull", container)
        delay = min(BACKOFF_START * 2 ** min(failures - 1, 8), PULL_BACKOFF_CAP)
        retry_at: float = now + delay
        show_backoff_at: float = now + min(1.0, delay)
        state["retry_at"] = retry_at
        state["backoff_reason"] = {"reason": "ImagePullBackOff",
                                   "message": f'Back-off pulling image "{image}"'}
        state["show_backoff_at"] = show_backoff_at
        return min(show_backoff_at, retry_at)

    def _while_running(self, pod: dict, record: dict, container: dict,
                       state: dict) -> float | None:
        now = self.clock.elapsed
        containers.apply_file_events(state, now)
        exit_at: float | None = state.get("exit_at")
        if exit_at is not None and now + 1e-9 >= exit_at:
            containers.finish(state, exit_at, state.get("exit_code", 0))
            return exit_at
        wake = [w for w in (exit_at, containers.next_file_event(state, now)) if w is not None]
        opens = containers.next_listener(state, now)
        if opens is not None:
            if _probes_ports(container):
                wake.append(opens)  # a TCP or HTTP probe's answer changes when the port opens
            else:
                # nothing to redo then, but waiting for the cluster to settle must pass it
                self.clock.call_at(opens, Alarm.name, "")
        probe_wake = self._probes(pod, record, container, state)
        if state["stage"] != "running":
            return now
        if probe_wake is not None:
            wake.append(probe_wake)
        return min(wake) if wake else None

    def _after_exit(self, pod: dict, record: dict, container: dict,
                    state: dict) -> float | None:
        now = self.clock.elapsed
        policy = pod["spec"].get("restartPolicy", "Always")
        code = state["terminated"]["exitCode"]
        if policy == "Never" or (policy == "OnFailure" and code == 0):
            state["stage"] = "done"
            return None
        if "restart_at" not in state:
            if state.get("ran_long"):
                state["backoff_n"] = 0  # ten minutes of running resets the back-off
            n = state.get("backoff_n", 0)
            delay = 0.0 if n == 0 else min(BACKOFF_START * 2 ** min(n - 1, 8), BACKOFF_CAP)
            state["backoff_n"] = n + 1
            state["restart_at"] = now + delay
            if delay:
                self._event(pod, "Warning", "BackOff", "Back-off restarting failed container "
                            f"{container['name']} in pod {podstatus.pod_ref(pod)}", container)
        restart_at: float = state["restart_at"]
        if now + 1e-9 < restart_at:
            return restart_at
        state.pop("restart_at")
        state["restart_count"] = state.get("restart_count", 0) + 1
        state["last_terminated"] = state.pop("terminated")
        state["stage"] = "waiting"
        return now

    # probes --------------------------------------------------------------------
    def _probes(self, pod: dict, record: dict, container: dict, state: dict) -> float | None:
        now = self.clock.elapsed
        wake = []
        for kind in ("readiness", "liveness"):
            probe = container.get(f"{kind}Probe")
            if not probe:
                continue
            profile = _running_profile(container, state)
            if profile is None:
                continue
            ok, output = containers.run_probe(probe, profile, state, pod, now, self.clock.now,
                                              self.rng, state.get("runtime", "docker"))
            self._failed_runs(pod, container, state, kind, probe, ok, output)
            current = state.setdefault("probe", {}).get(kind)
            if current is None:
                current = kind == "liveness"  # liveness starts healthy, readiness not ready
                state["probe"][kind] = current
            if ok == current:
                state.setdefault("probe_due", {}).pop(kind, None)
                continue
            due = state.setdefault("probe_due", {}).get(kind)
            if due is None:
                due = containers.next_probe_tick(probe, state, now, ok)
                state["probe_due"][kind] = due
            if now + 1e-9 >= due:
                state["probe_due"].pop(kind)
                state["probe"][kind] = ok
                if not ok:
                    self._probe_failed(pod, container, state, kind, output)
            else:
                wake.append(due)
        return min(wake) if wake else None

    def _failed_runs(self, pod: dict, container: dict, state: dict, kind: str, probe: dict,
                     ok: bool, output: str) -> None:
        """The kubelet records `Unhealthy` at every probe run that fails ("%s probe failed:
        %s", the probe type and its output, prober.go); the event recorder counts the
        repeats on one event, and its spam filter (client-go EventCorrelator: a burst of
        25, then one per 5 minutes) lets the first SPAM_BURST through, then one every
        SPAM_INTERVAL. The runs are background timers on the prober (clock.BACKGROUND):
        they tick while time passes but are no work "run until idle" waits for."""
        runs = state.setdefault("probe_runs", {})
        if ok:
            runs.pop(kind, None)
            return
        now = self.clock.elapsed
        run = runs.get(kind)
        if run is None:
            run = runs[kind] = {"due": containers.next_probe_run(probe, state, now), "sent": 0}
        if now + 1e-9 >= run["due"]:
            self._event(pod, "Warning", "Unhealthy",
                        f"{kind.capitalize()} probe failed: {output}", container)
            run["sent"] += 1
            wait = float(probe.get("periodSeconds", 10)) if run["sent"] < SPAM_BURST \
                else SPAM_INTERVAL
            run["due"] = containers.next_probe_run(probe, state, now + wait)
        meta = pod["metadata"]
        self.clock.call_at(run["due"], Prober.name, object_key(meta["namespace"], meta["name"]))

    def run_failing_probes(self, key: str) -> None:
        """The runs of the pod's failing probes that are due, as the kubelet's probe workers
        make them: apart from the pod's sync, which they wake only when a result may have
        changed (the result manager's update). A failing run is one more `Unhealthy`; a
        passing one, or containers that moved on since the last look, go to `sync`."""
        namespace, name = split_key(key)
        pod = self.api.try_get_ref("pods", name, namespace)
        record = touched.table(self.state, "pods").get(key)
        if pod is None or record is None or record["uid"] != pod["metadata"]["uid"] or \
                pod["metadata"].get("deletionTimestamp"):
            self.queue.add(key)  # gone, replaced or going: the sync's business
            return
        node = self.api.try_get_ref("nodes", record["node"])
        if node is None or not node_ready(node):
            return  # as in sync: a kubelet that is not posting Ready probes nothing
        for container in pod["spec"].get("containers") or []:
            state = record["containers"].get(container["name"])
            if state is not None and not self._run_due_probes(pod, container, state):
                self.queue.add(key)
                return

    def _run_due_probes(self, pod: dict, container: dict, state: dict) -> bool:
        """Run the container's failing probes that are due; False when the pod needs a
        sync instead (a probe passed, or the container is not running as last seen)."""
        now = self.clock.elapsed
        due = [kind for kind, run in (state.get("probe_runs") or {}).items()
               if now + 1e-9 >= run["due"]]
        if not due:
            return True
        if state["stage"] != "running" or _moved_on(state, now):
            return False
        profile = _running_profile(container, state)
        if profile is None:
            return False  # let the sync decide, which skips the probes then
        for kind in due:
            probe = container.get(f"{kind}Probe")
            if not probe:
                return False  # the spec changed under the runs: sync starts afresh
            ok, output = containers.run_probe(probe, profile, state, pod, now, self.clock.now,
                                              self.rng, state.get("runtime", "docker"))
            if ok:
                return False
            self._failed_runs(pod, container, state, kind, probe, ok, output)
        return True

    def _probe_failed(self, pod: dict, container: dict, state: dict, kind: str,
                      output: str) -> None:
        if kind == "liveness":
            state.pop("probe_runs", None)  # the restarted container probes afresh
            self._event(pod, "Normal", "Killing", f"Container {container['name']} failed "
                        "liveness probe, will be restarted", container)
            containers.finish(state, self.clock.elapsed, 137, reason="Error")
            state["ran_long"] = False

    # termination ---------------------------------------------------------------
    def _terminate(self, key: str, pod: dict, record: dict | None) -> None:
        deadline = self.clock.seconds_since(pod["metadata"]["deletionTimestamp"])
        now = self.clock.elapsed
        done_at = now
        if record is not None:
            for state in record["containers"].values():
                if state["stage"] == "running" and not containers.handles_sigterm(state):
                    done_at = max(done_at, now - deadline)
        if record is not None and done_at > now + 1e-9:
            if not record.get("killing_recorded"):
                record["killing_recorded"] = True
                for container in pod["spec"].get("containers") or []:
                    self._event(pod, "Normal", "Killing",
                                f"Stopping container {container['name']}", container)
            self.requeue_at(done_at, key)
            return
        self._forget(key)
        self.api.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"],
                        grace_period_seconds=0)

    # helpers -------------------------------------------------------------------
    def _environment(self, pod: dict, record: dict, container: dict) -> list[tuple[str, str]]:
        namespace = pod["metadata"]["namespace"]
        services = self.api.store.list("services", namespace) if pod["spec"].get(
            "enableServiceLinks", True) else []
        master = self.api.try_get_ref("services", "kubernetes", "default")
        links = envvars.pod_links(pod, services, master)
        return envvars.go_map_order(links, self.rng)  # the kubelet ranges over a Go map

    def _write_status(self, pod: dict, record: dict) -> None:
        """Write the pod's status when it changed, as the kubelet's status manager does: an
        unchanged status is not sent, so the pod keeps its resourceVersion and no watcher
        wakes up (many syncs change nothing: a file no probe reads, a timer's look)."""
        meta = pod["metadata"]
        stored = self.api.get_ref("pods", meta["name"], meta["namespace"])
        status = podstatus.status_of(stored, record, self.clock.timestamp(), self.clock)
        if status == stored["status"]:
            return
        self.api.mutate("pods", meta["name"], meta["namespace"],
                        lambda p: p.update(status=status), subresource="status",
                        top_level_status=True)

    def _event(self, pod: dict, type_: str, reason: str, message: str,
               container: dict) -> None:
        events.record(self.engine, pod, type_, reason, message, "kubelet",
                      host=pod["spec"].get("nodeName"),
                      field_path=f"spec.containers{{{container['name']}}}")

    def kill(self, namespace: str, name: str, container: str | None = None) -> list[str]:
        """Kill the pod's running containers (or one) as `kill -9` of the main process does:
        exit code 137, then the restart policy decides; the names of those killed."""
        key = object_key(namespace, name)
        record = self.state.get("pods", {}).get(key) or {}
        killed = []
        for cname, state in (record.get("containers") or {}).items():
            if (container is None or cname == container) and state.get("stage") == "running":
                state["exit_at"], state["exit_code"] = self.clock.elapsed, 137
                killed.append(cname)
        self.queue.add(key)
        return killed

    def poke(self, namespace: str | None, name: str) -> None:
        """Something inside the pod changed (a file): look again now."""
        self.queue.add(object_key(namespace, name))


def _moved_on(state: dict, now: float) -> bool:
    """Whether the container's plan did something by now that the kubelet has not looked
    at: exited, or wrote a file (played here, so the probe reads the files as they are)."""
    exit_at = state.get("exit_at")
    if exit_at is not None and now + 1e-9 >= exit_at:
        return True
    played: int = state.get("file_cursor", 0)
    containers.apply_file_events(state, now)
    cursor: int = state.get("file_cursor", 0)
    return cursor != played


def _running_profile(container: dict, state: dict) -> ImageProfile | None:
    """The profile of the image the container was started from. A pod's image may be
    changed while it runs, even to one no registry has: the new one counts from the next
    start. None only for a record saved before the image was kept, whose spec's image is
    unknown."""
    return containers.profile_for(state.get("image") or container.get("image", ""))


def _probes_ports(container: dict) -> bool:
    return any(probe and ("httpGet" in probe or "tcpSocket" in probe or "grpc" in probe)
               for probe in (container.get("readinessProbe"), container.get("livenessProbe"),
                             container.get("startupProbe")))


class Prober(Controller):
    """A failing probe's next run (the kubelet runs it and records the failure)."""

    name = "prober"

    def sync(self, key: str) -> None:
        kubelet = self.engine.by_name.get("kubelet")
        if isinstance(kubelet, Kubelet):
            kubelet.run_failing_probes(key)
