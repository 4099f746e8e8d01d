"""The network as the tools inside a container see it.

curl, wget, nslookup and dig never look at Services, iptables or CoreDNS
themselves: they ask a `Network` four questions, the ones a process can ask a
kernel and a stub resolver. `query` sends one DNS question to one nameserver
and returns what came back (or that nothing came back); `resolve` is the
libc-side walk over the search list (see `simcore.exec.resolver.search`, which
an implementation normally delegates to); `connect` opens a TCP connection
and says how it ended (accepted, refused, dropped, unreachable); `http` sends
one request over an open connection.

Everything crossing this line is a frozen dataclass of plain values, so a
fake network in a test and the real simulated data plane are interchangeable
and every outcome can be serialised into the request trace (with slots: a
curl makes several, and slotted ones are quicker to build). Each result
carries `elapsed` (virtual seconds the call took) and `trace` (steps the
network took, each a dict with at least `step` and a one-sentence `detail`);
the tools append their own steps named `dns-query`, `dns-answer`, `connect`,
`response`, `reject` and `timeout`.

Trade-off: IPv4 only and one DNS question per call (an `A` query stands for
the A+AAAA pair glibc sends in parallel), because the lecture's clusters are
single-stack and the extra AAAA round trip changes no output the class sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from simcore.trace import TraceStep, step  # noqa: F401  (step: re-exported for the producers)

# The rcodes an `Answer` may carry. TIMEOUT is not a DNS rcode: it means the
# nameserver sent nothing back for this question. UNREACHABLE means the
# kernel reported ECONNREFUSED for the nameserver's port (ICMP unreachable).
RCODES = ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "TIMEOUT", "UNREACHABLE")

# How a `Resolution` failed. NODATA is NOERROR with no record of the type.
FAILURES = ("NXDOMAIN", "NODATA", "SERVFAIL", "REFUSED", "TIMEOUT", "UNREACHABLE")


@dataclass(frozen=True, slots=True)
class Answer:
    """One DNS exchange: the question, the rcode, and the records that came back."""

    name: str
    qtype: str = "A"
    rcode: str = "NOERROR"
    addresses: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()  # the CNAME chain, first hop first, no trailing dots
    records: tuple[str, ...] = ()  # rdata of other types as text: PTR/SRV targets, TXT
    ttl: int = 30
    authoritative: bool = True
    server: str = ""
    elapsed: float = 0.0  # seconds until the reply; ignored for TIMEOUT (the resolver's clock rules)
    trace: tuple[TraceStep, ...] = ()

    @property
    def nodata(self) -> bool:
        return self.rcode == "NOERROR" and not self.addresses and not self.records

    @property
    def answered(self) -> bool:
        return self.rcode == "NOERROR" and bool(self.addresses or self.records)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a name lookup through the search list produced."""

    query: str  # the name as the user typed it
    qtype: str = "A"
    name: str = ""  # the candidate that answered, without trailing dot
    addresses: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    failure: str = ""  # one of FAILURES, "" on success
    server: str = ""
    elapsed: float = 0.0
    tried: tuple[str, ...] = ()  # every candidate asked, in order
    source: str = "dns"  # "dns" or "hosts" (/etc/hosts) or "literal"
    trace: tuple[TraceStep, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failure and bool(self.addresses or self.records)


@dataclass(frozen=True, slots=True)
class Connection:
    """An accepted TCP connection; `backend` is whatever the network wants to remember."""

    dst_ip: str
    dst_port: int
    src_ip: str = ""
    src_port: int = 0
    elapsed: float = 0.0
    backend: str = ""  # e.g. "10.244.1.88:8080" after DNAT, for the trace
    trace: tuple[TraceStep, ...] = ()


# ConnectFailure kinds: "refused" (RST or ICMP port unreachable, immediate),
# "timeout" (SYNs dropped; `elapsed` is how long the caller waited, which is
# the timeout it passed, or the kernel's own give-up time when that is
# shorter), "unreachable" (ICMP host unreachable / no route).
CONNECT_FAILURES = ("refused", "timeout", "unreachable")

# Linux gives up on an unanswered SYN after tcp_syn_retries=6: 1+2+4+8+16+32+64 s.
KERNEL_SYN_TIMEOUT = 127.0


@dataclass(frozen=True, slots=True)
class ConnectFailure:
    kind: str
    dst_ip: str
    dst_port: int
    elapsed: float = 0.0
    trace: tuple[TraceStep, ...] = ()


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    target: str  # origin-form: path plus query, e.g. "/" or "/a?b=c"
    host: str  # the authority as sent in Host (may carry ":port")
    headers: tuple[tuple[str, str], ...] = ()  # in send order, Host included
    body: str = ""
    version: str = "1.1"
    scheme: str = "http"
    insecure: bool = False  # curl -k: do not verify the server certificate


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    version: str = "1.1"
    elapsed: float = 0.0
    trace: tuple[TraceStep, ...] = ()

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


# HttpFailure kinds: "empty" (connection closed before any byte: curl 52),
# "reset" (RST while waiting: curl 56), "timeout" (no reply within the
# caller's budget, or never), "tls" (handshake failed; `message` holds the
# library's words).
HTTP_FAILURES = ("empty", "reset", "timeout", "tls")


@dataclass(frozen=True, slots=True)
class HttpFailure:
    kind: str
    elapsed: float = 0.0
    message: str = ""
    trace: tuple[TraceStep, ...] = field(default=())


class Network(Protocol):
    """What a process inside one container can ask of the simulated network.

    An implementation is bound to one container (its IP, its resolv.conf,
    its node), so none of the methods names the caller.
    """

    def query(self, name: str, qtype: str = "A", server: str | None = None) -> Answer:
        """Send one DNS question (absolute name, no trailing dot) to `server`
        (default: the first nameserver of the container's resolv.conf)."""
        ...

    def resolve(self, name: str, qtype: str = "A") -> Resolution:
        """Look a name up as the container's libc would, search list included
        (DNS only: /etc/hosts and IP literals are the caller's business)."""
        ...

    def connect(
        self, dst_ip: str, dst_port: int, timeout_s: float | None
    ) -> Connection | ConnectFailure:
        """Open a TCP connection. `timeout_s` None means the kernel's own limit."""
        ...

    def http(
        self, conn: Connection, request: HttpRequest, timeout_s: float | None
    ) -> HttpResponse | HttpFailure:
        """Send one request on `conn` and wait at most `timeout_s` (None: forever)."""
        ...
