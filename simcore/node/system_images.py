"""The images a cluster runs for itself: control plane, DNS, CNI, kube-proxy, ingress-nginx.

The course's own images live in `simcore.exec.images`; these are the ones
kubeadm and the add-on manifests put into kube-system and ingress-nginx. All
are long-running servers without shells worth speaking of (distroless or
minimal), so `kubectl exec` into them finds almost nothing, as on a real
cluster.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from simcore.exec.imageref import ImageRefError, parse_image_ref
from simcore.exec.images import ImageProfile

_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# what each component listens on (hostNetwork ones on the node's address)
_PORTS = {
    "etcd": (2379, 2380, 2381), "kube-apiserver": (6443,),
    "kube-controller-manager": (10257,), "kube-scheduler": (10259,),
    "kube-proxy": (10249, 10256), "coredns": (53, 8080, 8181, 9153), "flannel": (),
    "ingress-nginx": (80, 443, 10254, 8443),
}


@dataclass(frozen=True, eq=False)
class SystemProfile(ImageProfile):
    """A cluster component: it starts, listens and runs until stopped."""

    def start(self, command: list[str] | None, args: list[str] | None,
              env: Mapping[str, str] | None = None, rng: random.Random | None = None,
              **_: object) -> dict:
        argv = list(command or self.entrypoint or ()) + list(args or self.cmd or ())
        listeners = [{"at": 0.5, "port": port, "protocol": "TCP", "address": "0.0.0.0",
                      "app": self.app, "config": {}} for port in _PORTS.get(self.app, ())]
        return {"argv": argv, "output": [], "files": [], "listeners": listeners, "exit": None,
                "repeat": None, "sigterm": {"action": "exit", "after": 0.0, "code": 0},
                "start_error": None, "notes": []}


# repository (without tag) -> (app, extra commands, confidence note)
_SYSTEM = {
    "registry.k8s.io/etcd": ("etcd", "etcd etcdctl sh", "etcd images are distroless-ish"),
    "registry.k8s.io/kube-apiserver": ("kube-apiserver", "kube-apiserver", "distroless"),
    "registry.k8s.io/kube-controller-manager": ("kube-controller-manager",
                                                "kube-controller-manager", "distroless"),
    "registry.k8s.io/kube-scheduler": ("kube-scheduler", "kube-scheduler", "distroless"),
    "registry.k8s.io/kube-proxy": ("kube-proxy", "kube-proxy iptables sh", "debian-base"),
    "registry.k8s.io/coredns": ("coredns", "coredns", "FROM scratch: only the binary"),
    "registry.k8s.io/coredns/coredns": ("coredns", "coredns", "FROM scratch: only the binary"),
    "quay.io/coreos/flannel": ("flannel", "flanneld sh iptables", "alpine based"),
    "registry.k8s.io/ingress-nginx/controller": (
        "ingress-nginx", "nginx sh cat ls env /nginx-ingress-controller curl",
        "alpine based; has curl"),
}


def system_profile(image: str) -> ImageProfile | None:
    try:
        ref = parse_image_ref(image)
    except ImageRefError:
        return None
    repo = ref.lookup_key.rsplit(":", 1)[0].replace("k8s.gcr.io/", "registry.k8s.io/")
    entry = _SYSTEM.get(repo)
    if entry is None:
        return None
    app, commands, note = entry
    return SystemProfile(name=ref.lookup_key, base="system", env=(_PATH,), entrypoint=None,
                         cmd=None, commands=frozenset(commands.split()),
                         tools=MappingProxyType({}), files=MappingProxyType({"/": None}),
                         app=app, confidence="medium", sources=note)
