"""The endpoints controller, sample-controller style: seed a Service and pods, run one
sync(service), compare what it wrote (a slice's name is generated, so that is a pattern),
and the Endpoints object it left: which pod IPs are ready, which are not, and the ports."""

import pytest
from fakecluster import actions, matches, pod, seeded

from simcore.controllers.endpoints import EndpointsController

APP = {"app": "web"}
HTTP = [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
PORT = [{"name": "http", "port": 8080, "protocol": "TCP"}]  # HTTP as an Endpoints port
ENDPOINTS = "ADDED endpoints default/web"
SLICE = r"ADDED endpointslices\.discovery\.k8s\.io default/web-[a-z0-9]{5}"
HAND_MADE = {"apiVersion": "v1", "kind": "Endpoints",
             "metadata": {"name": "web", "namespace": "default", "uid": "uid-ep-web"},
             "subsets": [{"addresses": [{"ip": "11.11.11.11"}],
                          "ports": [{"port": 80, "protocol": "TCP"}]}]}


def _service(selector: dict | None = APP, ports: list | None = None,
             publish_not_ready: bool = False) -> dict:
    spec: dict = {"type": "ClusterIP", "clusterIP": "10.96.0.10", "ports": ports or HTTP}
    if selector:
        spec["selector"] = selector
    if publish_not_ready:
        spec["publishNotReadyAddresses"] = True
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "uid": "uid-svc-web"},
            "spec": spec}


def _backend(name: str, ip: str | None, ready: bool | None = True, phase: str | None = None,
             **meta) -> dict:
    """A pod the Service selects, at `ip` (None: not given one yet)."""
    seed = pod(name, ready=ready, labels=APP, **meta)
    if ip:
        seed["status"]["podIP"] = ip
    if phase:
        seed["status"]["phase"] = phase
    return seed


def _ip_lists(engine) -> list[tuple] | None:
    """Per subset of Endpoints default/web: (ready IPs, not-ready IPs, ports); None when
    there is no such Endpoints."""
    found = engine.store.get("endpoints", "default", "web")
    if found is None:
        return None
    return [([a["ip"] for a in subset.get("addresses") or []],
             [a["ip"] for a in subset.get("notReadyAddresses") or []],
             subset["ports"]) for subset in found.get("subsets") or []]


@pytest.mark.parametrize("objects, expected_actions, ip_lists", [
    pytest.param([_backend("web-a", "10.244.1.2"), _backend("web-b", "10.244.1.3", ready=False)],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], ["10.244.1.3"], PORT)],
                 id="ready-in-addresses-not-ready-in-not-ready-addresses"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  _backend("web-b", "10.244.1.3", deletionTimestamp="2021-05-01T09:00:00Z")],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], [], PORT)],
                 id="terminating-pod-is-not-an-address"),
    pytest.param([_backend("web-a", "10.244.1.2"), _backend("web-b", None, ready=None)],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], [], PORT)],
                 id="pod-without-an-ip-is-left-out"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  {**_backend("web-b", "10.244.1.3", ready=False, phase="Succeeded"),
                   "spec": {**pod()["spec"], "restartPolicy": "Never"}}],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], [], PORT)],
                 id="finished-pod-is-left-out"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  _backend("web-b", "10.244.1.3", ready=False, phase="Failed")],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], [], PORT)],
                 id="failed-pod-is-left-out-even-with-restart-policy-always"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  _backend("web-b", "10.244.1.3", ready=False, phase="Succeeded")],
                 [ENDPOINTS, SLICE], [(["10.244.1.2"], [], PORT)],
                 id="succeeded-pod-is-left-out-even-with-restart-policy-always"),
    pytest.param([_backend("web-a", "10.244.1.100"), _backend("web-b", "10.244.1.88")],
                 [ENDPOINTS, SLICE], [(["10.244.1.100", "10.244.1.88"], [], PORT)],
                 id="addresses-sorted-as-strings"),
    pytest.param([], [ENDPOINTS, SLICE], [], id="no-pods-gives-empty-endpoints"),
])
def test_one_sync_of_a_service_with_a_selector(objects, expected_actions, ip_lists):
    engine, controller = seeded(EndpointsController, [("services", _service()),
                                                      *[("pods", p) for p in objects]])
    since = engine.store.rv
    controller.sync("default/web")
    assert matches(actions(engine, since), expected_actions), actions(engine, since)
    assert _ip_lists(engine) == ip_lists


def _slice_conditions(engine) -> dict[str, dict]:
    """Each endpoint of the Service's one slice: its pod's name -> its conditions."""
    [made] = engine.store.list("endpointslices.discovery.k8s.io", "default")
    return {e["targetRef"]["name"]: e["conditions"] for e in made["endpoints"]}


TERMINATING = "2021-05-01T09:00:00Z"


@pytest.mark.parametrize("objects, ip_lists, conditions", [
    pytest.param([_backend("web-a", "10.244.1.2"), _backend("web-b", "10.244.1.3", ready=False)],
                 [(["10.244.1.2", "10.244.1.3"], [], PORT)],
                 {"web-a": {"ready": True, "serving": True, "terminating": False},
                  "web-b": {"ready": True, "serving": False, "terminating": False}},
                 id="not-ready-pod-is-an-address-and-ready-but-not-serving"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  _backend("web-b", "10.244.1.3", deletionTimestamp=TERMINATING)],
                 [(["10.244.1.2", "10.244.1.3"], [], PORT)],
                 {"web-a": {"ready": True, "serving": True, "terminating": False},
                  "web-b": {"ready": True, "serving": True, "terminating": True}},
                 id="terminating-pod-is-kept-and-ready"),
    pytest.param([_backend("web-a", "10.244.1.2"),
                  _backend("web-b", "10.244.1.3", ready=False, phase="Failed")],
                 [(["10.244.1.2"], [], PORT)],
                 {"web-a": {"ready": True, "serving": True, "terminating": False}},
                 id="finished-pod-is-still-left-out"),
])
def test_publish_not_ready_addresses(objects, ip_lists, conditions):
    """Kubernetes' ShouldPodBeInEndpoints(pod, includeTerminating=publishNotReadyAddresses),
    and podToEndpoint's ready = publishNotReadyAddresses || (serving && !terminating)."""
    engine, controller = seeded(EndpointsController, [
        ("services", _service(publish_not_ready=True)), *[("pods", p) for p in objects]])
    controller.sync("default/web")
    assert _ip_lists(engine) == ip_lists
    assert _slice_conditions(engine) == conditions


def test_a_terminating_pod_stays_in_the_slice_not_ready():
    engine, controller = seeded(EndpointsController, [
        ("services", _service()),
        ("pods", _backend("web-b", "10.244.1.3", deletionTimestamp=TERMINATING))])
    controller.sync("default/web")
    assert _slice_conditions(engine) == {
        "web-b": {"ready": False, "serving": True, "terminating": True}}


def test_an_address_names_its_pod_and_node():
    engine, controller = seeded(EndpointsController, [("services", _service()),
                                                      ("pods", _backend("web-a", "10.244.1.2"))])
    controller.sync("default/web")
    [address] = engine.store.get("endpoints", "default", "web")["subsets"][0]["addresses"]
    assert address == {"ip": "10.244.1.2", "nodeName": "worker1",
                       "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-a",
                                     "uid": "uid-web-a"}}


def test_a_named_target_port_is_resolved_in_each_pod():
    named = [{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}]
    backends = []
    for name, ip, number in (("web-a", "10.244.1.2", 8080), ("web-b", "10.244.1.3", 9090)):
        seed = _backend(name, ip)
        seed["spec"]["containers"][0]["ports"] = [{"name": "web", "containerPort": number}]
        backends.append(("pods", seed))
    engine, controller = seeded(EndpointsController, [("services", _service(ports=named)),
                                                      *backends])
    controller.sync("default/web")
    # one subset per resolved port; Kubernetes orders subsets by a hash, so order is not pinned
    assert sorted(_ip_lists(engine)) == [
        (["10.244.1.2"], [], [{"name": "http", "port": 8080, "protocol": "TCP"}]),
        (["10.244.1.3"], [], [{"name": "http", "port": 9090, "protocol": "TCP"}])]


@pytest.mark.parametrize("objects, expected_actions, ip_lists", [
    pytest.param([], [], None, id="no-endpoints-are-made"),
    pytest.param([("endpoints", HAND_MADE)], [SLICE], [(["11.11.11.11"], [], HAND_MADE[
        "subsets"][0]["ports"])], id="hand-made-endpoints-untouched-and-mirrored"),
])
def test_a_service_without_a_selector_is_left_to_its_user(objects, expected_actions, ip_lists):
    engine, controller = seeded(EndpointsController, [
        ("services", _service(selector=None)), ("pods", _backend("web-a", "10.244.1.2")),
        *objects])
    since = engine.store.rv
    controller.sync("default/web")
    assert matches(actions(engine, since), expected_actions), actions(engine, since)
    assert _ip_lists(engine) == ip_lists


def test_a_deleted_service_takes_its_endpoints():
    engine, controller = seeded(EndpointsController, [("services", _service()),
                                                      ("pods", _backend("web-a", "10.244.1.2"))])
    controller.sync("default/web")
    [made_slice] = engine.store.list("endpointslices.discovery.k8s.io", "default")
    engine.store.remove("services", "default", "web")
    since = engine.store.rv
    controller.sync("default/web")
    assert actions(engine, since) == [
        "DELETED endpoints default/web",
        f"DELETED endpointslices.discovery.k8s.io default/{made_slice['metadata']['name']}"]


MADE_BY_THE_CONTROLLER = {**HAND_MADE, "metadata": {
    **HAND_MADE["metadata"],
    "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "2021-05-01T09:00:00Z"}}}


@pytest.mark.parametrize("endpoints", [
    pytest.param(MADE_BY_THE_CONTROLLER, id="made-by-the-controller"),
    pytest.param(HAND_MADE, id="hand-made"),
])
def test_a_sync_of_a_service_that_is_not_there_deletes_its_endpoints(endpoints):
    """syncService: a Service not found means its Endpoints go, whoever made them, whether
    or not the controller saw the Service's deletion."""
    engine, controller = seeded(EndpointsController, [("endpoints", endpoints)])
    since = engine.store.rv
    controller.sync("default/web")
    assert actions(engine, since) == ["DELETED endpoints default/web"]


def test_endpoints_deleted_by_hand_are_made_again():
    """onEndpointsDelete queues the Service: its Endpoints come back at once."""
    engine, controller = seeded(EndpointsController, [("services", _service()),
                                                      ("pods", _backend("web-a", "10.244.1.2"))])
    controller.sync("default/web")
    engine.settle()
    engine.api.delete("endpoints", "web", "default")
    engine.settle()
    assert _ip_lists(engine) == [(["10.244.1.2"], [], PORT)]


def test_endpoints_made_before_their_service_are_left_alone():
    """The endpoints controller does not watch Endpoints being made; only the mirroring
    controller looks, and it waits for the Service."""
    engine, _ = seeded(EndpointsController, [])
    since = engine.store.rv
    engine.api.create("endpoints", {k: v for k, v in HAND_MADE.items() if k != "metadata"} |
                      {"metadata": {"name": "web"}}, "default")
    engine.settle()
    assert actions(engine, since) == ["ADDED endpoints default/web"]


def test_a_second_sync_with_nothing_changed_writes_nothing():
    engine, controller = seeded(EndpointsController, [("services", _service()),
                                                      ("pods", _backend("web-a", "10.244.1.2"))])
    controller.sync("default/web")
    since = engine.store.rv
    controller.sync("default/web")
    assert actions(engine, since) == []


def test_a_controller_started_over_a_store_deletes_the_endpoints_it_left_behind():
    """A cluster loaded from saved state (the controller never saw its Service go): like
    checkLeftoverEndpoints at start, the Endpoints this controller made for a Service that
    is not there are deleted. Hand-made ones are left until a Service of their name goes
    (an engine is rebuilt from saved state far more often than a controller restarts, and a
    student's Endpoints made before its Service must survive that)."""
    hand_made = {**HAND_MADE, "metadata": {**HAND_MADE["metadata"], "name": "external"}}
    engine, _ = seeded(EndpointsController, [("endpoints", MADE_BY_THE_CONTROLLER),
                                             ("endpoints", hand_made)])
    since = engine.store.rv
    engine.settle()
    assert actions(engine, since) == ["DELETED endpoints default/web"]
