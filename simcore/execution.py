"""Running a command somewhere: in a pod's container, on a node, or on an outside machine.

`kubectl exec` refuses before anything runs when the pod is missing, done,
or its container is not running, with kubectl's own words. Otherwise the
command runs in the container's image (only the programs it has), against
its files and environment, and its network questions go through the
simulated data plane from where it stands. A command that changed the
container's files (`touch /var/ready`) makes the kubelet look again, so a
readiness probe can flip on its next period.
"""

from __future__ import annotations

import dataclasses
import functools
import shlex
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from simcore.exec import imagelookup
from simcore.exec.context import ExecContext, ExecResult, FileSystem
from simcore.exec.images import ImageProfile
from simcore.exec.session import ShellSession
from simcore.exec.shell import run as _run_argv
from simcore.net.fabric import Fabric, HostShell, Source, SourceNetwork
from simcore.node import containers, records
from simcore.node.kubelet import Kubelet
from simcore.node.records import ContainerRecord
from simcore.node.resolvconf import host_resolv_conf
from simcore.objects import node_ip

if TYPE_CHECKING:  # the caller's engine: no import at run time
    from simcore.engine import Engine

_T = TypeVar("_T")

NODE_TOOLS = {"curl": "7.68.0", "wget": "gnu-1.20.3", "nslookup": "bind9-9.16.1",
              "dig": "9.16.1-Ubuntu", "shell": "dash", "bash": "5.0", "coreutils": "gnu-8.30",
              "libc": "glibc"}
KILLED = 137  # 128 + SIGKILL: what an exec'd process reports when its container stops
NODE_EXTRA = "curl wget nslookup dig host ping ip iptables ss"


def _argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def _failure(message: str, code: int = 1) -> ExecResult:
    return ExecResult(stderr=message if message.endswith("\n") else message + "\n",
                      exit_code=code, trace=[{"step": "reject", "detail": message.strip()}])


def exec_in_pod(engine: Engine, pod_name: str, command: str | list[str], namespace: str = "default",
                container: str | None = None, tty: bool = False,
                stdin: str = "") -> ExecResult:
    opened = _open_container(engine, pod_name, namespace, container, tty)
    if isinstance(opened, ExecResult):
        return opened
    ctx, state = opened
    ctx.stdin = stdin
    return _changing_files(engine, namespace, pod_name, state,
                           lambda: _run(_argv(command), ctx))


def start_shell(engine: Engine, pod_name: str, command: list[str], namespace: str = "default",
                container: str | None = None) -> tuple[ShellSession | None, str] | ExecResult:
    """(the interactive session `command` opens or None, its first prompt), or the refusal."""
    opened = _open_container(engine, pod_name, namespace, container, True)
    if isinstance(opened, ExecResult):
        return opened
    ctx, _ = opened
    session = ShellSession.start(list(command), ctx)
    return session, session.prompt(ctx) if session is not None else ""


def shell_line(engine: Engine, pod_name: str, session: ShellSession, line: str,
               namespace: str = "default", container: str | None = None
               ) -> tuple[ExecResult, ShellSession, str]:
    """Run a line typed at `session`'s prompt: (output, the session after, the next prompt).
    A container that stopped meanwhile ends the session as the kernel would (137)."""
    opened = _open_container(engine, pod_name, namespace, container, True)
    if isinstance(opened, ExecResult):
        gone = dataclasses.replace(session, status=KILLED, exited=True)
        return ExecResult(exit_code=KILLED), gone, ""
    ctx, state = opened
    result, after = _changing_files(engine, namespace, pod_name, state,
                                    lambda: session.run_line(line, ctx))
    return result, after, after.prompt(ctx)


def container_running(engine: Engine, pod_name: str, namespace: str = "default",
                      container: str | None = None) -> bool:
    """Is the container still there to hold a session?"""
    return not isinstance(_open_container(engine, pod_name, namespace, container, True),
                          ExecResult)


def _open_container(engine: Engine, pod_name: str, namespace: str, container: str | None,
                    tty: bool) -> tuple[ExecContext, ContainerRecord] | ExecResult:
    """The context a process started in the container gets, or kubectl's refusal."""
    pod = engine.api.try_get_ref("pods", pod_name, namespace)
    if pod is None:
        return _failure(f'Error from server (NotFound): pods "{pod_name}" not found')
    phase = pod["status"].get("phase")
    if phase in ("Succeeded", "Failed"):
        return _failure("error: cannot exec into a container in a completed pod; current phase "
                        f"is {phase}")
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    name = container or names[0]
    if name not in names:
        return _failure(f"Error from server (BadRequest): container {name} is not valid for pod "
                        f"{pod_name}")
    record = records.pod_record(engine.runtime, pod)
    state = None if record is None else record["containers"].get(name)
    if record is None or state is None or state.get("stage") != "running":
        return _failure(f'error: unable to upgrade connection: container not found ("{name}")')
    spec = next(c for c in pod["spec"]["containers"] if c["name"] == name)
    # the process runs in the image the container started from: a new image in the spec
    # counts only at the next start (a record saved before records kept it: the spec's)
    profile = containers.profile_for(state.get("image") or spec.get("image", ""))
    if profile is None:
        return _failure(f'error: unable to upgrade connection: container not found ("{name}")')
    runtime = state.get("runtime", "docker")
    # containers.py takes the record as the plain dict the kubelet keeps
    containers.apply_file_events(cast(dict, state), engine.clock.elapsed)
    source = Source("pod", record["ip"], record["node"], namespace, pod_name,
                    state["files"].get("/etc/resolv.conf") or "",
                    profile.tool("libc", "glibc"))
    net = SourceNetwork(Fabric.of(engine), source)
    ctx: ExecContext = containers.exec_context(profile, cast(dict, state), engine.clock.now,
                                               engine.rng, runtime, net, tty)
    return ctx, state


def _changing_files(engine: Engine, namespace: str, pod_name: str, state: ContainerRecord,
                    work: Callable[[], _T]) -> _T:
    """Run `work()`; a change to the container's files makes the kubelet look again."""
    before = dict(state["files"])
    result = work()
    if state["files"] != before:
        kubelet = engine.by_name["kubelet"]
        assert isinstance(kubelet, Kubelet), type(kubelet)
        kubelet.poke(namespace, pod_name)
        engine.settle()
    return result


def _run(argv: list[str], ctx: ExecContext) -> ExecResult:
    return _run_argv(argv, ctx)


@functools.cache
def node_profile() -> ImageProfile:
    base = imagelookup.image_profile("ubuntu:20.04")
    assert base is not None, "the catalogue has ubuntu:20.04"
    return dataclasses.replace(
        base, name="node", commands=base.commands | frozenset(NODE_EXTRA.split()),
        tools=MappingProxyType({**base.tools, **NODE_TOOLS}))


def _host_files(hostname: str, config: dict[str, Any]) -> dict[str, str]:
    return {"/etc/hostname": hostname + "\n", "/etc/resolv.conf": host_resolv_conf(config),
            "/etc/hosts": f"127.0.0.1 localhost\n127.0.1.1 {hostname}\n"}


def exec_on_node(engine: Engine, node_name: str, command: str | list[str]) -> ExecResult:
    node = engine.api.store.get("nodes", "", node_name)
    if node is None:
        return _failure(f"ssh: Could not resolve hostname {node_name}: Name or service not "
                        "known", 255)
    fabric = Fabric.of(engine)
    # a node's shell is the same for every command until the node object or the config
    # changes (stored objects are replaced, never edited): build its files and source once
    search = tuple(engine.config.get("host_search") or ())
    cached = fabric.hosts.get(node_name)
    if cached is None or cached[0] is not node or cached[1] != search:
        ip = node_ip(node)
        files, env = _host_setup(node_profile(), node_name, engine.config)
        source = Source("node", ip, node_name, resolv_conf=files["/etc/resolv.conf"] or "")
        shell: HostShell = (node, search, source, files, env)
        cached = fabric.hosts[node_name] = shell
    return _run_on_host(engine, fabric, cached[2], cached[3], cached[4], command)


def exec_external(engine: Engine, client_ip: str, command: str | list[str]) -> ExecResult:
    hostname = f"client-{client_ip.replace('.', '-')}"
    files, env = _host_setup(node_profile(), hostname, engine.config)
    source = Source("external", client_ip, None, resolv_conf=files["/etc/resolv.conf"] or "")
    return _run_on_host(engine, Fabric.of(engine), source, files, env, command)


def _host_setup(profile: ImageProfile, hostname: str, config: dict[str, Any]
                ) -> tuple[FileSystem, dict[str, str]]:
    """(files, environment) of a shell on a host: the image's files plus the host's own."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": "/root", "HOSTNAME": hostname, "USER": "root", "SHELL": "/bin/bash"}
    all_files: FileSystem = dict(profile.files)
    all_files.update(_host_files(hostname, config))
    return all_files, env


def _run_on_host(engine: Engine, fabric: Fabric, source: Source, files: FileSystem,
                 env: dict[str, str],
                 command: str | list[str]) -> ExecResult:
    # an interactive shell: curl's output goes to a terminal, so no progress meter; the
    # command may write files and set variables, so it gets its own copies
    ctx = ExecContext(node_profile(), dict(env), env["HOSTNAME"], dict(files), engine.clock.now,
                      engine.rng, SourceNetwork(fabric, source), tty=True, runtime="docker")
    return _run(_argv(command), ctx)
