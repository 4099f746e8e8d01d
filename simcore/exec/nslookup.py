"""nslookup, in the three formats the course's images print.

- BusyBox since 1.28 (busybox:latest, Alpine): `Server:\\t\\t10.96.0.10`,
  `Address:\\t10.96.0.10:53`, then `Name:\\t<fqdn>` / `Address: <ip>`;
  a miss is `** server can't find <name>: NXDOMAIN`, exit 1.
- BusyBox before 1.28 (k8s.gcr.io/busybox, the DNS debugging page's
  output): `Server:    10.0.0.10` / `Address 1: 10.0.0.10 kube-dns…`, with
  reverse names for every address; a miss is `nslookup: can't resolve 'x'`.
- bind9 (jessie-dnsutils): `Address:\\t10.96.0.10#53`, `Non-authoritative
  answer:` for forwarded answers, `canonical name =` lines for CNAMEs.

All three walk the search list like the libc does, which is why `nslookup
svc-node` answers with `svc-node.default.svc.cluster.local`. A nameserver that
never answers ends in `;; connection timed out; no servers could be reached`.
"""

from __future__ import annotations

from simcore.exec.call import Call
from simcore.exec.context import ExecResult, Output
from simcore.exec.netapi import Resolution
from simcore.exec.resolver import parse_resolv_conf

_TIMEOUT = ";; connection timed out; no servers could be reached\n"


def ptr_name(ip: str) -> str:
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


def _args(argv: list[str]) -> tuple[str, str, str]:
    qtype, words = "A", []
    for arg in argv[1:]:
        if arg.startswith("-type=") or arg.startswith("-query=") or arg.startswith("-q="):
            qtype = arg.split("=", 1)[1].upper()
        elif not arg.startswith("-"):
            words.append(arg)
    return (words[0] if words else ""), (words[1] if len(words) > 1 else ""), qtype


def main(argv: list[str], call: Call) -> ExecResult:
    name, server, qtype = _args(argv)
    flavor = call.ctx.profile.tool("nslookup", "busybox")
    out = Output()
    if not name:
        out.err("BusyBox v1.37.0 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] "
                "[-debug] HOST [DNS_SERVER]\n" if flavor.startswith("busybox") else
                "Usage: nslookup [HOST [SERVER]]\n")
        return out.result(1)
    conf = parse_resolv_conf(call.ctx.files.get("/etc/resolv.conf") or "")
    server = server or (conf.nameservers[0] if conf.nameservers else "127.0.0.1")
    resolution = _lookup(call, name, qtype, server)
    printer = {"busybox-old": _busybox_old, "busybox": _busybox_new}.get(flavor, _bind9)
    code = printer(out, call, name, server, resolution)
    return out.result(code, duration=resolution.elapsed, trace=list(resolution.trace))


def _lookup(call: Call, name: str, qtype: str, server: str) -> Resolution:
    net = call.ctx.net
    if net is None:
        return Resolution(name, qtype, failure="TIMEOUT")
    return net.resolve(name, qtype)


def _address_lines(resolution: Resolution) -> list[str]:
    return [f"Address: {ip}" for ip in resolution.addresses] + \
        [f"{resolution.name}\t{_record_label(resolution.qtype)} {r}" for r in resolution.records]


def _record_label(qtype: str) -> str:
    return {"PTR": "name =", "SRV": "service =", "TXT": "text =", "NS": "nameserver ="}.get(
        qtype, "=")


def _busybox_new(out: Output, call: Call, name: str, server: str, r: Resolution) -> int:
    if r.failure == "TIMEOUT":
        out.out(_TIMEOUT + "\n")
        return 1
    out.out(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n")
    if not r.ok:
        kind = "NXDOMAIN" if r.failure in ("NXDOMAIN", "NODATA") else r.failure
        out.out(f"** server can't find {name}: {kind}\n\n")
        return 1
    lines = [f"{c_from}\tcanonical name = {c_to}" for c_from, c_to in _chain(r)]
    lines += [f"Name:\t{r.cnames[-1] if r.cnames else r.name}"] if r.addresses else []
    out.out("\n".join(lines + _address_lines(r)) + "\n\n")
    return 0


def _busybox_old(out: Output, call: Call, name: str, server: str, r: Resolution) -> int:
    server_name = _reverse(call, server)
    out.out(f"Server:    {server}\nAddress 1: {server}{' ' + server_name if server_name else ''}"
            "\n\n")
    if not r.ok:
        out.err(f"nslookup: can't resolve '{name}'\n")
        return 1
    lines = [f"Name:      {name}"]
    for index, ip in enumerate(r.addresses, start=1):
        lines.append(f"Address {index}: {ip} {_reverse(call, ip) or ''}".rstrip())
    out.out("\n".join(lines) + "\n")
    return 0


def _reverse(call: Call, ip: str) -> str:
    if call.ctx.net is None:
        return ""
    answer = call.ctx.net.query(ptr_name(ip), "PTR")
    return answer.records[0].rstrip(".") if answer.rcode == "NOERROR" and answer.records else ""


def _bind9(out: Output, call: Call, name: str, server: str, r: Resolution) -> int:
    if r.failure == "TIMEOUT":
        out.out(_TIMEOUT + "\n")
        return 1
    out.out(f"Server:\t\t{server}\nAddress:\t{server}#53\n\n")
    if not r.ok:
        kind = "NXDOMAIN" if r.failure in ("NXDOMAIN", "NODATA") else r.failure
        out.out(f"** server can't find {name}: {kind}\n\n")
        return 1
    lines = ["Non-authoritative answer:"] if r.cnames else []
    lines += [f"{c_from}\tcanonical name = {c_to}." for c_from, c_to in _chain(r)]
    if r.addresses:
        target = r.cnames[-1] if r.cnames else r.name
        lines += [f"Name:\t{target}\nAddress: {ip}" for ip in r.addresses]
    lines += _address_lines(r)[len(r.addresses):]
    out.out("\n".join(lines) + "\n\n")
    return 0


def _chain(r: Resolution) -> list[tuple[str, str]]:
    names = [r.name, *r.cnames]
    return list(zip(names, names[1:], strict=False))
