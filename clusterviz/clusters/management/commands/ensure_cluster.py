"""`manage.py ensure_cluster SLUG`: create the cluster from its preset unless it exists."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from clusterviz.clusters.models import Cluster
from clusterviz.clusters.runtime import create_cluster


class Command(BaseCommand):
    help = "Create a cluster from a preset if no cluster with that slug exists."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--preset", default="lecture")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--speed", type=float, default=1.0)
        parser.add_argument("--lb-pool", action="append", default=[], metavar="RANGE",
                            help="LoadBalancer address pool: a.b.c.d-a.b.c.e, a CIDR or an "
                                 "address (repeat, or separate with commas)")

    def handle(self, slug: str, preset: str, seed: int, speed: float, lb_pool: list[str],
               **options: object) -> None:
        if Cluster.objects.filter(slug=slug).exists():
            self.stdout.write(f"cluster {slug} exists")
            return
        chosen = {"lb_pool": lb_pool} if lb_pool else {}
        try:
            create_cluster(slug, preset=preset, seed=seed, speed=speed, options=chosen)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"cluster {slug} created from preset {preset}")
