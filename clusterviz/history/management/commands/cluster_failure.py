"""`manage.py cluster_failure SLUG ACTION NAME`: a failure demo from a script.

The same actions as the graph's node and pod menus (`operations.failures`): stop-kubelet,
start-kubelet, cordon, uncordon, drain on a node; delete, kill, readiness-fail,
readiness-succeed on a pod (`--namespace`, default `default`).
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from clusterviz.clusters.runtime import ClusterNotFound
from clusterviz.operations import failures
from clusterviz.web import Refused


class Command(BaseCommand):
    help = "Fail (or heal) a node or a pod of a cluster, as the graph's menus do."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("action", choices=failures.NODE_ACTIONS + failures.POD_ACTIONS)
        parser.add_argument("name", help="the node's or the pod's name")
        parser.add_argument("--namespace", default="default")

    def handle(self, slug: str, action: str, name: str, namespace: str,
               **options: object) -> None:
        try:
            done = failures.act(slug, action, name, namespace)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        except ClusterNotFound:
            raise CommandError(f"no cluster {slug}") from None
        for line in done["lines"]:
            self.stdout.write(line)
