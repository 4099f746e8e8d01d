"""The suite's own database: a thread may write a table another thread is reading (a view
in a worker thread while a consumer reads), as on the file database the app runs on."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_a_write_in_one_thread_does_not_fail_on_a_read_open_in_another():
    users = get_user_model().objects
    for n in range(3):
        users.create_user(f"reader-{n}")
    failures: list[BaseException] = []

    def write() -> None:
        try:
            users.create_user("writer")
        except BaseException as exc:  # the assertion below shows it
            failures.append(exc)
        finally:
            connection.close()

    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM auth_user")
        cursor.fetchone()  # the statement stays open: its table read lock is held
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)
    assert failures == []
    assert users.filter(username="writer").exists()
