"""A websocket to a path of the API that does not upgrade: the API server's 404.

Without it, a websocket to any other path under `k8s/clusters/<slug>/`
(an `attach`, a typo, a client that watches over websockets) met no route,
and channels' router raised: a 500 and a traceback in the server log. A
real API server answers such a request with its NotFound Status.
"""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer

from clusterviz.k8sapi import denial
from simcore import errors


class UnroutedConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await denial.deny_status(self, errors.status(
            404, "NotFound", "the server could not find the requested resource"))
