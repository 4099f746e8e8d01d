"""The garbage collector, sample-controller style: seed owners and dependents, run one
sync, compare what it wrote and what is left of each object.

Most of its keys name the owner, not the dependent: `gone:<uid>` after an owner's deletion
(its dependents are looked at), `owner:<resource>:<namespace>:<name>` for an owner marked for
deletion with the foregroundDeletion or orphan finalizer. A dependent that appears naming an
owner that is not there is looked at through its own key, `dependent:<resource>:...`, which
the tests below reach through the change feed (engine.settle)."""

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


DEPLOY_WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "uid-deploy-web",
              "controller": True, "blockOwnerDeletion": True}
DEPLOY_WAITING = "owner:deployments.apps:default:web"


def _deployment(**meta) -> dict:
    labels = {"app": "web"}
    template = {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
    return defaulted({"apiVersion": "apps/v1", "kind": "Deployment",
                      "metadata": {"name": "web", "namespace": "default", "uid": "uid-deploy-web",
                                   **meta},
                      "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                               "template": template}})


def _shown(engine) -> dict:
    """Each object left as `kubectl get -o yaml` shows its deletion: whether it is marked
    (deletionTimestamp), its finalizers and the names of its owners."""
    view = {}
    for res, short in (("deployments.apps", "deploy"), ("replicasets.apps", "rs"),
                       ("pods", "pod")):
        for found in engine.store.list(res, "default"):
            meta = found["metadata"]
            view[f"{short}/{meta['name']}"] = (
                bool(meta.get("deletionTimestamp")), meta.get("finalizers"),
                [r["name"] for r in meta.get("ownerReferences") or []])
    return view


@pytest.mark.parametrize("dependents, left", [
    pytest.param([("pods", _dependent([DEPLOY_WEB], node_name="worker1"))],
                 {"deploy/web": (True, ["foregroundDeletion"], []),
                  "pod/web-a": (True, None, ["web"])},
                 id="leaf-is-deleted-in-the-background-without-a-finalizer"),
    pytest.param([("replicasets.apps", _replicaset("web-1", "uid-rs-web-1",
                                                   ownerReferences=[DEPLOY_WEB])),
                  ("pods", _dependent([_ref("web-1", "uid-rs-web-1")], node_name="worker1"))],
                 {"deploy/web": (True, ["foregroundDeletion"], []),
                  "rs/web-1": (True, ["foregroundDeletion"], ["web"]),
                  "pod/web-a": (False, None, ["web-1"])},
                 id="dependent-with-dependents-is-deleted-in-the-foreground"),
])
def test_a_foreground_owner_deletes_its_dependents_as_kubernetes_does(dependents, left):
    """attemptToDeleteItem: a dependent of a waiting owner is deleted in the foreground
    only when it has dependents of its own; a leaf is deleted in the background, so a
    watcher never sees a foregroundDeletion finalizer on a pod."""
    engine, collector = seeded(GarbageCollector, [
        ("deployments.apps", _deployment(**MARKED, finalizers=["foregroundDeletion"])),
        *dependents])
    collector.sync(DEPLOY_WAITING)
    assert _shown(engine) == left


def test_a_foreground_chain_completes_once_the_last_leaf_is_gone():
    """Deployment -> ReplicaSet -> running pod, deleted in the foreground: once the kubelet
    has removed the pod, the ReplicaSet and then the Deployment lose their finalizers."""
    engine, collector = seeded(GarbageCollector, [
        ("deployments.apps", _deployment(**MARKED, finalizers=["foregroundDeletion"])),
        ("replicasets.apps", _replicaset("web-1", "uid-rs-web-1", ownerReferences=[DEPLOY_WEB])),
        ("pods", _dependent([_ref("web-1", "uid-rs-web-1")], node_name="worker1"))])
    collector.queue.add(DEPLOY_WAITING)
    engine.settle()
    engine.api.delete("pods", "web-a", "default", grace_period_seconds=0)  # the kubelet's
    engine.settle()
    assert _shown(engine) == {}


def _orphan_pod(refs: list) -> dict:
    """A pod as a user creates it, naming `refs` as its owners."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-a", "ownerReferences": refs},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}}


WIDGET = {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "uid-widget"}


@pytest.mark.parametrize("owners, refs, left", [
    pytest.param([], [WEB], {}, id="owner-uid-that-never-existed-is-collected"),
    pytest.param([_replicaset("web", "uid-rs-web-recreated")], [WEB],
                 {"rs/web": (False, None, [])}, id="owner-of-that-name-with-another-uid-is-collected"),
    pytest.param([_replicaset("web", "uid-rs-web")], [WEB],
                 {"rs/web": (False, None, []), "pod/web-a": (False, None, ["web"])},
                 id="owner-with-that-uid-keeps-it"),
    pytest.param([_replicaset("api", "uid-rs-api")], [WEB, API],
                 {"rs/api": (False, None, []), "pod/web-a": (False, None, ["api"])},
                 id="one-live-owner-keeps-it-and-the-dangling-reference-goes"),
    pytest.param([], [WIDGET], {"pod/web-a": (False, None, ["w"])},
                 id="owner-of-a-kind-the-cluster-does-not-serve-is-not-judged"),
])
def test_a_dependent_whose_owner_is_absent_is_collected(owners, refs, left):
    """isDangling: an owner absent, or of that name with another uid, is dangling; a
    dependent with only dangling owners is deleted, one with a live owner loses the
    dangling references."""
    engine, _ = seeded(GarbageCollector, [("replicasets.apps", o) for o in owners])
    engine.api.create("pods", _orphan_pod(refs), "default")
    engine.settle()
    assert _shown(engine) == left


def _config_map(name: str, owner: str, **meta) -> dict:
    """ConfigMap `name` owned, blocking, by ConfigMap `owner` (uid-cm-<name>)."""
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-cm-{name}",
                         "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap",
                                              "name": owner, "uid": f"uid-cm-{owner}",
                                              "blockOwnerDeletion": True}], **meta}}


def test_a_foreground_deletion_through_an_ownership_cycle_completes():
    """a owns b and b owns a, both blocking: b, asked to go in the foreground while one of
    its dependents (a) waits for it, first stops blocking its owners (attemptToDeleteItem's
    cycle check), so neither waits for the other for ever."""
    engine, collector = seeded(GarbageCollector, [
        ("configmaps", _config_map("a", "b", **MARKED, finalizers=["foregroundDeletion"])),
        ("configmaps", _config_map("b", "a"))])
    collector.queue.add("owner:configmaps:default:a")
    engine.settle()
    assert engine.store.list("configmaps", "default") == []


def test_a_waiting_owner_goes_when_its_dependent_stops_blocking_it():
    """A dependent held by its own finalizer blocks its owner until its reference says
    blockOwnerDeletion: false; the owner is looked at again then (the graph builder's
    addUnblockedOwnersToDeleteQueue)."""
    waiting = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "a", "namespace": "default", "uid": "uid-cm-a", **MARKED,
                            "finalizers": ["foregroundDeletion"]}}
    engine, collector = seeded(GarbageCollector, [
        ("configmaps", waiting),
        ("configmaps", _config_map("b", "a", **MARKED, finalizers=["example.com/hold"]))])
    collector.sync("owner:configmaps:default:a")
    assert [c["metadata"]["name"] for c in engine.store.list("configmaps", "default")] == \
        ["a", "b"]
    engine.api.patch("configmaps", "b", [{"op": "replace", "value": False, "path":
                                          "/metadata/ownerReferences/0/blockOwnerDeletion"}],
                     "application/json-patch+json", "default")
    engine.settle()
    assert [c["metadata"]["name"] for c in engine.store.list("configmaps", "default")] == ["b"]
