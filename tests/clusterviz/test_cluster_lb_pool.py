"""`manage.py ensure_cluster SLUG --lb-pool ...`: the address pool reaches the cluster, its
LoadBalancer Services get an EXTERNAL-IP, the graph shows it, and a reset keeps it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from clusterviz.clusters import runtime
from clusterviz.clusters.models import Cluster
from clusterviz.lessons import runner
from clusterviz.operations.snapshot import snapshot

pytest_plugins = ["django_fixtures"]  # fixtures; see django_fixtures.py for why not conftest.py

LB_SERVICE = """apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
"""


def external_ip(slug: str) -> str:
    def read(sim):
        [row] = [r["cells"] for r in sim.table("services")["rows"] if r["cells"][0] == "web-lb"]
        return row[3]
    return runtime.run(slug, read)


@pytest.mark.django_db
def test_the_pool_fills_external_ip_and_the_graph_shows_it():
    call_command("ensure_cluster", "pool", "--lb-pool", "192.168.100.240-192.168.100.250",
                 stdout=open("/dev/null", "w"))
    runtime.run("pool", lambda sim: sim.apply(LB_SERVICE, create=True), force_save=True)
    assert external_ip("pool") == "192.168.100.240"
    svc = next(e["data"] for e in snapshot("pool").elements
               if e["data"].get("id") == "svc/default/web-lb")
    assert svc["external"] == "192.168.100.240"
    assert svc["label"].splitlines()[-1] == "external 192.168.100.240"


@pytest.mark.django_db
def test_without_a_pool_the_address_stays_pending():
    call_command("ensure_cluster", "nopool", stdout=open("/dev/null", "w"))
    runtime.run("nopool", lambda sim: sim.apply(LB_SERVICE, create=True), force_save=True)
    assert external_ip("nopool") == "<pending>"


@pytest.mark.django_db
def test_a_bad_pool_is_refused_and_nothing_is_made():
    with pytest.raises(CommandError, match="invalid address pool entry '192.168.100.300'"):
        call_command("ensure_cluster", "bad", "--lb-pool", "192.168.100.300")
    assert not Cluster.objects.filter(slug="bad").exists()


@pytest.mark.django_db
def test_a_reset_keeps_the_pool():
    call_command("ensure_cluster", "kept", "--lb-pool", "10.1.2.0/30",
                 stdout=open("/dev/null", "w"))
    runner.reset("kept")
    runtime.run("kept", lambda sim: sim.apply(LB_SERVICE, create=True), force_save=True)
    assert external_ip("kept") == "10.1.2.0"
