"""The page of a shell in a pod: `/clusters/<slug>/pods/<namespace>/<pod>/shell`.

An xterm.js terminal joined to the web shell socket (k8sapi/webshell.py),
so a student without a kubectl of their own gets what `kubectl exec -it
<pod> -- sh` gives: the prompt, editing keys, Ctrl-C, `exit`. The page is
its own (the Terminal tab runs one-shot kubectl command lines); the pod,
container and command come from the URL, `?container=` and `?command=`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from clusterviz import csp
from clusterviz.classroom.doors import cluster_view
from clusterviz.clusters.models import Cluster

SHELLS = ("sh", "bash", "ash")


@cluster_view
@csp.inline_styles  # xterm.js writes <style> elements (clusterviz/csp.py)
def shell_page(request: HttpRequest, slug: str, namespace: str, name: str) -> HttpResponse:
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None:
        raise Http404(f"no cluster {slug}")
    command = request.GET.get("command") or "sh"
    if command not in SHELLS:
        command = "sh"  # the page opens shells; other commands belong to the Terminal tab
    query = f"?command={command}"
    container = request.GET.get("container") or ""
    if container:
        query += f"&container={container}"
    config = {"socket": f"/ws/clusters/{slug}/shell/{namespace}/{name}{query}",
              "static": settings.STATIC_URL}
    return render(request, "dashboard/shell.html",
                  {"cluster": cluster, "namespace": namespace, "pod": name, "command": command,
                   "page_config": config})
