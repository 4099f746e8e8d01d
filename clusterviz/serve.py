"""`python -m clusterviz.serve [--header-timeout S] <daphne's arguments>`: daphne, with a
deadline on request headers and WebSockets that close with a FIN (orderlyclose.py).

daphne (4.2.3) bounds a response (`--http-timeout`, which would cut off
`kubectl get -w` and every other long watch) and a websocket's handshake,
but not a client that sends its request headers slowly: Twisted's
HTTPChannel has only an idle timeout (60 s), reset by every byte, so a
client that trickles one header byte a minute holds a connection for ever,
and 2,000 of them hold 2,000. This launcher gives every request a deadline
for its headers, as nginx's `client_header_timeout` does: from the moment a
connection opens (or, on a kept-alive connection, from the first byte of
the next request) until the blank line that ends the headers. A connection
that misses it is closed the way Twisted closes an idle one (a FIN, then an
abort if the client does not let go). Once the headers are in, the deadline
is off: a watch, a log follow or an upgraded websocket lasts as long as it
legitimately does.

It runs daphne's own command line with one substitution: `daphne.server`
builds its HTTP factory from the module name `HTTPFactory`, so the launcher
puts its subclass there before the server starts. The channel is built as
Twisted builds it (`_GenericHTTPChannelProtocol` around an `HTTPChannel`),
with Twisted pinned in pyproject.toml since that name is private. The
trade-off: one wrapper command instead of the bare `daphne`; `make run` and
the tests' server both use it, so what is tested is what runs.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys

from daphne import server as daphne_server
from daphne import ws_protocol
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory
from twisted.internet.base import DelayedCall
from twisted.internet.protocol import connectionDone
from twisted.python.failure import Failure
from twisted.web import http

from clusterviz.orderlyclose import OrderlyCloseProtocol

HEADER_TIMEOUT = 20.0  # seconds from connect (or a request's first byte) to its last header
log = logging.getLogger(__name__)


class HeaderDeadlineChannel(http.HTTPChannel):
    """An HTTPChannel that closes a connection whose request headers are too slow."""

    header_timeout: float = HEADER_TIMEOUT
    _header_deadline: DelayedCall | None = None

    def connectionMade(self) -> None:
        super().connectionMade()
        self._start_header_deadline()

    def dataReceived(self, data: bytes) -> None:
        if data and not self._handlingRequest:
            self._start_header_deadline()  # the next request on a kept-alive connection
        super().dataReceived(data)

    def allHeadersReceived(self) -> None:
        self._cancel_header_deadline()
        super().allHeadersReceived()

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self._cancel_header_deadline()
        super().connectionLost(reason)

    def _start_header_deadline(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.callLater(self.header_timeout, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            if self._header_deadline.active():
                self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        # zope.interface declares getPeer without self: calling it through the ITransport
        # annotation needs the mypy-zope plugin, which is not pinned
        transport = self.transport
        peer = transport.getPeer() if transport is not None else None  # type: ignore[misc]
        log.info("closing %s: no complete request headers within %s s",
                 peer, self.header_timeout)
        self.timeoutConnection()  # Twisted's own close: FIN now, abort if the peer lingers


class HeaderDeadlineFactory(HTTPFactory):
    """daphne's HTTP factory, building HeaderDeadlineChannels."""

    # Twisted's ServerFactory.buildProtocol calls self.protocol()
    def protocol(self) -> http._GenericHTTPChannelProtocol:
        return http._GenericHTTPChannelProtocol(HeaderDeadlineChannel())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--header-timeout", type=float, default=HEADER_TIMEOUT)
    ours, daphne_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if not (math.isfinite(ours.header_timeout) and ours.header_timeout > 0):
        parser.error("--header-timeout must be a positive number of seconds")
    HeaderDeadlineChannel.header_timeout = ours.header_timeout
    daphne_server.HTTPFactory = HeaderDeadlineFactory
    ws_protocol.WebSocketFactory.protocol = OrderlyCloseProtocol
    CommandLineInterface().run(daphne_args)


if __name__ == "__main__":
    main()
