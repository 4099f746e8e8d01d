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

A step's `detail` is the English sentence; `message` (when the producer gave one) is the
same sentence as data: a `MessageId` and its named arguments, which `simcore.tracetext`
renders in English and the web side renders in the reader's language (see that module).
Arguments are what the cluster named (pods, IPs, ports, numbers) and are never translated;
an argument may itself be a `Message` (a reason inside a sentence) or a list of parts.
The upload preview's wiring (`simcore.wiring`) uses the same `Message`, with its own ids.
"""

from __future__ import annotations

from typing import Literal, TypedDict, Union, cast

StepKind = Literal["reject", "timeout", "connect", "deliver", "dnat", "snat", "forward",
                   "proxy", "ingress", "response", "dns-query", "dns-answer"]
Tool = Literal["curl", "wget"]
ProxyHow = Literal["random", "affinity", "reject", "drop", "round-robin", ""]
# every sentence a trace says as data; simcore.tracetext.TEMPLATES has one English template
# per id (a test checks the two lists agree)
TraceMessageId = Literal[
    "reason.no-endpoints", "reason.no-local-endpoints", "dns.refused-by-rules",
    "forward.internet", "lost.nobody", "reject.loopback", "reject.loopback-pod",
    "deliver.loopback", "reject.rules", "lost.rules-drop", "dnat", "snat",
    "lost.backend-silent", "forward.overlay", "connect.nodeport", "reject.node",
    "lost.no-arp", "forward.metallb", "lost.not-running", "reject.pod", "reject.pod-not-yet",
    "deliver.pod", "timeout.lost", "response.health", "proxy.random", "proxy.affinity",
    "proxy.other", "response.internet", "response.proxy-mode", "reject.closed",
    "reject.not-http", "response.pod", "response.pod-body", "ingress.no-rule",
    "ingress.matched", "ingress.default-only", "ingress.default", "ingress.rule",
    "ingress.host-exact", "ingress.host-wildcard", "ingress.host-none",
    "ingress.no-service", "ingress.no-endpoints", "ingress.pick", "dns.hosts-file",
    "dns.resolve-timeout", "dns.resolved-as", "dns.resolved", "dns.no-address",
    "dns.no-network", "dns.not-resolved", "dns.asked", "dns.asked-again", "dns.no-reply",
    "dns.dig-asked", "connect.connected", "connect.connected-dnat", "timeout.syn",
    "reject.connect-failed", "response.from", "timeout.no-response", "exec.no-program",
    "exec.not-modelled", "shell.not-found", "shell.busy-loop", "shell.horizon",
    "shell.never-returns", "sleep.waits", "reject.tool-failed", "response.status", "curl.error",
]
# the upload preview's account of what will connect (simcore.wiring, simcore.wiringtext)
WiringMessageId = Literal[
    "wiring.service-title", "wiring.ingress-title", "wiring.where-existing",
    "wiring.where-new", "wiring.where-updated", "wiring.where-unchanged",
    "wiring.external-name", "wiring.selects-none", "wiring.selects", "wiring.one-pod",
    "wiring.n-pods", "wiring.template-pods", "wiring.template-pod", "wiring.planned-pod",
    "wiring.planned-pods", "wiring.upload-pod", "wiring.upload-pods", "wiring.owned-pod",
    "wiring.owned-pods", "wiring.bare-pod", "wiring.bare-pods", "wiring.port",
    "wiring.port-node-port", "wiring.port-node-port-later", "wiring.no-named-port",
    "wiring.container-port", "wiring.left-out", "wiring.undeclared", "wiring.mismatch",
    "wiring.no-endpoints-object", "wiring.endpoints-no-port", "wiring.unnamed",
    "wiring.from-endpoints", "wiring.no-address", "wiring.dns-cluster-ip",
    "wiring.dns-cluster-ip-later", "wiring.dns-headless", "wiring.dns-endpoints",
    "wiring.dns-srv", "wiring.dns-pod", "wiring.dns-dashed", "wiring.other-class",
    "wiring.no-class", "wiring.any-host", "wiring.default-backend", "wiring.no-routes",
    "wiring.resource-backend", "wiring.route-no-service", "wiring.route-no-port",
    "wiring.route-external", "wiring.route-endpoints", "wiring.route-no-pod",
    "wiring.route-pods",
]
MessageId = Literal[TraceMessageId, WiringMessageId]
# a list argument is a list of parts (pod groups), rendered joined by "; "
MessageArg = Union[str, int, float, "Message", list["MessageArg"]]


class Message(TypedDict):
    id: MessageId
    args: dict[str, MessageArg]


class _Said(TypedDict, total=False):
    message: Message  # the detail as an id and arguments, to render in the reader's language


class _Step(_Said):
    step: StepKind
    detail: str  # a sentence for the person reading the path, in English


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
