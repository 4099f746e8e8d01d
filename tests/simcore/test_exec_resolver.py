"""The stub resolver's walk: which names are asked, in which order, for how long (F6.8-F6.10)."""

from __future__ import annotations

import pytest
from test_exec_fakenet import LECTURE_RESOLV, SVC_IP, FakeNet

from simcore.exec.resolver import hosts_lookup, parse_resolv_conf, search

CLUSTER = ("default.svc.cluster.local", "svc.cluster.local", "cluster.local")


def _candidates(name: str) -> list[str]:
    return [f"{name}.{domain}" for domain in (*CLUSTER, "skbroadband")]


@pytest.mark.parametrize(
    ("typed", "upstream", "asked", "addresses", "failure", "elapsed"),
    [
        pytest.param("svc-node", "timeout", ["svc-node.default.svc.cluster.local"],
                     (SVC_IP,), "", 0.001, id="svc-node"),
        pytest.param("svc-node.default", "timeout",
                     ["svc-node.default.default.svc.cluster.local",
                      "svc-node.default.svc.cluster.local"], (SVC_IP,), "", 0.002,
                     id="svc-node.default"),
        pytest.param("svc-node.default.svc", "timeout",
                     ["svc-node.default.svc.default.svc.cluster.local",
                      "svc-node.default.svc.svc.cluster.local",
                      "svc-node.default.svc.cluster.local"], (SVC_IP,), "", 0.003,
                     id="svc-node.default.svc"),
        pytest.param("svc-node.default.svc.cluster", "timeout",
                     _candidates("svc-node.default.svc.cluster")
                     + ["svc-node.default.svc.cluster.skbroadband", "svc-node.default.svc.cluster",
                        "svc-node.default.svc.cluster"], (), "TIMEOUT", 20.003,
                     id="svc-node.default.svc.cluster-lecture-hang"),
        pytest.param("svc-node.default.svc.cluster", "nxdomain",
                     _candidates("svc-node.default.svc.cluster") + ["svc-node.default.svc.cluster"],
                     (), "NXDOMAIN", 0.005, id="svc-node.default.svc.cluster-healthy"),
        pytest.param("svc-node.default.svc.cluster.local", "timeout",
                     _candidates("svc-node.default.svc.cluster.local")
                     + ["svc-node.default.svc.cluster.local.skbroadband",
                        "svc-node.default.svc.cluster.local"], (SVC_IP,), "", 10.004,
                     id="fqdn-without-dot-lecture-hang"),
        pytest.param("svc-node.default.svc.cluster.local", "nxdomain",
                     _candidates("svc-node.default.svc.cluster.local")
                     + ["svc-node.default.svc.cluster.local"], (SVC_IP,), "", 0.005,
                     id="fqdn-without-dot-five-lookups"),
        pytest.param("svc-node.default.svc.cluster.local.", "timeout",
                     ["svc-node.default.svc.cluster.local"], (SVC_IP,), "", 0.001,
                     id="trailing-dot-is-absolute"),
        pytest.param("google.com", "nxdomain", _candidates("google.com") + ["google.com"],
                     ("142.250.196.110",), "", 0.005, id="google.com"),
    ],
)
def test_glibc_search_sequences_of_the_lecture(typed, upstream, asked, addresses, failure,
                                               elapsed) -> None:
    net = FakeNet(upstream=upstream)
    result = net.resolve(typed)
    assert net.queries == asked
    assert result.addresses == addresses
    assert result.failure == failure
    assert result.elapsed == pytest.approx(elapsed)


def test_tried_lists_each_candidate_once_even_when_retried() -> None:
    result = FakeNet(upstream="timeout").resolve("svc-node.default.svc.cluster")
    assert result.tried == (*_candidates("svc-node.default.svc.cluster"),
                            "svc-node.default.svc.cluster")


def test_every_query_is_a_trace_step_with_its_answer() -> None:
    result = FakeNet(upstream="timeout").resolve("svc-node.default")
    steps = [(s["step"], s["name"], s["answer"]) for s in result.trace]
    assert steps == [
        ("dns-query", "svc-node.default.default.svc.cluster.local", "NXDOMAIN"),
        ("dns-query", "svc-node.default.svc.cluster.local", [SVC_IP]),
    ]
    assert result.trace[0]["detail"] == (
        "Asked 10.96.0.10 for svc-node.default.default.svc.cluster.local (A): NXDOMAIN.")


def test_a_timeout_attempt_is_its_own_step() -> None:
    result = FakeNet(upstream="timeout").resolve("svc-node.default.svc.cluster.local")
    skb = [s for s in result.trace if s["name"].endswith("skbroadband")]
    assert [(s["answer"], s["elapsed"]) for s in skb] == [("no reply", 5.0), ("no reply", 5.0)]
    assert skb[1]["detail"].endswith("(attempt 2): no reply.")


@pytest.mark.parametrize(
    ("typed", "asked", "failure", "elapsed"),
    [
        pytest.param("svc-node.default.svc.cluster.local",
                     _candidates("svc-node.default.svc.cluster.local"), "TIMEOUT", 5.003,
                     id="musl-stops-without-the-as-is-try"),
        pytest.param("a.b.c.d.e.f", ["a.b.c.d.e.f"], "TIMEOUT", 5.0,
                     id="musl-enough-dots-no-search"),
    ],
)
def test_musl_walk(typed, asked, failure, elapsed) -> None:
    net = FakeNet(upstream="timeout", libc="musl")
    result = net.resolve(typed)
    assert net.queries == asked
    assert (result.failure, result.elapsed) == (failure, pytest.approx(elapsed))


def test_glibc_with_enough_dots_asks_as_is_first_then_searches() -> None:
    net = FakeNet(upstream="nxdomain")
    net.resolve("a.b.c.d.e.f")
    assert net.queries == ["a.b.c.d.e.f", *_candidates("a.b.c.d.e.f")]


def test_servfail_moves_on_but_refused_stops_the_search() -> None:
    def query(name, qtype):
        from simcore.exec.netapi import Answer

        rcode = {"x.default.svc.cluster.local": "SERVFAIL",
                 "x.svc.cluster.local": "REFUSED"}.get(name, "NXDOMAIN")
        asked.append(name)
        return Answer(name, qtype, rcode)

    asked: list[str] = []
    result = search("x", LECTURE_RESOLV, query)
    assert asked == ["x.default.svc.cluster.local", "x.svc.cluster.local", "x"]
    assert result.failure == "SERVFAIL"


@pytest.mark.parametrize(
    ("text", "ndots", "timeout", "attempts", "search_list"),
    [
        pytest.param(LECTURE_RESOLV, 5, 5, 2, (*CLUSTER, "skbroadband"), id="lecture"),
        pytest.param("nameserver 1.1.1.1\n", 1, 5, 2, (), id="defaults"),
        pytest.param("search a b\ndomain c\noptions ndots:20 timeout:99 attempts:9\n", 15, 30, 5,
                     ("c",), id="last-of-search-or-domain-wins-and-caps"),
    ],
)
def test_parse_resolv_conf(text, ndots, timeout, attempts, search_list) -> None:
    conf = parse_resolv_conf(text)
    assert (conf.ndots, conf.timeout, conf.attempts, conf.search) == (
        ndots, timeout, attempts, search_list)


def test_custom_timeout_and_attempts_change_the_wait() -> None:
    net = FakeNet(upstream="timeout", resolv_conf=LECTURE_RESOLV.replace(
        "ndots:5", "ndots:5 timeout:2 attempts:3"))
    assert net.resolve("svc-node.default.svc.cluster.local").elapsed == pytest.approx(6.004)


def test_hosts_file_lookup_is_case_insensitive() -> None:
    hosts = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n10.244.2.23\tRs-Node\n"
    assert hosts_lookup("rs-node", hosts) == ("10.244.2.23",)
    assert hosts_lookup("localhost.", hosts) == ("127.0.0.1",)
    assert hosts_lookup("other", hosts) == ()
