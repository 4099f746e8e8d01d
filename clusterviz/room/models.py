"""The teacher's room on disk: each cluster's recent commands, and who has it open.

`Command` is one line of a cluster's command history: a kubectl request
through the API (summarised: verb, resource, name, HTTP code), a line of the
web Terminal (with kubectl's exit code) or a command of the request panel
(with its exit code and its trace, in the plain words the panel shows). It
is bounded per cluster: the writer trims to the newest `KEEP` now and then
(every `TRIM_EVERY`th row), so an ordinary command costs one insert and the
table holds at most `KEEP + TRIM_EVERY` rows per cluster. Rows go with
their cluster (a reset recreates the cluster: its history starts again).

`Viewer` is one open dashboard socket: a student's graph feed (they are
online) or a teacher following read-only (the student sees a badge). Rows
are added on connect and removed on disconnect. A process that dies leaves
its rows behind: readers ignore rows older than `VIEWER_MAX_AGE` (longer than
a lesson), the price of needing no heartbeat on every socket. A viewer names
its cluster by slug, so that a reset (a new cluster, the same slug, the same
open pages) keeps it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from clusterviz.clusters.models import Cluster

KEEP = 500
TRIM_EVERY = 50
VIEWER_MAX_AGE = timedelta(hours=12)


class Command(models.Model):
    API, TERMINAL, REQUEST = "api", "terminal", "request"
    SOURCES = [(API, "API"), (TERMINAL, "terminal"), (REQUEST, "request")]
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="commands")
    at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=SOURCES)
    text = models.CharField(max_length=300)
    # API: the HTTP status code; terminal and request panel: the exit code (None: stopped)
    code = models.IntegerField(null=True)
    ok = models.BooleanField()
    trace = models.JSONField(null=True, blank=True)  # request panel: the trace's lines

    class Meta:
        indexes = [models.Index(fields=["cluster", "-id"], name="room_command_newest")]

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "source": self.source,
                "text": self.text, "code": self.code, "ok": self.ok,
                "trace": self.trace is not None}


class Viewer(models.Model):
    # the cluster's slug, not a key: a reset recreates the cluster under the same slug while
    # its pages stay open (their sockets resync), and they are still there
    slug = models.SlugField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    channel = models.CharField(max_length=200, unique=True)
    following = models.BooleanField(default=False)  # a teacher's read-only follow
    opened = models.DateTimeField(auto_now_add=True)
