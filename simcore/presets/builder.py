"""Building blocks for presets: namespaces, nodes, system Services and add-ons.

Each block creates objects through the API server as the real installer's
components would (kubeadm writes the control plane's static pods, the
apiserver makes `kubernetes`, kubeadm's addon phase makes CoreDNS and
kube-proxy), and lets the controllers do the rest. `at(t)` sets the clock
to `t` seconds from the cluster's start (negative: before it), so objects
carry the ages a long-lived cluster shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from simcore.apiserver import Request
from simcore.controllers.workloads import controller_ref
from simcore.node import records
from simcore.node.kubelet import Kubelet

if TYPE_CHECKING:  # a type only: the engine module needs no preset
    from simcore.engine import Engine

INTERNAL = Request(field_validation="Ignore", trusted=True)
SYSTEM_TOLERATIONS = [{"operator": "Exists"}]


class ClusterBuilder:
    def __init__(self, engine: Engine):
        self.api = engine.api
        self.engine = engine

    def at(self, seconds: float) -> None:
        if seconds >= self.engine.clock.elapsed:
            self.engine.advance(seconds - self.engine.clock.elapsed)
        else:
            self.engine.settle()
            self.engine.clock.elapsed = seconds

    def create(self, resource: str, obj: dict, namespace: str | None = None) -> dict:
        return self.api.create(resource, obj, namespace, INTERNAL)

    @contextmanager
    def own_rng(self, stream: str) -> Iterator[None]:
        """Draw the uids of what is made inside from a stream of its own, then give the
        cluster's rng back where it was: objects added to a preset later do not change
        the names every later object draws (the lecture's transcripts pin them)."""
        rng = self.engine.rng
        saved = rng.getstate()
        rng.seed(stream)
        try:
            yield
        finally:
            rng.setstate(saved)

    def deployment(self, name: str, namespace: str, labels: dict, selector: dict,
                   template: dict, replicas: int, strategy: dict, rs_hash: str) -> dict:
        """The Deployment that owns the ReplicaSet `<name>-<rs_hash>` an installer made;
        made in the same step, so the controller adopts that set (same template without
        the hash) instead of rolling a new one."""
        pod_labels = {k: v for k, v in template["metadata"]["labels"].items()
                      if k != "pod-template-hash"}
        with self.own_rng("deployment/" + name):
            return self.create("deployments.apps", {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": namespace, "labels": dict(labels),
                             "annotations": {"deployment.kubernetes.io/revision": "1"}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": dict(selector)},
                         "strategy": strategy, "template": {
                             **template, "metadata": {**template["metadata"],
                                                      "labels": pod_labels}}}}, namespace)

    def namespaces(self, *names: str) -> None:
        for name in names:
            self.create("namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": name}})

    def kubernetes_service(self, advertise: str, port: int = 6443) -> None:
        first_ip = self._indexed_ip(1)
        self.create("services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": first_ip, "ports": [
                {"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]}})
        self.create("endpoints", {
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": advertise}],
                         "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}]})

    def _indexed_ip(self, index: int) -> str:
        import ipaddress
        net = ipaddress.ip_network(self.engine.config.get("service_cidr", "10.96.0.0/12"))
        return str(net.network_address + index)

    def node(self, name: str, ip: str, cidr: str, control_plane: bool, info: dict,
             master_label: bool = False, capacity: dict | None = None) -> None:
        labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
                  "kubernetes.io/os": "linux"}
        taints = []
        if control_plane:
            labels["node-role.kubernetes.io/control-plane"] = ""
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
            if master_label:
                labels["node-role.kubernetes.io/master"] = ""
            taints.append({"key": "node-role.kubernetes.io/master" if master_label else
                           "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})
        spec: dict[str, Any] = {"podCIDR": cidr, "podCIDRs": [cidr]}
        if taints:
            spec["taints"] = taints
        self.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": name, "labels": labels, "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "/var/run/dockershim.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": spec})
        self.api.mutate("nodes", name, None, lambda n: n.__setitem__(
            "status", node_status(name, ip, info, capacity, self.engine.clock.timestamp())),
            subresource="status")
        self.create("leases", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                               "metadata": {"name": name, "namespace": "kube-node-lease"},
                               "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                                        "renewTime": self.engine.clock.timestamp(
                                        ).replace("Z", ".000000Z")}}, "kube-node-lease")

    def control_plane_pods(self, node: str, ip: str, version: str, etcd: str) -> None:
        static = (("etcd", f"k8s.gcr.io/etcd:{etcd}", "etcd"),
                  ("kube-apiserver", f"k8s.gcr.io/kube-apiserver:{version}", "kube-apiserver"),
                  ("kube-controller-manager", f"k8s.gcr.io/kube-controller-manager:{version}",
                   "kube-controller-manager"),
                  ("kube-scheduler", f"k8s.gcr.io/kube-scheduler:{version}", "kube-scheduler"))
        node_obj = self.api.get_ref("nodes", node)
        for component, image, command in static:
            self.create("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {
                "name": f"{component}-{node}", "namespace": "kube-system",
                "labels": {"component": component, "tier": "control-plane"},
                "annotations": {"kubernetes.io/config.source": "file",
                                "kubernetes.io/config.mirror": "static"},
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node,
                                     "uid": node_obj["metadata"]["uid"], "controller": True}]},
                "spec": {"nodeName": node, "hostNetwork": True,
                         "priorityClassName": "system-node-critical",
                         "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
                         "containers": [{"name": component, "image": image,
                                         "command": [command]}]}}, "kube-system")

    def coredns(self, pod_names: tuple[str, ...], rs_hash: str, node: str) -> None:
        labels = {"k8s-app": "kube-dns"}
        template: dict[str, Any] = {"metadata": {"labels": {**labels, "pod-template-hash": rs_hash}}, "spec": {
            "priorityClassName": "system-cluster-critical", "dnsPolicy": "Default",
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                            {"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"},
                            {"key": "node-role.kubernetes.io/control-plane",
                             "effect": "NoSchedule"}],
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "containers": [{"name": "coredns", "image": "k8s.gcr.io/coredns:1.7.0",
                            "args": ["-conf", "/etc/coredns/Corefile"],
                            "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                      {"name": "dns-tcp", "containerPort": 53,
                                       "protocol": "TCP"},
                                      {"name": "metrics", "containerPort": 9153,
                                       "protocol": "TCP"}]}]}}
        deploy = self.deployment(
            "coredns", "kube-system", labels, labels, template, len(pod_names),
            {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
            rs_hash)
        rs = self.create("replicasets.apps", {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"coredns-{rs_hash}", "namespace": "kube-system",
                         "labels": {**labels, "pod-template-hash": rs_hash},
                         "annotations": _rs_annotations(len(pod_names)),
                         "ownerReferences": [controller_ref(deploy)]},
            "spec": {"replicas": len(pod_names), "selector": {"matchLabels": {
                **labels, "pod-template-hash": rs_hash}}, "template": template}}, "kube-system")
        for name in pod_names:
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
                "name": name, "namespace": "kube-system",
                "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [controller_ref(rs)]}, "spec": dict(template["spec"],
                                                                        nodeName=node)}
            self.create("pods", pod, "kube-system")
        self.create("services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kube-dns", "namespace": "kube-system",
                         "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service":
                                    "true", "kubernetes.io/name": "KubeDNS"},
                         "annotations": {"prometheus.io/port": "9153",
                                         "prometheus.io/scrape": "true"}},
            "spec": {"clusterIP": self.engine.config.get("cluster_dns", self._indexed_ip(10)),
                     "selector": labels, "ports": [
                         {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                         {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                         {"name": "metrics", "port": 9153, "protocol": "TCP",
                          "targetPort": 9153}]}}, "kube-system")

    def daemonset(self, name: str, image: str, app: str | None) -> dict:
        """A system DaemonSet (flannel, kube-proxy); its pods come from `daemonset_pod`."""
        labels = {"app": app} if app else {"k8s-app": name}
        template: dict[str, Any] = {"metadata": {"labels": dict(labels)}, "spec": {
            "hostNetwork": True, "priorityClassName": "system-node-critical",
            "tolerations": list(SYSTEM_TOLERATIONS),
            "containers": [{"name": name.replace("-ds", ""), "image": image}]}}
        return self.create("daemonsets.apps", {
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "kube-system", "labels": dict(labels)},
            "spec": {"selector": {"matchLabels": labels}, "template": template}}, "kube-system")

    def daemonset_pod(self, ds: dict, node: str, pod_name: str) -> None:
        """The DaemonSet's pod on `node`, with the name it had in the lecture; made in the same
        step as the DaemonSet or the node, so the controller adopts it instead of making one."""
        template = ds["spec"]["template"]
        self.create("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": pod_name, "namespace": "kube-system",
            "labels": dict(template["metadata"]["labels"]),
            "ownerReferences": [controller_ref(ds)]},
            "spec": dict(template["spec"], nodeName=node)}, "kube-system")

    def restarts(self, counts: dict[str, int], namespace: str, last_at: float) -> None:
        """Give long-lived pods the restart history a real cluster accumulates over reboots:
        `counts` restarts, the last one `last_at` seconds before the start."""
        kubelet = self.engine.controller("kubelet", Kubelet)
        self.engine.settle()
        for pod_name, count in counts.items():
            pod = self.api.get_ref("pods", pod_name, namespace)
            for state in records.container_records(self.engine.runtime, pod).values():
                state["restart_count"] = count
                state["last_terminated"] = {"exitCode": 255, "reason": "Unknown",
                                            "started": state.get("started_at", -last_at),
                                            "at": -last_at}
                state["started_at"] = -last_at  # running again since that reboot
            kubelet.poke(namespace, pod_name)
        self.engine.settle()

    def ingress_nginx(self, node_port_http: int | None = None) -> None:
        self.namespaces("ingress-nginx")
        labels = {"app.kubernetes.io/component": "controller",
                  "app.kubernetes.io/instance": "ingress-nginx",
                  "app.kubernetes.io/name": "ingress-nginx"}
        self.create("ingressclasses.networking.k8s.io", {
            "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "labels": dict(labels), "annotations": {
                "ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx"}})
        rs_hash = "5c8d66c76d"
        template = {
                "metadata": {"labels": {**labels, "pod-template-hash": rs_hash}},
                "spec": {"containers": [{
                    "name": "controller",
                    "image": "registry.k8s.io/ingress-nginx/controller:v1.9.4",
                    # the bare-metal deploy.yaml's flags: no --publish-service, so Ingresses
                    # show the IP of the node running the controller
                    "args": ["/nginx-ingress-controller",
                             "--election-id=ingress-nginx-leader",
                             "--controller-class=k8s.io/ingress-nginx",
                             "--ingress-class=nginx"],
                    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"},
                              {"name": "https", "containerPort": 443, "protocol": "TCP"}]}]}}
        deploy = self.deployment(
            "ingress-nginx-controller", "ingress-nginx", labels, labels, template, 1,
            {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
            rs_hash)
        self.create("replicasets.apps", {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"ingress-nginx-controller-{rs_hash}",
                         "namespace": "ingress-nginx",
                         "labels": {**labels, "pod-template-hash": rs_hash},
                         "annotations": _rs_annotations(1),
                         "ownerReferences": [controller_ref(deploy)]},
            "spec": {"replicas": 1, "selector": {"matchLabels": {
                **labels, "pod-template-hash": rs_hash}}, "template": template}},
            "ingress-nginx")
        ports = [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http",
                  "appProtocol": "http"},
                 {"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https",
                  "appProtocol": "https"}]
        if node_port_http:
            ports[0]["nodePort"] = node_port_http
        self.create("services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx",
                         "labels": dict(labels)},
            "spec": {"type": "NodePort", "selector": labels, "ports": ports}}, "ingress-nginx")


def _rs_annotations(replicas: int) -> dict:
    """What the deployment controller writes on the sets it owns (maxSurge 25% rounds up)."""
    surge = -(-replicas // 4)
    return {"deployment.kubernetes.io/desired-replicas": str(replicas),
            "deployment.kubernetes.io/max-replicas": str(replicas + surge),
            "deployment.kubernetes.io/revision": "1"}


def node_status(name: str, ip: str, info: dict, capacity: dict | None, now: str) -> dict:
    capacity = capacity or {"cpu": "4", "ephemeral-storage": "102685624Ki",
                            "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                            "memory": "8152720Ki", "pods": "110"}
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory",
         "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status. AppArmor enabled"),
    ]
    return {
        "capacity": dict(capacity), "allocatable": dict(capacity),
        "conditions": [{"type": t, "status": s, "lastHeartbeatTime": now,
                        "lastTransitionTime": now, "reason": r, "message": m}
                       for t, s, r, m in conditions],
        "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname",
                                                               "address": name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": _hex(name, 32), "systemUUID": _hex("uuid" + name, 32),
                     "bootID": _hex("boot" + name, 32), **info},
    }


def _hex(seed: str, length: int) -> str:
    import hashlib
    return hashlib.sha256(seed.encode()).hexdigest()[:length]
