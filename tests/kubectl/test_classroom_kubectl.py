"""A class over TLS: a teacher makes a class, two students join and download kubeconfigs,
and the real kubectl runs the lecture's first step with them. Another student's cluster is
403 in the API server's words, a revoked token 401, and `kubectl auth can-i` tells the truth.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from tests.kubectl.kubectl_fixtures import (  # noqa: F401
    KUBECTL,
    TEACHER,
    Kubectl,
    WebUser,
    cache_dir,
    server,
)

_names = itertools.count(1)
SYSTEM_KUBECTL = Path("/usr/bin/kubectl")  # Debian's older kubectl, where installed


@pytest.fixture
def room(server, cache_dir, tmp_path):  # noqa: F811
    n = next(_names)
    teacher = WebUser(server).sign_in(TEACHER, server.teacher_password)
    code = teacher.new_class(f"class {n}")
    people = {}
    for name in (f"ann{n}", f"ben{n}"):
        student = WebUser(server)
        slug = student.join(code, name, "a long enough passphrase")
        config = student.kubeconfig(slug, tmp_path / f"kubeconfig-{name}")
        people[name] = (student, slug, Kubectl(config, cache_dir, tmp_path))
    return teacher, people


@pytest.mark.parametrize("binary", [
    pytest.param(KUBECTL, id="bundled"),
    pytest.param(SYSTEM_KUBECTL, id="system", marks=pytest.mark.skipif(
        not SYSTEM_KUBECTL.exists(), reason="no system kubectl on this machine")),
])
def test_each_student_runs_the_lecture_in_their_own_cluster(room, lecture_file, binary):
    _, people = room
    (ann, ann_slug, ann_kubectl), (_, ben_slug, ben_kubectl) = people.values()
    ann_kubectl, ben_kubectl = (dataclasses.replace(k, binary=binary)
                                for k in (ann_kubectl, ben_kubectl))
    config = ann_kubectl.kubeconfig.read_text()
    assert "certificate-authority-data" in config and "insecure" not in config
    assert "server: https://127.0.0.1:" in config
    created = ann_kubectl("create", "-f", "-", input=lecture_file("rs-node-web.yaml"))
    assert created.stdout == "replicaset.apps/rs-node-web created\n"
    assert "rs-node-web" in ann_kubectl("get", "rs").stdout
    assert ben_kubectl("get", "rs").stderr == "No resources found in default namespace.\n"


def test_another_students_cluster_is_forbidden(room, tmp_path):
    _, people = room
    (_, ann_slug, ann_kubectl), (_, ben_slug, _) = people.values()
    ann_name = next(iter(people))
    done = ann_kubectl("--server", ann_kubectl.server_of().replace(ann_slug, ben_slug),
                       "get", "pods", check=False)
    assert done.returncode == 1
    assert done.stderr == (
        f'Error from server (Forbidden): pods is forbidden: User "{ann_name}" cannot list '
        'resource "pods" in API group "" in the namespace "default"\n')


def test_a_revoked_token_gets_401(room, server):  # noqa: F811
    teacher, people = room
    ann, slug, kubectl = next(iter(people.values()))
    assert kubectl("get", "nodes", "-o", "name").stdout.startswith("node/")
    _, _, page = teacher.request("GET", "/")
    class_path = page.split('<h3><a href="')[1].split('"')[0]
    _, _, class_page = teacher.request("GET", class_path)
    revoke = class_page.split(f'data-slug="{slug}"')[1].split('action="')[3].split('"')[0]
    assert teacher.request("POST", revoke, {})[0] == 302
    done = kubectl("get", "nodes", check=False)
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        1, "error: You must be logged in to the server (Unauthorized)")


@pytest.mark.parametrize(("args", "own", "other"), [
    pytest.param(("create", "pods"), "yes\n", "no\n", id="create-pods"),
    pytest.param(("delete", "nodes"), "yes\n", "no\n", id="delete-nodes"),
    pytest.param(("create", "selfsubjectaccessreviews.authorization.k8s.io"), "yes\n",
                 "yes\n", id="basic-user"),
])
def test_auth_can_i_answers_for_the_user(room, args, own, other):
    _, people = room
    (_, ann_slug, ann_kubectl), (_, ben_slug, _) = people.values()
    mine = ann_kubectl("auth", "can-i", *args, check=False)
    assert mine.stdout == own, mine.stderr
    theirs = ann_kubectl("--server", ann_kubectl.server_of().replace(ann_slug, ben_slug),
                         "auth", "can-i", *args, check=False)
    assert theirs.stdout == other, theirs.stderr
    assert theirs.returncode == (0 if other == "yes\n" else 1)


def test_auth_can_i_list(room):
    _, people = room
    _, _, kubectl = next(iter(people.values()))
    out = kubectl("auth", "can-i", "--list").stdout.splitlines()
    assert out[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert out[1].split() == ["*.*", "[]", "[]", "[*]"]
