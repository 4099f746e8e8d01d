"""Trace steps: what the data plane and the tools in a pod say happened, step by step.

What: one TypedDict per step kind (`RejectStep`, `DnatStep`, `ProxyStep`, ...), the union
`TraceStep`, the vocabularies as Literals (`StepKind`, `Tool`, `ProxyHow`) and `step()`,
the constructor every producer uses. A step is a plain dict at run time: it goes into
`sim.exec(...)` results, over the dashboard's socket and into saved state unchanged.

Why: `TraceStep = dict` let each producer invent keys and each reader (the dashboard's
path animation, the fire panel) guess them. Naming the keys per kind gives the type
checker and a newcomer one place to look; the Literals say which kinds and tools exist.

Trade-off: TypedDicts do not check at run time, and `step()` takes its extras as keyword
arguments (checked only through the TypedDicts when a producer builds a literal), so a
wrong key slips past everything but a type checker; in exchange nothing is copied or
wrapped on the hot path (a curl through a Service writes five or six steps).
"""

from __future__ import annotations

from typing import Literal, TypedDict, cast

StepKind = Literal["reject", "timeout", "connect", "deliver", "dnat", "snat", "forward",
                   "proxy", "ingress", "response", "dns-query", "dns-answer"]
Tool = Literal["curl", "wget"]
ProxyHow = Literal["random", "affinity", "reject", "drop", ""]


class _Step(TypedDict):
    step: StepKind
    detail: str  # a sentence for the person reading the path


class _ToolStep(_Step, total=False):
    tool: Tool  # the program in the pod that took the step (curl, wget), when one did


class RejectStep(_ToolStep, total=False):
    program: str  # a missing or unsimulated executable
    failure: str
    node: str
    namespace: str
    pod: str
    port: int


class TimeoutStep(_ToolStep, total=False):
    seconds: float
    ip: str
    name: str
    would_hang: bool


class ConnectStep(_ToolStep, total=False):
    node: str
    ip: str
    port: int
    backend: str


class DeliverStep(_Step, total=False):
    namespace: str
    pod: str
    port: int


class DnatStep(_Step, total=False):
    node: str
    to: str  # "ip:port" of the chosen endpoint


class SnatStep(_Step, total=False):
    node: str
    source: str  # the address the server sees


class ForwardStep(_Step, total=False):
    node: str


class ProxyStep(_Step, total=False):
    node: str
    service: str  # "namespace/name:port"
    candidates: list[str]  # the rules' "ip:port" list
    how: ProxyHow
    rule: int
    probability: float
    chosen: str
    client: str
    age: float


class IngressStep(_Step, total=False):
    ingress: str


class ResponseStep(_ToolStep, total=False):
    status: int
    pod: str


class DnsStep(_ToolStep, total=False):
    name: str
    qtype: str
    server: str
    answer: str | list[str]  # the addresses, or what came instead (an rcode, a CNAME)
    attempt: int
    at: float
    elapsed: float


TraceStep = (RejectStep | TimeoutStep | ConnectStep | DeliverStep | DnatStep | SnatStep |
             ForwardStep | ProxyStep | IngressStep | ResponseStep | DnsStep)


def step(kind: StepKind, detail: str, **extra: object) -> TraceStep:
    """A trace step in the shape every producer uses."""
    return cast(TraceStep, {"step": kind, "detail": detail, **extra})
