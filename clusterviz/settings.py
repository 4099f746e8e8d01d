"""Settings, read from environment variables with defaults that work on a laptop.

The embedded default is one daphne process, SQLite and the in-memory channel
layer. SQLite runs in WAL mode with `BEGIN IMMEDIATE` transactions so that
concurrent writers queue for the lock instead of failing with "database is
locked". `DATABASE_URL` and `REDIS_URL` are read so deployments can name them
already; only SQLite and the in-memory layer are wired in this version (a
PostgreSQL or Redis URL fails loudly at start rather than being ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("CLUSTERVIZ_SECRET_KEY", "clusterviz-development-only-secret-key")
DEBUG = os.environ.get("CLUSTERVIZ_DEBUG", "") == "1"
ALLOWED_HOSTS = _env_list("CLUSTERVIZ_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "channels",
    "clusterviz.clusters",
    "clusterviz.k8sapi",
]

MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
]

# kubectl's paths never end in a slash; a redirect would break every request.
APPEND_SLASH = False
ROOT_URLCONF = "clusterviz.urls"
ASGI_APPLICATION = "clusterviz.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
              "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True, "OPTIONS": {}}]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite:///"):
        raise RuntimeError(f"DATABASE_URL {url.split(':', 1)[0]}: only sqlite:/// is supported "
                           "in this version")
    path = url.removeprefix("sqlite:///") if url else str(BASE_DIR / "db.sqlite3")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE",
                    "timeout": 20},
        "TEST": {"NAME": os.environ.get("CLUSTERVIZ_TEST_DB") or None},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    raise RuntimeError("REDIS_URL: the Redis channel layer is not wired in this version")
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The Kubernetes API checks body sizes itself (413 with the API server's Status);
# Django's own limit would answer first with a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = None
K8S_MAX_BODY_BYTES = int(os.environ.get("CLUSTERVIZ_MAX_BODY_BYTES", 3 * 1024 * 1024))
CHANGE_LOG_LIMIT = int(os.environ.get("CLUSTERVIZ_CHANGE_LOG_LIMIT", 5000))

USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": os.environ.get("CLUSTERVIZ_LOG", "WARNING")}}
