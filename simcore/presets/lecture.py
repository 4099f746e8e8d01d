"""The lecture's cluster, as `kubectl get nodes -o wide` and `get pods -n kube-system` show it.

kubeadm v1.20.1 on three Ubuntu 20.04 machines with Docker 20.10.1 and
flannel: `master-stg` (192.168.100.119, control plane, tainted), `worker1`
(.112) and `worker2` (.111, joined four days before the lecture). Pod CIDRs
10.244.N.0/24, services 10.96.0.0/12 with `kubernetes` at 10.96.0.1 and
`kube-dns` at 10.96.0.10, the host search domain `skbroadband` from the
home router, and ingress-nginx installed with its controller behind a
NodePort Service and IngressClass `nginx` marked default.

Everything is created through the API server. The clock is first set back
to the day the control plane was installed, so ages come out as in the
lecture (nodes 121d, worker2 4d1h) without writing timestamps by hand.
"""

from __future__ import annotations

from simcore.presets.builder import ClusterBuilder

DAY = 86400.0

NODES = (
    # name, ip, cidr index, control plane, age in seconds (as on the lecture's DNS slide)
    ("master-stg", "192.168.100.119", 0, True, 123 * DAY),
    ("worker1", "192.168.100.112", 1, False, 123 * DAY),
    ("worker2", "192.168.100.111", 2, False, 5 * DAY + 23 * 3600),
)

SYSTEM_DS = (("kube-flannel-ds", "quay.io/coreos/flannel:v0.13.1-rc1", "flannel"),
             ("kube-proxy", "k8s.gcr.io/kube-proxy:v1.20.1", None))
SYSTEM_DS_PODS = {
    "kube-flannel-ds": {"master-stg": "kube-flannel-ds-sdss8", "worker1": "kube-flannel-ds-99psb",
                        "worker2": "kube-flannel-ds-sdcpc"},
    "kube-proxy": {"master-stg": "kube-proxy-nkb8c", "worker1": "kube-proxy-xvlvs",
                   "worker2": "kube-proxy-5lvx5"},
}
RESTARTS = {
    "coredns-74ff55c5b-dz8kq": 10, "coredns-74ff55c5b-h66ct": 10, "etcd-master-stg": 29,
    "kube-apiserver-master-stg": 26, "kube-controller-manager-master-stg": 15,
    "kube-flannel-ds-99psb": 14, "kube-flannel-ds-sdcpc": 4, "kube-flannel-ds-sdss8": 13,
    "kube-proxy-5lvx5": 3, "kube-proxy-nkb8c": 10, "kube-proxy-xvlvs": 10,
    "kube-scheduler-master-stg": 15,
}

NODE_INFO = {"kernelVersion": "5.4.0-72-generic", "osImage": "Ubuntu 20.04.2 LTS",
             "containerRuntimeVersion": "docker://20.10.1", "kubeletVersion": "v1.20.1",
             "kubeProxyVersion": "v1.20.1", "operatingSystem": "linux",
             "architecture": "amd64"}

CONFIG = {
    "service_cidr": "10.96.0.0/12",
    "pod_cidr": "10.244.0.0/16",
    "node_port_range": (30000, 32767),
    "cluster_domain": "cluster.local",
    "cluster_dns": "10.96.0.10",
    "host_search": ["skbroadband"],
    "host_nameservers": ["192.168.100.1"],
    "upstream": "silent",  # the lecture's upstream never answered <name>.skbroadband
    "lb_pool": [],
    "pod_startup_seconds": 2.0,
}


def build_lecture(builder: ClusterBuilder) -> None:
    builder.at(-NODES[0][4])
    builder.namespaces("default", "kube-system", "kube-public", "kube-node-lease")
    builder.kubernetes_service(advertise="192.168.100.119")
    for name, ip, index, control_plane, _ in NODES[:2]:
        builder.node(name, ip, f"10.244.{index}.0/24", control_plane, NODE_INFO,
                     master_label=True)
    builder.control_plane_pods("master-stg", "192.168.100.119", version="v1.20.1",
                               etcd="3.4.13-0")
    builder.coredns(pod_names=("coredns-74ff55c5b-dz8kq", "coredns-74ff55c5b-h66ct"),
                    rs_hash="74ff55c5b", node="master-stg")
    daemonsets = {name: builder.daemonset(name, image, app) for name, image, app in SYSTEM_DS}
    for name, pods in SYSTEM_DS_PODS.items():
        for node in ("master-stg", "worker1"):
            builder.daemonset_pod(daemonsets[name], node, pods[node])
    builder.at(-120 * DAY)
    builder.ingress_nginx()
    # worker2 joined later; its DaemonSet pods arrive with it
    name, ip, index, control_plane, age = NODES[2]
    builder.at(-age)
    builder.node(name, ip, f"10.244.{index}.0/24", control_plane, NODE_INFO)
    for ds_name, pods in SYSTEM_DS_PODS.items():
        builder.daemonset_pod(daemonsets[ds_name], name, pods[name])
    builder.at(0)
    # the restarts `kubectl get pods -n kube-system` shows in the lecture, from reboots
    builder.restarts(RESTARTS, "kube-system", last_at=3 * DAY)
