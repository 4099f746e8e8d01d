"""The lessons' websocket route, joined into `asgi.py`'s URLRouter (browser sockets only)."""

from django.urls import path

from clusterviz.lessons.consumers import LessonConsumer

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/lesson", LessonConsumer.as_asgi()),
]
