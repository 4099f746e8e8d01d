"""A test server's ports: picked where no client connection takes them, and picked again
when another process got one first (a full run once lost a daphne that way)."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from bench import stack

pytest_plugins = ["service_fixtures"]


def test_a_free_port_lies_below_the_ephemeral_range_and_is_free():
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(50):
        port = stack.free_port()
        assert stack.LOWEST_PORT <= port < low
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_daphne_whose_port_was_taken_starts_on_other_ports(sqlite_env, processes,
                                                              monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        picks = iter([stack.free_port(), taken.getsockname()[1]])
        real = stack.free_port
        monkeypatch.setattr(stack, "free_port", lambda: next(picks, None) or real())
        server = processes.daphne(sqlite_env)
        assert server.tls_url.rsplit(":", 1)[1] != str(taken.getsockname()[1])
        with urllib.request.urlopen(server.url + "/", timeout=10) as answer:
            assert answer.status == 200
        assert "Listen failure" in processes.started[0].output()
