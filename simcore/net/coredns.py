"""CoreDNS's kubernetes plugin: the answers behind `<svc>.<ns>.svc.cluster.local`.

Authoritative for the cluster domain (and reverse zones), by the Kubernetes
DNS specification: a Service's A record is its ClusterIP; a headless
Service answers with every ready endpoint (shuffled, as the `loadbalance`
plugin does), or NXDOMAIN with none; `<hostname>.<svc>.<ns>.svc` names one
endpoint; an ExternalName Service is a CNAME whose target CoreDNS resolves
upstream; `a-b-c-d.<ns>.pod` is answered for any address (`pods
insecure`). A name inside the zone that matches nothing is NXDOMAIN and is
never forwarded; anything outside goes to the nodes' upstream resolver.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from simcore.exec.netapi import Answer
from simcore.net import internet

if TYPE_CHECKING:  # the engine builds CoreDNS: no import at run time
    from simcore.apiserver import APIServer
    from simcore.engine import Engine


def _ready_endpoints(api: APIServer, namespace: str, service: str) -> list[dict]:
    names = api.store.names_with_label("endpointslices.discovery.k8s.io", namespace,
                                       "kubernetes.io/service-name", service)
    out = []
    for name in sorted(names):
        es = api.store.get("endpointslices.discovery.k8s.io", namespace, name)
        for ep in (es or {}).get("endpoints") or []:
            if (ep.get("conditions") or {}).get("ready", True):
                out.append(ep)
    return out


class CoreDNS:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.api = engine.api
        self.zone = engine.config.get("cluster_domain", "cluster.local")

    def answer(self, name: str, qtype: str, server: str) -> Answer:
        name = name.lower().rstrip(".")
        if name.endswith(".in-addr.arpa"):
            return self._reverse(name, qtype, server)
        if name == self.zone or name.endswith("." + self.zone):
            return self._cluster(name, qtype, server)
        rcode, addresses = internet.upstream_answer(name, self.engine.config)
        return Answer(name, qtype, rcode, addresses if qtype == "A" else (), ttl=30,
                      authoritative=False, server=server)

    def _cluster(self, name: str, qtype: str, server: str) -> Answer:
        labels = name[: -len(self.zone)].rstrip(".").split(".") if name != self.zone else []
        nx = Answer(name, qtype, "NXDOMAIN", server=server)
        nodata = Answer(name, qtype, "NOERROR", server=server)
        if len(labels) >= 2 and labels[-1] == "pod":
            return self._pod_record(name, qtype, labels, server)
        if not labels or labels[-1] != "svc":
            return nodata if not labels else nx
        rest = labels[:-1]
        if len(rest) == 0:
            return nodata
        if len(rest) == 1:
            return nodata if self.api.store.get("namespaces", "", rest[0]) else nx
        if len(rest) == 2:
            return self._service(name, qtype, rest[0], rest[1], server)
        if len(rest) == 3:
            return self._endpoint_name(name, qtype, rest[0], rest[1], rest[2], server)
        if len(rest) == 4 and rest[0].startswith("_") and rest[1].startswith("_"):
            return self._srv(name, qtype, rest[0][1:], rest[1][1:], rest[2], rest[3], server)
        return nx

    def _srv(self, name: str, qtype: str, port_name: str, proto: str, svc_name: str,
             namespace: str, server: str) -> Answer:
        """`_http._tcp.<svc>.<ns>.svc`: one SRV per named port (per ready endpoint if headless)."""
        svc = self.api.store.get("services", namespace, svc_name)
        port = next((p for p in ((svc or {}).get("spec") or {}).get("ports") or []
                     if p.get("name") == port_name and
                     p.get("protocol", "TCP").lower() == proto), None)
        if svc is None or port is None:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        if qtype != "SRV":
            return Answer(name, qtype, "NOERROR", server=server)
        base = f"{svc_name}.{namespace}.svc.{self.zone}."
        if (svc.get("spec") or {}).get("clusterIP") not in (None, "None"):
            return Answer(name, qtype, "NOERROR", records=(f"0 100 {port['port']} {base}",),
                          server=server)
        endpoints = _ready_endpoints(self.api, namespace, svc_name)
        if not endpoints:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        weight = 100 // len(endpoints)
        records = tuple(f"0 {weight} {port['port']} "
                        f"{ep.get('hostname') or ep['addresses'][0].replace('.', '-')}.{base}"
                        for ep in endpoints)
        return Answer(name, qtype, "NOERROR", records=records, server=server)

    def _service(self, name: str, qtype: str, svc_name: str, namespace: str,
                 server: str) -> Answer:
        svc = self.api.store.get("services", namespace, svc_name)
        if svc is None:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            target = spec.get("externalName", "").rstrip(".")
            rcode, addresses = internet.upstream_answer(target, self.engine.config)
            rcode = "NOERROR" if rcode != "TIMEOUT" else "SERVFAIL"
            return Answer(name, qtype, rcode, addresses if qtype == "A" else (), (target,),
                          server=server)
        if qtype != "A":
            return Answer(name, qtype, "NOERROR", server=server)
        if spec.get("clusterIP") and spec["clusterIP"] != "None":
            return Answer(name, qtype, "NOERROR", (spec["clusterIP"],), server=server)
        ips = [ip for ep in _ready_endpoints(self.api, namespace, svc_name)
               for ip in ep.get("addresses") or []]
        if not ips:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        self.engine.rng.shuffle(ips)
        return Answer(name, qtype, "NOERROR", tuple(ips), server=server)

    def _endpoint_name(self, name: str, qtype: str, host: str, svc_name: str, namespace: str,
                       server: str) -> Answer:
        for ep in _ready_endpoints(self.api, namespace, svc_name):
            for ip in ep.get("addresses") or []:
                if ep.get("hostname") == host or ip.replace(".", "-") == host:
                    if qtype != "A":
                        return Answer(name, qtype, "NOERROR", server=server)
                    return Answer(name, qtype, "NOERROR", (ip,), server=server)
        return Answer(name, qtype, "NXDOMAIN", server=server)

    def _pod_record(self, name: str, qtype: str, labels: list[str], server: str) -> Answer:
        if len(labels) != 3:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        try:
            ip = str(ipaddress.IPv4Address(labels[0].replace("-", ".")))
        except ValueError:
            return Answer(name, qtype, "NXDOMAIN", server=server)
        if qtype != "A":
            return Answer(name, qtype, "NOERROR", server=server)
        return Answer(name, qtype, "NOERROR", (ip,), server=server)

    def _reverse(self, name: str, qtype: str, server: str) -> Answer:
        parts = name[: -len(".in-addr.arpa")].split(".")
        ip = ".".join(reversed(parts))
        for svc in self.api.store.list("services"):
            if (svc.get("spec") or {}).get("clusterIP") == ip:
                meta = svc["metadata"]
                target = f"{meta['name']}.{meta['namespace']}.svc.{self.zone}"
                return Answer(name, "PTR", "NOERROR", records=(target,), server=server)
        return Answer(name, qtype, "NXDOMAIN", server=server)
