"""Rows for the controllers: ReplicaSet, ReplicationController, Deployment, DaemonSet,
StatefulSet, Job and CronJob.

These rows are mostly counters copied from `spec`/`status` (JSON integers for
RS/RC/DS, `ready/desired` strings for Deployment and StatefulSet), the wide
CONTAINERS / IMAGES pair from the pod template, and a SELECTOR written the way
apimachinery writes selectors (`app in (node-web)` for the lecture's
matchExpressions). The Job row carries the most logic: STATUS from its
conditions (the column the 1.30+ servers added), COMPLETIONS as `N/M` or
`N/1 of P`, and DURATION that keeps growing until `completionTime` is set.

Where the API server always defaults a field (`spec.replicas`), a missing value
reads as its default, so a hand-built object prints as a stored one would.
Descriptions for columns printers.go documents from the legacy
extensions/v1beta1 and batch/v1beta1 types keep those types' wording.
"""

from __future__ import annotations

from datetime import datetime

from simcore.labels import format_label_selector, format_map, from_label_selector
from simcore.printers.common import (
    Printer,
    age_column,
    bool_text,
    column,
    layout_containers,
    meta,
    name_column,
    pod_template_spec,
    spec,
    status,
    wide_containers_images,
)
from simcore.printers.duration import age, between, parse_time

_RC_INFO = ("More info: https://kubernetes.io/docs/concepts/workloads/controllers/"
            "replicationcontroller#what-is-a-replicationcontroller")
_RS_INFO = ("More info: https://kubernetes.io/docs/concepts/workloads/controllers/"
            "replicationcontroller/#what-is-a-replicationcontroller")
_SELECTOR_INFO = ("More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/"
                  "labels/#label-selectors")
_DS_INFO = "More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"
_JOB_SELECTOR_DOC = ("A label query over pods that should match the pod count. Normally, the "
                     f"system sets this field for you. {_SELECTOR_INFO}")


def _selector_column(description: str) -> dict:
    return column("Selector", description, priority=1)


def _template_cells(template: dict | None) -> list:
    return list(layout_containers(pod_template_spec(template).get("containers")))


# --- ReplicationController, ReplicaSet ------------------------------------------------------

_RC_COLUMNS = (
    name_column(),
    column("Desired", "Replicas is the number of desired replicas. This is a pointer to "
                      "distinguish between explicit zero and unspecified. Defaults to 1. "
                      + _RC_INFO, "integer"),
    column("Current", "Replicas is the most recently observed number of replicas. " + _RC_INFO,
           "integer"),
    column("Ready", "The number of ready replicas for this replication controller.", "integer"),
    age_column(),
    *wide_containers_images(),
    _selector_column("Selector is a label query over pods that should match the Replicas "
                     "count. If Selector is empty, it is defaulted to the labels present on "
                     "the Pod template. Label keys and values that must match in order to be "
                     "controlled by this replication controller, if empty defaulted to labels "
                     f"on Pod template. {_SELECTOR_INFO}"),
)

_RS_COLUMNS = (
    name_column(),
    column("Desired", "Replicas is the number of desired replicas. This is a pointer to "
                      "distinguish between explicit zero and unspecified. Defaults to 1. "
                      + _RS_INFO, "integer"),
    column("Current", "Replicas is the most recently observed number of replicas. " + _RS_INFO,
           "integer"),
    column("Ready", "The number of ready replicas for this replica set.", "integer"),
    age_column(),
    *wide_containers_images(),
    _selector_column("Selector is a label query over pods that should match the replica count. "
                     "If the selector is empty, it is defaulted to the labels present on the "
                     "pod template. Label keys and values that must match in order to be "
                     f"controlled by this replica set. {_SELECTOR_INFO}"),
)


def _replica_counts(obj: dict, now: datetime) -> list:
    st = status(obj)
    return [meta(obj).get("name", ""), spec(obj).get("replicas", 1), st.get("replicas", 0),
            st.get("readyReplicas", 0), age(meta(obj).get("creationTimestamp"), now)]


def replication_controller_cells(obj: dict, now: datetime) -> list:
    return (_replica_counts(obj, now) + _template_cells(spec(obj).get("template"))
            + [format_map(spec(obj).get("selector"))])


def replica_set_cells(obj: dict, now: datetime) -> list:
    return (_replica_counts(obj, now) + _template_cells(spec(obj).get("template"))
            + [format_label_selector(spec(obj).get("selector"))])


# --- Deployment, StatefulSet, DaemonSet -----------------------------------------------------

_DEPLOYMENT_COLUMNS = (
    name_column(),
    column("Ready", "Number of the pod with ready state"),
    column("Up-to-date", "Total number of non-terminated pods targeted by this deployment that "
                         "have the desired template spec."),
    column("Available", "Total number of available pods (ready for at least minReadySeconds) "
                        "targeted by this deployment."),
    age_column(),
    *wide_containers_images(),
    _selector_column("Label selector for pods. Existing ReplicaSets whose pods are selected by "
                     "this will be the ones affected by this deployment."),
)


def deployment_cells(obj: dict, now: datetime) -> list:
    st = status(obj)
    try:
        selector = str(from_label_selector(spec(obj).get("selector")))
    except ValueError:
        selector = "<invalid>"
    return ([meta(obj).get("name", ""),
             f"{st.get('readyReplicas', 0)}/{spec(obj).get('replicas', 1)}",
             st.get("updatedReplicas", 0), st.get("availableReplicas", 0),
             age(meta(obj).get("creationTimestamp"), now)]
            + _template_cells(spec(obj).get("template")) + [selector])


_STATEFUL_SET_COLUMNS = (
    name_column(),
    column("Ready", "Number of the pod with ready state"),
    age_column(),
    *wide_containers_images(),
)


def stateful_set_cells(obj: dict, now: datetime) -> list:
    ready = f"{status(obj).get('readyReplicas', 0)}/{spec(obj).get('replicas', 1)}"
    return ([meta(obj).get("name", ""), ready, age(meta(obj).get("creationTimestamp"), now)]
            + _template_cells(spec(obj).get("template")))


_DAEMON_SET_COLUMNS = (
    name_column(),
    column("Desired", "The total number of nodes that should be running the daemon pod "
                      "(including nodes correctly running the daemon pod). " + _DS_INFO,
           "integer"),
    column("Current", "The number of nodes that are running at least 1 daemon pod and are "
                      "supposed to run the daemon pod. " + _DS_INFO, "integer"),
    column("Ready", "The number of nodes that should be running the daemon pod and have one "
                    "or more of the daemon pod running and ready.", "integer"),
    column("Up-to-date", "The total number of nodes that are running updated daemon pod",
           "integer"),
    column("Available", "The number of nodes that should be running the daemon pod and have "
                        "one or more of the daemon pod running and available (ready for at "
                        "least spec.minReadySeconds)", "integer"),
    column("Node Selector", "NodeSelector is a selector which must be true for the pod to fit "
                            "on a node. Selector which must match a node's labels for the pod "
                            "to be scheduled on that node. More info: https://kubernetes.io/"
                            "docs/concepts/configuration/assign-pod-node/"),
    age_column(),
    *wide_containers_images(),
    _selector_column("A label query over pods that are managed by the daemon set. Must match "
                     "in order to be controlled. If empty, defaulted to labels on Pod "
                     f"template. {_SELECTOR_INFO}"),
)


def daemon_set_cells(obj: dict, now: datetime) -> list:
    st, template = status(obj), spec(obj).get("template")
    counts = [st.get(k, 0) for k in ("desiredNumberScheduled", "currentNumberScheduled",
                                     "numberReady", "updatedNumberScheduled",
                                     "numberAvailable")]
    return ([meta(obj).get("name", ""), *counts,
             format_map(pod_template_spec(template).get("nodeSelector")),
             age(meta(obj).get("creationTimestamp"), now)]
            + _template_cells(template) + [format_label_selector(spec(obj).get("selector"))])


# --- Job, CronJob ---------------------------------------------------------------------------

_JOB_COLUMNS = (
    name_column(),
    column("Status", "Status of the job."),
    column("Completions", "The number of pods which reached phase Succeeded. The value "
                          "increases monotonically for a given spec. However, it may decrease "
                          "in reaction to scale down of elastic indexed jobs."),
    column("Duration", "Time required to complete the job."),
    age_column(),
    *wide_containers_images(),
    _selector_column(_JOB_SELECTOR_DOC),
)


def _job_condition(job: dict, type_: str) -> bool:
    for cond in status(job).get("conditions") or []:
        if cond.get("type") == type_:
            return bool(cond.get("status") == "True")
    return False


def job_status(job: dict) -> str:
    """The STATUS cell: terminal conditions first, then deletion, then suspension."""
    if _job_condition(job, "Complete"):
        return "Complete"
    if _job_condition(job, "Failed"):
        return "Failed"
    if meta(job).get("deletionTimestamp"):
        return "Terminating"
    if _job_condition(job, "Suspended"):
        return "Suspended"
    if _job_condition(job, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_completions(job: dict) -> str:
    succeeded, job_spec = status(job).get("succeeded", 0), spec(job)
    if job_spec.get("completions") is not None:
        return f"{succeeded}/{job_spec['completions']}"
    parallelism = job_spec.get("parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(job: dict, now: datetime) -> str:
    start = parse_time(status(job).get("startTime"))
    if start is None:
        return ""
    end = parse_time(status(job).get("completionTime"))
    return between(start, end if end is not None else now)


def job_cells(obj: dict, now: datetime) -> list:
    return ([meta(obj).get("name", ""), job_status(obj), job_completions(obj),
             job_duration(obj, now), age(meta(obj).get("creationTimestamp"), now)]
            + _template_cells(spec(obj).get("template"))
            + [format_label_selector(spec(obj).get("selector"))])


_CRON_JOB_COLUMNS = (
    name_column(),
    column("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column("Timezone", "The time zone for the given schedule, see https://en.wikipedia.org/"
                       "wiki/List_of_tz_database_time_zones. If not specified, this will rely "
                       "on the time zone of the kube-controller-manager process. ALPHA: This "
                       "field is in alpha and must be enabled via the `CronJobTimeZone` "
                       "feature gate."),
    column("Suspend", "This flag tells the controller to suspend subsequent executions, it does "
                      "not apply to already started executions. Defaults to false.", "boolean"),
    column("Active", "A list of pointers to currently running jobs.", "integer"),
    column("Last Schedule", "Information when was the last time the job was successfully "
                            "scheduled."),
    age_column(),
    *wide_containers_images(),
    _selector_column(_JOB_SELECTOR_DOC),
)


def cron_job_cells(obj: dict, now: datetime) -> list:
    cj_spec, st = spec(obj), status(obj)
    job_spec = (cj_spec.get("jobTemplate") or {}).get("spec") or {}
    last, zone = st.get("lastScheduleTime"), cj_spec.get("timeZone")
    return ([meta(obj).get("name", ""), cj_spec.get("schedule", ""),
             zone if zone is not None else "<none>", bool_text(cj_spec.get("suspend")),
             len(st.get("active") or []), age(last, now) if last else "<none>",
             age(meta(obj).get("creationTimestamp"), now)]
            + _template_cells(job_spec.get("template"))
            + [format_label_selector(job_spec.get("selector"))])


PRINTERS = {
    "ReplicationController": Printer(_RC_COLUMNS, replication_controller_cells),
    "ReplicaSet": Printer(_RS_COLUMNS, replica_set_cells),
    "Deployment": Printer(_DEPLOYMENT_COLUMNS, deployment_cells),
    "StatefulSet": Printer(_STATEFUL_SET_COLUMNS, stateful_set_cells),
    "DaemonSet": Printer(_DAEMON_SET_COLUMNS, daemon_set_cells),
    "Job": Printer(_JOB_COLUMNS, job_cells),
    "CronJob": Printer(_CRON_JOB_COLUMNS, cron_job_cells),
}
