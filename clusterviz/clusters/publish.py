"""Telling a cluster's listeners what a save committed, over the channel layer.

After each save that changed something, the runtime sends the group
`cluster.<slug>` a few messages of type `cluster.changes`:

    {"type": "cluster.changes", "cluster": slug, "from_rv": 41, "to_rv": 44, "rv": 44,
     "changes": [{"type": "ADDED", "resource": "pods", "namespace": "default",
                  "name": "web-x7k2p", "rv": 42}, ...]}

Each message carries at most `settings.PUBLISH_BATCH` changes, in rv order,
and says which resourceVersions it covers: `(from_rv, to_rv]`; consecutive
messages of one save chain (`from_rv` of the next is `to_rv` of the one
before). The objects themselves are not in the message: they are in the
committed `Change` rows (`changes_between`), so a broadcast costs a few
hundred bytes per listener whatever the objects weigh (the in-memory layer
deep-copies every message for every recipient), and a listener that only
cares about Services reads nothing when pods change. A save whose engine
log no longer reached back (the rows were rewritten whole) sends one
message with `"resync": true` and no changes: listeners reload.

Delivery is best effort: the in-memory layer drops messages past its
capacity, Redis expires them, and two processes' saves may arrive out of
order. A listener that remembers the last `to_rv` it handled can tell: a
message with `to_rv` at or below it is old news, one whose `from_rv` is
above it follows a gap, which `changes_between` fills from the database.

Sending happens on commit, from the worker thread that saved, through
`async_to_sync`: under daphne (and runsim) that hands the coroutine to the
process's event loop, so the loop never blocks on it and every send of a
process goes through one loop (channels_redis keeps its connections per
loop). A failed send is logged, never raised: the save has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from clusterviz.clusters.models import Change
from simcore.apiserver import Event

log = logging.getLogger(__name__)
MESSAGE_TYPE = "cluster.changes"


def group_name(slug: str) -> str:
    """The channel-layer group of everything that listens to one cluster."""
    return f"cluster.{slug}"


def summary(event: Event) -> dict:
    meta = event.object["metadata"]
    return {"type": event.type, "resource": event.resource,
            "namespace": meta.get("namespace") or "", "name": meta["name"], "rv": event.rv}


def messages(slug: str, from_rv: int, to_rv: int, events: Sequence[Event] | None,
             batch: int | None = None) -> list[dict]:
    """The messages announcing a save from `from_rv` to `to_rv`; None events means resync."""
    if events is None:
        return [_message(slug, from_rv, to_rv, [], resync=True)]
    size = max(batch or settings.PUBLISH_BATCH, 1)
    out, start = [], from_rv
    for i in range(0, len(events), size):
        chunk = [summary(ev) for ev in events[i:i + size]]
        end = to_rv if i + size >= len(events) else chunk[-1]["rv"]
        out.append(_message(slug, start, end, chunk))
        start = end
    return out


def _message(slug: str, from_rv: int, to_rv: int, changes: list[dict],
             resync: bool = False) -> dict:
    body = {"type": MESSAGE_TYPE, "cluster": slug, "from_rv": from_rv, "to_rv": to_rv,
            "rv": to_rv, "changes": changes}
    if resync:
        body["resync"] = True
    return body


def publish(slug: str, from_rv: int, to_rv: int, events: Sequence | None) -> int:
    """Send a committed save's messages to the cluster's group; how many were sent."""
    if from_rv == to_rv or events is not None and not events:
        return 0
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0
    try:
        send = async_to_sync(layer.group_send)
        for message in messages(slug, from_rv, to_rv, events):
            send(group_name(slug), message)
            sent += 1
    except Exception:  # the save has committed; listeners will see the gap
        log.exception("publishing changes %s..%s of cluster %s failed", from_rv, to_rv, slug)
    return sent


def changes_between(cluster_id: int, after_rv: int, upto_rv: int | None = None) -> list[Change]:
    """The committed changes with `after_rv < rv <= upto_rv`, in order (bodies included)."""
    rows = Change.objects.filter(cluster_id=cluster_id, rv__gt=after_rv)
    if upto_rv is not None:
        rows = rows.filter(rv__lte=upto_rv)
    return list(rows.order_by("rv"))
