"""Database connections of the long-lived threads: kept while they work.

Django opens a connection per thread and, around each request, closes it
when it is older than CONN_MAX_AGE (`close_old_connections`). With the
default of 0 that is every time: right for a request's own thread, which
ends with the request, but the clock's ticker and the command-history
writer are threads that live as long as the process, and calling it before
each pass or line made them open a new connection every time (SQLite: a
file open and the WAL pragmas, 12 % of a create's CPU in the history writer
alone; PostgreSQL: a TCP connection and its authentication).
"""

from __future__ import annotations

from django.db import connections


def keep_usable_connections() -> None:
    """What `close_old_connections` does for a thread that outlives requests: a connection
    an error left unusable, or left outside autocommit, is closed (the next query opens a
    new one); a healthy one is kept whatever its age."""
    for connection in connections.all(initialized_only=True):
        connection.close_at = None  # no request ends this thread's connection
        connection.close_if_unusable_or_obsolete()
