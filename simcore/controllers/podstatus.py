"""Moved to simcore/node/podstatus.py; this alias stays while controllers/kubelet.py and
controllers/nodelifecycle.py (edited elsewhere at
the time of the move) import it from here. It makes the old name the same module object, so
private names and module state are shared. Delete it once they import the new path.
"""

import sys

from simcore.node import podstatus

sys.modules[__name__] = podstatus
