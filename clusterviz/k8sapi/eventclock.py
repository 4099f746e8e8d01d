"""Event times between the cluster's clock and the clients' wall clocks.

A cluster's clock is its own (the lecture's starts in May 2021, to replay
the slides' ages), while clients live on the wall clock: kopf and
client-go's event recorders stamp the events they post with the wall
clock, and `kubectl describe` and `kubectl events` print an event's age as
the client's wall clock minus the event's `eventTime` (or `firstTimestamp`,
and `lastTimestamp` / `series.lastObservedTime` for repeats). Stored as
sent, a posted event lies years in the cluster's future (`<invalid>` in
`kubectl get events`), and every event the cluster wrote shows `5y220d` in
`describe`.

So the event-time fields cross the API translated by the offset between
the two clocks at that request: written events are normalised to the
cluster's clock (what `kubectl get events`, printed by the server, reads),
and events read through the API come back on the wall clock, so that a
client's `now - time` is the cluster's age of the event. Only these fields
move; the events' metadata (creationTimestamp) stays on the cluster's
clock like every other object's. The trade-off: the raw times a client sees
in `-o yaml` for events are the wall clock's, not the cluster's calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

# (field path, MicroTime?) in core/v1 and events.k8s.io/v1 Events
_FIELDS = ((("eventTime",), True), (("firstTimestamp",), False), (("lastTimestamp",), False),
           (("series", "lastObservedTime"), True), (("deprecatedFirstTimestamp",), False),
           (("deprecatedLastTimestamp",), False))


def wall_offset(cluster_now: datetime) -> timedelta:
    """How far the wall clock is ahead of the cluster's clock right now."""
    offset: timedelta = timezone.now() - cluster_now
    return offset


def _parse(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None  # validation speaks about it, in the API server's words
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _format(when: datetime, micro: bool) -> str:
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def shift(event: dict, by: timedelta) -> dict:
    """A copy of `event` (or patch) with every event-time field moved by `by`."""
    out = dict(event)
    for path, micro in _FIELDS:
        holder = _holder(out, path[:-1])
        if holder is None or not isinstance(holder.get(path[-1]), str):
            continue
        when = _parse(holder[path[-1]])
        if when is not None:
            holder[path[-1]] = _format(when + by, micro)
    return out


def _holder(out: dict, keys: tuple[str, ...]) -> dict | None:
    """The dict at `keys` in `out`, each one on the way copied first; None if one is not a dict."""
    holder = out
    for key in keys:
        if not isinstance(holder.get(key), dict):
            return None
        holder[key] = dict(holder[key])
        holder = holder[key]
    return holder


def to_cluster(event: dict, offset: timedelta) -> dict:
    return shift(event, -offset)


def to_wall(event: dict, offset: timedelta) -> dict:
    return shift(event, offset)
