"""The long-lived threads (the ticker, the command-history writer) keep a healthy database
connection between passes and drop a broken one (clusterviz/dbthreads.py).

On a database file, as the app runs: the test database lives in memory, whose
connections Django never closes."""

from __future__ import annotations

import pytest
from django.db.utils import ConnectionHandler

from clusterviz import dbthreads
from clusterviz.settings import sqlite_database


@pytest.fixture
def connection(tmp_path, monkeypatch, django_db_blocker):
    """This thread's connection to a database file, the one `dbthreads` looks after."""
    handler = ConnectionHandler({"default": sqlite_database(str(tmp_path / "db.sqlite3"))})
    monkeypatch.setattr(dbthreads, "connections", handler)
    with django_db_blocker.unblock():  # a database of its own, not the test database
        yield handler["default"]
        handler.close_all()


def test_a_healthy_connection_is_kept_from_one_pass_to_the_next(connection):
    dbthreads.keep_usable_connections()
    connection.cursor().execute("SELECT 1")
    first = connection.connection
    dbthreads.keep_usable_connections()  # Django's close_old_connections closed it (age 0)
    connection.cursor().execute("SELECT 1")
    assert first is not None
    assert connection.connection is first


def test_a_connection_an_error_left_unusable_is_dropped_and_the_next_query_reconnects(
        connection, monkeypatch):
    connection.cursor().execute("SELECT 1")
    broken = connection.connection
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)  # a server that went away
    dbthreads.keep_usable_connections()
    assert connection.connection is None
    monkeypatch.undo()
    connection.cursor().execute("SELECT 1")
    assert connection.connection is not None
    assert connection.connection is not broken
