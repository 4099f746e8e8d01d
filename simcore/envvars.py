"""Service environment variables, as the kubelet builds them when a container starts.

For each Service visible to the pod (its own namespace's, if
`enableServiceLinks`, plus the master `kubernetes` Service always) that has a
cluster IP (not headless, not ExternalName): `{NAME}_SERVICE_HOST`,
`{NAME}_SERVICE_PORT`, one `{NAME}_SERVICE_PORT_{PORTNAME}` per named port,
and the Docker-links family `{NAME}_PORT...`. Values use the Service port,
never the targetPort. Computed once at container start and never updated,
which is the lecture's "Service check" lesson.

A namespace of 1,000 Services gives each container 7,000 variables, so what
can be shared is: a stored Service's variables are made once per stored
object (`links_of`), a namespace's once per set of its Services (`pod_links`),
and the kubelet's random order (a Go map's) is, for many variables, one sort
on random keys (`go_map_order`) rather than a shuffle of one draw each.
"""

from __future__ import annotations

import random
from array import array
from operator import itemgetter


def env_name(name: str) -> str:
    """`svc-node` -> `SVC_NODE`; a leading digit gets a `_` in front."""
    out = name.upper().replace("-", "_").replace(".", "_")
    return "_" + out if out[:1].isdigit() else out


def service_links(service: dict) -> list[tuple[str, str]]:
    spec = service.get("spec") or {}
    ip = spec.get("clusterIP")
    ports = spec.get("ports") or []
    if not ip or ip == "None" or spec.get("type") == "ExternalName" or not ports:
        return []
    name = env_name(service["metadata"]["name"])
    first = ports[0]
    proto = (first.get("protocol") or "TCP").lower()
    out = [(f"{name}_SERVICE_HOST", ip), (f"{name}_SERVICE_PORT", str(first["port"]))]
    for port in ports:
        if port.get("name"):
            out.append((f"{name}_SERVICE_PORT_{env_name(port['name'])}", str(port["port"])))
    out.append((f"{name}_PORT", f"{proto}://{ip}:{first['port']}"))
    for port in ports:
        p_proto = port.get("protocol") or "TCP"
        prefix = f"{name}_PORT_{port['port']}_{p_proto.upper()}"
        out += [(prefix, f"{p_proto.lower()}://{ip}:{port['port']}"),
                (f"{prefix}_PROTO", p_proto.lower()),
                (f"{prefix}_PORT", str(port["port"])),
                (f"{prefix}_ADDR", ip)]
    return out


# id(service) -> (the stored Service, its resourceVersion, its variables). Stored objects are
# replaced, never changed in place, so the same object (at the same resourceVersion) has the
# same variables.
_LINKS: dict[int, tuple[dict, str, tuple[tuple[str, str], ...]]] = {}


def links_of(service: dict) -> tuple[tuple[str, str], ...]:
    """`service_links` of a stored Service, made once per stored object."""
    rv = service["metadata"].get("resourceVersion", "")
    cached = _LINKS.get(id(service))
    if cached is None or cached[0] is not service or cached[1] != rv:
        if len(_LINKS) > 20_000:
            _LINKS.clear()
        cached = _LINKS[id(service)] = (service, rv, tuple(service_links(service)))
    return cached[2]


# (namespace, service links on) -> (its Services as last listed, the master Service, the
# variables they give): the pods of a namespace see the same Services until one changes
_NAMESPACES: dict[tuple[str, bool], tuple[list[dict], dict | None, tuple]] = {}


def pod_links(pod: dict, services_in_ns: list[dict], master: dict | None
              ) -> tuple[tuple[str, str], ...]:
    """The variables of `visible_services`, by Service name, made again only when the
    namespace's stored Services (or the master) are other objects than last time."""
    key = (pod["metadata"].get("namespace", ""),
           bool(pod.get("spec", {}).get("enableServiceLinks", True)))
    hit = _NAMESPACES.get(key)
    # a list compares its items by identity first: the same stored objects cost no more
    if hit is not None and hit[1] is master and hit[0] == services_in_ns:
        return hit[2]
    if len(_NAMESPACES) > 1_000:
        _NAMESPACES.clear()
    links = tuple(pair for svc in visible_services(pod, services_in_ns, master)
                  for pair in links_of(svc))
    _NAMESPACES[key] = (services_in_ns, master, links)
    return links


# up to this many variables (14 Services' worth) the order is random.shuffle's, whose draws
# the seeded lecture clusters have always made (their pod names and picks come after)
SHUFFLE_UP_TO = 100


def go_map_order(items: list | tuple, rng: random.Random) -> list:
    """`items` in a random order, as the kubelet's range over a Go map gives them. Beyond
    `SHUFFLE_UP_TO`, each item gets 64 random bits from one draw and a sort (in C) orders
    them by those: a shuffle makes one draw per item (4 ms for 7,000 variables)."""
    n = len(items)
    if n <= SHUFFLE_UP_TO:
        out = list(items)
        rng.shuffle(out)
        return out
    keys = array("Q", rng.getrandbits(64 * n).to_bytes(8 * n, "little"))
    return list(itemgetter(*sorted(range(n), key=keys.__getitem__))(items))


def visible_services(pod: dict, services_in_ns: list[dict], master: dict | None) -> list[dict]:
    """The Services whose variables a container of `pod` gets, by the kubelet's rules."""
    chosen: dict[str, dict] = {}
    if pod.get("spec", {}).get("enableServiceLinks", True):
        for svc in services_in_ns:
            chosen[svc["metadata"]["name"]] = svc
    if master is not None:
        chosen["kubernetes"] = master
    return [chosen[n] for n in sorted(chosen)]
