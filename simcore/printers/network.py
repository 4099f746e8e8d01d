"""Rows for the networking kinds: Service, Endpoints, EndpointSlice, Ingress, IngressClass.

These are the tables a networking lecture lives in, so their cells follow
printers.go to the character: PORT(S) as `80:30123/TCP` once a nodePort exists,
EXTERNAL-IP `<none>` / `<pending>` / the load-balancer addresses, ENDPOINTS
cut after three entries with ` + N more...` (counting every address x port,
ready addresses only), Ingress HOSTS defaulting to `*` and PORTS `80, 443`
when TLS is set.

The server renders with `Wide: true`, so load-balancer addresses are never
clipped to 16 characters here; only a client-side printer would clip them.
"""

from __future__ import annotations

from datetime import datetime

from simcore.labels import format_map
from simcore.printers.common import (
    Printer,
    age_column,
    column,
    list_with_more,
    meta,
    name_column,
    spec,
    status,
)
from simcore.printers.duration import age

_SERVICE_INFO = "More info: https://kubernetes.io/docs/concepts/services-networking/service/"

_SERVICE_COLUMNS = (
    name_column(),
    column("Type", 'type determines how the Service is exposed. Defaults to ClusterIP. Valid '
                   'options are ExternalName, ClusterIP, NodePort, and LoadBalancer. '
                   '"ClusterIP" allocates a cluster-internal IP address for load-balancing to '
                   'endpoints. Endpoints are determined by the selector or if that is not '
                   'specified, by manual construction of an Endpoints object or EndpointSlice '
                   'objects. If clusterIP is "None", no virtual IP is allocated and the '
                   'endpoints are published as a set of endpoints rather than a virtual IP. '
                   '"NodePort" builds on ClusterIP and allocates a port on every node which '
                   'routes to the same endpoints as the clusterIP. "LoadBalancer" builds on '
                   'NodePort and creates an external load-balancer (if supported in the '
                   'current cloud) which routes to the same endpoints as the clusterIP. '
                   '"ExternalName" aliases this service to the specified externalName. '
                   'Several other fields do not apply to ExternalName services. More info: '
                   'https://kubernetes.io/docs/concepts/services-networking/service/'
                   '#publishing-services-service-types'),
    column("Cluster-IP", 'clusterIP is the IP address of the service and is usually assigned '
                         'randomly. If an address is specified manually, is in-range (as per '
                         'system configuration), and is not in use, it will be allocated to '
                         'the service; otherwise creation of the service will fail. This field '
                         'may not be changed through updates unless the type field is also '
                         'being changed to ExternalName (which requires this field to be '
                         'blank) or the type field is being changed from ExternalName (in '
                         'which case this field may optionally be specified, as describe '
                         'above).  Valid values are "None", empty string (""), or a valid IP '
                         'address. Setting this to "None" makes a "headless service" (no '
                         'virtual IP), which is useful when direct endpoint connections are '
                         'preferred and proxying is not required.  Only applies to types '
                         'ClusterIP, NodePort, and LoadBalancer. If this field is specified '
                         'when creating a Service of type ExternalName, creation will fail. '
                         'This field will be wiped when updating a Service to type '
                         'ExternalName. More info: https://kubernetes.io/docs/concepts/'
                         'services-networking/service/#virtual-ips-and-service-proxies'),
    column("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster "
                          "will also accept traffic for this service.  These IPs are not "
                          "managed by Kubernetes.  The user is responsible for ensuring that "
                          "traffic arrives at a node with this IP.  A common example is "
                          "external load-balancers that are not part of the Kubernetes "
                          "system."),
    column("Port(s)", "The list of ports that are exposed by this service. More info: "
                      "https://kubernetes.io/docs/concepts/services-networking/service/"
                      "#virtual-ips-and-service-proxies"),
    age_column(),
    column("Selector", "Route service traffic to pods with label keys and values matching this "
                       "selector. If empty or not present, the service is assumed to have an "
                       "external process managing its endpoints, which Kubernetes will not "
                       "modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. "
                       "Ignored if type is ExternalName. " + _SERVICE_INFO, priority=1),
)


def load_balancer_addresses(lb_status: dict | None) -> str:
    """(ingress)LoadBalancerStatusStringer, wide: IPs (else hostnames), sorted, deduplicated."""
    found = set()
    for ingress in (lb_status or {}).get("ingress") or []:
        if ingress.get("ip"):
            found.add(ingress["ip"])
        elif ingress.get("hostname"):
            found.add(ingress["hostname"])
    return ",".join(sorted(found))


def service_external_ip(svc: dict) -> str:
    """getServiceExternalIP: what the EXTERNAL-IP cell shows for each Service type."""
    svc_spec = spec(svc)
    svc_type = svc_spec.get("type", "ClusterIP")
    external_ips = svc_spec.get("externalIPs") or []
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if svc_type == "LoadBalancer":
        lb_ips = load_balancer_addresses(status(svc).get("loadBalancer"))
        if external_ips:
            return ",".join((lb_ips.split(",") if lb_ips else []) + external_ips)
        return lb_ips or "<pending>"
    if svc_type == "ExternalName":
        return str(svc_spec.get("externalName", ""))
    return "<unknown>"


def service_ports(svc: dict) -> str:
    """makePortString: `80/TCP`, or `80:30123/TCP` once a nodePort is set; comma-joined."""
    pieces = []
    for port in spec(svc).get("ports") or []:
        protocol = port.get("protocol", "TCP")
        node_port = port.get("nodePort") or 0
        if node_port > 0:
            pieces.append(f"{port.get('port', 0)}:{node_port}/{protocol}")
        else:
            pieces.append(f"{port.get('port', 0)}/{protocol}")
    return ",".join(pieces) or "<none>"


def service_cells(svc: dict, now: datetime) -> list:
    svc_spec = spec(svc)
    cluster_ips = svc_spec.get("clusterIPs") or []
    # clusterIP is authoritative over clusterIPs, as in the v1 -> internal conversion.
    cluster_ip = svc_spec.get("clusterIP") or (cluster_ips[0] if cluster_ips else "")
    return [meta(svc).get("name", ""), svc_spec.get("type", "ClusterIP"),
            cluster_ip or "<none>", service_external_ip(svc), service_ports(svc),
            age(meta(svc).get("creationTimestamp"), now), format_map(svc_spec.get("selector"))]


# --- Endpoints, EndpointSlice ---------------------------------------------------------------

_ENDPOINTS_COLUMNS = (
    name_column(),
    column("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are "
                        "placed into subsets according to the IPs they share. A single address "
                        "with multiple ports, some of which are ready and some of which are "
                        "not (because they come from different containers) will result in the "
                        "address being displayed in different subsets for the different ports. "
                        "No address will appear in both Addresses and NotReadyAddresses in the "
                        "same subset. Sets of addresses and ports that comprise a service."),
    age_column(),
)


def _host_port(ip: str, port: int) -> str:
    """net.JoinHostPort: IPv6 addresses go in brackets."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoints(endpoints: dict) -> str:
    """formatEndpoints: ready `ip:port` pairs over all subsets, three shown, then `+ N more...`."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    entries: list[str] = []
    for subset in subsets:
        ips = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:  # a headless Service may publish addresses without ports
            entries += ips
        for port in ports:
            entries += [_host_port(ip, port.get("port", 0)) for ip in ips]
    text = ",".join(entries[:3])
    return f"{text} + {len(entries) - 3} more..." if len(entries) > 3 else text


def endpoints_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), format_endpoints(obj),
            age(meta(obj).get("creationTimestamp"), now)]


_ENDPOINT_SLICE_COLUMNS = (
    name_column(),
    column("AddressType", "addressType specifies the type of address carried by this "
                          "EndpointSlice. All addresses in this slice must be the same type. "
                          "This field is immutable after creation. The following address types "
                          "are currently supported: * IPv4: Represents an IPv4 Address. * "
                          "IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully "
                          "Qualified Domain Name."),
    column("Ports", "ports specifies the list of network ports exposed by each endpoint in this "
                    "slice. Each port must have a unique name. When ports is empty, it "
                    "indicates that there are no defined ports. When a port is defined with a "
                    'nil port value, it indicates "all ports". Each slice may include a maximum '
                    "of 100 ports."),
    column("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may "
                        "include a maximum of 1000 endpoints."),
    age_column(),
)


def endpoint_slice_ports(slice_: dict) -> str:
    """formatDiscoveryPorts: port numbers, else names, else `*` for "all ports"."""
    shown = []
    for port in slice_.get("ports") or []:
        if port.get("port") is not None:
            shown.append(str(port["port"]))
        elif port.get("name") is not None:
            shown.append(port["name"])
        else:
            shown.append("*")
    return list_with_more(shown, len(shown))


def endpoint_slice_endpoints(slice_: dict) -> str:
    """formatDiscoveryEndpoints: every address of every endpoint, ready or not."""
    addresses = [a for e in slice_.get("endpoints") or [] for a in e.get("addresses") or []]
    return list_with_more(addresses, len(addresses))


def endpoint_slice_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), obj.get("addressType", ""), endpoint_slice_ports(obj),
            endpoint_slice_endpoints(obj), age(meta(obj).get("creationTimestamp"), now)]


# --- Ingress, IngressClass ------------------------------------------------------------------

_INGRESS_COLUMNS = (
    name_column(),
    column("Class", "The name of the IngressClass resource that should be used for additional "
                    "configuration"),
    column("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "Ports of TLS configurations that open"),
    age_column(),
)


def ingress_hosts(ingress: dict) -> str:
    """formatHosts: up to three rule hosts, `*` when none; the overflow counts rules."""
    rules = spec(ingress).get("rules") or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        more = more or len(hosts) == 3
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    return f"{','.join(hosts)} + {len(rules) - 3} more..." if more else ",".join(hosts)


def ingress_cells(obj: dict, now: datetime) -> list:
    ing_spec = spec(obj)
    class_name = ing_spec.get("ingressClassName")
    return [meta(obj).get("name", ""), class_name if class_name is not None else "<none>",
            ingress_hosts(obj), load_balancer_addresses(status(obj).get("loadBalancer")),
            "80, 443" if ing_spec.get("tls") else "80",
            age(meta(obj).get("creationTimestamp"), now)]


_INGRESS_CLASS_COLUMNS = (
    name_column(),
    column("Controller", "Controller that is responsible for handling this class"),
    column("Parameters", "A reference to a resource with additional parameters"),
    age_column(),
)


def ingress_class_cells(obj: dict, now: datetime) -> list:
    params = spec(obj).get("parameters")
    shown = "<none>"
    if params is not None:
        kind = params.get("kind", "")
        if params.get("apiGroup") is not None:
            kind = f"{kind}.{params['apiGroup']}"
        shown = f"{kind}/{params.get('name', '')}"
    return [meta(obj).get("name", ""), spec(obj).get("controller", ""), shown,
            age(meta(obj).get("creationTimestamp"), now)]


PRINTERS = {
    "Service": Printer(_SERVICE_COLUMNS, service_cells),
    "Endpoints": Printer(_ENDPOINTS_COLUMNS, endpoints_cells),
    "EndpointSlice": Printer(_ENDPOINT_SLICE_COLUMNS, endpoint_slice_cells),
    "Ingress": Printer(_INGRESS_COLUMNS, ingress_cells),
    "IngressClass": Printer(_INGRESS_CLASS_COLUMNS, ingress_class_cells),
}
