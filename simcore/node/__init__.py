"""The node: what runs on every node, the kubelet and a pod's life there.

`kubelet` makes the decisions (sandbox and pod IP, pulls, starts, probes, restart
back-off, termination) and holds the prober; `containers` holds each container's life as
the kubelet tracks it (stages, env, files, probes, logs), `system_images` the kube-system
images' profiles, `podstatus` the mapping from those records to `status` (what `kubectl
get pods` shows), `resolvconf` every /etc/resolv.conf (the pod's search list is built and
written there, and the node's own), `logs` which run of a container's log `kubectl logs`
reads, and `records` the one typed reader of the kubelet's saved state.

Not here: the node lifecycle controller (controllers/nodelifecycle.py). It watches nodes
from the control plane, as kube-controller-manager does, and reaches the kubelet only by
its loop's name.
"""
