"""Which controllers a cluster runs, in the order the engine drains their queues."""

from __future__ import annotations

from simcore.controllers.deployment import DeploymentController
from simcore.controllers.endpoints import EndpointsController
from simcore.controllers.garbagecollector import GarbageCollector
from simcore.controllers.job import JobController
from simcore.controllers.kubelet import Kubelet
from simcore.controllers.namespace import NamespaceController
from simcore.controllers.replicaset import ReplicaSetController, ReplicationControllerController
from simcore.controllers.scheduler import Scheduler
from simcore.net.kubeproxy import KubeProxy

CONTROLLERS = (
    NamespaceController,
    DeploymentController,
    ReplicaSetController,
    ReplicationControllerController,
    JobController,
    Scheduler,
    Kubelet,
    EndpointsController,
    KubeProxy,
    GarbageCollector,
)


def install(engine) -> None:
    for controller in CONTROLLERS:
        engine.add(controller(engine))
