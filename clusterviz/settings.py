"""Settings, read from environment variables with defaults that work on a laptop.

The embedded default is one daphne process, SQLite and the in-memory channel
layer. SQLite runs in WAL mode with `BEGIN IMMEDIATE` transactions so that
concurrent writers queue for the lock instead of failing with "database is
locked". Scaled out, `DATABASE_URL=postgres://user:password@host:5432/name`
switches to PostgreSQL (psycopg 3) and `REDIS_URL=redis://host:6379/0` to
`channels_redis`, so several daphne processes and `manage.py runsim` share one
database and one channel layer; `CLUSTERVIZ_TICKER=0` then switches the
in-process clock ticker off and leaves the clocks to runsim.

The environment is read through a few tiny helpers (healthchecks' pattern):
a strict boolean that refuses anything but 0/1/true/false/yes/no/on/off, an
int and a float that fail loudly on garbage, and a secret that may come from
a file named by `<NAME>_FILE`. A bad value stops the process at start, which
beats a misconfigured cluster that seems to run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from clusterviz.classroom.netnames import allowed_host, served_names

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r}: expected one of 1, 0, true, false, yes, no, on, off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def env_secret(name: str, default: str) -> str:
    """`NAME`, or the contents of the file `NAME_FILE` names (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def installation_secret(path: Path) -> str:
    """The key stored at `path`, made once (0600) when there is none yet.

    Written to a private temporary file and linked into place, so two
    processes starting together (daphne and `manage.py`) agree on one key.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(50) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made it first: theirs is the key
    finally:
        draft.unlink()
    return path.read_text().strip()


# Sessions and signed values need a key no one else knows: given, or made once per
# installation in a file outside the tracked files, so a restart keeps the sessions.
SECRET_KEY = env_secret("CLUSTERVIZ_SECRET_KEY", "") or installation_secret(
    Path(os.environ.get("CLUSTERVIZ_SECRET_KEY_PATH") or BASE_DIR / ".venv" / "secret-key"))
DEBUG = env_bool("CLUSTERVIZ_DEBUG", False)
# Where daphne listens (`make run HOST=...`) decides the names clients may use: every
# address of the machine when bound to all of them (classroom.netnames), plus
# CLUSTERVIZ_TLS_NAMES; they go into the TLS certificate and ALLOWED_HOSTS alike.
BIND_HOST = os.environ.get("CLUSTERVIZ_BIND", "127.0.0.1")
SERVED_NAMES = served_names(BIND_HOST, _env_list("CLUSTERVIZ_TLS_NAMES", ""))
ALLOWED_HOSTS = (_env_list("CLUSTERVIZ_ALLOWED_HOSTS", "")
                 or [*(allowed_host(n) for n in SERVED_NAMES), "testserver"])
# The Kubernetes API over https (kubectl sends its token only over TLS): the port of
# daphne's TLS endpoint (0: none) and the CA and certificate `manage.py ensure_tls` made.
TLS_PORT = env_int("CLUSTERVIZ_TLS_PORT", 0)
TLS_DIR = Path(os.environ.get("CLUSTERVIZ_TLS_DIR") or BASE_DIR / ".venv" / "tls")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "channels",
    "clusterviz.classroom",
    "clusterviz.clusters",
    "clusterviz.k8sapi",
    "clusterviz.dashboard",
    "clusterviz.traces",
    "clusterviz.lessons",
    "clusterviz.history",
    "clusterviz.room",
]

# Django's own middleware, each called inline on the event loop where its hook cannot
# block, instead of a hop to a thread per hook (clusterviz/loopmiddleware.py).
MIDDLEWARE = [
    "clusterviz.loopmiddleware.SecurityMiddleware",
    "clusterviz.loopmiddleware.SessionMiddleware",
    "clusterviz.origin.ForeignOriginMiddleware",
    # The page's language (cookie, else Accept-Language), before CommonMiddleware as
    # Django's docs place it; the lecture's lessons prefer Korean (clusterviz/i18n.py).
    "clusterviz.loopmiddleware.LocaleMiddleware",
    "clusterviz.loopmiddleware.CommonMiddleware",
    # CSRF tokens for every page's POST (forms, the language switch, the dashboard's and
    # lessons' fetches send X-CSRFToken); the Kubernetes API alone is csrf_exempt (a bearer
    # token, its content type and the Origin check protect it).
    "clusterviz.loopmiddleware.CsrfViewMiddleware",
    "clusterviz.loopmiddleware.AuthenticationMiddleware",
    "clusterviz.loopmiddleware.XFrameOptionsMiddleware",
    "clusterviz.csp.ContentSecurityPolicyMiddleware",
]
# Response headers (SecurityMiddleware, XFrameOptionsMiddleware, clusterviz/csp.py): no
# sniffing, no Referer to other sites, never in a frame. Behind a TLS proxy that sets
# X-Forwarded-Proto, CLUSTERVIZ_BEHIND_TLS_PROXY=1 lets requests and websockets know they
# came over https (README, "Behind a reverse proxy").
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("CLUSTERVIZ_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Pages need a signed-in user (clusterviz.classroom); the Kubernetes API a bearer token.
LOGIN_URL = "/signin"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
# A student chooses their password when joining: Django's usual checks on it.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in ("UserAttributeSimilarityValidator", "MinimumLengthValidator",
                 "CommonPasswordValidator", "NumericPasswordValidator")]

# kubectl's paths never end in a slash; a redirect would break every request.
APPEND_SLASH = False
ROOT_URLCONF = "clusterviz.urls"
ASGI_APPLICATION = "clusterviz.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
              "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True, "OPTIONS": {
                  "context_processors": ["clusterviz.csp.nonce",
                                         "django.template.context_processors.i18n",
                                         "django.template.context_processors.request",
                                         "django.template.context_processors.csrf",
                                         "django.contrib.auth.context_processors.auth"]}}]

# Languages: Korean (the course's) and English. The page's language is the visitor's
# choice (the switch on every page, a cookie), else Korean on the lecture preset's lessons,
# else the browser's Accept-Language (clusterviz/i18n.py). kubectl output and the API
# server's messages are English whatever the page's language, as on a real cluster.
LANGUAGE_CODE = "en"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
LANGUAGE_COOKIE_NAME = "clusterviz_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"


# SQLite's `synchronous` under WAL. NORMAL: a commit appends to the log without waiting for
# the disk (the log is synced at checkpoints), which is most of a small save's wall time
# here. A crash of the process loses nothing; a power cut or an OS crash may lose the saves
# committed since the last checkpoint, never the database's consistency. FULL syncs the log
# at every commit.
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")


def sqlite_synchronous() -> str:
    raw = os.environ.get("CLUSTERVIZ_SQLITE_SYNCHRONOUS", "").strip().upper() or "NORMAL"
    if raw not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"CLUSTERVIZ_SQLITE_SYNCHRONOUS={raw!r}: expected NORMAL or FULL")
    return raw


def sqlite_database(path: str) -> dict:
    pragmas = f"PRAGMA journal_mode=WAL; PRAGMA synchronous={sqlite_synchronous()};"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {"init_command": pragmas, "transaction_mode": "IMMEDIATE", "timeout": 20},
        "TEST": {"NAME": os.environ.get("CLUSTERVIZ_TEST_DB") or None},
    }


def postgres_database(url: str) -> dict:
    """`postgres://user:password@host:port/name?option=value` as Django's DATABASES entry."""
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        # 0: a request's connection is closed when it ends. Under daphne each request's sync
        # work runs on a thread of its own (asgiref's ThreadSensitiveContext), so a kept
        # connection outlived its thread, freed only by a full garbage collection, which
        # tuning.py makes rare: one PostgreSQL connection leaked per page until the server's
        # max_connections refused everyone (bench.classroom, 20 students, 100 s). The worker
        # threads (`runtime.offload`) live on and keep theirs whatever this says.
        "CONN_MAX_AGE": env_int("CLUSTERVIZ_DB_CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
    }


def database(url: str) -> dict:
    if not url:
        return sqlite_database(str(BASE_DIR / "db.sqlite3"))
    if url.startswith("sqlite:///"):
        return sqlite_database(url.removeprefix("sqlite:///"))
    if url.split("://", 1)[0] in ("postgres", "postgresql"):
        return postgres_database(url)
    raise ValueError(f"DATABASE_URL {url.split(':', 1)[0]}: expected sqlite:///path or "
                     "postgres://user:password@host:port/name")


# A socket's read deadline on Redis, above channels_redis's blocking pop (BZPOPMIN, 5 s):
# redis-py 8 reads with a 5 s deadline by default, so an idle socket's receive failed
# with "Timeout reading" and closed every quiet websocket after about 5 s (seen by
# bench.classroom); a dead Redis is still noticed, 15 s in.
REDIS_SOCKET_TIMEOUT = 15.0


def channel_layers(redis_url: str, capacity: int) -> dict:
    """The in-memory layer (one process) or channels_redis (shared by every process)."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer",
                            "CONFIG": {"capacity": capacity}}}
    host = {"address": redis_url, "socket_timeout": REDIS_SOCKET_TIMEOUT}
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                        "CONFIG": {"hosts": [host], "capacity": capacity}}}


DATABASES = {"default": database(env_secret("DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_secret("REDIS_URL", "")
# Messages a slow listener may have queued before the layer drops the newest; the
# runtime's batches carry resourceVersions, so a listener that lost some can tell.
CHANNEL_LAYERS = channel_layers(REDIS_URL, env_int("CLUSTERVIZ_CHANNEL_CAPACITY", 1000))

# Clocks: the in-process ticker (off when `manage.py runsim` runs the clocks), how often
# it looks for clusters with a due timer, how long a claimed cluster stays claimed, and
# how many changes one published message carries at most.
TICKER_IN_PROCESS = env_bool("CLUSTERVIZ_TICKER", True)
TICK_INTERVAL = env_float("CLUSTERVIZ_TICK_SECONDS", 0.5)
TICK_LEASE = env_float("CLUSTERVIZ_TICK_LEASE_SECONDS", 10.0)
PUBLISH_BATCH = env_int("CLUSTERVIZ_PUBLISH_BATCH", 100)

# The Kubernetes API checks body sizes itself (413 with the API server's Status);
# Django's own limit would answer first with a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = None
K8S_MAX_BODY_BYTES = env_int("CLUSTERVIZ_MAX_BODY_BYTES", 3 * 1024 * 1024)
CHANGE_LOG_LIMIT = env_int("CLUSTERVIZ_CHANGE_LOG_LIMIT", 5000)
# The time machine (clusterviz.history): a whole-state snapshot at most every this many
# virtual seconds, and how much timeline each cluster keeps.
HISTORY_SNAPSHOT_SECONDS = env_float("CLUSTERVIZ_HISTORY_SNAPSHOT_SECONDS", 60.0)
HISTORY_KEEP_SECONDS = env_float("CLUSTERVIZ_HISTORY_KEEP_SECONDS", 3900.0)
# wall seconds between two snapshots, at least, per second the last one took (about 5%)
HISTORY_SNAPSHOT_BUDGET = env_float("CLUSTERVIZ_HISTORY_SNAPSHOT_BUDGET", 20.0)

# The dashboard: static files under /static/ (served by Django, see urls.py); the graph
# feed sends a change to a quiet viewer at once, then at most one delta per this window.
STATIC_URL = "/static/"
DASHBOARD_BATCH_SECONDS = float(os.environ.get("CLUSTERVIZ_BATCH_SECONDS", 0.05))

USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": os.environ.get("CLUSTERVIZ_LOG", "WARNING")}}
