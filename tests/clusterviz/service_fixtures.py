"""Real services for the tests that need them: PostgreSQL, Redis, daphne and runsim processes.

Imported by test modules through `pytest_plugins` (a conftest.py here would
shadow tests/conftest.py). The services start as `bench.stack` starts them (the
benches on the scaled-out stack share it); here they are fixtures, and a
service this machine lacks skips the tests that need it with the reason
(`make test` installs PostgreSQL and Redis).
"""

from __future__ import annotations

import pytest

from bench import stack
from bench.stack import (  # noqa: F401 (the test modules import these from here)
    Processes,
    api_token,
    app_env,
    change_log_rvs,
    manage,
    query,
)


@pytest.fixture(scope="session")
def postgres():
    try:
        with stack.postgres() as server:
            yield server
    except stack.Unavailable as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    try:
        with stack.redis(tmp_path_factory.mktemp("redis")) as server:
            yield server.url
    except stack.Unavailable as missing:
        pytest.skip(str(missing))


@pytest.fixture
def sqlite_env(tmp_path) -> dict:
    """The environment of ClusterViz processes sharing a fresh, migrated SQLite database."""
    env = app_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage(env, "migrate", "--noinput", "-v0")
    return env


@pytest.fixture
def run_manage():
    return manage


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="module")
def module_processes(tmp_path_factory):
    started = Processes(tmp_path_factory.mktemp("processes"))
    try:
        yield started
    finally:
        started.stop_all()
