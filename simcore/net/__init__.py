"""The data plane: how a packet from a pod, a node or the outside reaches a server.

`fabric` is each source's view of the network (connect, DNS, HTTP) and walks a
connection through kube-proxy's rules (`kubeproxy`: ClusterIP, NodePort on every node,
LoadBalancer, session affinity), CoreDNS (`coredns`), the ingress controller (`ingress`,
`ingress_match`), the internet outside (`internet`) and the servers in pods
(`listeners`). Each step it takes is a typed trace step (simcore/trace.py).

Not here: the files that point a pod at CoreDNS. Every /etc/resolv.conf (the pod's
search list and the node's own) is built and written in simcore/node/resolvconf.py.
"""
