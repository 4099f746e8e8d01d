"""Validation for networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy.

Follows `pkg/apis/networking/validation/validation.go`. The lecture's most
likely mistakes are all here: a v1 path without `pathType` (`pathType must
be specified`; v1beta1 used to default it), a relative path for Exact or
Prefix (`must be an absolute path`), an IP address as host (`must be a DNS
name, not an IP address`), a wildcard that is not a whole first label, and
a backend service named with something that is not a DNS-1035 label.

Trade-off: IngressClass `parameters` and NetworkPolicy peers are checked
as the Go code does, but the legacy-field leniency of CIDR parsing (leading
zeros accepted with a warning) is not modelled: such CIDRs are rejected.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from simcore.errors import FieldError, forbidden, invalid, not_supported, required, too_long
from simcore.validation import meta

_PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]
_INVALID_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_SUFFIXES = ("/..", "/.")
_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _meta(obj: dict, old: dict | None, namespaced: bool) -> list[FieldError]:
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), namespaced,
                                         meta.name_is_dns_subdomain)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


# Ingress.

def validate_ingress(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, True)
    errs += _validate_ingress_spec(spec)
    if old is None:
        annotations = _dict(_dict(obj.get("metadata")).get("annotations"))
        value, class_name = annotations.get(_CLASS_ANNOTATION), spec.get("ingressClassName")
        if value is not None and class_name is not None and value != class_name:
            errs.append(invalid(f"annotations.{_CLASS_ANNOTATION}", value,
                                "must match `ingressClassName` when both are specified"))
    return errs


def _validate_ingress_spec(spec: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    rules = _list(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        errs.append(invalid("spec", rules, "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs += _validate_backend(_dict(spec["defaultBackend"]), "spec.defaultBackend")
    for i, rule in enumerate(rules):
        errs += _validate_rule(_dict(rule), f"spec.rules[{i}]")
    errs += _validate_tls(_list(spec.get("tls")))
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs += [invalid("spec.ingressClassName", class_name, m)
                 for m in meta.name_is_dns_subdomain(class_name, False)]
    return errs


def _validate_rule(rule: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    host = meta.text(rule.get("host"))
    if host:
        if meta.parse_ip(host) is not None:
            errs.append(invalid(f"{path}.host", host, "must be a DNS name, not an IP address"))
        check = meta.is_wildcard_dns1123_subdomain if "*" in host else meta.is_dns1123_subdomain
        errs += [invalid(f"{path}.host", host, m) for m in check(host)]
    http = rule.get("http")
    if http is not None:
        paths = _list(_dict(http).get("paths"))
        if not paths:
            errs.append(required(f"{path}.http.paths"))
        for i, item in enumerate(paths):
            errs += _validate_http_path(_dict(item), f"{path}.http.paths[{i}]")
    return errs


def _validate_http_path(item: dict, path: str) -> list[FieldError]:
    path_type = item.get("pathType")
    if path_type is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = meta.text(item.get("path"))
    errs: list[FieldError] = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            errs += [invalid(f"{path}.path", value, f"must not contain '{seq}'")
                     for seq in _INVALID_SEQUENCES if seq in value]
            errs += [invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
                     for suffix in _INVALID_SUFFIXES if value.endswith(suffix)]
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{path}.pathType", path_type, _PATH_TYPES))
    return errs + _validate_backend(_dict(item.get("backend")), f"{path}.backend")


def _validate_backend(backend: dict, path: str) -> list[FieldError]:
    has_resource, has_service = backend.get("resource") is not None, \
        backend.get("service") is not None
    if has_resource and has_service:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if has_resource:
        return _validate_typed_reference(_dict(backend["resource"]), f"{path}.resource")
    if not has_service:
        return [invalid(path, "", "resource or service backend is required")]
    service = _dict(backend["service"])
    name = service.get("name") or ""
    if not name:
        errs = [required(f"{path}.service.name")]
    else:
        errs = [invalid(f"{path}.service.name", name, m)
                for m in meta.name_is_dns1035_label(name, False)]
    return errs + _validate_backend_port(_dict(service.get("port")), path)


def _validate_backend_port(port: dict, path: str) -> list[FieldError]:
    name, number = port.get("name") or "", port.get("number") or 0
    if name and number:
        return [invalid(path, "", "cannot set both port name & port number")]
    if name:
        return [invalid(f"{path}.service.port.name", name, m)
                for m in meta.is_valid_port_name(name)]
    if number:
        return [invalid(f"{path}.service.port.number", number, m)
                for m in meta.is_valid_port_num(number)]
    return [required(path, "port name or number is required")]


def _validate_typed_reference(ref: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    group = ref.get("apiGroup")
    if group is not None:
        errs += [invalid(f"{path}.apiGroup", group, m) for m in meta.is_dns1123_subdomain(group)]
    for field_name in ("kind", "name"):
        value = ref.get(field_name) or ""
        if not value:
            errs.append(required(f"{path}.{field_name}", f"{field_name} is required"))
        else:
            errs += [invalid(f"{path}.{field_name}", value, m)
                     for m in meta.is_valid_path_segment_name(value)]
    return errs


def _validate_tls(tls: list) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, item in enumerate(tls):
        item = _dict(item)
        for j, host in enumerate(_list(item.get("hosts"))):
            check = meta.is_wildcard_dns1123_subdomain if "*" in host else \
                meta.is_dns1123_subdomain
            errs += [invalid(f"spec.tls[{i}].hosts[{j}]", host, m) for m in check(host)]
        secret = item.get("secretName") or ""
        if secret:
            errs += [invalid(f"spec.tls[{i}].secretName", secret, m)
                     for m in meta.name_is_dns_subdomain(secret, False)]
    return errs


# IngressClass.

def validate_ingress_class(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs: list[FieldError] = []
    if old is not None:
        errs += meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        errs += meta.immutable(spec.get("controller"), _dict(old.get("spec")).get("controller"),
                               "spec.controller")
    errs += meta.validate_object_meta(obj.get("metadata"), False, meta.name_is_dns_subdomain)
    controller = spec.get("controller") or ""
    if len(controller.encode()) > 250:
        errs.append(too_long("spec.controller", 250))
    errs += meta.is_domain_prefixed_path("spec.controller", controller)
    return errs + _validate_class_parameters(spec.get("parameters"), "spec.parameters")


def _validate_class_parameters(params: Any, path: str) -> list[FieldError]:
    if params is None:
        return []
    params = _dict(params)
    errs = _validate_typed_reference(params, path)
    scope = params.get("scope")
    if scope is None:
        return errs + [required(f"{path}.scope")]
    if scope not in ("Cluster", "Namespace"):
        return errs + [not_supported(f"{path}.scope", scope, ["Cluster", "Namespace"])]
    namespace = params.get("namespace")
    if scope == "Namespace":
        if namespace is None:
            errs.append(required(f"{path}.namespace", "`parameters.scope` is set to "
                                                      "'Namespace'"))
        else:
            errs += [invalid(f"{path}.namespace", namespace, m)
                     for m in meta.name_is_dns_label(namespace, False)]
    elif namespace is not None:
        errs.append(forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return errs


# NetworkPolicy.

def validate_network_policy(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, True)
    errs += meta.validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_list(spec.get(direction))):
            rule, path = _dict(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(_list(rule.get("ports"))):
                errs += _validate_policy_port(_dict(port), f"{path}.ports[{j}]")
            for j, peer in enumerate(_list(rule.get(peers_key))):
                errs += _validate_peer(_dict(peer), f"{path}.{peers_key}[{j}]")
    return errs + _validate_policy_types(_list(spec.get("policyTypes")))


def _validate_policy_port(port: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in ("TCP", "UDP", "SCTP"):
        errs.append(not_supported(f"{path}.protocol", protocol, ["TCP", "UDP", "SCTP"]))
    number, end = port.get("port"), port.get("endPort")
    if isinstance(number, int):
        errs += [invalid(f"{path}.port", number, m) for m in meta.is_valid_port_num(number)]
        if end is not None:
            if end < number:
                errs.append(invalid(f"{path}.endPort", number,
                                    "must be greater than or equal to `port`"))
            errs += [invalid(f"{path}.endPort", end, m) for m in meta.is_valid_port_num(end)]
    elif isinstance(number, str):
        if end is not None:
            errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is "
                                                        "non-numeric"))
        errs += [invalid(f"{path}.port", number, m) for m in meta.is_valid_port_name(number)]
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not "
                                                    "specified"))
    return errs


def _validate_peer(peer: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            count += 1
            errs += meta.validate_label_selector(peer[key], f"{path}.{key}")
    if peer.get("ipBlock") is not None:
        count += 1
        errs += _validate_ip_block(_dict(peer["ipBlock"]), f"{path}.ipBlock")
    if not count:
        errs.append(required(path, "must specify a peer"))
    elif count > 1 and peer.get("ipBlock") is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def _validate_ip_block(block: dict, path: str) -> list[FieldError]:
    cidr = block.get("cidr") or ""
    if not cidr:
        return [required(f"{path}.cidr")]
    errs = meta.valid_cidr(f"{path}.cidr", cidr)
    if errs:
        return errs
    network = ipaddress.ip_network(cidr, strict=False)
    for i, except_cidr in enumerate(_list(block.get("except"))):
        except_path = f"{path}.except[{i}]"
        except_errs = meta.valid_cidr(except_path, except_cidr)
        if except_errs:
            errs += except_errs
            continue
        inner = ipaddress.ip_network(except_cidr, strict=False)
        if not _strict_subnet(inner, network):
            errs.append(invalid(except_path, except_cidr, "must be a strict subset of `cidr`"))
    return errs


def _strict_subnet(inner: ipaddress.IPv4Network | ipaddress.IPv6Network,
                   outer: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    # supernet_of raises TypeError across IP versions, so the versions are matched first.
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return outer.supernet_of(inner) and outer.prefixlen < inner.prefixlen
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return outer.supernet_of(inner) and outer.prefixlen < inner.prefixlen
    return False


def _validate_policy_types(types: list) -> list[FieldError]:
    if len(types) > 2:
        return [invalid("spec.policyTypes", types, "may not specify more than two policyTypes")]
    return [not_supported(f"spec.policyTypes[{i}]", t, ["Ingress", "Egress"])
            for i, t in enumerate(types) if t not in ("Ingress", "Egress")]


VALIDATORS: dict[str, meta.Validator] = {
    "Ingress": validate_ingress,
    "IngressClass": validate_ingress_class,
    "NetworkPolicy": validate_network_policy,
}
