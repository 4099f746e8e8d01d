"""Small readers and edits of stored objects that every part of the house needs.

What: a node's addresses and readiness, a pod's readiness, any status condition, owner
references and dropping one, and whether tolerations tolerate a taint
(`Toleration.ToleratesTaint`).

Why here: these were copied into the controllers, the data plane, the printers and the
wiring view (a node's InternalIP eight times, dropping an owner reference five times), and
the copies had begun to differ at the edges. This module sits low in the house: it imports
nothing from simcore, so anything may import it without a cycle.

Trade-off: plain dicts in, plain values out; no object model. The stored objects are the
API's JSON, and wrapping them would cost a copy per read on the hot paths (the scheduler and
the endpoints controller read readiness for every pod).
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """What `pod_available` needs of simcore.clock.Clock (not imported: see above)."""

    def seconds_since(self, stamp: str | None) -> float: ...


def node_addresses(node: dict, address_type: str) -> list[str]:
    """The node's non-empty `status.addresses` of `address_type` (InternalIP, ExternalIP,
    Hostname), in the order the kubelet reported them."""
    return [a["address"] for a in (node.get("status") or {}).get("addresses") or []
            if a.get("type") == address_type and a.get("address")]


def node_address(node: dict, address_type: str) -> str:
    """The first address of `address_type`, "" when the node has none."""
    found = node_addresses(node, address_type)
    return found[0] if found else ""


def node_ip(node: dict) -> str:
    """The node's InternalIP: the address pods' hostIP, NodePorts and the node's own
    shell use (the kubelet's `--node-ip`)."""
    return node_address(node, "InternalIP")


def condition(obj: dict, kind: str) -> dict | None:
    """The object's first `status.conditions` entry of type `kind`, None when it has none."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            found: dict = cond
            return found
    return None


def ready_status(obj: dict) -> str:
    """The Ready condition's status: "True", "False", or "Unknown" (also when there is no
    Ready condition, as the node lifecycle controller reads a node that never posted one)."""
    status: str = (condition(obj, "Ready") or {}).get("status", "Unknown")
    return status


def node_ready(node: dict) -> bool:
    """The node's Ready condition is True (Unknown and a missing condition are not ready)."""
    return ready_status(node) == "True"


def pod_ready(pod: dict) -> bool:
    """`podutil.IsPodReady`: the pod's Ready condition is True."""
    return ready_status(pod) == "True"


def pod_available(pod: dict, min_ready: int, clock: Clock) -> bool:
    """`podutil.IsPodAvailable`: Ready for at least `min_ready` seconds by `clock`, counted
    from the Ready condition's lastTransitionTime. ReplicaSets, DaemonSets and StatefulSets
    share it, so a Deployment's availability (read from its ReplicaSets) agrees with theirs."""
    if not pod_ready(pod):
        return False
    if not min_ready:
        return True
    since = _ready_since(pod, clock)
    return since is not None and since >= min_ready


def _ready_since(pod: dict, clock: Clock) -> float | None:
    for cond in pod["status"].get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") == "True":
            return clock.seconds_since(cond.get("lastTransitionTime"))
    return None


def owner_references(obj: dict) -> list[dict]:
    """`metadata.ownerReferences`, an empty list when absent or null."""
    return obj["metadata"].get("ownerReferences") or []


def drop_owner(obj: dict, uid: str) -> None:
    """Remove the owner reference with `uid` (orphaning, releasing an adopted pod); the
    field goes away with its last reference, as the API server stores it."""
    refs = [r for r in owner_references(obj) if r.get("uid") != uid]
    if refs:
        obj["metadata"]["ownerReferences"] = refs
    else:
        obj["metadata"].pop("ownerReferences", None)


def matching_toleration(tolerations: list[dict] | None, taint: dict) -> dict | None:
    """The first toleration that tolerates `taint` (`Toleration.ToleratesTaint`): the effect
    and key match when set, then `Exists` matches any value and `Equal` (the default) the
    taint's value."""
    for tol in tolerations or ():
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("key") and tol["key"] != taint.get("key"):
            continue
        operator = tol.get("operator") or "Equal"
        if operator == "Exists" or (operator == "Equal" and (tol.get("value") or "") ==
                                    (taint.get("value") or "")):
            return tol
    return None


def tolerates(tolerations: list[dict] | None, taint: dict) -> bool:
    return matching_toleration(tolerations, taint) is not None
