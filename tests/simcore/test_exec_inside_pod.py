"""Inside a pod: its own loopback, loops that count, and a stock nginx's front page."""

import pytest

from simcore import Simulation
from simcore.node import containers as rt


@pytest.fixture
def sim(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.advance(5)
    return sim


def node_web_pod(sim) -> str:
    return sim.list("pods")[0]["metadata"]["name"]


@pytest.mark.parametrize("command, code, stdout, stderr", [
    pytest.param("curl -s localhost:8080", 0, "You've hit {pod}\n", "", id="localhost"),
    pytest.param("curl -s http://127.0.0.1:8080/", 0, "You've hit {pod}\n", "", id="127.0.0.1"),
    pytest.param("wget -qO- localhost:8080", 0, "You've hit {pod}\n", "", id="wget"),
    pytest.param("curl -sS localhost:9999", 7, "",
                 "curl: (7) Failed to connect to localhost port 9999: Connection refused\n",
                 id="nothing-listens"),
])
def test_the_pods_own_server_answers_on_loopback(sim, command, code, stdout, stderr):
    pod = node_web_pod(sim)
    result = sim.exec(pod, command)
    assert (result.exit_code, result.stdout, result.stderr) == \
        (code, stdout.format(pod=pod), stderr)
    assert result.duration < 1  # an answer or a reset, not a 2 min 07 s SYN timeout


def test_the_node_loopback_is_the_nodes_own():
    sim = Simulation.from_preset("lecture", seed=0)
    result = sim.exec_on_node("worker1", "curl -sS localhost:12345")
    assert (result.exit_code, result.stderr) == (
        7, "curl: (7) Failed to connect to localhost port 12345: Connection refused\n")


LOOP_POD = """apiVersion: v1
kind: Pod
metadata: {{name: loop}}
spec:
  containers:
  - name: loop
    image: busybox
    command: ["sh", "-c", '{script}']
"""


def log_lines(sim, pod="loop"):
    state = sim.engine.by_name["kubelet"].state["pods"][f"default/{pod}"]["containers"][pod]
    return [text for _at, _stream, text in rt.logs(state, sim.engine.clock.elapsed)]


@pytest.mark.parametrize("script, lines", [
    pytest.param("i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done",
                 [f"tick {i}\n" for i in range(6)], id="tick"),
    pytest.param("n=10; while true; do echo $n left, $((n*2)) halves; n=$((n-2)); sleep 2; done",
                 ["10 left, 20 halves\n", "8 left, 16 halves\n", "6 left, 12 halves\n"],
                 id="two-counters-down"),
    pytest.param("echo start; while true; do echo same; sleep 2; done",
                 ["start\n", "same\n", "same\n", "same\n"], id="no-counter-no-duplicate"),
])
def test_a_containers_endless_loop_counts_in_its_logs(script, lines):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(LOOP_POD.format(script=script), create=True)
    sim.advance(2 + 5.5)  # 2 s start-up, then 5.5 s of the loop
    assert log_lines(sim) == lines


def test_exec_runs_a_counting_loop_until_it_is_stopped():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(LOOP_POD.format(script="sleep 3600"), create=True)
    sim.advance(3)
    result = sim.exec("loop", ["sh", "-c", "i=0; while [ $i -lt 3 ]; do echo tick $i; "
                               "i=$((i+1)); done; echo $((i*10))"])
    assert (result.exit_code, result.stdout) == (0, "tick 0\ntick 1\ntick 2\n30\n")


def test_a_stock_nginx_serves_its_welcome_page():
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply("apiVersion: v1\nkind: Pod\nmetadata: {name: nginx, labels: {run: nginx}}\n"
              "spec:\n  containers:\n  - {name: nginx, image: nginx}\n", create=True)
    sim.advance(5)
    ip = sim.get("pods", "nginx")["status"]["podIP"]
    result = sim.exec_on_node("worker1", f"curl -s http://{ip}/")
    assert result.exit_code == 0
    assert "<title>Welcome to nginx!</title>" in result.stdout
    assert result.stdout.startswith("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!")
