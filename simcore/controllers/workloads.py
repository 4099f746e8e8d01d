"""Helpers the workload controllers share: who controls an object, and what a workload selects.

What: `controller_ref` (the owner reference a controller stamps on what it creates),
`controller_of` and `owner_key` (the controlling owner of an object, as a reference or a
queue key), and `workload_selector` (a workload's `spec.selector`, None when it selects
nothing).

Why one module: ReplicaSet, Deployment, DaemonSet, StatefulSet, Job and CronJob all adopt
and own pods or other workloads the same way (apimachinery's `metav1.NewControllerRef`,
`GetControllerOf`). The loop contract they follow is simcore/loop.py.
"""

from __future__ import annotations

from simcore import labels
from simcore.resources import object_key


def workload_selector(obj: dict) -> labels.Selector | None:
    """The label selector of a workload's `spec.selector`, or None when it is malformed
    or empty (such an object selects nothing rather than everything)."""
    try:
        selector = labels.from_label_selector(obj["spec"].get("selector"))
    except ValueError:
        return None
    return None if selector.empty() else selector


def owner_key(obj: dict, kind: str) -> str | None:
    """`ns/name` of the controlling owner of `obj` if it is of `kind`."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller") and ref.get("kind") == kind:
            return object_key(obj["metadata"].get("namespace"), ref["name"])
    return None


def controller_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def controller_of(obj: dict) -> dict | None:
    """The owner reference that says `controller: true`, None when nothing controls `obj`."""
    ref: dict
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None
