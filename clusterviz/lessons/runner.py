"""Running a lesson against a cluster: go to a step, run its request, reset.

Two layers. The first is pure functions of a `Simulation` (apply a step,
run a request), which the tests replay on a fresh lecture cluster without a
database. The second wraps them in `runtime.run`, the one write path, and
remembers per cluster how far the lesson has been applied (`LessonRun`):
going forward applies the steps not applied yet, in order, one save per
step, and takes a restore point of the time machine right after each
(`history.points`); going back to step N restores the cluster to N's point
(`history.restore`: objects and runtime, resourceVersion bumped, the restore
itself on the timeline so it can be undone), so every step's Observe holds
again when revisited, and going forward from there applies the later steps
anew. A step whose point the history no longer holds (trimmed, or applied
before points were kept) is only shown, the cluster left as it is, and the
answer says so (`restored: null`).

Reset recreates the cluster from its preset (same slug, seed and speed):
the row is deleted and created again, the old engine forgotten, and the
cluster's viewers are told to resync, so the graph empties itself.

`kubectl get` requests are rendered here from simcore's tables, the way
kubectl prints them (upper-case headers, columns three spaces apart,
priority-1 columns with `-o wide`): enough for the lesson's own lines,
and nothing that writes.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from clusterviz.clusters import engines, publish, runtime
from clusterviz.clusters.models import Cluster
from clusterviz.history import marks, points, restore
from clusterviz.lessons import checks
from clusterviz.lessons.loader import PLACEHOLDER, Lesson, Request, Source, Step
from clusterviz.lessons.models import LessonRun
from clusterviz.operations import actions, path
from clusterviz.operations.fire import answered_by
from clusterviz.web import Refused
from simcore import errors
from simcore.presets import options as preset_options
from simcore.simulation import Simulation

DEFAULT_CLIENT = "192.168.100.50"


class StepFailed(ValueError):
    """A request that cannot run yet (no Running pod, no such Service); the text says why."""


@dataclass(frozen=True)
class Output:
    stdout: str
    stderr: str
    exit_code: int
    trace: tuple[str, ...] = ()
    hangs: bool = False
    # the raw trace steps and the graph element the command ran at, for the path on the graph
    steps: tuple[path.Step, ...] = field(default=(), compare=False)
    origin: str = field(default="", compare=False)

    def as_dict(self) -> dict:
        return {"stdout": self.stdout, "stderr": self.stderr, "exit_code": self.exit_code,
                "trace": list(self.trace), "hangs": self.hangs}


# ---- pure: a step on a Simulation -------------------------------------------------------

def apply_step(sim: Simulation, step: Step) -> list[dict]:
    """Apply a step's manifests and deletions; kubectl's line for each, as the page shows."""
    lines = []
    for manifest in step.apply:
        results = sim.apply(manifest.text, create=manifest.create)
        lines += [actions.result_line(r, manifest.create, source=manifest.file)
                  for r in results]
    for deletion in step.delete:
        # all: `kubectl delete pods -l ...`, whatever their phase; oldest/newest: the one
        # Running pod the lecture points at (none yet is the StepFailed "wait a moment")
        pods = _pods(sim, deletion.selector, deletion.pick)[:1] if deletion.pick != "all" else \
            [p for p in sim.list("pods", "default", label_selector=deletion.selector)
             if not p["metadata"].get("deletionTimestamp")]
        for pod in pods:
            sim.delete("pods", pod["metadata"]["name"])
            lines.append({"ok": True, "text": f'pod "{pod["metadata"]["name"]}" deleted',
                          "warnings": []})
    return lines


def run_request(sim: Simulation, request: Request, client: str = DEFAULT_CLIENT) -> Output:
    """Run one of a step's requests from its source, placeholders filled from the cluster."""
    command = fill(sim, request.run)
    source = request.source
    if source.kind == "kubectl":
        return kubectl_get(sim, command)
    if source.kind == "node" and KUBELET_UNIT.fullmatch(command.strip()):
        return _systemctl_kubelet(sim, source.selector, command)
    if request.fire:
        return _fire(sim, request, command, client)
    return _run_once(sim, source, command, client)


def _run_once(sim: Simulation, source: Source, command: str, client: str) -> Output:
    if source.kind == "pod":
        pod = _pods(sim, source.selector, source.pick)[0]["metadata"]["name"]
        result, origin = sim.exec(pod, command), path.source_id("pod", pod)
    elif source.kind == "node":
        result = sim.exec_on_node(source.selector, command)
        origin = path.source_id("node", source.selector)
    else:
        result, origin = sim.exec_external(client, command), path.source_id("client", client)
    shown = actions.terminal(result)
    return Output(shown["stdout"], shown["stderr"], shown["exit_code"], tuple(shown["trace"]),
                  bool(shown["hangs"]), tuple(result.trace), origin)


def _fire(sim: Simulation, request: Request, command: str, client: str) -> Output:
    """The request `request.fire` times, then one line per pod that answered: its node and
    how many answers, as the dashboard's Fire N counts them (by the trace)."""
    hits: Counter[str] = Counter()
    last = None
    for _run in range(request.fire):
        last = _run_once(sim, request.source, command, client)
        hits[answered_by(last.steps)] += 1
    assert last is not None  # fire >= 1 (the loader's check)
    nodes = {p["metadata"]["name"]: p["spec"].get("nodeName") or ""
             for p in sim.list("pods", "default")}
    rows = [[pod or _("(no pod answered)"), nodes.get(pod, ""), str(count)]
            for pod, count in sorted(hits.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    table = "".join("   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                    .rstrip() + "\n" for row in rows)
    head = _("%(count)d × %(command)s, answered by:") % {"count": request.fire,
                                                          "command": command}
    return Output(f"{head}\n{table}", last.stderr, last.exit_code, last.trace, last.hangs,
                  last.steps, last.origin)


# `sudo systemctl stop kubelet` on a node: the simulated nodes run no systemd, so the runner
# does what the unit's stop or start does to the cluster (Simulation.stop_node/start_node);
# systemctl prints nothing when it succeeds.
KUBELET_UNIT = re.compile(r"(?:sudo\s+)?systemctl\s+(stop|start|restart)\s+kubelet(?:\.service)?")


def _systemctl_kubelet(sim: Simulation, node: str, command: str) -> Output:
    try:
        sim.get("nodes", node, None)
    except errors.APIError as exc:  # the API server's 404, as for any missing object
        raise StepFailed(exc.status.get("message") or str(exc)) from None
    match = KUBELET_UNIT.fullmatch(command.strip())
    assert match is not None
    if match.group(1) == "stop":
        sim.stop_node(node)
        line = _("systemd on %(node)s stopped kubelet.service: the node posts no more status")
    else:
        sim.start_node(node)
        line = _("systemd on %(node)s started kubelet.service: the node posts Ready")
    return Output("", "", 0, (line % {"node": node},), origin=path.source_id("node", node))


def fill(sim: Simulation, command: str) -> str:
    return PLACEHOLDER.sub(lambda m: _value(sim, m.group(1), m.group(2)), command)


def _value(sim: Simulation, kind: str, arg: str) -> str:
    try:
        if kind == "clusterip":
            cluster_ip: str = sim.get("services", arg)["spec"]["clusterIP"]
            return cluster_ip
        if kind == "nodeport":
            namespace, name = arg.split("/", 1)
            return str(sim.get("services", name, namespace)["spec"]["ports"][0]["nodePort"])
        if kind == "nodeip":
            node = sim.get("nodes", arg, None)
            address: str = next(a["address"] for a in node["status"]["addresses"]
                                if a["type"] == "InternalIP")
            return address
    except errors.APIError as exc:
        raise StepFailed(exc.status.get("message") or str(exc)) from None
    selector, _, index = arg.rpartition(":")
    pods = _pods(sim, selector, "oldest")
    pod_ip: str = pods[min(int(index), len(pods) - 1)]["status"]["podIP"]
    return pod_ip


def _pods(sim: Simulation, selector: str, pick: str) -> list[dict]:
    """Running pods matching `selector`, oldest first (or newest first), or all of them."""
    pods = [p for p in sim.list("pods", "default", label_selector=selector)
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]
    if not pods:
        raise StepFailed(f"no Running pod matches {selector} yet: wait a moment and retry")
    pods.sort(key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
    if pick == "newest":
        pods.reverse()
    return pods


def kubectl_get(sim: Simulation, command: str) -> Output:
    """`kubectl get <resource> [-o wide] [-n ns | -A]` as kubectl prints it."""
    words = shlex.split(command)[2:]
    wide = "wide" in words and ("-o" in words or "-owide" in words)
    namespace: str | None = "default"
    if "-A" in words or "--all-namespaces" in words:
        namespace = None
    for flag in ("-n", "--namespace"):
        if flag in words and words.index(flag) + 1 < len(words):
            namespace = words[words.index(flag) + 1]
    kind = words[0]
    try:
        table = sim.table(kind, namespace)
    except (errors.APIError, LookupError) as exc:
        message = exc.status.get("message") if isinstance(exc, errors.APIError) else str(exc)
        return Output("", f"error: {message}\n", 1)
    if not table["rows"]:
        where = f"{namespace} namespace" if namespace else "any namespace"
        return Output("", f"No resources found in {where}.\n", 0)
    return Output(render_table(table, wide, namespace is None), "", 0)


def render_table(table: dict, wide: bool, with_namespace: bool) -> str:
    columns = [i for i, c in enumerate(table["columnDefinitions"])
               if c.get("priority", 0) == 0 or wide]
    header = [table["columnDefinitions"][i]["name"].upper() for i in columns]
    rows = [[str(row["cells"][i]) for i in columns] for row in table["rows"]]
    if with_namespace:
        header = ["NAMESPACE", *header]
        rows = [[(r.get("object") or {}).get("metadata", {}).get("namespace", ""), *cells]
                for r, cells in zip(table["rows"], rows, strict=True)]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = ["   ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in [header, *rows]]
    return "\n".join(lines) + "\n"


# ---- through the runtime: a lesson on a stored cluster -----------------------------------

def progress(slug: str, lesson: Lesson) -> LessonRun:
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise runtime.ClusterNotFound(slug)
    run: LessonRun = LessonRun.objects.get_or_create(cluster=cluster, lesson=lesson.slug)[0]
    return run


def go_to(slug: str, lesson: Lesson, number: int) -> dict:
    """Show step `number`: apply every step up to it not applied yet, or, going back,
    restore the cluster to the moment just after `number` was applied."""
    step = lesson.step(number)
    record = progress(slug, lesson)
    restored = _back_to(slug, record, number) if number < record.applied_through else None
    applied = []
    for later in lesson.steps[record.applied_through:number]:
        with marks.by_person(f"lesson step {later.number}: {later.title}"):
            lines = runtime.run(slug, partial(apply_step, step=later))
        applied.append({"step": later.number, "title": later.title, "results": lines})
        record.applied_through = later.number
        record.moments[str(later.number)] = list(points.restore_point(slug))
        record.save(update_fields=["applied_through", "moments"])
    record.step = step.number
    record.save(update_fields=["step", "updated"])
    return {"step": step.number, "applied_through": record.applied_through, "applied": applied,
            "restored": restored}


SETTLE_SECONDS = 60  # virtual seconds between replayed steps: pods run, as in the room


def settle_and_apply(sim: Simulation, step: Step) -> list[dict]:
    """`SETTLE_SECONDS` of the clock (after step 1), then the step: a later step execs into,
    or deletes, a pod an earlier one made, as in the room."""
    if step.number > 1:
        sim.advance(SETTLE_SECONDS)
    return apply_step(sim, step)


def replay_to(slug: str, lesson: Lesson, number: int) -> dict:
    """Bring cluster `slug` (fresh from a reset) to step `number`, one save per step (each
    within the runtime's bounded work, as a presenter's steps are), and keep a restore point
    there as `go_to` does."""
    lesson.step(number)
    applied = []
    for step in lesson.steps[:number]:
        with marks.by_person(f"lesson step {step.number}: {step.title}"):
            lines = runtime.run(slug, partial(settle_and_apply, step=step))
        applied.append({"step": step.number, "results": lines})
    record = progress(slug, lesson)
    record.applied_through = record.step = number
    record.moments = {str(number): list(points.restore_point(slug))}
    record.save(update_fields=["applied_through", "step", "moments", "updated"])
    return {"step": number, "applied_through": number, "applied": applied}


def _back_to(slug: str, record: LessonRun, number: int) -> dict | None:
    """Restore the cluster to step `number`'s point; None (nothing done) without one."""
    point = record.moments.get(str(number))
    if not isinstance(point, list) or len(point) != 2:
        return None
    try:
        outcome = restore.restore(slug, float(point[0]), who=f"lesson step {number}",
                                  rv=int(point[1]))
    except Refused:  # the history no longer reaches back that far
        return None
    record.applied_through = number
    record.moments = {k: v for k, v in record.moments.items() if int(k) <= number}
    record.save(update_fields=["applied_through", "moments"])
    return outcome


def run_step_request(slug: str, lesson: Lesson, number: int, index: int,
                     client: str = DEFAULT_CLIENT) -> dict:
    """Run request `index` of step `number` (wrapping around) and return its output."""
    step = lesson.step(number)
    if not step.requests:
        raise StepFailed(f"step {number} has no request to run")
    request = step.requests[index % len(step.requests)]
    try:
        output = runtime.run(slug, lambda sim: _with_command(sim, request, client),
                             force_save=True)
    except StepFailed as exc:
        return {"index": index % len(step.requests), "command": request.run,
                "source": request.source.describe(client),
                **Output("", f"{exc}\n", 1).as_dict()}
    command, result = output
    return {"index": index % len(step.requests), "command": command,
            "source": request.source.describe(client), **result.as_dict(),
            "path": path.for_viewer(slug, result.steps, result.origin) if result.origin else None}


def check_step(slug: str, lesson: Lesson, number: int) -> checks.CheckResult:
    """Whether the cluster shows what step `number` observes (its check; true without one)."""
    step = lesson.step(number)
    return runtime.run(slug, lambda sim: checks.evaluate(sim, step.check))


def _with_command(sim: Simulation, request: Request, client: str) -> tuple[str, Output]:
    return fill(sim, request.run), run_request(sim, request, client)


def reset(slug: str) -> dict:
    """Recreate the cluster from its preset; the lesson starts again from nothing."""
    with engines.lock_for(slug):
        old = Cluster.objects.filter(slug=slug).first()
        if old is None:
            raise runtime.ClusterNotFound(slug)
        keep = {"name": old.name, "preset": old.preset, "seed": old.seed, "speed": old.speed,
                "options": preset_options.of_config((old.state or {}).get("config") or {}),
                "owner_id": old.owner_id, "classroom_id": old.classroom_id,
                "quota": ((old.state or {}).get("config") or {}).get("quota")}
        with transaction.atomic():
            old.delete()
            cluster = runtime.create_cluster(slug, **keep)
        engines.forget(old.pk)
    publish.publish(slug, 0, cluster.resource_version, None)  # viewers resync
    return {"step": 0, "applied_through": 0}
