"""Fire N: one command run many times from one source, counted by the pod that answered.

The page asks for the burst in chunks (`fire_chunk`, at most `MAX_CHUNK`
runs each, `MAX_FIRE` in all) so it can draw progress between them; each
chunk is one `runtime.run`, so one lock, one clock catch-up and one save
(forced: the runs change engine state only, the ClientIP affinity table
and the pods' logs, and the next chunk must find the affinity again).

Which pod answered is read from the trace, not from the output: the last
`deliver` or `response` step that names a `pod`. The prediction comes from
the same trace: the first `proxy` step says which Service decided and over
which ready endpoints; the rules predict a uniform share over those, or,
when the Service has `sessionAffinity: ClientIP`, everything on the one pod
this client is pinned to. The trade-off: a command that goes through two
Services (an Ingress) is predicted by the first only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.utils.translation import gettext as _

from clusterviz.clusters import runtime
from clusterviz.operations.actions import (
    Refused,
    Source,
    check_command,
    exec_from,
)
from clusterviz.operations.path import Step
from simcore import Simulation

MAX_FIRE = 1000
MAX_CHUNK = 100
NO_POD = ""  # the key of runs no pod answered (refused, timed out, not HTTP)


def fire_chunk(slug: str, source: Source, command: str, count: int) -> dict:
    """Run `command` `count` times from `source`; the hits per pod and what the rules predict."""
    _check(source, command, count)
    return runtime.run(slug, lambda sim: _burst(sim, source, command, count), force_save=True)


def _check(source: Source, command: str, count: int) -> None:
    check_command(source, command)
    if not 1 <= count <= MAX_CHUNK:
        raise Refused(_("a chunk is 1 to %(chunk)d runs; fire up to %(total)d in all")
                      % {"chunk": MAX_CHUNK, "total": MAX_FIRE})


def _burst(sim: Simulation, source: Source, command: str, count: int) -> dict:
    hits: Counter[str] = Counter()
    exits: Counter[str] = Counter()
    prediction = None
    for _run in range(count):
        result = exec_from(sim, source, command)
        hits[answered_by(result.trace)] += 1
        exits[str(result.exit_code)] += 1
        if prediction is None:
            prediction = predict(sim, result.trace)
    return {"hits": dict(hits), "exit_codes": dict(exits), "ran": count,
            "prediction": prediction or {"how": "none", "pods": []}}


def answered_by(trace: Sequence[Step]) -> str:
    """The pod named by the trace's last `deliver` or `response` step; NO_POD if none."""
    for step in reversed(trace):
        if step.get("step") in ("deliver", "response") and step.get("pod"):
            return str(step["pod"])
    return NO_POD


def predict(sim: Simulation, trace: Sequence[Step]) -> dict | None:
    """What the first kube-proxy decision in `trace` says the share should be."""
    proxy = next((s for s in trace if s.get("step") == "proxy" and s.get("candidates")), None)
    if proxy is None:
        return None
    by_ip = _pods_by_ip(sim)
    pods = [by_ip.get(c.rsplit(":", 1)[0], c) for c in proxy["candidates"]]
    namespace, _, rest = str(proxy.get("service", "")).partition("/")
    name = rest.rsplit(":", 1)[0]
    service = sim.api.try_get_ref("services", name, namespace) or {}
    affinity = (service.get("spec") or {}).get("sessionAffinity") == "ClientIP"
    if affinity and proxy.get("chosen"):
        chosen = by_ip.get(str(proxy["chosen"]).rsplit(":", 1)[0], proxy["chosen"])
        return {"how": "affinity", "pods": pods, "chosen": chosen,
                "service": proxy.get("service")}
    return {"how": "uniform", "pods": pods, "service": proxy.get("service")}


def _pods_by_ip(sim: Simulation) -> dict[str, str]:
    pods = sim.api.list_ref("pods", None, None)
    return {ip: p["metadata"]["name"] for p in pods
            if (ip := (p.get("status") or {}).get("podIP"))}
