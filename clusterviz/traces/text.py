"""A trace step's sentence in the reader's language.

simcore gives each step its English `detail` and, beside it, the same sentence as data
(`message`: an id from `simcore.tracetext.TEMPLATES` and named arguments). Here the
template goes through Django's gettext (the English template is the msgid, extracted from
simcore/tracetext.py by `makemessages`), so the trace reads in the page's language while
the names, addresses and numbers in it stay as the cluster has them.

A step without a message (one stored before messages existed, a tool's quoted error, a
message whose id this version no longer knows) shows its stored `detail`: old traces keep
rendering, in the language they were written in.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from simcore.tracetext import render


def said(message: object, fallback: str) -> str:
    """`message` rendered in the active language, or `fallback` when it cannot be."""
    if isinstance(message, Mapping):
        try:
            return render(message, gettext)  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError, AttributeError):  # an odd stored message
            pass
    return fallback


def step_text(step: Mapping) -> str:
    """The line a person reads for one trace step."""
    return said(step.get("message"), str(step.get("detail") or ""))
