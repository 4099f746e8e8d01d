"""The plumbing every app's JSON endpoints and sockets share, in one copy.

A POST endpoint reads its body with `json_body` (only `application/json`, a
JSON object, decoded the way Go decodes it: bounded depth, a lone surrogate
escape made U+FFFD, `simcore.safeyaml`), runs its work off the event loop
with `answer` (`runtime.offload`: a worker thread, never the loop), and
answers JSON: the work's dict, or `{"error": ...}` with 400 for a `Refused`
(or any other refusal the caller names) and 404 for a cluster that is gone.
A socket that turns a browser away closes with `refuse`, so the page can read
the code. `Refused` is the one "no" of the operations (`clusterviz.operations`):
raised before the cluster sees the request, its text says why.
"""

from __future__ import annotations

from collections.abc import Callable

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from clusterviz.clusters.runtime import ClusterNotFound, offload
from simcore import safeyaml


class Refused(ValueError):
    """A request turned down before the cluster sees it; the text says why."""


def json_body(request: HttpRequest) -> dict:
    """The request's JSON object; a Refused for another content type or anything else."""
    if request.content_type != "application/json":
        raise Refused(_("send the request as application/json"))
    try:
        body = safeyaml.load_json((request.body or b"{}").decode("utf-8"))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both
        raise Refused(_("the request body is not valid JSON")) from None
    except safeyaml.DocumentRefused:  # nested deeper than this engine recurses
        raise Refused(_("the request body is nested too deeply")) from None
    if not isinstance(body, dict):
        raise Refused(_("the request body must be a JSON object"))
    return body


async def answer(slug: str, work: Callable[[], dict],
                 refusals: tuple[type[Exception], ...] = ()) -> JsonResponse:
    """`work()` off the event loop, as JSON; a Refused (or one of `refusals`) is a 400."""
    refused: tuple[type[Exception], ...] = (Refused, *refusals)
    try:
        payload = await offload(work)()
    except refused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except ClusterNotFound:
        return JsonResponse({"error": _("no cluster %(slug)s") % {"slug": slug}}, status=404)
    return JsonResponse(payload)


async def refuse(consumer: AsyncJsonWebsocketConsumer, code: int) -> None:
    """Close with `code` where the page can read it: a socket closed before it is accepted
    reaches a browser as 1006 (daphne answers the handshake with a bare 403)."""
    await consumer.accept()
    await consumer.close(code=code)
