"""Bearer tokens for the Kubernetes API: issued once, stored hashed, looked up per request.

A token is 32 random bytes, URL-safe, prefixed `cvz_` so that a leaked one
is recognisable in a log or a paste. Only its SHA-256 is stored: a stolen
database does not hand out working tokens, and since the token is random
and long a plain hash (no salt, no slow KDF) is enough and keeps the lookup
one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User

from clusterviz.classroom.models import ApiToken

PREFIX = "cvz_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, slug: str, purpose: str = ApiToken.KUBECONFIG, replace: bool = True) -> str:
    """A fresh token for `user`; it replaces their earlier one for this cluster and purpose
    (unless `replace` is off: the Terminal's per-run tokens, forgotten after the run)."""
    token = PREFIX + secrets.token_urlsafe(32)
    if replace:
        ApiToken.objects.filter(user=user, cluster_slug=slug, purpose=purpose).delete()
    ApiToken.objects.create(user=user, cluster_slug=slug, purpose=purpose, digest=digest(token))
    return token


def forget(token: str) -> None:
    ApiToken.objects.filter(digest=digest(token)).delete()


def revoke(user: User) -> int:
    """Delete every token of `user` (the teacher's revoke); the count deleted."""
    deleted: int = ApiToken.objects.filter(user=user).delete()[0]
    return deleted


def user_for(token: str) -> User | None:
    """The active user the token belongs to, or None."""
    row = row_for(token)
    return row.user if row is not None else None


def row_for(token: str) -> ApiToken | None:
    """The token's row (its user loaded) when it names an active user, else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    # [:1], not first(): the digest is unique, and first()'s ORDER BY cost every request
    row: ApiToken | None = next(iter(ApiToken.objects.filter(digest=digest(token))
                                     .select_related("user")[:1]), None)
    if row is None or not row.user.is_active:
        return None
    return row


def bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


