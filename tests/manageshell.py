"""`manage.py` commands run in one long-lived process instead of one process each.

A test server's cluster is made with `manage.py ensure_cluster` and its kubeconfig with
`manage.py kubeconfig`: two Django start-ups, about 4 s of CPU, for every kubectl test,
which on the 2-core machine the suite runs on was several minutes of a full run. This
process starts Django once and runs each command with `call_command`, in the same
environment (database, TLS folder) a `manage.py` process would have; a command's failure
comes back as `subprocess.CalledProcessError`, as `subprocess.run(check=True)` raised it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The loop the process runs: a JSON list of arguments in, a JSON answer out, one per line.
# A command's print() goes to its own output, never into the answers.
_LOOP = r"""
import contextlib, io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import close_old_connections
answers = sys.stdout
for line in sys.stdin:
    out, err, code = io.StringIO(), io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            call_command(*json.loads(line), stdout=out, stderr=err)
    except BaseException as exc:
        err.write(f"{type(exc).__name__}: {exc}\n")
        code = getattr(exc, "returncode", None) or 1
    close_old_connections()
    answers.write(json.dumps({"stdout": out.getvalue(), "stderr": err.getvalue(),
                              "code": code}) + "\n")
    answers.flush()
"""


class ManageShell:
    """One Django process for a server's `manage.py` commands (thread-safe, started lazily)."""

    def __init__(self, env: dict) -> None:
        self.env = env
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(self, *args: str) -> str:
        with self._lock:
            proc = self._process()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(list(args)) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the manage.py shell exited ({proc.poll()}) on {args}")
        answer = json.loads(line)
        if answer["code"]:
            raise subprocess.CalledProcessError(answer["code"], ["manage.py", *args],
                                                answer["stdout"], answer["stderr"])
        return answer["stdout"]

    def _process(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-c", _LOOP], cwd=REPO, env=self.env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          text=True)
        return self._proc

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.stdin.close()  # type: ignore[union-attr]
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
