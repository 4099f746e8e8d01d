"""Service environment variables, as the kubelet builds them when a container starts.

For each Service visible to the pod (its own namespace's, if
`enableServiceLinks`, plus the master `kubernetes` Service always) that has a
cluster IP (not headless, not ExternalName): `{NAME}_SERVICE_HOST`,
`{NAME}_SERVICE_PORT`, one `{NAME}_SERVICE_PORT_{PORTNAME}` per named port,
and the Docker-links family `{NAME}_PORT...`. Values use the Service port,
never the targetPort. Computed once at container start and never updated,
which is the lecture's "Service check" lesson.
"""

from __future__ import annotations


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


def visible_services(pod: dict, services_in_ns: list[dict], master: dict | None) -> list[dict]:
    """The Services whose variables a container of `pod` gets, by the kubelet's rules."""
    chosen: dict[str, dict] = {}
    if pod.get("spec", {}).get("enableServiceLinks", True):
        for svc in services_in_ns:
            chosen[svc["metadata"]["name"]] = svc
    if master is not None:
        chosen["kubernetes"] = master
    return [chosen[n] for n in sorted(chosen)]
