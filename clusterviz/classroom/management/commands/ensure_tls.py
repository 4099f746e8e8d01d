"""`manage.py ensure_tls [--port PORT]`: the local CA (once) and a certificate for the names
served, then where the pages and the API are (what `make run` prints)."""

from argparse import ArgumentParser

from django.conf import settings
from django.core.management.base import BaseCommand

from clusterviz.classroom import tls
from clusterviz.classroom.netnames import LOOPBACK, WILDCARDS, is_ip


class Command(BaseCommand):
    help = "Create the local CA once and a server certificate covering the served names."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=None, help="the pages' http port")

    def handle(self, port: int | None, **options: object) -> None:
        files = tls.ensure(settings.TLS_DIR, settings.SERVED_NAMES)
        self.stdout.write(f"TLS certificate for {', '.join(tls.covered_names(files.cert))}")
        if port is None:
            return
        hosts = ["127.0.0.1"]
        if settings.BIND_HOST in WILDCARDS:
            hosts += [n for n in settings.SERVED_NAMES
                      if n not in LOOPBACK and is_ip(n) and ":" not in n]
        elif settings.BIND_HOST not in LOOPBACK:
            hosts = [settings.BIND_HOST]
        for host in hosts:
            self.stdout.write(f"ClusterViz pages: http://{host}:{port}/   "
                              f"Kubernetes API (kubectl): https://{host}:{settings.TLS_PORT}/")
