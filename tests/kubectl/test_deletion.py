"""Deletion as a real server does it: foreground cascades finish, finalizers hold objects.

Foreground deletion is what `kubectl delete --cascade=foreground` asks for;
kubectl then waits until the object is gone, so a cascade that never
finishes is a command that never returns. Finalizers are what operators
build on: the kopf test runs a tiny operator (kopf_operator.py) in a
process of its own against the live server and checks that its delete
handler ran while the object was still there, marked for deletion.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ["kubectl_fixtures"]

OPERATOR = Path(__file__).with_name("kopf_operator.py")
KOPF = Path(sys.executable).parent / "kopf"
HELD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: ["example.com/a", "example.com/b"]
"""


@pytest.mark.parametrize("create, kind", [
    pytest.param(("create", "deployment", "web", "--image=nginx", "--replicas=2"),
                 "deployment.apps", id="deployment"),
    pytest.param(("create", "-f", "rs-node-web.yaml"), "replicaset.apps", id="replicaset"),
])
def test_foreground_delete_returns_once_the_dependents_are_gone(kubectl, create, kind):
    kubectl(*create)
    name = "web" if kind == "deployment.apps" else "rs-node-web"
    kubectl.until(lambda o: o.count("Running") == (2 if name == "web" else 3), "get", "pods")
    done = kubectl("delete", kind.split(".")[0], name, "--cascade=foreground", "--timeout=60s")
    assert done.stdout == f'{kind} "{name}" deleted from default namespace\n'
    left = kubectl("get", "deployments,replicasets,pods")
    assert (left.stdout, left.stderr) == ("", "No resources found in default namespace.\n")


def test_finalizers_hold_a_deleted_object_until_the_last_goes(kubectl):
    kubectl("create", "-f", "-", input=HELD)
    done = kubectl("delete", "configmap", "held", "--wait=false")
    assert done.stdout == 'configmap "held" deleted from default namespace\n'
    marks = kubectl("get", "configmap", "held", "-o",
                    "jsonpath={.metadata.deletionGracePeriodSeconds} {.metadata.finalizers}")
    assert marks.stdout == '0 ["example.com/a","example.com/b"]'
    assert kubectl("get", "configmap", "held", "-o",
                   "jsonpath={.metadata.deletionTimestamp}").stdout != ""
    kubectl("patch", "configmap", "held", "--type=json",
            "-p", '[{"op":"remove","path":"/metadata/finalizers/0"}]')
    assert kubectl("get", "configmap", "held", "-o", "name").stdout == "configmap/held\n"
    kubectl("patch", "configmap", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    gone = kubectl("get", "configmap", "held", check=False)
    assert gone.stderr == 'Error from server (NotFound): configmaps "held" not found\n'


def test_an_object_being_deleted_takes_no_new_finalizer(kubectl):
    kubectl("create", "-f", "-", input=HELD)
    kubectl("delete", "configmap", "held", "--wait=false")
    added = kubectl("patch", "configmap", "held", "--type=json", "-p",
                    '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/new"}]',
                    check=False)
    assert added.returncode == 1
    assert added.stderr == (
        'The ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can '
        'be added if the object is being deleted, found new finalizers '
        '[]string{"example.com/new"}\n')


@pytest.fixture
def kopf_operator(kubectl, tmp_path):
    notes = tmp_path / "notes.txt"
    env = {**os.environ, "KUBECONFIG": str(kubectl.kubeconfig), "KOPF_TEST_NOTES": str(notes)}
    log = open(tmp_path / "kopf.log", "w")
    proc = subprocess.Popen([str(KOPF), "run", "--standalone", "--namespace", "default",
                             str(OPERATOR)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield notes
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_kopf_delete_handler_runs_before_the_object_goes(kubectl, kopf_operator):
    kubectl("create", "configmap", "kt", "--from-literal=a=b")
    kubectl("label", "configmap", "kt", "kopf-test=yes")
    finalizers = kubectl.until(lambda o: "KopfFinalizerMarker" in o, "get", "configmap", "kt",
                               "-o", "jsonpath={.metadata.finalizers}", timeout=60)
    assert finalizers == '["kopf.zalando.org/KopfFinalizerMarker"]'
    done = kubectl("delete", "configmap", "kt", "--timeout=60s")
    assert done.stdout == 'configmap "kt" deleted from default namespace\n'
    _wait_for(lambda: kopf_operator.exists() and "deleting" in kopf_operator.read_text())
    assert kopf_operator.read_text().splitlines()[1:] == [
        "created kt", "deleting kt deletionTimestamp=yes"]
    gone = kubectl("get", "configmap", "kt", check=False)
    assert gone.stderr == 'Error from server (NotFound): configmaps "kt" not found\n'


def test_kopfs_events_show_the_clusters_ages(kubectl, kopf_operator):
    """kopf stamps the events it posts with the wall clock; `get events` (printed by the
    server) and `describe` (ages from the client's clock) must both show them as just now."""
    kubectl("create", "configmap", "kt", "--from-literal=a=b")
    kubectl("label", "configmap", "kt", "kopf-test=yes")
    selector = "--field-selector=involvedObject.name=kt"
    out = kubectl.until(lambda o: "noted kt" in o, "get", "events", selector, timeout=60)
    row = next(line for line in out.splitlines() if "noted kt" in line)
    assert re.fullmatch(r"\d+s\s+Normal\s+Noted\s+configmap/kt\s+noted kt", row), row
    described = kubectl("describe", "configmap", "kt").stdout
    row = next(line for line in described.splitlines() if "noted kt" in line)
    assert re.fullmatch(r"\s+Normal\s+Noted\s+\d+s\s+kopf\s+noted kt", row), row

