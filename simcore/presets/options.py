"""Options a cluster can be created with, on top of its preset, checked before use.

A preset is a fixed cluster; a few of its settings are the classroom's to choose
when the cluster is made (the command line's `ensure_cluster --lb-pool`, the
cluster-creation form). Each option is parsed here from what a person types
and refused with a plain message when malformed, so a bad value never reaches
the engine (where it would fail at the first LoadBalancer Service instead).

- `lb_pool`: the MetalLB-like address pool that gives LoadBalancer Services
  their EXTERNAL-IP: ranges `a.b.c.d-a.b.c.e`, CIDRs or single addresses,
  separated by commas or spaces. Empty: no pool (EXTERNAL-IP stays <pending>).
"""

from __future__ import annotations

import ipaddress
import re

PRESET_OPTIONS = ("lb_pool",)
MAX_POOL_ADDRESSES = 65536  # a /16: more than a classroom hands out, small enough to walk


def parse_lb_pool(text: str | list[str] | None) -> list[str]:
    """The pool entries of `text`, each checked; ValueError says which one is wrong."""
    if isinstance(text, list):
        text = ",".join(text)
    entries = [e for e in re.split(r"[,\s]+", text or "") if e]
    total = 0
    for entry in entries:
        total += _size(entry)
    if total > MAX_POOL_ADDRESSES:
        raise ValueError(f"the address pool has {total} addresses; at most "
                         f"{MAX_POOL_ADDRESSES} are allowed")
    return entries


def _size(entry: str) -> int:
    try:
        if "/" in entry:
            return ipaddress.IPv4Network(entry, strict=False).num_addresses
        if "-" in entry:
            first, last = (ipaddress.IPv4Address(p) for p in entry.split("-", 1))
            if last < first:
                raise ValueError
            return int(last) - int(first) + 1
        ipaddress.IPv4Address(entry)
        return 1
    except ValueError:
        raise ValueError(f"invalid address pool entry {entry!r}: use a.b.c.d-a.b.c.e, "
                         "a.b.c.d/nn or a.b.c.d") from None


def clean(options: dict | None) -> dict:
    """The preset options of `options`, parsed; unknown names are refused."""
    out: dict = {}
    for key, value in (options or {}).items():
        if key not in PRESET_OPTIONS:
            raise ValueError(f"unknown preset option {key!r}: choose from "
                             f"{', '.join(PRESET_OPTIONS)}")
        out[key] = parse_lb_pool(value)
    return out


def of_config(config: dict) -> dict:
    """The preset options a cluster was made with, read back from its config (reset)."""
    return {key: config[key] for key in PRESET_OPTIONS if config.get(key)}
