"""One student's card on the roster: who, online, how far, what runs, what they last did.

A card is a small dict the roster page draws (`static/classroom/roster.js`):

- `name`, `slug`; `online` (a dashboard socket of theirs is open, or a command
  of theirs came in the last `ACTIVE_SECONDS`); `followed` (the teacher follows);
- `step`: how far the lesson went, judged by the lesson's own checks on the
  saved objects: the highest step that has a check and whose check holds
  (the lesson is the one the cluster last ran, else the first lesson). A
  step without a check says nothing about the cluster, nor does one whose
  check holds on a fresh cluster of the preset: both are skipped;
- `pods`: the student's pods (not the preset's add-ons), counted by what a teacher looks for: Running, Pending (creating
  included), Error (CrashLoopBackOff and the other failures) and
  ImagePullBackOff (ErrImagePull too), kubectl's STATUS words
  (`operations.graph.pod_state`);
- `last`: the newest command and its code; `help`: why the card needs help
  (a pod failing for more than `FAILING_SECONDS` of the cluster's virtual
  time, the last three commands failed), the cards that need help first;
- `thumb`: the nodes and the state of each pod on them, for a small drawing.

What depends only on the objects is computed once per cluster version
(`_static`); the rest (clock, commands, viewers) is two small queries.
"""

from __future__ import annotations

import functools
import threading
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clusterviz.clusters.models import Cluster
from clusterviz.lessons import checks, loader
from clusterviz.lessons.models import LessonRun
from clusterviz.operations.graph import HIDDEN_NAMESPACES, pod_state
from clusterviz.operations.snapshot import clock_of
from clusterviz.room.models import VIEWER_MAX_AGE, Command, Viewer
from clusterviz.room.rows import RowView, view_of
from simcore import Simulation
from simcore.clock import parse_time

# the preset's own add-ons (CoreDNS, kube-proxy, flannel, ingress-nginx): not the student's
SYSTEM_NAMESPACES = HIDDEN_NAMESPACES | {"ingress-nginx"}
FAILING_SECONDS = 60
ACTIVE_SECONDS = 120
FAILED_IN_A_ROW = 3
IMAGE_PULL = ("ImagePullBackOff", "ErrImagePull")
_CACHE_SIZE = 256
_static_cache: dict[tuple, dict] = {}
_guard = threading.Lock()


def card(cluster: Cluster, now: datetime | None = None) -> dict:
    """The roster card of a student's cluster (owner and classroom loaded with it)."""
    now = now or timezone.now()
    static = _static(cluster)
    clock = clock_of(cluster, now)
    commands = list(Command.objects.filter(cluster=cluster).order_by("-id")[:FAILED_IN_A_ROW])
    viewers = list(Viewer.objects.filter(slug=cluster.slug, opened__gt=now - VIEWER_MAX_AGE)
                   .values_list("following", "user_id"))
    help_ = _help(static["failing"], clock.get("now"), commands)
    owner = cluster.owner
    return {
        "slug": cluster.slug,
        "name": (owner.first_name or owner.get_username()) if owner else cluster.slug,
        "online": any(not following and user == cluster.owner_id
                      for following, user in viewers) or bool(
            commands and commands[0].at > now - timedelta(seconds=ACTIVE_SECONDS)),
        "followed": any(following for following, _user in viewers),
        "step": _titled(static["step"]), "pods": static["pods"], "thumb": static["thumb"],
        "last": commands[0].as_dict() if commands else None,
        "help": help_,
    }


def _help(failing: list[tuple[str, str]], clock_now: str | None,
          commands: list[Command]) -> list[str]:
    reasons = []
    if clock_now:
        now = parse_time(clock_now)
        long = [name for name, since in failing
                if (now - parse_time(since)).total_seconds() > FAILING_SECONDS]
        if long:
            reasons.append(_("%(pod)s failing for more than a minute") % {"pod": long[0]})
    if len(commands) >= FAILED_IN_A_ROW and not any(c.ok for c in commands):
        reasons.append(_("the last three commands failed"))
    return reasons


def _static(cluster: Cluster) -> dict:
    """What the card takes from the objects alone, once per cluster version."""
    key = (cluster.pk, cluster.created, cluster.resource_version)
    with _guard:
        hit = _static_cache.get(key)
    if hit is not None:
        return hit
    view = view_of(cluster)
    pods = [p for p in view.of("pods") if not p["metadata"].get("deletionTimestamp")
            and p["metadata"].get("namespace") not in SYSTEM_NAMESPACES]
    states = [(p, *pod_state(p)) for p in pods]
    value = {"pods": _counts(states), "failing": _failing(states),
             "thumb": _thumb(view, states), "step": step_reached(cluster, view)}
    with _guard:
        if len(_static_cache) >= _CACHE_SIZE:
            _static_cache.pop(next(iter(_static_cache)))
        _static_cache[key] = value
    return value


def _bucket(status: str, category: str) -> str | None:
    if status in IMAGE_PULL:
        return "imagepull"
    if category in ("error", "crashloop"):
        return "error"
    if category in ("pending", "creating"):
        return "pending"
    if status == "Running" or category.startswith("running"):
        return "running"
    return None


def _counts(states: list[tuple[dict, str, str]]) -> dict[str, int]:
    counts = dict.fromkeys(("running", "pending", "error", "imagepull"), 0)
    for _pod, status, category in states:
        bucket = _bucket(status, category)
        if bucket:
            counts[bucket] += 1
    return counts


def _failing(states: list[tuple[dict, str, str]]) -> list[tuple[str, str]]:
    """(pod name, failing since) of the pods in a failing state. Since: when its Ready
    condition last turned False, else its creation (never ready at all)."""
    out = []
    for pod, status, category in states:
        if _bucket(status, category) not in ("error", "imagepull"):
            continue
        meta = pod["metadata"]
        since = meta.get("creationTimestamp") or ""
        for condition in (pod.get("status") or {}).get("conditions") or ():
            if condition.get("type") == "Ready" and condition.get("status") != "True":
                since = condition.get("lastTransitionTime") or since
        if since:
            out.append((meta.get("name", ""), since))
    return out


def _thumb(view: RowView, states: list[tuple[dict, str, str]]) -> dict:
    nodes = sorted(view.of("nodes"), key=lambda n: n["metadata"]["name"])
    on: dict[str, list[str]] = {n["metadata"]["name"]: [] for n in nodes}
    loose: list[str] = []
    for pod, _status, category in states:
        node = (pod.get("spec") or {}).get("nodeName") or ""
        on.get(node, loose).append(category)
    ready = {n["metadata"]["name"]: any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (n.get("status") or {}).get("conditions") or ()) for n in nodes}
    return {"nodes": [{"name": name, "ready": ready[name], "pods": pods[:60]}
                      for name, pods in on.items()],
            "unscheduled": loose[:60], "services": len(view.of("services"))}


def step_reached(cluster: Cluster, view: RowView) -> dict | None:
    """{number, title, of} of the highest step whose check holds, or None."""
    lesson = _lesson_of(cluster)
    if lesson is None:
        return None
    reached = None
    given = _given_steps(lesson.slug, cluster.preset)
    for step in lesson.steps:
        if step.check and step.number not in given and \
                checks.evaluate(view, step.check)["holds"]:  # type: ignore[arg-type]
            reached = step
    return {"number": reached.number if reached else 0, "of": len(lesson.steps),
            "lesson": lesson.slug}


def _titled(step: dict | None) -> dict | None:
    """The step with its title in the page's language (the cache keeps only numbers)."""
    if not step or not step["number"]:
        return step
    title = loader.load(step["lesson"]).step(step["number"]).title
    return {**step, "title": title.in_(get_language() or "en")}


@functools.cache
def _given_steps(lesson_slug: str, preset: str) -> frozenset[int]:
    """The steps whose check already holds on a fresh cluster of the preset (the Service
    `kubernetes` exists from the start): they say nothing of what the student did."""
    try:
        sim = Simulation.from_preset(preset, seed=0)
        sim.run_until_idle()
    except Exception:  # an unknown preset: no step is given
        return frozenset()
    return frozenset(step.number for step in loader.load(lesson_slug).steps
                     if step.check and checks.evaluate(sim, step.check)["holds"])


def _lesson_of(cluster: Cluster) -> loader.Lesson | None:
    run = LessonRun.objects.filter(cluster=cluster).order_by("-id").first()
    slugs = loader.lesson_slugs()
    slug = run.lesson if run is not None and run.lesson in slugs else (slugs[0] if slugs
                                                                        else None)
    try:
        return loader.load(slug) if slug else None
    except loader.LessonError:
        return None


def sort_key(card_: dict) -> tuple:
    """Who needs help first, then who is offline last, then by name."""
    return (not card_["help"], not card_["online"], card_["name"].lower())
