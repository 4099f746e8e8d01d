"""The runtime tables that note which entries were touched (simcore.touched): what each way
of reaching an entry notes, and what a built, a curled-at and an exec'd engine report."""

import copy
import json
import pickle

import pytest

from simcore import Simulation, Touched
from simcore.jsoncopy import clone
from simcore.touched import Table

RS = """apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "whatwant/node-web:1.0", ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def _table() -> Table:
    return Table({"a": {"n": 1}, "b": {"n": 2}})


@pytest.mark.parametrize("use, expected", [
    pytest.param(lambda t: t["a"], Touched(frozenset("a"), False, False), id="index"),
    pytest.param(lambda t: t.get("b"), Touched(frozenset("b"), False, False), id="get"),
    pytest.param(lambda t: t.get("z"), Touched(frozenset("z"), False, False), id="get-missing"),
    pytest.param(lambda t: t.setdefault("a", {}), Touched(frozenset("a"), False, False),
                 id="setdefault-present"),
    pytest.param(lambda t: t.setdefault("c", {}), Touched(frozenset("c"), False, True),
                 id="setdefault-adds"),
    pytest.param(lambda t: t.__setitem__("a", {}), Touched(frozenset("a"), False, False),
                 id="replace"),
    pytest.param(lambda t: t.__setitem__("c", {}), Touched(frozenset("c"), False, True),
                 id="add"),
    pytest.param(lambda t: t.__delitem__("a"), Touched(frozenset("a"), False, True),
                 id="delete"),
    pytest.param(lambda t: t.pop("a"), Touched(frozenset("a"), False, True), id="pop"),
    pytest.param(lambda t: t.pop("z", None), Touched(frozenset("z"), False, False),
                 id="pop-missing"),
    pytest.param(lambda t: ("a" in t, list(t), len(t)), Touched(frozenset(), False, False),
                 id="keys-only"),
    pytest.param(lambda t: list(t.values()), Touched(frozenset(), True, False), id="values"),
    pytest.param(lambda t: list(t.items()), Touched(frozenset(), True, False), id="items"),
    pytest.param(lambda t: t.copy(), Touched(frozenset(), True, False), id="copy"),
    pytest.param(clone, Touched(frozenset(), True, False), id="clone"),
    pytest.param(json.dumps, Touched(frozenset(), True, False), id="json"),
    pytest.param(lambda t: t.update({"c": {}}), Touched(frozenset(), True, True), id="update"),
    pytest.param(lambda t: t.popitem(), Touched(frozenset(), True, True), id="popitem"),
    pytest.param(lambda t: t.clear(), Touched(frozenset(), True, True), id="clear"),
])
def test_what_a_table_notes(use, expected):
    table = _table()
    use(table)
    assert table.touched() == expected


@pytest.mark.parametrize("copied_by", [
    pytest.param(copy.deepcopy, id="deepcopy"),
    pytest.param(lambda t: pickle.loads(pickle.dumps(t)), id="pickle"),
])
def test_a_copied_table_is_a_table_with_nothing_noted(copied_by):
    table = _table()
    table.get("a")
    copied = copied_by(table)
    assert (type(copied), copied, copied.touched()) == (
        Table, table, Touched(frozenset(), False, False))
    assert table.touched().everything


def test_untouch_forgets():
    table = _table()
    table["a"]["n"] = 3
    table.untouch()
    assert table.touched() == Touched(frozenset(), False, False)


def _running() -> Simulation:
    sim = Simulation.from_preset("lecture", seed=1)
    sim.apply(RS, create=True)
    sim.run_until_idle()
    sim.advance(30)
    return sim


def test_an_engine_built_from_a_state_has_touched_nothing():
    rebuilt = Simulation.from_state(_running().state())
    assert rebuilt.touched() == {
        "kubelet/pods": Touched(frozenset(), False, False),
        "events": Touched(frozenset(), False, False)}


def test_a_curl_touches_the_pods_it_reaches_and_no_event():
    sim = Simulation.from_state(_running().state())
    pods = [p["metadata"]["name"] for p in sim.list("pods", "default")]
    ip = sim.get("services", "web")["spec"]["clusterIP"]
    assert sim.exec(pods[0], f"curl -s http://{ip}").exit_code == 0
    noted = sim.touched()
    assert {key.split("/")[1] for key in noted["kubelet/pods"].keys} <= set(pods)
    assert f"default/{pods[0]}" in noted["kubelet/pods"].keys
    assert (noted["kubelet/pods"].reshaped, noted["kubelet/pods"].everything) == (False, False)
    assert noted["events"] == Touched(frozenset(), False, False)


def test_untouch_on_the_facade_forgets_every_table():
    sim = _running()
    sim.untouch()
    assert {t.keys for t in sim.touched().values()} == {frozenset()}
