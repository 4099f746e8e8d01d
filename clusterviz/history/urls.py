"""The time machine's routes, under `/clusters/<slug>/` (see `views`)."""

from django.urls import path

from clusterviz.history import views

urlpatterns = [
    path("clusters/<slug:slug>/history", views.timeline, name="history"),
    path("clusters/<slug:slug>/history/graph", views.graph, name="history-graph"),
    path("clusters/<slug:slug>/history/inspect", views.inspect, name="history-inspect"),
    path("clusters/<slug:slug>/history/replay", views.replay, name="history-replay"),
    path("clusters/<slug:slug>/history/restore", views.restore_to, name="history-restore"),
]
