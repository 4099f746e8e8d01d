"""Settings from the environment: the small helpers, DATABASE_URL and REDIS_URL."""

from __future__ import annotations

import pytest

from clusterviz import settings as app_settings


@pytest.mark.parametrize("raw, expected", [
    pytest.param("", True, id="unset-is-default"),
    pytest.param("0", False, id="zero"),
    pytest.param("off", False, id="off"),
    pytest.param("False", False, id="false-any-case"),
    pytest.param("1", True, id="one"),
    pytest.param("yes", True, id="yes"),
])
def test_it_reads_a_strict_boolean(monkeypatch, raw, expected):
    monkeypatch.setenv("CLUSTERVIZ_TEST_FLAG", raw)
    assert app_settings.env_bool("CLUSTERVIZ_TEST_FLAG", True) is expected


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch):
    monkeypatch.setenv("CLUSTERVIZ_TEST_FLAG", "maybe")
    with pytest.raises(ValueError) as caught:
        app_settings.env_bool("CLUSTERVIZ_TEST_FLAG", True)
    assert str(caught.value) == ("CLUSTERVIZ_TEST_FLAG='maybe': expected one of 1, 0, true, "
                                 "false, yes, no, on, off")


def test_it_reads_numbers_and_defaults(monkeypatch):
    monkeypatch.setenv("CLUSTERVIZ_TEST_INT", "42")
    monkeypatch.setenv("CLUSTERVIZ_TEST_FLOAT", "0.25")
    monkeypatch.delenv("CLUSTERVIZ_TEST_UNSET", raising=False)
    assert app_settings.env_int("CLUSTERVIZ_TEST_INT", 1) == 42
    assert app_settings.env_float("CLUSTERVIZ_TEST_FLOAT", 1.0) == 0.25
    assert app_settings.env_int("CLUSTERVIZ_TEST_UNSET", 7) == 7


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "url").write_text("redis://10.0.0.5:6379/1\n")
    monkeypatch.setenv("CLUSTERVIZ_TEST_SECRET_FILE", str(tmp_path / "url"))
    assert app_settings.env_secret("CLUSTERVIZ_TEST_SECRET", "") == "redis://10.0.0.5:6379/1"


def test_it_defaults_to_tuned_sqlite():
    db = app_settings.database("")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"].endswith("db.sqlite3")
    assert db["OPTIONS"] == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE", "timeout": 20}


def test_it_syncs_every_sqlite_commit_when_told(monkeypatch):
    monkeypatch.setenv("CLUSTERVIZ_SQLITE_SYNCHRONOUS", "full")
    assert app_settings.database("")["OPTIONS"]["init_command"] == \
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"


def test_it_refuses_an_unknown_sqlite_synchronous(monkeypatch):
    monkeypatch.setenv("CLUSTERVIZ_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ValueError, match="NORMAL or FULL"):
        app_settings.database("")


def test_it_reads_a_sqlite_url():
    assert app_settings.database("sqlite:////var/lib/cv/db.sqlite3")["NAME"] == \
        "/var/lib/cv/db.sqlite3"


@pytest.mark.parametrize("url, expected", [
    pytest.param("postgres://cv:s%40cret@db.example:5433/clusters?sslmode=require",
                 {"NAME": "clusters", "USER": "cv", "PASSWORD": "s@cret", "HOST": "db.example",
                  "PORT": "5433", "OPTIONS": {"sslmode": "require"}}, id="everything"),
    pytest.param("postgresql://127.0.0.1/cv",
                 {"NAME": "cv", "USER": "", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "",
                  "OPTIONS": {}}, id="postgresql-scheme-no-user"),
])
def test_it_reads_a_postgres_url(url, expected):
    db = app_settings.database(url)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert {k: db[k] for k in expected} == expected
    assert db["CONN_HEALTH_CHECKS"] is True


def test_it_refuses_an_unknown_database_scheme():
    with pytest.raises(ValueError) as caught:
        app_settings.database("mysql://db/cv")
    assert str(caught.value) == ("DATABASE_URL mysql: expected sqlite:///path or "
                                 "postgres://user:password@host:port/name")


def test_it_uses_the_in_memory_layer_without_redis():
    assert app_settings.channel_layers("", 1000) == {"default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}


def test_it_uses_channels_redis_with_a_redis_url():
    assert app_settings.channel_layers("redis://cache:6379/2", 500) == {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": "redis://cache:6379/2", "socket_timeout": 15.0}],
                   "capacity": 500}}}


def test_each_installation_makes_its_own_secret_key_once(tmp_path):
    first, second = tmp_path / "one" / "secret-key", tmp_path / "two" / "secret-key"
    key = app_settings.installation_secret(first)
    assert app_settings.installation_secret(second) != key  # two installs, two keys
    assert app_settings.installation_secret(first) == key  # a restart keeps it
    assert len(key) >= 50 and first.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in first.parent.iterdir()) == ["secret-key"]


def _secret_key_of_a_fresh_process(env: dict) -> str:
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERVIZ_SECRET")} | env
    done = subprocess.run([sys.executable, "-c", "from clusterviz import settings; "
                           "print(settings.SECRET_KEY)"], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_the_server_reads_the_generated_key_unless_one_is_given(tmp_path):
    path = tmp_path / "secret-key"
    env = {"CLUSTERVIZ_SECRET_KEY_PATH": str(path)}
    started = _secret_key_of_a_fresh_process(env)
    assert started == path.read_text().strip()
    assert _secret_key_of_a_fresh_process(env) == started  # restarted: same sessions
    assert started != "clusterviz-development-only-secret-key"
    given = {**env, "CLUSTERVIZ_SECRET_KEY": "from-the-environment"}
    assert _secret_key_of_a_fresh_process(given) == "from-the-environment"
