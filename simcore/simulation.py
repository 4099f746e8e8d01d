"""The public facade: one simulated cluster, driven the way a lesson drives one.

`Simulation.from_preset("lecture", seed=0)` builds the lecture's cluster;
`apply`/`apply(create=True)` take manifests as kubectl apply/create would;
`advance` and `run_until_idle` move virtual time; `table` prints what
`kubectl get` prints. Everything writes through `sim.api`, the simulated API
server. `state()` and `Simulation.from_state()` save and restore a cluster
exactly, rng and timers included.
"""

from __future__ import annotations

import builtins
import functools
import json
import random
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Unpack

import yaml

from simcore import bounds, errors, presets, safeyaml, touched
from simcore.apiserver import APIServer, DeleteOptions, Request, resolve
from simcore.clock import EPOCH, Clock
from simcore.components import install
from simcore.controllers.nodelifecycle import NodeLifecycleController
from simcore.engine import Engine
from simcore.exec.context import ExecResult
from simcore.exec.session import ShellSession as ShellSession  # start_shell hands it out
from simcore.jsoncopy import clone
from simcore.node import logs
from simcore.node.kubelet import Kubelet
from simcore.node.logs import LogRun
from simcore.registry import stream_container
from simcore.resources import ResourceType, UnknownResource, for_api_version
from simcore.store import Store
from simcore.touched import Touched

if TYPE_CHECKING:
    from simcore.portforward import Exchange

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MISSING_ANNOTATION_WARNING = (
    "resource {res}/{name} is missing the kubectl.kubernetes.io/last-applied-configuration "
    "annotation which is required by kubectl apply. kubectl apply should only be used on "
    "resources created declaratively by either kubectl create --save-config or kubectl apply. "
    "The missing annotation will be patched automatically.")


@dataclass
class ApplyResult:
    kind: str | None
    namespace: str | None
    name: str | None
    action: str | None  # created, configured, unchanged; None on error
    error: dict | None = None
    warnings: tuple[str, ...] = ()
    # what the API server returned (after defaults and admission): a private copy, kept so
    # that a dry run can be looked at (simcore.wiring)
    object: dict | None = field(default=None, compare=False, repr=False)


def parse_documents(text: str) -> list[object]:
    """Multi-document YAML or JSON into objects; a `List` is expanded into its items.
    Read by the shared safe loader (`safeyaml`: go-yaml's alias and depth limits). A
    document that is not a mapping is kept: `apply` reports it as kubectl does."""
    docs: list[object] = []
    for doc in safeyaml.load_all(text):
        if doc is None:
            continue
        # a `kind: 5` or `items: 3` is left for the API server to refuse, not a crash here
        if isinstance(doc, dict) and _is_list_kind(doc.get("kind")) and \
                isinstance(doc.get("items"), list | None):
            docs.extend(doc.get("items") or [])
        else:
            docs.append(doc)
    return docs


def _is_list_kind(kind: object) -> bool:
    return isinstance(kind, str) and kind.endswith("List")


class Simulation:
    def __init__(self, engine: Engine):
        self.engine = engine

    # construction ----------------------------------------------------------------
    @classmethod
    def from_preset(cls, name: str, seed: int = 0, start: datetime | None = None,
                    **options: object) -> Simulation:
        config = presets.config(name, options)
        sim = cls.empty(seed=seed, start=start or EPOCH, config=config)
        presets.build(name, sim.engine, options)
        return sim

    @classmethod
    def empty(cls, seed: int = 0, start: datetime = EPOCH, config: dict | None = None,
              elapsed: float = 0.0) -> Simulation:
        engine = Engine(Store(), Clock(start, elapsed), random.Random(seed), dict(config or {}))
        install(engine)
        return cls(engine)

    def state(self, objects: bool = True) -> dict:
        """The whole cluster as JSON-shaped data (the live engine's own dicts: read only).
        Without `objects` the store is only its resourceVersion (a saver that keeps the
        objects elsewhere skips listing them)."""
        engine = self.engine
        store = engine.store.state() if objects else {"rv": engine.store.rv}
        return {"config": engine.config, "clock": engine.clock.state(),
                "store": store, "runtime": engine.runtime,
                "rng": _rng_state(engine.rng), "cursor": engine.cursor}

    @classmethod
    def from_state(cls, state: dict) -> Simulation:
        state = clone(state)
        rng = random.Random()
        rng.setstate(_rng_restore(state["rng"]))
        engine = Engine(Store.from_state(state["store"]), Clock.from_state(state["clock"]), rng,
                        state["config"], state["runtime"], cursor=state["store"]["rv"])
        install(engine)
        return cls(engine)

    # properties --------------------------------------------------------------------
    @property
    def api(self) -> APIServer:
        return self.engine.api

    @property
    def now(self) -> datetime:
        return self.engine.clock.now

    @property
    def started(self) -> datetime:
        """The moment virtual second 0 stands for (the clock's start)."""
        return self.engine.clock.start

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the clock started."""
        return self.engine.clock.elapsed

    @property
    def rv(self) -> int:
        """The store's resourceVersion: what a list or a watch is current to."""
        return self.engine.store.rv

    def next_due(self) -> float | None:
        """When (virtual seconds) the next timer falls due, None when none is set."""
        return self.engine.clock.next_due()

    def bounded(self, writes: int, syncs: int,
                backlog: bool = True) -> AbstractContextManager[None]:
        """`with sim.bounded(writes, syncs):` settles and advances inside the block stop
        after that many store writes or syncs; what is left waits (`deferred`) for the
        next step (simcore/engine.py explains why a server needs it)."""
        return self.engine.bounded(writes, syncs, backlog)

    def deferred(self) -> int:
        """How many keys a bounded step left for the next one."""
        return self.engine.deferred()

    def touched(self) -> dict[str, Touched]:
        """Per runtime table that grows with the cluster ("kubelet/pods", "events"): the
        entries looked up or written since `untouch()` or since the engine was built
        (simcore.touched). A saver that stored the state then need compare only those."""
        return touched.touched(self.engine.runtime)

    def untouch(self) -> None:
        """Forget what the tables noted: their entries are now as a saver stored them."""
        touched.untouch(self.engine.runtime)

    def set_quota(self, quota: dict) -> None:
        """The cluster-wide object quota the API server checks at create (simcore.quota:
        `{"pods": N, "objects": M}`)."""
        self.engine.config["quota"] = dict(quota)

    # manifests ---------------------------------------------------------------------
    def apply(self, text: str | list, create: bool = False, namespace: str | None = None,
              field_validation: str = "Strict", dry_run: bool = False) -> list[ApplyResult]:
        """`kubectl apply -f` (or `create -f`) of YAML or JSON `text`, or of the documents
        `parse_documents` made of it (a caller that parsed to check the upload's size hands them
        over; they are copied, not changed). `dry_run` is `--dry-run=server`: every document
        goes through defaults, admission and validation, and nothing is stored, allocated or
        queued; even the random stream (uids, generated names, ClusterIPs) is put back."""
        if dry_run:
            saved = self.engine.rng.getstate()
            try:
                return self._apply_all(text, create, namespace, field_validation, True)
            finally:
                self.engine.rng.setstate(saved)
        results = self._apply_all(text, create, namespace, field_validation, False)
        self.engine.settle()
        return results

    def _apply_all(self, text: str | list, create: bool, namespace: str | None,
                   field_validation: str, dry_run: bool) -> list[ApplyResult]:
        try:
            # parsed already: a copy, since `create` hands each document to the API server
            docs = parse_documents(text) if isinstance(text, str) else clone(text)
        except yaml.YAMLError as exc:
            return [ApplyResult(None, None, None, None, errors.bad_request(
                f"error converting YAML to JSON: {_yaml_problem(exc)}").status)]
        return [self._apply_one(doc, create, namespace, field_validation, dry_run)
                for doc in docs]

    def _apply_one(self, doc: object, create: bool, namespace: str | None,
                   field_validation: str, dry_run: bool = False) -> ApplyResult:
        if not isinstance(doc, dict):
            return ApplyResult(None, None, None, None, errors.bad_request(
                "Object 'Kind' is missing in '" + json.dumps(doc) + "'").status)
        kind, api_version = doc.get("kind"), doc.get("apiVersion")
        metadata = doc.get("metadata")
        meta: dict = metadata if isinstance(metadata, dict) else {}
        name = meta.get("name") if isinstance(meta.get("name"), str) else None
        if bounds.json_size_exceeds(doc):  # before apply copies it and writes it out
            return ApplyResult(kind, namespace, name, None, errors.status(
                413, "RequestEntityTooLarge", bounds.TOO_LARGE))
        if not kind or not api_version:
            missing = [f for f, v in (("apiVersion", api_version), ("kind", kind)) if not v]
            return ApplyResult(kind, namespace, name, None, errors.bad_request(
                "error validating data: [" + ", ".join(f"{f} not set" for f in missing) +
                "]").status)
        try:
            res = for_api_version(str(api_version), str(kind))
        except UnknownResource:
            return ApplyResult(kind, namespace, name, None, errors.status(
                404, "NotFound", f'no matches for kind "{kind}" in version "{api_version}"'))
        own_ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
        ns = (namespace or own_ns or "default") if res.namespaced else None
        request = Request(field_validation=field_validation, dry_run=dry_run)
        try:
            # wrong types are refused before any three-way patch is computed from them
            self.api.decode(res, doc, Request(field_validation="Ignore"))
            if create:
                obj = self.api.create(res, doc, ns, request, owned=True)
                action = "created"
            else:
                obj, action = self._client_side_apply(res, doc, ns, request)
        except errors.APIError as exc:
            return ApplyResult(kind, ns, name, None, exc.status, tuple(request.warnings))
        return ApplyResult(kind, ns, obj["metadata"]["name"], action, None,
                           tuple(request.warnings), obj)

    def _client_side_apply(self, res: ResourceType, doc: dict, ns: str | None,
                           request: Request) -> tuple[dict, str]:
        from simcore.apply import three_way_patch
        modified = clone(doc)
        annotated = json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"
        modified.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = \
            annotated
        name: str | None = (doc.get("metadata") or {}).get("name")
        current = self.api.try_get_ref(res, name, ns) if name else None
        if not name or current is None:
            return self.api.create(res, modified, ns, request), "created"
        last = (current["metadata"].get("annotations") or {}).get(LAST_APPLIED)
        if last is None:
            request.warnings.append(MISSING_ANNOTATION_WARNING.format(
                res=res.group_resource, name=name))
        patch = three_way_patch(_last_applied(res, name, last), modified, current, res.kind)
        if not patch:
            return clone(current), "unchanged"
        obj = self.api.patch(res, name, patch, "application/strategic-merge-patch+json", ns,
                             request=request)
        return obj, "configured"

    # reads and writes --------------------------------------------------------------------
    def get(self, kind: str, name: str, namespace: str | None = "default") -> dict:
        return self.api.get(kind, name, namespace)

    def list(self, kind: str, namespace: str | None = "default",
             label_selector: str | None = None, field_selector: str | None = None
             ) -> builtins.list[dict]:  # builtins: in the class, `list` is this method
        items: builtins.list[dict] = self.api.list(kind, namespace, label_selector,
                                                   field_selector)["items"]
        return items

    def delete(self, kind: str, name: str, namespace: str = "default",
               **options: Unpack[DeleteOptions]) -> dict:
        obj, _ = self.api.delete(kind, name, namespace, **options)
        self.engine.settle()
        return obj

    def table(self, kind: str, namespace: str | None = "default",
              label_selector: str | None = None) -> dict:
        from simcore.printers import table
        res = resolve(kind)
        items = self.api.list_ref(res, namespace, label_selector)
        return table(res.kind, items, self.now, resource_version=str(self.engine.store.rv))

    # commands ----------------------------------------------------------------------------
    def exec(self, pod: str, command: str | builtins.list[str], namespace: str = "default",
             container: str | None = None, tty: bool = False, stdin: str = "") -> ExecResult:
        """Run `command` in a pod's container as `kubectl exec` would (`stdin`: what the
        client sent on its stdin stream, all of it)."""
        result: ExecResult = _execution().exec_in_pod(self.engine, pod, command, namespace,
                                                      container, tty, stdin)
        return result

    def start_shell(self, pod: str, command: builtins.list[str], namespace: str = "default",
                    container: str | None = None
                    ) -> tuple[ShellSession | None, str] | ExecResult:
        """`kubectl exec -it pod -- sh`: (the interactive ShellSession or None when `command`
        is not an interactive shell, its prompt), or the ExecResult refusing the exec."""
        opened: tuple[ShellSession | None, str] | ExecResult = _execution().start_shell(
            self.engine, pod, command, namespace, container)
        return opened

    def shell_line(self, pod: str, session: ShellSession, line: str,
                   namespace: str = "default", container: str | None = None
                   ) -> tuple[ExecResult, ShellSession, str]:
        """Run a line typed at a session's prompt: (ExecResult, next session, next prompt)."""
        ran: tuple[ExecResult, ShellSession, str] = _execution().shell_line(
            self.engine, pod, session, line, namespace, container)
        return ran

    def port_forward(self, pod: str, namespace: str, port: int, data: bytes) -> Exchange:
        """`kubectl port-forward`: the pod's server on `port` answers the first request in
        `data` (a `simcore.portforward.Exchange`)."""
        from simcore import portforward
        return portforward.exchange(self.engine, pod, namespace, port, data)

    def container_running(self, pod: str, namespace: str = "default",
                          container: str | None = None) -> bool:
        running: bool = _execution().container_running(self.engine, pod, namespace, container)
        return running

    def exec_on_node(self, node_name: str, command: str | builtins.list[str]) -> ExecResult:
        """Run `command` in a shell on a node (the lecture's curls from master-stg)."""
        result: ExecResult = _execution().exec_on_node(self.engine, node_name, command)
        return result

    def exec_external(self, client_ip: str, command: str | builtins.list[str]) -> ExecResult:
        """Run `command` on a machine outside the cluster."""
        result: ExecResult = _execution().exec_external(self.engine, client_ip, command)
        return result

    def container_log(self, pod: str, namespace: str = "default", container: str | None = None,
                      previous: bool = False) -> LogRun:
        """The run of a container's log that `kubectl logs` reads (`--previous`: the last
        terminated one), or the API server's refusal (an APIError)."""
        found = self.api.get_ref("pods", pod, namespace)
        name = stream_container(found, container)
        return logs.read(self.engine.runtime, found, name, self.engine.clock.elapsed, previous)

    def exec_container(self, pod: str, namespace: str = "default",
                       container: str | None = None) -> str:
        """The container `kubectl exec` runs in, after the API server's checks (the pod
        exists, the container is its or the pod has one, the pod is bound to a node)."""
        found = self.api.get_ref("pods", pod, namespace)
        name = stream_container(found, container)
        if not found["spec"].get("nodeName"):
            raise errors.bad_request(f"pod {pod} does not have a host assigned")
        return name

    # nodes -----------------------------------------------------------------------------
    def stop_node(self, name: str) -> None:
        """Stop the node's kubelet; the node controller marks it NotReady after 40 s."""
        self._node_lifecycle().kubelet_stopped(name)
        self.engine.settle()

    def start_node(self, name: str) -> None:
        """Start the node's kubelet again: it posts Ready at once."""
        self._node_lifecycle().kubelet_started(name)
        self.engine.settle()

    def node_countdown(self, name: str) -> dict:
        """When a stopped node goes NotReady and its pods are evicted (virtual seconds)."""
        return self._node_lifecycle().countdown(name)

    def _node_lifecycle(self) -> NodeLifecycleController:
        return self.engine.controller("nodelifecycle", NodeLifecycleController)

    def kill_container(self, pod: str, namespace: str = "default",
                       container: str | None = None) -> builtins.list[str]:
        """Kill a pod's running containers (exit 137); the kubelet restarts them per the
        pod's restartPolicy, so the restart count goes up as with a crashing app."""
        killed = self.engine.controller("kubelet", Kubelet).kill(namespace, pod, container)
        self.engine.settle()
        return killed

    # time ------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        self.engine.advance(seconds)

    def run_until_idle(self, max_seconds: float = 600) -> float:
        return self.engine.run_until_idle(max_seconds)

    def settle(self) -> None:
        self.engine.settle()


def _last_applied(res: ResourceType, name: str, last: str | None) -> dict | None:
    """The configuration the annotation recorded; kubectl's decoding reads an object only."""
    try:
        original = safeyaml.load_json(last) if last else None
    except (ValueError, safeyaml.DocumentRefused):  # an annotation anyone may have set
        raise _undecodable(res, name) from None
    if original is not None and not isinstance(original, dict):
        raise _undecodable(res, name)
    return original


def _undecodable(res: ResourceType, name: str) -> errors.APIError:
    return errors.bad_request(f"error decoding the {LAST_APPLIED} annotation of "
                              f"{res.group_resource}/{name}")


@functools.cache
def _execution() -> ModuleType:
    # the data plane and the tools load on the first command, not with the cluster; a
    # function-level import would cost a module lookup on every command
    from simcore import execution
    return execution


def _rng_state(rng: random.Random) -> list:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _rng_restore(state: list) -> tuple:
    return state[0], tuple(state[1]), state[2]


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"yaml: line {mark.line + 1}: {problem}"
    return f"yaml: {problem}"
