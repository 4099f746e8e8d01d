from pathlib import Path

import pytest
from django.db.backends.signals import connection_created
from django.dispatch import receiver

SHARED = Path(__file__).resolve().parents[2] / "shared"
LECTURE = SHARED / "lecture"
COURSE = SHARED / "course"


@pytest.fixture
def lecture_file():
    def read(name: str) -> str:
        return (LECTURE / name).read_text()
    return read


# Django's in-memory test database is shared between threads through SQLite's shared cache,
# whose table locks fail at once ("database table is locked") instead of waiting: a test
# whose view ran in a worker thread while a consumer read the same table failed now and
# then. Reads that take no table lock (read_uncommitted, which only shared-cache
# connections heed) leave only two writers to contend, which the tests do not do.
@receiver(connection_created)
def _reads_take_no_table_lock(sender, connection, **kwargs):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.connection.execute("PRAGMA read_uncommitted = 1")
