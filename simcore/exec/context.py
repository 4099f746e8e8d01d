"""What a command run inside a container is given, and what it gives back.

`ExecContext` is the container as a process sees it: the image profile (which
executables exist, which versions answer), the environment, the hostname,
the file system (a dict the commands mutate in place: the engine persists
it), the virtual clock, an rng and the network. `ExecResult` is what comes
out: stdout and stderr (and `chunks`, the same bytes in write order, for a
tty where both streams share one screen), the exit code, the virtual time
the command took (`math.inf` for a command that never returns: the engine
shows it hanging until ^C, exit 130), and the trace.

File system convention: keys are absolute paths; a value of `None` marks a
directory, a string is a file's content. Parent directories of a file are
implied even when not listed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from simcore.exec.netapi import Network
from simcore.trace import TraceStep

if TYPE_CHECKING:  # a type only: images.py builds contexts' profiles and imports this module
    from simcore.exec.images import ImageProfile

FileSystem = dict[str, str | None]


@dataclass
class ExecContext:
    profile: ImageProfile
    env: Mapping[str, str]  # read-only (containers.env_map): copy to change
    hostname: str
    files: FileSystem
    now: datetime
    rng: random.Random
    net: Network | None = None
    tty: bool = False
    stdin: str = ""
    runtime: str = "docker"  # "docker" (dockershim, lecture) or "containerd"


@dataclass
class ExecResult:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    trace: list[TraceStep] = field(default_factory=list)
    duration: float = 0.0
    chunks: list[tuple[str, str, float]] = field(default_factory=list)  # (stream, text, at)
    # Set when the runtime refused to start the process (containerd): kubectl
    # prints "error: <runtime_error>" and exits 1; nothing ran.
    runtime_error: str | None = None

    @property
    def hangs(self) -> bool:
        return math.isinf(self.duration)


class Output:
    """Collects what a program writes, keeping both streams, their order and their time."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, str, float]] = []
        self.clock = 0.0  # virtual seconds since the program started

    def out(self, text: str) -> None:
        if text:
            self.chunks.append(("stdout", text, self.clock))

    def err(self, text: str) -> None:
        if text:
            self.chunks.append(("stderr", text, self.clock))

    def take(self, result: ExecResult, offset: float) -> None:
        """Append a sub-program's output, shifted to when it started."""
        self.chunks.extend((s, t, offset + at) for s, t, at in result.chunks)

    def result(self, code: int, duration: float = 0.0, trace: Sequence[TraceStep] | None = None) -> ExecResult:
        chunks = self.chunks
        # list comprehensions: join() would build the same lists from generators, slower
        return ExecResult(
            stdout="".join([t for s, t, _ in chunks if s == "stdout"]),
            stderr="".join([t for s, t, _ in chunks if s == "stderr"]),
            exit_code=code, trace=list(trace or []), duration=duration, chunks=list(chunks),
        )
