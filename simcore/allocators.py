"""ClusterIP and NodePort allocation, as the apiserver does it at create time.

Both allocators are bitmaps scanned from a random offset, split into a small
static band at the bottom (kept for addresses and ports a user asks for) and
a dynamic band above it that automatic picks prefer (ServiceIPStaticSubrange,
GA 1.26; the NodePort equivalent, 1.29). That is why the lecture's automatic
ClusterIPs look random (10.104.191.116) while 10.96.0.1 and 10.96.0.10 sit
at the bottom, and why 30123 (asked for) and 32701 (picked) sit apart.

What is allocated is derived from the stored Services, so the allocators
hold no state that needs saving.
"""

from __future__ import annotations

import ipaddress
import random

from simcore import errors


class RangeFull(Exception):
    pass


def _band(size: int, lower: int, upper: int) -> int:
    return min(max(lower, size // 16), upper)


class _Bitmap:
    """Offsets 0..size-1, the first `static` of them kept for explicit requests."""

    def __init__(self, size: int, static: int):
        self.size = size
        self.static = static
        self.used: set[int] = set()

    def take_next(self, rng: random.Random) -> int:
        for low, high in ((self.static, self.size), (0, self.static)):
            count = high - low
            if count <= 0 or self._full(low, high):
                continue
            start = rng.randrange(count)
            for step in range(count):
                offset = low + (start + step) % count
                if offset not in self.used:
                    self.used.add(offset)
                    return offset
        raise RangeFull()

    def _full(self, low: int, high: int) -> bool:
        return sum(1 for o in self.used if low <= o < high) >= high - low


class ServiceIPAllocator:
    def __init__(self, cidr: str):
        self.network = ipaddress.ip_network(cidr)
        # the network and broadcast addresses are never handed out
        size = self.network.num_addresses - 2
        self._bits = _Bitmap(size, _band(size, 16, 256))

    def _offset(self, ip: str) -> int | None:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        offset = int(addr) - int(self.network.network_address) - 1
        return offset if 0 <= offset < self._bits.size else None

    def reserve(self, ip: str) -> None:
        offset = self._offset(ip)
        if offset is not None:
            self._bits.used.add(offset)

    def release(self, ip: str) -> None:
        offset = self._offset(ip)
        if offset is not None:
            self._bits.used.discard(offset)

    def allocate(self, ip: str | None, rng: random.Random) -> str:
        """The next free address, or `ip` if free; raises ValueError with the apiserver's text."""
        if not ip:
            try:
                offset = self._bits.take_next(rng)
            except RangeFull:
                raise ValueError("range is full") from None
            return str(self.network.network_address + 1 + offset)
        asked = self._offset(ip)
        if asked is None:
            raise ValueError("provided IP is not in the valid range. The range of valid IPs is "
                             f"{self.network}")
        if asked in self._bits.used:
            raise ValueError("provided IP is already allocated")
        self._bits.used.add(asked)
        return ip


class NodePortAllocator:
    def __init__(self, low: int = 30000, high: int = 32767):
        self.low, self.high = low, high
        size = high - low + 1
        self._bits = _Bitmap(size, _band(size, 16, 128))

    def reserve(self, port: int) -> None:
        if self.low <= port <= self.high:
            self._bits.used.add(port - self.low)

    def release(self, port: int) -> None:
        self._bits.used.discard(port - self.low)

    def allocate(self, port: int | None, rng: random.Random) -> int:
        if not port:
            try:
                return self.low + self._bits.take_next(rng)
            except RangeFull:
                raise ValueError("range is full") from None
        if not self.low <= port <= self.high:
            raise ValueError("provided port is not in the valid range. The range of valid ports "
                             f"is {self.low}-{self.high}")
        if port - self.low in self._bits.used:
            raise ValueError("provided port is already allocated")
        self._bits.used.add(port - self.low)
        return port


def cluster_ip_error(name: str, ips: list[str], ip: str, reason: str) -> errors.Invalid:
    from simcore.resources import by_kind
    return errors.invalid_object(by_kind("Service"), name, [errors.invalid(
        "spec.clusterIPs", ips, f"failed to allocate IP {ip}: {reason}")])
