"""Who is who in a class: classes a teacher runs, and the API tokens kubectl carries.

A teacher is a Django staff user; a student is a plain user who joined a
class with its code (their display name is `first_name`, their sign-in name
`username`). A student's cluster is a `clusters.Cluster` whose `owner` is
the student and whose `classroom` is the class: no membership table,
because in this classroom a student is in a class exactly by owning a
cluster of it. The quota defaults live on the class and are copied onto
each cluster it creates, so changing a class later does not shrink a
cluster under a running lesson.

`ApiToken` keeps only the SHA-256 of a token: the plain token exists once,
in the kubeconfig the user downloads. One token per user and cluster slug
and purpose: a new download replaces the old one (rotation), and the
teacher's revoke deletes them. A token names a user, not a cluster; what
that user may do on a cluster is `classroom.policy`'s decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

DEFAULT_POD_QUOTA = 500
DEFAULT_OBJECT_QUOTA = 2000


class Classroom(models.Model):
    name = models.CharField(max_length=200)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="classrooms")
    preset = models.CharField(max_length=100, default="lecture")
    code = models.CharField(max_length=12, unique=True)
    open = models.BooleanField(default=True)
    pod_quota = models.PositiveIntegerField(default=DEFAULT_POD_QUOTA)
    object_quota = models.PositiveIntegerField(default=DEFAULT_OBJECT_QUOTA)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.name)


class ApiToken(models.Model):
    KUBECONFIG, TERMINAL = "kubeconfig", "terminal"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    cluster_slug = models.SlugField()
    purpose = models.CharField(max_length=20, default=KUBECONFIG)
    digest = models.CharField(max_length=64, unique=True)  # sha256 hex of the token
    created = models.DateTimeField(auto_now_add=True)
