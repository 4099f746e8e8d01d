"""The classroom's own pages and commands: the landing page per role, joining, a closed
class, the teacher's forms, the kubeconfig a download and `manage.py kubeconfig` give, the
certificate's names, and the allowed hosts that follow from the address served."""

from __future__ import annotations

import base64
import io

import pytest
import yaml
from cryptography import x509
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from clusterviz.classroom import netnames, tls
from clusterviz.classroom.models import ApiToken, Classroom
from clusterviz.clusters.models import Cluster

pytest_plugins = ["django_fixtures"]
PASSWORD = "a long enough passphrase"


@pytest.fixture
def classroom(teacher) -> Classroom:
    return Classroom.objects.create(name="Services", teacher=teacher, code="K8S234",
                                    pod_quota=40, object_quota=400)


def _join(client: Client, code: str, name: str):
    return client.post("/join", {"code": code, "username": name, "password": PASSWORD})


def test_the_landing_page_signed_out_offers_sign_in_and_join(db):
    page = Client().get("/").content.decode()
    assert "A Kubernetes classroom on one laptop" in page
    assert 'action="/signin"' in page and 'action="/join"' in page


def test_joining_makes_a_signed_in_student_with_a_cluster_of_the_class(classroom, settings):
    settings.TLS_PORT = 6443
    client = Client()
    response = _join(client, "k8s234", "ann")  # the code is read case-insensitively
    cluster = Cluster.objects.get(owner__username="ann")
    assert (response.status_code, response["Location"]) == (302, f"/#cluster-{cluster.slug}")
    assert (cluster.classroom, cluster.preset, cluster.slug) == (classroom, "lecture",
                                                                 "k8s234-ann")
    assert cluster.state["config"]["quota"] == {"pods": 40, "objects": 400}
    home = client.get("/").content.decode()
    assert f'href="/clusters/{cluster.slug}/kubeconfig"' in home
    assert f"export KUBECONFIG=~/Downloads/kubeconfig-{cluster.slug}" in home
    assert "New class" not in home  # a student's page has no teacher's forms


@pytest.mark.parametrize(("change", "error"), [
    pytest.param({"code": "NOPE22"}, "No class has this code.", id="unknown-code"),
    pytest.param({"closed": True}, "This class is closed to new students.", id="closed"),
    pytest.param({"username": "teacher"}, "This name is taken", id="name-taken"),
    pytest.param({"username": "two words"}, "Enter a valid username", id="bad-name"),
    pytest.param({"password": "123"}, "This password is too short", id="short-password"),
])
def test_a_join_that_cannot_be(classroom, change, error):
    if change.pop("closed", False):
        Classroom.objects.filter(pk=classroom.pk).update(open=False)
    form = {"code": "K8S234", "username": "ann", "password": PASSWORD, **change}
    response = Client().post("/join", form)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Cluster.objects.filter(classroom=classroom).exists()


def test_the_teacher_creates_a_class_and_a_cluster_with_a_pool(client):
    response = client.post("/classes/new", {"name": "Week 4", "preset": "lecture",
                                            "pod_quota": 500, "object_quota": 2000})
    classroom = Classroom.objects.get(name="Week 4")
    assert response["Location"] == f"/classes/{classroom.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'id="join-code">{classroom.code}<' in page
    assert f"http://testserver/join?code={classroom.code}" in page


def test_the_join_link_names_the_rooms_addresses(client, teacher, settings):
    settings.SERVED_NAMES = ["localhost", "127.0.0.1", "::1", "vm", "192.0.2.2", "fd00::2"]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    classroom = Classroom.objects.create(name="c", teacher=teacher, code="ROOM22")
    page = client.get(f"/classes/{classroom.pk}/", HTTP_HOST="127.0.0.1:8000").content.decode()
    links = page.split('class="join-urls">')[1].split("</ul>")[0]
    assert [a.split('href="')[1].split('"')[0] for a in links.split("<li>")[1:]] == [
        "http://127.0.0.1:8000/join?code=ROOM22", "http://192.0.2.2:8000/join?code=ROOM22"]
    made = client.post("/clusters/new", {"slug": "pool", "preset": "lecture",
                                         "lb_pool": "192.168.100.240-192.168.100.250"})
    assert made.status_code == 302
    refused = client.post("/clusters/new", {"slug": "bad", "preset": "lecture",
                                            "lb_pool": "300.1.1.1"})
    assert refused.status_code == 400 and not Cluster.objects.filter(slug="bad").exists()


def test_a_download_rotates_the_token(classroom, settings):
    settings.TLS_PORT = 6443
    client = Client()
    _join(client, "K8S234", "ann")
    slug = Cluster.objects.get(owner__username="ann").slug
    first = yaml.safe_load(client.get(f"/clusters/{slug}/kubeconfig").content)
    second = yaml.safe_load(client.get(f"/clusters/{slug}/kubeconfig").content)
    tokens = [c["users"][0]["user"]["token"] for c in (first, second)]
    url = f"/k8s/clusters/{slug}/api/v1/namespaces/default/pods"
    answers = [Client(headers={"Authorization": f"Bearer {t}"}).get(url).status_code
               for t in tokens]
    assert answers == [401, 200]
    assert ApiToken.objects.filter(user__username="ann").count() == 1
    assert tokens[1] not in str(list(ApiToken.objects.values_list("digest", flat=True)))


def test_no_kubeconfig_without_a_tls_endpoint(client, cluster, settings):
    settings.TLS_PORT = 0
    response = client.get("/clusters/lecture/kubeconfig")
    assert response.status_code == 503
    assert response.content.decode().startswith("This server has no TLS endpoint for kubectl")


def test_the_kubeconfig_command_never_says_0_0_0_0(cluster, teacher, settings, tmp_path):
    settings.TLS_PORT, settings.BIND_HOST = 8443, "0.0.0.0"
    out = tmp_path / "kubeconfig"
    call_command("kubeconfig", "lecture", "-o", str(out), stdout=io.StringIO())
    config = yaml.safe_load(out.read_text())
    entry = config["clusters"][0]["cluster"]
    assert entry["server"] == "https://127.0.0.1:8443/k8s/clusters/lecture"
    assert set(entry) == {"server", "certificate-authority-data"}
    assert config["users"][0]["name"] == "teacher@lecture"
    ca = x509.load_pem_x509_certificate(base64.b64decode(entry["certificate-authority-data"]))
    assert ca.subject.rfc4514_string() == "CN=ClusterViz local CA"


def test_the_teacher_account_gets_a_generated_password_once(db):
    first, again = io.StringIO(), io.StringIO()
    call_command("ensure_teacher", stdout=first)
    call_command("ensure_teacher", stdout=again)
    password = first.getvalue().split("password ")[1].split()[0]
    assert len(password) >= 12 and get_user_model().objects.get(username="teacher").is_staff
    assert get_user_model().objects.get(username="teacher").check_password(password)
    assert password not in again.getvalue() and "exists" in again.getvalue()


def test_the_certificate_covers_the_served_names_and_keeps_its_ca(tmp_path):
    files = tls.ensure(tmp_path, ["localhost", "127.0.0.1", "::1"])
    ca = files.ca_cert.read_bytes()
    assert tls.covered_names(files.cert) == ["localhost", "127.0.0.1", "::1"]
    tls.ensure(tmp_path, ["localhost", "127.0.0.1", "::1", "class.local", "10.0.0.5"])
    assert "class.local" in tls.covered_names(files.cert)
    assert "10.0.0.5" in tls.covered_names(files.cert)
    assert files.ca_cert.read_bytes() == ca  # kubeconfigs handed out stay valid


@pytest.mark.parametrize(("bind", "extra", "present", "absent"), [
    pytest.param("127.0.0.1", [], ["localhost", "127.0.0.1", "::1"], ["0.0.0.0"],
                 id="loopback"),
    pytest.param("0.0.0.0", ["class.local"], ["127.0.0.1", "class.local"], ["0.0.0.0"],
                 id="all-addresses"),
    pytest.param("10.1.2.3", [], ["10.1.2.3", "localhost"], ["0.0.0.0"], id="one-address"),
])
def test_the_served_names(bind, extra, present, absent):
    names = netnames.served_names(bind, extra)
    assert all(n in names for n in present) and not any(n in names for n in absent)
    assert netnames.allowed_host("::1") == "[::1]"
