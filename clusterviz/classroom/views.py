"""The classroom's pages: the landing page, sign-in and out, joining, a teacher's classes.

Plain Django forms with CSRF tokens; every POST answers with a redirect (so
a reload does not post twice) or the form again with its errors. Who may do
what is `classroom.policy` (clusters) plus "staff" for teachers' pages and
"teacher of this class" for a class's page; anyone else gets a 404, as for a
class that does not exist.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

import yaml
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusterviz.classroom import kubeconfigs, tokens
from clusterviz.classroom.doors import cluster_view
from clusterviz.classroom.forms import ClassForm, ClusterForm, JoinForm
from clusterviz.classroom.models import Classroom
from clusterviz.classroom.netnames import LOOPBACK, is_ip
from clusterviz.classroom.policy import usable_clusters
from clusterviz.clusters import engines
from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import create_cluster
from clusterviz.lessons import loader, runner
from clusterviz.room import record as room_record

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room


def new_code(length: int = 6) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if not Classroom.objects.filter(code=code).exists():
            return code


def landing(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"lessons": lesson_titles(get_language())}
    if not user.is_authenticated:
        context.update(signin=AuthenticationForm(request),
                       join=JoinForm(initial={"code": request.GET.get("code", "")}))
        return render(request, "classroom/landing.html", context)
    clusters = usable_clusters(user).select_related("owner", "classroom").order_by("slug")
    if user.is_staff:
        context.update(classes=Classroom.objects.filter(teacher=user).order_by("-created"),
                       clusters=[c for c in clusters if c.classroom_id is None],
                       class_form=ClassForm(), cluster_form=ClusterForm())
    else:
        context["clusters"] = list(clusters)
    return render(request, "classroom/home.html", context)


def lesson_titles(language: str) -> list[dict]:
    """Each lesson's slug and title in `language` (a lesson carries its words per language)."""
    lessons = (loader.load(slug) for slug in loader.lesson_slugs())
    return [{"slug": lesson.slug, "title": lesson.title.in_(language)} for lesson in lessons]


def signin(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth.login(request, form.get_user())
        target = request.GET.get("next") or "/"
        return redirect(target if target.startswith("/") and not target.startswith("//")
                        else "/")
    return render(request, "classroom/signin.html", {"form": form,
                                                     "next": request.GET.get("next", "")})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("/")


def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        classroom: Classroom = form.cleaned_data["code"]
        with transaction.atomic():
            user = get_user_model().objects.create_user(form.cleaned_data["username"],
                                                        password=form.cleaned_data["password"])
            cluster = student_cluster(classroom, user)
        room_record.notify(classroom.pk, cluster.slug, "joined")  # the roster gets a card
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(f"/#cluster-{cluster.slug}")
    return render(request, "classroom/join.html", {"form": form})


def student_cluster(classroom: Classroom, user: User) -> Cluster:
    base = f"{classroom.code.lower()}-{slugify(user.get_username())[:30] or 'student'}"
    slug = base if not Cluster.objects.filter(slug=base).exists() else f"{base}-{user.pk}"
    return create_cluster(slug, name=f"{user.get_username()} · {classroom.name}",
                          preset=classroom.preset, owner=user, classroom=classroom,
                          quota={"pods": classroom.pod_quota, "objects": classroom.object_quota})


def teacher_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Teachers only: the anonymous to sign-in, students a 404 (as for a page not there)."""
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404("no such page")
        return view(request, *args, **kwargs)
    return wrapper


def _my_class(request: HttpRequest, pk: int) -> Classroom:
    classroom: Classroom = get_object_or_404(Classroom, pk=pk)
    if classroom.teacher_id != request.user.pk and not request.user.is_superuser:
        raise Http404("no such class")
    return classroom


@teacher_required
@require_POST
def class_create(request: HttpRequest) -> HttpResponse:
    form = ClassForm(request.POST)
    if not form.is_valid():
        return render(request, "classroom/form_errors.html", {"form": form}, status=400)
    classroom = Classroom.objects.create(teacher=request.user, code=new_code(),
                                         **form.cleaned_data)
    return redirect(f"/classes/{classroom.pk}/")


@teacher_required
def class_page(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _my_class(request, pk)
    clusters = classroom.clusters.select_related("owner").order_by("owner__username", "slug")
    return render(request, "classroom/class.html",
                  {"classroom": classroom, "clusters": clusters,
                   "join_urls": join_urls(request, classroom.code)})


def join_urls(request: HttpRequest, code: str) -> list[str]:
    """The join link as the teacher's browser reached the page, then as the room reaches it:
    the teacher may well be on 127.0.0.1, which is no address for a student's laptop."""
    path = f"/join?code={code}"
    urls = [request.build_absolute_uri(path)]
    _, port = split_domain_port(request.get_host())
    for name in settings.SERVED_NAMES:
        if name not in LOOPBACK and is_ip(name) and ":" not in name:
            urls.append(f"{request.scheme}://{name}{':' + port if port else ''}{path}")
    return list(dict.fromkeys(urls))


@teacher_required
@require_POST
def class_open(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _my_class(request, pk)
    classroom.open = request.POST.get("open") == "1"
    classroom.save(update_fields=["open"])
    return redirect(f"/classes/{pk}/")


@teacher_required
@require_POST
def revoke(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    classroom = _my_class(request, pk)
    student = get_object_or_404(get_user_model(), pk=user_id,
                                clusters__classroom=classroom)
    tokens.revoke(student)
    return redirect(f"/classes/{pk}/")


@teacher_required
@require_POST
def cluster_create(request: HttpRequest) -> HttpResponse:
    form = ClusterForm(request.POST)
    if form.is_valid():
        try:
            create_cluster(form.cleaned_data["slug"], preset=form.cleaned_data["preset"],
                           options=form.options(), owner=request.user)
        except (ValueError, TypeError, KeyError) as exc:
            form.add_error(None, _("The preset refused these options: %(error)s")
                           % {"error": exc})
    if not form.is_valid():
        return render(request, "classroom/form_errors.html", {"form": form}, status=400)
    return redirect("/")


@cluster_view
def kubeconfig(request: HttpRequest, slug: str) -> HttpResponse:
    """A kubeconfig with a fresh token of the signed-in user (the old one stops working)."""
    if not settings.TLS_PORT:  # kubectl would send no token to a plain-http server
        return HttpResponse(_("This server has no TLS endpoint for kubectl: start it with "
                              "make run (or set CLUSTERVIZ_TLS_PORT)."), status=503,
                            content_type="text/plain; charset=utf-8")
    document = kubeconfigs.issue(slug, kubeconfigs.base_for(request), request.user)
    response = HttpResponse(yaml.safe_dump(document, sort_keys=False),
                            content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="kubeconfig-{slug}"'
    response["Cache-Control"] = "no-store"
    return response


@cluster_view
@require_POST
def reset(request: HttpRequest, slug: str) -> HttpResponse:
    runner.reset(slug)
    return redirect(request.POST.get("back") if _local(request.POST.get("back")) else "/")


@cluster_view
@require_POST
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404(f"no cluster {slug}")  # students reset their cluster, never delete it
    for cluster in Cluster.objects.filter(slug=slug):
        classroom_id, pk = cluster.classroom_id, cluster.pk
        cluster.delete()
        engines.forget(pk)
        if classroom_id is not None:
            room_record.notify(classroom_id, slug, "deleted")  # its card leaves the roster
    return redirect(request.POST.get("back") if _local(request.POST.get("back")) else "/")


def _local(target: str | None) -> bool:
    return target is not None and target.startswith("/") and not target.startswith("//")

