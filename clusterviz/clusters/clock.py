"""The rule that ties a cluster's virtual clock to the wall clock.

virtual elapsed now = elapsed stored at the last save
                      + (wall time now - wall time of that save) * the cluster's speed

`speed` is 1.0 by default (real time); 0 pauses a cluster. The rule only
ever moves a clock forward, and because it starts from the stored pair, two
processes that catch the same cluster up at the same wall time agree on its
virtual time. The engine itself never reads the wall clock: the runtime
computes the target here and hands `simcore` a number of seconds.
"""

from __future__ import annotations

from datetime import datetime

from simcore import Simulation


def virtual_elapsed(stored_elapsed: float, saved_at: datetime, speed: float,
                    wall_now: datetime) -> float:
    """Virtual seconds since the cluster's start at `wall_now`, by the rule above."""
    real = max((wall_now - saved_at).total_seconds(), 0.0)
    return stored_elapsed + real * max(speed, 0.0)


def catch_up(sim: Simulation, stored_elapsed: float, saved_at: datetime, speed: float,
             wall_now: datetime) -> float:
    """Advance `sim` to the rule's target; the virtual seconds it moved (0 if already there)."""
    target = virtual_elapsed(stored_elapsed, saved_at, speed, wall_now)
    step = target - sim.elapsed
    if step <= 0:
        return 0.0
    sim.advance(step)
    return step
