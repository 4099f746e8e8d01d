"""The garbage collector, sample-controller style: seed owners and dependents, run one
sync, compare what it wrote and what is left of each object.

Its keys name the owner, not the dependent: `gone:<uid>` after an owner's deletion (its
dependents are looked at), `owner:<resource>:<namespace>:<name>` for an owner marked for
deletion with the foregroundDeletion or orphan finalizer."""

import pytest
from fakecluster import actions, defaulted, pod, seeded

from simcore.controllers.garbagecollector import GarbageCollector

GONE = "gone:uid-rs-web"
WAITING = "owner:replicasets.apps:default:web"
MARKED = {"deletionTimestamp": "2021-05-01T09:00:00Z", "deletionGracePeriodSeconds": 0}


def _ref(name: str, uid: str, controller: bool = True, block: bool = True) -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": uid,
            "controller": controller, "blockOwnerDeletion": block}


WEB = _ref("web", "uid-rs-web")
API = _ref("api", "uid-rs-api", controller=False)


def _replicaset(name: str, uid: str, **meta) -> dict:
    labels = {"app": name}
    template = {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "nginx"}]}}
    return defaulted({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                      "metadata": {"name": name, "namespace": "default", "uid": uid, **meta},
                      "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                               "template": template}})


def _dependent(refs: list, node_name: str | None = None, **meta) -> dict:
    """Pod web-a owned through `refs`; unbound unless `node_name`, so it goes at once."""
    return defaulted(pod("web-a", node_name=node_name, ownerReferences=refs, **meta))


def _left(engine) -> dict:
    """What is left of each object: a pod's owner uids and whether it is marked for
    deletion, a ReplicaSet's finalizers; gone objects are absent."""
    view = {}
    for found in engine.store.list("pods", "default"):
        meta = found["metadata"]
        view[f"pod/{meta['name']}"] = ([r["uid"] for r in meta.get("ownerReferences") or []],
                                       bool(meta.get("deletionTimestamp")))
    for found in engine.store.list("replicasets.apps", "default"):
        view[f"rs/{found['metadata']['name']}"] = found["metadata"].get("finalizers")
    return view


@pytest.mark.parametrize("objects, key, expected_actions, left", [
    pytest.param([_dependent([WEB])], GONE, ["DELETED pods default/web-a"], {},
                 id="dependent-of-a-gone-owner-is-deleted"),
    pytest.param([_dependent([WEB], node_name="worker1")], GONE,
                 ["MODIFIED pods default/web-a"], {"pod/web-a": (["uid-rs-web"], True)},
                 id="running-dependent-is-deleted-gracefully"),
    pytest.param([_dependent([WEB, API]), _replicaset("api", "uid-rs-api")], GONE,
                 ["MODIFIED pods default/web-a"],
                 {"pod/web-a": (["uid-rs-api"], False), "rs/api": None},
                 id="dependent-with-another-live-owner-stays-and-drops-the-gone-one"),
    pytest.param([_dependent([WEB, API]), _replicaset("api", "uid-rs-api-recreated")], GONE,
                 ["DELETED pods default/web-a"], {"rs/api": None},
                 id="owner-of-that-name-with-another-uid-counts-as-gone"),
    pytest.param([_dependent([API]), _replicaset("api", "uid-rs-api")], GONE, [],
                 {"pod/web-a": (["uid-rs-api"], False), "rs/api": None},
                 id="dependent-of-an-existing-owner-stays"),
    pytest.param([_dependent([WEB], node_name="worker1", deletionTimestamp="2021-05-01T09:00:30Z")],
                 GONE, [], {"pod/web-a": (["uid-rs-web"], True)},
                 id="dependent-already-going-is-left-alone"),
])
def test_one_sync_after_an_owner_went(objects, key, expected_actions, left):
    engine, collector = seeded(GarbageCollector, [
        ("replicasets.apps" if o["kind"] == "ReplicaSet" else "pods", o) for o in objects])
    since = engine.store.rv
    collector.sync(key)
    assert actions(engine, since) == expected_actions
    assert _left(engine) == left


@pytest.mark.parametrize("owner_meta, objects, expected_actions, left", [
    pytest.param({**MARKED, "finalizers": ["foregroundDeletion"]}, [],
                 ["MODIFIED replicasets.apps default/web", "DELETED replicasets.apps default/web"],
                 {}, id="foreground-owner-without-dependents-loses-its-finalizer-and-goes"),
    pytest.param({**MARKED, "finalizers": ["foregroundDeletion"]}, [_dependent([WEB])],
                 ["DELETED pods default/web-a", "MODIFIED replicasets.apps default/web",
                  "DELETED replicasets.apps default/web"],
                 {}, id="foreground-owner-goes-once-its-dependents-are-gone"),
    pytest.param({**MARKED, "finalizers": ["foregroundDeletion"]},
                 [_dependent([WEB], node_name="worker1")], ["MODIFIED pods default/web-a"],
                 {"rs/web": ["foregroundDeletion"], "pod/web-a": (["uid-rs-web"], True)},
                 id="foreground-owner-waits-for-a-terminating-dependent"),
    pytest.param({**MARKED, "finalizers": ["foregroundDeletion", "example.com/keep"]}, [],
                 ["MODIFIED replicasets.apps default/web"], {"rs/web": ["example.com/keep"]},
                 id="foreground-finalizer-goes-other-finalizers-stay"),
    pytest.param({**MARKED, "finalizers": ["orphan"]}, [_dependent([WEB])],
                 ["MODIFIED pods default/web-a", "MODIFIED replicasets.apps default/web",
                  "DELETED replicasets.apps default/web"],
                 {"pod/web-a": ([], False)}, id="orphan-finalizer-releases-the-dependents"),
    pytest.param({}, [_dependent([WEB])], [], {"rs/web": None, "pod/web-a": (["uid-rs-web"], False)},
                 id="owner-not-being-deleted-keeps-its-dependents"),
])
def test_one_sync_of_an_owner(owner_meta, objects, expected_actions, left):
    engine, collector = seeded(GarbageCollector, [
        ("replicasets.apps", _replicaset("web", "uid-rs-web", **owner_meta)),
        *[("pods", o) for o in objects]])
    since = engine.store.rv
    collector.sync(WAITING)
    assert actions(engine, since) == expected_actions
    assert _left(engine) == left
