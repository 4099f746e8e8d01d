"""simcore's explanations in the reader's language: a trace step's sentence, the upload
preview's wiring account.

simcore gives each step its English `detail` and, beside it, the same sentence as data
(`message`: an id from `simcore.tracetext.TEMPLATES` and named arguments). Here the
template goes through Django's gettext (the English template is the msgid, extracted from
simcore/tracetext.py by `makemessages`), so the trace reads in the page's language while
the names, addresses and numbers in it stay as the cluster has them.

The preview's wiring (`simcore.wiring`) carries messages the same way, on each section's
title and each line; `wiring_text` renders them and rebuilds the list of problems from the
rendered lines, so the Upload tab needs no change and never sees the message data.

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


def wiring_text(wiring: dict) -> dict:
    """`simcore.wiring.analyze`'s answer with its titles and lines in the active language
    (and its problems, which repeat the problem lines under `kind/name: `)."""
    sections = [_section(s) for s in wiring.get("sections") or []]
    problems = [f"{s['kind'].lower()}/{s['name']}: {line['text']}" for s in sections
                for line in s["lines"] if line["problem"]]
    return {**wiring, "sections": sections, "problems": problems}


def _section(section: dict) -> dict:
    out = {k: v for k, v in section.items() if k != "title_message"}
    out["title"] = said(section.get("title_message"), str(section.get("title") or ""))
    out["lines"] = [{"text": said(line.get("message"), str(line.get("text") or "")),
                     "problem": bool(line.get("problem"))} for line in section["lines"]]
    return out
