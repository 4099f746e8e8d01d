"""Garbage-collector thresholds for processes that hold simulated clusters.

An engine keeps tens of thousands of small dicts alive (objects, indexes,
runtime records). With CPython's default thresholds (700, 10, 10) the cyclic
collector rescans them every few hundred allocations, which measured at a
third of the time to build a 10,000-pod cluster. Raising the first threshold
makes collections rarer without turning the collector off. `bench/` uses the
same numbers so it measures what is deployed.
"""

import gc

THRESHOLDS = (100_000, 50, 1000)


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)
