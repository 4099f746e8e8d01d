"""The Job controller.

Keeps `min(parallelism, completions - succeeded)` pods active. A failed pod
(restartPolicy Never) stays, listed as `Error`, and is replaced after a
back-off of 10 s doubling, capped at 6 minutes. What doubles depends on the
version the cluster reports (`simcore.versions`):
- v1.27 and later count failed pods since the last success (the controller's
  backoff record, from the pods' finish times);
- before (the lecture's v1.20), the back-off is the work queue's: a sync that
  writes a status with new failures returns an error, so the key comes back
  after 10 s x 2^(requeues) and `NumRequeues` grows; a pod that turns Failed
  queues the Job after 10 s x 2^(requeues-1); a status write without a new
  failure forgets the count. So it counts *syncs* that saw failures, not pods,
  and a success resets it: the lecture's Job is done in about a minute.
The work queue's "one pending delay per key, the earliest wins" is kept with
timer keys `ns/name@when` (`_wake_key`): a timer whose moment was replaced by
an earlier one is ignored when it fires. The Job fails with
`BackoffLimitExceeded` once failed pods exceed `backoffLimit` (with
OnFailure: once container restarts reach it), completes when `completions`
pods succeeded, and then removes the pods still running. Finished pods are
kept, so `kubectl get pods` shows the lecture's ten `Error` and three
`Completed` pods.
"""

from __future__ import annotations

from collections.abc import Iterable

from simcore import events, versions
from simcore.apiserver import INTERNAL
from simcore.controllers import burst
from simcore.controllers.replicaset import pod_from_template
from simcore.controllers.workloads import owner_key
from simcore.loop import Controller
from simcore.objects import pod_ready
from simcore.resources import split_key
from simcore.store import Event

BACKOFF_START, BACKOFF_CAP = 10.0, 360.0
COMPONENT = "job-controller"
# the first release whose back-off counts failed pods (the backoff record) instead of
# the work queue's requeues
POD_FAILURE_BACKOFF_SINCE = (1, 27)
INTERIM_CONDITIONS_SINCE = (1, 31)


def finished_condition(job: dict) -> str | None:
    for cond in job.get("status", {}).get("conditions") or []:
        type_: str = cond["type"]
        if type_ in ("Complete", "Failed") and cond["status"] == "True":
            return type_
    return None


class JobController(Controller):
    name = "job"
    watches = ("jobs.batch", "pods")

    _requeue_backoff: bool | None = None

    def requeue_backoff(self) -> bool:
        """True when the cluster's version paces Jobs by the work queue's requeues."""
        if self._requeue_backoff is None:
            version = versions.reported(self.config, self.api.store)
            if version == versions.NEWEST and not self.api.store.list("nodes"):
                return False  # no node yet to ask: decide later
            self._requeue_backoff = version < POD_FAILURE_BACKOFF_SINCE
        return self._requeue_backoff

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource == "pods":
            key = owner_key(event.object, "Job")
            if key and self.requeue_backoff() and _newly_failed(event):
                # updatePod: a failed pod queues the Job after the current back-off
                requeues = self.state.get(key, {}).get("requeues", 0)
                if requeues:
                    self._add_after(key, _delay(requeues - 1))
                    return ()
            return (key,) if key else ()
        return super().keys_for(event)

    def _add_after(self, key: str, delay: float) -> None:
        """The delaying queue's AddAfter: one pending moment per key, the earliest wins."""
        record = self.state.setdefault(key, {})
        when = round(self.clock.elapsed + delay, 6)
        if record.get("wake") is not None and record["wake"] <= when:
            return
        record["wake"] = when
        self.requeue_at(when, _wake_key(key, when))

    def sync(self, key: str) -> None:
        key, when = _split_wake(key)
        if when is not None:
            record = self.state.get(key, {})
            if record.get("wake") != when:
                return  # replaced by an earlier moment, which already ran
            record["wake"] = None
        namespace, name = split_key(key)
        job = self.api.try_get_ref("jobs.batch", name, namespace)
        # gone, or already finished: nothing left to manage
        if job is None or job["metadata"].get("deletionTimestamp") or finished_condition(job):
            return
        if self.requeue_backoff():
            self._sync_requeue_paced(key, job)
            return
        pods, active, succeeded, failed = self._count(job)
        record = self._backoff_record(key, pods)
        status = dict(job.get("status") or {})
        status.setdefault("startTime", self.clock.timestamp())
        running = self._reconcile(key, job, status, active, succeeded, failed, record)
        if running is not None:
            self._write_status(job, status, running, succeeded, failed)

    def _sync_requeue_paced(self, key: str, job: dict) -> None:
        """syncJob before v1.27: no wait of its own; the queue's timing is the back-off."""
        old = job.get("status") or {}
        _, active, succeeded, failed = self._count(job)
        new_failure = failed > old.get("failed", 0)
        status = dict(old)
        status.setdefault("startTime", self.clock.timestamp())
        running = self._reconcile(key, job, status, active, succeeded, failed, None)
        if running is None:
            return
        record = self.state.setdefault(key, {})
        changed = (len(running), succeeded, failed) != \
            (old.get("active", 0), old.get("succeeded", 0), old.get("failed", 0))
        self._write_status(job, status, running, succeeded, failed)
        if changed and new_failure:
            # "failed pod(s) detected for job key": AddRateLimited
            requeues = record.get("requeues", 0)
            record["requeues"] = requeues + 1
            self._add_after(key, _delay(requeues))
        elif changed:
            record["requeues"] = 0  # Forget

    def _count(self, job: dict) -> tuple[list[dict], list[dict], int, int]:
        """The Job's pods, the active ones, and how many succeeded and failed."""
        pods = self._pods(job)
        active = [p for p in pods if p["status"].get("phase") not in ("Succeeded", "Failed")
                  and not p["metadata"].get("deletionTimestamp")]
        succeeded = sum(1 for p in pods if p["status"].get("phase") == "Succeeded")
        failed = sum(1 for p in pods if p["status"].get("phase") == "Failed")
        return pods, active, succeeded, failed

    def _reconcile(self, key: str, job: dict, status: dict, active: list[dict],
                   succeeded: int, failed: int, record: dict | None) -> list[dict] | None:
        """What both back-off rules share: suspend, the limits, completion, else the pods to
        run; None once the Job is finished (its status is written already)."""
        spec = job["spec"]
        if spec.get("suspend"):
            self._delete(job, active)
            return []
        if self._past_backoff_limit(spec, failed, active):
            self._finish(job, status, active, "Failed", "BackoffLimitExceeded",
                         "Job has reached the specified backoff limit")
            return None
        if self._past_deadline(key, spec, status):
            self._finish(job, status, active, "Failed", "DeadlineExceeded",
                         "Job was active longer than specified deadline")
            return None
        if self._complete(spec, succeeded, active):
            self._finish(job, status, active, "Complete", "", "", succeeded, failed)
            return None
        return self._manage(key, job, active, succeeded, record)

    def _pods(self, job: dict) -> list[dict]:
        return [p for p in (self.api.store.get(r, ns, n) for r, ns, n in
                            self.api.store.dependents(job["metadata"]["uid"]) if r == "pods")
                if p is not None]

    def _backoff_record(self, key: str, pods: list[dict]) -> dict:
        """Failures since the last success and when the last one happened."""
        record: dict = self.state.setdefault(key, {"seen": [], "failures": 0,
                                                   "last_failure": None})
        seen = set(record["seen"])
        for pod in sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"]):
            name, phase = pod["metadata"]["name"], pod["status"].get("phase")
            if name in seen or phase not in ("Succeeded", "Failed"):
                continue
            seen.add(name)
            if phase == "Succeeded":
                record["failures"] = 0
            else:
                record["failures"] += 1
                record["last_failure"] = self.clock.elapsed
        record["seen"] = sorted(seen)
        return record

    def _past_backoff_limit(self, spec: dict, failed: int, active: list[dict]) -> bool:
        limit = int(spec.get("backoffLimit", 6))
        policy = (spec.get("template") or {}).get("spec", {}).get("restartPolicy", "Never")
        if policy == "OnFailure":
            restarts = sum(c.get("restartCount", 0) for p in active
                           for c in p["status"].get("containerStatuses") or [])
            return restarts > 0 and restarts >= limit or (limit == 0 and failed > 0)
        return failed > limit

    def _past_deadline(self, key: str, spec: dict, status: dict) -> bool:
        deadline = spec.get("activeDeadlineSeconds")
        if deadline is None:
            return False
        elapsed = self.clock.seconds_since(status["startTime"])
        if elapsed >= deadline:
            return True
        self.requeue_after(key, deadline - elapsed)
        return False

    def _complete(self, spec: dict, succeeded: int, active: list[dict]) -> bool:
        if spec.get("completions") is None:
            return succeeded > 0 and not active
        return succeeded >= int(spec["completions"])

    def _manage(self, key: str, job: dict, active: list[dict], succeeded: int,
                record: dict | None) -> list[dict]:
        spec = job["spec"]
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        if completions is None:
            want = parallelism if succeeded == 0 else 0
        else:
            want = min(parallelism, int(completions) - succeeded)
        if len(active) > want:
            doomed = active[want:][:burst.JOB_BURST]
            self._delete(job, doomed)
            return active[:len(active) - len(doomed)]
        if len(active) == want:
            return active
        if record and record["failures"]:
            delay = min(BACKOFF_START * 2 ** min(record["failures"] - 1, 8), BACKOFF_CAP)
            ready_at = record["last_failure"] + delay
            if self.clock.elapsed + 1e-9 < ready_at:
                self.requeue_at(ready_at, key)
                return active
        created = []
        template = spec.get("template") or {}

        def create_one() -> None:
            pod = self.api.create("pods", pod_from_template(job, template),
                                  job["metadata"]["namespace"], INTERNAL, copy_result=False,
                                  owned=True)
            created.append(pod)
            events.record(self.engine, job, "Normal", "SuccessfulCreate",
                          f"Created pod: {pod['metadata']['name']}", COMPONENT)
        burst.slow_start_batch(min(want - len(active), burst.JOB_BURST), create_one,
                               self.engine.spent)
        return active + created

    def _delete(self, job: dict, pods: list[dict]) -> None:
        for pod in pods:
            self.api.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
            events.record(self.engine, job, "Normal", "SuccessfulDelete",
                          f"Deleted pod: {pod['metadata']['name']}", COMPONENT)

    def _finish(self, job: dict, status: dict, active: list[dict], outcome: str,
                reason: str, message: str, succeeded: int = 0, failed: int = 0) -> None:
        """`reason` and `message` of a failure; "" for a completion, whose words depend on
        the version."""
        now = self.clock.timestamp()
        self._delete(job, active)
        conditions = list(status.get("conditions") or [])
        # v1.31 added the interim SuccessCriteriaMet / FailureTarget conditions and gave
        # Complete its reason; before, Complete came bare (newCondition(JobComplete, "", ""))
        interim = versions.reported(self.config, self.api.store) >= INTERIM_CONDITIONS_SINCE
        if outcome == "Complete":
            done = ("CompletionsReached", "Reached expected number of succeeded pods") \
                if interim else (None, None)
            if interim:
                conditions.append(_condition("SuccessCriteriaMet", now, *done))
            conditions.append(_condition("Complete", now, *done))
            status["completionTime"] = now
            events.record(self.engine, job, "Normal", "Completed", "Job completed", COMPONENT)
        else:
            if interim:
                conditions.append(_condition("FailureTarget", now, reason, message))
            conditions.append(_condition("Failed", now, reason, message))
            events.record(self.engine, job, "Warning", reason, message, COMPONENT)
        status["conditions"] = conditions
        pods = self.api.store.dependents(job["metadata"]["uid"])
        counts = [self.api.store.get(r, ns, n) for r, ns, n in pods if r == "pods"]
        succeeded = sum(1 for p in counts if p and p["status"].get("phase") == "Succeeded")
        failed = sum(1 for p in counts if p and p["status"].get("phase") == "Failed")
        self._write_status(job, status, [], succeeded, failed)

    def _write_status(self, job: dict, status: dict, active: list[dict], succeeded: int,
                      failed: int) -> None:
        status = dict(status)
        for field, value in (("active", len(active)), ("succeeded", succeeded),
                             ("failed", failed)):
            if value:
                status[field] = value
            else:
                status.pop(field, None)
        status["ready"] = sum(1 for p in active if pod_ready(p))
        status["terminating"] = 0
        status.setdefault("uncountedTerminatedPods", {})
        if job.get("status") != status:
            meta = job["metadata"]
            self.api.mutate("jobs.batch", meta["name"], meta["namespace"],
                            lambda j: j.__setitem__("status", status), subresource="status")


def _delay(exponent: int) -> float:
    """10 s x 2^exponent, capped at 6 minutes (DefaultJobBackOff, MaxJobBackOff)."""
    return min(BACKOFF_START * 2.0 ** min(exponent, 8), BACKOFF_CAP)


def _newly_failed(event: Event) -> bool:
    """updatePod's `immediate := phase != Failed`: a Failed pod that is not being deleted."""
    pod = event.object
    return (event.type == "MODIFIED" and pod["status"].get("phase") == "Failed"
            and not pod["metadata"].get("deletionTimestamp"))


def _wake_key(key: str, when: float) -> str:
    return f"{key}@{when!r}"


def _split_wake(key: str) -> tuple[str, float | None]:
    base, sep, when = key.partition("@")
    return (base, float(when)) if sep else (key, None)


def _condition(type_: str, now: str, reason: str | None, message: str | None) -> dict:
    cond = {"type": type_, "status": "True", "lastProbeTime": now, "lastTransitionTime": now}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond
