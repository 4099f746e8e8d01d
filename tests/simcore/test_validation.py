"""Validation gives the real API server's field errors, word for word."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from conftest import COURSE

from simcore.defaults import apply_defaults, job_selector_defaults
from simcore.errors import invalid_object
from simcore.resources import RESOURCES, by_kind
from simcore.validation import validate
from simcore.validation.batch import parse_standard

CTR = [{"name": "web", "image": "whatwant/node-web:1.0"}]
KINDS = {r.kind for r in RESOURCES}


def prepare(kind: str, obj: dict) -> dict:
    """What the API server does before validating: default, namespace, uid, job selector."""
    obj = copy.deepcopy(obj)
    apply_defaults(kind, obj)
    metadata = obj.setdefault("metadata", {})
    if by_kind(kind).namespaced:
        metadata.setdefault("namespace", "default")
    else:
        metadata.pop("namespace", None)
    metadata.setdefault("uid", "6c0e1a5a-0000-4000-8000-000000000001")
    if kind == "Job":
        job_selector_defaults(obj)
    return obj


def errors(kind: str, obj: dict, old: dict | None = None) -> list[str]:
    return [str(e) for e in validate(kind, prepare(kind, obj), old)]


def pod(**spec: Any) -> dict:
    return {"metadata": {"name": "pod-node-web"}, "spec": {"containers": CTR, **spec}}


def service(name: str = "svc-node", **spec: Any) -> dict:
    spec.setdefault("selector", {"app": "node-web"})
    spec.setdefault("ports", [{"port": 80, "targetPort": 8080}])
    return {"metadata": {"name": name}, "spec": spec}


def template(labels: dict | None = None, **pod_spec: Any) -> dict:
    return {"metadata": {"labels": labels if labels is not None else {"app": "node-web"}},
            "spec": {"containers": CTR, **pod_spec}}


def workload(name: str = "rs-node-web", selector: Any = "default", **spec: Any) -> dict:
    if selector == "default":
        selector = {"matchLabels": {"app": "node-web"}}
    if selector is not None:
        spec["selector"] = selector
    spec.setdefault("template", template())
    return {"metadata": {"name": name}, "spec": spec}


def job(name: str = "throw-dice-job", **spec: Any) -> dict:
    spec.setdefault("template", {"spec": {"containers": CTR, "restartPolicy": "Never"}})
    return {"metadata": {"name": name}, "spec": spec}


def cron_job(schedule: str, name: str = "cj-pi") -> dict:
    return {"metadata": {"name": name}, "spec": {"schedule": schedule, "jobTemplate": {
        "spec": {"template": {"spec": {"containers": CTR, "restartPolicy": "OnFailure"}}}}}}


def ingress(paths: list[dict], host: str | None = "k8s.whatwant.com") -> dict:
    rule: dict = {"http": {"paths": paths}}
    if host is not None:
        rule["host"] = host
    return {"metadata": {"name": "ingress-node-web"}, "spec": {"rules": [rule]}}


def backend(name: str = "svc-node", **port: Any) -> dict:
    return {"service": {"name": name, "port": port or {"number": 80}}}


DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
           "with an alphabetic character, and end with an alphanumeric character (e.g. "
           "'my-name',  or 'abc-123', regex used for validation is "
           "'[a-z]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
             "characters, '-' or '.', and must start and end with an alphanumeric character "
             "(e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
         "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
         "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
KEY_NAME = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
            "[A-Za-z0-9]')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, "
               "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
               "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    pytest.param("Service", service("1svc"),
                 [f'metadata.name: Invalid value: "1svc": {DNS1035}'], id="service-dns1035"),
    pytest.param("Service", service("svc.node"),
                 [f'metadata.name: Invalid value: "svc.node": {DNS1035}'],
                 id="service-no-dots"),
    pytest.param("Pod", {"metadata": {"name": "Pod_1"}, "spec": {"containers": CTR}},
                 [f'metadata.name: Invalid value: "Pod_1": {SUBDOMAIN}'], id="pod-subdomain"),
    pytest.param("Pod", {"metadata": {"name": "a.b"}, "spec": {"containers": CTR}}, [],
                 id="pod-dots-ok"),
    pytest.param("Namespace", {"metadata": {"name": "team.a"}},
                 ['metadata.name: Invalid value: "team.a": must not contain dots'],
                 id="namespace-label"),
    pytest.param("StatefulSet", workload("web.v1", serviceName="web"),
                 ['metadata.name: Invalid value: "web.v1": must not contain dots'],
                 id="statefulset-label"),
    pytest.param("Pod", {"metadata": {"generateName": "web-"}, "spec": {"containers": CTR}},
                 ["metadata.name: Required value: name or generateName is required"],
                 id="generate-name-ok-name-missing"),
    pytest.param("Pod", {"metadata": {"name": "web", "labels": {"app": "-web"}},
                         "spec": {"containers": CTR}},
                 [f'metadata.labels: Invalid value: "-web": {LABEL_VALUE}'], id="label-value"),
    pytest.param("Pod", {"metadata": {"name": "web", "labels": {"my app": "web"}},
                         "spec": {"containers": CTR}},
                 [f'metadata.labels: Invalid value: "my app": {KEY_NAME}'], id="label-key"),
    pytest.param("Pod", {"metadata": {"name": "web", "labels": {"/app": "web"}},
                         "spec": {"containers": CTR}},
                 ['metadata.labels: Invalid value: "/app": prefix part must be non-empty'],
                 id="label-key-empty-prefix"),
    pytest.param("Pod", {"metadata": {"name": "web", "labels": {"a": "x" * 64}},
                         "spec": {"containers": CTR}},
                 [f'metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 '
                  "bytes"], id="label-value-too-long"),
    pytest.param("Pod", {"metadata": {"name": "web", "annotations": {"note": "x" * 262144}},
                         "spec": {"containers": CTR}},
                 ["metadata.annotations: Too long: may not be more than 262144 bytes"],
                 id="annotations-too-big"),
    pytest.param("ClusterRole", {"metadata": {"name": "a/b"}},
                 ["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
                 id="rbac-path-segment"),
])
def test_metadata_rules(kind, obj, expected):
    assert errors(kind, obj) == expected


def test_namespace_on_cluster_scoped_kind_is_forbidden():
    obj = {"metadata": {"name": "admin", "namespace": "default"}}
    assert [str(e) for e in validate("ClusterRole", obj)] == [
        "metadata.namespace: Forbidden: not allowed on this type"]


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param({"metadata": {"name": "p"}, "spec": {}}, ["spec.containers: Required value"],
                 id="containers-required"),
    pytest.param(pod(containers=[{"name": "Web", "image": "nginx"}]),
                 [f'spec.containers[0].name: Invalid value: "Web": {LABEL}'],
                 id="container-name"),
    pytest.param(pod(containers=[{"name": "web"}]), ["spec.containers[0].image: Required value"],
                 id="image-required"),
    pytest.param(pod(containers=[CTR[0], CTR[0]]),
                 ['spec.containers[1].name: Duplicate value: "web"'], id="duplicate-container"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"containerPort": 70000}]}]),
                 ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
                  "between 1 and 65535, inclusive"], id="container-port-range"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"name": "http"}]}]),
                 ["spec.containers[0].ports[0].containerPort: Required value"],
                 id="container-port-required"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"containerPort": 80,
                                                       "name": "node-web-http-port"}]}]),
                 ['spec.containers[0].ports[0].name: Invalid value: "node-web-http-port": '
                  "must be no more than 15 characters"], id="port-name-length"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"containerPort": 80, "name": "http"},
                                                      {"containerPort": 81, "name": "http"}]}]),
                 ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
                 id="port-name-duplicate"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"containerPort": 80,
                                                       "protocol": "HTTP"}]}]),
                 ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported '
                  'values: "SCTP", "TCP", "UDP"'], id="port-protocol"),
    pytest.param(pod(restartPolicy="Sometimes"),
                 ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
                  '"Always", "OnFailure", "Never"'], id="restart-policy"),
    pytest.param(pod(dnsPolicy="None"),
                 ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` "
                  "is None"], id="dns-none-needs-config"),
    pytest.param(pod(dnsPolicy="None", dnsConfig={"searches": ["svc.cluster.local"]}),
                 ["spec.dnsConfig.nameservers: Required value: must provide at least one DNS "
                  "nameserver when `dnsPolicy` is None"], id="dns-none-needs-nameserver"),
    pytest.param(pod(dnsPolicy="None", dnsConfig={"nameservers": ["10.96.0.10"]}), [],
                 id="dns-none-ok"),
    pytest.param(pod(dnsPolicy="Cluster"),
                 ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: '
                  '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
                 id="dns-policy"),
    pytest.param(pod(containers=[{**CTR[0], "volumeMounts": [{"name": "data",
                                                              "mountPath": "/data"}]}]),
                 ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
                 id="mount-unknown-volume"),
    pytest.param(pod(containers=[{**CTR[0], "env": [{"name": "A", "valueFrom": {
        "configMapKeyRef": {"name": "cm", "key": "a/b"}}}]}]),
        ['spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Invalid value: "a/b": a '
         "valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
         "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
         "'[-._a-zA-Z0-9]+')"], id="env-key"),
    pytest.param(pod(containers=[{**CTR[0], "livenessProbe": {"httpGet": {"port": 8080},
                                                              "successThreshold": 2}}]),
                 ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must "
                  "be 1"], id="liveness-success-threshold"),
    pytest.param(pod(containers=[{**CTR[0], "readinessProbe": {"periodSeconds": 5}}]),
                 ["spec.containers[0].readinessProbe: Required value: must specify a handler "
                  "type"], id="probe-handler"),
    pytest.param(pod(containers=[{**CTR[0], "ports": [{"containerPort": 80, "hostPort": 80}]},
                                 {"name": "b", "image": "nginx",
                                  "ports": [{"containerPort": 80, "hostPort": 80}]}]),
                 ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"'],
                 id="host-port-conflict"),
    pytest.param(pod(tolerations=[{"key": "a", "operator": "Exists", "value": "x"}]),
                 ['spec.tolerations[0].operator: Invalid value: "x": value must be empty when '
                  "`operator` is 'Exists'"], id="toleration"),
])
def test_pod(obj, expected):
    assert errors("Pod", obj) == expected


def test_pod_update_may_only_change_images():
    old = prepare("Pod", pod())
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "whatwant/node-web:2.0"
    assert validate("Pod", new, old) == []
    new["spec"]["restartPolicy"] = "Never"
    (message,) = [str(e) for e in validate("Pod", new, old)]
    assert message.startswith(
        "spec: Forbidden: pod updates may not change fields other than "
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)\n")
    assert '-  \trestartPolicy: "Always",' in message


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(service(ports=[{"name": "http", "port": 80}, {"port": 443}]),
                 ["spec.ports[1].name: Required value"], id="multi-port-name"),
    pytest.param(service(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}]),
                 ['spec.ports[1].name: Duplicate value: "http"'], id="duplicate-name"),
    pytest.param(service(ports=[{"port": 80, "nodePort": 30123}]),
                 ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
                  "'ClusterIP'"], id="nodeport-on-clusterip"),
    pytest.param(service(type="NodePort", ports=[{"port": 80, "nodePort": 30123}]), [],
                 id="nodeport-ok"),
    pytest.param(service(ports=[{"port": 0}]),
                 ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, "
                  "inclusive",
                  "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, "
                  "inclusive"], id="port-zero-and-defaulted-target"),
    pytest.param(service(ports=[]), ["spec.ports: Required value"], id="ports-required"),
    pytest.param(service(clusterIP="None", ports=[]), [], id="headless-no-ports"),
    pytest.param(service(ports=[{"port": 80, "protocol": "ICMP"}]),
                 ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: '
                  '"SCTP", "TCP", "UDP"'], id="protocol"),
    pytest.param(service(type="Internal"),
                 ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", '
                  '"ExternalName", "LoadBalancer", "NodePort"'], id="type"),
    pytest.param(service(sessionAffinity="Sticky"),
                 ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: '
                  '"ClientIP", "None"'], id="session-affinity"),
    pytest.param(service(sessionAffinity="ClientIP",
                         sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86401}}),
                 ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: "
                  "must be greater than 0 and less than 86400"], id="affinity-timeout"),
    pytest.param(service(sessionAffinity="ClientIP",
                         sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86400}}), [],
                 id="affinity-timeout-max-ok"),
    pytest.param(service(selector={"app": "node web"}),
                 [f'spec.selector: Invalid value: "node web": {LABEL_VALUE}'],
                 id="selector-value"),
    pytest.param({"metadata": {"name": "ext"}, "spec": {"type": "ExternalName"}},
                 ["spec.externalName: Required value"], id="external-name-required"),
    pytest.param({"metadata": {"name": "ext"}, "spec": {"type": "ExternalName",
                                                        "externalName": "Google.COM"}},
                 [f'spec.externalName: Invalid value: "Google.COM": {SUBDOMAIN}'],
                 id="external-name-rfc1123"),
    pytest.param({"metadata": {"name": "ext"}, "spec": {"type": "ExternalName",
                                                        "externalName": "google.com."}}, [],
                 id="external-name-trailing-dot"),
    pytest.param(service(type="NodePort", clusterIP="None"),
                 ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for '
                  "NodePort services"], id="headless-nodeport"),
    pytest.param(service(type="LoadBalancer", clusterIP="None"),
                 ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for '
                  "LoadBalancer services"], id="headless-lb"),
    pytest.param(service(externalTrafficPolicy="Local"),
                 ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for '
                  "externally-accessible services"], id="etp-on-clusterip"),
    pytest.param(service(type="NodePort", externalTrafficPolicy="Local"), [], id="etp-ok"),
    pytest.param(service(clusterIP="10.96.0.300"),
                 ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP '
                  "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"], id="cluster-ip-syntax"),
])
def test_service(obj, expected):
    assert errors("Service", obj) == expected


def test_service_invalid_status_message():
    obj = prepare("Service", service(ports=[{"name": "http", "port": 80}, {"port": 443}]))
    status = invalid_object(by_kind("Service"), "svc-node", validate("Service", obj)).status
    assert status["message"] == 'Service "svc-node" is invalid: spec.ports[1].name: Required value'


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param({"clusterIP": "10.96.0.7", "clusterIPs": ["10.96.0.7"]},
                 ['spec.clusterIPs[0]: Invalid value: ["10.96.0.7"]: may not change once set'],
                 id="cluster-ip-immutable"),
    pytest.param({"clusterIP": "", "clusterIPs": []}, [], id="cluster-ip-omitted-kept"),
    pytest.param({"selector": {"app": "other"}}, [], id="selector-mutable"),
])
def test_service_update(change, expected):
    old = prepare("Service", service(clusterIP="10.96.0.5"))
    new = copy.deepcopy(old)
    new["spec"].update(change)
    assert [str(e) for e in validate("Service", new, old)] == expected


@pytest.mark.parametrize(("subsets", "expected"), [
    pytest.param([{"addresses": [{"ip": "11.11.11.11"}, {"ip": "22.22.22.22"}],
                   "ports": [{"port": 80}]}], [], id="lecture-external-service"),
    pytest.param([{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": 80}]}],
                 ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the '
                  "loopback range (127.0.0.0/8, ::1/128)"], id="loopback"),
    pytest.param([{"addresses": [{"ip": "169.254.25.10"}], "ports": [{"port": 80}]}],
                 ['subsets[0].addresses[0].ip: Invalid value: "169.254.25.10": may not be in '
                  "the link-local range (169.254.0.0/16, fe80::/10)"], id="link-local"),
    pytest.param([{"addresses": [{"ip": "224.0.0.5"}], "ports": [{"port": 80}]}],
                 ['subsets[0].addresses[0].ip: Invalid value: "224.0.0.5": may not be in the '
                  "link-local multicast range (224.0.0.0/24, ff02::/10)"], id="multicast"),
    pytest.param([{"addresses": [{"ip": "11.11.11"}], "ports": [{"port": 80}]}],
                 ['subsets[0].addresses[0].ip: Invalid value: "11.11.11": must be a valid IP '
                  "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                  'subsets[0].addresses[0].ip: Invalid value: "11.11.11": must be a valid IP '
                  "address"], id="bad-ip"),
    pytest.param([{"addresses": [{"ip": "11.11.11.11"}], "ports": [{"port": 70000}]}],
                 ["subsets[0].ports[0].port: Invalid value: 70000: must be between 1 and "
                  "65535, inclusive"], id="port-range"),
    pytest.param([{"ports": [{"port": 80}]}],
                 ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"],
                 id="addresses-required"),
])
def test_endpoints(subsets, expected):
    assert errors("Endpoints", {"metadata": {"name": "external-service"},
                                "subsets": subsets}) == expected


SELECTOR_MISMATCH = ('spec.template.metadata.labels: Invalid value: {"app":"node-web2"}: '
                     "`selector` does not match template `labels`")


@pytest.mark.parametrize("kind", ["ReplicaSet", "Deployment", "DaemonSet", "StatefulSet"])
@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(workload(template=template({"app": "node-web2"})), [SELECTOR_MISMATCH],
                 id="selector-template-mismatch"),
    pytest.param(workload(template=template({})),
                 ["spec.template.metadata.labels: Invalid value: {}: `selector` does not match "
                  "template `labels`"], id="template-without-labels"),
    pytest.param(workload(selector={"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["node-web", "other"]}]}), [],
        id="set-based-ok"),
    pytest.param(workload(selector={"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": ["node-web"]}]}),
        ['spec.template.metadata.labels: Invalid value: {"app":"node-web"}: `selector` does '
         "not match template `labels`"], id="notin-mismatch"),
])
def test_workload_selector_matches_template(kind, obj, expected):
    assert errors(kind, obj) == expected


OPERATOR_ERRORS = {
    "in-needs-values": ({"matchExpressions": [{"key": "app", "operator": "In"}]},
                        ["spec.selector.matchExpressions[0].values: Required value: must be "
                         "specified when `operator` is 'In' or 'NotIn'"]),
    "exists-no-values": ({"matchLabels": {"app": "node-web"}, "matchExpressions": [
        {"key": "tier", "operator": "DoesNotExist", "values": ["x"]}]},
        ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
         "`operator` is 'Exists' or 'DoesNotExist'"]),
    "bad-operator": ({"matchLabels": {"app": "node-web"}, "matchExpressions": [
        {"key": "app", "operator": "Equals", "values": ["node-web"]}]},
        ['spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid '
         "selector operator"]),
}
# After the field errors, each kind says in its own words that the selector is unusable.
SELECTOR_SUMMARY = {
    "ReplicaSet": ": invalid label selector",
    "Deployment": ": invalid label selector",
    "StatefulSet": "",
    "DaemonSet": None,
}


@pytest.mark.parametrize("kind", sorted(SELECTOR_SUMMARY))
@pytest.mark.parametrize("case", sorted(OPERATOR_ERRORS))
def test_selector_operator_errors(kind, case):
    selector, expected = OPERATOR_ERRORS[case]
    summary = SELECTOR_SUMMARY[kind]
    if summary is not None:
        rendered = json.dumps(selector, separators=(",", ":"), sort_keys=True)
        expected = expected + [f"spec.selector: Invalid value: {rendered}{summary}"]
    assert errors(kind, workload(selector=selector)) == expected


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    pytest.param("ReplicaSet", workload(selector=None),
                 ["spec.selector: Required value",
                  'spec.template.metadata.labels: Invalid value: {"app":"node-web"}: `selector` '
                  "does not match template `labels`"], id="rs-selector-required"),
    pytest.param("Deployment", workload(selector={}),
                 ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
                 id="deployment-empty-selector"),
    pytest.param("ReplicaSet", workload(selector={}),
                 ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
                 id="rs-empty-selector-literal-deployment"),
    pytest.param("DaemonSet", workload(selector={}),
                 ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"],
                 id="ds-empty-selector"),
    pytest.param("ReplicaSet", workload(template=template(restartPolicy="OnFailure")),
                 ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported '
                  'values: "Always"'], id="rs-restart-always-only"),
    pytest.param("Deployment", workload(strategy={"type": "Recreate",
                                                  "rollingUpdate": {"maxSurge": 1}}),
                 ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy "
                  "`type` is 'Recreate'"], id="recreate-with-rolling"),
    pytest.param("Deployment", workload(strategy={"rollingUpdate": {"maxSurge": 0,
                                                                    "maxUnavailable": 0}}),
                 ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 "
                  "when `maxSurge` is 0"], id="rolling-zero"),
    pytest.param("Deployment", workload(strategy={"rollingUpdate": {"maxUnavailable": "120%"}}),
                 ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not '
                  "be greater than 100%"], id="rolling-percent"),
    pytest.param("Deployment", workload(minReadySeconds=600),
                 ["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than "
                  "minReadySeconds"], id="progress-deadline"),
    pytest.param("StatefulSet", workload(podManagementPolicy="Random"),
                 ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' '
                  "or 'Parallel'"], id="sts-pod-management"),
    pytest.param("ReplicationController", {"metadata": {"name": "rc"}, "spec": {
        "selector": {"app": "node-web"}, "template": template({"app": "node-web2"})}},
        [SELECTOR_MISMATCH], id="rc-mismatch"),
    pytest.param("ReplicaSet", workload(replicas=-1),
                 ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
                 id="negative-replicas"),
    pytest.param("ReplicationController", {"metadata": {"name": "rc"}, "spec": {
        "template": template({"app": "node-web"})}}, [], id="rc-selector-defaulted"),
])
def test_workloads(kind, obj, expected):
    assert errors(kind, obj) == expected


@pytest.mark.parametrize("kind", ["ReplicaSet", "Deployment", "DaemonSet"])
def test_workload_selector_is_immutable(kind):
    old = prepare(kind, workload())
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "node-web2"}}
    new["spec"]["template"]["metadata"]["labels"] = {"app": "node-web2"}
    assert [str(e) for e in validate(kind, new, old)] == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"node-web2"}}: field is immutable']
    new["spec"]["selector"] = old["spec"]["selector"]
    new["spec"]["template"] = old["spec"]["template"]
    new["spec"]["minReadySeconds"] = 5
    assert validate(kind, new, old) == []


def test_statefulset_spec_update_forbidden():
    old = prepare("StatefulSet", workload(serviceName="web"))
    new = copy.deepcopy(old)
    new["spec"]["serviceName"] = "other"
    assert [str(e) for e in validate("StatefulSet", new, old)] == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
        "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
        "'minReadySeconds' are forbidden"]


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(job(completions=3, parallelism=3, backoffLimit=25), [], id="lecture-job"),
    pytest.param(job(template={"spec": {"containers": CTR}}),
                 ['spec.template.spec.restartPolicy: Required value: valid values: '
                  '"OnFailure", "Never"'], id="restart-defaulted-always"),
    pytest.param(job(template={"spec": {"containers": CTR, "restartPolicy": "Always"}}),
                 ['spec.template.spec.restartPolicy: Required value: valid values: '
                  '"OnFailure", "Never"'], id="restart-always"),
    pytest.param(job(template={"spec": {"containers": CTR, "restartPolicy": "Sometimes"}}),
                 ['spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported '
                  'values: "Always", "OnFailure", "Never"',
                  'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported '
                  'values: "OnFailure", "Never"'], id="restart-unknown"),
    pytest.param(job(completions=-1),
                 ["spec.completions: Invalid value: -1: must be greater than or equal to 0"],
                 id="completions"),
    pytest.param(job(parallelism=-2),
                 ["spec.parallelism: Invalid value: -2: must be greater than or equal to 0"],
                 id="parallelism"),
    pytest.param(job(backoffLimit=-1),
                 ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"],
                 id="backoff-limit"),
    pytest.param(job(completionMode="Indexed", completions=3), [], id="indexed"),
    pytest.param(job(completionMode="Indexed", parallelism=2),
                 ["spec.completions: Required value: when completion mode is Indexed"],
                 id="indexed-needs-completions"),
    pytest.param(job(template={"metadata": {"labels": {"job-name": "other"}},
                               "spec": {"containers": CTR, "restartPolicy": "Never"}}),
                 ["spec.template.metadata.labels[job-name]: Invalid value: "
                  '{"batch.kubernetes.io/controller-uid":"6c0e1a5a-0000-4000-8000-000000000001",'
                  '"batch.kubernetes.io/job-name":"throw-dice-job","controller-uid":'
                  '"6c0e1a5a-0000-4000-8000-000000000001","job-name":"other"}: '
                  "must be 'throw-dice-job'"], id="generated-label-conflict"),
    pytest.param(job(manualSelector=True),
                 ["spec.selector: Required value",
                  "spec.template.metadata.labels: Invalid value: null: `selector` does not "
                  "match template `labels`"], id="manual-selector-needs-selector"),
])
def test_job(obj, expected):
    assert errors("Job", obj) == expected


def test_job_before_uid_is_refused():
    obj = job()
    apply_defaults("Job", obj)
    obj["metadata"]["namespace"] = "default"
    job_selector_defaults(obj)
    assert "metadata.uid: Required value" in [str(e) for e in validate("Job", obj)]


def test_job_template_is_immutable():
    old = prepare("Job", job())
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "other"
    (message,) = [str(e) for e in validate("Job", new, old)]
    assert message.startswith("spec.template: Invalid value: {") and \
        message.endswith(": field is immutable")


@pytest.mark.parametrize(("schedule", "problem"), [
    pytest.param("*/1 * * * *", None, id="every-minute"),
    pytest.param("0 0 1 jan-mar mon-fri", None, id="names"),
    pytest.param("@hourly", None, id="descriptor"),
    pytest.param("@every 1h30m", None, id="every"),
    pytest.param("*/1 * * *", "expected exactly 5 fields, found 4: [*/1 * * *]", id="4-fields"),
    pytest.param("0-70 * * * *", "end of range (70) above maximum (59): 0-70", id="range"),
    pytest.param("* * 0 * *", "beginning of range (0) below minimum (1): 0", id="dom-min"),
    pytest.param("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1",
                 id="reversed"),
    pytest.param("*/0 * * * *", "step of range should be a positive number: */0", id="step-0"),
    pytest.param("x * * * *",
                 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
                 id="not-a-number"),
    pytest.param("1-2-3 * * * *", "too many hyphens: 1-2-3", id="hyphens"),
    pytest.param("@fortnightly", "unrecognized descriptor: @fortnightly", id="descriptor-bad"),
    pytest.param("@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in '
                              'duration "5x"', id="every-bad"),
])
def test_cron_schedule(schedule, problem):
    assert parse_standard(schedule) == problem


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(cron_job("*/1 * * * *"), [], id="ok"),
    pytest.param(cron_job("*/1 * * *"),
                 ['spec.schedule: Invalid value: "*/1 * * *": expected exactly 5 fields, found '
                  "4: [*/1 * * *]"], id="schedule"),
    pytest.param(cron_job("TZ=UTC 0 * * * *"),
                 ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ '
                  "in schedule, use timeZone field instead"], id="tz"),
    pytest.param(cron_job("0 * * * *", name="c" * 53),
                 [f'metadata.name: Invalid value: "{"c" * 53}": must be no more than 52 '
                  "characters"], id="name-52"),
    pytest.param({"metadata": {"name": "cj"}, "spec": {"schedule": "", "jobTemplate": {
        "spec": {"template": {"spec": {"containers": CTR, "restartPolicy": "Never"}}}}}},
        ["spec.schedule: Required value"], id="schedule-required"),
])
def test_cron_job(obj, expected):
    assert errors("CronJob", obj) == expected


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(ingress([{"path": "/test", "pathType": "Prefix", "backend": backend()}]), [],
                 id="lecture-ingress"),
    pytest.param(ingress([{"path": "/test", "backend": backend()}]),
                 ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be "
                  "specified"], id="path-type-required"),
    pytest.param(ingress([{"path": "test", "pathType": "Exact", "backend": backend()}]),
                 ['spec.rules[0].http.paths[0].path: Invalid value: "test": must be an '
                  "absolute path"], id="absolute-path"),
    pytest.param(ingress([{"path": "/a//b", "pathType": "Prefix", "backend": backend()}]),
                 ['spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain '
                  "'//'"], id="double-slash"),
    pytest.param(ingress([{"path": "/test", "pathType": "Regex", "backend": backend()}]),
                 ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported '
                  'values: "Exact", "ImplementationSpecific", "Prefix"'], id="path-type-bad"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": backend()}],
                         host="192.168.100.119"),
                 ['spec.rules[0].host: Invalid value: "192.168.100.119": must be a DNS name, '
                  "not an IP address"], id="host-ip"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": backend()}],
                         host="*.foo.com"), [], id="wildcard-ok"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": backend()}],
                         host="foo.*.com"),
                 ['spec.rules[0].host: Invalid value: "foo.*.com": a wildcard DNS-1123 '
                  "subdomain must start with '*.', followed by a valid DNS subdomain, which "
                  "must consist of lower case alphanumeric characters, '-' or '.' and end with "
                  "an alphanumeric character (e.g. '*.example.com', regex used for validation "
                  "is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
                  "[a-z0-9])?)*')"], id="wildcard-middle"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": backend("Svc")}]),
                 [f'spec.rules[0].http.paths[0].backend.service.name: Invalid value: "Svc": '
                  f"{DNS1035}"], id="backend-name"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "svc-node", "port": {}}}}]),
        ["spec.rules[0].http.paths[0].backend: Required value: port name or number is "
         "required"], id="backend-port-required"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "svc-node", "port": {"name": "http", "number": 80}}}}]),
                 ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both '
                  "port name & port number"], id="backend-port-both"),
    pytest.param(ingress([{"path": "/", "pathType": "Prefix", "backend": backend(number=0)}]),
                 ["spec.rules[0].http.paths[0].backend: Required value: port name or number is "
                  "required"], id="backend-port-zero"),
    pytest.param({"metadata": {"name": "i"}, "spec": {}},
                 ["spec: Invalid value: []: either `defaultBackend` or `rules` must be "
                  "specified"], id="empty-spec"),
])
def test_ingress(obj, expected):
    assert errors("Ingress", obj) == expected


@pytest.mark.parametrize(("controller", "expected"), [
    pytest.param("k8s.io/ingress-nginx", [], id="ok"),
    pytest.param("nginx", ['spec.controller: Invalid value: "nginx": must be a domain-prefixed '
                           'path (such as "acme.io/foo")'], id="not-prefixed"),
    pytest.param("", ["spec.controller: Required value"], id="required"),
])
def test_ingress_class(controller, expected):
    obj = {"metadata": {"name": "nginx"}, "spec": {"controller": controller}}
    assert errors("IngressClass", obj) == expected


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    pytest.param("ConfigMap", {"metadata": {"name": "cm"}, "data": {"index.html": "x",
                                                                   "a_b-c.d": "y"}}, [],
                 id="cm-ok"),
    pytest.param("ConfigMap", {"metadata": {"name": "cm"}, "data": {"conf/app": "x"}},
                 ['data[conf/app]: Invalid value: "conf/app": a valid config key must consist '
                  "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                  "'KEY_NAME',  or 'key-name', regex used for validation is "
                  "'[-._a-zA-Z0-9]+')"], id="cm-key"),
    pytest.param("ConfigMap", {"metadata": {"name": "cm"}, "data": {"..data": "x"}},
                 ["data[..data]: Invalid value: \"..data\": must not start with '..'"],
                 id="cm-dotdot"),
    pytest.param("Secret", {"metadata": {"name": "s"}, "data": {"a b": "eA=="}},
                 ['data[a b]: Invalid value: "a b": a valid config key must consist of '
                  "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  "
                  "or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"],
                 id="secret-key"),
    pytest.param("Secret", {"metadata": {"name": "s"}, "type": "kubernetes.io/tls",
                            "data": {"tls.crt": "eA=="}},
                 ["data[tls.key]: Required value"], id="secret-tls"),
    pytest.param("Secret", {"metadata": {"name": "s"}, "type": "kubernetes.io/dockerconfigjson",
                            "stringData": {".dockerconfigjson": "{}"}}, [], id="secret-docker"),
])
def test_config_data(kind, obj, expected):
    assert errors(kind, obj) == expected


def test_immutable_config_map():
    old = prepare("ConfigMap", {"metadata": {"name": "cm"}, "data": {"a": "1"},
                                "immutable": True})
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert [str(e) for e in validate("ConfigMap", new, old)] == [
        "data: Forbidden: field is immutable when `immutable` is set"]


def _course_objects():
    if not COURSE.is_dir():
        return []
    found = []
    for path in sorted(COURSE.rglob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            items = doc.get("items") if doc.get("kind") == "List" else [doc]
            found += [(path.relative_to(COURSE), item) for item in items or ()
                      if isinstance(item, dict) and item.get("kind") in KINDS]
    return found


def test_course_manifests_validate():
    objects = _course_objects()
    if not objects:
        pytest.skip("shared/course is not present")
    problems = {}
    for path, obj in objects:
        got = validate(obj["kind"], prepare(obj["kind"], obj))
        if got:
            problems[str(path)] = [str(e) for e in got]
    assert problems == {}
    assert len(objects) > 200
