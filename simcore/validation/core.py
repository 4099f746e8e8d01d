"""Validation for the core ("") API group.

Mirrors `ValidatePod*`, `ValidateService*`, `ValidateEndpoints*`,
`ValidateReplicationController*`, `ValidateConfigMap*`, `ValidateSecret*`,
`ValidateNamespace*` and friends in `pkg/apis/core/validation/validation.go`,
plus the update rules the core registry strategies add. Each validator takes
the defaulted object (and the stored one on update) and returns the
`FieldError`s in the order the Go code appends them, so a multi-error
message reads the same as a real server's.

Trade-off: a Pod update that changes a forbidden field gets the real first
line ("pod updates may not change fields other than ...") but a short
`-`/`+` list of the changed paths instead of go-cmp's struct diff, which
cannot be reproduced from a dict. Service cluster IPs that the user left out
on update are taken from the stored object, as the registry's
PatchAllocatedValues does before validation.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from typing import Any

from simcore.errors import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
    too_long,
)
from simcore.validation import meta
from simcore.validation.podspec import (
    port_num_or_name,
    validate_pod_spec,
    validate_pod_template_spec,
)

_MAX_SECRET_SIZE = 1024 * 1024
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
_UPDATABLE_POD_FIELDS = ",".join([
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)",
])


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _meta(obj: dict, old: dict | None, namespaced: bool, name_fn: meta.NameFn) -> list[FieldError]:
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), namespaced, name_fn)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


# Pod.

def validate_pod(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, True, meta.name_is_dns_subdomain)
    errs += validate_pod_spec(spec, "spec", is_pod=True)
    for field_name in ("containers", "initContainers"):
        for i, ctr in enumerate(_list(spec.get(field_name))):
            image = _dict(ctr).get("image") or ""
            if isinstance(image, str) and image != image.strip():
                errs.append(invalid(f"spec.{field_name}[{i}].image", image,
                                    "must not have leading or trailing whitespace"))
    if old is None:
        if spec.get("ephemeralContainers"):
            errs.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
        return errs
    return errs + _validate_pod_update(spec, _dict(_dict(old).get("spec")))


def _validate_pod_update(new: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    for field_name in ("containers", "initContainers"):
        if len(_list(new.get(field_name))) != len(_list(old.get(field_name))):
            return [forbidden(f"spec.{field_name}", "pod updates may not add or remove "
                                                    "containers")]
    errs += _validate_deadline_update(new.get("activeDeadlineSeconds"),
                                      old.get("activeDeadlineSeconds"))
    errs += _validate_toleration_update(_list(new.get("tolerations")),
                                        _list(old.get("tolerations")))
    if new == old:
        return errs
    munged = _munge_pod_spec(new, old)
    if munged != old:
        errs.append(forbidden("spec", "pod updates may not change fields other than "
                              f"{_UPDATABLE_POD_FIELDS}\n{_spec_diff(old, munged)}"))
    return errs


def _validate_deadline_update(new: Any, old: Any) -> list[FieldError]:
    if new is not None:
        if new < 0 or new > 2**31 - 1:
            return [invalid("spec.activeDeadlineSeconds", new,
                            meta.inclusive_range_error(0, 2**31 - 1))]
        if old is not None and old < new:
            return [invalid("spec.activeDeadlineSeconds", new,
                            "must be less than or equal to previous value")]
    elif old is not None:
        return [invalid("spec.activeDeadlineSeconds", None,
                        "must not update from a positive integer to nil value")]
    return []


def _validate_toleration_update(new: list, old: list) -> list[FieldError]:
    for tol in old:
        base = {k: v for k, v in _dict(tol).items() if k != "tolerationSeconds"}
        if not any({k: v for k, v in _dict(n).items() if k != "tolerationSeconds"} == base
                   for n in new):
            return [forbidden("spec.tolerations",
                              "existing toleration can not be modified except its "
                              "tolerationSeconds")]
    return []


def _munge_pod_spec(new: dict, old: dict) -> dict:
    """The new spec with every field a pod update may change put back to the old value."""
    munged: dict[str, Any] = json.loads(json.dumps(new))
    for field_name in ("containers", "initContainers"):
        for ctr, old_ctr in zip(_list(munged.get(field_name)), _list(old.get(field_name)),
                                strict=False):
            if isinstance(ctr, dict):
                ctr["image"] = _dict(old_ctr).get("image")
                if ctr["image"] is None:
                    del ctr["image"]
    for field_name in ("activeDeadlineSeconds", "tolerations", "schedulingGates"):
        munged.pop(field_name, None)
        if field_name in old:
            munged[field_name] = old[field_name]
    old_grace = old.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and \
            munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    return munged


def _spec_diff(old: dict, new: dict) -> str:
    lines = ["  core.PodSpec{"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines.append(f"-  \t{key}: {json.dumps(old.get(key), sort_keys=True)},")
            lines.append(f"+  \t{key}: {json.dumps(new.get(key), sort_keys=True)},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


# Service.

def _cluster_ips(spec: dict, old_spec: dict | None) -> list[str]:
    """spec.clusterIPs as the registry sees it: normalized from clusterIP, kept on update."""
    ips = _list(spec.get("clusterIPs"))
    cluster_ip = spec.get("clusterIP") or ""
    if not ips and cluster_ip:
        ips = [cluster_ip]
    if not ips and not cluster_ip and old_spec is not None and \
            spec.get("type") != "ExternalName" and old_spec.get("type") != "ExternalName":
        ips = _cluster_ips(old_spec, None)
    return ips


def _is_headless(ips: list[str]) -> bool:
    return len(ips) == 1 and ips[0] == "None"


def validate_service(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    old_spec = _dict(old.get("spec")) if old is not None else None
    ips = _cluster_ips(spec, old_spec)
    errs = _meta(obj, old, True, meta.name_is_dns1035_label)
    if old_spec is not None:
        errs += _validate_cluster_ips_update(spec, old_spec, ips)
    svc_type = spec.get("type") or ""
    ports = _list(spec.get("ports"))
    if not ports and not _is_headless(ips) and svc_type != "ExternalName":
        errs.append(required("spec.ports"))
    errs += _validate_service_type_rules(spec, svc_type, ips)
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs += _validate_service_port(_dict(port), len(ports) > 1, names, f"spec.ports[{i}]")
    if spec.get("selector") is not None:
        errs += meta.validate_labels(spec.get("selector"), "spec.selector")
    errs += _validate_session_affinity(spec)
    if svc_type != "ExternalName":
        errs += _validate_cluster_ip_fields(spec, ips)
    errs += _validate_external_ips(_list(spec.get("externalIPs")))
    errs += _validate_service_type_value(svc_type)
    errs += _validate_node_ports(ports, svc_type)
    errs += _validate_lb_fields(spec, svc_type)
    errs += _validate_traffic_policies(spec, svc_type)
    return errs


def _validate_service_type_rules(spec: dict, svc_type: str, ips: list[str]) -> list[FieldError]:
    if svc_type in ("LoadBalancer", "NodePort") and _is_headless(ips):
        return [invalid("spec.clusterIPs[0]", ips[0],
                        f"may not be set to 'None' for {svc_type} services")]
    if svc_type != "ExternalName":
        return []
    errs: list[FieldError] = []
    if spec.get("clusterIPs") or spec.get("clusterIP"):
        errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
    if spec.get("ipFamilies"):
        errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
    if spec.get("ipFamilyPolicy") is not None:
        errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
    cname = meta.text(spec.get("externalName")).removesuffix(".")
    if cname:
        errs += [invalid("spec.externalName", cname, m) for m in meta.is_dns1123_subdomain(cname)]
    else:
        errs.append(required("spec.externalName"))
    return errs


def _validate_service_port(port: dict, require_name: bool, names: set[str],
                           path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid(f"{path}.name", name, m) for m in meta.is_dns1123_label(name)]
        if meta.text(name) in names:
            errs.append(duplicate(f"{path}.name", name))
        names.add(meta.text(name))
    number = port.get("port") or 0
    errs += [invalid(f"{path}.port", number, m) for m in meta.is_valid_port_num(number)]
    protocol = port.get("protocol") or ""
    if not protocol:
        errs.append(required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    errs += port_num_or_name(port.get("targetPort"), f"{path}.targetPort")
    if port.get("appProtocol") is not None:
        errs += [invalid(f"{path}.appProtocol", port["appProtocol"], m)
                 for m in meta.is_qualified_name(port["appProtocol"])]
    return errs


def _validate_session_affinity(spec: dict) -> list[FieldError]:
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        return [required("spec.sessionAffinity")]
    if affinity not in ("ClientIP", "None"):
        return [not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"])]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        if config is not None:
            return [forbidden("spec.sessionAffinityConfig",
                              "must not be set when session affinity is None")]
        return []
    when = "when session affinity type is ClientIP"
    if config is None:
        return [required("spec.sessionAffinityConfig", when)]
    client_ip = _dict(config).get("clientIP")
    if client_ip is None:
        return [required("spec.sessionAffinityConfig.clientIP", when)]
    timeout = _dict(client_ip).get("timeoutSeconds")
    path = "spec.sessionAffinityConfig.clientIP.timeoutSeconds"
    if timeout is None:
        return [required(path, when)]
    if not isinstance(timeout, int) or timeout <= 0 or timeout > 86400:
        return [invalid(path, timeout, "must be greater than 0 and less than 86400")]
    return []


def _validate_cluster_ip_fields(spec: dict, ips: list[str]) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields for a non-ExternalName service."""
    errs: list[FieldError] = []
    cluster_ip = spec.get("clusterIP") or ""
    if cluster_ip and ips and ips[0] != cluster_ip:
        errs.append(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"))
    elif not cluster_ip and spec.get("clusterIPs"):
        errs.append(invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not "
                                                    "specified"))
    seen: set[str] = set()
    for i, family in enumerate(_list(spec.get("ipFamilies"))):
        if family not in ("IPv4", "IPv6"):
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, ["IPv4", "IPv6"]))
        if family in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    policies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    if policy is not None and policy not in policies:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, policies))
    return errs + _validate_cluster_ip_values(spec, ips)


def _validate_cluster_ip_values(spec: dict, ips: list[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    bad = False
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            if len(ips) > 1:
                bad = True
                errs.append(invalid("spec.clusterIPs", ips, "'None' must be the first and only "
                                                            "value"))
            continue
        ip_errs = meta.valid_ip(f"spec.clusterIPs[{i}]", ip)
        bad = bad or bool(ip_errs)
        errs += ip_errs
    if len(ips) > 2:
        errs.append(invalid("spec.clusterIPs", ips, "may only hold up to 2 values"))
    if bad:
        return errs
    if len(ips) > 1 and len({_ip_version(ip) for ip in ips}) != len(ips):
        errs.append(invalid("spec.clusterIPs", ips, "may specify no more than one IP for each "
                                                    "IP family"))
    families = _list(spec.get("ipFamilies"))
    if not _is_headless(ips):
        for i, (ip, family) in enumerate(zip(ips, families, strict=False)):
            version = _ip_version(ip)
            if family == "IPv4" and version == 6 or family == "IPv6" and version == 4:
                want = "IPv4" if family == "IPv4" else "IPv6"
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip, f"expected an {want} value as "
                                    f"indicated by `ipFamilies[{i}]`"))
    return errs


def _ip_version(ip: str) -> int | None:
    parsed = meta.parse_ip(ip)
    return None if parsed is None else parsed.version


def _validate_cluster_ips_update(spec: dict, old_spec: dict, ips: list[str]) -> list[FieldError]:
    """validateUpgradeDowngradeClusterIPs: a set cluster IP may not change."""
    if "ExternalName" in (spec.get("type"), old_spec.get("type")):
        return []
    old_ips = _cluster_ips(old_spec, None)
    if _is_headless(ips) and _is_headless(old_ips):
        return []
    path = "spec.clusterIPs[0]"
    if len(old_ips) == len(ips):
        return [invalid(f"spec.clusterIPs[{i}]", ips, "may not change once set")
                for i, ip in enumerate(old_ips) if ip != ips[i]]
    if len(old_ips) > len(ips) and not ips:
        return [invalid(path, ips, "primary clusterIP can not be unset")]
    if old_ips and ips and ips[0] != old_ips[0]:
        return [invalid(path, ips, "may not change once set")]
    return []


def _validate_external_ips(ips: list) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, ip in enumerate(ips):
        path = f"spec.externalIPs[{i}]"
        ip_errs = meta.valid_ip(path, ip)
        errs += ip_errs or validate_non_special_ip(ip, path)
    return errs


def validate_non_special_ip(value: str, path: str) -> list[FieldError]:
    """ValidateNonSpecialIP: no unspecified, loopback or link-local addresses."""
    if meta.parse_ip(value) is None:
        return [invalid(path, value, "must be a valid IP address")]
    return [invalid(path, value, m) for m in _special_ip_messages(value)]


# Every Endpoints write checks each pod IP again: the verdict depends on the text alone.
@functools.lru_cache(maxsize=8192)
def _special_ip_messages(value: str) -> tuple[str, ...]:
    ip = meta.parse_ip(value)
    if ip is None:  # validate_non_special_ip has already said so
        return ()
    msgs: list[str] = []
    if ip.is_unspecified:
        msgs.append(f"may not be unspecified ({value})")
    if ip.is_loopback:
        msgs.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if ip.version == 4 and ip.packed[:2] == b"\xa9\xfe" or \
            ip.version == 6 and ip.packed[0] == 0xFE and ip.packed[1] & 0xC0 == 0x80:
        msgs.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    if ip.version == 4 and ip.packed[:3] == b"\xe0\x00\x00" or \
            ip.version == 6 and ip.packed[0] == 0xFF and ip.packed[1] & 0x0F == 0x02:
        msgs.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return tuple(msgs)


def _validate_service_type_value(svc_type: str) -> list[FieldError]:
    if not svc_type:
        return [required("spec.type")]
    if svc_type not in _SERVICE_TYPES:
        return [not_supported("spec.type", svc_type, _SERVICE_TYPES)]
    return []


def _validate_node_ports(ports: list, svc_type: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if svc_type == "ClusterIP":
        errs += [forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is "
                                                        "'ClusterIP'")
                 for i, port in enumerate(ports) if _dict(port).get("nodePort")]
    node_ports: set[tuple[str, str]] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        if not port.get("nodePort"):
            continue
        key = (meta.text(port.get("protocol")), meta.text(port["nodePort"]))
        if key in node_ports:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", port["nodePort"]))
        node_ports.add(key)
    seen: set[str] = set()
    for i, port in enumerate(ports):
        port = _dict(port)
        port_key = (meta.text(port.get("protocol")), port.get("port") or 0)
        if meta.text(port_key) in seen:
            # The Go code reports the internal ServicePort struct holding only the key.
            errs.append(duplicate(f"spec.ports[{i}]", {
                "Name": "", "Protocol": port_key[0], "AppProtocol": None, "Port": port_key[1],
                "TargetPort": 0, "NodePort": 0}))
        seen.add(meta.text(port_key))
    return errs


def _validate_lb_fields(spec: dict, svc_type: str) -> list[FieldError]:
    errs: list[FieldError] = []
    ranges = _list(spec.get("loadBalancerSourceRanges"))
    if ranges:
        if svc_type != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges",
                                  "may only be used when `type` is 'LoadBalancer'"))
        for i, value in enumerate(ranges):
            errs += meta.valid_cidr(f"spec.LoadBalancerSourceRanges[{i}]", str(value).strip())
    lb_only = "may only be used when `type` is 'LoadBalancer'"
    if spec.get("allocateLoadBalancerNodePorts") is not None and svc_type != "LoadBalancer":
        errs.append(forbidden("spec.allocateLoadBalancerNodePorts", lb_only))
    if svc_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(required("allocateLoadBalancerNodePorts"))
    lb_class = spec.get("loadBalancerClass")
    if lb_class is not None:
        if svc_type == "LoadBalancer":
            errs += [invalid("spec.loadBalancerClass", lb_class, m)
                     for m in meta.is_qualified_name(lb_class)]
        else:
            errs.append(forbidden("spec.loadBalancerClass", lb_only))
    return errs


def _validate_traffic_policies(spec: dict, svc_type: str) -> list[FieldError]:
    errs: list[FieldError] = []
    external = spec.get("externalTrafficPolicy") or ""
    accessible = svc_type in ("NodePort", "LoadBalancer") or bool(spec.get("externalIPs"))
    if not accessible:
        if external:
            errs.append(invalid("spec.externalTrafficPolicy", external,
                                "may only be set for externally-accessible services"))
    elif not external:
        errs.append(required("spec.externalTrafficPolicy"))
    elif external not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", external, ["Cluster", "Local"]))
    errs += _validate_health_check_node_port(spec, svc_type, external)
    internal = spec.get("internalTrafficPolicy")
    if internal is None and svc_type in ("NodePort", "LoadBalancer", "ClusterIP"):
        errs.append(required("spec.internalTrafficPolicy"))
    if internal is not None and internal not in ("Cluster", "Local"):
        errs.append(not_supported("spec.internalTrafficPolicy", internal, ["Cluster", "Local"]))
    distribution = spec.get("trafficDistribution")
    if distribution is not None and distribution != "PreferClose":
        errs.append(not_supported("spec.trafficDistribution", distribution, ["PreferClose"]))
    return errs


def _validate_health_check_node_port(spec: dict, svc_type: str,
                                     external: str) -> list[FieldError]:
    port = spec.get("healthCheckNodePort") or 0
    if not (svc_type == "LoadBalancer" and external == "Local"):
        if port:
            return [invalid("spec.healthCheckNodePort", port, "may only be set when `type` is "
                            "'LoadBalancer' and `externalTrafficPolicy` is 'Local'")]
        return []
    # A zero port is the allocator's to fill in, not a user error here.
    return [invalid("spec.healthCheckNodePort", port, m)
            for m in meta.is_valid_port_num(port)] if port else []


# Endpoints.

def validate_endpoints(obj: dict, old: dict | None) -> list[FieldError]:
    errs = _meta(obj, old, True, meta.name_is_dns_subdomain)
    for i, subset in enumerate(_list(obj.get("subsets"))):
        subset, path = _dict(subset), f"subsets[{i}]"
        addresses, not_ready = _list(subset.get("addresses")), _list(subset.get("notReadyAddresses"))
        if not addresses and not not_ready:
            errs.append(required(path, "must specify `addresses` or `notReadyAddresses`"))
        for j, addr in enumerate(addresses):
            errs += _validate_endpoint_address(_dict(addr), f"{path}.addresses[{j}]")
        for j, addr in enumerate(not_ready):
            errs += _validate_endpoint_address(_dict(addr), f"{path}.notReadyAddresses[{j}]")
        ports = _list(subset.get("ports"))
        for j, port in enumerate(ports):
            errs += _validate_endpoint_port(_dict(port), len(ports) > 1, f"{path}.ports[{j}]")
    return errs


def _validate_endpoint_address(addr: dict, path: str) -> list[FieldError]:
    ip = addr.get("ip") or ""
    errs = meta.valid_ip(f"{path}.ip", ip)
    hostname = addr.get("hostname") or ""
    if hostname:
        errs += [invalid(f"{path}.hostname", hostname, m) for m in meta.is_dns1123_label(hostname)]
    node = addr.get("nodeName")
    if node is not None:
        errs += [invalid(f"{path}.nodeName", node, m) for m in meta.name_is_dns_subdomain(node,
                                                                                          False)]
    return errs + validate_non_special_ip(ip, f"{path}.ip")


def _validate_endpoint_port(port: dict, require_name: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs += [invalid(f"{path}.name", name, m) for m in meta.is_dns1123_label(name)]
    number = port.get("port") or 0
    errs += [invalid(f"{path}.port", number, m) for m in meta.is_valid_port_num(number)]
    protocol = port.get("protocol") or ""
    if not protocol:
        errs.append(required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    return errs


# ReplicationController.

def validate_replication_controller(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, True, meta.name_is_dns_subdomain)
    errs += meta.nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    selector = _dict(spec.get("selector"))
    if not selector:
        errs.append(required("spec.selector"))
    errs += meta.nonnegative(spec.get("replicas"), "spec.replicas")
    template = spec.get("template")
    if template is None:
        return errs + [required("spec.template")]
    labels = _dict(_dict(template).get("metadata")).get("labels")
    if selector and not meta.map_selector_matches(selector, labels):
        errs.append(invalid("spec.template.metadata.labels", labels,
                            "`selector` does not match template `labels`"))
    errs += validate_pod_template_spec(template, "spec.template")
    tspec = _dict(_dict(template).get("spec"))
    if tspec.get("restartPolicy") != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy",
                                  tspec.get("restartPolicy", ""), ["Always"]))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden("spec.template.spec.activeDeadlineSeconds",
                              "activeDeadlineSeconds in ReplicationController is not Supported"))
    return errs


# ConfigMap and Secret.

def validate_config_map(obj: dict, old: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if old is not None:
        errs += meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        errs += _immutable_data(obj, old, ("data", "binaryData"))
    errs += meta.validate_object_meta(obj.get("metadata"), True, meta.name_is_dns_subdomain) \
        if old is None else []
    data, binary = _dict(obj.get("data")), _dict(obj.get("binaryData"))
    total = 0
    for key, value in meta.sorted_items(data):
        errs += [invalid(f"data[{key}]", key, m) for m in meta.is_config_map_key(key)]
        if key in binary:
            errs.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        total += len(str(value).encode())
    for key, value in meta.sorted_items(binary):
        errs += [invalid(f"binaryData[{key}]", key, m) for m in meta.is_config_map_key(key)]
        total += len(_decode(value))
    if total > _MAX_SECRET_SIZE:
        errs.append(too_long("", _MAX_SECRET_SIZE))
    return errs


def _immutable_data(obj: dict, old: dict, fields: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    detail = "field is immutable when `immutable` is set"
    errs = [] if obj.get("immutable") is True else [forbidden("immutable", detail)]
    return errs + [forbidden(f, detail) for f in fields if obj.get(f) != old.get(f)]


def _decode(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return str(value).encode()


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def validate_secret(obj: dict, old: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if old is not None:
        errs += meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        errs += meta.immutable(obj.get("type"), old.get("type"), "type")
        errs += _immutable_data(obj, old, ("data",))
    errs += meta.validate_object_meta(obj.get("metadata"), True, meta.name_is_dns_subdomain) \
        if old is None else []
    data = _dict(obj.get("data"))
    total = 0
    for key, value in meta.sorted_items(data):
        errs += [invalid(f"data[{key}]", key, m) for m in meta.is_config_map_key(key)]
        total += len(_decode(value))
    if total > _MAX_SECRET_SIZE:
        errs.append(too_long("data", _MAX_SECRET_SIZE))
    return errs + _validate_secret_type(obj, data)


def _validate_secret_type(obj: dict, data: dict) -> list[FieldError]:
    secret_type = obj.get("type") or ""
    if secret_type == "kubernetes.io/service-account-token":
        annotations = _dict(_dict(obj.get("metadata")).get("annotations"))
        if not annotations.get("kubernetes.io/service-account.name"):
            return [required("metadata.annotations[kubernetes.io/service-account.name]")]
        return []
    if secret_type == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            return [required("data[username]"), required("data[password]")]
        return []
    if secret_type == "kubernetes.io/ssh-auth":
        return [] if _decode(data.get("ssh-privatekey", "")) else \
            [required("data[ssh-privatekey]")]
    errs = [required(f"data[{k}]") for k in _SECRET_REQUIRED_KEYS.get(secret_type, ())
            if k not in data]
    if not errs and secret_type in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = _SECRET_REQUIRED_KEYS[secret_type][0]
        try:
            json.loads(_decode(data[key]))
        except RecursionError:  # nested past this engine's stack: Go's decoder's words
            errs.append(invalid(f"data[{key}]", "<secret contents redacted>",
                                "exceeded max depth"))
        except ValueError as exc:
            errs.append(invalid(f"data[{key}]", "<secret contents redacted>", str(exc)))
    return errs


# Namespace, ServiceAccount, Node, volumes and the rest.

def validate_namespace(obj: dict, old: dict | None) -> list[FieldError]:
    errs = _meta(obj, old, False, meta.name_is_dns_label)
    if old is None:
        for name in _list(_dict(obj.get("spec")).get("finalizers")):
            errs += _validate_finalizer_name(name, "spec.finalizers")
    return errs


def _validate_finalizer_name(name: str, path: str) -> list[FieldError]:
    errs = [invalid(path, name, m) for m in meta.is_qualified_name(name)]
    if "/" not in name and name != "kubernetes":
        errs.append(invalid(path, name, "name is neither a standard finalizer name nor is it "
                                        "fully qualified"))
    return errs


def validate_node(obj: dict, old: dict | None) -> list[FieldError]:
    errs = _meta(obj, old, False, meta.name_is_dns_subdomain)
    seen: set[tuple] = set()
    for i, taint in enumerate(_list(_dict(obj.get("spec")).get("taints"))):
        taint, path = _dict(taint), f"metadata.taints[{i}]"
        errs += meta.validate_label_name(taint.get("key", ""), f"{path}.key")
        msgs = meta.is_label_value(taint.get("value", ""))
        if msgs:
            errs.append(invalid(f"{path}.value", taint.get("value", ""), ";".join(msgs)))
        effect = taint.get("effect") or ""
        if not effect:
            errs.append(required(f"{path}.effect"))
        elif effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(not_supported(f"{path}.effect", effect,
                                      ["NoSchedule", "PreferNoSchedule", "NoExecute"]))
        key = (taint.get("key"), effect)
        if key in seen:
            errs.append(FieldError("Duplicate", path, taint,
                                   "taints must be unique by key and effect pair"))
        seen.add(key)
    return errs


_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]


def validate_persistent_volume_claim(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, True, meta.name_is_dns_subdomain)
    errs += _validate_access_modes(spec, "spec.accessModes",
                                   "at least 1 access mode is required")
    requests = _dict(_dict(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        errs.append(required("spec.resources[storage]"))
    class_name = spec.get("storageClassName") or ""
    if class_name:
        errs += [invalid("spec.storageClassName", class_name, m)
                 for m in meta.name_is_dns_subdomain(class_name, False)]
    return errs


def _validate_access_modes(spec: dict, path: str, detail: str) -> list[FieldError]:
    modes = _list(spec.get("accessModes"))
    errs = [] if modes else [required(path, detail)]
    errs += [not_supported(path, m, _ACCESS_MODES) for m in modes if m not in _ACCESS_MODES]
    if "ReadWriteOncePod" in modes and any(m in _ACCESS_MODES and m != "ReadWriteOncePod"
                                           for m in modes):
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


_PV_SOURCES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker",
               "nfs", "rbd", "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume",
               "azureFile", "vsphereVolume", "azureDisk", "photonPersistentDisk",
               "portworxVolume", "scaleIO", "local", "storageos", "csi")


def validate_persistent_volume(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, False, meta.name_is_dns_subdomain)
    errs += _validate_access_modes(spec, "spec.accessModes", "")
    capacity = _dict(spec.get("capacity"))
    if not capacity:
        errs.append(required("spec.capacity"))
    if "storage" not in capacity or len(capacity) > 1:
        errs.append(not_supported("spec.capacity", capacity, ["storage"]))
    policy = spec.get("persistentVolumeReclaimPolicy") or ""
    if policy and policy not in ("Delete", "Recycle", "Retain"):
        errs.append(not_supported("spec.persistentVolumeReclaimPolicy", policy,
                                  ["Delete", "Recycle", "Retain"]))
    sources = [s for s in _PV_SOURCES if spec.get(s) is not None]
    errs += [forbidden(f"spec.{s}", "may not specify more than 1 volume type")
             for s in sources[1:]]
    if not sources:
        errs.append(required("spec", "must specify a volume type"))
    return errs


def validate_metadata_only(name_fn: meta.NameFn, namespaced: bool) -> meta.Validator:
    """A validator for kinds whose spec the simulator does not check beyond metadata."""
    def validate(obj: dict, old: dict | None) -> list[FieldError]:
        return _meta(obj, old, namespaced, name_fn)
    return validate


VALIDATORS: dict[str, meta.Validator] = {
    "Pod": validate_pod,
    "Service": validate_service,
    "Endpoints": validate_endpoints,
    "ReplicationController": validate_replication_controller,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "Namespace": validate_namespace,
    "Node": validate_node,
    "PersistentVolumeClaim": validate_persistent_volume_claim,
    "PersistentVolume": validate_persistent_volume,
    "ServiceAccount": validate_metadata_only(meta.name_is_dns_subdomain, True),
    "Event": validate_metadata_only(meta.name_is_dns_subdomain, True),
    "ResourceQuota": validate_metadata_only(meta.name_is_dns_subdomain, True),
    "LimitRange": validate_metadata_only(meta.name_is_dns_subdomain, True),
}
