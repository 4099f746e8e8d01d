"""Who may use which cluster: the one decision every door (page, socket, API) asks.

The rule, in words a teacher can check:
- a cluster's owner may use it (a student their own cluster, a teacher theirs);
- the teacher of a class may use every cluster of that class;
- a cluster with no owner (made on the command line, `make run`'s `lecture`
  before it had one) belongs to the teachers: any staff user may use it;
- a superuser may use everything; nobody else anything.
A cluster someone may not use answers as if it did not exist on pages
(404) and in the API's words (403 Forbidden) to kubectl, so neither tells a
student which other clusters there are.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from clusterviz.clusters.models import Cluster


def may_use(user: User | AnonymousUser | None, cluster: Cluster | None) -> bool:
    if cluster is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or cluster.owner_id == user.pk:
        return True
    if not user.is_staff:
        return False
    if cluster.owner_id is None:
        return True
    return cluster.classroom_id is not None and cluster.classroom.teacher_id == user.pk


def may_use_slug(user: User | AnonymousUser | None, slug: str) -> bool:
    return may_use(user, Cluster.objects.select_related("classroom").filter(slug=slug).first())


def usable_clusters(user: User | AnonymousUser) -> QuerySet[Cluster]:
    """Every cluster `user` may use, the same rule as `may_use` as one query."""
    if not user.is_authenticated or not user.is_active:
        return Cluster.objects.none()
    if user.is_superuser:
        return Cluster.objects.all()
    rule = Q(owner=user)
    if user.is_staff:
        rule |= Q(owner__isnull=True) | Q(classroom__teacher=user)
    return Cluster.objects.filter(rule)
