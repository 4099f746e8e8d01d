"""Every /etc/resolv.conf in the cluster: a pod's for its dnsPolicy, and a node's own.

What: `pod_resolv_conf` builds a pod's nameservers, search list and options as the
kubelet does (ClusterFirst: `<ns>.svc.<domain> svc.<domain> <domain>` then the node's
search domains, ndots:5; Default: the node's; None: only dnsConfig; dnsConfig appended,
at most 3 nameservers and 32 search domains), `render` writes them in the runtime's order,
and `host_resolv_conf` is a node's own file (systemd-resolved's stub at 127.0.0.53).

Why one module: "where is the DNS search list?" had three answers (the container records,
the image catalogue's renderer, the node shell's setup). The resolver that reads these
files is exec/resolver.py; CoreDNS, which answers them, is net/coredns.py.
"""

from __future__ import annotations


def pod_resolv_conf(pod: dict, config: dict, runtime: str) -> str:
    """The pod's /etc/resolv.conf for its dnsPolicy, as the kubelet writes it."""
    spec = pod["spec"]
    policy = spec.get("dnsPolicy", "ClusterFirst")
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"
    host_ns = list(config.get("host_nameservers") or ["192.168.100.1"])
    host_search = list(config.get("host_search") or [])
    domain = config.get("cluster_domain", "cluster.local")
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        ns = pod["metadata"]["namespace"]
        servers = [config.get("cluster_dns", "10.96.0.10")]
        searches = [f"{ns}.svc.{domain}", f"svc.{domain}", domain] + host_search
        options = ["ndots:5"]
    elif policy == "Default":
        servers, searches, options = host_ns, host_search, []
    else:
        servers, searches, options = [], [], []
    dns_config = spec.get("dnsConfig") or {}
    servers = (servers + list(dns_config.get("nameservers") or []))[:3]
    for extra in dns_config.get("searches") or []:
        if extra not in searches:
            searches.append(extra)
    for opt in dns_config.get("options") or []:
        text = opt["name"] + (f":{opt['value']}" if opt.get("value") is not None else "")
        options = [o for o in options if o.split(":")[0] != opt["name"]] + [text]
    return render(servers, searches[:32], options, runtime)


def render(
    nameservers: list[str], searches: list[str], options: list[str], runtime: str = "docker"
) -> str:
    """The pod's resolv.conf: dockershim writes nameservers first (the lecture's
    `cat /etc/resolv.conf`), containerd writes the search line first."""
    lines = {
        "nameserver": [f"nameserver {ns}" for ns in nameservers],
        "search": [f"search {' '.join(searches)}"] if searches else [],
        "options": [f"options {' '.join(options)}"] if options else [],
    }
    order = ("nameserver", "search", "options") if runtime == "docker" else (
        "search", "nameserver", "options")
    return "".join(line + "\n" for key in order for line in lines[key])


def host_resolv_conf(config: dict) -> str:
    """A node's /etc/resolv.conf: systemd-resolved's stub, with the configured search."""
    search = " ".join(config.get("host_search") or [])
    return "nameserver 127.0.0.53\noptions edns0 trust-ad\n" + (
        f"search {search}\n" if search else "")
