"""kubectl's typed commands, which send their bodies as Kubernetes protobuf.

With `-v=8`, kubectl 1.37 shows `Content-Type: application/vnd.kubernetes.protobuf`
on the POST of every `kubectl create <subcommand>` (deployment, service *, configmap,
secret *, job, cronjob, namespace, ingress, poddisruptionbudget, priorityclass, quota,
role, rolebinding, clusterrole, clusterrolebinding, serviceaccount), of `autoscale`
(an autoscaling/v2 HorizontalPodAutoscaler) and on the DeleteOptions of the pod
deletes in `drain`. `run`, `expose`, `scale`, `label`, `annotate`, `rollout`,
`set`, `delete`, `apply` and `create -f` send JSON or JSON patches.
"""

from __future__ import annotations

import base64
import json

import pytest

pytest_plugins = ["kubectl_fixtures"]


def _get(kubectl, *what: str) -> dict:
    return json.loads(kubectl("get", *what, "-o", "json").stdout)


@pytest.mark.parametrize("command, printed, resource, path, value", [
    (["create", "service", "clusterip", "svc-web", "--tcp=80:8080"], "service/svc-web created",
     ["service", "svc-web"], ["spec", "ports"],
     [{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}]),
    (["create", "service", "nodeport", "svc-np", "--tcp=80:8080", "--node-port=30080"],
     "service/svc-np created", ["service", "svc-np"], ["spec", "ports", 0, "nodePort"], 30080),
    (["create", "service", "clusterip", "svc-headless", "--clusterip=None"],
     "service/svc-headless created", ["service", "svc-headless"], ["spec", "clusterIP"],
     "None"),
    (["create", "configmap", "greeting", "--from-literal=hello=world"],
     "configmap/greeting created", ["configmap", "greeting"], ["data"], {"hello": "world"}),
    (["create", "secret", "generic", "db", "--from-literal=password=s3cret"],
     "secret/db created", ["secret", "db"], ["data", "password"],
     base64.b64encode(b"s3cret").decode()),
    (["create", "job", "hello", "--image=busybox", "--", "echo", "hi"],
     "job.batch/hello created", ["job", "hello"],
     ["spec", "template", "spec", "containers", 0, "command"], ["echo", "hi"]),
    (["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *"],
     "cronjob.batch/tick created", ["cronjob", "tick"], ["spec", "schedule"], "*/5 * * * *"),
    (["create", "namespace", "team-a"], "namespace/team-a created", ["namespace", "team-a"],
     ["status", "phase"], "Active"),
    (["create", "ingress", "web", "--rule=foo.com/bar=svc-web:8080"],
     "ingress.networking.k8s.io/web created", ["ingress", "web"],
     ["spec", "rules", 0, "http", "paths", 0, "backend", "service"],
     {"name": "svc-web", "port": {"number": 8080}}),
    (["create", "quota", "small", "--hard=cpu=1,pods=2"], "resourcequota/small created",
     ["resourcequota", "small"], ["spec", "hard"], {"cpu": "1", "pods": "2"}),
    (["create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=50%"],
     "poddisruptionbudget.policy/web created", ["pdb", "web"], ["spec", "minAvailable"], "50%"),
    (["create", "serviceaccount", "robot"], "serviceaccount/robot created",
     ["serviceaccount", "robot"], ["metadata", "name"], "robot"),
    (["create", "rolebinding", "read", "--clusterrole=view", "--user=bob"],
     "rolebinding.rbac.authorization.k8s.io/read created", ["rolebinding", "read"],
     ["subjects"], [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]),
])
def test_a_typed_create_stores_what_kubectl_meant(kubectl, command, printed, resource, path,
                                                 value):
    done = kubectl(*command)
    assert (done.stdout, done.stderr) == (printed + "\n", "")
    got = _get(kubectl, *resource)
    for step in path:
        got = got[step]
    assert got == value


def test_autoscale_creates_an_autoscaling_v2_hpa(kubectl):
    kubectl("create", "deployment", "web", "--image=nginx")
    done = kubectl("autoscale", "deployment", "web", "--max=3", "--cpu=50%")
    assert (done.stdout, done.stderr) == ("horizontalpodautoscaler.autoscaling/web autoscaled\n",
                                          "")
    spec = _get(kubectl, "hpa.v2.autoscaling", "web")["spec"]
    assert spec["maxReplicas"] == 3
    assert spec["metrics"][0]["resource"]["target"] == {"averageUtilization": 50,
                                                        "type": "Utilization"}


def test_drain_deletes_the_pods_with_protobuf_delete_options(kubectl):
    kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
    kubectl.until(lambda o: "3/3" in o, "get", "deployment", "web")
    done = kubectl("drain", "worker2", "--ignore-daemonsets", "--force",
                   "--delete-emptydir-data", "--timeout=20s")
    assert done.stdout.endswith("node/worker2 drained\n")
    pods = _get(kubectl, "pods", "-l", "app=web")["items"]
    assert all(p["spec"].get("nodeName") != "worker2" for p in pods
               if not p["metadata"].get("deletionTimestamp"))
