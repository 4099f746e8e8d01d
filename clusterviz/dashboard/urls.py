"""The dashboard's pages under `/clusters/<slug>/`."""

from django.urls import path

from clusterviz.dashboard import shellpage, views

urlpatterns = [
    path("", views.cluster_page, name="cluster-page"),
    path("apply", views.apply, name="cluster-apply"),
    path("preview", views.preview, name="cluster-preview"),
    path("run", views.run, name="cluster-run"),
    path("fire", views.fire_chunk, name="cluster-fire"),
    path("clock", views.clock, name="cluster-clock"),
    path("inspect", views.inspect, name="cluster-inspect"),
    path("failures", views.failure, name="cluster-failures"),
    path("pods/<str:namespace>/<str:name>/shell", shellpage.shell_page, name="cluster-shell"),
]
