"""bench.classroom's printout: the numbers, then the goals beside them (never asserted)."""

from __future__ import annotations

import math
import os
import re
import statistics
from collections import Counter
from typing import TYPE_CHECKING

from bench.classmeasure import percentile, roster_delays
from bench.classstudent import KINDS

if TYPE_CHECKING:
    from bench.classroom import Result

GOAL_RATIO = 10.0  # action p99 under load at most this many idle p50s
GOAL_ROSTER = 1.0  # seconds, p99


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value * 1000:.0f} ms"


def latency_rows(result: Result) -> tuple[list[str], dict[str, float]]:
    rows, ratios = [], {}
    for kind in KINDS:
        loaded = result.log.timings.get(("load", kind), [])
        idle = result.log.timings.get(("idle", kind), [])
        p50, p99 = percentile(loaded, 0.5), percentile(loaded, 0.99)
        floor = statistics.median(idle) if idle else float("nan")
        ratio = "   n/a"
        if idle and loaded:  # a kind not done in a short run has no ratio, nor a goal
            ratios[kind] = p99 / floor
            ratio = f"{ratios[kind]:5.1f}x"
        rows.append(f"    {kind:<9} load p50 {_ms(p50):>8}  p99 {_ms(p99):>8}   idle p50 "
                    f"{_ms(floor):>8}   load p99 / idle p50 {ratio}  "
                    f"({len(loaded)} under load, {len(idle)} idle)")
    return rows, ratios


def roster_rows(result: Result) -> tuple[list[str], float]:
    rows, p99 = [], float("nan")
    for phase in ("idle", "load"):
        delays, unseen = roster_delays(result.log.lines, result.roster, phase)
        if phase == "load":
            p99 = percentile(delays, 0.99)
        rows.append(f"    {phase:<5} p50 {_ms(percentile(delays, 0.5))}, p99 "
                    f"{_ms(percentile(delays, 0.99))}, max {_ms(max(delays, default=math.nan))}"
                    f" ({len(delays)} lines shown, {unseen} never shown)")
    return rows, p99


def usage_rows(result: Result) -> list[str]:
    rows = []
    for name, peak in result.usage.peak.items():
        count = result.usage.counts.get(name, 1)
        what = "RSS" if count <= 1 else f"PSS of {count} processes,"
        rows.append(f"    {name:<20} {what} peak {peak / 2**20:5.0f} MB, at the end "
                    f"{result.usage.last.get(name, 0) / 2**20:7.0f} MB; CPU under load "
                    f"{result.cpu.get(name, 0.0):6.1f} s")
    return rows


def error_rows(errors: list[str]) -> list[str]:
    """The errors counted by what failed and how (the student's name left out), each with
    its first as it was."""
    def what(error: str) -> str:
        parts = re.sub(r" by s\d+|\bs\d+('s)? ", "", error).split(": ")
        return parts[0] + (f": {parts[1].split()[0]}" if len(parts) > 1 else "")
    kinds = Counter(what(e) for e in errors)
    first = {}
    for error in errors:
        first.setdefault(what(error), error)
    return [f"    {n} x {kind}; e.g. {first[kind][:300]}" for kind, n in kinds.most_common()]


def report(result: Result) -> str:
    log = result.log
    done = sum(log.count("load").values())
    latency, ratios = latency_rows(result)
    roster, roster_p99 = roster_rows(result)
    retried, gave_way = result.conflicts
    lost = [m for m in result.missing if "not checked" not in m]
    counts = ", ".join(f"{k} {n}" for k, n in log.count("load").items())
    lines = [
        f"classroom: {result.students} students on the scaled-out stack (2 daphne, 1 runsim, "
        f"PostgreSQL, Redis), {result.seconds:.0f} s of load after {result.setup_seconds:.0f} s "
        f"of joining and the lesson ({result.arrived} arrived); the machine's load average "
        f"{result.load_average[0]:.1f} before, {result.load_average[1]:.1f} after (2 cores, "
        "shared)",
        f"  actions done: {done} of {log.scheduled} scheduled ({counts}): "
        f"{done / result.seconds:.1f} a second, of {log.scheduled / result.seconds:.1f} asked",
        f"  errors: {len(log.errors)}", *error_rows(log.errors),
        "  latency per action kind:", *latency,
        "  roster: a command's answer -> the teacher's card showing it:", *roster,
        f"  graph sockets: {result.graph_messages} messages, each in order",
        f"  lost writes: {len(lost)} (each student's rs-node-web and svc-node, through the API "
        f"and in the database; {len(result.missing) - len(lost)} could not be asked)",
        *(f"    {m}" for m in result.missing[:10]),
        f"  database conflicts retried: {retried} (a request's save lost the compare-and-swap "
        f"and ran again); ticks that gave way: {gave_way}",
        "  processes (CPU: the load phase only; daphne's includes the terminal's kubectl):",
        *usage_rows(result),
        f"    in all {sum(result.cpu.values()):.0f} CPU-s in {result.seconds:.0f} s: "
        f"{sum(result.cpu.values()) / result.seconds:.2f} of this machine's "
        f"{os.cpu_count()} cores (the rest of its load average is other work)",
        "  goals (reported, not asserted):",
        _goal("0 errors", not log.errors),
        _goal("0 lost writes", not lost),
        _goal(f"action p99 under load <= {GOAL_RATIO:.0f}x idle p50 "
              f"(worst: {max(ratios, key=ratios.get, default='none')})",
              bool(ratios) and all(r <= GOAL_RATIO for r in ratios.values())),
        _goal(f"roster p99 < {GOAL_ROSTER:.0f} s", roster_p99 < GOAL_ROSTER),
    ]
    return "\n".join(lines)


def _goal(text: str, met: bool) -> str:
    return f"    {'met   ' if met else 'MISSED'} {text}"
