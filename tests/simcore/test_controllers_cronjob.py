"""The CronJob controller on the virtual clock (the lecture cluster starts 2021-05-01 09:00Z)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from simcore import Simulation
from simcore.controllers.cronjob import parse_schedule

COURSE = Path(__file__).resolve().parents[3] / "shared" / "course"
HANDS_ON = COURSE / "2022-07" / "03-RS-DS-JOB-CJ" / "hands-on"
START = datetime(2021, 5, 1, 9, 0, 0, tzinfo=UTC)  # a Saturday

SLEEPER = """apiVersion: batch/v1
kind: CronJob
metadata:
  name: sleeper
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: {policy}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: sleep
            image: busybox:latest
            command: ["sh", "-c", "sleep 150"]
"""


@pytest.fixture
def sim():
    return Simulation.from_preset("lecture", seed=0)


def cells(sim, kind, namespace="default"):
    table = sim.table(kind, namespace)
    names = [c["name"] for c in table["columnDefinitions"]]
    return [dict(zip(names, row["cells"], strict=True)) for row in table["rows"]]


def cj_events(sim, name):
    found = [e for e in sim.list("events") if e["involvedObject"]["kind"] == "CronJob" and
             e["involvedObject"]["name"] == name]
    return [(e["reason"], e["message"]) for e in sorted(found, key=lambda e: e["metadata"]["name"])]


def minutes(hour, minute, day=1):
    return int(datetime(2021, 5, day, hour, minute, tzinfo=UTC).timestamp()) // 60


@pytest.mark.parametrize(("schedule", "zone", "after", "expected"), [
    pytest.param("*/1 * * * *", None, START, datetime(2021, 5, 1, 9, 1, tzinfo=UTC),
                 id="every-minute"),
    pytest.param("0,15,30,45 * * * *", None, datetime(2021, 5, 1, 9, 20, tzinfo=UTC),
                 datetime(2021, 5, 1, 9, 30, tzinfo=UTC), id="list"),
    pytest.param("10-20/5 * * * *", None, datetime(2021, 5, 1, 9, 16, tzinfo=UTC),
                 datetime(2021, 5, 1, 9, 20, tzinfo=UTC), id="range-with-step"),
    pytest.param("5/20 * * * *", None, datetime(2021, 5, 1, 9, 26, tzinfo=UTC),
                 datetime(2021, 5, 1, 9, 45, tzinfo=UTC), id="start-with-step"),
    pytest.param("@hourly", None, START, datetime(2021, 5, 1, 10, 0, tzinfo=UTC), id="hourly"),
    pytest.param("@daily", None, START, datetime(2021, 5, 2, 0, 0, tzinfo=UTC), id="daily"),
    pytest.param("@weekly", None, START, datetime(2021, 5, 2, 0, 0, tzinfo=UTC), id="weekly"),
    pytest.param("@monthly", None, START, datetime(2021, 6, 1, 0, 0, tzinfo=UTC),
                 id="monthly"),
    pytest.param("@yearly", None, START, datetime(2022, 1, 1, 0, 0, tzinfo=UTC), id="yearly"),
    pytest.param("0 9 * * MON-FRI", None, START, datetime(2021, 5, 3, 9, 0, tzinfo=UTC),
                 id="weekday-names"),
    pytest.param("0 0 1 JAN,JUL ?", None, START, datetime(2021, 7, 1, 0, 0, tzinfo=UTC),
                 id="month-names"),
    pytest.param("0 12 13 * 5", None, START, datetime(2021, 5, 7, 12, 0, tzinfo=UTC),
                 id="day-of-month-or-weekday"),
    pytest.param("@every 90s", None, START, datetime(2021, 5, 1, 9, 1, 30, tzinfo=UTC),
                 id="every-duration"),
    pytest.param("0 9 * * *", "Asia/Seoul", START, datetime(2021, 5, 2, 0, 0, tzinfo=UTC),
                 id="time-zone"),
])
def test_it_computes_the_next_schedule_time(schedule, zone, after, expected):
    assert parse_schedule(schedule, zone).next_after(after) == expected


def test_it_creates_a_job_each_minute_and_keeps_three(sim):
    [result] = sim.apply((HANDS_ON / "cj-history-3.yaml").read_text(), create=True)
    assert result.error is None
    sim.advance(5 * 60 + 30)
    jobs = {j["metadata"]["name"]: j for j in sim.list("jobs")}
    assert sorted(jobs) == [f"cj-history-3-{minutes(9, m)}" for m in (3, 4, 5)]
    job = jobs[f"cj-history-3-{minutes(9, 5)}"]
    assert job["metadata"]["annotations"] == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2021-05-01T09:05:00Z"}
    assert job["metadata"]["labels"]["app"] == "history-3"
    owner = job["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("CronJob", "cj-history-3",
                                                                   True)
    assert [r["Completions"] for r in cells(sim, "jobs")] == ["1/1"] * 3
    status = sim.get("cj", "cj-history-3")["status"]
    assert status["lastScheduleTime"] == "2021-05-01T09:05:00Z"
    assert status["lastSuccessfulTime"].startswith("2021-05-01T09:05:")
    assert "active" not in status
    first = f"cj-history-3-{minutes(9, 1)}"
    assert cj_events(sim, "cj-history-3")[:3] == [
        ("SuccessfulCreate", f"Created job {first}"),
        ("SawCompletedJob", f"Saw completed job: {first}, status: Complete"),
        ("SuccessfulCreate", f"Created job cj-history-3-{minutes(9, 2)}")]
    deleted = [m for r, m in cj_events(sim, "cj-history-3") if r == "SuccessfulDelete"]
    assert deleted == [f"Deleted job {first}", f"Deleted job cj-history-3-{minutes(9, 2)}"]


def test_a_history_limit_of_zero_deletes_each_job_when_it_finishes(sim):
    sim.apply((HANDS_ON / "cj-history-0.yaml").read_text(), create=True)
    sim.advance(3 * 60 + 30)
    assert sim.list("jobs") == []
    assert sim.list("pods") == []
    [row] = cells(sim, "cj")
    assert (row["Schedule"], row["Suspend"], row["Active"]) == ("*/1 * * * *", "False", 0)


def test_it_sets_exactly_one_timer_for_the_next_schedule(sim):
    sim.apply((HANDS_ON / "cj-pi.yaml").read_text(), create=True)
    timers = [t for t in sim.engine.clock.timers() if t[1] == "cronjob"]
    assert timers == [(15 * 60 + 0.1, "cronjob", "default/cj-every-fifteen-minutes")]
    used = sim.run_until_idle(1000)
    assert 900 < used < 1000
    assert len(sim.list("jobs")) == 1
    timers = [t for t in sim.engine.clock.timers() if t[1] == "cronjob"]
    assert timers == [(30 * 60 + 0.1, "cronjob", "default/cj-every-fifteen-minutes")]


def test_active_jobs_are_listed_while_they_run(sim):
    sim.apply(SLEEPER.format(policy="Allow"), create=True)
    sim.advance(61)
    [ref] = sim.get("cj", "sleeper")["status"]["active"]
    assert (ref["kind"], ref["name"], ref["apiVersion"]) == ("Job", f"sleeper-{minutes(9, 1)}",
                                                             "batch/v1")
    sim.advance(60)
    assert [r["Active"] for r in cells(sim, "cj")] == [2]


def test_forbid_skips_a_run_while_the_previous_one_is_active(sim):
    sim.apply(SLEEPER.format(policy="Forbid"), create=True)
    sim.advance(3 * 60 + 5)
    assert sorted(j["metadata"]["name"] for j in sim.list("jobs")) == [
        f"sleeper-{minutes(9, 1)}"]
    assert ("JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is "
            "Forbid") in cj_events(sim, "sleeper")


def test_replace_deletes_the_running_job_first(sim):
    sim.apply(SLEEPER.format(policy="Replace"), create=True)
    sim.advance(2 * 60 + 5)
    assert [j["metadata"]["name"] for j in sim.list("jobs")] == [f"sleeper-{minutes(9, 2)}"]
    assert cj_events(sim, "sleeper")[1:] == [
        ("SuccessfulDelete", f"Deleted job sleeper-{minutes(9, 1)}"),
        ("SuccessfulCreate", f"Created job sleeper-{minutes(9, 2)}")]


@pytest.mark.parametrize(("deadline", "jobs_at_resume"), [
    pytest.param("", [f"cj-every-hour-{minutes(11, 0)}"], id="runs-the-last-missed-time"),
    pytest.param("  startingDeadlineSeconds: 60\n", [], id="missed-times-past-the-deadline"),
])
def test_resuming_runs_at_most_the_last_missed_time(sim, deadline, jobs_at_resume):
    cronjob = (HANDS_ON / "cj-pi.yaml").read_text().replace(
        "cj-every-fifteen-minutes", "cj-every-hour").replace(
        '"0,15,30,45 * * * *"', '"0 * * * *"\n' + deadline + "  suspend: true")
    sim.apply(cronjob)
    assert [t for t in sim.engine.clock.timers() if t[1] == "cronjob"] == []
    sim.advance(2 * 3600 + 30 * 60)
    assert sim.list("jobs") == []
    sim.apply(cronjob.replace("suspend: true", "suspend: false"))
    assert [j["metadata"]["name"] for j in sim.list("jobs")] == jobs_at_resume


def test_a_time_zone_shifts_the_schedule_and_the_annotation(sim):
    cronjob = (HANDS_ON / "cj-pi.yaml").read_text().replace(
        '"0,15,30,45 * * * *"', '"0 9 * * *"\n  timeZone: Asia/Seoul')
    sim.apply(cronjob, create=True)
    sim.advance(15 * 3600 + 1)
    [job] = sim.list("jobs")
    assert job["metadata"]["name"] == f"cj-every-fifteen-minutes-{minutes(0, 0, day=2)}"
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
        "2021-05-02T09:00:00+09:00"
