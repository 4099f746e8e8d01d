"""A generated cluster of N worker nodes behind one control plane, for scale."""

from __future__ import annotations

from simcore.presets.builder import ClusterBuilder
from simcore.presets.lecture import CONFIG as LECTURE_CONFIG
from simcore.presets.lecture import NODE_INFO

CONFIG = {**LECTURE_CONFIG, "pod_startup_seconds": 2.0}


def build_large(builder: ClusterBuilder, nodes: int) -> None:
    builder.at(-30 * 86400)
    builder.namespaces("default", "kube-system", "kube-public", "kube-node-lease")
    builder.kubernetes_service(advertise="192.168.0.10")
    builder.node("control-plane", "192.168.0.10", "10.244.0.0/24", True,
                 dict(NODE_INFO, kubeletVersion="v1.37.1", kubeProxyVersion="v1.37.1"))
    for i in range(1, nodes + 1):
        ip = f"192.168.{i // 250 + 1}.{i % 250 + 10}"
        # a /24 per node, as the node IPAM hands them out in join order
        builder.node(f"node-{i:03d}", ip, f"10.{244 + i // 256}.{i % 256}.0/24", False,
                     dict(NODE_INFO, kubeletVersion="v1.37.1", kubeProxyVersion="v1.37.1"))
    builder.at(0)
