"""The Job controller.

Keeps `min(parallelism, completions - succeeded)` pods active. A failed pod
(restartPolicy Never) stays, listed as `Error`, and is replaced after a
back-off that starts at 10 s and doubles per failure since the last success,
capped at 6 minutes (the controller's backoff record). The Job fails with
`BackoffLimitExceeded` once failed pods exceed `backoffLimit` (with
OnFailure: once container restarts reach it), completes when `completions`
pods succeeded, and then removes the pods still running. Finished pods are
kept, so `kubectl get pods` shows the lecture's ten `Error` and three
`Completed` pods.
"""

from __future__ import annotations

from simcore import events
from simcore.apiserver import INTERNAL
from simcore.controllers import burst, podstatus
from simcore.controllers.base import Controller, owner_key
from simcore.controllers.replicaset import pod_from_template
from simcore.resources import split_key

BACKOFF_START, BACKOFF_CAP = 10.0, 360.0
COMPONENT = "job-controller"


def finished_condition(job: dict) -> str | None:
    for cond in job.get("status", {}).get("conditions") or []:
        if cond["type"] in ("Complete", "Failed") and cond["status"] == "True":
            return cond["type"]
    return None


class JobController(Controller):
    name = "job"
    watches = ("jobs.batch", "pods")

    def keys_for(self, event):
        if event.resource == "pods":
            key = owner_key(event.object, "Job")
            return (key,) if key else ()
        return super().keys_for(event)

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        job = self.api.try_get_ref("jobs.batch", name, namespace)
        # gone, or already finished: nothing left to manage
        if job is None or job["metadata"].get("deletionTimestamp") or finished_condition(job):
            return
        spec = job["spec"]
        pods = [p for p in (self.api.store.get(r, ns, n) for r, ns, n in
                            self.api.store.dependents(job["metadata"]["uid"]) if r == "pods")
                if p is not None]
        active = [p for p in pods if p["status"].get("phase") not in ("Succeeded", "Failed")
                  and not p["metadata"].get("deletionTimestamp")]
        succeeded = sum(1 for p in pods if p["status"].get("phase") == "Succeeded")
        failed = sum(1 for p in pods if p["status"].get("phase") == "Failed")
        record = self._backoff_record(key, pods)
        status = dict(job.get("status") or {})
        status.setdefault("startTime", self.clock.timestamp())
        if spec.get("suspend"):
            self._delete(job, active)
            active = []
        elif self._past_backoff_limit(spec, failed, active):
            self._finish(job, status, active, "Failed", "BackoffLimitExceeded",
                         "Job has reached the specified backoff limit")
            return
        elif self._past_deadline(key, spec, status):
            self._finish(job, status, active, "Failed", "DeadlineExceeded",
                         "Job was active longer than specified deadline")
            return
        elif self._complete(spec, succeeded, active):
            self._finish(job, status, active, "Complete", None, None, succeeded, failed)
            return
        else:
            active = self._manage(key, job, active, succeeded, record)
        self._write_status(job, status, active, succeeded, failed)

    def _backoff_record(self, key: str, pods: list[dict]) -> dict:
        """Failures since the last success and when the last one happened."""
        record = self.state.setdefault(key, {"seen": [], "failures": 0, "last_failure": None})
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
                record: dict) -> list[dict]:
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
        if record["failures"]:
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
                reason: str | None, message: str | None, succeeded: int = 0,
                failed: int = 0) -> None:
        now = self.clock.timestamp()
        self._delete(job, active)
        conditions = list(status.get("conditions") or [])
        if outcome == "Complete":
            conditions.append(_condition("SuccessCriteriaMet", now, "CompletionsReached",
                                         "Reached expected number of succeeded pods"))
            conditions.append(_condition("Complete", now, "CompletionsReached",
                                         "Reached expected number of succeeded pods"))
            status["completionTime"] = now
            events.record(self.engine, job, "Normal", "Completed", "Job completed", COMPONENT)
        else:
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
        status["ready"] = sum(1 for p in active if podstatus.is_ready(p))
        status["terminating"] = 0
        status.setdefault("uncountedTerminatedPods", {})
        if job.get("status") != status:
            meta = job["metadata"]
            self.api.mutate("jobs.batch", meta["name"], meta["namespace"],
                            lambda j: j.__setitem__("status", status), subresource="status")


def _condition(type_: str, now: str, reason: str | None, message: str | None) -> dict:
    cond = {"type": type_, "status": "True", "lastProbeTime": now, "lastTransitionTime": now}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond
