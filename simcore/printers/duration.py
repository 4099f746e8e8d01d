"""Ages and durations as kubectl shows them (`52s`, `4m28s`, `5d23h`, `123d`).

A port of apimachinery's `duration.HumanDuration`: about two significant figures,
always truncated, never rounded. The arithmetic runs on whole nanoseconds, as Go's
`time.Duration` does, so boundaries (`119s` then `2m`, `179m` then `3h`) fall on
the same instant as on a real server; floats would blur them.

Time is never read here: `age` takes the caller's `now`, which keeps tables
reproducible for a given simulated clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

_NS = 1_000_000_000
_MINUTE = 60 * _NS
_HOUR = 60 * _MINUTE


def human_duration(seconds: float) -> str:
    """duration.HumanDuration for a span given in seconds."""
    return human_duration_ns(int(seconds * _NS))


def human_duration_ns(ns: int) -> str:
    """duration.HumanDuration for a span in nanoseconds (Go's time.Duration)."""
    seconds = int(ns / _NS) if ns < 0 else ns // _NS  # int(d.Seconds()) truncates to zero
    # Up to 2 s in the future still reads as "now": clocks on machines drift.
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = ns // _MINUTE
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    return _hours_and_more(ns // _HOUR, minutes)


def _hours_and_more(hours: int, minutes: int) -> str:
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24 % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(timestamp: str | None) -> datetime | None:
    """An RFC 3339 metav1.Time / MicroTime, or None for a missing or zero time."""
    if not timestamp:
        return None
    parsed = datetime.fromisoformat(timestamp)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year == 1 and parsed.month == 1 and parsed.day == 1 and not parsed.hour:
        return None  # Go's zero time, 0001-01-01T00:00:00Z, means "unset"
    return parsed


def between(start: datetime, end: datetime) -> str:
    """HumanDuration(end - start)."""
    return human_duration_ns(_ns(_aware(end) - _aware(start)))


@lru_cache(maxsize=4096)
def age(timestamp: str | None, now: datetime) -> str:
    """translateTimestampSince: the AGE cell, `<unknown>` when the time is unset.
    Memoised: a table prints many rows with one `now`, and their stamps repeat (a
    ReplicaSet's pods are created in the same second)."""
    start = parse_time(timestamp)
    if start is None:
        return "<unknown>"
    return between(start, now)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ns(delta: timedelta) -> int:
    return (delta // timedelta(microseconds=1)) * 1000
