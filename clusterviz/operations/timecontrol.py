"""The clock controls: pause, resume, step, speed, and what the clock is waiting for.

Speed is the `Cluster.speed` of the clock rule (`clusters.clock`): virtual
time = stored elapsed + wall time since the save x speed. Changing it must
not move virtual time, so the change rebases the rule in the same
compare-and-swap update: the virtual time now (by the old speed) becomes
the stored elapsed, now becomes `saved_at`, and the new speed applies from
there. The engine need not run for that: its clock may lag the row, and
the next catch-up advances it to the rule's target, firing what fell due.
The swap bumps `version`, so other processes drop their engines; this
process keeps its own (still a faithful engine at an earlier time). Pause
is speed 0; resume sets a speed again (the page remembers which).

A step (+1 virtual second by default) is an ordinary operation through
`runtime.run`: the engine advances and the save stores the new elapsed,
paused or not.

What is pending is read from the saved timers (`Cluster.state`), which the
engine's clock writes as `(when, seq, controller, key)`: pods the kubelet
will move on (starting, probing, restarting after a back-off), Jobs waiting
out a back-off, and so on, each with how far away it is in virtual seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusterviz.clusters import engines, runtime
from clusterviz.clusters.clock import virtual_elapsed
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.publish import group_name
from clusterviz.operations.snapshot import clock_of
from clusterviz.web import Refused

MIN_SPEED, MAX_SPEED = 0.25, 20.0
STEP_SECONDS = 1.0
MAX_STEP_SECONDS = 600.0
MAX_PENDING_SHOWN = 12
MAX_ATTEMPTS = 20
# Translators: {key} is an object's namespace/name, {controller} a controller's name.
PENDING_WORDS = {
    "kubelet": gettext_lazy("the kubelet acts on pod {key} (start, probe or restart back-off)"),
    "job": gettext_lazy("Job {key}: back-off or deadline ends"),
    "cronjob": gettext_lazy("CronJob {key}: next schedule"),
    "nodelifecycle": gettext_lazy("node {key}: heartbeat check"),
    "deployment": gettext_lazy("Deployment {key}: progress check"),
    "replicaset": gettext_lazy("ReplicaSet {key}: next sync"),
    "statefulset": gettext_lazy("StatefulSet {key}: next sync"),
    "daemonset": gettext_lazy("DaemonSet {key}: next sync"),
}


def status(slug: str) -> dict:
    """The clock as saved: virtual time, speed, whether paused, and the pending timers."""
    cluster = _cluster(slug)
    clock = clock_of(cluster)
    return {**clock, "paused": cluster.speed <= 0, "pending": pending(cluster, clock["elapsed"])}


def pending(cluster: Cluster, elapsed: float) -> list[dict]:
    """The saved timers, soonest first, in words, with virtual seconds until each."""
    timers = ((cluster.state or {}).get("clock") or {}).get("timers") or []
    out = []
    for when, _seq, controller, key in sorted(timers)[:MAX_PENDING_SHOWN]:
        words = str(PENDING_WORDS.get(controller, "{controller} {key}"))
        out.append({"in": round(max(when - elapsed, 0.0), 3), "controller": controller,
                    "key": key, "what": words.format(controller=controller, key=key or "-")})
    return out


def set_speed(slug: str, speed: float) -> dict:
    """Run the cluster's clock at `speed` (0 pauses) from now on, virtual time unmoved."""
    if speed != 0 and not MIN_SPEED <= speed <= MAX_SPEED:
        raise Refused(_("speed must be between x%(min)s and x%(max)s (0 pauses)")
                      % {"min": f"{MIN_SPEED:g}", "max": f"{MAX_SPEED:g}"})
    for _attempt in range(MAX_ATTEMPTS):
        with engines.lock_for(slug):
            if _rebase(_cluster(slug), speed, timezone.now()):
                break
    else:
        raise Refused(_("the cluster kept changing; try again"))
    _announce(slug)
    return status(slug)


def _rebase(cluster: Cluster, speed: float, wall: datetime) -> bool:
    elapsed = virtual_elapsed(cluster.elapsed, cluster.saved_at, cluster.speed, wall)
    sim = engines.cached(cluster)
    won = Cluster.objects.filter(pk=cluster.pk, version=cluster.version).update(
        speed=speed, elapsed=elapsed, saved_at=wall, version=F("version") + 1,
        next_due_at=_due_at(cluster, elapsed, speed, wall))
    if won != 1:
        return False
    cluster.version += 1
    cluster.speed, cluster.elapsed, cluster.saved_at = speed, elapsed, wall
    if sim is not None:
        engines.remember(cluster, sim)
    return True


def _due_at(cluster: Cluster, elapsed: float, speed: float, wall: datetime) -> datetime | None:
    timers = ((cluster.state or {}).get("clock") or {}).get("timers") or []
    if not timers or speed <= 0:
        return None
    ahead = max(timers[0][0] - elapsed, 0.0) / speed
    return wall + timedelta(seconds=ahead) + runtime.DUE_SLACK


def step(slug: str, seconds: float = STEP_SECONDS) -> dict:
    """Move the clock `seconds` virtual seconds on at once, paused or not."""
    if not 0 < seconds <= MAX_STEP_SECONDS:
        raise Refused(_("a step is more than 0 and at most %(max)s seconds")
                      % {"max": f"{MAX_STEP_SECONDS:g}"})
    runtime.run(slug, lambda sim: sim.advance(seconds), force_save=True)
    return status(slug)


def _cluster(slug: str) -> Cluster:
    cluster: Cluster | None = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise runtime.ClusterNotFound(slug)
    return cluster


def _announce(slug: str) -> None:
    """Tell the cluster's viewers the clock changed (the graph feed sends the new clock)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(slug), {"type": "cluster.clock",
                                                           "cluster": slug})
