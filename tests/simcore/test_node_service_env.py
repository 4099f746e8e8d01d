"""A container's Service variables: named as the kubelet names them, and fixed when the
container starts (a Service created, changed or deleted later does not show; a restart
computes them afresh, as a new container start does)."""

import random

import pytest

from simcore import Simulation
from simcore.envvars import go_map_order, service_links

IP = "10.96.7.7"
WEB = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: web, image: "whatwant/node-web:1.0", ports: [{containerPort: 8080}]}
"""
SVC = """apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: nobody}}
  ports: [{{port: {port}, targetPort: 8080}}]
"""


def service(name: str, ports: list[dict], **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"clusterIP": IP, "ports": ports, **spec}}


@pytest.mark.parametrize("svc, expected", [
    pytest.param(service("foo", [{"port": 80}]), [
        ("FOO_SERVICE_HOST", IP), ("FOO_SERVICE_PORT", "80"), ("FOO_PORT", f"tcp://{IP}:80"),
        ("FOO_PORT_80_TCP", f"tcp://{IP}:80"), ("FOO_PORT_80_TCP_PROTO", "tcp"),
        ("FOO_PORT_80_TCP_PORT", "80"), ("FOO_PORT_80_TCP_ADDR", IP)], id="one-port"),
    pytest.param(service("my-db", [{"name": "sql", "port": 5432},
                                   {"name": "stats", "port": 9125, "protocol": "UDP"}]), [
        ("MY_DB_SERVICE_HOST", IP), ("MY_DB_SERVICE_PORT", "5432"),
        ("MY_DB_SERVICE_PORT_SQL", "5432"), ("MY_DB_SERVICE_PORT_STATS", "9125"),
        ("MY_DB_PORT", f"tcp://{IP}:5432"),
        ("MY_DB_PORT_5432_TCP", f"tcp://{IP}:5432"), ("MY_DB_PORT_5432_TCP_PROTO", "tcp"),
        ("MY_DB_PORT_5432_TCP_PORT", "5432"), ("MY_DB_PORT_5432_TCP_ADDR", IP),
        ("MY_DB_PORT_9125_UDP", f"udp://{IP}:9125"), ("MY_DB_PORT_9125_UDP_PROTO", "udp"),
        ("MY_DB_PORT_9125_UDP_PORT", "9125"), ("MY_DB_PORT_9125_UDP_ADDR", IP)],
        id="named-ports-dash-and-udp"),
    pytest.param(service("x", [{"port": 80}], clusterIP="None"), [], id="headless"),
    pytest.param(service("x", [{"port": 80}], type="ExternalName"), [], id="external-name"),
])
def test_it_names_the_variables_as_the_kubelet_does(svc, expected):
    assert service_links(svc) == expected


def started_web() -> Simulation:
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(SVC.format(name="before", port=80), create=True)
    sim.apply(WEB, create=True)
    sim.run_until_idle(60)
    return sim


def env(sim: Simulation) -> dict[str, str]:
    return dict(line.split("=", 1) for line in sim.exec("web", "env").stdout.splitlines())


def test_a_service_created_after_the_start_is_absent():
    sim = started_web()
    sim.apply(SVC.format(name="after", port=80), create=True)
    sim.run_until_idle(10)
    seen = env(sim)
    assert seen["BEFORE_SERVICE_HOST"] == sim.get("services", "before")["spec"]["clusterIP"]
    assert not [name for name in seen if name.startswith("AFTER_")]


def test_a_service_changed_or_deleted_after_the_start_keeps_its_old_values():
    sim = started_web()
    ip = sim.get("services", "before")["spec"]["clusterIP"]
    sim.api.patch("services", "before", {"spec": {"ports": [{"port": 81, "targetPort": 8080}]}},
                  "application/merge-patch+json", "default")
    sim.run_until_idle(10)
    assert env(sim)["BEFORE_PORT"] == f"tcp://{ip}:80"
    sim.delete("services", "before")
    sim.run_until_idle(10)
    assert env(sim)["BEFORE_SERVICE_PORT"] == "80"


def test_a_restarted_container_gets_the_services_of_its_new_start():
    sim = started_web()
    sim.apply(SVC.format(name="after", port=80), create=True)
    sim.run_until_idle(10)
    sim.kill_container("web")
    sim.run_until_idle(60)
    assert env(sim)["AFTER_SERVICE_HOST"] == sim.get("services", "after")["spec"]["clusterIP"]


def test_the_go_map_order_is_a_permutation_that_differs_from_container_to_container():
    rng = random.Random(3)
    items = [(f"V{i}", str(i)) for i in range(500)]  # past SHUFFLE_UP_TO: the sort
    first, second = go_map_order(items, rng), go_map_order(items, rng)
    assert sorted(first) == sorted(second) == sorted(items)
    assert first != second != items


def test_two_pods_started_together_share_the_variables_in_their_own_orders():
    sim = Simulation.from_preset("lecture", seed=0)
    for i in range(3):
        sim.apply(SVC.format(name=f"svc-{i}", port=80 + i), create=True)
    sim.apply(WEB, create=True)
    sim.apply(WEB.replace("name: web}", "name: web2}"), create=True)
    sim.run_until_idle(60)
    web, web2 = (sim.exec(name, "env").stdout.splitlines() for name in ("web", "web2"))
    links = [line for line in web if "_SERVICE_" in line or "_PORT" in line]
    assert len(links) == 3 * 7 + 8  # three Services and the master `kubernetes` (8: HTTPS)
    theirs = [line for line in web2 if line in links]
    assert sorted(links) == sorted(theirs) and links != theirs
