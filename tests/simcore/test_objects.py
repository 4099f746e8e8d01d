"""simcore.objects: the one copy of the small readers every part of the house shares."""

import pytest

from simcore.objects import drop_owner, node_ip, node_ready, pod_ready, tolerates

NODE = {"status": {"addresses": [{"type": "Hostname", "address": "node-1"},
                                 {"type": "InternalIP", "address": "10.0.0.2"}],
                   "conditions": [{"type": "Ready", "status": "True"}]}}


def test_node_ip_is_the_internal_address():
    assert node_ip(NODE) == "10.0.0.2"
    assert node_ip({"status": {}}) == ""


@pytest.mark.parametrize("status, ready", [
    pytest.param("True", True, id="true"),
    pytest.param("Unknown", False, id="unknown"),
    pytest.param(None, False, id="no-condition"),
])
def test_readiness_is_the_ready_condition(status, ready):
    obj = {"status": {"conditions": [] if status is None else
                      [{"type": "Ready", "status": status}]}}
    assert node_ready(obj) is ready
    assert pod_ready(obj) is ready


def test_dropping_the_last_owner_removes_the_field():
    obj = {"metadata": {"ownerReferences": [{"uid": "a"}, {"uid": "b"}]}}
    drop_owner(obj, "a")
    assert obj["metadata"]["ownerReferences"] == [{"uid": "b"}]
    drop_owner(obj, "b")
    assert "ownerReferences" not in obj["metadata"]


TAINT = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}


@pytest.mark.parametrize("toleration, tolerated", [
    pytest.param({"key": "dedicated", "value": "gpu"}, True, id="equal-any-effect"),
    pytest.param({"key": "dedicated", "value": "cpu"}, False, id="equal-other-value"),
    pytest.param({"key": "dedicated", "operator": "Exists"}, True, id="exists-key"),
    pytest.param({"operator": "Exists"}, True, id="exists-everything"),
    pytest.param({"operator": "Exists", "effect": "NoExecute"}, False, id="other-effect"),
    pytest.param({"key": "other", "operator": "Exists"}, False, id="other-key"),
])
def test_tolerates_is_toleration_tolerates_taint(toleration, tolerated):
    assert tolerates([toleration], TAINT) is tolerated
