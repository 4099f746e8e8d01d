"""Corners of the API that kubectl reaches outside the lecture's script.

- v1 Endpoints answers every request with the API server's deprecation
  warning (a `Warning` header since v1.33), which kubectl prints on stderr;
- `describe node` reads the node's Lease in `kube-node-lease`;
- `get all` walks the `all` category, `api-resources` the whole discovery;
- typed create commands (`kubectl create deployment`): kubectl 1.37 sends
  them as protobuf (`Content-Type: application/vnd.kubernetes.protobuf`,
  seen with `-v=8`) whatever discovery says, and client-go falls back to
  JSON after a 415 only for CBOR, so the server decodes protobuf (the other
  typed commands are in test_typed_commands.py); a body it cannot read is the
  API server's 400, in its words.
"""

from __future__ import annotations

import re

pytest_plugins = ["kubectl_fixtures"]

ENDPOINTS_WARNING = ("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 "
                     "EndpointSlice\n")


def test_get_endpoints_warns_that_v1_endpoints_is_deprecated(kubectl):
    done = kubectl("get", "ep")
    assert done.stderr == ENDPOINTS_WARNING
    assert done.stdout.splitlines()[0].split() == ["NAME", "ENDPOINTS", "AGE"]
    assert re.match(r"kubernetes\s+192\.168\.100\.119:6443\s", done.stdout.splitlines()[1])


def test_describe_endpoints_warns_too(kubectl):
    done = kubectl("describe", "ep", "kubernetes")
    assert done.stderr == ENDPOINTS_WARNING
    assert done.stdout.startswith("Name:         kubernetes\nNamespace:    default\n")


def test_a_missing_endpoints_still_carries_the_warning(kubectl):
    done = kubectl("get", "ep", "nope", check=False)
    assert done.returncode == 1
    assert done.stderr == (ENDPOINTS_WARNING +
                           'Error from server (NotFound): endpoints "nope" not found\n')


def test_endpointslices_carry_no_warning(kubectl):
    assert kubectl("get", "endpointslices").stderr == ""


def test_describe_node_shows_its_lease(kubectl):
    out = kubectl("describe", "node", "worker1").stdout
    assert out.startswith("Name:               worker1\n")
    lease = out[out.index("\nLease:\n") + 1:].splitlines()[1:4]
    assert lease[0] == "  HolderIdentity:  worker1"
    assert lease[1] == "  AcquireTime:     <unset>"
    assert re.fullmatch(r"  RenewTime:       \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000",
                        lease[2])
    assert "Failed to get lease" not in out


def test_get_lease_of_a_node(kubectl):
    out = kubectl("get", "lease", "-n", "kube-node-lease").stdout
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["NAME", "HOLDER"], ["master-stg", "master-stg"], ["worker1", "worker1"],
        ["worker2", "worker2"]]


def test_get_all_lists_pods_services_and_replicasets(kubectl):
    kubectl("create", "-f", "rs-node-web.yaml")
    done = kubectl("get", "all")
    assert done.stderr == ""
    blocks = [block.splitlines() for block in done.stdout.strip().split("\n\n")]
    assert [block[0].split() for block in blocks] == [
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]]
    assert len(blocks[0]) == 4 and all(r.startswith("pod/rs-node-web-") for r in blocks[0][1:])
    assert blocks[1][1].startswith("service/kubernetes ")
    assert blocks[2][1].startswith("replicaset.apps/rs-node-web ")


def test_api_resources_lists_the_served_types(kubectl):
    done = kubectl("api-resources")
    assert done.stderr == ""
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:]}
    assert done.stdout.splitlines()[0].split() == ["NAME", "SHORTNAMES", "APIVERSION",
                                                   "NAMESPACED", "KIND"]
    assert rows["pods"] == ["po", "v1", "true", "Pod"]
    assert rows["replicasets"] == ["rs", "apps/v1", "true", "ReplicaSet"]
    assert rows["leases"] == ["coordination.k8s.io/v1", "true", "Lease"]
    assert rows["endpointslices"] == ["discovery.k8s.io/v1", "true", "EndpointSlice"]
    assert rows["nodes"] == ["no", "v1", "false", "Node"]


def test_create_deployment_by_command(kubectl):
    done = kubectl("create", "deployment", "web", "--image=nginx")
    assert (done.stdout, done.stderr) == ("deployment.apps/web created\n", "")
    out = kubectl.until(lambda o: "1/1" in o, "get", "deployment", "web")
    assert out.splitlines()[1].split()[:4] == ["web", "1/1", "1", "1"]


def test_a_protobuf_create_of_an_existing_name_is_the_api_servers_409(kubectl):
    kubectl("create", "deployment", "web", "--image=nginx")
    done = kubectl("create", "deployment", "web", "--image=nginx", check=False)
    assert done.returncode == 1
    assert done.stderr == ('error: failed to create deployment: deployments.apps "web" '
                           "already exists\n")


def test_create_deployment_through_json(kubectl):
    manifest = kubectl("create", "deployment", "web", "--image=nginx", "--dry-run=client",
                       "-o", "yaml").stdout
    done = kubectl("create", "-f", "-", input=manifest)
    assert (done.stdout, done.stderr) == ("deployment.apps/web created\n", "")
    out = kubectl.until(lambda o: "1/1" in o, "get", "deployment", "web")
    assert out.splitlines()[1].split()[:4] == ["web", "1/1", "1", "1"]
