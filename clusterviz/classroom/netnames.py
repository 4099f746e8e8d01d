"""The names and addresses this machine answers to: for the certificate and ALLOWED_HOSTS.

Bound to loopback (the default), the server is reachable only as
localhost/127.0.0.1/::1. Bound to all addresses (`make run HOST=0.0.0.0`),
it is also reachable by the machine's host name and each of its
addresses, so those go into the TLS certificate and Django's allowed hosts
without anyone typing them; names a router or DNS adds (`class.local`)
come in through `CLUSTERVIZ_TLS_NAMES`. No Django import: settings.py
uses this before Django is set up.

Addresses are found without sending anything: the host name's own
addresses, and the source address the kernel would pick for a route out
(a UDP `connect` only consults the routing table).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterable

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")


def host_addresses() -> list[str]:
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(info[4][0]))
    for family, probe in ((socket.AF_INET, "10.255.255.255"), (socket.AF_INET6, "fd00::1")):
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            found.append(sock.getsockname()[0])
    return _unique(a.split("%")[0] for a in found)


def served_names(bind: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Every name and address a client may use to reach a server bound to `bind`."""
    names = list(LOOPBACK)
    if bind in WILDCARDS:
        names += [socket.gethostname(), *host_addresses()]
    elif bind not in LOOPBACK:
        names.append(bind)
    return _unique([*names, *extra])


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_host(name: str) -> str:
    """The ALLOWED_HOSTS spelling: IPv6 addresses in brackets, as in a Host header."""
    return f"[{name}]" if is_ip(name) and ":" in name else name


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out
