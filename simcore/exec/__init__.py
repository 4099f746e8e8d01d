"""Inside the containers: the image catalogue, a tiny shell and the network tools.

Nothing here needs a cluster. `images` says what an image holds and runs,
`processes` turns a container's command line into a plain-data plan the
kubelet replays, `shell.run` is `kubectl exec`, and curl/wget/nslookup/dig
reach the simulated network only through the `netapi.Network` protocol,
whose caller-side DNS walk lives in `resolver`.
"""

from simcore.exec.context import ExecContext, ExecResult
from simcore.exec.imagelookup import image_profile
from simcore.exec.images import ImageProfile, container_env, kubelet_files
from simcore.exec.shell import run

# fills exec/call.py's table of programs (see exec/programs.py)
from simcore.exec import programs  # noqa: E402,F401  isort: skip

__all__ = ["ExecContext", "ExecResult", "ImageProfile", "container_env", "image_profile",
           "kubelet_files", "run"]
