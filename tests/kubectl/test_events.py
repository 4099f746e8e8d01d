"""Events: events.k8s.io/v1 over the same store as core v1, and ages on the cluster's clock.

`kubectl get events` is printed by the server (the cluster's clock);
`kubectl describe` prints ages against the client's wall clock, from the
event's eventTime or firstTimestamp: both must agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from kubernetes import client, config, watch

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py


@pytest.fixture
def api(kubectl) -> client.ApiClient:
    with config.new_client_from_config(config_file=str(kubectl.kubeconfig)) as api_client:
        yield api_client


def _running_pod(kubectl) -> str:
    kubectl("create", "-f", "rs-node-web.yaml")
    kubectl.until(lambda o: o.count(" Running ") == 3, "get", "pods")
    return kubectl("get", "pods", "-o", "name").stdout.splitlines()[0]


def test_describe_prints_the_same_ages_as_get_events(kubectl):
    pod = _running_pod(kubectl)
    described = kubectl("describe", pod).stdout.split("Events:\n", 1)[1]
    rows = [line.split() for line in described.splitlines()[2:]]
    assert rows[0][1] == "Scheduled" and len(rows) >= 4
    assert all(re.fullmatch(r"\d+s|\d+m(\d+s)?", r[2]) for r in rows), described
    listed = kubectl("get", "events", f"--field-selector=involvedObject.name={pod[4:]}").stdout
    assert all(re.match(r"\d+s|\d+m", line) for line in listed.splitlines()[1:]), listed


def test_events_k8s_io_serves_the_core_events(kubectl):
    pod = _running_pod(kubectl)[4:]
    out = kubectl("get", "events.v1.events.k8s.io",
                  f"--field-selector=regarding.name={pod}", "-o",
                  "jsonpath={range .items[*]}{.reason}/{.regarding.kind}/{.note}{'\\n'}{end}",
                  check=False)
    core = kubectl("get", "events", f"--field-selector=involvedObject.name={pod}", "-o",
                   "jsonpath={range .items[*]}{.reason}/{.involvedObject.kind}/{.message}"
                   "{'\\n'}{end}").stdout
    assert out.stdout == core, out.stderr
    assert core.startswith(f"Scheduled/Pod/Successfully assigned default/{pod} to worker")


def test_an_event_posted_through_events_k8s_io_reads_back_through_core(kubectl, api):
    events = client.EventsV1Api(api)
    now = datetime.now(UTC)
    created = events.create_namespaced_event("default", client.EventsV1Event(
        metadata=client.V1ObjectMeta(name="noted"), event_time=now, action="Noting",
        reason="Noted", note="a note", type="Normal", reporting_controller="example.com/tester",
        reporting_instance="tester-1",
        regarding=client.V1ObjectReference(kind="ConfigMap", name="kube-root-ca.crt",
                                           namespace="default")))
    assert abs((created.event_time - now).total_seconds()) < 60  # back on the client's clock
    core = client.CoreV1Api(api).read_namespaced_event("noted", "default")
    assert (core.message, core.reporting_component, core.involved_object.name) == (
        "a note", "example.com/tester", "kube-root-ca.crt")
    row = kubectl("get", "events", "--field-selector=metadata.name=noted").stdout.splitlines()[1]
    assert re.fullmatch(r"\d+s\s+Normal\s+Noted\s+configmap/kube-root-ca.crt\s+a note", row), row


def _post(events: client.EventsV1Api, name: str) -> None:
    events.create_namespaced_event("default", client.EventsV1Event(
        metadata=client.V1ObjectMeta(name=name), event_time=datetime.now(UTC), action="Noting",
        reason="Noted", note=f"note {name}", type="Normal",
        reporting_controller="example.com/tester", reporting_instance="tester-1",
        regarding=client.V1ObjectReference(kind="ConfigMap", name="kube-root-ca.crt",
                                           namespace="default")))


def test_the_python_client_watches_events_k8s_io(kubectl, api):
    """Events that carry an eventTime (the client's model requires one; the kubelet's core
    Events have none, as on a real cluster)."""
    events = client.EventsV1Api(api)
    for name in ("first", "second"):
        _post(events, name)
    seen = [(c["type"], c["object"].regarding.kind, c["object"].note)
            for c in watch.Watch().stream(events.list_namespaced_event, "default",
                                          field_selector="reason=Noted", timeout_seconds=2)]
    assert seen == [("ADDED", "ConfigMap", "note first"), ("ADDED", "ConfigMap", "note second")]


@pytest.mark.parametrize("selector, message", [
    pytest.param("regarding.bogus=x", "field label not supported: regarding.bogus", id="regarding"),
    pytest.param("note=x", "field label not supported: note", id="note"),
])
def test_events_k8s_io_refuses_field_labels_it_does_not_convert(kubectl, selector, message):
    done = kubectl("get", "events.v1.events.k8s.io", f"--field-selector={selector}", check=False)
    assert done.returncode == 1
    assert message in done.stderr
