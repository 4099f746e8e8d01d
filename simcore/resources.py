"""The resource types the simulated API server serves.

One table, read by the API server (routing, discovery), the facade (which
accepts a kind, a plural, a singular or a short name) and the web API. Kinds
that a real cluster only has once an add-on is installed (MetalLB's
IPAddressPool) are absent on purpose: the API server answers them as a real
one without the add-on does, "no matches for kind".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

_RW = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_READ_WRITE_NO_UPDATE = ("create", "delete", "get", "list", "patch", "watch")


@dataclass(frozen=True)
class ResourceType:
    kind: str
    plural: str
    group: str
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = _RW
    subresources: tuple[str, ...] = field(default=())

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """`replicasets.apps`, `services`: the form error messages use."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """`replicaset.apps`, `service`: the form kubectl prints before `/name`."""
        return f"{self.singular}.{self.group}" if self.group else self.singular


def _r(kind: str, plural: str, group: str, version: str, namespaced: bool,
       short: Iterable[str] = (), cats: Iterable[str] = (), sub: Iterable[str] = (),
       verbs: tuple[str, ...] = _RW) -> ResourceType:
    return ResourceType(kind, plural, group, version, namespaced, tuple(short), tuple(cats),
                        verbs, tuple(sub))


RESOURCES: tuple[ResourceType, ...] = (
    _r("Namespace", "namespaces", "", "v1", False, ["ns"], sub=["status", "finalize"]),
    _r("Node", "nodes", "", "v1", False, ["no"], sub=["status", "proxy"]),
    _r("Pod", "pods", "", "v1", True, ["po"], ["all"],
       ["status", "log", "exec", "portforward", "binding", "eviction",
        "ephemeralcontainers"]),
    _r("Service", "services", "", "v1", True, ["svc"], ["all"], ["status", "proxy"]),
    _r("Endpoints", "endpoints", "", "v1", True, ["ep"]),
    _r("Event", "events", "", "v1", True, ["ev"]),
    _r("ConfigMap", "configmaps", "", "v1", True, ["cm"]),
    _r("Secret", "secrets", "", "v1", True),
    _r("ServiceAccount", "serviceaccounts", "", "v1", True, ["sa"], sub=["token"]),
    _r("ReplicationController", "replicationcontrollers", "", "v1", True, ["rc"], ["all"],
       ["status", "scale"]),
    _r("PersistentVolume", "persistentvolumes", "", "v1", False, ["pv"], sub=["status"]),
    _r("PersistentVolumeClaim", "persistentvolumeclaims", "", "v1", True, ["pvc"],
       sub=["status"]),
    _r("ResourceQuota", "resourcequotas", "", "v1", True, ["quota"], sub=["status"]),
    _r("LimitRange", "limitranges", "", "v1", True, ["limits"]),
    _r("ReplicaSet", "replicasets", "apps", "v1", True, ["rs"], ["all"], ["status", "scale"]),
    _r("Deployment", "deployments", "apps", "v1", True, ["deploy"], ["all"], ["status", "scale"]),
    _r("DaemonSet", "daemonsets", "apps", "v1", True, ["ds"], ["all"], ["status"]),
    _r("StatefulSet", "statefulsets", "apps", "v1", True, ["sts"], ["all"], ["status", "scale"]),
    _r("ControllerRevision", "controllerrevisions", "apps", "v1", True),
    _r("Job", "jobs", "batch", "v1", True, (), ["all"], ["status"]),
    _r("CronJob", "cronjobs", "batch", "v1", True, ["cj"], ["all"], ["status"]),
    _r("Ingress", "ingresses", "networking.k8s.io", "v1", True, ["ing"], sub=["status"]),
    _r("IngressClass", "ingressclasses", "networking.k8s.io", "v1", False),
    _r("NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1", True, ["netpol"]),
    _r("EndpointSlice", "endpointslices", "discovery.k8s.io", "v1", True),
    _r("Lease", "leases", "coordination.k8s.io", "v1", True),
    _r("StorageClass", "storageclasses", "storage.k8s.io", "v1", False, ["sc"]),
    _r("Role", "roles", "rbac.authorization.k8s.io", "v1", True),
    _r("RoleBinding", "rolebindings", "rbac.authorization.k8s.io", "v1", True),
    _r("ClusterRole", "clusterroles", "rbac.authorization.k8s.io", "v1", False),
    _r("ClusterRoleBinding", "clusterrolebindings", "rbac.authorization.k8s.io", "v1", False),
    _r("HorizontalPodAutoscaler", "horizontalpodautoscalers", "autoscaling", "v2", True, ["hpa"],
       sub=["status"]),
    _r("PodDisruptionBudget", "poddisruptionbudgets", "policy", "v1", True, ["pdb"],
       sub=["status"]),
    _r("PriorityClass", "priorityclasses", "scheduling.k8s.io", "v1", False, ["pc"]),
)

_BY_KIND: dict[str, ResourceType] = {r.kind: r for r in RESOURCES}
_BY_NAME: dict[str, ResourceType] = {}
for _res in RESOURCES:
    for _name in (_res.plural, _res.singular, *_res.short_names, _res.kind.lower()):
        _BY_NAME.setdefault(_name, _res)
        _BY_NAME.setdefault(f"{_name}.{_res.group}" if _res.group else _name, _res)

# Group versions a real current cluster once served but no longer does; asking for
# them gets "no matches for kind ... in version ..." rather than a silent upgrade.
SERVED_VERSIONS: dict[str, tuple[str, ...]] = {
    "": ("v1",),
    "apps": ("v1",),
    "batch": ("v1",),
    "networking.k8s.io": ("v1",),
    "discovery.k8s.io": ("v1",),
    "coordination.k8s.io": ("v1",),
    "storage.k8s.io": ("v1",),
    "rbac.authorization.k8s.io": ("v1",),
    "autoscaling": ("v2", "v1"),
    "policy": ("v1",),
    "scheduling.k8s.io": ("v1",),
}


class UnknownResource(LookupError):
    """Raised for a kind or resource name the server does not serve."""


def by_kind(kind: str) -> ResourceType:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise UnknownResource(kind) from None


def lookup(name: str) -> ResourceType:
    """Resolve what a user typed: `Service`, `services`, `svc`, `replicasets.apps`."""
    if isinstance(name, ResourceType):
        return name
    if name in _BY_KIND:
        return _BY_KIND[name]
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise UnknownResource(name) from None


def for_api_version(api_version: str, kind: str) -> ResourceType:
    """The resource a manifest's apiVersion and kind name, or UnknownResource."""
    group, _, version = api_version.rpartition("/")
    res = _BY_KIND.get(kind)
    if res is None or res.group != group or version not in SERVED_VERSIONS.get(group, ()):
        raise UnknownResource(f"{api_version}/{kind}")
    return res


def object_key(namespace: str | None, name: str) -> str:
    """The `namespace/name` key controllers queue (`name` for cluster-scoped objects)."""
    return f"{namespace}/{name}" if namespace else name


def split_key(key: str) -> tuple[str | None, str]:
    namespace, _, name = key.rpartition("/")
    return (namespace or None), name
