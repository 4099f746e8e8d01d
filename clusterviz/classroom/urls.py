"""The classroom's pages: landing, sign-in/out, join, classes, clusters and kubeconfigs."""

from django.urls import path

from clusterviz.classroom import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signin", views.signin, name="signin"),
    path("signout", views.signout, name="signout"),
    path("join", views.join, name="join"),
    path("classes/new", views.class_create, name="class-create"),
    path("classes/<int:pk>/", views.class_page, name="class"),
    path("classes/<int:pk>/open", views.class_open, name="class-open"),
    path("classes/<int:pk>/students/<int:user_id>/revoke", views.revoke, name="revoke"),
    path("clusters/new", views.cluster_create, name="cluster-create"),
    path("clusters/<slug:slug>/kubeconfig", views.kubeconfig, name="kubeconfig"),
    path("clusters/<slug:slug>/reset", views.reset, name="cluster-reset"),
    path("clusters/<slug:slug>/delete", views.delete, name="cluster-delete"),
]
