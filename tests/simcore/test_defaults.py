"""Defaulting fills in what a real apiserver adds to a new object."""

from __future__ import annotations

import copy

import pytest

from simcore.defaults import (
    apply_defaults,
    image_tag,
    job_selector_defaults,
    service_update_defaults,
)
from simcore.validation import validate

CTR = {"name": "web", "image": "whatwant/node-web:1.0"}
DEFAULTED_CTR = {"name": "web", "image": "whatwant/node-web:1.0",
                 "imagePullPolicy": "IfNotPresent", "resources": {},
                 "terminationMessagePath": "/dev/termination-log",
                 "terminationMessagePolicy": "File"}
POD_SPEC_DEFAULTS = {"dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                     "schedulerName": "default-scheduler", "securityContext": {},
                     "terminationGracePeriodSeconds": 30}


def defaulted(kind: str, obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    apply_defaults(kind, obj)
    return obj


@pytest.mark.parametrize(("image", "tag", "policy"), [
    pytest.param("nginx", "latest", "Always", id="no-tag"),
    pytest.param("nginx:latest", "latest", "Always", id="latest"),
    pytest.param("whatwant/node-web:1.0", "1.0", "IfNotPresent", id="tagged"),
    pytest.param("localhost:5000/web", "latest", "Always", id="registry-port-no-tag"),
    pytest.param("localhost:5000/web:2", "2", "IfNotPresent", id="registry-port-tag"),
    pytest.param("nginx@sha256:" + "a" * 64, "", "IfNotPresent", id="digest"),
    pytest.param("Nginx", "", "IfNotPresent", id="invalid-reference"),
])
def test_image_pull_policy(image, tag, policy):
    assert image_tag(image) == tag
    pod = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_pod_defaults():
    pod = defaulted("Pod", {"metadata": {"name": "p"}, "spec": {"containers": [CTR]}})
    assert pod["spec"] == {"containers": [DEFAULTED_CTR], **POD_SPEC_DEFAULTS,
                           "enableServiceLinks": True, "priority": 0,
                           "preemptionPolicy": "PreemptLowerPriority"}
    assert "tolerations" not in pod["spec"]


def test_pod_keeps_user_values():
    spec = {"containers": [{**CTR, "imagePullPolicy": "Always"}], "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0, "enableServiceLinks": False}
    pod = defaulted("Pod", {"spec": spec})["spec"]
    assert (pod["containers"][0]["imagePullPolicy"], pod["restartPolicy"],
            pod["terminationGracePeriodSeconds"], pod["enableServiceLinks"]) == \
        ("Always", "Never", 0, False)


def test_container_parts():
    ctr = {**CTR, "ports": [{"containerPort": 8080}],
           "livenessProbe": {"httpGet": {"port": 8080}},
           "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
           "resources": {"limits": {"cpu": "500m"}},
           "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]}
    got = defaulted("Pod", {"spec": {"containers": [ctr]}})["spec"]["containers"][0]
    assert got["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]
    assert got["livenessProbe"] == {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
                                    "timeoutSeconds": 1, "periodSeconds": 10,
                                    "successThreshold": 1, "failureThreshold": 3}
    assert got["readinessProbe"]["periodSeconds"] == 5
    assert got["resources"] == {"limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}}
    assert got["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"


def test_volumes():
    volumes = [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "cm"}},
               {"name": "host", "hostPath": {"path": "/data"}}]
    got = defaulted("Pod", {"spec": {"containers": [CTR], "volumes": volumes}})["spec"]
    assert got["volumes"] == [{"name": "scratch", "emptyDir": {}},
                              {"name": "cfg", "configMap": {"name": "cm", "defaultMode": 420}},
                              {"name": "host", "hostPath": {"path": "/data", "type": ""}}]


def test_host_network_copies_ports():
    spec = {"hostNetwork": True, "containers": [{**CTR, "ports": [{"containerPort": 80}]}]}
    got = defaulted("Pod", {"spec": spec})["spec"]["containers"][0]["ports"]
    assert got == [{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}]


@pytest.mark.parametrize("kind", ["ReplicaSet", "ReplicationController", "Deployment",
                                  "DaemonSet", "StatefulSet", "Job"])
def test_templates_get_pod_spec_defaults_only(kind):
    obj = defaulted(kind, {"spec": {"template": {"spec": {"containers": [CTR]}}}})
    assert obj["spec"]["template"]["spec"] == {"containers": [DEFAULTED_CTR],
                                               **POD_SPEC_DEFAULTS}


def test_cron_job_template():
    obj = defaulted("CronJob", {"spec": {"schedule": "* * * * *", "jobTemplate": {
        "spec": {"template": {"spec": {"containers": [CTR], "restartPolicy": "OnFailure"}}}}}})
    assert obj["spec"] == {
        "schedule": "* * * * *", "concurrencyPolicy": "Allow", "suspend": False,
        "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
        "jobTemplate": {"spec": {"template": {"spec": {
            "containers": [DEFAULTED_CTR], **POD_SPEC_DEFAULTS, "restartPolicy": "OnFailure"}}}}}


@pytest.mark.parametrize(("spec", "expected"), [
    pytest.param({"selector": {"app": "web"}, "ports": [{"port": 80}]},
                 {"selector": {"app": "web"}, "type": "ClusterIP", "sessionAffinity": "None",
                  "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                  "internalTrafficPolicy": "Cluster", "ipFamilyPolicy": "SingleStack",
                  "ipFamilies": ["IPv4"]}, id="cluster-ip"),
    pytest.param({"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]},
                 {"type": "NodePort", "sessionAffinity": "None",
                  "ports": [{"port": 80, "protocol": "TCP", "targetPort": "http"}],
                  "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
                  "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"]}, id="node-port"),
    pytest.param({"type": "LoadBalancer", "ports": [{"port": 80}]},
                 {"type": "LoadBalancer", "sessionAffinity": "None",
                  "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                  "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
                  "allocateLoadBalancerNodePorts": True, "ipFamilyPolicy": "SingleStack",
                  "ipFamilies": ["IPv4"]}, id="load-balancer"),
    pytest.param({"type": "ExternalName", "externalName": "google.com"},
                 {"type": "ExternalName", "externalName": "google.com",
                  "sessionAffinity": "None"}, id="external-name"),
    pytest.param({"clusterIP": "None", "selector": {"app": "web"}},
                 {"clusterIP": "None", "clusterIPs": ["None"], "selector": {"app": "web"},
                  "type": "ClusterIP", "sessionAffinity": "None",
                  "internalTrafficPolicy": "Cluster", "ipFamilyPolicy": "SingleStack",
                  "ipFamilies": ["IPv4"]}, id="headless"),
    pytest.param({"clusterIP": "None"},
                 {"clusterIP": "None", "clusterIPs": ["None"], "type": "ClusterIP",
                  "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
                  "ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4"]},
                 id="headless-without-selector"),
])
def test_service(spec, expected):
    assert defaulted("Service", {"spec": spec})["spec"] == expected


@pytest.mark.parametrize(("affinity_config", "expected"), [
    pytest.param(None, {"clientIP": {"timeoutSeconds": 10800}}, id="defaulted"),
    pytest.param({"clientIP": {"timeoutSeconds": 60}}, {"clientIP": {"timeoutSeconds": 60}},
                 id="kept"),
])
def test_service_client_ip_affinity(affinity_config, expected):
    spec = {"sessionAffinity": "ClientIP", "ports": [{"port": 80}]}
    if affinity_config is not None:
        spec["sessionAffinityConfig"] = affinity_config
    assert defaulted("Service", {"spec": spec})["spec"]["sessionAffinityConfig"] == expected


def test_service_affinity_none_drops_config():
    spec = {"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}
    assert "sessionAffinityConfig" not in defaulted("Service", {"spec": spec})["spec"]


def _without_template(obj: dict) -> dict:
    spec = dict(obj["spec"])
    spec.pop("template", None)
    return spec


@pytest.mark.parametrize(("kind", "spec", "expected"), [
    pytest.param("ReplicaSet", {}, {"replicas": 1}, id="replica-set"),
    pytest.param("Deployment", {}, {"replicas": 1, "revisionHistoryLimit": 10,
                                    "progressDeadlineSeconds": 600, "strategy": {
                                        "type": "RollingUpdate", "rollingUpdate": {
                                            "maxUnavailable": "25%", "maxSurge": "25%"}}},
                 id="deployment"),
    pytest.param("Deployment", {"strategy": {"type": "Recreate"}},
                 {"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                  "strategy": {"type": "Recreate"}}, id="deployment-recreate"),
    pytest.param("DaemonSet", {}, {"revisionHistoryLimit": 10, "updateStrategy": {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}},
        id="daemon-set"),
    pytest.param("StatefulSet", {}, {
        "replicas": 1, "revisionHistoryLimit": 10, "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                 "whenScaled": "Retain"}}, id="stateful-set"),
    pytest.param("Job", {}, {"completions": 1, "parallelism": 1, "backoffLimit": 6,
                             "completionMode": "NonIndexed", "suspend": False,
                             "podReplacementPolicy": "TerminatingOrFailed",
                             "manualSelector": False}, id="job"),
    pytest.param("Job", {"parallelism": 3}, {"parallelism": 3, "backoffLimit": 6,
                                             "completionMode": "NonIndexed", "suspend": False,
                                             "podReplacementPolicy": "TerminatingOrFailed",
                                             "manualSelector": False},
                 id="job-work-queue-keeps-completions-unset"),
    pytest.param("Job", {"completions": 3, "parallelism": 3, "backoffLimit": 25},
                 {"completions": 3, "parallelism": 3, "backoffLimit": 25,
                  "completionMode": "NonIndexed", "suspend": False,
                  "podReplacementPolicy": "TerminatingOrFailed", "manualSelector": False},
                 id="lecture-job"),
])
def test_workload_defaults(kind, spec, expected):
    obj = defaulted(kind, {"spec": {**spec, "template": {"spec": {"containers": [CTR]}}}})
    assert _without_template(obj) == expected


def test_stateful_set_claim_templates():
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    obj = defaulted("StatefulSet", {"spec": {"volumeClaimTemplates": [claim]}})
    assert obj["spec"]["volumeClaimTemplates"][0] == {
        "metadata": {"name": "data"}, "status": {"phase": "Pending"},
        "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}}


def test_replication_controller_takes_template_labels():
    obj = defaulted("ReplicationController", {"metadata": {"name": "rc"}, "spec": {
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [CTR]}}}})
    assert (obj["metadata"]["labels"], obj["spec"]["selector"], obj["spec"]["replicas"]) == \
        ({"app": "web"}, {"app": "web"}, 1)


def test_job_selector_defaults():
    obj = defaulted("Job", {"metadata": {"name": "throw-dice-job"}, "spec": {
        "template": {"spec": {"containers": [CTR], "restartPolicy": "Never"}}}})
    obj["metadata"]["uid"] = "u-1"
    job_selector_defaults(obj)
    labels = {"controller-uid": "u-1", "job-name": "throw-dice-job",
              "batch.kubernetes.io/controller-uid": "u-1",
              "batch.kubernetes.io/job-name": "throw-dice-job"}
    assert obj["spec"]["template"]["metadata"]["labels"] == labels
    assert obj["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid":
                                                       "u-1"}}
    assert obj["metadata"]["labels"] == labels


def test_job_selector_keeps_user_labels_and_manual_selectors():
    obj = defaulted("Job", {"metadata": {"name": "j", "uid": "u", "labels": {"team": "a"}},
                            "spec": {"template": {"metadata": {"labels": {"job-name": "x"}},
                                                  "spec": {"containers": [CTR]}}}})
    job_selector_defaults(obj)
    assert obj["spec"]["template"]["metadata"]["labels"]["job-name"] == "x"
    assert obj["metadata"]["labels"] == {"team": "a"}
    manual = defaulted("Job", {"metadata": {"name": "j", "uid": "u"},
                               "spec": {"manualSelector": True, "template": {}}})
    job_selector_defaults(manual)
    assert "selector" not in manual["spec"]


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    pytest.param("Endpoints", {"subsets": [{"addresses": [{"ip": "11.11.11.11"}],
                                            "ports": [{"port": 80}]}]},
                 {"subsets": [{"addresses": [{"ip": "11.11.11.11"}],
                               "ports": [{"port": 80, "protocol": "TCP"}]}]}, id="endpoints"),
    pytest.param("Namespace", {"metadata": {"name": "whatwant"}},
                 {"metadata": {"name": "whatwant",
                               "labels": {"kubernetes.io/metadata.name": "whatwant"}},
                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
                 id="namespace"),
    pytest.param("Secret", {"stringData": {"user": "admin"}},
                 {"type": "Opaque", "data": {"user": "YWRtaW4="}}, id="secret"),
    pytest.param("PersistentVolumeClaim", {"spec": {}},
                 {"spec": {"volumeMode": "Filesystem"}, "status": {"phase": "Pending"}},
                 id="pvc"),
    pytest.param("PersistentVolume", {"spec": {}},
                 {"spec": {"persistentVolumeReclaimPolicy": "Retain",
                           "volumeMode": "Filesystem"}, "status": {"phase": "Pending"}},
                 id="pv"),
    pytest.param("Ingress", {"spec": {"rules": [{"http": {"paths": [{"path": "/"}]}}]}},
                 {"spec": {"rules": [{"http": {"paths": [{"path": "/"}]}}]}},
                 id="ingress-no-path-type"),
    pytest.param("ConfigMap", {"data": {"a": "b"}}, {"data": {"a": "b"}}, id="unchanged"),
])
def test_other_kinds(kind, obj, expected):
    assert defaulted(kind, obj) == expected


def _stored_node_port_service() -> dict:
    svc = defaulted("Service", {"metadata": {"name": "svc-node", "namespace": "default"},
                                "spec": {"type": "NodePort", "selector": {"app": "web"},
                                         "ports": [{"port": 80, "nodePort": 30123}]}})
    svc["spec"]["clusterIP"] = "10.104.191.116"
    svc["spec"]["clusterIPs"] = ["10.104.191.116"]
    return svc


def test_service_update_keeps_allocated_values():
    old = _stored_node_port_service()
    new = defaulted("Service", {"metadata": {"name": "svc-node", "namespace": "default"},
                                "spec": {"type": "NodePort", "selector": {"app": "web"},
                                         "ports": [{"port": 80}]}})
    service_update_defaults(new, old)
    assert (new["spec"]["clusterIP"], new["spec"]["ports"][0]["nodePort"]) == \
        ("10.104.191.116", 30123)
    assert validate("Service", new, old) == []


def test_service_update_to_cluster_ip_releases_node_ports():
    old = _stored_node_port_service()
    new = copy.deepcopy(old)  # what a merge patch of `type: ClusterIP` leaves behind
    new["spec"]["type"] = "ClusterIP"
    apply_defaults("Service", new)
    service_update_defaults(new, old)
    assert "nodePort" not in new["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in new["spec"]
    assert validate("Service", new, old) == []


def test_service_update_keeps_a_changed_node_port_for_validation():
    old = _stored_node_port_service()
    new = copy.deepcopy(old)
    new["spec"]["type"] = "ClusterIP"
    new["spec"]["ports"][0]["nodePort"] = 30999
    service_update_defaults(new, old)
    assert [str(e) for e in validate("Service", new, old)] == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
