"""`manage.py cluster_restore SLUG AT`: restore a cluster to a moment of its timeline.

`AT` is in timeline seconds, as `GET /clusters/<slug>/history` lists them (marks,
restore points); `--list` prints the restore points instead.
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.history import past, restore
from clusterviz.web import Refused


class Command(BaseCommand):
    help = "Put a cluster's whole state back as it was at a moment of its timeline."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("at", type=float, nargs="?")
        parser.add_argument("--list", action="store_true", help="print the restore points")

    def handle(self, slug: str, at: float | None, list: bool, **options: object) -> None:
        try:
            if list or at is None:
                line = past.timeline(slug)
                for point in line["restore_points"]:
                    self.stdout.write(f"{point:.3f}")
                return
            done = restore.restore(slug, at)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        except ClusterNotFound:
            raise CommandError(f"no cluster {slug}") from None
        self.stdout.write(f"restored to {done['restored_to']:.3f}: {done['label']}")
