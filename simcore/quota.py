"""A cluster-wide object quota, checked at create as the ResourceQuota admission plugin does.

A classroom gives each student a cluster and must not let one of them
(`kubectl scale --replicas=100000000`, a loop of `kubectl create`) grow
the server's memory without bound. The engine's config may carry
`{"quota": {"pods": N, "objects": M}}`: a create that would make more pods
than N, or more objects of any kind than M, is refused with the words the
real quota admission uses (`exceeded quota: <name>, requested: ...,
used: ..., limited: ...`, wrapped in a 403 Forbidden for the object),
whoever asks: kubectl gets the error, a controller's create fails and it
backs off, as a ReplicaSet does against a real quota.

The trade-off: a real ResourceQuota is a namespaced object counting one
namespace; this one is a single cluster-wide limit set from outside
(ClusterViz's class settings), so nothing a student can delete lifts it.
It counts `pods` as Kubernetes names that resource and every stored object
as `count/objects`, a name modelled on the `count/<resource>` quotas.
"""

from __future__ import annotations

from simcore import errors
from simcore.resources import ResourceType

QUOTA_NAME = "clusterviz-classroom"


def check(config: dict, count_pods: int, count_objects: int, rt: ResourceType,
          name: str) -> None:
    """Raise the quota's 403 if creating `rt`/`name` would pass a limit in `config`."""
    quota = config.get("quota") or {}
    limits = []
    if rt.group_resource == "pods" and "pods" in quota:
        limits.append(("pods", count_pods, int(quota["pods"])))
    if "objects" in quota:
        limits.append(("count/objects", count_objects, int(quota["objects"])))
    over = [(key, used, limit) for key, used, limit in limits if used + 1 > limit]
    if not over:
        return
    requested = ",".join(f"{key}=1" for key, _, _ in over)
    used = ",".join(f"{key}={used}" for key, used, _ in over)
    limited = ",".join(f"{key}={limit}" for key, _, limit in over)
    message = (f"exceeded quota: {QUOTA_NAME}, requested: {requested}, used: {used}, "
               f"limited: {limited}")
    raise errors.APIError(errors.status(
        403, "Forbidden", f'{rt.group_resource} "{name}" is forbidden: {message}',
        _details(rt, name)))


def _details(rt: ResourceType, name: str) -> dict:
    details: dict = {"name": name}
    if rt.group:
        details["group"] = rt.group
    details["kind"] = rt.plural
    return details
