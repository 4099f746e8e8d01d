"""Who has a student's cluster open: the student's dashboard, or their teacher following.

A dashboard's graph socket adds a `Viewer` row when it opens and removes it
when it closes (`opened`, `closed`), and tells the class's roster (the card
shows online, or the teacher following) and the cluster's own viewers (a
student's page shows "your teacher is viewing"). Rows rather than process
memory so that every daphne of a scaled-out stack sees the same presence.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.publish import group_name
from clusterviz.room import record
from clusterviz.room.models import VIEWER_MAX_AGE, Viewer

VIEWERS_TYPE = "viewers.changed"


def opened(slug: str, channel: str, user: User | AnonymousUser, following: bool) -> None:
    Viewer.objects.update_or_create(channel=channel, defaults={
        "slug": slug, "user": user if getattr(user, "pk", None) else None,
        "following": following})
    _tell(slug, following)


def closed(slug: str, channel: str) -> None:
    row = Viewer.objects.filter(channel=channel).first()
    if row is None:
        return
    row.delete()
    _tell(slug, row.following)


def followed(slug: str) -> bool:
    return bool(Viewer.objects.filter(slug=slug, following=True,
                                      opened__gt=timezone.now() - VIEWER_MAX_AGE).exists())


def _tell(slug: str, following: bool) -> None:
    classroom_id = Cluster.objects.filter(slug=slug).values_list("classroom_id", flat=True) \
        .first()
    if classroom_id is not None:
        record.notify(classroom_id, slug, "presence")
    if following:  # the student's own pages: the badge
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group_name(slug), {
                "type": VIEWERS_TYPE, "cluster": slug, "followed": followed(slug)})
