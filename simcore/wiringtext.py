"""The upload preview's sentences (`simcore.wiring`) as English templates, one per message id.

What: `TEMPLATES` for every `trace.WiringMessageId`, in the same form as the trace's
(`simcore.tracetext`, which merges this table into its own and renders both): `%(name)s`
placeholders, each template wrapped in `gettext_noop` so `makemessages` extracts it.

Why a table of its own: the wiring account is a different reader's text (the Upload tab,
before anything runs) written by a different module; keeping its sentences beside each
other shows a translator the whole account at once. The trade-off is the sentence grammar:
a line such as `port 80/TCP -> targetPort 8080 -> containerPort 8080 (container web) on
the 3 pods replicaset web will create` is a message whose `head` and `pods` arguments are
messages themselves, so a translation can reorder a line's parts but not the words inside
a part; a list of pod groups is a list argument, rendered joined by "; ".
"""

from __future__ import annotations

from simcore.trace import WiringMessageId


def gettext_noop(template: str) -> str:
    """Marks a template for extraction (xgettext knows this name); translates nothing."""
    return template


TEMPLATES: dict[WiringMessageId, str] = {
    # section titles and where an object stands
    "wiring.service-title": gettext_noop("service/%(name)s in %(namespace)s (%(type)s, %(where)s)"),
    "wiring.ingress-title": gettext_noop("ingress/%(name)s in %(namespace)s (%(where)s)"),
    "wiring.where-existing": gettext_noop("already in the cluster"),
    "wiring.where-new": gettext_noop("new"),
    "wiring.where-updated": gettext_noop("updated by this upload"),
    "wiring.where-unchanged": gettext_noop("unchanged by this upload"),
    # which pods a Service selects
    "wiring.external-name": gettext_noop(
        "DNS: %(fqdn)s is a CNAME for %(target)s; no pods, no ports: clients resolve the other "
        "name and connect there"),
    "wiring.selects-none": gettext_noop(
        "selector %(selector)s matches no pod in namespace %(namespace)s, and no workload of "
        "this upload makes one: the Service has no endpoints"),
    "wiring.selects": gettext_noop("selector %(selector)s selects %(count)s: %(pods)s"),
    "wiring.one-pod": gettext_noop("1 pod"),
    "wiring.n-pods": gettext_noop("%(count)s pods"),
    "wiring.template-pods": gettext_noop("the %(count)s pods %(owner)s will create"),
    "wiring.template-pod": gettext_noop("the pod %(owner)s will create"),
    "wiring.planned-pod": gettext_noop("pod %(names)s (%(owner)s will create it)"),
    "wiring.planned-pods": gettext_noop("pods %(names)s (%(owner)s will create them)"),
    "wiring.upload-pod": gettext_noop("pod %(names)s (this upload will create it)"),
    "wiring.upload-pods": gettext_noop("pods %(names)s (this upload will create them)"),
    "wiring.owned-pod": gettext_noop("pod %(names)s (%(owner)s)"),
    "wiring.owned-pods": gettext_noop("pods %(names)s (%(owner)s)"),
    "wiring.bare-pod": gettext_noop("pod %(names)s"),
    "wiring.bare-pods": gettext_noop("pods %(names)s"),
    # a Service port and where its targetPort leads
    "wiring.port": gettext_noop("port %(port)s/%(protocol)s -> targetPort %(target)s"),
    "wiring.port-node-port": gettext_noop(
        "port %(port)s/%(protocol)s (nodePort %(node_port)s on every node) -> targetPort "
        "%(target)s"),
    "wiring.port-node-port-later": gettext_noop(
        "port %(port)s/%(protocol)s (a nodePort picked when it is created, on every node) -> "
        "targetPort %(target)s"),
    "wiring.no-named-port": gettext_noop(
        "%(head)s: no selected pod defines a port named %(target)s (%(pods)s), so port "
        "%(port)s has no endpoints"),
    "wiring.container-port": gettext_noop(
        "%(head)s -> containerPort %(container_port)s (container %(container)s) on %(pods)s"),
    "wiring.left-out": gettext_noop(
        "%(head)s: %(pods)s define no port named %(target)s, so they are left out of the "
        "endpoints"),
    "wiring.undeclared": gettext_noop(
        "%(head)s on %(pods)s, which declare no containerPort: it connects only if the "
        "container listens on %(number)s"),
    "wiring.mismatch": gettext_noop(
        "%(head)s: no container of %(pods)s declares containerPort %(number)s (they declare "
        "%(numbers)s), so nothing may listen there"),
    # a Service without a selector
    "wiring.no-endpoints-object": gettext_noop(
        "no selector: its endpoints must come from an Endpoints object named %(name)s in "
        "%(namespace)s, and there is none, so nothing is behind it"),
    "wiring.endpoints-no-port": gettext_noop(
        "port %(port)s: Endpoints %(name)s has no port named %(port_name)s, so this port has "
        "no endpoints"),
    "wiring.unnamed": gettext_noop("(unnamed)"),
    "wiring.from-endpoints": gettext_noop(
        "no selector: port %(port)s/%(protocol)s -> %(ips)s port %(target)s (from Endpoints "
        "%(name)s)"),
    "wiring.no-address": gettext_noop("no address"),
    # DNS names
    "wiring.dns-cluster-ip": gettext_noop("DNS: %(fqdn)s -> ClusterIP %(ip)s"),
    "wiring.dns-cluster-ip-later": gettext_noop(
        "DNS: %(fqdn)s -> its ClusterIP, picked from the service range when it is created"),
    "wiring.dns-headless": gettext_noop(
        "DNS: %(fqdn)s -> the IP of every ready pod it selects (one A record each; NXDOMAIN "
        "while none is ready)"),
    "wiring.dns-endpoints": gettext_noop(
        "DNS: %(fqdn)s -> the addresses of Endpoints %(name)s (headless)"),
    "wiring.dns-srv": gettext_noop("DNS: %(srv)s SRV -> port %(port)s"),
    "wiring.dns-pod": gettext_noop("DNS: %(fqdn)s -> that pod's IP, while it is ready"),
    "wiring.dns-dashed": gettext_noop("DNS: %(fqdn)s for each of %(pods)s, while ready"),
    # Ingresses
    "wiring.other-class": gettext_noop(
        "ingress class %(class)s: this cluster's ingress-nginx serves class %(served)s only, "
        "so no controller routes these rules"),
    "wiring.no-class": gettext_noop("(none)"),
    "wiring.any-host": gettext_noop("any host, path %(path)s"),
    "wiring.default-backend": gettext_noop("anything no rule matches (defaultBackend)"),
    "wiring.no-routes": gettext_noop("no rules and no defaultBackend: it routes nothing"),
    "wiring.resource-backend": gettext_noop(
        "%(where)s -> a resource backend, which ingress-nginx does not serve"),
    "wiring.route-no-service": gettext_noop(
        "%(where)s -> service %(name)s:%(port)s, which does not exist in %(namespace)s: "
        "ingress-nginx answers 503"),
    "wiring.route-no-port": gettext_noop(
        "%(where)s -> service %(name)s:%(port)s, but %(name)s has no port %(port)s: "
        "ingress-nginx answers 503"),
    "wiring.route-external": gettext_noop(
        "%(where)s -> service %(name)s, an ExternalName (%(external)s)"),
    "wiring.route-endpoints": gettext_noop(
        "%(where)s -> service %(name)s:%(port)s -> targetPort %(target)s -> the addresses of "
        "Endpoints %(name)s"),
    "wiring.route-no-pod": gettext_noop(
        "%(where)s -> service %(name)s:%(port)s -> targetPort %(target)s -> no pod (%(name)s "
        "selects none): ingress-nginx answers 503"),
    "wiring.route-pods": gettext_noop(
        "%(where)s -> service %(name)s:%(port)s -> targetPort %(target)s -> %(pods)s"),
}
