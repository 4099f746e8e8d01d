"""Server-side Table printing: the cells kubectl shows, as printers.go computes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simcore import printers
from simcore.printers.duration import age, human_duration

NOW = datetime(2021, 5, 1, 12, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    moment = NOW - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if not moment.microsecond else
                                                    f".{moment.microsecond:06d}Z")


def cells(kind: str, obj: dict) -> list:
    return printers.table(kind, [obj], NOW)["rows"][0]["cells"]


def metadata(name: str, seconds: float = 60, **extra) -> dict:
    return {"name": name, "namespace": "default", "creationTimestamp": ago(seconds), **extra}


# --- durations ------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [
    pytest.param(-3, "<invalid>", id="future-beyond-tolerance"),
    pytest.param(-2, "<invalid>", id="two-seconds-ahead"),
    pytest.param(-1.5, "0s", id="truncated-to-minus-one"),
    pytest.param(-1, "0s", id="one-second-ahead"),
    pytest.param(0, "0s", id="now"),
    pytest.param(52, "52s", id="lecture-52s"),
    pytest.param(60, "60s", id="lecture-60s-not-1m"),
    pytest.param(119.9, "119s", id="truncated-not-rounded"),
    pytest.param(120, "2m", id="two-minutes"),
    pytest.param(268, "4m28s", id="lecture-4m28s"),
    pytest.param(599, "9m59s", id="under-ten-minutes"),
    pytest.param(900, "15m", id="lecture-15m"),
    pytest.param(4020, "67m", id="minutes-up-to-3h"),
    pytest.param(10799, "179m", id="just-under-3h"),
    pytest.param(10800, "3h", id="three-hours"),
    pytest.param(18720, "5h12m", id="hours-and-minutes"),
    pytest.param(28800, "8h", id="eight-hours"),
    pytest.param(47 * 3600 + 3599, "47h", id="just-under-2d"),
    pytest.param(48 * 3600, "2d", id="two-days"),
    pytest.param(5 * 86400 + 23 * 3600, "5d23h", id="lecture-5d23h"),
    pytest.param(8 * 86400, "8d", id="eight-days"),
    pytest.param(123 * 86400 + 7200, "123d", id="lecture-123d"),
    pytest.param(730 * 86400, "2y", id="two-years"),
    pytest.param(731 * 86400, "2y1d", id="years-and-days"),
    pytest.param(8 * 365 * 86400, "8y", id="eight-years"),
])
def test_human_duration_matches_apimachinery(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize("timestamp, text", [
    pytest.param(None, "<unknown>", id="missing"),
    pytest.param("", "<unknown>", id="empty"),
    pytest.param("0001-01-01T00:00:00Z", "<unknown>", id="go-zero-time"),
    pytest.param("2021-05-01T11:55:32Z", "4m28s", id="rfc3339"),
    pytest.param("2021-05-01T11:59:08.500000Z", "51s", id="micro-time"),
    pytest.param("2021-05-01T12:00:05Z", "<invalid>", id="in-the-future"),
])
def test_age_reads_rfc3339_timestamps(timestamp, text):
    assert age(timestamp, NOW) == text


# --- the Table envelope ---------------------------------------------------------------------

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "default", "uid": "u-1", "resourceVersion": "7",
                          "creationTimestamp": ago(900), "labels": {"a": "b"}},
             "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def test_it_builds_the_table_kubectl_expects():
    assert printers.table("Namespace", [NAMESPACE], NOW, resource_version="1055") == {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "1055"},
        "columnDefinitions": printers.columns("Namespace"),
        "rows": [{"cells": ["default", "Active", "15m"],
                  "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": NAMESPACE["metadata"]}}],
    }


def test_column_definitions_carry_every_field():
    assert printers.columns("Namespace") == [
        {"name": "Name", "type": "string", "format": "name",
         "description": printers.columns("Pod")[0]["description"], "priority": 0},
        {"name": "Status", "type": "string", "format": "",
         "description": "The status of the namespace", "priority": 0},
        {"name": "Age", "type": "string", "format": "",
         "description": printers.columns("Pod")[4]["description"], "priority": 0},
    ]


@pytest.mark.parametrize("include_object, expected", [
    pytest.param("Object", NAMESPACE, id="full-object"),
    pytest.param("None", None, id="no-object"),
])
def test_it_honours_include_object(include_object, expected):
    row = printers.table("Namespace", [NAMESPACE], NOW, include_object=include_object)["rows"][0]
    assert row.get("object") == expected
    assert ("object" in row) is (expected is not None)


def test_an_unset_resource_version_leaves_metadata_empty():
    assert printers.table("Namespace", [], NOW)["metadata"] == {}


def test_it_refuses_an_unknown_include_object():
    with pytest.raises(ValueError) as err:
        printers.table("Namespace", [NAMESPACE], NOW, include_object="All")
    assert str(err.value) == 'unrecognized includeObject value: "All"'


@pytest.mark.parametrize("kind, names, wide", [
    pytest.param("Pod", ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                 ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"], id="pods"),
    pytest.param("Service", ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
                 ["SELECTOR"], id="services"),
    pytest.param("Endpoints", ["NAME", "ENDPOINTS", "AGE"], [], id="endpoints"),
    pytest.param("EndpointSlice", ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], [],
                 id="endpointslices"),
    pytest.param("Node", ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
                 ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                  "CONTAINER-RUNTIME"], id="nodes"),
    pytest.param("ReplicaSet", ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
                 ["CONTAINERS", "IMAGES", "SELECTOR"], id="replicasets"),
    pytest.param("ReplicationController", ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
                 ["CONTAINERS", "IMAGES", "SELECTOR"], id="replicationcontrollers"),
    pytest.param("Deployment", ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
                 ["CONTAINERS", "IMAGES", "SELECTOR"], id="deployments"),
    pytest.param("DaemonSet", ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE",
                               "NODE SELECTOR", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                 id="daemonsets"),
    pytest.param("StatefulSet", ["NAME", "READY", "AGE"], ["CONTAINERS", "IMAGES"],
                 id="statefulsets"),
    pytest.param("Job", ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
                 ["CONTAINERS", "IMAGES", "SELECTOR"], id="jobs"),
    pytest.param("CronJob", ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE",
                             "LAST SCHEDULE", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"],
                 id="cronjobs"),
    pytest.param("Ingress", ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], [],
                 id="ingresses"),
    pytest.param("IngressClass", ["NAME", "CONTROLLER", "PARAMETERS", "AGE"], [],
                 id="ingressclasses"),
    pytest.param("Event", ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
                 ["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"], id="events"),
    pytest.param("Namespace", ["NAME", "STATUS", "AGE"], [], id="namespaces"),
    pytest.param("ConfigMap", ["NAME", "DATA", "AGE"], [], id="configmaps"),
    pytest.param("Secret", ["NAME", "TYPE", "DATA", "AGE"], [], id="secrets"),
    pytest.param("ServiceAccount", ["NAME", "SECRETS", "AGE"], [], id="serviceaccounts"),
    pytest.param("Lease", ["NAME", "HOLDER", "AGE"], [], id="leases"),
    pytest.param("PersistentVolume", ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY",
                                      "STATUS", "CLAIM", "STORAGECLASS",
                                      "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
                 ["VOLUMEMODE"], id="persistentvolumes"),
    pytest.param("PersistentVolumeClaim", ["NAME", "STATUS", "VOLUME", "CAPACITY",
                                           "ACCESS MODES", "STORAGECLASS",
                                           "VOLUMEATTRIBUTESCLASS", "AGE"], ["VOLUMEMODE"],
                 id="persistentvolumeclaims"),
    pytest.param("StorageClass", ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                                  "ALLOWVOLUMEEXPANSION", "AGE"], [], id="storageclasses"),
    pytest.param("LimitRange", ["NAME", "CREATED AT"], [], id="default-table"),
])
def test_column_sets_follow_printers_go(kind, names, wide):
    defs = printers.columns(kind)
    assert [c["name"].upper() for c in defs if c["priority"] == 0] == names
    assert [c["name"].upper() for c in defs if c["priority"] == 1] == wide


def test_every_row_has_one_cell_per_column():
    for kind, obj in [("Pod", _pod()), ("Event", EVENT), ("Node", MASTER), ("Job", THROW_DICE),
                      ("CronJob", CRON_JOB), ("LimitRange", {"metadata": {"name": "x"}})]:
        assert len(cells(kind, obj)) == len(printers.columns(kind)), kind


# --- pods -----------------------------------------------------------------------------------

def _pod(phase="Running", containers=None, init=None, init_statuses=None, deleting=False,
         reason=None, conditions=None, spec_extra=None) -> dict:
    names = [{"name": f"c{i}", "image": "x"} for i in range(len(containers or [{}]))]
    status = {"phase": phase, "containerStatuses": containers or [],
              "conditions": conditions or []}
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if reason:
        status["reason"] = reason
    meta = metadata("rs-node-web-2lnsc", 600)
    if deleting:
        meta["deletionTimestamp"] = ago(-30)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": names, "initContainers": init or [], **(spec_extra or {})},
            "status": status}


def running(ready=True, restarts=0, finished=None) -> dict:
    cs = {"name": "c0", "ready": ready, "restartCount": restarts,
          "state": {"running": {"startedAt": ago(300)}}}
    if finished is not None:
        cs["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": ago(finished)}}
    return cs


def waiting(reason, restarts=0) -> dict:
    return {"name": "c0", "ready": False, "restartCount": restarts,
            "state": {"waiting": {"reason": reason}}}


def terminated(exit_code=0, reason=None, signal=None, name="c0") -> dict:
    state = {"exitCode": exit_code, "finishedAt": ago(10)}
    if reason:
        state["reason"] = reason
    if signal:
        state["signal"] = signal
    return {"name": name, "ready": False, "restartCount": 0, "state": {"terminated": state}}


INIT_SPECS = [{"name": "init-a", "image": "x"}, {"name": "init-b", "image": "x"}]
READY_TRUE = [{"type": "Ready", "status": "True"}]


@pytest.mark.parametrize("pod, ready, status", [
    pytest.param(_pod("Pending"), "0/1", "Pending", id="pending-unscheduled"),
    pytest.param(_pod("Pending", [waiting("ContainerCreating")]), "0/1", "ContainerCreating",
                 id="container-creating"),
    pytest.param(_pod("Running", [running()]), "1/1", "Running", id="running"),
    pytest.param(_pod("Running", [running(ready=False)]), "0/1", "Running",
                 id="running-not-ready"),
    pytest.param(_pod("Succeeded", [terminated(0, "Completed")]), "0/1", "Completed",
                 id="job-pod-completed"),
    pytest.param(_pod("Failed", [terminated(1, "Error")]), "0/1", "Error", id="job-pod-error"),
    pytest.param(_pod("Running", [waiting("CrashLoopBackOff", 3)]), "0/1", "CrashLoopBackOff",
                 id="crash-loop"),
    pytest.param(_pod("Pending", [waiting("ImagePullBackOff")]), "0/1", "ImagePullBackOff",
                 id="image-pull-backoff"),
    pytest.param(_pod("Failed", [terminated(137)]), "0/1", "ExitCode:137", id="exit-code"),
    pytest.param(_pod("Failed", [terminated(0, signal=9)]), "0/1", "Signal:9", id="signal"),
    pytest.param(_pod("Running", [running()], deleting=True), "1/1", "Terminating",
                 id="terminating"),
    pytest.param(_pod("Succeeded", [terminated(0, "Completed")], deleting=True), "0/1",
                 "Completed", id="terminal-pod-being-deleted"),
    pytest.param(_pod("Running", [running()], deleting=True, reason="NodeLost"), "1/1",
                 "Unknown", id="node-lost"),
    pytest.param(_pod("Failed", reason="Evicted"), "0/1", "Evicted", id="status-reason"),
    pytest.param(_pod("Pending", init=INIT_SPECS, init_statuses=[
        terminated(0, "Completed", name="init-a"),
        {"name": "init-b", "state": {"running": {}}, "ready": False, "restartCount": 0}]),
        "0/1", "Init:1/2", id="init-progress"),
    pytest.param(_pod("Pending", init=INIT_SPECS, init_statuses=[
        {"name": "init-a", "restartCount": 2, "state": {"waiting": {"reason":
                                                                    "CrashLoopBackOff"}}}]),
        "0/1", "Init:CrashLoopBackOff", id="init-crash-loop"),
    pytest.param(_pod("Pending", init=INIT_SPECS, init_statuses=[
        {"name": "init-a", "restartCount": 0, "state": {"waiting": {"reason":
                                                                    "PodInitializing"}}}]),
        "0/1", "Init:0/2", id="init-pod-initializing"),
    pytest.param(_pod("Pending", init=INIT_SPECS, init_statuses=[terminated(1, name="init-a")]),
                 "0/1", "Init:ExitCode:1", id="init-exit-code"),
    pytest.param(_pod("Pending", init=INIT_SPECS,
                      init_statuses=[terminated(1, "Error", name="init-a")]),
                 "0/1", "Init:Error", id="init-error"),
    pytest.param(_pod("Running", [running(), terminated(0, "Completed", name="c1")],
                      conditions=READY_TRUE), "1/2", "Running",
                 id="completed-next-to-running-ready"),
    pytest.param(_pod("Running", [running(), terminated(0, "Completed", name="c1")]), "1/2",
                 "NotReady", id="completed-next-to-running-not-ready"),
    pytest.param(_pod("Pending", conditions=[{"type": "PodScheduled", "status": "False",
                                              "reason": "SchedulingGated"}]),
                 "0/1", "SchedulingGated", id="scheduling-gated"),
])
def test_pod_ready_and_status(pod, ready, status):
    row = cells("Pod", pod)
    assert (row[1], row[2]) == (ready, status)


def test_sidecar_init_containers_count_as_containers():
    pod = _pod("Running", [running()], init=[{"name": "proxy", "restartPolicy": "Always"}],
               init_statuses=[{"name": "proxy", "started": True, "ready": True,
                               "restartCount": 1, "state": {"running": {}},
                               "lastState": {"terminated": {"finishedAt": ago(30)}}}],
               conditions=[{"type": "Initialized", "status": "True"}])
    assert cells("Pod", pod)[1:4] == ["2/2", "Running", "1 (30s ago)"]


@pytest.mark.parametrize("statuses, restarts", [
    pytest.param([running()], "0", id="never-restarted"),
    pytest.param([running(restarts=3, finished=120)], "3 (2m ago)", id="with-last-restart"),
    pytest.param([running(restarts=2)], "2", id="restart-without-time"),
    pytest.param([running(restarts=1, finished=600), dict(running(restarts=2, finished=65),
                                                          name="c1")],
                 "3 (65s ago)", id="newest-of-all-containers"),
])
def test_pod_restarts(statuses, restarts):
    assert cells("Pod", _pod("Running", statuses))[3] == restarts


def test_lecture_pod_row_with_wide_cells():
    pod = _pod("Running", [running()])
    pod["spec"]["nodeName"] = "worker2"
    pod["status"]["podIP"] = "10.244.2.3"
    assert cells("Pod", pod) == ["rs-node-web-2lnsc", "1/1", "Running", "0", "10m",
                                 "10.244.2.3", "worker2", "<none>", "<none>"]


@pytest.mark.parametrize("status_extra, ip", [
    pytest.param({}, "<none>", id="unassigned"),
    pytest.param({"podIPs": [{"ip": "10.244.1.88"}]}, "10.244.1.88", id="pod-ips"),
    pytest.param({"podIP": "10.244.1.89", "podIPs": [{"ip": "10.244.9.9"}]}, "10.244.1.89",
                 id="pod-ip-authoritative"),
])
def test_pod_ip_cell(status_extra, ip):
    pod = _pod("Running", [running()])
    pod["status"].update(status_extra)
    assert cells("Pod", pod)[5] == ip


def test_readiness_gates_cell_counts_true_conditions():
    pod = _pod("Running", [running()], spec_extra={"readinessGates": [
        {"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]},
        conditions=[{"type": "example.com/lb", "status": "True"}])
    assert cells("Pod", pod)[8] == "1/2"


@pytest.mark.parametrize("phase, conditions", [
    pytest.param("Succeeded", [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                "message": "The pod has completed successfully."}],
                 id="succeeded"),
    pytest.param("Failed", [{"type": "Completed", "status": "True", "reason": "Failed",
                             "message": "The pod failed."}], id="failed"),
    pytest.param("Running", None, id="running"),
])
def test_finished_pods_carry_a_completed_row_condition(phase, conditions):
    row = printers.table("Pod", [_pod(phase, [running()])], NOW)["rows"][0]
    assert row.get("conditions") == conditions


# --- services, endpoints, slices ------------------------------------------------------------

def _service(name, svc_type, ports, cluster_ip="10.110.15.244", **spec_extra) -> dict:
    spec = {"type": svc_type, "ports": ports, "selector": {"app": "node-web"}, **spec_extra}
    if cluster_ip is not None:
        spec["clusterIP"] = cluster_ip
        spec["clusterIPs"] = [cluster_ip]
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata(name, 52),
            "spec": spec, "status": {"loadBalancer": {}}}


HTTP = {"port": 80, "protocol": "TCP", "targetPort": 8080}


@pytest.mark.parametrize("svc, row", [
    pytest.param(_service("svc-node", "ClusterIP", [HTTP], "10.104.191.116"),
                 ["svc-node", "ClusterIP", "10.104.191.116", "<none>", "80/TCP", "52s",
                  "app=node-web"], id="lecture-clusterip"),
    pytest.param(_service("svc-nodeport", "NodePort", [dict(HTTP, nodePort=30123)]),
                 ["svc-nodeport", "NodePort", "10.110.15.244", "<none>", "80:30123/TCP", "52s",
                  "app=node-web"], id="lecture-nodeport"),
    pytest.param(_service("svc-lb", "LoadBalancer", [dict(HTTP, nodePort=32701)],
                          "10.110.162.50"),
                 ["svc-lb", "LoadBalancer", "10.110.162.50", "<pending>", "80:32701/TCP", "52s",
                  "app=node-web"], id="lecture-loadbalancer-pending"),
    pytest.param(_service("kube-dns", "ClusterIP", [
        {"name": "dns", "port": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
        {"name": "metrics", "port": 9153, "protocol": "TCP"}], "10.96.0.10"),
        ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP", "52s",
         "app=node-web"], id="several-ports"),
    pytest.param(_service("headless", "ClusterIP", [HTTP], "None"),
                 ["headless", "ClusterIP", "None", "<none>", "80/TCP", "52s", "app=node-web"],
                 id="headless"),
    pytest.param(_service("external-service", "ExternalName", [], None,
                          externalName="google.com"),
                 ["external-service", "ExternalName", "<none>", "google.com", "<none>", "52s",
                  "app=node-web"], id="externalname"),
    pytest.param(_service("svc-eip", "ClusterIP", [HTTP], externalIPs=["192.168.1.10"]),
                 ["svc-eip", "ClusterIP", "10.110.15.244", "192.168.1.10", "80/TCP", "52s",
                  "app=node-web"], id="external-ips"),
])
def test_service_rows(svc, row):
    assert cells("Service", svc) == row


@pytest.mark.parametrize("ingress, external_ips, shown", [
    pytest.param([{"ip": "192.168.1.240"}], [], "192.168.1.240", id="metallb-ip"),
    pytest.param([{"ip": "192.168.1.241"}, {"ip": "192.168.1.240"}, {"hostname": "lb.example"}],
                 [], "192.168.1.240,192.168.1.241,lb.example", id="sorted-ips-and-hostnames"),
    pytest.param([{"ip": "192.168.1.240"}], ["10.0.0.9"], "192.168.1.240,10.0.0.9",
                 id="with-external-ips"),
    pytest.param([], ["10.0.0.9"], "10.0.0.9", id="external-ips-without-ingress"),
])
def test_load_balancer_external_ip(ingress, external_ips, shown):
    svc = _service("svc-lb", "LoadBalancer", [dict(HTTP, nodePort=32701)])
    svc["spec"]["externalIPs"] = external_ips
    svc["status"] = {"loadBalancer": {"ingress": ingress}}
    assert cells("Service", svc)[3] == shown


def test_service_without_selector_prints_none():
    svc = _service("external", "ClusterIP", [HTTP])
    del svc["spec"]["selector"]
    assert cells("Service", svc)[6] == "<none>"


def _endpoints(subsets) -> dict:
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": metadata("svc-node", 268),
            "subsets": subsets}


LECTURE_SUBSET = {"addresses": [{"ip": "10.244.1.88"}, {"ip": "10.244.1.89"},
                                {"ip": "10.244.2.22"}, {"ip": "10.244.2.23"}],
                  "notReadyAddresses": [{"ip": "10.244.1.90"}],
                  "ports": [{"port": 8080, "protocol": "TCP"}]}


@pytest.mark.parametrize("subsets, shown", [
    pytest.param([LECTURE_SUBSET],
                 "10.244.1.88:8080,10.244.1.89:8080,10.244.2.22:8080 + 1 more...",
                 id="lecture-four-endpoints"),
    pytest.param([{"addresses": [{"ip": "10.244.1.88"}], "ports": [{"port": 8080}]}],
                 "10.244.1.88:8080", id="one"),
    pytest.param([], "<none>", id="no-subsets"),
    pytest.param([{"notReadyAddresses": [{"ip": "10.244.1.90"}], "ports": [{"port": 8080}]}],
                 "", id="only-not-ready"),
    pytest.param([{"addresses": [{"ip": "10.244.1.88"}, {"ip": "10.244.1.89"}],
                   "ports": [{"name": "http", "port": 8080}, {"name": "https", "port": 8443}]}],
                 "10.244.1.88:8080,10.244.1.89:8080,10.244.1.88:8443 + 1 more...",
                 id="addresses-times-ports"),
    pytest.param([{"addresses": [{"ip": "10.244.1.88"}]}], "10.244.1.88",
                 id="headless-without-ports"),
    pytest.param([{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}], "[fd00::1]:80",
                 id="ipv6"),
])
def test_endpoints_cell(subsets, shown):
    assert cells("Endpoints", _endpoints(subsets)) == ["svc-node", shown, "4m28s"]


def _slice(ports, endpoints) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": metadata("svc-node-x7k2p", 268), "addressType": "IPv4",
            "ports": ports, "endpoints": endpoints}


@pytest.mark.parametrize("ports, endpoints, row", [
    pytest.param([{"port": 8080, "protocol": "TCP"}],
                 [{"addresses": [ip], "conditions": {"ready": True}}
                  for ip in ("10.244.1.88", "10.244.1.89", "10.244.2.22", "10.244.2.23")],
                 ["svc-node-x7k2p", "IPv4", "8080",
                  "10.244.1.88,10.244.1.89,10.244.2.22 + 1 more...", "4m28s"], id="four"),
    pytest.param([], [], ["svc-node-x7k2p", "IPv4", "<unset>", "<unset>", "4m28s"],
                 id="empty"),
    pytest.param([{"name": "http"}, {}], [{"addresses": ["10.244.1.88"]}],
                 ["svc-node-x7k2p", "IPv4", "http,*", "10.244.1.88", "4m28s"],
                 id="named-and-all-ports"),
])
def test_endpoint_slice_rows(ports, endpoints, row):
    assert cells("EndpointSlice", _slice(ports, endpoints)) == row


# --- nodes ----------------------------------------------------------------------------------

def _node(name, labels, ready="True", unschedulable=False, info=True, seconds=124 * 86400):
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "creationTimestamp": ago(seconds), "labels": labels},
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}],
                       "addresses": [{"type": "InternalIP", "address": "192.168.100.119"},
                                     {"type": "Hostname", "address": name}]}}
    if ready is not None:
        node["status"]["conditions"].append({"type": "Ready", "status": ready})
    if info:
        node["status"]["nodeInfo"] = {"kubeletVersion": "v1.20.1",
                                      "osImage": "Ubuntu 20.04.2 LTS",
                                      "kernelVersion": "5.4.0-72-generic",
                                      "containerRuntimeVersion": "docker://20.10.1"}
    return node


MASTER = _node("master-stg", {"kubernetes.io/hostname": "master-stg",
                              "node-role.kubernetes.io/master": "",
                              "node-role.kubernetes.io/control-plane": ""})


@pytest.mark.parametrize("node, row", [
    pytest.param(MASTER, ["master-stg", "Ready", "control-plane,master", "124d", "v1.20.1",
                          "192.168.100.119", "<none>", "Ubuntu 20.04.2 LTS",
                          "5.4.0-72-generic", "docker://20.10.1"], id="lecture-master"),
    pytest.param(_node("worker2", {}, seconds=5 * 86400 + 23 * 3600),
                 ["worker2", "Ready", "<none>", "5d23h", "v1.20.1", "192.168.100.119",
                  "<none>", "Ubuntu 20.04.2 LTS", "5.4.0-72-generic", "docker://20.10.1"],
                 id="lecture-worker"),
    pytest.param(_node("w", {}, info=False),
                 ["w", "Ready", "<none>", "124d", "", "192.168.100.119", "<none>",
                  "<unknown>", "<unknown>", "<unknown>"], id="no-node-info"),
])
def test_node_rows(node, row):
    assert cells("Node", node) == row


@pytest.mark.parametrize("ready, unschedulable, status", [
    pytest.param("False", False, "NotReady", id="not-ready"),
    pytest.param("Unknown", False, "NotReady", id="ready-unknown"),
    pytest.param(None, False, "Unknown", id="no-ready-condition"),
    pytest.param("True", True, "Ready,SchedulingDisabled", id="cordoned"),
])
def test_node_status(ready, unschedulable, status):
    assert cells("Node", _node("w", {}, ready, unschedulable))[1] == status


@pytest.mark.parametrize("labels, roles", [
    pytest.param({"kubernetes.io/role": "ingress"}, "ingress", id="legacy-role-label"),
    pytest.param({"node-role.kubernetes.io/": "", "kubernetes.io/role": ""}, "<none>",
                 id="empty-roles-ignored"),
    pytest.param({"node-role.kubernetes.io/worker": "", "kubernetes.io/role": "worker"},
                 "worker", id="deduplicated"),
])
def test_node_roles(labels, roles):
    assert cells("Node", _node("w", labels))[2] == roles


# --- workloads ------------------------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "node-web"}},
            "spec": {"containers": [{"name": "node-web", "image": "kodekloud/webapp-color"},
                                    {"name": "sidecar", "image": "busybox"}]}}
IN_NODE_WEB = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["node-web"]}]}


def test_lecture_replica_set_row_has_integer_counts():
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": metadata("rs-node-web", 900),
          "spec": {"replicas": 3, "selector": IN_NODE_WEB, "template": TEMPLATE},
          "status": {"replicas": 3, "readyReplicas": 2}}
    assert cells("ReplicaSet", rs) == ["rs-node-web", 3, 3, 2, "15m", "node-web,sidecar",
                                       "kodekloud/webapp-color,busybox", "app in (node-web)"]


def test_replica_set_with_fresh_status_shows_zeros():
    rs = {"metadata": metadata("rs", 5), "spec": {"replicas": 3, "selector": IN_NODE_WEB,
                                                  "template": TEMPLATE}, "status": {}}
    assert cells("ReplicaSet", rs)[1:5] == [3, 0, 0, "5s"]


def test_replication_controller_row_prints_a_map_selector():
    rc = {"metadata": metadata("rc-web", 60),
          "spec": {"replicas": 2, "selector": {"app": "web"}, "template": TEMPLATE},
          "status": {"replicas": 2, "readyReplicas": 2}}
    assert cells("ReplicationController", rc) == [
        "rc-web", 2, 2, 2, "60s", "node-web,sidecar", "kodekloud/webapp-color,busybox",
        "app=web"]


def test_deployment_row():
    deploy = {"metadata": metadata("web", 3 * 3600),
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": TEMPLATE},
              "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
    assert cells("Deployment", deploy) == ["web", "2/3", 3, 2, "3h", "node-web,sidecar",
                                           "kodekloud/webapp-color,busybox", "app=web"]


def test_stateful_set_row():
    sts = {"metadata": metadata("db", 120), "spec": {"replicas": 3, "template": TEMPLATE},
           "status": {"readyReplicas": 1}}
    assert cells("StatefulSet", sts) == ["db", "1/3", "2m", "node-web,sidecar",
                                         "kodekloud/webapp-color,busybox"]


def test_daemon_set_row():
    ds = {"metadata": metadata("kube-proxy", 124 * 86400),
          "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                   "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                         "containers": [{"name": "kube-proxy",
                                                         "image": "k8s.gcr.io/kube-proxy:v1.20.1"}]}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3,
                     "updatedNumberScheduled": 3, "numberAvailable": 3}}
    assert cells("DaemonSet", ds) == ["kube-proxy", 3, 3, 3, 3, 3, "kubernetes.io/os=linux",
                                      "124d", "kube-proxy", "k8s.gcr.io/kube-proxy:v1.20.1",
                                      "k8s-app=kube-proxy"]


def _job(spec_extra, status, meta_extra=None) -> dict:
    spec = {"backoffLimit": 25, "selector": {"matchLabels": {"controller-uid": "1c2d"}},
            "template": {"spec": {"containers": [{"name": "throw-dice",
                                                  "image": "kodekloud/throw-dice"}]}},
            **spec_extra}
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {**metadata("throw-dice-job", 57), **(meta_extra or {})},
            "spec": spec, "status": status}


THROW_DICE = _job({"completions": 3, "parallelism": 3},
                  {"startTime": ago(57), "completionTime": ago(5), "succeeded": 3, "failed": 10,
                   "conditions": [{"type": "Complete", "status": "True"}]})


def test_lecture_job_row():
    assert cells("Job", THROW_DICE) == ["throw-dice-job", "Complete", "3/3", "52s", "57s",
                                        "throw-dice", "kodekloud/throw-dice",
                                        "controller-uid=1c2d"]


@pytest.mark.parametrize("job, status, completions, duration", [
    pytest.param(_job({"completions": 3, "parallelism": 3},
                      {"startTime": ago(20), "succeeded": 1, "active": 2}),
                 "Running", "1/3", "20s", id="running-duration-grows"),
    pytest.param(_job({"parallelism": 3}, {"startTime": ago(20)}), "Running", "0/1 of 3", "20s",
                 id="work-queue"),
    pytest.param(_job({"completions": None, "parallelism": 1}, {"succeeded": 1}), "Running",
                 "1/1", "", id="not-started"),
    pytest.param(_job({"completions": 1}, {"startTime": ago(30), "conditions": [
        {"type": "Failed", "status": "True"}]}), "Failed", "0/1", "30s", id="failed"),
    pytest.param(_job({"completions": 1}, {"conditions": [
        {"type": "Suspended", "status": "True"}]}), "Suspended", "0/1", "", id="suspended"),
    pytest.param(_job({"completions": 1}, {"conditions": [
        {"type": "FailureTarget", "status": "True"}]}), "FailureTarget", "0/1", "",
        id="failure-target"),
    pytest.param(_job({"completions": 1}, {"conditions": [
        {"type": "Complete", "status": "False"}]}), "Running", "0/1", "",
        id="false-condition-ignored"),
    pytest.param(_job({"completions": 1}, {}, {"deletionTimestamp": ago(1)}), "Terminating",
                 "0/1", "", id="terminating"),
])
def test_job_status_completions_duration(job, status, completions, duration):
    assert cells("Job", job)[1:4] == [status, completions, duration]


CRON_JOB = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": metadata("hello", 600),
            "spec": {"schedule": "*/1 * * * *", "suspend": False,
                     "jobTemplate": {"spec": {"template": {"spec": {"containers": [
                         {"name": "hello", "image": "busybox"}]}}}}},
            "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": ago(42)}}


def test_cron_job_row():
    assert cells("CronJob", CRON_JOB) == ["hello", "*/1 * * * *", "<none>", "False", 1, "42s",
                                          "10m", "hello", "busybox", "<none>"]


def test_cron_job_never_scheduled():
    cron = {"metadata": metadata("c", 5), "spec": {"schedule": "@daily", "timeZone": "Etc/UTC",
                                                   "jobTemplate": {"spec": {}}}}
    assert cells("CronJob", cron)[1:6] == ["@daily", "Etc/UTC", "<unset>", 0, "<none>"]


# --- ingress --------------------------------------------------------------------------------

def _ingress(rules, tls=None, lb=None, class_name="nginx") -> dict:
    spec = {"rules": rules}
    if class_name is not None:
        spec["ingressClassName"] = class_name
    if tls:
        spec["tls"] = tls
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": metadata("ing", 60), "spec": spec,
            "status": {"loadBalancer": {"ingress": lb or []}}}


@pytest.mark.parametrize("ingress, row", [
    pytest.param(_ingress([{"host": "web.example.com"}], lb=[{"ip": "192.168.1.240"}]),
                 ["ing", "nginx", "web.example.com", "192.168.1.240", "80", "60s"],
                 id="published"),
    pytest.param(_ingress([{"http": {}}], class_name=None),
                 ["ing", "<none>", "*", "", "80", "60s"], id="no-host-no-class"),
    pytest.param(_ingress([{"host": "a"}], tls=[{"hosts": ["a"]}]),
                 ["ing", "nginx", "a", "", "80, 443", "60s"], id="tls"),
    pytest.param(_ingress([{"host": h} for h in "abcd"] + [{}]),
                 ["ing", "nginx", "a,b,c + 2 more...", "", "80", "60s"],
                 id="more-counts-rules"),
])
def test_ingress_rows(ingress, row):
    assert cells("Ingress", ingress) == row


@pytest.mark.parametrize("parameters, shown", [
    pytest.param(None, "<none>", id="none"),
    pytest.param({"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"},
                 "IngressParameters.k8s.example.com/p", id="with-group"),
    pytest.param({"kind": "ConfigMap", "name": "p"}, "ConfigMap/p", id="core"),
])
def test_ingress_class_rows(parameters, shown):
    spec = {"controller": "k8s.io/ingress-nginx"}
    if parameters:
        spec["parameters"] = parameters
    obj = {"metadata": metadata("nginx", 60), "spec": spec}
    assert cells("IngressClass", obj) == ["nginx", "k8s.io/ingress-nginx", shown, "60s"]


# --- events and the small kinds -------------------------------------------------------------

EVENT = {"apiVersion": "v1", "kind": "Event", "metadata": metadata("client.16b", 60),
         "involvedObject": {"kind": "Pod", "name": "client", "fieldPath": "spec.containers{client}"},
         "reason": "Pulled", "message": "Container image \"busybox\" already present\n",
         "source": {"component": "kubelet", "host": "kind-worker"}, "type": "Normal",
         "firstTimestamp": ago(300), "lastTimestamp": ago(60), "count": 2}


def test_event_row_in_wide_order():
    assert cells("Event", EVENT) == ["60s", "Normal", "Pulled", "pod/client",
                                     "spec.containers{client}", "kubelet, kind-worker",
                                     'Container image "busybox" already present', "5m", 2,
                                     "client.16b"]


def test_new_api_event_falls_back_to_event_time_and_series():
    event = {"metadata": metadata("e", 60), "involvedObject": {"kind": "Node"},
             "reportingController": "kubelet", "eventTime": ago(200.5), "type": "Normal",
             "reason": "Starting", "message": "", "series": {"count": 4,
                                                              "lastObservedTime": ago(30)}}
    assert cells("Event", event) == ["30s", "Normal", "Starting", "node", "", "kubelet", "",
                                     "3m20s", 4, "e"]


def test_singleton_event_counts_one():
    event = {"metadata": metadata("e"), "involvedObject": {}, "firstTimestamp": ago(10)}
    row = cells("Event", event)
    assert (row[0], row[7], row[8]) == ("10s", "10s", 1)


@pytest.mark.parametrize("kind, obj, row", [
    pytest.param("ConfigMap", {"metadata": metadata("cfg"), "data": {"a": "1", "b": "2"},
                               "binaryData": {"c": "AA=="}}, ["cfg", 3, "60s"], id="configmap"),
    pytest.param("Secret", {"metadata": metadata("tls"), "type": "kubernetes.io/tls",
                            "data": {"tls.crt": "", "tls.key": ""}},
                 ["tls", "kubernetes.io/tls", 2, "60s"], id="secret"),
    pytest.param("ServiceAccount", {"metadata": metadata("default")}, ["default", 0, "60s"],
                 id="serviceaccount"),
    pytest.param("Lease", {"metadata": metadata("kube-scheduler"),
                           "spec": {"holderIdentity": "master-stg_1a2b"}},
                 ["kube-scheduler", "master-stg_1a2b", "60s"], id="lease"),
    pytest.param("Lease", {"metadata": metadata("free"), "spec": {}}, ["free", "", "60s"],
                 id="lease-without-holder"),
    pytest.param("Namespace", {"metadata": metadata("old"),
                               "status": {"phase": "Terminating"}},
                 ["old", "Terminating", "60s"], id="namespace"),
])
def test_small_kinds(kind, obj, row):
    assert cells(kind, obj) == row


# --- storage --------------------------------------------------------------------------------

def test_bound_persistent_volume_row():
    pv = {"metadata": metadata("pv-1"),
          "spec": {"capacity": {"storage": "1Gi"},
                   "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                   "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                   "claimRef": {"namespace": "default", "name": "data"}},
          "status": {"phase": "Bound"}}
    assert cells("PersistentVolume", pv) == ["pv-1", "1Gi", "RWO,RWX", "Retain", "Bound",
                                             "default/data", "manual", "<unset>", "", "60s",
                                             "<unset>"]


def test_persistent_volume_being_deleted_with_beta_class_annotation():
    pv = {"metadata": metadata("pv-2", deletionTimestamp=ago(1), annotations={
        "volume.beta.kubernetes.io/storage-class": "slow"}),
        "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadOnlyMany"],
                 "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "fast",
                 "volumeMode": "Filesystem"}, "status": {"phase": "Released"}}
    assert cells("PersistentVolume", pv)[1:] == ["5Gi", "ROX", "Delete", "Terminating", "",
                                                 "slow", "<unset>", "", "60s", "Filesystem"]


@pytest.mark.parametrize("spec, status, row", [
    pytest.param({"volumeName": "pv-1", "storageClassName": "manual",
                  "resources": {"requests": {"storage": "500Mi"}}},
                 {"phase": "Bound", "capacity": {"storage": "1Gi"},
                  "accessModes": ["ReadWriteOnce"]},
                 ["data", "Bound", "pv-1", "1Gi", "RWO", "manual", "<unset>", "60s", "<unset>"],
                 id="bound"),
    pytest.param({"storageClassName": "manual", "volumeMode": "Block"}, {"phase": "Pending"},
                 ["data", "Pending", "", "", "", "manual", "<unset>", "60s", "Block"],
                 id="pending"),
])
def test_persistent_volume_claim_rows(spec, status, row):
    pvc = {"metadata": metadata("data"), "spec": spec, "status": status}
    assert cells("PersistentVolumeClaim", pvc) == row


@pytest.mark.parametrize("obj, row", [
    pytest.param({"metadata": metadata("standard", annotations={
        "storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer"},
        ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False,
         "60s"], id="kind-default-class"),
    pytest.param({"metadata": metadata("fast"), "provisioner": "csi.example",
                  "allowVolumeExpansion": True},
                 ["fast", "csi.example", "Delete", "Immediate", True, "60s"], id="defaults"),
])
def test_storage_class_rows(obj, row):
    assert cells("StorageClass", obj) == row


# --- the default table ----------------------------------------------------------------------

@pytest.mark.parametrize("meta, row", [
    pytest.param({"name": "limits", "creationTimestamp": "2021-04-30T10:15:00Z"},
                 ["limits", "2021-04-30T10:15:00Z"], id="rfc3339-date"),
    pytest.param({"name": "shifted", "creationTimestamp": "2021-04-30T12:15:00+02:00"},
                 ["shifted", "2021-04-30T10:15:00Z"], id="converted-to-utc"),
    pytest.param({"name": "unset"}, ["unset", "0001-01-01T00:00:00Z"], id="zero-time"),
])
def test_default_table_prints_name_and_created_at(meta, row):
    obj = {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta}
    table = printers.table("LimitRange", [obj], NOW)
    assert table["rows"][0]["cells"] == row
    assert table["columnDefinitions"][1]["type"] == "date"
