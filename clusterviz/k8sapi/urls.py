"""Every path under `/k8s/clusters/<slug>/` goes to one view; `routing` reads the rest."""

from django.urls import path, re_path

from clusterviz.k8sapi import views

urlpatterns = [
    path("", views.api),
    re_path(r"^(?P<path>.+)$", views.api),
]
