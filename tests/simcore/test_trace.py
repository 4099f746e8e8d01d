"""simcore.trace: every step the data plane and the tools write is one of the declared
kinds, with only the keys its TypedDict names (a producer inventing a key fails here)."""

import typing

import pytest

from simcore import Simulation
from simcore import trace as tr

ECHO = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: echo}
spec:
  replicas: 2
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - {name: echo, image: "registry.k8s.io/echoserver:1.10", ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: client, image: "whatwant/node-web:1.0"}
"""

BY_KIND = {
    "reject": tr.RejectStep, "timeout": tr.TimeoutStep, "connect": tr.ConnectStep,
    "deliver": tr.DeliverStep, "dnat": tr.DnatStep, "snat": tr.SnatStep,
    "forward": tr.ForwardStep, "proxy": tr.ProxyStep, "ingress": tr.IngressStep,
    "response": tr.ResponseStep, "dns-query": tr.DnsStep, "dns-answer": tr.DnsStep,
}


def test_every_kind_has_its_typed_dict():
    assert set(BY_KIND) == set(typing.get_args(tr.StepKind))


@pytest.fixture(scope="module")
def sim():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(ECHO, create=True)
    sim.run_until_idle(60)
    return sim


@pytest.mark.parametrize("where, command", [
    pytest.param("client", "curl -s http://echo", id="curl-service-name"),
    pytest.param("client", "wget -qO- http://echo.default.svc.cluster.local", id="wget-fqdn"),
    pytest.param("client", "curl -s -m 2 http://10.96.0.99", id="curl-no-service"),
    pytest.param("client", "curl -s http://nothing-here", id="curl-nxdomain"),
    pytest.param("client", "ps", id="missing-executable"),
    pytest.param("worker1", "curl -s http://192.168.100.111:30080", id="node-to-nodeport"),
])
def test_steps_have_their_kinds_keys(sim, where, command):
    run = sim.exec_on_node if where == "worker1" else sim.exec
    steps = run(where, command).trace
    assert steps
    for step in steps:
        declared = BY_KIND[step["step"]]
        allowed = declared.__required_keys__ | declared.__optional_keys__
        assert set(step) <= allowed, (step["step"], set(step) - allowed)
        assert declared.__required_keys__ <= set(step)
