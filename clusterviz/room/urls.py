"""The room's routes: command history, following a student, resetting a whole class."""

from django.urls import path

from clusterviz.room import views

urlpatterns = [
    path("clusters/<slug:slug>/commands", views.commands, name="cluster-commands"),
    path("clusters/<slug:slug>/commands/<int:pk>", views.command, name="cluster-command"),
    path("clusters/<slug:slug>/follow", views.follow, name="cluster-follow"),
    path("classes/<int:pk>/reset-all", views.reset_all, name="class-reset-all"),
]
