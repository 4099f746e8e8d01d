"""Chunked lists: `limit`, `continue` tokens and `remainingItemCount`, as etcd3 storage does.

A client that lists with `limit=N` gets the first N objects in key order
(namespace, then name), a `continue` token when more remain, and, if it
used no selector, `remainingItemCount`. Each later page is read at the
first page's resourceVersion, so the pages together are one consistent
list even while the cluster changes in between. The token is the
apiserver's own encoding (base64url of `{"v":"meta.k8s.io/v1","rv":N,
"start":"<key>\\u0000"}`), so a token is as opaque, and as inspectable, as a
real server's.

The consistent read is rebuilt from the store's event log: the current
objects, with every later event of that resource undone, newest first (an
ADDED removed, a MODIFIED put back to its old object, a DELETED put back).
When the log no longer reaches back to the token's resourceVersion (etcd's
compaction), the answer is etcd3's 410 Expired, whose Status carries a
token that continues from the same key at the latest state (rv -1), which
a client may use for an inconsistent remainder. The trade-off: a page at
an old resourceVersion costs a walk over the events since; pages are
meant to be fetched one after the other, so that walk is short.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from simcore import errors
from simcore.resources import ResourceType
from simcore.store import Store

TOKEN_VERSION = "meta.k8s.io/v1"
EXPIRED = ("The provided continue parameter is too old to display a consistent list result. "
           "You can start a new list without the continue parameter, or use the continue token "
           "in this response to retrieve the remainder of the results. Continuing with the "
           "provided token results in an inconsistent list - objects that were created, "
           "modified, or deleted between the time the first chunk was returned and now may "
           "show up in the list.")


def key_of(obj: dict, namespace: str | None) -> str:
    """The object's key under the list's prefix: `name` in a namespace, else `ns/name`."""
    meta = obj["metadata"]
    return meta["name"] if namespace or not meta.get("namespace") else \
        f"{meta['namespace']}/{meta['name']}"


def encode_continue(rv: int, start: str) -> str:
    body = json.dumps({"v": TOKEN_VERSION, "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    """(resourceVersion, start key); a token this server could not have written is a 400."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        rv, start = data["rv"], data["start"]
        valid = data["v"] == TOKEN_VERSION and isinstance(rv, int) and isinstance(start, str)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError):
        valid = False
    if not valid or not start:
        raise errors.bad_request("invalid continue token: continue key is not valid: "
                                 "server does not recognize this encoding")
    return rv, start


def expired(start: str) -> errors.APIError:
    status = errors.status(410, "Expired", EXPIRED)
    status["metadata"] = {"continue": encode_continue(-1, start)}
    return errors.APIError(status)


def snapshot(store: Store, rt: ResourceType, namespace: str | None, rv: int) -> list[dict]:
    """The objects of `rt` (in `namespace`, or all) as they were at resourceVersion `rv`."""
    by_key = {(o["metadata"].get("namespace") or "", o["metadata"]["name"]): o
              for o in store.list(rt.group_resource, namespace)}
    later = [e for e in store.events_since(rv) if e.resource == rt.group_resource]
    for event in reversed(later):
        meta = event.object["metadata"]
        if namespace and meta.get("namespace") != namespace:
            continue
        key = (meta.get("namespace") or "", meta["name"])
        if event.type == "ADDED":
            by_key.pop(key, None)
        elif event.type == "MODIFIED" and event.old is not None:
            by_key[key] = event.old
        else:
            by_key[key] = event.object
    return list(by_key.values())


def page(items: list[dict], namespace: str | None, start: str, limit: int | None,
         rv: int, counted: bool) -> tuple[list[dict], dict]:
    """The page of sorted `items` from key `start`, and the list metadata that goes with it
    (`continue` and, when `counted` (no selector), `remainingItemCount`)."""
    if start:
        items = [o for o in items if key_of(o, namespace) >= start]
    meta: dict = {"resourceVersion": str(rv)}
    if limit is not None and 0 < limit < len(items):  # as etcd3: a limit of 0 or less is none
        last = items[limit - 1]
        meta["continue"] = encode_continue(rv, key_of(last, namespace) + "\x00")
        if counted:
            meta["remainingItemCount"] = len(items) - limit
        items = items[:limit]
    return items, meta


def read_page(store: Store, rt: ResourceType, namespace: str | None, limit: int | None,
              token: str | None, select: Callable[[list[dict]], list[dict]],
              counted: bool) -> tuple[list[dict], dict]:
    """One page of a list: `select` filters and sorts what the list's resourceVersion holds."""
    if not token:
        return page(select(store.list(rt.group_resource, namespace)), namespace, "", limit,
                    store.rv, counted)
    rv, start = decode_continue(token)
    if rv <= 0 or rv >= store.rv:  # rv -1: the remainder at the latest state
        items, rv = store.list(rt.group_resource, namespace), store.rv
    elif rv < store.log_start:
        raise expired(start)
    else:
        items = snapshot(store, rt, namespace, rv)
    return page(select(items), namespace, start, limit, rv, counted)
