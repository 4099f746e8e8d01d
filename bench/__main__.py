"""`make bench`: the engine's speed goals, measured and printed (never asserted).

- build a 100-node cluster with 10,000 pods and 1,000 Services: time, peak memory;
- flip one pod's readiness there and in a 100-pod cluster: time each, ratio;
- scale a ReplicaSet from 0 to 10,000 and run until idle: pods per second;
- the configuration users get (issue 13): service links on (the default pod spec) and
  curls from inside a pod through a random-mode ClusterIP Service, at 100 and 10,000
  pods, and a scale-up 0 -> 5,000 with service links on, printed beside the numbers above
  and beside their floors from the same run (an exec of `true` in the same pod; the same
  scale-up with service links off).
"""

from __future__ import annotations

import gc
import resource
import time

from clusterviz.tuning import THRESHOLDS
from simcore import Simulation

RS = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      # a real kubelet would give each pod 7 variables per Service in its namespace
      # (7,000 here); large clusters switch service links off, and so does the bench
      enableServiceLinks: false
      containers:
      - {{name: web, image: "whatwant/node-web:1.0", ports: [{{containerPort: 8080}}],
          readinessProbe: {{exec: {{command: [ls, /var/ready]}}, periodSeconds: 1}}}}
"""
SVC = """apiVersion: v1
kind: Service
metadata: {{name: svc-{i}}}
spec:
  selector: {{app: {app}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


# the default pod spec: service links on
RS_DEFAULT = RS.replace("      enableServiceLinks: false\n", "")


def build(pods: int, services: int, nodes: int = 100, template: str = RS,
          services_first: bool = False) -> Simulation:
    """`services_first`: the Services exist when the pods start, so with service links on
    every pod gets their variables (7 per Service), as a user's pods do."""
    sim = Simulation.from_preset("large", seed=1, nodes=nodes, pod_startup_seconds=0.0)
    groups = max(services, 1)
    per = pods // groups
    workloads = "---\n".join(template.format(name=f"app-{g}", replicas=per)
                              for g in range(groups))
    services_text = "---\n".join(SVC.format(i=g, app=f"app-{g}") for g in range(services))
    for text in ((services_text, workloads) if services_first else (workloads, services_text)):
        sim.apply(text, create=True)
    sim.run_until_idle(60)
    return sim


def flip_one(sim: Simulation) -> float:
    warm, pod = sim.api.list_ref("pods", "default")[:2]
    sim.exec(warm["metadata"]["name"], ["touch", "/var/ready"])  # first use imports the tools
    sim.advance(1.0)
    start = time.perf_counter()
    sim.exec(pod["metadata"]["name"], ["touch", "/var/ready"])
    sim.advance(1.0)
    return time.perf_counter() - start


def curl_rate(sim: Simulation, count: int) -> float:
    """Curls per second from a node through a ClientIP-affinity Service."""
    sim.api.patch("services", "svc-0", {"spec": {"sessionAffinity": "ClientIP"}},
                  "application/merge-patch+json", "default")
    sim.settle()
    ip = sim.get("services", "svc-0")["spec"]["clusterIP"]
    node = sim.api.list_ref("nodes")[1]["metadata"]["name"]
    start = time.perf_counter()
    for _ in range(count):
        result = sim.exec_on_node(node, ["curl", "-s", f"http://{ip}"])
        assert result.exit_code == 0, result.stderr
    return count / (time.perf_counter() - start)


def curl_from_pod_rate(sim: Simulation, count: int) -> float:
    """Curls per second from inside a pod through a ClusterIP Service (random mode)."""
    ip = sim.get("services", "svc-0")["spec"]["clusterIP"]
    return exec_rate(sim, ["curl", "-s", f"http://{ip}"], count)


def exec_rate(sim: Simulation, argv: list[str], count: int) -> float:
    """`argv` exec'd per second in the cluster's last pod (`true`: the floor of any exec)."""
    pod = sim.api.list_ref("pods", "default")[-1]["metadata"]["name"]
    sim.exec(pod, argv)  # first use imports the tools
    start = time.perf_counter()
    for _ in range(count):
        result = sim.exec(pod, argv)
        assert result.exit_code == 0, result.stderr
    return count / (time.perf_counter() - start)


def make_ready(sim: Simulation) -> None:
    for pod in sim.api.list_ref("pods", "default"):
        sim.exec(pod["metadata"]["name"], ["touch", "/var/ready"])
    sim.advance(2)


def scale_rate(template: str, replicas: int) -> float:
    sim = Simulation.from_preset("large", seed=2, nodes=100, pod_startup_seconds=0.0)
    sim.apply(template.format(name="scale", replicas=0), create=True)
    start = time.perf_counter()
    sim.api.patch("replicasets.apps", "scale", {"spec": {"replicas": replicas}},
                  "application/merge-patch+json", "default")
    sim.run_until_idle(60)
    return replicas / (time.perf_counter() - start)


def default_configuration() -> None:
    """Issue 13's measurements: what a user's cluster does, not the bench's tuned one."""
    small = build(100, 10, nodes=10, template=RS_DEFAULT, services_first=True)
    make_ready(small)
    big = build(10_000, 1_000, template=RS_DEFAULT, services_first=True)
    make_ready(big)
    rate_small, rate_big = curl_from_pod_rate(small, 1000), curl_from_pod_rate(big, 10_000)
    # the floor, on this machine in this run: an exec that does nothing (`true`) in the
    # same pod pays the exec's own cost and none of the network's
    floor_small, floor_big = exec_rate(small, ["true"], 1000), exec_rate(big, ["true"], 10_000)
    print(f"default configuration, curl from a pod through a ClusterIP Service: 100-pod "
          f"cluster {rate_small:.0f}/s, 10,000-pod cluster {rate_big:.0f}/s (goal >= "
          f"20,000/s); cost ratio {rate_small / rate_big:.2f} (goal <= 1.3); floor, `true` "
          f"exec'd in the same pod: {floor_small:.0f}/s and {floor_big:.0f}/s")
    del small, big
    gc.collect()
    rate = scale_rate(RS_DEFAULT, 5_000)
    print(f"default configuration, scale 0 -> 5,000 with service links on: {rate:.0f} pods/s "
          f"(goal >= 2,000; floor, the same with service links off: {scale_rate(RS, 5_000):.0f} "
          "pods/s)")


def main() -> None:
    # The engine keeps tens of thousands of small dicts alive; with CPython's default
    # thresholds the cyclic collector rescans them all the time (a third of the build).
    # The web app sets the same thresholds (clusterviz/tuning.py), so this measures
    # what is deployed.
    gc.set_threshold(*THRESHOLDS)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    big = build(10_000, 1_000)
    built = time.perf_counter() - start
    # peak resident memory of the process (tracemalloc would slow the build several times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"build 100 nodes, {len(big.api.list_ref('pods', 'default'))} pods, 1000 services: "
          f"{built:.2f} s, peak RSS {peak / 1024:.0f} MiB ({(peak - before) / 1024:.0f} MiB "
          "for the build) (goal < 5 s)")
    small = build(100, 10, nodes=10)
    t_small, t_big = flip_one(small), flip_one(big)
    print(f"flip readiness: 100-pod cluster {t_small * 1000:.2f} ms, 10,000-pod cluster "
          f"{t_big * 1000:.2f} ms, ratio {t_big / t_small:.2f} (goal <= 1.5)")
    for sim in (small, big):
        for pod in sim.api.list_ref("pods", "default"):
            sim.exec(pod["metadata"]["name"], ["touch", "/var/ready"])
        sim.advance(2)
    rate_small, rate_big = curl_rate(small, 1000), curl_rate(big, 10_000)
    print(f"curl through a ClientIP-affinity Service: 100-pod cluster {rate_small:.0f}/s, "
          f"10,000-pod cluster {rate_big:.0f}/s (goal >= 20,000/s); cost ratio "
          f"{rate_small / rate_big:.2f} (goal <= 1.5)")
    sim = Simulation.from_preset("large", seed=2, nodes=100, pod_startup_seconds=0.0)
    sim.apply(RS.format(name="scale", replicas=0), create=True)
    start = time.perf_counter()
    sim.api.patch("replicasets.apps", "scale", {"spec": {"replicas": 10_000}},
                  "application/merge-patch+json", "default")
    sim.run_until_idle(60)
    took = time.perf_counter() - start
    print(f"scale 0 -> 10,000: {took:.2f} s, {10_000 / took:.0f} pods/s (goal >= 2,000)")
    del sim, small, big
    gc.collect()
    default_configuration()


if __name__ == "__main__":
    main()
