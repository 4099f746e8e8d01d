"""Field selectors: apimachinery's grammar, the per-kind supported fields and their errors."""

from __future__ import annotations

import pytest

from simcore.errors import APIError
from simcore.fields import field_equalities, field_matcher, parse_field_selector

NOT_KNOWN = '"{}" is not a known field selector: only "metadata.name", "metadata.namespace"'


@pytest.mark.parametrize("text, parsed", [
    pytest.param("status.phase=Running", [("status.phase", "=", "Running")], id="equals"),
    pytest.param("status.phase==Running", [("status.phase", "=", "Running")], id="double-equals"),
    pytest.param("status.phase!=Running", [("status.phase", "!=", "Running")], id="not-equals"),
    pytest.param("status.phase!=Running,spec.restartPolicy=Always",
                 [("spec.restartPolicy", "=", "Always"), ("status.phase", "!=", "Running")],
                 id="terms-sorted"),
    pytest.param("spec.nodeName=", [("spec.nodeName", "=", "")], id="empty-value"),
    pytest.param(r"metadata.name=a\,b\=c\\d", [("metadata.name", "=", "a,b=c\\d")],
                 id="escaped-value"),
    pytest.param("", [], id="empty-selects-everything"),
    pytest.param("a=1,,b=2", [("a", "=", "1"), ("b", "=", "2")], id="empty-terms-skipped"),
])
def test_it_parses_like_apimachinery(text, parsed):
    assert parse_field_selector(text) == parsed


@pytest.mark.parametrize("text, message", [
    pytest.param("spec.nodeName", "invalid selector: 'spec.nodeName'; can't understand "
                                  "'spec.nodeName'", id="no-operator"),
    pytest.param("a=1,b", "invalid selector: 'a=1,b'; can't understand 'b'", id="bad-second-term"),
    pytest.param("a=b=c", "invalid field selector: unescaped character in value: 61",
                 id="unescaped-equals"),
    pytest.param(r"a=b\x", r"invalid field selector: invalid escape sequence: \x",
                 id="unknown-escape"),
    pytest.param("a=b\\", "invalid field selector: invalid escape sequence: \\",
                 id="trailing-backslash"),
])
def test_it_refuses_malformed_selectors(text, message):
    with pytest.raises(APIError) as info:
        parse_field_selector(text)
    assert (info.value.code, info.value.reason, str(info.value)) == (400, "BadRequest", message)


def test_it_returns_the_equalities_for_index_lookups():
    text = "spec.nodeName=worker-1,status.phase!=Succeeded,status.phase!=Failed,metadata.name==p"
    assert field_equalities(text) == {"spec.nodeName": "worker-1", "metadata.name": "p"}


POD = {"metadata": {"name": "rs-node-web-dk4hd", "namespace": "default"},
       "spec": {"nodeName": "worker-1", "restartPolicy": "Always",
                "schedulerName": "default-scheduler", "serviceAccountName": "default"},
       "status": {"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}]}}
EVENT = {"metadata": {"name": "web.1", "namespace": "default"},
         "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u1",
                            "apiVersion": "v1", "resourceVersion": "12",
                            "fieldPath": "spec.containers{web}"},
         "reason": "Pulled", "type": "Normal", "reportingComponent": "kubelet",
         "source": {"component": "kubelet", "host": "worker-1"}}


@pytest.mark.parametrize("kind, obj, text, matches", [
    pytest.param("Pod", POD, "spec.nodeName=worker-1", True, id="pod-node"),
    pytest.param("Pod", POD, "spec.nodeName=worker-2", False, id="pod-other-node"),
    pytest.param("Pod", POD, "spec.host=worker-1", True, id="pod-spec-host-alias"),
    pytest.param("Pod", POD, "status.phase!=Succeeded,status.phase!=Failed", True,
                 id="pod-not-terminated"),
    pytest.param("Pod", POD, "status.podIP=10.244.1.5", True, id="pod-ip"),
    pytest.param("Pod", POD, "spec.hostNetwork=false", True, id="pod-host-network-defaults-false"),
    pytest.param("Pod", POD, "spec.restartPolicy=Always,spec.schedulerName=default-scheduler,"
                             "spec.serviceAccountName=default", True, id="pod-spec-fields"),
    pytest.param("Pod", POD, "status.nominatedNodeName=", True, id="pod-absent-field-is-empty"),
    pytest.param("Pod", POD, "metadata.name=rs-node-web-dk4hd,metadata.namespace=default", True,
                 id="pod-meta"),
    pytest.param("Event", EVENT, "involvedObject.kind=Pod,involvedObject.name=web,"
                                 "involvedObject.namespace=default,involvedObject.uid=u1", True,
                 id="event-involved-object"),
    pytest.param("Event", EVENT, "involvedObject.fieldPath=spec.containers{web},reason=Pulled,"
                                 "type=Normal,source=kubelet,reportingComponent=kubelet", True,
                 id="event-fields"),
    pytest.param("Event", {**EVENT, "source": {}, "reportingComponent": "default-scheduler"},
                 "source=default-scheduler", True, id="event-source-falls-back"),
    pytest.param("Node", {"metadata": {"name": "worker-1"}, "spec": {"unschedulable": True}},
                 "spec.unschedulable=true", True, id="node-cordoned"),
    pytest.param("Node", {"metadata": {"name": "worker-1"}, "spec": {}},
                 "spec.unschedulable=false,metadata.name=worker-1", True, id="node-schedulable"),
    pytest.param("Namespace", {"metadata": {"name": "x"}, "status": {"phase": "Terminating"}},
                 "status.phase=Terminating", True, id="namespace-phase"),
    pytest.param("Secret", {"metadata": {"name": "s"}, "type": "kubernetes.io/tls"},
                 "type=kubernetes.io/tls", True, id="secret-type"),
    pytest.param("ReplicationController", {"metadata": {"name": "rc"}, "status": {"replicas": 3}},
                 "status.replicas=3", True, id="rc-replicas"),
    pytest.param("Job", {"metadata": {"name": "j"}, "status": {"succeeded": 5}},
                 "status.successful=5", True, id="job-successful"),
    pytest.param("Service", {"metadata": {"name": "svc"}, "spec": {"type": "NodePort",
                                                                   "clusterIP": "10.96.0.10"}},
                 "spec.type=NodePort,spec.clusterIP=10.96.0.10", True, id="service-fields"),
    pytest.param("Deployment", {"metadata": {"name": "web", "namespace": "prod"}},
                 "metadata.namespace!=default", True, id="any-kind-namespace"),
])
def test_it_matches_the_fields_each_kind_exposes(kind, obj, text, matches):
    assert field_matcher(kind, text)(obj) is matches


@pytest.mark.parametrize("kind, text, message", [
    pytest.param("Pod", "spec.containers=web", "field label not supported: spec.containers",
                 id="pod"),
    pytest.param("Node", "metadata.namespace=x", "field label not supported: metadata.namespace",
                 id="node-has-no-namespace-field"),
    pytest.param("Namespace", "status.conditions=x",
                 "field label not supported: status.conditions", id="namespace"),
    pytest.param("Service", "spec.ports=80", "field label not supported: spec.ports",
                 id="service"),
    pytest.param("Job", "status.succeeded=1",
                 'field label "status.succeeded" not supported for batchv1.Job', id="job"),
    pytest.param("ReplicaSet", "status.replicas=0", NOT_KNOWN.format("status.replicas"),
                 id="replicaset-not-registered-in-apps-v1"),
    pytest.param("Ingress", "foo.bar=baz", NOT_KNOWN.format("foo.bar"), id="ingress-docs-example"),
    pytest.param("Pod", "z.bad=1,a.bad=2", "field label not supported: a.bad",
                 id="first-sorted-term-reported"),
])
def test_it_refuses_fields_the_kind_cannot_select_on(kind, text, message):
    with pytest.raises(APIError) as info:
        field_matcher(kind, text)
    assert (info.value.code, info.value.reason, str(info.value)) == (400, "BadRequest", message)
