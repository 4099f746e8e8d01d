"""Every loop the engine runs, in the order it drains their queues.

What: `COMPONENTS`, the control plane's controllers (controllers/), the kubelet and its
prober (node/), kube-proxy (net/) and the alarm clock, and `install(engine)`.

Why above controllers/, node/ and net/: the list names loops from all three, and the
control plane must not import the node or the data plane (they share the loop contract,
simcore/loop.py, below them all). The order is the order the engine drains queues in
(engine.py): it makes a run repeatable, so changing it changes `sim.state()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore.controllers.cronjob import CronJobController
from simcore.controllers.daemonset import DaemonSetController
from simcore.controllers.deployment import DeploymentController
from simcore.controllers.endpoints import EndpointsController
from simcore.controllers.garbagecollector import GarbageCollector
from simcore.controllers.ingressstatus import IngressStatusController
from simcore.controllers.job import JobController
from simcore.controllers.loadbalancer import LoadBalancerController
from simcore.controllers.namespace import NamespaceController
from simcore.controllers.nodelifecycle import NodeLifecycleController
from simcore.controllers.replicaset import ReplicaSetController, ReplicationControllerController
from simcore.controllers.scheduler import Scheduler
from simcore.controllers.statefulset import StatefulSetController
from simcore.loop import Alarm
from simcore.net.kubeproxy import KubeProxy
from simcore.node.kubelet import Kubelet, Prober

if TYPE_CHECKING:  # a type only: the engine is built before its loops are installed
    from simcore.engine import Engine

COMPONENTS = (
    NamespaceController,
    DeploymentController,
    ReplicaSetController,
    ReplicationControllerController,
    DaemonSetController,
    StatefulSetController,
    CronJobController,
    JobController,
    Scheduler,
    Kubelet,
    NodeLifecycleController,
    EndpointsController,
    LoadBalancerController,
    IngressStatusController,
    KubeProxy,
    GarbageCollector,
    Prober,
    Alarm,
)


def install(engine: Engine) -> None:
    for controller in COMPONENTS:
        engine.add(controller(engine))
