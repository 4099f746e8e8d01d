"""Who may use which cluster (clusterviz/classroom/policy.py): the rule for every kind of
user and cluster, asked both ways the app asks it, which must agree: one cluster by its slug
(`may_use_slug`, every door) and every cluster at once (`usable_clusters`, the pages that
list them)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from clusterviz.classroom.models import Classroom
from clusterviz.classroom.policy import may_use_slug, usable_clusters
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import create_cluster

# user -> may use (the student's cluster in the class, a teacher's own, one nobody owns)
EXPECTED = {
    "anonymous": (False, False, False),
    "owner_student": (True, False, False),
    "other_student": (False, False, False),
    "inactive_owner": (False, False, False),
    "class_teacher": (True, True, True),
    "other_teacher": (False, False, True),
    "superuser": (True, True, True),
}


@pytest.fixture
def world(db):
    users = get_user_model().objects
    people = {
        "anonymous": AnonymousUser(),
        "owner_student": users.create_user("ada"),
        "other_student": users.create_user("bob"),
        "inactive_owner": users.create_user("cy", is_active=False),
        "class_teacher": users.create_user("tess", is_staff=True),
        "other_teacher": users.create_user("otto", is_staff=True),
        "superuser": users.create_user("root", is_staff=True, is_superuser=True),
    }
    room = Classroom.objects.create(name="4A", teacher=people["class_teacher"], code="ROOM4A")
    create_cluster("student", owner=people["owner_student"], classroom=room)
    create_cluster("teachers-own", owner=people["class_teacher"])
    create_cluster("nobodys")
    return people


@pytest.mark.parametrize("who", EXPECTED)
def test_the_rule_for_each_user_and_cluster_asked_both_ways(world, who):
    user = world[who]
    if who == "inactive_owner":  # the student's cluster, its owner deactivated since
        Cluster.objects.filter(slug="student").update(owner=user)
    slugs = ("student", "teachers-own", "nobodys")
    by_slug = tuple(may_use_slug(user, slug) for slug in slugs)
    listed = set(usable_clusters(user).values_list("slug", flat=True))
    assert by_slug == tuple(slug in listed for slug in slugs) == EXPECTED[who]


def test_a_cluster_that_does_not_exist_is_nobodys_to_use(world):
    assert may_use_slug(world["superuser"], "missing") is False
