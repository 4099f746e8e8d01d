"""Compatibility shim: the loop list moved to simcore/components.py.

simulation.py (edited elsewhere at the time of the move) still imports `install` from
here. The import below is deliberately lazy: importing simcore.components at module level
would make controllers/ import net/ again (components lists kube-proxy). Switch
simulation.py to `simcore.components.install` and delete this module.
"""

from __future__ import annotations


def install(engine) -> None:
    from simcore.components import install as install_components  # lazy: see above
    install_components(engine)
