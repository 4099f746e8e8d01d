"""`manage.py runsim`: run the clusters' clocks outside daphne, until SIGTERM.

The scaled-out shape: several daphne processes with `CLUSTERVIZ_TICKER=0`
serve the API, and one or more runsim processes advance every cluster whose
earliest timer is due, all sharing PostgreSQL and Redis. The loop is the
in-process ticker's (`clusters.ticker.run`), hosted on an asyncio loop of
its own: the catch-up runs in a worker thread, and the changes it publishes
go back through that one loop, where channels_redis keeps its connections.
SIGTERM or SIGINT sets a flag the loop checks between passes, so a pass in
progress finishes (or loses its compare-and-swap harmlessly) before exit.
"""

import asyncio
import signal
from argparse import ArgumentParser
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand

from clusterviz import tuning
from clusterviz.clusters import ticker

IN_MEMORY = "channels.layers.InMemoryChannelLayer"


class Command(BaseCommand):
    help = "Advance the clocks of clusters with due timers until SIGTERM (scaled-out setups)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=None,
                            help="seconds between passes (default: CLUSTERVIZ_TICK_SECONDS)")

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stdout.write(f"runsim: received signal {signum}, stopping after this pass")
        self.shutdown = True

    def report(self, advanced: int) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"runsim: advanced {advanced} cluster(s)")
            self.stdout.flush()

    def handle(self, interval: float | None, verbosity: int, **options: object) -> None:
        tuning.tune()  # this process holds simulated clusters: see clusterviz/tuning.py
        self.shutdown, self.verbosity = False, verbosity
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        if settings.CHANNEL_LAYERS["default"]["BACKEND"] == IN_MEMORY:
            self.stderr.write("runsim: the in-memory channel layer reaches no other process; "
                              "set REDIS_URL so listeners in daphne see the clocks' changes")
        self.stdout.write("runsim is now running")
        self.stdout.flush()
        asyncio.run(ticker.run(lambda: self.shutdown, interval, self.report))
        self.stdout.write("runsim stopped")
