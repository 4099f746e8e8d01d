"""Pages about clusters outside the Kubernetes API: a plain index and the kubeconfig."""

from __future__ import annotations

import yaml
from django.http import Http404, HttpRequest, HttpResponse

from clusterviz.clusters.models import Cluster

KUBECONFIG_TOKEN = "clusterviz"  # kubectl sends no credentials over http anyway


def index(request: HttpRequest) -> HttpResponse:
    slugs = list(Cluster.objects.order_by("slug").values_list("slug", flat=True))
    lines = ["ClusterViz", "", "Clusters:"] + [
        f"  {s}: kubeconfig at /clusters/{s}/kubeconfig" for s in slugs]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def kubeconfig_for(slug: str, base_url: str) -> dict:
    """A kubeconfig whose only context points kubectl at the cluster's API base URL."""
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": slug, "cluster": {
            "server": f"{base_url}/k8s/clusters/{slug}", "insecure-skip-tls-verify": True}}],
        "users": [{"name": f"{slug}-student", "user": {"token": KUBECONFIG_TOKEN}}],
        "contexts": [{"name": slug, "context": {"cluster": slug, "user": f"{slug}-student",
                                                "namespace": "default"}}],
        "current-context": slug,
    }


def kubeconfig(request: HttpRequest, slug: str) -> HttpResponse:
    if not Cluster.objects.filter(slug=slug).exists():
        raise Http404(f"no cluster {slug}")
    base = f"{request.scheme}://{request.get_host()}"
    text = yaml.safe_dump(kubeconfig_for(slug, base), sort_keys=False)
    return HttpResponse(text, content_type="application/yaml")
