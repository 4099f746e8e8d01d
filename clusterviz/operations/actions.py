"""What the dashboard's buttons (and the lessons' steps) do, as plain functions: preview
and apply manifests, run a command.

Both go through `runtime.run`, the one write path: the simulated API server
decides, the runtime saves, and the graph feed shows the result. They
return dicts ready for JSON, worded the way kubectl words the same thing,
so the page shows the API server's message in place and never a stack
trace. Limits are checked before anything runs: a refused upload changes
nothing. The document limit counts what will be applied: the objects after
parsing (`simcore.simulation.parse_documents`), a `List`'s items one by one,
and not the `---` lines of the text, which a List hides and a string may
hold; the parsed documents are then what is applied, so the text is parsed
once. A preview is the API server's dry run (`--dry-run=server`) plus
`simcore.wiring`'s account of what the upload will connect to; it stores,
allocates and publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from django.utils.translation import gettext as _

from clusterviz.clusters import runtime
from clusterviz.history import marks
from clusterviz.traces.text import step_text, wiring_text
from clusterviz.web import Refused
from simcore import ApplyResult, ExecResult, Simulation, parse_documents
from simcore.resources import UnknownResource, lookup
from simcore.wiring import preview

MAX_MANIFEST_BYTES = 512 * 1024
MAX_DOCUMENTS = 50
MAX_COMMAND_CHARS = 2000
SOURCE_KINDS = ("pod", "node", "client")


@dataclass(frozen=True)
class Source:
    kind: str  # pod, node, client
    name: str  # pod or node name, or the client's IP
    namespace: str = "default"


def apply_manifests(slug: str, text: str, create: bool = False) -> list[dict]:
    """`kubectl apply -f -` (or `create -f -`) of `text`: one result line per document."""
    manifests = check_manifests(text, create)
    with marks.by_person(f"upload: kubectl {'create' if create else 'apply'} -f -"):
        results = runtime.run(slug, lambda sim: sim.apply(manifests, create=create))
    return [result_line(r, create) for r in results]


def preview_manifests(slug: str, text: str, create: bool = False) -> dict:
    """`kubectl apply --dry-run=server -f -` (or `create`): the per-document lines, and the
    wiring (which pods each Service selects, ports, DNS names, Ingress routes, problems)."""
    manifests = check_manifests(text, create)
    # on a copy, outside the cluster's lock: a preview changes nothing, however long it takes
    results, wiring = runtime.run_on_copy(slug, lambda sim: preview(sim, manifests, create))
    return {"results": [result_line(r, create, dry_run=True) for r in results],
            **wiring_text(wiring)}  # its sentences in the page's language


def check_manifests(text: str, create: bool) -> list | str:
    """The upload's limits, checked before the cluster sees anything. Returns what to apply:
    the parsed documents, or the text itself when it is not YAML (the API server words that)."""
    if len(text.encode()) > MAX_MANIFEST_BYTES:
        raise Refused(_("the text is %(size)d bytes; the limit is %(limit)d bytes")
                      % {"size": len(text.encode()), "limit": MAX_MANIFEST_BYTES})
    if not text.strip():
        raise Refused("error: no objects passed to " + ("create" if create else "apply"))
    try:
        docs = parse_documents(text)
    except yaml.YAMLError:
        return text
    if not docs:  # a `List` without items, or only `---`: kubectl's words for nothing to do
        raise Refused("error: no objects passed to " + ("create" if create else "apply"))
    if len(docs) > MAX_DOCUMENTS:
        raise Refused(_("more than %(limit)d objects (%(count)d, each item of a List counted); "
                        "upload them in parts") % {"limit": MAX_DOCUMENTS, "count": len(docs)})
    return docs


def result_line(result: ApplyResult, create: bool, dry_run: bool = False,
                source: str = "STDIN") -> dict:
    """kubectl's line for one document: `replicaset.apps/rs-node-web created` or its error;
    a dry run's line ends in ` (server dry run)`, as kubectl prints it. `source` is the file
    kubectl names in an error (`-f -` reads STDIN, as the upload form does)."""
    if result.error is None:
        suffix = " (server dry run)" if dry_run else ""
        return {"ok": True, "text": f"{_kind_ref(result)}/{result.name} {result.action}{suffix}",
                "warnings": [f"Warning: {w}" for w in result.warnings]}
    return {"ok": False, "text": error_text(result.error, create, source), "warnings": []}


def error_text(status: dict, create: bool, source: str = "STDIN") -> str:
    reason, message = status.get("reason") or "", status.get("message") or ""
    if reason == "Invalid":
        return f"The {message}"
    if reason == "BadRequest" and message.startswith("error"):
        return message
    verb = "creating" if create else "applying"
    return f'Error from server ({reason}): error when {verb} "{source}": {message}'


def _kind_ref(result: ApplyResult) -> str:
    try:
        return lookup(result.kind or "").qualified_kind
    except UnknownResource:  # a kind that applied is known; lower-case is the fallback anyway
        return (result.kind or "").lower()


def check_command(source: Source, command: str) -> None:
    """Refuse a source of no known kind, an empty command or one over the length limit."""
    if source.kind not in SOURCE_KINDS:
        raise Refused(_("unknown source %(kind)r: pick a pod, a node or an outside client")
                      % {"kind": source.kind})
    if not command.strip():
        raise Refused(_("type a command, for example: curl -s http://svc-node"))
    if len(command) > MAX_COMMAND_CHARS:
        raise Refused(_("the command is longer than %(limit)d characters")
                      % {"limit": MAX_COMMAND_CHARS})


def run_command(slug: str, source: Source, command: str) -> dict:
    """Run `command` from `source` as a shell there would; the output and the trace."""
    check_command(source, command)
    with marks.by_person(f"request: {command}"):
        result = runtime.run(slug, lambda sim: exec_from(sim, source, command), force_save=True)
    return terminal(result) | {"steps": list(result.trace)}  # steps: for views' path


def exec_from(sim: Simulation, source: Source, command: str) -> ExecResult:
    if source.kind == "pod":
        return sim.exec(source.name, command, source.namespace)
    if source.kind == "node":
        return sim.exec_on_node(source.name, command)
    return sim.exec_external(source.name, command)


def terminal(result: ExecResult) -> dict:
    """What a terminal shows, and the trace as numbered plain-language steps (in the
    active language: `clusterviz.traces.text`)."""
    stderr = result.stderr
    if result.runtime_error:
        stderr += f"error: {result.runtime_error}\n"
    steps = [step_text(step) for step in result.trace if step.get("detail")]
    return {"stdout": result.stdout, "stderr": stderr, "exit_code": result.exit_code,
            "hangs": result.hangs, "trace": steps}
