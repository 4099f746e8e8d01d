"""Top-level routes: a plain index, per-cluster kubeconfigs, and the Kubernetes API."""

from django.urls import include, path

from clusterviz.clusters import views as cluster_views

urlpatterns = [
    path("", cluster_views.index),
    path("clusters/<slug:slug>/kubeconfig", cluster_views.kubeconfig),
    path("k8s/clusters/<slug:slug>/", include("clusterviz.k8sapi.urls")),
]
