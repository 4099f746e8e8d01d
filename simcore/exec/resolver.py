"""The stub resolver inside a container: which names get asked, in which order.

This is the half of DNS that lives in libc, not in CoreDNS. Given the name a
student typed (`svc-node.default.svc`), the container's /etc/resolv.conf and a
function that asks the nameserver one question, `search` reproduces the walk
glibc's `__res_context_search` makes (resolv/res_query.c), so the trace can
show every candidate and why the walk went on or stopped:

- a trailing dot makes the name absolute: asked once, as is;
- `dots >= ndots`: the name is asked as is first, the search list after;
- otherwise each search domain is appended in order; NXDOMAIN, NODATA and
  SERVFAIL move on to the next one, anything else (no reply at all, REFUSED)
  ends the search, which is then followed by the as-is try;
- a name not yet tried as is gets that try last;
- a question nobody answers costs `timeout` seconds per attempt (resolv.conf
  defaults 5 s x 2), the glibc formula `(retrans << ns_index) / nscount`.

musl (Alpine, BusyBox images) is kept apart because it differs where the
lecture hurts: it never searches when `dots >= ndots`, it stops the whole
lookup (no as-is try) on the first error, and one question costs `timeout`
seconds in total however many attempts it makes.

/etc/hosts is consulted before DNS by both libcs (nsswitch `hosts: files
dns`); `hosts_lookup` does that part. IP literals never reach a resolver.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from simcore.exec.netapi import Answer, Resolution
from simcore.trace import MessageArg, TraceStep
from simcore.tracetext import msg, step

Query = Callable[[str, str], Answer]

_GLIBC_LIMITS = {"ndots": 15, "timeout": 30, "attempts": 5}
_MUSL_LIMITS = {"ndots": 15, "timeout": 60, "attempts": 10}


@dataclass(frozen=True)
class ResolvConf:
    nameservers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    ndots: int = 1
    timeout: int = 5
    attempts: int = 2


def parse_resolv_conf(text: str, libc: str = "glibc") -> ResolvConf:
    """Read resolv.conf the way libc does: last `search`/`domain` wins, options capped."""
    limits = _MUSL_LIMITS if libc == "musl" else _GLIBC_LIMITS
    servers: list[str] = []
    search: tuple[str, ...] = ()
    opts = {"ndots": 1, "timeout": 5, "attempts": 2}
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split(";", 1)[0].split()
        if not words:
            continue
        key, rest = words[0], words[1:]
        if key == "nameserver" and rest and len(servers) < 3:
            servers.append(rest[0])
        elif key in ("search", "domain") and rest:
            search = tuple(rest) if key == "search" else (rest[0],)
        elif key == "options":
            _read_options(rest, opts, limits)
    return ResolvConf(tuple(servers), search, opts["ndots"], opts["timeout"], opts["attempts"])


def _read_options(words: list[str], opts: dict[str, int], limits: dict[str, int]) -> None:
    for word in words:
        key, _, value = word.partition(":")
        if key in opts and value.isdigit():
            opts[key] = min(int(value), limits[key])


@functools.lru_cache(maxsize=4096)
def is_ip_literal(host: str) -> bool:
    # asked for every curl and wget; the answer depends on the text alone, so keep it
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def hosts_lookup(name: str, hosts_text: str) -> tuple[str, ...]:
    """IPv4 addresses /etc/hosts gives `name`, in file order (case-insensitive)."""
    wanted = name.rstrip(".").lower()
    found: list[str] = []
    for raw in hosts_text.splitlines():
        words = raw.split("#", 1)[0].split()
        if len(words) < 2 or ":" in words[0]:
            continue
        if wanted in (w.lower() for w in words[1:]) and words[0] not in found:
            found.append(words[0])
    return tuple(found)


# --- one question, with the retry clock -------------------------------------


@dataclass
class _Walk:
    """Mutable state of one lookup: the clock, the trace, the candidates asked."""

    conf: ResolvConf
    query: Query
    qtype: str
    libc: str
    elapsed: float = 0.0
    server: str = ""

    def __post_init__(self) -> None:
        self.trace: list[TraceStep] = []
        self.tried: list[str] = []

    def ask(self, fqdn: str) -> Answer:
        """Ask one candidate, retrying only when nothing came back."""
        self.tried.append(fqdn)
        answer = Answer(fqdn, self.qtype, "TIMEOUT")
        for attempt in range(self._attempts()):
            for index, server in enumerate(self._servers()):
                answer = self.query(fqdn, self.qtype)
                took = self._wait(index) if answer.rcode == "TIMEOUT" else answer.elapsed
                self._record(fqdn, answer, server, attempt, took)
                if answer.rcode != "TIMEOUT":
                    return answer
        return answer

    def _attempts(self) -> int:
        # musl spends its whole timeout on one question whatever the attempts.
        return 1 if self.libc == "musl" else self.conf.attempts

    def _servers(self) -> tuple[str, ...]:
        return self.conf.nameservers or ("127.0.0.1",)

    def _wait(self, ns_index: int) -> float:
        if self.libc == "musl":
            return float(self.conf.timeout)
        seconds = self.conf.timeout << ns_index
        if ns_index > 0:
            seconds //= len(self._servers())
        return float(max(seconds, 1))

    def _record(self, fqdn: str, answer: Answer, server: str, attempt: int, took: float) -> None:
        self.server = answer.server or server
        outcome = _outcome(answer)
        told: MessageArg = msg("dns.no-reply") if outcome == "no reply" else outcome
        detail = msg("dns.asked-again", server=self.server, name=fqdn, qtype=self.qtype,
                     attempt=attempt + 1, outcome=told) if attempt else \
            msg("dns.asked", server=self.server, name=fqdn, qtype=self.qtype, outcome=told)
        extra = {"cname": list(answer.cnames)} if answer.cnames else {}
        self.trace.append(
            step("dns-query", detail, name=fqdn, qtype=self.qtype, answer=_answer_field(answer),
                 server=self.server, at=round(self.elapsed, 6), elapsed=took, **extra)
        )
        self.trace.extend(answer.trace)
        self.elapsed += took


def _outcome(answer: Answer) -> str:
    if answer.rcode == "NOERROR":
        found = answer.addresses or answer.records
        return " ".join(found) if found else "NODATA"
    if answer.rcode == "TIMEOUT":
        return "no reply"
    return answer.rcode


def _answer_field(answer: Answer) -> str | list[str]:
    """The trace's `answer`: the addresses as a list, or what came instead."""
    if answer.rcode == "NOERROR" and answer.addresses:
        return list(answer.addresses)
    if answer.rcode == "NOERROR" and answer.cnames:
        return "CNAME " + " ".join(answer.cnames)
    return _outcome(answer)


def _failure_of(answer: Answer) -> str:
    return "NODATA" if answer.nodata else answer.rcode


# --- the walks ---------------------------------------------------------------


def search(
    name: str,
    resolv_conf_text: str,
    query: Query,
    qtype: str = "A",
    libc: str = "glibc",
) -> Resolution:
    """Resolve `name` through the search list of `resolv_conf_text`, asking `query`."""
    conf = parse_resolv_conf(resolv_conf_text, libc)
    walk = _Walk(conf, query, qtype, libc)
    bare = name.rstrip(".")
    if not bare:
        return _resolution(name, walk, None, "NXDOMAIN")
    walker = _musl_search if libc == "musl" else _glibc_search
    answer, failure = walker(name, walk)
    return _resolution(name, walk, answer, failure)


def _candidates(name: str, domain: str) -> str:
    return f"{name}.{domain.strip('.')}" if domain.strip(".") else name


def _glibc_search(name: str, walk: _Walk) -> tuple[Answer | None, str]:
    trailing_dot = name.endswith(".")
    bare = name.rstrip(".")
    dots = bare.count(".")
    saved, last, got_nodata, got_servfail = "", "", False, False
    tried_as_is = root_on_list = False
    if dots >= walk.conf.ndots or trailing_dot:
        answer = walk.ask(bare)
        if answer.answered or trailing_dot:
            return (answer, "") if answer.answered else (None, _failure_of(answer))
        saved = last = _failure_of(answer)
        tried_as_is = True
    for domain in walk.conf.search:
        if not domain.strip("."):
            root_on_list = True
        answer = walk.ask(_candidates(bare, domain))
        if answer.answered:
            return answer, ""
        last = _failure_of(answer)
        if answer.rcode == "UNREACHABLE":
            return None, "UNREACHABLE"
        got_nodata = got_nodata or answer.nodata
        got_servfail = got_servfail or answer.rcode == "SERVFAIL"
        if answer.rcode not in ("NXDOMAIN", "NOERROR", "SERVFAIL"):
            break  # no reply or REFUSED: stop searching, keep the as-is try below
    if not (tried_as_is or root_on_list):
        answer = walk.ask(bare)
        if answer.answered:
            return answer, ""
        last = _failure_of(answer)
    return None, saved or ("NODATA" if got_nodata else "SERVFAIL" if got_servfail else last)


def _musl_search(name: str, walk: _Walk) -> tuple[Answer | None, str]:
    bare = name.rstrip(".")
    domains: tuple[str, ...] = ()
    if bare.count(".") < walk.conf.ndots and not name.endswith("."):
        domains = walk.conf.search
    for domain in domains:
        answer = walk.ask(_candidates(bare, domain))
        if answer.answered:
            return answer, ""
        if not (answer.rcode == "NXDOMAIN" or answer.nodata):
            return None, _failure_of(answer)
    answer = walk.ask(bare)
    return (answer, "") if answer.answered else (None, _failure_of(answer))


def _resolution(name: str, walk: _Walk, answer: Answer | None, failure: str) -> Resolution:
    return Resolution(
        query=name,
        qtype=walk.qtype,
        name=answer.name if answer else "",
        addresses=answer.addresses if answer else (),
        cnames=answer.cnames if answer else (),
        records=answer.records if answer else (),
        failure=failure,
        server=walk.server,
        elapsed=walk.elapsed,
        tried=tuple(walk.tried),
        trace=tuple(walk.trace),
    )
