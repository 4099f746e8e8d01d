"""The trace's sentences as data: one English template per message id, and their rendering.

What: `TEMPLATES` maps every `trace.MessageId` to its English template (`%(name)s`
placeholders, as Django's catalogues use): the trace's here, the upload preview's from
`simcore.wiringtext`, merged so one `render()` serves both; `msg()` makes a `trace.Message` (an id and
named arguments), `render()` turns one into text, `step()` makes a trace step that carries
both: `detail` (the English sentence, as before) and `message` (the data).

Why: the dashboard shows a request's trace in Korean or English, but simcore may not import
Django and must keep giving kubectl's side and its tests the English it always gave. So a
producer says *which* sentence with *which* values, and each reader picks the language:
simcore renders English, `clusterviz.traces.text` renders through Django's gettext, with
the English template as the msgid. Arguments (pod names, IPs, ports, counts) are
substituted after translation, so they are never translated.

How the templates reach the catalogue: each is wrapped in `gettext_noop`, a local identity
function whose name is one `makemessages` (xgettext) already extracts, so the documented
`manage.py makemessages -l ko ...` run picks them up from this file with no extra step and
`compilemessages` checks each translation keeps the placeholders (python-format).

Trade-off: the English template is the msgid, so rewording a sentence leaves its Korean
untranslated until the catalogue is updated (the catalogue test says so) instead of
silently showing a stale translation; and a sentence built from parts (a reason inside a
refusal) is a message inside an argument, translated on its own, which limits how freely
a language may reorder the parts.
"""

from __future__ import annotations

from collections.abc import Callable

from simcore import wiringtext
from simcore.trace import Message, MessageArg, MessageId, StepKind, TraceMessageId, TraceStep
from simcore.trace import step as _plain


def gettext_noop(template: str) -> str:
    """Marks a template for extraction (xgettext knows this name); translates nothing."""
    return template


_TRACE: dict[TraceMessageId, str] = {
    # kube-proxy's reasons, said inside other sentences (the rules' own comment words)
    "reason.no-endpoints": gettext_noop("%(service)s has no endpoints"),
    "reason.no-local-endpoints": gettext_noop("%(service)s has no local endpoints"),
    # the data plane (simcore.net.fabric)
    "dns.refused-by-rules": gettext_noop("%(reason)s: the DNS query to %(server)s is refused"),
    "forward.internet": gettext_noop(
        "%(ip)s is outside the cluster: the packet leaves through the node's default route"),
    "lost.nobody": gettext_noop("nothing at %(ip)s answers: the SYN packets are lost"),
    "reject.loopback": gettext_noop(
        "nothing listens on %(ip)s port %(port)s: the kernel answers with a TCP reset"),
    "reject.loopback-pod": gettext_noop(
        "nothing in %(pod)s listens on %(ip)s port %(port)s: its kernel answers with a TCP "
        "reset"),
    "deliver.loopback": gettext_noop(
        "%(ip)s is %(pod)s's own loopback: its container %(container)s accepts the connection "
        "on port %(port)s"),
    "reject.rules": gettext_noop(
        "%(node)s's rules REJECT %(ip)s:%(port)s (%(reason)s): connection refused"),
    "lost.rules-drop": gettext_noop("%(node)s's rules DROP the packet (%(reason)s)"),
    "dnat": gettext_noop("DNAT %(ip)s:%(port)s to %(to)s"),
    "snat": gettext_noop("SNAT (masquerade) on %(node)s: the source becomes %(source)s"),
    "lost.backend-silent": gettext_noop("%(ip)s does not answer: the packets are lost"),
    "forward.overlay": gettext_noop(
        "the packet crosses from %(node)s to %(to_node)s over the flannel overlay"),
    "connect.nodeport": gettext_noop("%(ip)s:%(port)s is NodePort %(port)s of %(service)s on "
                                     "%(node)s"),
    "reject.node": gettext_noop(
        "nothing listens on %(node)s port %(port)s: the node answers with a TCP reset"),
    "lost.no-arp": gettext_noop("no node answers ARP for %(ip)s: nobody announces it"),
    "forward.metallb": gettext_noop(
        "%(node)s announces %(ip)s (MetalLB layer 2): the packet enters the cluster there"),
    "lost.not-running": gettext_noop("%(pod)s is not running: nothing answers"),
    "reject.pod": gettext_noop(
        "%(pod)s (%(ip)s) has nothing listening on port %(port)s: its kernel answers with a "
        "TCP reset"),
    "reject.pod-not-yet": gettext_noop(
        "%(pod)s (%(ip)s) has nothing listening on port %(port)s yet (its process opens it in "
        "%(seconds).2f s): its kernel answers with a TCP reset"),
    "deliver.pod": gettext_noop(
        "%(pod)s on %(node)s accepts the connection on port %(port)s (it sees the client as "
        "%(client)s)"),
    "timeout.lost": gettext_noop(
        "%(why)s; the connection would hang, and ends after %(seconds)g s"),
    "response.health": gettext_noop(
        "kube-proxy on %(node)s answers the health check %(status)s: %(count)s local "
        "endpoint(s)"),
    "proxy.random": gettext_noop(
        "%(node)s's kube-proxy rules: %(service)s has %(count)s endpoint(s); rule %(rule)s of "
        "%(count)s matched (p = %(probability).10f) and chose %(chosen)s (%(pod)s)"),
    "proxy.affinity": gettext_noop(
        "%(node)s's kube-proxy rules: %(service)s has ClientIP affinity and %(client)s used "
        "%(chosen)s (%(pod)s) %(age)g s ago: same endpoint again"),
    "proxy.other": gettext_noop("%(node)s's kube-proxy rules for %(service)s: %(reason)s"),
    "response.internet": gettext_noop("%(host)s (%(ip)s) answers %(status)s %(reason)s"),
    "response.proxy-mode": gettext_noop("kube-proxy reports its mode: iptables"),
    # the servers in pods (simcore.net.listeners)
    "reject.closed": gettext_noop("%(pod)s closed the connection: nothing listens any more"),
    "reject.not-http": gettext_noop(
        "%(pod)s (%(app)s) does not speak HTTP: it closes the connection without a reply"),
    "response.pod": gettext_noop("%(pod)s answers %(status)s %(reason)s"),
    "response.pod-body": gettext_noop('%(pod)s answers %(status)s %(reason)s: "%(first)s"'),
    # ingress-nginx (simcore.net.ingress, simcore.net.ingress_match)
    "ingress.no-rule": gettext_noop(
        "ingress-nginx: no Ingress rule matches host %(host)s path %(path)s: nginx answers 404 "
        "itself"),
    "ingress.matched": gettext_noop("ingress-nginx: %(why)s"),
    "ingress.default-only": gettext_noop(
        "No rule matches host %(host)s path %(path)s, so the defaultBackend of Ingress "
        "%(ingress)s (which has no rules) sends it to service %(service)s port %(port)s."),
    "ingress.default": gettext_noop(
        "Host %(host)s %(host_match)s, but none of its paths matches %(path)s, so the "
        "defaultBackend of Ingress %(ingress)s sends it to service %(service)s port %(port)s."),
    "ingress.rule": gettext_noop(
        "Host %(host)s %(host_match)s; in Ingress %(ingress)s rule %(rule)s path %(index)s, "
        "%(rule_path)s (%(path_type)s) is the longest path matching %(path)s, so the request "
        "goes to service %(service)s port %(port)s."),
    "ingress.host-exact": gettext_noop("matches the rule host %(rule_host)s exactly"),
    "ingress.host-wildcard": gettext_noop("matches the wildcard host %(rule_host)s"),
    "ingress.host-none": gettext_noop("is named by no rule, so the rules without a host apply"),
    "ingress.no-service": gettext_noop(
        "service %(service)s (port %(port)s) does not exist: 503"),
    "ingress.no-endpoints": gettext_noop("service %(service)s has no ready endpoints: 503"),
    "ingress.pick": gettext_noop(
        "ingress-nginx picks %(chosen)s (%(pod)s) round robin among %(count)s endpoint(s), "
        "bypassing the ClusterIP"),
    # the tools in a container (simcore.exec)
    "dns.hosts-file": gettext_noop("%(host)s is in /etc/hosts: %(ip)s."),
    "dns.resolve-timeout": gettext_noop("curl gave up resolving %(host)s after %(ms)s ms."),
    "dns.resolved-as": gettext_noop("%(host)s resolved to %(addresses)s as %(name)s."),
    "dns.resolved": gettext_noop("%(host)s resolved to %(ip)s."),
    "dns.no-address": gettext_noop("No address for %(host)s (%(why)s)."),
    "dns.no-network": gettext_noop("no network"),
    "dns.not-resolved": gettext_noop("%(host)s did not resolve (%(why)s)."),
    "dns.asked": gettext_noop("Asked %(server)s for %(name)s (%(qtype)s): %(outcome)s."),
    "dns.asked-again": gettext_noop(
        "Asked %(server)s for %(name)s (%(qtype)s) (attempt %(attempt)s): %(outcome)s."),
    "dns.no-reply": gettext_noop("no reply"),
    "dns.dig-asked": gettext_noop("dig asked %(server)s for %(name)s (%(qtype)s): %(rcode)s."),
    "connect.connected": gettext_noop("Connected to %(ip)s:%(port)s."),
    "connect.connected-dnat": gettext_noop("Connected to %(ip)s:%(port)s (DNAT to %(backend)s)."),
    "timeout.syn": gettext_noop("No answer to the SYN within %(ms)s ms."),
    "reject.connect-failed": gettext_noop(
        "The connection to %(host)s:%(port)s failed: %(reason)s."),
    "response.from": gettext_noop("%(status)s %(reason)s from %(ip)s:%(port)s."),
    "timeout.no-response": gettext_noop("No response ever arrives; curl waits until interrupted."),
    "exec.no-program": gettext_noop(
        "The image has no %(program)s, so the runtime could not start the process."),
    "exec.not-modelled": gettext_noop("%(program)s is present but ClusterViz does not model it."),
    "shell.not-found": gettext_noop("The shell found no %(program)s in PATH."),
    "shell.busy-loop": gettext_noop("An endless loop that never sleeps keeps the CPU busy."),
    "shell.horizon": gettext_noop("The loop runs past the simulated horizon."),
    "shell.never-returns": gettext_noop("The command never returns."),
    "sleep.waits": gettext_noop("sleep waits %(seconds)g seconds."),
    # the tool's own words (a strerror, an HTTP reason, curl's error) stay as arguments
    "reject.tool-failed": gettext_noop("%(ip)s:%(port)s: %(reason)s."),
    "response.status": gettext_noop("%(status)s %(reason)s."),
    "curl.error": gettext_noop("curl: (%(code)s) %(message)s."),
}
# every message simcore can say: the trace's, then the upload preview's
TEMPLATES: dict[MessageId, str] = {}
TEMPLATES.update(_TRACE.items())
TEMPLATES.update(wiringtext.TEMPLATES.items())


def msg(message_id: MessageId, **args: MessageArg) -> Message:
    """The sentence `message_id` with its named arguments, as data."""
    return {"id": message_id, "args": args}


def _same(text: str) -> str:
    return text


def render(message: Message, translate: Callable[[str], str] = _same) -> str:
    """`message` as text: its template passed through `translate` (English by default),
    filled with its arguments, messages among them rendered the same way first. A
    translation that does not fit the arguments falls back to the English template.
    An unknown id raises KeyError (the caller has the stored `detail` to fall back on)."""
    template = TEMPLATES[message["id"]]
    args = message["args"]
    for value in args.values():
        if isinstance(value, (dict, list)):  # a message or a list among them: render those
            args = {name: _argument(value, translate) for name, value in args.items()}
            break
    if translate is _same:
        # English, as every trace step is rendered when made (seven per curl): one
        # formatting, no fallback to try
        return template % args
    try:
        return translate(template) % args
    except (KeyError, ValueError, TypeError):
        return template % args


def _argument(value: MessageArg, translate: Callable[[str], str]) -> str | int | float:
    if isinstance(value, dict):
        return render(value, translate)
    if isinstance(value, list):
        return "; ".join(str(_argument(part, translate)) for part in value)
    return value


def step(kind: StepKind, message: Message | str, **extra: object) -> TraceStep:
    """A trace step saying `message`: its English in `detail`, the message beside it; a
    plain string (a tool's own words, quoted) is the detail alone, shown as it is."""
    if isinstance(message, str):
        return _plain(kind, message, **extra)
    return _plain(kind, render(message), message=message, **extra)
