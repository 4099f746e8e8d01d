"""The CronJob controller: Jobs on a schedule, on the cluster's virtual clock.

Contract: at each time the five-field schedule (minute hour day-of-month
month day-of-week, with `*`, `?`, ranges, steps, lists, month and weekday
names, and the macros `@yearly` `@annually` `@monthly` `@weekly` `@daily`
`@midnight` `@hourly` `@every <duration>`) names, read in `spec.timeZone`
(UTC when unset, as in a kube-controller-manager container), the controller
creates the Job `<cronjob>-<scheduled time in Unix minutes>` from
`jobTemplate`, owned by the CronJob and annotated
`batch.kubernetes.io/cronjob-scheduled-timestamp`. Only the most recent
missed time is run; a time older than `startingDeadlineSeconds` is reported
as missed instead. `concurrencyPolicy` Forbid skips a time while a Job is
active, Replace deletes the active Jobs first. `suspend` stops new Jobs.
Finished Jobs beyond `successfulJobsHistoryLimit`/`failedJobsHistoryLimit`
are deleted, oldest start first. Status holds `active`, `lastScheduleTime`
and `lastSuccessfulTime`; the events are the real ones.

One timer per CronJob, at the next schedule time plus 100 ms as the real
controller requeues: a cluster with a CronJob is never idle, and
`run_until_idle(max_seconds)` is bounded by its limit. This follows
pkg/controller/cronjob/cronjob_controllerv2.go and utils.go; the schedule
arithmetic follows robfig/cron v3 (SpecSchedule.Next), done on wall-clock
time in the zone, so a DST gap or repeat resolves as Python's zoneinfo does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simcore import errors, events
from simcore.apiserver import INTERNAL
from simcore.clock import parse_time, rfc3339
from simcore.controllers.job import finished_condition
from simcore.controllers.workloads import controller_ref, owner_key
from simcore.jsoncopy import clone
from simcore.loop import Controller
from simcore.resources import object_key, split_key
from simcore.store import Event
from simcore.validation.batch import parse_standard

COMPONENT = "cronjob-controller"
RESOURCE = "cronjobs.batch"
JOBS = "jobs.batch"
SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
NEXT_SCHEDULE_DELTA = 0.1  # seconds after the schedule time the controller looks again
MANY_MISSED = 100

_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}
_FIELDS = ((0, 59, None), (0, 23, None), (1, 31, None),
           (1, 12, {m: i + 1 for i, m in enumerate(
               "jan feb mar apr may jun jul aug sep oct nov dec".split())}),
           (0, 6, {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}))
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                   "m": 60.0, "h": 3600.0}


# --- the schedule ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    any_day: bool = True      # day-of-month was `*` or `?`
    any_weekday: bool = True  # day-of-week was `*` or `?`
    every: float | None = None
    zone: str = "UTC"

    def next_after(self, moment: datetime) -> datetime | None:
        """The first schedule time strictly after `moment` (aware), within five years."""
        if self.every is not None:
            return moment.replace(microsecond=0) + timedelta(seconds=self.every)
        zone = ZoneInfo(self.zone)
        local = moment.astimezone(zone).replace(tzinfo=None, microsecond=0)
        t = local + timedelta(seconds=1)
        if t.second:
            t = t.replace(second=0) + timedelta(minutes=1)
        limit = t.year + 5
        while t.year <= limit:
            if t.month not in self.months:
                t = datetime(t.year + t.month // 12, t.month % 12 + 1, 1)
            elif not self._day_matches(t):
                t = datetime(t.year, t.month, t.day) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += timedelta(minutes=1)
            else:
                return t.replace(tzinfo=zone).astimezone(UTC)
        return None

    def _day_matches(self, t: datetime) -> bool:
        day = t.day in self.days
        weekday = (t.weekday() + 1) % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday


def parse_schedule(text: str, zone: str | None) -> Schedule:
    """robfig/cron ParseStandard; raises ValueError with its message."""
    problem = parse_standard(text)
    if problem:
        raise ValueError(problem)
    text = text.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        prefix, _, text = text.partition(" ")
        zone = prefix.split("=", 1)[1]
        text = text.strip()
    zone = zone or "UTC"
    if text.startswith("@every "):
        return Schedule(every=max(_go_duration(text[len("@every "):]), 1.0) // 1, zone=zone)
    fields = _MACROS.get(text, text).split()
    sets = [_field(expr, *bounds) for expr, bounds in zip(fields, _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = (frozenset(s) for s, _ in sets)
    return Schedule(minutes, hours, days, months, weekdays, any_day=sets[2][1],
                    any_weekday=sets[4][1], zone=zone)


def _field(expr: str, low: int, high: int, names: dict | None) -> tuple[set[int], bool]:
    values: set[int] = set()
    star = False
    for part in expr.split(","):
        range_part, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if range_part in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        else:
            first, _, last = range_part.partition("-")
            start = _number(first, names)
            end = _number(last, names) if last else (high if step_text else start)
        values.update(range(start, end + 1, step))
    return values, star


def _number(text: str, names: dict | None) -> int:
    return names[text.lower()] if names and text.lower() in names else int(text)


def _go_duration(text: str) -> float:
    sign = -1.0 if text.startswith("-") else 1.0
    total = 0.0
    for number, unit in re.findall(r"([0-9.]+)([^0-9.]+)", text.lstrip("+-")):
        total += float(number) * _DURATION_UNITS[unit]
    return sign * total


# --- the controller ----------------------------------------------------------------------------

def job_name(cronjob: dict, scheduled: datetime) -> str:
    return f"{cronjob['metadata']['name']}-{int(scheduled.timestamp()) // 60}"


def _rfc1123z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


class CronJobController(Controller):
    name = "cronjob"
    watches = (RESOURCE, JOBS)

    def keys_for(self, event: Event) -> Iterable[str]:
        if event.resource == JOBS:
            key = owner_key(event.object, "CronJob")
            return (key,) if key else ()
        return super().keys_for(event)

    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        cronjob = self.api.try_get_ref(RESOURCE, name, namespace)
        if cronjob is None:
            return
        jobs = self._jobs(cronjob)
        status = clone(cronjob.get("status") or {})
        self._reconcile_jobs(cronjob, status, jobs)
        if not cronjob["metadata"].get("deletionTimestamp"):
            self._schedule(key, cronjob, status)
        self._cleanup_finished(cronjob, status, jobs)
        self._write_status(cronjob, status)

    def _jobs(self, cronjob: dict) -> list[dict]:
        found = []
        for res, namespace, name in self.api.store.dependents(cronjob["metadata"]["uid"]):
            job = self.api.store.get(res, namespace, name) if res == JOBS else None
            if job is not None and owner_key(job, "CronJob") is not None:
                found.append(job)
        return sorted(found, key=lambda j: j["metadata"]["name"])

    def _reconcile_jobs(self, cronjob: dict, status: dict, jobs: list[dict]) -> None:
        """Keep `active` in step with the Jobs that exist and have not finished."""
        active_uids = {ref.get("uid") for ref in status.get("active") or []}
        for job in jobs:
            meta = job["metadata"]
            finished = finished_condition(job)
            if meta["uid"] not in active_uids and finished is None:
                events.record(self.engine, cronjob, "Warning", "UnexpectedJob",
                              "Saw a job that the controller did not create or forgot: "
                              f"{meta['name']}", COMPONENT)
            elif meta["uid"] in active_uids and finished is not None:
                _drop_active(status, meta["uid"])
                events.record(self.engine, cronjob, "Normal", "SawCompletedJob",
                              f"Saw completed job: {meta['name']}, status: {finished}",
                              COMPONENT)
            elif finished == "Complete":
                done = (job.get("status") or {}).get("completionTime")
                last = status.get("lastSuccessfulTime")
                if done and (last is None or parse_time(done) > parse_time(last)):
                    status["lastSuccessfulTime"] = done
        present = {j["metadata"]["uid"] for j in jobs}
        for ref in list(status.get("active") or []):
            if ref.get("uid") not in present:
                events.record(self.engine, cronjob, "Normal", "MissingJob",
                              f"Active job went missing: {ref.get('name')}", COMPONENT)
                _drop_active(status, ref.get("uid"))

    def _schedule(self, key: str, cronjob: dict, status: dict) -> None:
        spec = cronjob["spec"]
        zone = spec.get("timeZone")
        if zone is not None and not _zone_exists(zone):
            events.record(self.engine, cronjob, "Warning", "UnknownTimeZone",
                          f'invalid timeZone: "{zone}": unknown time zone {zone}', COMPONENT)
            return
        if spec.get("suspend"):
            return
        if "TZ" in spec.get("schedule", ""):
            events.record(self.engine, cronjob, "Warning", "UnsupportedSchedule",
                          f'CRON_TZ or TZ used in schedule "{spec["schedule"]}" is not officially '
                          "supported, see https://kubernetes.io/docs/concepts/workloads/"
                          "controllers/cron-jobs/ for more details", COMPONENT)
        try:
            schedule = parse_schedule(spec.get("schedule", ""), zone)
        except ValueError as exc:
            events.record(self.engine, cronjob, "Warning", "UnparseableSchedule",
                          f'unparseable schedule: "{spec.get("schedule", "")}" : {exc}',
                          COMPONENT)
            return
        now = self.clock.now
        scheduled = self._most_recent(cronjob, status, schedule, now, with_deadline=True)
        if scheduled is not None and self._start(cronjob, status, scheduled, now):
            status["lastScheduleTime"] = rfc3339(scheduled)
        self._requeue_next(key, cronjob, status, schedule, now)

    def _most_recent(self, cronjob: dict, status: dict, schedule: Schedule, now: datetime,
                     with_deadline: bool) -> datetime | None:
        """The latest unmet schedule time at or before now (mostRecentScheduleTime).

        `with_deadline` is nextScheduleTime's view (it also reports a large backlog);
        without it, nextScheduleTimeDuration's."""
        earliest = self._earliest(cronjob, status, now, with_deadline)
        first = schedule.next_after(earliest)
        if first is None or first > now:
            return None
        second = schedule.next_after(first)
        if second is None or second > now:
            return first
        period = round((second - first).total_seconds())
        if period < 1:
            return None
        missed = int((now - first).total_seconds()) // period + 1
        if missed > MANY_MISSED and with_deadline:
            events.record(self.engine, cronjob, "Warning", "TooManyMissedTimes",
                          "too many missed start times. Set or decrease "
                          ".spec.startingDeadlineSeconds or check clock skew", COMPONENT)
        return first + timedelta(seconds=(missed - 1) * period)

    def _earliest(self, cronjob: dict, status: dict, now: datetime,
                  with_deadline: bool) -> datetime:
        earliest = parse_time(status.get("lastScheduleTime") or
                              cronjob["metadata"]["creationTimestamp"])
        deadline = cronjob["spec"].get("startingDeadlineSeconds")
        if with_deadline and deadline is not None:
            earliest = max(earliest, now - timedelta(seconds=int(deadline)))
        return earliest

    def _start(self, cronjob: dict, status: dict, scheduled: datetime, now: datetime) -> bool:
        """Run the Job for `scheduled` unless policy or deadline forbid; True when it started."""
        spec = cronjob["spec"]
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + timedelta(seconds=int(deadline)) < now:
            events.record(self.engine, cronjob, "Warning", "MissSchedule",
                          f"Missed scheduled time to start a job: {_rfc1123z(scheduled)}",
                          COMPONENT)
            return False
        name = job_name(cronjob, scheduled)
        if any(ref.get("name") == name for ref in status.get("active") or []) or \
                status.get("lastScheduleTime") == rfc3339(scheduled):
            return False
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and status.get("active"):
            events.record(self.engine, cronjob, "Normal", "JobAlreadyActive",
                          "Not starting job because prior execution is running and concurrency "
                          "policy is Forbid", COMPONENT)
            return False
        if policy == "Replace":
            for ref in list(status.get("active") or []):
                job = self.api.try_get_ref(JOBS, ref.get("name", ""), ref.get("namespace"))
                if job is not None:
                    self._delete_job(cronjob, status, job)
        return self._create_job(cronjob, status, scheduled)

    def _create_job(self, cronjob: dict, status: dict, scheduled: datetime) -> bool:
        namespace = cronjob["metadata"]["namespace"]
        body = job_from_template(cronjob, scheduled)
        job: dict | None
        try:
            job = self.api.create(JOBS, body, namespace, INTERNAL)
        except errors.AlreadyExists:
            job = self.api.try_get_ref(JOBS, body["metadata"]["name"], namespace)
            if job is None or owner_key(job, "CronJob") != object_key(
                    namespace, cronjob["metadata"]["name"]) or any(
                    ref.get("uid") == job["metadata"]["uid"] for ref in status.get("active") or []):
                return False
        except errors.APIError as exc:
            events.record(self.engine, cronjob, "Warning", "FailedCreate",
                          f"Error creating job: {exc.status['message']}", COMPONENT)
            return False
        else:
            events.record(self.engine, cronjob, "Normal", "SuccessfulCreate",
                          f"Created job {job['metadata']['name']}", COMPONENT)
        status.setdefault("active", []).append(_reference(job))
        return True

    def _requeue_next(self, key: str, cronjob: dict, status: dict, schedule: Schedule,
                      now: datetime) -> None:
        """nextScheduleTimeDuration: one timer, just after the next schedule time."""
        recent = self._most_recent(cronjob, status, schedule, now, with_deadline=False)
        base = recent or self._earliest(cronjob, status, now, with_deadline=False)
        upcoming = schedule.next_after(base)
        if upcoming is None:
            return
        delay = (upcoming - now).total_seconds() + NEXT_SCHEDULE_DELTA
        self.requeue_after(key, delay)

    # history ------------------------------------------------------------------------------
    def _cleanup_finished(self, cronjob: dict, status: dict, jobs: list[dict]) -> None:
        spec = cronjob["spec"]
        for outcome, field in (("Complete", "successfulJobsHistoryLimit"),
                               ("Failed", "failedJobsHistoryLimit")):
            limit = spec.get(field)
            if limit is None:
                continue
            done = [j for j in jobs if finished_condition(j) == outcome]
            excess = len(done) - int(limit)
            for job in sorted(done, key=_by_start)[:max(excess, 0)]:
                self._delete_job(cronjob, status, job)

    def _delete_job(self, cronjob: dict, status: dict, job: dict) -> None:
        meta = job["metadata"]
        try:
            self.api.delete(JOBS, meta["name"], meta["namespace"],
                            propagation_policy="Background")
        except errors.APIError as exc:
            events.record(self.engine, cronjob, "Warning", "FailedDelete",
                          f"Deleted job: {exc.status['message']}", COMPONENT)
            return
        _drop_active(status, meta["uid"])
        events.record(self.engine, cronjob, "Normal", "SuccessfulDelete",
                      f"Deleted job {meta['name']}", COMPONENT)

    def _write_status(self, cronjob: dict, status: dict) -> None:
        if not status.get("active"):
            status.pop("active", None)
        meta = cronjob["metadata"]
        if status != (cronjob.get("status") or {}) and \
                self.api.try_get_ref(RESOURCE, meta["name"], meta["namespace"]) is not None:
            self.api.mutate(RESOURCE, meta["name"], meta["namespace"],
                            lambda o: o.__setitem__("status", status), subresource="status")


def job_from_template(cronjob: dict, scheduled: datetime) -> dict:
    """getJobFromTemplate2: the template's labels and annotations, a deterministic name."""
    template = cronjob["spec"].get("jobTemplate") or {}
    meta = template.get("metadata") or {}
    annotations = dict(meta.get("annotations") or {})
    zone = ZoneInfo(cronjob["spec"].get("timeZone") or "UTC")
    local = scheduled.astimezone(zone)
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + _rfc3339_offset(local)
    annotations[SCHEDULED_ANNOTATION] = stamp
    job_meta = {"name": job_name(cronjob, scheduled),
                "namespace": cronjob["metadata"]["namespace"],
                "annotations": annotations, "ownerReferences": [controller_ref(cronjob)]}
    if meta.get("labels"):
        job_meta["labels"] = dict(meta["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta,
            "spec": clone(template.get("spec") or {})}


def _rfc3339_offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_exists(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _reference(job: dict) -> dict:
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta["namespace"], "name": meta["name"],
            "uid": meta["uid"], "apiVersion": "batch/v1",
            "resourceVersion": meta.get("resourceVersion", "")}


def _drop_active(status: dict, uid: str | None) -> None:
    status["active"] = [r for r in status.get("active") or [] if r.get("uid") != uid]


def _by_start(job: dict) -> tuple:
    start = (job.get("status") or {}).get("startTime")
    return (start is None, start or "", job["metadata"]["name"])
