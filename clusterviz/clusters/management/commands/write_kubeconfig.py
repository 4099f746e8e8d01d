"""`manage.py write_kubeconfig SLUG BASE_URL PATH`: the kubeconfig `make run` points kubectl at."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from clusterviz.clusters.views import kubeconfig_for


class Command(BaseCommand):
    help = "Write a kubeconfig for a cluster served at BASE_URL (e.g. http://127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("base_url")
        parser.add_argument("path")

    def handle(self, slug, base_url, path, **options):
        text = yaml.safe_dump(kubeconfig_for(slug, base_url.rstrip("/")), sort_keys=False)
        Path(path).write_text(text)
        self.stdout.write(f"kubeconfig for {slug} written to {path}")
