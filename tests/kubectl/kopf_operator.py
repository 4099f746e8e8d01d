"""A tiny kopf operator that test_kopf.py runs against the live server (`kopf run`).

It handles ConfigMaps labelled `kopf-test=yes`: on creation it notes the
name and posts an Event about it (`kopf.info`), and its delete handler notes that the object was still there, marked
for deletion, when the handler ran. kopf keeps its finalizer on the object
for as long as the delete handler has not succeeded, so the notes show
whether the server honours finalizers. Notes go to the file named by
`KOPF_TEST_NOTES`, one line each.
"""

from __future__ import annotations

import os
from pathlib import Path

import kopf

NOTES = Path(os.environ.get("KOPF_TEST_NOTES", "kopf-notes.txt"))


def note(text: str) -> None:
    with NOTES.open("a") as out:
        out.write(text + "\n")


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_) -> None:
    settings.watching.server_timeout = 30
    settings.persistence.finalizer = "kopf.zalando.org/KopfFinalizerMarker"
    note("started")


@kopf.on.create("configmaps", labels={"kopf-test": "yes"})
def created(name: str, body: kopf.Body, **_) -> None:
    note(f"created {name}")
    # an Event posted the way kopf posts them: stamped with the wall clock
    kopf.info(body, reason="Noted", message=f"noted {name}")


@kopf.on.delete("configmaps", labels={"kopf-test": "yes"})
def deleted(name: str, meta: dict, **_) -> None:
    note(f"deleting {name} deletionTimestamp={'yes' if meta.get('deletionTimestamp') else 'no'}")
