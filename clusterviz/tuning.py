"""Interpreter settings for the processes that hold simulated clusters (daphne, runsim).

Garbage collector: an engine keeps tens of thousands of small dicts alive
(objects, indexes, runtime records). With CPython's default thresholds
(700, 10, 10) the cyclic collector rescans them every few hundred
allocations, which measured at a third of the time to build a 10,000-pod
cluster. Raising the first threshold makes collections rarer without
turning the collector off. `bench/` uses the same numbers so it measures
what is deployed.

Thread switching: a save's request thread and the graph feed's reader
thread run at the same moment (the feed reads as soon as the save commits,
while the request is still writing its response). With CPython's default
5 ms switch interval the reader waits for the GIL in 5 ms slices; at 1 ms
the change's delta left daphne 5.4 -> 4.0 ms (median) and 14 -> 8 ms
(worst of 30) after the API's response (`bench/dashboard.py`'s apply,
measured with a plain websocket client).
"""

import gc
import sys

THRESHOLDS = (100_000, 50, 1000)
SWITCH_INTERVAL = 0.001


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
