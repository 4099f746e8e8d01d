"""What `kubectl describe pod` and `get deploy -A` show for the lecture's cluster."""

from __future__ import annotations

import re

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py


def test_describe_pod_shows_failing_readiness_probes(kubectl):
    kubectl("create", "-f", "rs-node-web-readiness.yaml")
    pods = kubectl.until(lambda o: o.count("Running") == 3, "get", "pods")
    name = pods.splitlines()[1].split()[0]
    out = kubectl.until(lambda o: "(x2 over" in o, "describe", "pod", name, timeout=45)
    # kubectl (1.30+) names the container before the message
    assert re.search(r"Warning\s+Unhealthy\s+\S+ \(x\d+ over \S+\)\s+kubelet\s+"
                     r"(spec\.containers\{node-web\}: )?Readiness probe failed: ls: cannot access '/var/ready': No such file or "
                     r"directory\n", out), out
    assert re.search(r"Container ID:\s+docker://[0-9a-f]{64}\n", out), out
    assert re.search(r"Image ID:\s+docker-pullable://whatwant/node-web@sha256:[0-9a-f]{64}\n",
                     out), out


def test_get_deployments_in_all_namespaces(kubectl):
    out = kubectl("get", "deploy", "-A").stdout
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert [r[:5] for r in rows[1:]] == [
        ["ingress-nginx", "ingress-nginx-controller", "1/1", "1", "1"],
        ["kube-system", "coredns", "2/2", "2", "2"]]
