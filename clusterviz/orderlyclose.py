"""WebSocket connections that end with a FIN, never a reset: daphne's protocol, adapted.

autobahn (under daphne) ends a WebSocket it is closing by *aborting* the TCP
connection: at once when the client answers the close frame, and after
`closeHandshakeTimeout` (1 s) when the client has not answered yet. An abort is a
reset (SO_LINGER 0), and Twisted's `abortConnection` first throws away what is still
in its write buffer, TLS's close_notify included. So a kubectl that was slow to
answer (a loaded server: 1 exec in 240 here took longer than the second) could meet
the reset before it had read everything, and printed `"Copying stdout failed"
err="next reader: read tcp ...: connection reset by peer"` after a successful `kubectl
cp`; a reader that does see the end gets a TLS stream cut short (`EOF occurred in
violation of protocol`).

The API server ends an exec the way Go's WebSocket servers do: the close frame, then
an orderly close of the connection. This protocol does the same once a close
handshake has begun: `loseConnection` (Twisted flushes its buffer, TLS sends
close_notify, then a FIN), and an abort only if the peer still has not let go
LINGER seconds later, so a client that never reads cannot hold the connection.
Connections that never began closing (a dead peer's ping timeout, a protocol
error, an opening handshake that never finished) are aborted at once, as before.
"""

from __future__ import annotations

from daphne.ws_protocol import WebSocketProtocol
from twisted.python.failure import Failure

LINGER = 10.0  # seconds a closed connection may take to let go before it is reset


class OrderlyCloseProtocol(WebSocketProtocol):
    """daphne's WebSocket protocol, ending a closing handshake with a FIN."""

    _linger = None

    def dropConnection(self, abort: bool = False) -> None:
        if abort and self.state == self.STATE_CLOSING:
            abort = False
            self._linger = self.factory.reactor.callLater(LINGER, self._reset_lingering)
        super().dropConnection(abort)

    def _reset_lingering(self) -> None:
        self._linger = None
        self.transport.abortConnection()

    def connectionLost(self, reason: Failure | None = None) -> None:
        if self._linger is not None and self._linger.active():
            self._linger.cancel()
        self._linger = None
        super().connectionLost(reason)
