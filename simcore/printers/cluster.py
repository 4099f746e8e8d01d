"""Rows for cluster-level kinds: Node, Namespace, Event and Lease.

The node row is the lecture's first screen (`master-stg Ready
control-plane,master 124d v1.20.1 ...`): STATUS from the Ready condition plus
`SchedulingDisabled` when cordoned, ROLES from `node-role.kubernetes.io/<role>`
labels (and the older `kubernetes.io/role`), sorted; `<unknown>` for missing
node info in the wide cells.

The event row is the one wide table whose column order differs from its narrow
one (SUBOBJECT and SOURCE sit before MESSAGE); since the server always renders
wide, the cells follow the wide order and kubectl drops the priority-1 ones.
Events written through the newer events API carry `eventTime` and `series`
instead of first/last timestamps and a count; the row falls back to those as
printers.go does.
"""

from __future__ import annotations

from datetime import datetime

from simcore.objects import node_address
from simcore.printers.common import Printer, age_column, column, meta, name_column, spec, status
from simcore.printers.duration import age

_ROLE_PREFIX = "node-role.kubernetes.io/"
_ROLE_LABEL = "kubernetes.io/role"
_ADDRESSES_DOC = ("List of addresses reachable to the node. Queried from cloud provider, if "
                  "available. More info: https://kubernetes.io/docs/reference/node/node-status/"
                  "#addresses Note: This field is declared as mergeable, but the merge key is "
                  "not sufficiently unique, which can cause data corruption when it is merged. "
                  "Callers should instead use a full-replacement patch. See "
                  "https://pr.k8s.io/79391 for an example. Consumers should assume that "
                  "addresses can change during the lifetime of a Node. However, there are some "
                  "exceptions where this may not be possible, such as Pods that inherit a "
                  "Node's address in its own status or consumers of the downward API "
                  "(status.hostIP).")

_NODE_COLUMNS = (
    name_column(),
    column("Status", "The status of the node"),
    column("Roles", "The roles of the node"),
    age_column(),
    column("Version", "Kubelet Version reported by the node."),
    column("Internal-IP", _ADDRESSES_DOC, priority=1),
    column("External-IP", _ADDRESSES_DOC, priority=1),
    column("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian "
                       "GNU/Linux 7 (wheezy)).", priority=1),
    column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. "
                             "3.16.0-0.bpo.4-amd64).", priority=1),
    column("Container-Runtime", "ContainerRuntime Version reported by the node through runtime "
                                "remote API (e.g. containerd://1.4.2).", priority=1),
)


def node_status(node: dict) -> str:
    """`Ready`, `NotReady` (False or Unknown), `Unknown` (no condition), `,SchedulingDisabled`."""
    ready = None
    for cond in status(node).get("conditions") or []:
        if cond.get("type") == "Ready":
            ready = cond  # the last one wins, as in printers.go's condition map
    parts = ["Unknown" if ready is None else
             ("Ready" if ready.get("status") == "True" else "NotReady")]
    if spec(node).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def node_roles(node: dict) -> str:
    """findNodeRoles, sorted and comma-joined, `<none>` when the node has no role label."""
    roles = set()
    for key, value in (meta(node).get("labels") or {}).items():
        if key.startswith(_ROLE_PREFIX) and key[len(_ROLE_PREFIX):]:
            roles.add(key[len(_ROLE_PREFIX):])
        elif key == _ROLE_LABEL and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(node: dict, address_type: str) -> str:
    return node_address(node, address_type) or "<none>"


def node_cells(node: dict, now: datetime) -> list:
    info = status(node).get("nodeInfo") or {}
    return [meta(node).get("name", ""), node_status(node), node_roles(node),
            age(meta(node).get("creationTimestamp"), now), info.get("kubeletVersion", ""),
            _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


_NAMESPACE_COLUMNS = (
    name_column(),
    column("Status", "The status of the namespace"),
    age_column(),
)


def namespace_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), status(obj).get("phase", ""),
            age(meta(obj).get("creationTimestamp"), now)]


_EVENT_COLUMNS = (
    column("Last Seen", "The time at which the most recent occurrence of this event was "
                        "recorded."),
    column("Type", "Type of this event (Normal, Warning), new types could be added in the "
                   "future"),
    column("Reason", "This should be a short, machine understandable string that gives the "
                     "reason for the transition into the object's current status."),
    column("Object", "The object that this event is about."),
    column("Subobject", "If referring to a piece of an object instead of an entire object, this "
                        "string should contain a valid JSON/Go field access statement, such as "
                        "desiredState.manifest.containers[2]. For example, if the object "
                        "reference is to a container within a pod, this would take on a value "
                        'like: "spec.containers{name}" (where "name" refers to the name of the '
                        'container that triggered the event) or if no container name is '
                        'specified "spec.containers[2]" (container with index 2 in this pod). '
                        "This syntax is chosen only to have some well-defined way of "
                        "referencing a part of an object.", priority=1),
    column("Source", "The component reporting this event. Should be a short machine "
                     "understandable string.", priority=1),
    column("Message", "A human-readable description of the status of this operation."),
    column("First Seen", "The time at which the event was first recorded. (Time of server "
                         "receipt is in TypeMeta.)", priority=1),
    column("Count", "The number of times this event has occurred.", priority=1),
    name_column(priority=1),
)


def _event_source(event: dict) -> str:
    """formatEventSource: component (or reportingController), then `, host` if any."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController", "")
    host = source.get("host") or event.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


def _event_times(event: dict, now: datetime) -> tuple[str, str, int]:
    """(LAST SEEN, FIRST SEEN, COUNT), with the events.k8s.io fallbacks."""
    first = age(event.get("firstTimestamp") or event.get("eventTime"), now)
    last = age(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    series = event.get("series")
    if series is not None:
        last = age(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1  # singleton events from the new API leave count unset
    return last, first, count


def event_cells(event: dict, now: datetime) -> list:
    involved = event.get("involvedObject") or {}
    kind = involved.get("kind", "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    last, first, count = _event_times(event, now)
    return [last, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), _event_source(event),
            event.get("message", "").strip(), first, count, meta(event).get("name", "")]


_LEASE_COLUMNS = (
    name_column(),
    column("Holder", "holderIdentity contains the identity of the holder of a current lease. "
                     "If Coordinated Leader Election is used, the holder identity must be "
                     "equal to the elected LeaseCandidate.metadata.name field."),
    age_column(),
)


def lease_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), spec(obj).get("holderIdentity") or "",
            age(meta(obj).get("creationTimestamp"), now)]


PRINTERS = {
    "Node": Printer(_NODE_COLUMNS, node_cells),
    "Namespace": Printer(_NAMESPACE_COLUMNS, namespace_cells),
    "Event": Printer(_EVENT_COLUMNS, event_cells),
    "Lease": Printer(_LEASE_COLUMNS, lease_cells),
}
