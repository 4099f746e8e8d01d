"""A fake cluster for sample-controller style tests: seed a store, run one `sync(key)`.

`seeded(Loop, objects)` puts the objects straight into a store (as a fake clientset is
built from objects: no defaults, no admission), builds only the loop under test, and
marks the seeded changes as read, so the loop's queue starts empty. `actions(engine, rv)`
lists what the sync wrote since `rv` as `"MODIFIED pods default/web"`, and
`recorded(engine)` the Events it recorded as `(type, reason, message)`, in order.
`defaulted(obj)` fills in what the API server defaults, for a seed that a sync then
updates (an update that changed a pod's spec by defaulting it would be refused).
`matches(actual, patterns)` compares either list with regular expressions, for the
names the API server generates (`web-7x2kq`).
"""

from __future__ import annotations

import random
import re

from simcore.clock import EPOCH, Clock
from simcore.defaults import apply_defaults
from simcore.engine import Engine
from simcore.jsoncopy import clone
from simcore.resources import object_key
from simcore.store import Store

DEFAULT_NAMESPACE = {"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": "default", "uid": "ns-default"},
                     "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def node(name: str = "worker1", ready: str = "True", taints: list | None = None,
         unschedulable: bool = False, cidr: str = "10.244.1.0/24") -> dict:
    """A node as its kubelet posted it: InternalIP, podCIDR, a Ready condition."""
    spec: dict = {"podCIDR": cidr}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": f"uid-{name}"}, "spec": spec,
            "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.11"}],
                       "nodeInfo": {"containerRuntimeVersion": "containerd://1.7.0"},
                       "conditions": [{"type": "Ready", "status": ready,
                                       "lastTransitionTime": "2021-05-01T09:00:00Z"}]}}


def pod(name: str = "web", node_name: str | None = "worker1", image: str = "nginx",
        ready: bool | None = None, tolerations: list | None = None, **meta) -> dict:
    """A pod bound to `node_name`; `ready` gives it a Ready condition, as a running pod
    has; `meta` adds metadata (deletionTimestamp, ...)."""
    spec: dict = {"containers": [{"name": name, "image": image}],
                  "restartPolicy": "Always", "terminationGracePeriodSeconds": 30}
    if node_name:
        spec["nodeName"] = node_name
    if tolerations is not None:
        spec["tolerations"] = tolerations
    status: dict = {"phase": "Pending"}
    if ready is not None:
        status = {"phase": "Running", "conditions": [
            {"type": "Ready", "status": str(ready), "lastProbeTime": None,
             "lastTransitionTime": "2021-05-01T09:00:00Z"}]}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", **meta},
            "spec": spec, "status": status}


def defaulted(obj: dict) -> dict:
    """`obj` with the API server's defaults, as a created object is stored."""
    apply_defaults(obj["kind"], obj)
    return obj


def seeded(loop_class, objects: list[tuple[str, dict]], elapsed: float = 0.0,
           config: dict | None = None):
    """(engine, the loop) over a store holding `objects`, nothing queued."""
    engine = Engine(Store(), Clock(EPOCH, elapsed), random.Random(0), dict(config or {}))
    for resource, obj in [("namespaces", DEFAULT_NAMESPACE), *objects]:
        engine.store.put(resource, clone(obj))
    loop = loop_class(engine)
    engine.add(loop)
    engine.cursor = engine.store.rv  # the seeded objects are the world, not news
    return engine, loop


def actions(engine: Engine, since: int) -> list[str]:
    """The writes since `since`, Events left out (see `recorded`)."""
    return [f"{e.type} {e.resource} "
            f"{object_key(e.object['metadata'].get('namespace'), e.object['metadata']['name'])}"
            for e in engine.store.events_since(since) if e.resource != "events"]


def recorded(engine: Engine) -> list[tuple[str, str, str]]:
    events = [e.object for e in engine.store.events_since(0) if e.resource == "events"
              and e.type == "ADDED"]
    return [(e["type"], e["reason"], e["message"]) for e in events]


def matches(actual: list, patterns: list) -> bool:
    """Whether each item of `actual` fully matches its pattern: a string against a regular
    expression, a tuple (an Event) item by item."""
    def one(item, pattern) -> bool:
        if isinstance(pattern, tuple):
            return len(item) == len(pattern) and all(map(one, item, pattern))
        return re.fullmatch(pattern, item) is not None
    return len(actual) == len(patterns) and all(map(one, actual, patterns))
