"""Top-level routes: the classroom (landing, sign-in, classes, kubeconfigs), the cluster
pages, the Kubernetes API, and the static files (served by Django itself: a laptop app with one process needs no
separate web server)."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from clusterviz import i18n
from clusterviz.classroom import urls as classroom_urls
from clusterviz.history import urls as history_urls
from clusterviz.lessons import urls as lesson_urls
from clusterviz.room import urls as room_urls

urlpatterns = [
    *classroom_urls.urlpatterns,
    path("i18n/setlang/", i18n.set_language_view, name="set_language"),
    path("i18n/js/<str:code>", i18n.javascript_catalog, name="jsi18n"),
    *lesson_urls.urlpatterns,
    *history_urls.urlpatterns,
    *room_urls.urlpatterns,
    path("clusters/<slug:slug>/", include("clusterviz.dashboard.urls")),
    path("k8s/clusters/<slug:slug>/", include("clusterviz.k8sapi.urls")),
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.BASE_DIR / "static"}),
    # what a browser asks of every site; our own SVG (static/icons/README.md)
    path("favicon.ico", serve, {"document_root": settings.BASE_DIR / "static",
                                "path": "icons/favicon.svg"}),
]
