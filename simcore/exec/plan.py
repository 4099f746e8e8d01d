"""A process plan, the plain data the kubelet replays for a container's main process.

What: `new_plan` (the empty plan with its defaults) and `run_once` (a plan from running a
short-lived program once: its output, the files it wrote, its exit). processes.py decides
which plan a command line gets; server_plans.py holds the popular images' servers.

Why a module of its own: both of those build plans; with the builders in processes.py,
server_plans.py imported them back inside functions (an import cycle).
"""

from __future__ import annotations

from simcore.exec.call import Call, run_program
from simcore.exec.context import ExecContext


def new_plan(argv: list[str], **kw: object) -> dict:
    plan: dict = {"argv": argv, "output": [], "files": [], "listeners": [], "exit": None,
                  "repeat": None, "sigterm": {"action": "ignore"}, "start_error": None,
                  "notes": []}
    plan.update(kw)
    return plan


def run_once(argv: list[str], ctx: ExecContext, stdin: bool = False) -> dict:
    before = dict(ctx.files)
    result = run_program(argv, Call(ctx, dict(ctx.env)))
    output = [{"at": at, "stream": s, "text": t} for s, t, at in result.chunks]
    files = [{"at": result.duration if result.duration != float("inf") else 0.0,
              "op": "write" if ctx.files[p] is not None else "mkdir", "path": p,
              "content": ctx.files[p]} for p in ctx.files if before.get(p, 0) != ctx.files[p]]
    exit_ = None if result.hangs else {"at": result.duration, "code": result.exit_code}
    return new_plan(argv, output=output, files=files, exit=exit_)
