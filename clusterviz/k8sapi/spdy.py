"""SPDY/3.1 framing, the server's half: what `kubectl port-forward` speaks inside its socket.

kubectl 1.30 and newer open `pods/x/portforward` as a WebSocket offering the
subprotocol `SPDY/3.1+portforward.k8s.io`: the bytes of an ordinary SPDY
session travel in binary messages (the API server's stream tunnel, client-go's
TunnelingConnection), frames split across messages as a TCP stream would
split them. Over that session kubectl opens two streams per local
connection (the error stream and the data stream) and the server answers
each SYN_STREAM with a SYN_REPLY, echoes PINGs, and ends a stream with an
empty DATA frame carrying FIN.

Only what that conversation needs is here: frames are read from a byte
buffer (`Reader.feed`), header blocks are zlib streams primed with the
SPDY/3 dictionary (spec section 2.6.10.1) and shared by all frames of one
direction, so one compressor and one decompressor live per connection.
Flow control (WINDOW_UPDATE) is read and ignored, as Go's spdystream
ignores it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = (
    1, 2, 3, 4, 6, 7, 8, 9)
FLAG_FIN = 0x01
MAX_FRAME = 16 * 1024 * 1024  # the 24-bit length's limit
DATA_CHUNK = 32 * 1024  # bytes per DATA frame written

# The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1):
# length-prefixed header words, then status codes, reasons, dates and common values.
_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding "
    "accept-language accept-ranges age allow authorization cache-control connection "
    "content-base content-encoding content-language content-length content-location "
    "content-md5 content-range content-type date etag expect expires from host if-match "
    "if-modified-since if-none-match if-range if-unmodified-since last-modified location "
    "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after "
    "server te trailer transfer-encoding upgrade user-agent vary via warning "
    "www-authenticate method get status |200 OK| version HTTP/1.1 url public set-cookie "
    "keep-alive origin")
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502"
    "504505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad "
    "Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not "
    "Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec "
    "00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,"
    "image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
    "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")


def _dictionary() -> bytes:
    words = _WORDS.replace("|200 OK|", "200\x00OK").split()
    out = b"".join(struct.pack(">I", len(w)) + w.replace("\x00", " ").encode() for w in words)
    return out + _TAIL.encode()


DICTIONARY = _dictionary()


@dataclass(frozen=True)
class Frame:
    """A control frame (`kind` > 0) or a DATA frame (`kind` 0)."""

    kind: int
    flags: int
    stream: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""
    value: int = 0  # PING's id, RST_STREAM's and GOAWAY's status

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class ProtocolError(Exception):
    """The peer sent something that is not SPDY/3."""


class Reader:
    """Frames out of a byte stream fed in arbitrary pieces (bounded by MAX_FRAME)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.inflate = zlib.decompressobj(zdict=DICTIONARY)

    def feed(self, data: bytes) -> list[Frame]:
        self.buffer += data
        frames = []
        while len(self.buffer) >= 8:
            length = int.from_bytes(self.buffer[5:8], "big")
            if len(self.buffer) < 8 + length:
                break
            head, body = bytes(self.buffer[:8]), bytes(self.buffer[8:8 + length])
            del self.buffer[:8 + length]
            frame = self._frame(head, body)
            if frame is not None:
                frames.append(frame)
        return frames

    def _frame(self, head: bytes, body: bytes) -> Frame | None:
        flags = head[4]
        if not head[0] & 0x80:
            return Frame(0, flags, int.from_bytes(head[:4], "big") & 0x7FFFFFFF, data=body)
        version = int.from_bytes(head[:2], "big") & 0x7FFF
        if version != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version}")
        kind = int.from_bytes(head[2:4], "big")
        stream = int.from_bytes(body[:4], "big") & 0x7FFFFFFF if len(body) >= 4 else 0
        if kind == SYN_STREAM:
            return Frame(kind, flags, stream, self._headers(body[10:]))
        if kind in (SYN_REPLY, HEADERS):
            return Frame(kind, flags, stream, self._headers(body[4:]))
        if kind in (RST_STREAM, GOAWAY):
            return Frame(kind, flags, stream, value=int.from_bytes(body[4:8], "big"))
        if kind == PING:
            return Frame(kind, flags, value=stream)
        return None  # SETTINGS, WINDOW_UPDATE and the rest: nothing to do

    def _headers(self, block: bytes) -> dict[str, str]:
        try:
            raw = self.inflate.decompress(block)
        except zlib.error as exc:
            raise ProtocolError(f"bad header block: {exc}") from exc
        return _parse_headers(raw)


def _parse_headers(raw: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    try:
        (count,), at = struct.unpack_from(">I", raw), 4
        for _ in range(count):
            (size,) = struct.unpack_from(">I", raw, at)
            name = raw[at + 4:at + 4 + size].decode("latin-1")
            at += 4 + size
            (size,) = struct.unpack_from(">I", raw, at)
            headers[name.lower()] = raw[at + 4:at + 4 + size].decode("latin-1")
            at += 4 + size
    except struct.error as exc:
        raise ProtocolError("truncated header block") from exc
    return headers


class Writer:
    """Frames as bytes, with the connection's header compressor."""

    def __init__(self) -> None:
        self.deflate = zlib.compressobj(zlib.Z_BEST_COMPRESSION, zlib.DEFLATED, 15, 8,
                                        zlib.Z_DEFAULT_STRATEGY, DICTIONARY)

    def _control(self, kind: int, flags: int, body: bytes) -> bytes:
        return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(body)) + body

    def _block(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers)) + b"".join(
            struct.pack(">I", len(k)) + k.encode("latin-1") +
            struct.pack(">I", len(v)) + v.encode("latin-1") for k, v in headers.items())
        return self.deflate.compress(raw) + self.deflate.flush(zlib.Z_SYNC_FLUSH)

    def syn_reply(self, stream: int, headers: dict[str, str] | None = None) -> bytes:
        return self._control(SYN_REPLY, 0, struct.pack(">I", stream) +
                             self._block(headers or {}))

    def ping(self, ping_id: int) -> bytes:
        return self._control(PING, 0, struct.pack(">I", ping_id))

    def rst_stream(self, stream: int, status: int) -> bytes:
        return self._control(RST_STREAM, 0, struct.pack(">II", stream, status))

    def goaway(self, last_stream: int) -> bytes:
        return self._control(GOAWAY, 0, struct.pack(">II", last_stream, 0))

    def data(self, stream: int, payload: bytes, fin: bool = False) -> bytes:
        """DATA frames for `payload` (FIN on the last; an empty FIN frame when empty)."""
        chunks = [payload[i:i + DATA_CHUNK] for i in range(0, len(payload), DATA_CHUNK)]
        chunks = chunks or [b""]
        out = b""
        for index, chunk in enumerate(chunks):
            flags = FLAG_FIN if fin and index == len(chunks) - 1 else 0
            out += struct.pack(">II", stream & 0x7FFFFFFF, (flags << 24) | len(chunk)) + chunk
        return out
