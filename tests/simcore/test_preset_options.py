"""Preset options a cluster is created with: the LoadBalancer address pool."""

import pytest

from simcore import Simulation
from simcore.presets import options

LB_SERVICE = """apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
"""


@pytest.mark.parametrize("text, entries", [
    pytest.param("192.168.100.240-192.168.100.250", ["192.168.100.240-192.168.100.250"],
                 id="range"),
    pytest.param("192.168.100.240/29, 10.0.0.5", ["192.168.100.240/29", "10.0.0.5"],
                 id="cidr-and-address"),
    pytest.param(["10.0.0.1-10.0.0.2", "10.0.0.9"], ["10.0.0.1-10.0.0.2", "10.0.0.9"],
                 id="repeated-flag"),
    pytest.param("", [], id="empty"),
])
def test_pools_parse(text, entries):
    assert options.parse_lb_pool(text) == entries


@pytest.mark.parametrize("text, message", [
    pytest.param("192.168.100.300", "invalid address pool entry '192.168.100.300'", id="octet"),
    pytest.param("10.0.0.9-10.0.0.1", "invalid address pool entry '10.0.0.9-10.0.0.1'",
                 id="backwards"),
    pytest.param("fe80::1", "invalid address pool entry 'fe80::1'", id="ipv6"),
    pytest.param("10.0.0.0/8", "the address pool has 16777216 addresses; at most 65536",
                 id="too-big"),
])
def test_bad_pools_are_refused_with_the_entry(text, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        options.parse_lb_pool(text)


def test_unknown_options_are_refused():
    with pytest.raises(ValueError, match="unknown preset option 'nodes'"):
        options.clean({"nodes": 3})


def test_a_pool_gives_load_balancers_their_external_ip():
    sim = Simulation.from_preset("lecture", seed=0,
                                 **options.clean({"lb_pool": "192.168.100.240/29"}))
    sim.apply(LB_SERVICE, create=True)
    [row] = [r["cells"] for r in sim.table("services")["rows"] if r["cells"][0] == "web-lb"]
    assert row[1:4] == ["LoadBalancer", row[2], "192.168.100.240"]
    assert options.of_config(sim.engine.config) == {"lb_pool": ["192.168.100.240/29"]}
