"""The node: what the kubelet keeps for each pod and what runs inside it.

`containers` holds each container's life as the kubelet tracks it (stages, env, files,
probes, logs), `system_images` the kube-system images' profiles, `podstatus` the mapping
from those records to `status` (what `kubectl get pods` shows), `resolvconf` every
/etc/resolv.conf (the pod's search list is built and written there, and the node's own),
and `records` the one typed reader of the kubelet's saved state. The kubelet's decisions
still live in controllers/kubelet.py.
"""
