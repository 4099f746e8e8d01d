"""The DaemonSet controller on the lecture cluster, with the course's ds-web.yaml."""

from pathlib import Path

import pytest

from simcore import Simulation

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
DS_WEB = COURSE / "2022-07" / "03-RS-DS-JOB-CJ" / "hands-on" / "ds-web.yaml"

DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def cells(sim, kind, namespace="default"):
    table = sim.table(kind, namespace)
    names = [c["name"] for c in table["columnDefinitions"]]
    return [dict(zip(names, row["cells"], strict=True)) for row in table["rows"]]


def ds_web(*changes: dict) -> str:
    text = DS_WEB.read_text()
    for change in changes:
        for old, new in change.items():
            assert old in text
            text = text.replace(old, new)
    return text


def live_pods(sim):
    return {p["spec"].get("nodeName"): p for p in sim.list("pods")
            if not p["metadata"].get("deletionTimestamp")}


def test_it_runs_one_pod_on_each_untainted_node(sim):
    sim.apply(ds_web(), create=True)
    sim.advance(10)
    [row] = cells(sim, "ds")
    assert [row[c] for c in ("Desired", "Current", "Ready", "Up-to-date", "Available",
                             "Node Selector")] == [2, 2, 2, 2, 2, "<none>"]
    pods = live_pods(sim)
    assert sorted(pods) == ["worker1", "worker2"]
    for node, pod in pods.items():
        assert pod["metadata"]["name"].startswith("ds-web-")
        assert pod["spec"]["tolerations"] == DAEMON_TOLERATIONS
        assert pod["spec"]["affinity"] == {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                "matchFields": [{"key": "metadata.name", "operator": "In",
                                 "values": [node]}]}]}}}
        labels = pod["metadata"]["labels"]
        assert labels["pod-template-generation"] == "1"
        assert labels["controller-revision-hash"]
    status = sim.get("ds", "ds-web")["status"]
    assert status == {"currentNumberScheduled": 2, "numberMisscheduled": 0,
                      "desiredNumberScheduled": 2, "numberReady": 2, "observedGeneration": 1,
                      "updatedNumberScheduled": 2, "numberAvailable": 2}


def test_the_scheduler_binds_the_pods_the_controller_creates(sim):
    sim.apply(ds_web(), create=True)
    sim.advance(10)
    created = sorted(e["message"] for e in sim.list("events")
                     if e["involvedObject"]["kind"] == "DaemonSet")
    names = sorted(p["metadata"]["name"] for p in sim.list("pods"))
    assert created == [f"Created pod: {n}" for n in names]
    scheduled = sorted(e["message"] for e in sim.list("events") if e["reason"] == "Scheduled")
    assert scheduled == sorted(f"Successfully assigned default/{p['metadata']['name']} to "
                               f"{p['spec']['nodeName']}" for p in sim.list("pods"))


@pytest.mark.parametrize(("changes", "nodes"), [
    pytest.param({}, ["worker1", "worker2"], id="master-taint-keeps-it-off"),
    pytest.param({"    spec:\n": "    spec:\n      tolerations:\n"
                                 "      - key: node-role.kubernetes.io/master\n"
                                 "        effect: NoSchedule\n"},
                 ["master-stg", "worker1", "worker2"], id="tolerating-the-master-taint"),
    pytest.param({"    spec:\n": "    spec:\n      nodeSelector:\n"
                                 "        kubernetes.io/hostname: worker2\n"},
                 ["worker2"], id="node-selector"),
])
def test_it_places_pods_by_taints_and_selectors(sim, changes, nodes):
    sim.apply(ds_web(changes), create=True)
    sim.advance(10)
    assert sorted(live_pods(sim)) == nodes
    assert sim.get("ds", "ds-web")["status"]["desiredNumberScheduled"] == len(nodes)


def test_it_follows_node_labels(sim):
    sim.apply(ds_web({"    spec:\n": "    spec:\n      nodeSelector:\n        disk: ssd\n"}),
              create=True)
    sim.advance(10)
    assert live_pods(sim) == {}
    sim.api.patch("nodes", "worker1", {"metadata": {"labels": {"disk": "ssd"}}},
                  "application/merge-patch+json")
    sim.advance(10)
    assert sorted(live_pods(sim)) == ["worker1"]
    sim.api.patch("nodes", "worker1", {"metadata": {"labels": {"disk": None}}},
                  "application/merge-patch+json")
    sim.advance(1)
    assert live_pods(sim) == {}
    assert [r["Desired"] for r in cells(sim, "ds")] == [0]


def test_a_template_change_rolls_one_node_at_a_time(sim):
    sim.apply(ds_web())
    sim.advance(10)
    sim.apply(ds_web({"node-web:1.0": "node-web:2.0"}))
    sim.advance(1)
    pods = sim.list("pods")
    terminating = [p for p in pods if p["metadata"].get("deletionTimestamp")]
    assert len(pods) == 2 and len(terminating) == 1
    sim.advance(120)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in live_pods(sim).items()}
    assert images == {"worker1": "whatwant/node-web:2.0", "worker2": "whatwant/node-web:2.0"}
    assert all(p["metadata"]["labels"]["pod-template-generation"] == "2"
               for p in live_pods(sim).values())
    [row] = cells(sim, "ds")
    assert (row["Up-to-date"], row["Available"]) == (2, 2)
    revisions = sorted((r["revision"], r["metadata"]["name"]) for r in
                       sim.list("controllerrevisions"))
    assert [n for n, _ in revisions] == [1, 2]
    hashes = {p["metadata"]["labels"]["controller-revision-hash"] for p in live_pods(sim).values()}
    assert {f"ds-web-{h}" for h in hashes} == {revisions[1][1]}


def test_a_deleted_daemon_pod_is_replaced_on_the_same_node(sim):
    sim.apply(ds_web(), create=True)
    sim.advance(10)
    victim = live_pods(sim)["worker1"]["metadata"]["name"]
    sim.delete("pods", victim)
    sim.advance(60)
    pods = live_pods(sim)
    assert sorted(pods) == ["worker1", "worker2"]
    assert pods["worker1"]["metadata"]["name"] != victim


def test_the_lecture_system_daemonsets_keep_their_pods(sim):
    sim.advance(60)
    names = sorted(p["metadata"]["name"] for p in sim.list("pods", "kube-system")
                   if p["metadata"]["name"].startswith(("kube-proxy", "kube-flannel")))
    assert names == ["kube-flannel-ds-99psb", "kube-flannel-ds-sdcpc", "kube-flannel-ds-sdss8",
                     "kube-proxy-5lvx5", "kube-proxy-nkb8c", "kube-proxy-xvlvs"]
    rows = {r["Name"]: (r["Desired"], r["Current"], r["Up-to-date"])
            for r in cells(sim, "ds", "kube-system")}
    assert rows == {"kube-flannel-ds": (3, 3, 3), "kube-proxy": (3, 3, 3)}
