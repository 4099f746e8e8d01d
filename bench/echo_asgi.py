"""ClusterViz's ASGI application plus one websocket route, `/bench/echo`, for `bench/api.py`.

The echo consumer is the floor the watch latency is compared with: a frame
in, the same frame out, through the same daphne process, event loop and
Channels machinery as everything else, with no database, engine or channel
layer in the way. It lives here, not in `clusterviz`, so that the product
serves no test-only route.
"""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from clusterviz.asgi import application as clusterviz_application


class EchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data, bytes_data=bytes_data)


_echo = URLRouter([path("bench/echo", EchoConsumer.as_asgi())])


async def application(scope, receive, send):
    """The echo route for its websocket; everything else as ClusterViz serves it."""
    if scope["type"] == "websocket" and scope["path"] == "/bench/echo":
        return await ProtocolTypeRouter({"websocket": _echo})(scope, receive, send)
    return await clusterviz_application(scope, receive, send)
