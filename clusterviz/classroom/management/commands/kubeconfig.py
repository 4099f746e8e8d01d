"""`manage.py kubeconfig SLUG [--user NAME] [-o FILE]`: a kubeconfig with a fresh token.

For scripts and for `make run`, which writes the teacher's own. The server
is the https address `make run` serves on this machine (`--server` for
another); the user is the teacher account by default. Like a download, it
retires that user's earlier kubeconfig token for the cluster.
"""

from argparse import ArgumentParser
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clusterviz.classroom import kubeconfigs, tls
from clusterviz.classroom.management.commands.ensure_teacher import DEFAULT_TEACHER
from clusterviz.clusters.models import Cluster


class Command(BaseCommand):
    help = "Print (or write with -o) a kubeconfig for cluster SLUG with a fresh token."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--user", default=DEFAULT_TEACHER)
        parser.add_argument("-o", "--output", default=None)
        parser.add_argument("--server", default=None,
                            help="https://host:port (default: this machine's TLS endpoint)")

    def handle(self, slug: str, user: str, output: str | None, server: str | None,
               **options: object) -> None:
        if not Cluster.objects.filter(slug=slug).exists():
            raise CommandError(f"no cluster {slug}")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user} (python manage.py ensure_teacher)")
        if not settings.TLS_PORT and not server:
            raise CommandError("set CLUSTERVIZ_TLS_PORT (make run does) or --server")
        tls.ensure(settings.TLS_DIR, settings.SERVED_NAMES)
        base = server.rstrip("/") if server else kubeconfigs.https_base(settings.BIND_HOST)
        text = yaml.safe_dump(kubeconfigs.issue(slug, base, account), sort_keys=False)
        if output:
            Path(output).write_text(text)
            Path(output).chmod(0o600)
            self.stdout.write(f"kubeconfig for {slug} as {user} written to {output}")
        else:
            self.stdout.write(text, ending="")
