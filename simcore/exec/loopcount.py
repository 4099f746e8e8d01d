"""Endless loops that count: `i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done`.

A container's main process is planned once (processes.py), and an endless loop
that sleeps becomes a repeating block: what one iteration prints, every so many
seconds, unrolled only when logs are read. That is exact when every iteration
prints the same; a loop that updates a variable prints something new each time.

When an iteration changes the shell's variables, the shell runs three
iterations and asks `counters` whether the three outputs differ only in
integers that move by a constant step (tick 0 / tick 1 / tick 2). If so, the
repeating block keeps the first iteration's text with, per integer in it, its
step; `render` writes iteration k. Line by line: a line that differs otherwise
(a random word), or whose changing number is zero-padded (a clock's 09:00:02,
which wraps at 60), keeps the old behaviour: its first text, repeated. Memory stays one iteration's
worth whatever the loop's age; the trade-off is that only arithmetic
progressions are recognised.
"""

from __future__ import annotations

import re

_INT = re.compile(r"-?\d+")


def counters(texts: list[str]) -> list[int] | None:
    """The per-integer steps that turn texts[0] into texts[k]; None when the texts differ
    in anything else, or not by constant steps."""
    splits = [_INT.split(t) for t in texts]
    numbers = [[int(n) for n in _INT.findall(t)] for t in texts]
    if any(s != splits[0] for s in splits) or any(len(n) != len(numbers[0]) for n in numbers):
        return None
    steps = [numbers[1][i] - numbers[0][i] for i in range(len(numbers[0]))]
    for k, row in enumerate(numbers):
        if any(row[i] != numbers[0][i] + k * steps[i] for i in range(len(row))):
            return None
    padded = [[len(n) > 1 and n.lstrip("-").startswith("0") for n in _INT.findall(t)]
              for t in texts]
    if any(steps[i] and any(p[i] for p in padded) for i in range(len(steps))):
        return None
    return steps


def render(text: str, steps: list[int], k: int) -> str:
    """Iteration k (0 = the first) of a counted text."""
    if not steps or k == 0:
        return text
    values = iter(int(n) + k * step for n, step in zip(_INT.findall(text), steps, strict=True))
    return _INT.sub(lambda _m: str(next(values)), text)
