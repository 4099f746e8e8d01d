"""Where the web terminal's kubectl runs: a bubblewrap sandbox that holds no server file.

What: `argv()` wraps a kubectl command line in `bwrap` (Debian's bubblewrap) so
the process sees a root of its own: a fresh tmpfs with only the kubectl binary
(read-only), the generated kubeconfig (read-only, copied from a memfd: no file
on the server's disk), an empty size-capped tmpfs as `HOME` and working
directory, a private /proc and a minimal /dev. No /etc, no repository, no
database, no home: `-o go-template-file=/etc/passwd` finds nothing to read even
if `kubectlargs` ever let it through. It runs in new user, mount, pid, ipc, uts
and cgroup namespaces with every capability dropped, as uid/gid 65534; when the
server runs as root it first drops to that uid on the host too (`setpriv`), so a
process that left its mount namespace would still be `nobody` outside.

Why the network is shared (`--share-net`): kubectl must reach this server's API
on its loopback address, and a new network namespace has a loopback of its own.
The address is fixed by the generated kubeconfig; `kubectlargs` refuses every
flag that names another server, kubeconfig, context or proxy, and the
environment names none (no HTTPS_PROXY, no KUBECONFIG but ours).

Trade-off: each command costs a bwrap start (a few milliseconds) and kubectl's
discovery cache lives only as long as the command (the tmpfs goes with it).
`--die-with-parent` ties the sandbox to the server: if the server dies, kubectl
dies with it, and killing bwrap kills everything inside.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

NOBODY = 65534
BINARY = "/usr/bin/kubectl"
KUBECONFIG = "/kubeconfig"
HOME = "/home/student"
TMPFS_BYTES = 32 * 1024 * 1024  # discovery cache and nothing else lives here


def bwrap() -> str | None:
    return shutil.which("bwrap")


def unavailable_reason(kubectl: Path) -> str | None:
    """Why kubectl cannot run sandboxed here, or None when it can."""
    if not (kubectl.exists() and os.access(kubectl, os.X_OK)):
        return f"the bundled kubectl is missing at {kubectl}"
    if bwrap() is None:
        return "bubblewrap (bwrap) is not installed on the server: apt-get install bubblewrap"
    return None


def _nobody_can_run(path: Path) -> bool:
    """True when uid 65534 can reach and execute `path` (every directory o+x)."""
    try:
        if not path.stat().st_mode & stat.S_IXOTH:
            return False
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents)
    except OSError:
        return False


def _drop_to_nobody(kubectl: Path) -> list[str]:
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None or not _nobody_can_run(kubectl):
        return []  # bwrap's own user namespace still maps us to 65534 inside
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


def argv(kubectl: Path, args: list[str], kubeconfig_fd: int) -> list[str]:
    """The command line that runs `kubectl args` sandboxed; the kubeconfig comes from the fd."""
    return [
        *_drop_to_nobody(kubectl), bwrap() or "bwrap",
        "--unshare-all", "--share-net", "--unshare-user",
        "--uid", str(NOBODY), "--gid", str(NOBODY),
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--ro-bind", str(kubectl), BINARY,
        "--ro-bind-data", str(kubeconfig_fd), KUBECONFIG,
        "--size", str(TMPFS_BYTES), "--tmpfs", HOME,
        "--proc", "/proc", "--dev", "/dev",
        "--chdir", HOME, "--clearenv", *_setenv(),
        BINARY, f"--kubeconfig={KUBECONFIG}", *args,
    ]


def _setenv() -> list[str]:
    env = {"PATH": "/usr/bin", "HOME": HOME, "LANG": "C.UTF-8", "KUBECONFIG": KUBECONFIG,
           "KUBECTL_KUBERC": "false"}  # no kuberc aliases or default flags, even from HOME
    return [word for name, value in env.items() for word in ("--setenv", name, value)]


def kubeconfig_fd(text: str) -> int:
    """A memfd holding the kubeconfig, positioned at its start, for `--ro-bind-data`."""
    fd = os.memfd_create("kubeconfig", 0)  # not inheritable: passed only via pass_fds
    os.write(fd, text.encode())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
