"""The table of programs a container's PATH can hold, above the programs themselves.

What: `PROGRAMS`, basename -> `(argv, call) -> ExecResult`, for the small utilities
(commands.py), the network tools (curl, wget, nslookup, dig), tar and the shells.

Why here: `exec/call.py` runs a program by name and every program imports `Call` from it;
the table has to know every program, so it sits above them all and fills call.py's
`PROGRAMS` when the package is imported (exec/__init__.py imports this module).

Trade-off: registration at import instead of a lookup that imports lazily: one more module,
no import cycle and no first-use cost on the hot exec path.
"""

from __future__ import annotations

from simcore.exec import commands, curl, dig, nslookup, shell, tar, wget
from simcore.exec.call import PROGRAMS, Program


def program_table() -> dict[str, Program]:
    table: dict[str, Program] = {
        **commands.BUILTINS,
        "curl": curl.main, "wget": wget.main, "nslookup": nslookup.main, "dig": dig.main,
        "tar": tar.main,
    }
    for sh in ("sh", "bash", "ash", "dash"):
        table[sh] = shell.shell_program
    return table


PROGRAMS.update(program_table())
