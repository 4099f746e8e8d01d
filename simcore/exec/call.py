"""One process in a container (`Call`) and running a program by name: the leaf of exec/.

What: `Call` is what every program receives (its context, environment, standard input and
start time); `run_program` looks a program up by its basename and runs it;
`missing_executable` is the runtime's refusal when the image lacks the executable (its
wording per runtime is documented in commands.py).

Why a leaf: every program (curl, the shell, tar, ...) needs `Call`, and the shell, `env`
and the process planner need `run_program`; the table of programs needs every program. When
`Call` lived beside the table, each program and the table imported each other (an 11-file
cycle). Here nothing from exec/ is imported but the context types.

Trade-off: the table (`PROGRAMS`) is filled by exec/programs.py, which the package's
`__init__` imports, so the name -> function map is only complete once `simcore.exec` is
imported; importing any exec module imports the package first, so that always holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from simcore.exec.context import ExecContext, ExecResult, Output
from simcore.tracetext import msg, step


@dataclass
class Call:
    """One process: its context, environment, standard input and start time."""

    ctx: ExecContext
    env: Mapping[str, str] = field(default_factory=dict)  # read-only: copy to change
    stdin: str = ""
    started: float = 0.0  # virtual seconds after ctx.now

    @property
    def flavor(self) -> str:
        return self.ctx.profile.tool("coreutils", "gnu")

    @property
    def busybox(self) -> bool:
        return self.flavor.startswith("busybox")


def missing_executable(program: str, ctx: ExecContext) -> ExecResult:
    """What the runtime reports when `program` is not in the image."""
    if "/" in program:
        cause = f'exec: "{program}": stat {program}: no such file or directory'
    else:
        cause = f'exec: "{program}": executable file not found in $PATH'
    trace = [step("reject", msg("exec.no-program", program=program), program=program)]
    if ctx.runtime == "containerd":
        exec_id = "".join(ctx.rng.choice("0123456789abcdef") for _ in range(64))
        message = ("Internal error occurred: error executing command in container: failed to "
                   f'exec in container: failed to start exec "{exec_id}": OCI runtime exec '
                   f"failed: exec failed: unable to start container process: {cause}: unknown")
        return ExecResult(exit_code=1, trace=trace, runtime_error=message)
    text = ("OCI runtime exec failed: exec failed: container_linux.go:370: starting container "
            f"process caused: {cause}: unknown\r\n")
    return ExecResult(stdout=text, exit_code=126, trace=trace, chunks=[("stdout", text, 0.0)])


def run_program(argv: list[str], call: Call) -> ExecResult:
    """Run an executable that exists in the image."""
    name = argv[0].rsplit("/", 1)[-1]
    program = PROGRAMS.get(name)
    if program is None:
        return not_simulated(name)
    return program(argv, call)


def not_simulated(name: str) -> ExecResult:
    out = Output()
    out.err(f"{name}: this program exists in the image but is not simulated\n")
    trace = [step("reject", msg("exec.not-modelled", program=name))]
    return out.result(1, trace=trace)


Program = Callable[[list[str], Call], ExecResult]

# filled by exec/programs.py (see the essay above)
PROGRAMS: dict[str, Program] = {}
