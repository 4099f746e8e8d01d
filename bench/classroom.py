"""`make bench`: a class on the scaled-out stack, measured (issue 15).

The stack is the real scaled-out one on 127.0.0.1, started by `bench.stack` as
the service tests start it: PostgreSQL and Redis from Debian, two daphne
processes with their tickers off, one `manage.py runsim` running the clocks.
A teacher makes a class; `STUDENTS` students join it with its code (half on
each daphne: a balancer that keeps a browser on one server), open their
dashboards (the graph socket stays open), do the lecture's steps 3 and 4
through the Kubernetes API, and wait for svc-node's endpoints
(bench.classstudent). The teacher's roster socket is open throughout.

Then, first on an idle server, one student does each kind of action a few
times alone (the floor); then every student acts for `SECONDS`: one action a
second on average (Poisson arrivals: a kubectl get or describe through the
API, a curl through the request panel or a web-terminal command, a third
each), and one Fire 100 a minute, at a random moment of each minute. A student
does one thing at a time, as a person does: behind schedule they go on at
once, and what was not started when the time is up is counted as not done.

Printed: actions done of those scheduled, errors (with the first few), each
kind's p50 and p99 under load beside its p50 on the idle server (the ratio is
the figure), the roster's delay (a command's answer to the teacher's card
showing it), memory and CPU per process, the database conflicts the processes
logged, and whether every applied object is still there (lost writes). The
goals are printed beside the numbers, never asserted; the smoke test
(tests/clusterviz/test_classroom_bench.py) asserts correctness only.

    python -m bench.classroom [STUDENTS [SECONDS]]   # or CLASSROOM_STUDENTS, _SECONDS
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import stack
from bench.classclient import Feed, Web
from bench.classmeasure import Line, Log, Roster, Usage, children, conflicts
from bench.classstudent import KINDS, Student

STUDENTS = 60
SECONDS = 300.0
IDLE_ROUNDS = 8  # each kind, alone, after one warm-up
SETUP_WORKERS = 4  # joins hash a password each: a few at a time
ACTIONS = ("api", "curl", "terminal")  # one each third; api is get or describe
MAKE_CLASS = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from clusterviz.classroom.models import Classroom
teacher = get_user_model().objects.create_user("teacher", is_staff=True)
room = Classroom.objects.create(name="bench", teacher=teacher, code="BENCH5")
session = SessionStore()
session[SESSION_KEY] = str(teacher.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
session.create()
print(json.dumps({"class": room.pk, "code": room.code, "session": session.session_key}))
"""


@dataclass
class Stack:
    env: dict
    database: str
    web: list[stack.Process]
    runsim: stack.Process
    postgres: stack.PostgreSQL
    redis: stack.Redis

    def usage(self) -> Usage:
        pg = self.postgres.server_pid()
        groups = {f"daphne-{n}": (lambda p=p: [p.proc.pid]) for n, p in enumerate(self.web)}
        groups["runsim"] = lambda: [self.runsim.proc.pid]
        groups["postgres"] = lambda: [pg, *children(pg)] if pg else []
        groups["redis"] = lambda: [self.redis.pid]
        groups["bench (the clients)"] = lambda: [os.getpid()]
        return Usage(groups)


@contextmanager
def scaled_out(workdir: Path) -> Iterator[Stack]:
    """PostgreSQL, Redis, two daphnes (tickers off) and runsim, stopped at the end."""
    with stack.postgres() as pg, stack.redis(workdir) as redis:
        database = pg.create_database("classroom")
        env = stack.app_env(database, REDIS_URL=redis.url, CLUSTERVIZ_TICKER="0",
                            CLUSTERVIZ_LOG="INFO")  # the conflicts' lines (clusters.runtime)
        stack.manage(env, "migrate", "--noinput", "-v0")
        processes = stack.Processes(workdir)
        try:
            web = [processes.daphne(env), processes.daphne(env)]
            yield Stack(env, database, web, processes.runsim(env), pg, redis)
        finally:
            processes.stop_all()


@dataclass
class Result:
    students: int
    seconds: float
    log: Log
    roster: Roster
    usage: Usage
    cpu: dict[str, float]
    missing: list[str]
    conflicts: tuple[int, int]
    graph_messages: int
    setup_seconds: float
    arrived: int  # students who joined, did the lesson and saw svc-node ready
    load_average: tuple[float, float]  # the machine's, before and after (others share it)

    @property
    def errors(self) -> list[str]:
        return self.log.errors


def arrive(students: list[Student], code: str, log: Log) -> None:
    """Every student joins, opens the dashboard and does the lesson, a few at a time."""
    def one(student: Student) -> None:
        student.join(code)
        student.open_dashboard()
        student.do_lesson()
    with ThreadPoolExecutor(SETUP_WORKERS) as pool:
        for student, future in [(s, pool.submit(one, s)) for s in students]:
            try:
                future.result()
            except Exception as exc:
                log.error(f"{student.name} arriving: {type(exc).__name__}: {exc}")


def act(student: Student, kind: str, phase: str, log: Log, rng: random.Random) -> None:
    sent, started = time.time(), time.perf_counter()
    try:
        done = KINDS[kind](student, rng)
    except Exception as exc:
        log.error(f"{phase} {kind} by {student.name}: {type(exc).__name__}: {exc}")
        return
    seconds = time.perf_counter() - started
    line = None if done.history is None else \
        Line(student.slug, done.history, sent, sent + seconds, phase)
    log.done(phase, kind, seconds, line)


def idle_floor(student: Student, log: Log) -> None:
    """Each kind, by one student on an otherwise idle server; the first run warms up."""
    rng = random.Random(0)
    for kind in KINDS:
        act(student, kind, "warm-up", log, rng)
        for _ in range(IDLE_ROUNDS):
            act(student, kind, "idle", log, rng)
            time.sleep(0.2)  # the roster's card, and the clock, settle between two


def schedule(rng: random.Random, seconds: float) -> list[tuple[float, str]]:
    """When a student acts: Poisson arrivals at one a second, plus a Fire 100 a minute."""
    plan, at = [], rng.expovariate(1.0)
    while at < seconds:
        kind = rng.choice(ACTIONS)
        plan.append((at, kind if kind != "api" else rng.choice(("get", "describe"))))
        at += rng.expovariate(1.0)
    for minute in range(int(seconds // 60) + 1):
        at = minute * 60 + rng.uniform(0, 60)
        if at < seconds:
            plan.append((at, "fire"))
    return sorted(plan)


def drive(student: Student, start: float, seconds: float, log: Log, seed: int) -> None:
    rng = random.Random(seed)
    plan = schedule(rng, seconds)
    with log.lock:
        log.scheduled += len(plan)
    for at, kind in plan:
        wait = start + at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if time.monotonic() >= start + seconds:
            return  # time is up: the rest is not done
        act(student, kind, "load", log, rng)


def load(students: list[Student], seconds: float, log: Log) -> None:
    start = time.monotonic() + 1.0
    threads = [threading.Thread(target=drive, args=(s, start, seconds, log, n), daemon=True)
               for n, s in enumerate(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def missing_objects(students: list[Student], found: Stack) -> list[str]:
    """Applied objects gone from the API or from the database, per student."""
    gone = []
    for s in students:
        try:
            gone += s.missing() if s.api is not None else []
        except Exception as exc:  # not answered: not known to be there
            gone.append(f"{s.slug}: not checked through the API ({type(exc).__name__}: {exc})")
    rows = stack.query(found.database, "SELECT c.slug, o.resource, o.name FROM "
                       "clusters_storedobject o JOIN clusters_cluster c ON c.id = o.cluster_id "
                       "WHERE (o.resource, o.name) IN (('replicasets.apps', 'rs-node-web'), "
                       "('services', 'svc-node')) AND o.namespace = 'default'")
    stored = {(slug, resource, name) for slug, resource, name in rows}
    for s in students:
        for resource, name in (("replicasets.apps", "rs-node-web"), ("services", "svc-node")):
            if (s.slug, resource, name) not in stored:
                gone.append(f"{s.slug or s.name}: {resource}/{name} not in the database")
    return gone


def run(students: int = STUDENTS, seconds: float = SECONDS,
        workdir: Path | None = None) -> Result:
    """The whole bench; the processes' logs go to `workdir` (a temporary folder if None)."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="clusterviz-bench-class-") as folder:
            return run(students, seconds, Path(folder))
    with scaled_out(workdir) as found:
        room = json.loads(stack.manage(found.env, "shell", "-c", MAKE_CLASS).splitlines()[-1])
        return _class(found, room, students, seconds)


def _class(found: Stack, room: dict, count: int, seconds: float) -> Result:
    log, roster, began, load_before = Log(), Roster(), time.monotonic(), os.getloadavg()[0]
    teacher = Web(found.web[0].url)
    teacher.cookies["sessionid"] = room["session"]
    feed = Feed(teacher.socket(f"/ws/classes/{room['class']}/roster"), roster)
    feed.start()
    students = [Student(f"s{n:02d}", found.web[n % 2].url) for n in range(count)]
    usage = found.usage()
    usage.start()
    try:
        arrive(students, room["code"], log)
        ready = [s for s in students if s.terminal is not None]
        setup = time.monotonic() - began
        if ready:
            idle_floor(ready[0], log)
        cpu_before = usage.cpu()
        load(ready, seconds, log)
        cpu = {k: v - cpu_before.get(k, 0.0) for k, v in usage.cpu().items()}
        time.sleep(2)  # the last cards reach the roster
        missing = missing_objects(students, found)
    finally:
        usage.stop()
        for student in students:
            student.leave()
        feed.close()
    for student in students:
        if student.feed is not None and student.feed.failure:
            log.error(f"{student.name}'s graph socket: {student.feed.failure}")
        if student.graph.holes:
            log.error(f"{student.name}'s graph socket skipped seq: {student.graph.holes[:3]}")
    if feed.failure:
        log.error(f"the roster socket: {feed.failure}")
    logs = [p.output() for p in (*found.web, found.runsim)]
    return Result(count, seconds, log, roster, usage, cpu, missing, conflicts(logs),
                  sum(s.graph.messages for s in students), setup, len(ready),
                  (load_before, os.getloadavg()[0]))


def _arguments(argv: list[str]) -> tuple[int, float]:
    students = int(argv[0]) if argv else int(os.environ.get("CLASSROOM_STUDENTS", STUDENTS))
    seconds = float(argv[1]) if len(argv) > 1 else \
        float(os.environ.get("CLASSROOM_SECONDS", SECONDS))
    return students, seconds


def main(argv: list[str]) -> None:
    from bench.classreport import report  # it reads Result: imported once this module is
    students, seconds = _arguments(argv)
    try:
        result = run(students, seconds)
    except stack.Unavailable as missing:
        print(f"classroom: not run: {missing}")
        return
    print(report(result))


if __name__ == "__main__":
    main(sys.argv[1:])
