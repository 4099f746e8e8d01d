"""dig (bind9, the jessie-dnsutils image): one question, the whole answer.

Unlike curl and nslookup, dig does not walk the search list unless told
(`+search`): `dig svc-node` asks for `svc-node.` and CoreDNS forwards it
upstream. `+short` prints only the rdata (CNAME targets with their trailing
dot, then addresses). The full form reproduces bind's layout, tab stops
included (masterdump.c's `indent`: TTL at column 24, class at 32, type at
40, rdata at 48, a single space when a long owner name has passed the stop),
so `svc-node.default.svc.cluster.local. 30 IN A\\t10.104.191.116` lines up as
the real one does. A server that never answers costs +tries (3) x +time (5)
seconds and prints `;; connection timed out; no servers could be reached`,
exit 9. MSG SIZE is the wire size of the reply as built here (EDNS OPT
record included, names uncompressed except the owner), close to but not
guaranteed equal to CoreDNS's.
"""

from __future__ import annotations

from datetime import timedelta

from simcore.exec.call import Call
from simcore.exec.context import ExecResult, Output
from simcore.exec.netapi import Answer
from simcore.exec.resolver import parse_resolv_conf
from simcore.tracetext import msg, step

_TYPES = {"A", "AAAA", "CNAME", "SRV", "PTR", "TXT", "NS", "SOA", "MX", "ANY"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _parse(argv: list[str]) -> dict:
    opts = {"server": "", "name": "", "qtype": "A", "short": False, "search": False,
            "tries": 3, "time": 5, "sections": True}
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith("@"):
            opts["server"] = arg[1:]
        elif arg == "-t" and i < len(args):
            opts["qtype"], i = args[i].upper(), i + 1
        elif arg.startswith("+"):
            _plus(arg[1:], opts)
        elif arg.upper() in _TYPES and opts["name"]:
            opts["qtype"] = arg.upper()
        elif not opts["name"]:
            opts["name"] = arg
    return opts


def _plus(word: str, opts: dict) -> None:
    key, _, value = word.partition("=")
    if key == "short":
        opts["short"] = True
    elif key == "search":
        opts["search"] = True
    elif key in ("tries", "time", "retry") and value.isdigit():
        opts["tries" if key != "time" else "time"] = int(value) + (1 if key == "retry" else 0)


def _column(text: str, target: int, current: int) -> tuple[str, int]:
    """bind's indent(): tabs to the stop, or one space once past it."""
    if current >= target:
        return text + " ", current + 1
    tabs = target // 8 - current // 8
    if tabs <= 0:
        return text + " " * (target - current), target
    return text + "\t" * tabs, target


def record_line(owner: str, ttl: int | None, rtype: str, rdata: str, question: bool = False) -> str:
    line, col = owner, len(owner)
    if ttl is not None:
        line, col = _column(line, 24, col)
        line += str(ttl)
        col += len(str(ttl))
    line, col = _column(line, 32, col)
    line, col = line + "IN", col + 2
    line, col = _column(line, 40, col)
    line, col = line + rtype, col + len(rtype)
    if question:
        return line
    line, col = _column(line, 48, col)
    return line + rdata


def _wire(name: str) -> int:
    return sum(len(label) + 1 for label in name.strip(".").split(".") if label) + 1


def main(argv: list[str], call: Call) -> ExecResult:
    opts = _parse(argv)
    out = Output()
    conf = parse_resolv_conf(call.ctx.files.get("/etc/resolv.conf") or "")
    server = opts["server"] or (conf.nameservers[0] if conf.nameservers else "127.0.0.1")
    name = (opts["name"] or ".").rstrip(".") or "."
    answer, elapsed, trace = _ask(call, name, opts, server)
    if answer.rcode in ("TIMEOUT", "UNREACHABLE"):
        out.out(";; connection timed out; no servers could be reached\n")
        return out.result(9, duration=elapsed, trace=trace)
    if opts["short"]:
        out.out("".join(f"{c}.\n" for c in answer.cnames) +
                "".join(f"{x}\n" for x in (*answer.addresses, *answer.records)))
    else:
        out.out(_full(call, argv, name, opts, answer, server, elapsed))
    return out.result(0, duration=elapsed, trace=trace)


def _ask(call: Call, name: str, opts: dict, server: str) -> tuple[Answer, float, list]:
    net = call.ctx.net
    if net is None:
        return Answer(name, opts["qtype"], "TIMEOUT"), opts["tries"] * opts["time"], []
    if opts["search"]:
        r = net.resolve(name, opts["qtype"])
        rcode = "NOERROR" if r.ok or r.failure == "NODATA" else r.failure or "NXDOMAIN"
        answer = Answer(r.name or name, r.qtype, rcode, r.addresses, r.cnames, r.records,
                        server=r.server or server)
        return answer, r.elapsed, list(r.trace)
    trace: list = []
    elapsed = 0.0
    for attempt in range(opts["tries"]):
        answer = net.query(name, opts["qtype"], opts["server"] or None)
        trace.append(step("dns-query", msg("dns.dig-asked", server=server, name=name,
                                           qtype=opts["qtype"], rcode=answer.rcode),
                          name=name, answer=answer.rcode, attempt=attempt + 1))
        trace.extend(answer.trace)
        if answer.rcode != "TIMEOUT":
            return answer, elapsed + answer.elapsed, trace
        elapsed += opts["time"]
    return answer, elapsed, trace


def _full(call: Call, argv: list[str], name: str, opts: dict, answer: Answer, server: str,
          elapsed: float) -> str:
    qtype, owner = opts["qtype"], name + "."
    version = call.ctx.profile.tool("dig", "9.9.5-9+deb8u19-Debian")
    rows = _answer_rows(owner, answer, qtype)
    authority = _soa_rows(answer)
    flags = "qr aa rd" if answer.authoritative else "qr rd ra"
    lines = [
        "", f"; <<>> DiG {version} <<>> {' '.join(argv[1:])}", ";; global options: +cmd",
        ";; Got answer:",
        f";; ->>HEADER<<- opcode: QUERY, status: {answer.rcode}, id: {call.ctx.rng.randint(1, 65535)}",
        f";; flags: {flags}; QUERY: 1, ANSWER: {len(rows)}, AUTHORITY: {len(authority)}, "
        "ADDITIONAL: 1",
    ]
    if answer.authoritative:
        lines.append(";; WARNING: recursion requested but not available")
    lines += ["", ";; OPT PSEUDOSECTION:", "; EDNS: version: 0, flags:; udp: 4096",
              ";; QUESTION SECTION:", record_line(";" + owner, None, qtype, "", question=True)]
    if rows:
        lines += ["", ";; ANSWER SECTION:", *(record_line(*row) for row in rows)]
    if authority:
        lines += ["", ";; AUTHORITY SECTION:", *(record_line(*row) for row in authority)]
    when = call.ctx.now + timedelta(seconds=call.started + elapsed)
    stamp = (f"{_WEEKDAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:02d} "
             f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} UTC {when.year}")
    lines += ["", f";; Query time: {int(elapsed * 1000)} msec",
              f";; SERVER: {server}#53({server})", f";; WHEN: {stamp}",
              f";; MSG SIZE  rcvd: {_size(owner, rows, authority)}", "", ""]
    return "\n".join(lines)


def _answer_rows(owner: str, answer: Answer, qtype: str) -> list[tuple[str, int, str, str]]:
    rows = []
    current = owner
    for target in answer.cnames:
        rows.append((current, answer.ttl, "CNAME", target + "."))
        current = target + "."
    rows += [(current, answer.ttl, "A" if qtype != "AAAA" else "AAAA", ip)
             for ip in answer.addresses]
    rows += [(current, answer.ttl, qtype, r) for r in answer.records]
    return rows


def _soa_rows(answer: Answer) -> list[tuple[str, int, str, str]]:
    if answer.rcode != "NXDOMAIN" and not answer.nodata:
        return []
    zone = "cluster.local." if answer.name.endswith("cluster.local") else "."
    if zone == ".":
        return [(".", 86400, "SOA", "a.root-servers.net. nstld.verisign-grs.com. 2021050100 "
                 "1800 900 604800 86400")]
    return [(zone, answer.ttl, "SOA", "ns.dns.cluster.local. hostmaster.cluster.local. "
             "1619827200 7200 1800 86400 30")]


def _size(owner: str, rows: list, authority: list) -> int:
    size = 12 + _wire(owner) + 4 + 11
    for name, _ttl, rtype, rdata in rows + authority:
        owner_size = 2 if name == owner else _wire(name)
        if rtype == "A":
            rdlen = 4
        elif rtype == "AAAA":
            rdlen = 16
        elif rtype == "SOA":
            parts = rdata.split()
            rdlen = _wire(parts[0]) + _wire(parts[1]) + 20
        else:
            rdlen = _wire(rdata.split()[-1])
        size += owner_size + 10 + rdlen
    return size
