"""A step's check: what the cluster must show before the step's Observe is true.

A lesson step may carry `check:`, a list of conditions that must all hold,
each about one object in the lesson's namespace:

    {pods: app=node-web, ready: 3}         at least 3 matching pods Running and Ready
    {pods: app=node-web, not_ready: 1}     at least 1 matching pod Running but not Ready
    {pods: app=node-web, ready: 3, not_on: worker2}   ... counting only pods on other nodes
    {node: worker2, ready: false}          the node's Ready condition is not True (NotReady)
    {endpoints: svc-node, ready: 1}        at least 1 ready address in the Endpoints
    {endpoints: svc-node, empty: true}     no ready address at all
    {job: throw-dice-job, complete: true}  the Job's Complete condition is True
    {service: external-service, type: ExternalName}   the Service exists (of that type)
    {ingress: svc-ingress}                 the Ingress exists

The presenter shows a step's Observe only once its check holds (waiting,
bounded, at the cluster's clock), a request marked `wait` runs only then,
and a student's "check my cluster" asks the same question. Conditions read
the cluster through the facade only, and each answers with words a person
reads, so a check that does not hold says what is still missing. The
vocabulary is small on purpose: what a lesson's Observe talks about, not a
query language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from django.utils.translation import gettext as _

from simcore import errors
from simcore.simulation import Simulation

NAMESPACE = "default"


class ConditionResult(TypedDict):
    holds: bool
    text: str


class CheckResult(TypedDict):
    holds: bool
    conditions: list[ConditionResult]


class CheckError(ValueError):
    """A condition a lesson file gets wrong; the text says which."""


@dataclass(frozen=True)
class Condition:
    subject: str  # pods, endpoints, job, service, ingress
    name: str  # the object's name, or a label selector for pods
    test: str  # ready, not_ready, empty, complete, type, exists
    value: object = None
    not_on: str = ""  # pods: leave out the pods on this node


SUBJECTS = {"pods": ("ready", "not_ready"), "endpoints": ("ready", "empty"),
            "job": ("complete",), "service": ("type", "exists"), "ingress": ("exists",),
            "node": ("ready",)}
QUALIFIERS = {"pods": ("not_on",)}


def parse(raw: object) -> Condition:
    """One condition of a step's `check:` list, checked for shape."""
    if not isinstance(raw, dict):
        raise CheckError(f"a condition is a mapping, not {raw!r}")
    subjects = [s for s in SUBJECTS if s in raw]
    if len(subjects) != 1:
        raise CheckError(f"a condition names one of {', '.join(SUBJECTS)}: {raw!r}")
    subject = subjects[0]
    tests = [t for t in SUBJECTS[subject] if t in raw]
    qualifiers = QUALIFIERS.get(subject, ())
    if len(tests) > 1 or set(raw) - {subject, *SUBJECTS[subject], *qualifiers}:
        raise CheckError(f"{subject} takes one of {', '.join(SUBJECTS[subject])}: {raw!r}")
    test = tests[0] if tests else "exists"
    if test not in SUBJECTS[subject]:
        raise CheckError(f"{subject} needs one of {', '.join(SUBJECTS[subject])}: {raw!r}")
    value = raw.get(test, True)
    if subject == "node":
        if not isinstance(value, bool):
            raise CheckError(f"a node's ready is true or false: {raw!r}")
    elif test in ("ready", "not_ready") and (isinstance(value, bool) or
                                            not isinstance(value, int) or value < 1):
        raise CheckError(f"{test} is a count of at least 1: {raw!r}")
    return Condition(subject, str(raw[subject]), test, value, str(raw.get("not_on") or ""))


def evaluate(sim: Simulation, conditions: tuple[Condition, ...]) -> CheckResult:
    results = [_EVALUATORS[c.subject](sim, c) for c in conditions]
    return {"holds": all(r["holds"] for r in results), "conditions": results}


def _result(holds: bool, text: str) -> ConditionResult:
    return {"holds": holds, "text": text}


def _pods(sim: Simulation, condition: Condition) -> ConditionResult:
    pods = [p for p in sim.list("pods", NAMESPACE, label_selector=condition.name)
            if p["status"].get("phase") == "Running"
            and not p["metadata"].get("deletionTimestamp")
            and (not condition.not_on or p["spec"].get("nodeName") != condition.not_on)]
    ready = sum(_is_ready(p) for p in pods)
    want = int(condition.value)  # type: ignore[call-overload]
    if condition.test == "ready" and condition.not_on:
        return _result(ready >= want, _("%(want)d pod(s) with %(selector)s Running and Ready "
                                        "off %(node)s (now %(count)d)")
                       % {"want": want, "selector": condition.name, "node": condition.not_on,
                          "count": ready})
    if condition.test == "ready":
        return _result(ready >= want, _("%(want)d pod(s) with %(selector)s Running and Ready "
                                        "(now %(count)d)")
                       % {"want": want, "selector": condition.name, "count": ready})
    not_ready = len(pods) - ready
    return _result(not_ready >= want, _("%(want)d pod(s) with %(selector)s Running but not "
                                        "Ready (now %(count)d)")
                   % {"want": want, "selector": condition.name, "count": not_ready})


def _is_ready(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod["status"].get("conditions") or ())


def _endpoints(sim: Simulation, condition: Condition) -> ConditionResult:
    found = _get(sim, "endpoints", condition.name)
    ready = sum(len(s.get("addresses") or ()) for s in (found or {}).get("subsets") or ())
    if condition.test == "empty":
        return _result(found is not None and ready == 0,
                       _("%(name)s has no ready endpoint (now %(count)d)")
                       % {"name": condition.name, "count": ready})
    want = int(condition.value)  # type: ignore[call-overload]
    return _result(ready >= want, _("%(name)s has %(want)d ready endpoint(s) (now %(count)d)")
                   % {"name": condition.name, "want": want, "count": ready})


def _job(sim: Simulation, condition: Condition) -> ConditionResult:
    job = _get(sim, "jobs", condition.name) or {}
    done = any(c.get("type") == "Complete" and c.get("status") == "True"
               for c in (job.get("status") or {}).get("conditions") or ())
    return _result(done, _("Job %(name)s complete") % {"name": condition.name})


def _service(sim: Simulation, condition: Condition) -> ConditionResult:
    service = _get(sim, "services", condition.name)
    if condition.test == "type":
        holds = service is not None and service["spec"].get("type") == condition.value
        return _result(holds, _("Service %(name)s of type %(type)s")
                       % {"name": condition.name, "type": condition.value})
    return _result(service is not None, _("Service %(name)s exists") % {"name": condition.name})


def _ingress(sim: Simulation, condition: Condition) -> ConditionResult:
    found = _get(sim, "ingresses", condition.name) is not None
    return _result(found, _("Ingress %(name)s exists") % {"name": condition.name})


def _node(sim: Simulation, condition: Condition) -> ConditionResult:
    try:
        node = sim.get("nodes", condition.name, None)
    except errors.APIError:
        node = {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in (node.get("status") or {}).get("conditions") or ())
    if condition.value:
        return _result(ready, _("node %(name)s Ready") % {"name": condition.name})
    # Unknown (the kubelet stopped posting) and False both print NotReady in kubectl
    return _result(bool(node) and not ready,
                   _("node %(name)s NotReady") % {"name": condition.name})


def _get(sim: Simulation, kind: str, name: str) -> dict | None:
    try:
        return sim.get(kind, name, NAMESPACE)
    except errors.APIError:
        return None


_EVALUATORS: dict[str, Callable[[Simulation, Condition], ConditionResult]] = {
    "pods": _pods, "endpoints": _endpoints, "job": _job, "service": _service,
    "ingress": _ingress, "node": _node}
