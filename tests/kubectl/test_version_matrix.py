"""The lecture's first steps through every kubectl at hand (kubectl_versions.py), 1.27 to 1.37.

Each version gets a cluster of its own and runs the same steps; the step
that fails names itself in the assertion, and the line printed per version
(`-s` or the `-rA` summary) says how far it got. kubectl 1.27 and 1.28 read
`/openapi/v2` (protobuf) before any `create -f`, `apply -f` or `diff`.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from kubectl_versions import kubectl_versions

pytest_plugins = ["kubectl_fixtures"]

VERSIONS = kubectl_versions()


def _rows(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()[1:]]


def _running(text: str, count: int) -> bool:
    rows = _rows(text)
    return len(rows) == count and all(r[1] == "1/1" and r[2] == "Running" for r in rows)


def _raw_path(kubectl, path: str) -> str:
    """kubectl 1.33 and older drop the server URL's path for `get --raw` (README)."""
    version = re.search(r"v1\.(\d+)", kubectl("version", "--client").stdout)
    if version and int(version.group(1)) <= 33:
        return urllib.parse.urlsplit(kubectl.server_url()).path + path
    return path


def _steps(kubectl) -> list[str]:
    """The lecture's steps; returns the names of those done (all of them, or it raises)."""
    done = []
    out = kubectl("create", "-f", "rs-node-web.yaml").stdout
    assert out == "replicaset.apps/rs-node-web created\n", ("create -f", out)
    done.append("create -f")
    out = kubectl.until(lambda o: _running(o, 3), "get", "pods", "-o", "wide")
    assert _running(out, 3), ("get pods", out)
    done.append("get pods")
    out = kubectl("create", "-f", "svc-none-node-web.yaml").stdout
    assert out == "service/svc-node created\n", ("create svc", out)
    applied = kubectl("apply", "-f", "svc-clientip-node-web.yaml")
    assert applied.stdout == "service/svc-node configured\n", ("apply -f", applied)
    done.append("apply -f")
    diff = kubectl("diff", "-f", "svc-clientip-node-web.yaml", check=False)
    assert (diff.returncode, diff.stdout) == (0, ""), ("diff", diff)
    done.append("diff")
    out = kubectl("explain", "services.spec.sessionAffinity").stdout
    assert "Supports \"ClientIP\" and \"None\"." in out, ("explain", out)
    done.append("explain")
    out = kubectl("get", "--raw", _raw_path(kubectl, "/api/v1/namespaces/default")).stdout
    assert out.startswith('{"apiVersion":"v1","kind":"Namespace"'), ("get --raw", out)
    done.append("get --raw")
    out = kubectl("delete", "-f", "svc-clientip-node-web.yaml").stdout
    assert out.startswith('service "svc-node" deleted'), ("delete -f", out)
    done.append("delete -f")
    return done


@pytest.mark.parametrize("label, binary", [pytest.param(v, b, id=v) for v, b in VERSIONS])
def test_lecture_steps_work_with_each_kubectl(kubectl_binary, label, binary):
    kubectl = kubectl_binary(binary)
    try:
        done = _steps(kubectl)
    except AssertionError as exc:
        print(f"kubectl {label}: FAILED {exc}")
        raise
    print(f"kubectl {label}: ok ({', '.join(done)})")
