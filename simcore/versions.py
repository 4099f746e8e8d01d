"""The Kubernetes version a simulated cluster reports, for behaviour that changed.

A few controller behaviours differ between releases (the Job controller's
back-off is the first). The version comes from the cluster config's
`kubernetes_version` when a preset sets it, otherwise from what the nodes
report (`status.nodeInfo.kubeletVersion`, as `kubectl get nodes` shows), so a
cluster saved before the config key existed still answers. Without either,
the newest behaviour applies. Only the minor version matters here.
"""

from __future__ import annotations

import re

from simcore.store import Store

NEWEST = (1, 99)
_VERSION = re.compile(r"v?(\d+)\.(\d+)")


def parse(text: str | None) -> tuple[int, int] | None:
    match = _VERSION.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def reported(config: dict, store: Store) -> tuple[int, int]:
    """(major, minor) of the cluster: config first, then the first node that says."""
    version = parse(config.get("kubernetes_version"))
    if version:
        return version
    for node in store.list("nodes"):
        version = parse(node.get("status", {}).get("nodeInfo", {}).get("kubeletVersion"))
        if version:
            return version
    return NEWEST
