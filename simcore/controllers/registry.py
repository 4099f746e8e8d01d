"""Which controllers a cluster runs, in the order the engine drains their queues."""

from __future__ import annotations

from simcore.controllers.base import Alarm
from simcore.controllers.cronjob import CronJobController
from simcore.controllers.daemonset import DaemonSetController
from simcore.controllers.deployment import DeploymentController
from simcore.controllers.endpoints import EndpointsController
from simcore.controllers.garbagecollector import GarbageCollector
from simcore.controllers.ingressstatus import IngressStatusController
from simcore.controllers.job import JobController
from simcore.controllers.kubelet import Kubelet, Prober
from simcore.controllers.loadbalancer import LoadBalancerController
from simcore.controllers.namespace import NamespaceController
from simcore.controllers.nodelifecycle import NodeLifecycleController
from simcore.controllers.replicaset import ReplicaSetController, ReplicationControllerController
from simcore.controllers.scheduler import Scheduler
from simcore.controllers.statefulset import StatefulSetController
from simcore.net.kubeproxy import KubeProxy

CONTROLLERS = (
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


def install(engine) -> None:
    for controller in CONTROLLERS:
        engine.add(controller(engine))
