"""wget, nslookup and dig inside the course's images."""

from __future__ import annotations

import pytest
from test_exec_fakenet import SVC_IP, FakeNet, app_responder, context, node_web

from simcore.exec import run
from simcore.exec.dig import record_line

DNSUTILS = "k8s.gcr.io/e2e-test-images/jessie-dnsutils:1.3"
OLD_BUSYBOX = "k8s.gcr.io/busybox"
NGINX = {"version": "1.14.2", "last_modified": "Tue, 04 Dec 2018 14:44:49 GMT"}


def net(upstream: str = "nxdomain") -> FakeNet:
    return FakeNet(
        upstream=upstream,
        routes={(SVC_IP, 80): node_web(), ("10.0.0.9", 80): app_responder("nginx", "w", NGINX,
                                                                          port=80),
                ("11.11.11.11", 80): "timeout"},
        cnames={"external-service.default.svc.cluster.local": "google.com"},
        ptr={"10.0.96.10.in-addr.arpa": "kube-dns.kube-system.svc.cluster.local",
             "1.0.96.10.in-addr.arpa": "kubernetes.default.svc.cluster.local"},
    )


def exec_(image: str, *argv: str, upstream: str = "nxdomain"):
    return run(list(argv), context(image, net(upstream)))


# --- wget --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "argv", "code", "stdout", "stderr"),
    [
        pytest.param("busybox", ["wget", "-qO-", "http://svc-node"], 0,
                     "You've hit rs-node-web-ghqnq\n", "", id="busybox-qO-"),
        pytest.param("busybox", ["wget", "-q", "-O", "-", "svc-node"], 0,
                     "You've hit rs-node-web-ghqnq\n", "", id="busybox-separate"),
        pytest.param("busybox", ["wget", "-qO-", "nope"], 1, "", "wget: bad address 'nope'\n",
                     id="busybox-bad-address"),
        pytest.param("busybox", ["wget", "-qO-", "10.96.0.1"], 1, "",
                     "wget: can't connect to remote host (10.96.0.1): Connection refused\n",
                     id="busybox-refused"),
        pytest.param("busybox", ["wget", "-qO-", "10.0.0.9/nope"], 1, "",
                     "wget: server returned error: HTTP/1.1 404 Not Found\n", id="busybox-404"),
        pytest.param("busybox", ["wget", "-qO-", "-T", "2", "11.11.11.11"], 1, "",
                     "wget: download timed out\n", id="busybox-timeout"),
        pytest.param("busybox", ["wget", "-O-", "svc-node"], 0, "You've hit rs-node-web-ghqnq\n",
                     "Connecting to svc-node (10.104.191.116:80)\nwriting to stdout\n"
                     "-                   100% |********************************|    29  "
                     "0:00:00 ETA\nwritten to stdout\n", id="busybox-chatty"),
        pytest.param("whatwant/node-web:1.0", ["wget", "-qO-", "svc-node"], 0,
                     "You've hit rs-node-web-ghqnq\n", "", id="gnu-quiet"),
        pytest.param("whatwant/node-web:1.0", ["wget", "-qO-", "nope"], 4, "", "", id="gnu-q-dns"),
        pytest.param("whatwant/node-web:1.0", ["wget", "-O-", "10.96.0.1"], 4, "",
                     "--2021-05-01 10:00:00--  http://10.96.0.1/\nConnecting to 10.96.0.1:80... "
                     "failed: Connection refused.\n", id="gnu-refused"),
        pytest.param("whatwant/node-web:1.0", ["wget", "-qO-", "10.0.0.9/nope"], 8, "", "",
                     id="gnu-404-quiet"),
    ],
)
def test_wget(image, argv, code, stdout, stderr) -> None:
    result = exec_(image, *argv)
    assert (result.exit_code, result.stdout, result.stderr) == (code, stdout, stderr)


def test_busybox_wget_saves_index_html_and_refuses_to_overwrite() -> None:
    ctx = context("busybox", net())
    first = run(["wget", "-q", "svc-node"], ctx)
    assert (first.exit_code, ctx.files["/index.html"]) == (0, "You've hit rs-node-web-ghqnq\n")
    second = run(["wget", "-q", "svc-node"], ctx)
    assert (second.exit_code, second.stderr) == (1, "wget: can't open 'index.html': File exists\n")


# --- nslookup -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "name", "code", "stdout", "stderr"),
    [
        pytest.param("busybox", "svc-node", 0,
                     "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                     "Name:\tsvc-node.default.svc.cluster.local\nAddress: 10.104.191.116\n\n", "",
                     id="busybox"),
        pytest.param("busybox", "nope", 1,
                     "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                     "** server can't find nope: NXDOMAIN\n\n", "", id="busybox-nxdomain"),
        pytest.param(OLD_BUSYBOX, "kubernetes.default", 0,
                     "Server:    10.96.0.10\n"
                     "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n"
                     "Name:      kubernetes.default\n"
                     "Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n", "",
                     id="old-busybox-dns-debugging-page"),
        pytest.param(OLD_BUSYBOX, "nope", 1,
                     "Server:    10.96.0.10\n"
                     "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n",
                     "nslookup: can't resolve 'nope'\n", id="old-busybox-miss"),
        pytest.param(DNSUTILS, "svc-node", 0,
                     "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                     "Name:\tsvc-node.default.svc.cluster.local\nAddress: 10.104.191.116\n\n", "",
                     id="bind9"),
        pytest.param(DNSUTILS, "nope", 1,
                     "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                     "** server can't find nope: NXDOMAIN\n\n", "", id="bind9-nxdomain"),
        pytest.param(DNSUTILS, "external-service", 0,
                     "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                     "Non-authoritative answer:\n"
                     "external-service.default.svc.cluster.local\tcanonical name = google.com.\n"
                     "Name:\tgoogle.com\nAddress: 142.250.196.110\n\n", "", id="bind9-cname"),
    ],
)
def test_nslookup(image, name, code, stdout, stderr) -> None:
    result = exec_(image, "nslookup", name)
    assert (result.exit_code, result.stdout, result.stderr) == (code, stdout, stderr)


def test_nslookup_with_a_silent_upstream_times_out() -> None:
    result = exec_(DNSUTILS, "nslookup", "svc-node.default.svc.cluster", upstream="timeout")
    assert (result.exit_code, result.stdout) == (
        1, ";; connection timed out; no servers could be reached\n\n")
    assert result.duration == pytest.approx(20.003)


# --- dig -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "stdout"),
    [
        pytest.param(["+short", "svc-node.default.svc.cluster.local"], "10.104.191.116\n",
                     id="short"),
        pytest.param(["svc-node", "+short"], "", id="no-search-by-default"),
        pytest.param(["+short", "+search", "svc-node"], "10.104.191.116\n", id="search"),
        pytest.param(["+short", "external-service.default.svc.cluster.local"],
                     "google.com.\n142.250.196.110\n", id="cname-chain"),
    ],
)
def test_dig_short(argv, stdout) -> None:
    result = exec_(DNSUTILS, "dig", *argv)
    assert (result.exit_code, result.stdout) == (0, stdout)


def test_dig_full_answer() -> None:
    stdout = exec_(DNSUTILS, "dig", "svc-node.default.svc.cluster.local").stdout
    lines = stdout.split("\n")
    assert lines[:3] == ["", "; <<>> DiG 9.9.5-9+deb8u19-Debian <<>> "
                         "svc-node.default.svc.cluster.local", ";; global options: +cmd"]
    assert ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1" in lines
    assert ";svc-node.default.svc.cluster.local. IN\tA" in lines
    assert "svc-node.default.svc.cluster.local. 30 IN A\t10.104.191.116" in lines
    assert ";; SERVER: 10.96.0.10#53(10.96.0.10)" in lines
    assert ";; WHEN: Sat May 01 10:00:00 UTC 2021" in lines


def test_dig_nxdomain_still_exits_zero() -> None:
    result = exec_(DNSUTILS, "dig", "nope.default.svc.cluster.local")
    assert result.exit_code == 0
    assert "status: NXDOMAIN" in result.stdout


def test_dig_no_reply_is_exit_9_after_three_tries() -> None:
    result = exec_(DNSUTILS, "dig", "svc-node.default.svc.cluster", upstream="timeout")
    assert (result.exit_code, result.stdout, result.duration) == (
        9, ";; connection timed out; no servers could be reached\n", 15.0)


@pytest.mark.parametrize(
    ("owner", "ttl", "rtype", "rdata", "line"),
    [
        pytest.param("google.com.", 300, "A", "142.250.196.110",
                     "google.com.\t\t300\tIN\tA\t142.250.196.110", id="short-owner"),
        pytest.param("svc-node.default.svc.cluster.local.", 30, "A", SVC_IP,
                     "svc-node.default.svc.cluster.local. 30 IN A\t10.104.191.116",
                     id="long-owner"),
    ],
)
def test_dig_tab_stops(owner, ttl, rtype, rdata, line) -> None:
    assert record_line(owner, ttl, rtype, rdata) == line
