"""The room's websocket routes (browser sockets: `asgi.py` wraps them in `origin.browser_only`)."""

from django.urls import path

from clusterviz.room.consumers import FollowConsumer, RosterConsumer

websocket_urlpatterns = [
    path("ws/classes/<int:pk>/roster", RosterConsumer.as_asgi()),
    path("ws/clusters/<slug:slug>/follow", FollowConsumer.as_asgi()),
]
