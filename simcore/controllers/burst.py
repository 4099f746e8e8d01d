"""How much one sync of a workload controller may create or delete.

The real controllers bound the pods one sync touches, so that one absurd
`replicas` cannot flood the API server: the ReplicaSet controller
(`BurstReplicas = 500`) and the Job controller (`MaxPodCreateDeletePerSync
= 500`) create and delete at most 500 pods per sync, the DaemonSet
controller 250 (`BurstReplicas`, "values that are too high can cause
registry DoS issues"). The rest waits for the next sync, which the created
pods' own events bring about. Creations go in slow-start batches
(`controller.slowStartBatch`, `SlowStartInitialBatchSize = 1`): 1, 2, 4,
... so that a failing create (a closed namespace, a quota) costs one call,
not 500. The real batches run in parallel; here a batch runs in order and
every call of it is made before its first failure stops the next batch,
which is what the parallel batch amounts to.
"""

from __future__ import annotations

from collections.abc import Callable

from simcore.errors import APIError

REPLICASET_BURST = 500
JOB_BURST = 500
DAEMONSET_BURST = 250
STATEFULSET_BURST = 500  # this engine's bound on the ordinals one sync looks past the last pod
SLOW_START_INITIAL_BATCH = 1


def slow_start_batch(count: int, create: Callable[[], object],
                     stop: Callable[[], bool] = lambda: False) -> int:
    """Call `create` up to `count` times in batches 1, 2, 4, ...; the number that succeeded.
    The first APIError of a batch is raised once the batch is done. `stop()` is asked before
    each batch after the first: the engine's bounded step ends there (`Engine.spent`), and the
    created pods' events bring the owner's next sync, which goes on."""
    remaining, done = count, 0
    size = min(remaining, SLOW_START_INITIAL_BATCH)
    while size > 0 and not (done and stop()):
        failure = None
        for _ in range(size):
            try:
                create()
            except APIError as exc:
                failure = failure or exc
            else:
                done += 1
        if failure is not None:
            raise failure
        remaining -= size
        size = min(2 * size, remaining)
    return done
