"""Image families: any tag of the popular official images, not only the course's.

`imagelookup.image_profile` looks a name up in the exact catalogue first (the
course's images, each checked against its own sources). A name not there is
resolved here by its *family* (the repository) and the tag's *era*: which
release the tag names (`nginx:1.25` is 1.25.5, `latest` is pinned to one dated
build, named in `LATEST`), which distribution it is built on (Debian suite,
Alpine release, slim or not), and so what the image holds (shell, curl, wget,
nslookup and their versions), its ENV, its ENTRYPOINT/CMD and what the process
does (the `app` the server answers as, see processes.py and popular_apps.py).

A tag the registry never served (`nginx:0.1`, `redis:99`) is refused like an
unknown name, so the kubelet reports the real pull error. Each family records
its sources and a confidence: tag-era facts come from the docker-library
Dockerfiles as remembered, not from pulling the images; versions of tools inside
an era are the Debian/Alpine package versions of that release.

The trade-off: eras are coarse (one profile per release line and variant), and a
family is a small function of (repository, tag), cached, so a class pulling
hundreds of tags costs nothing after the first pod of each.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from simcore.exec import images as im
from simcore.exec.apps import NGINX_DOCROOT, nginx_index

# `latest` and friends, pinned to the builds of late 2024 (as nginx:alpine in images.py)
LATEST = {"nginx": "1.27.3", "nginx-stable": "1.26.2", "httpd": "2.4.62", "busybox": "1.37.0",
          "alpine": "3.21", "debian": "12", "ubuntu": "24.04", "python": "3.13.1",
          "node": "23.5.0", "golang": "1.23.4", "redis": "7.4.1", "postgres": "17.2",
          "mysql": "9.1.0", "mariadb": "11.6.2", "mongo": "8.0.4", "memcached": "1.6.34",
          "rabbitmq": "4.0.5", "whoami": "1.10.3", "curl": "8.11.1"}

# Debian suites: name -> (version, curl, wget, bash, coreutils) of that release
SUITES = {
    "stretch": ("9", "7.52.1", "gnu-1.18", "4.4", "gnu-8.26"),
    "buster": ("10", "7.64.0", "gnu-1.20.1", "5.0", "gnu-8.30"),
    "bullseye": ("11", "7.74.0", "gnu-1.21", "5.1", "gnu-8.32"),
    "bookworm": ("12", "7.88.1", "gnu-1.21.3", "5.2", "gnu-9.1"),
}
_SUITE_BY_NUMBER = {v[0]: k for k, v in SUITES.items()}
# Alpine release -> BusyBox version
ALPINE_BUSYBOX = {"3.8": "1.28.4", "3.9": "1.29.3", "3.10": "1.30.1", "3.11": "1.31.1",
                  "3.12": "1.31.1", "3.13": "1.32.1", "3.14": "1.33.1", "3.15": "1.34.1",
                  "3.16": "1.35.0", "3.17": "1.35.0", "3.18": "1.36.1", "3.19": "1.36.1",
                  "3.20": "1.36.1", "3.21": "1.37.0"}
# the newest release of each line, late 2024, for tags that name only a line (`redis:6`,
# `python:3.12`, `postgres:16`); from the release notes as remembered (confidence medium)
RELEASES = {
    "redis": {"5": "5.0.14", "6": "6.2.16", "6.2": "6.2.16", "7": "7.4.1", "7.2": "7.2.6",
              "7.4": "7.4.1"},
    "postgres": {"9": "9.6.24", "9.6": "9.6.24", "10": "10.23", "11": "11.22", "12": "12.22",
                 "13": "13.18", "14": "14.15", "15": "15.10", "16": "16.6", "17": "17.2"},
    "mysql": {"5": "5.7.44", "5.7": "5.7.44", "8": "8.4.3", "8.0": "8.0.40", "8.4": "8.4.3",
              "9": "9.1.0", "9.1": "9.1.0"},
    "mariadb": {"10": "10.11.10", "10.5": "10.5.27", "10.6": "10.6.20", "10.11": "10.11.10",
                "11": "11.6.2", "11.4": "11.4.4", "11.6": "11.6.2"},
    "mongo": {"4": "4.4.29", "4.4": "4.4.29", "5": "5.0.30", "6": "6.0.19", "7": "7.0.16",
              "8": "8.0.4"},
    "memcached": {"1": "1.6.34", "1.6": "1.6.34", "1.5": "1.5.22"},
    "rabbitmq": {"3": "3.13.7", "3.12": "3.12.14", "3.13": "3.13.7", "4": "4.0.5",
                 "4.0": "4.0.5"},
    "python": {"3.6": "3.6.15", "3.7": "3.7.17", "3.8": "3.8.20", "3.9": "3.9.21",
               "3.10": "3.10.16", "3.11": "3.11.11", "3.12": "3.12.8", "3.13": "3.13.1",
               "3": "3.13.1"},
    "node": {"10": "10.24.1", "12": "12.22.12", "14": "14.21.3", "16": "16.20.2",
             "18": "18.20.5", "20": "20.18.1", "22": "22.12.0", "23": "23.5.0"},
    "golang": {"1.20": "1.20.14", "1.21": "1.21.13", "1.22": "1.22.10", "1.23": "1.23.4",
               "1": "1.23.4"},
}


def _release(name: str, version: str) -> str:
    """The full version a tag names: itself when complete, else its line's newest release."""
    parts = len(version.split("."))
    complete = 2 if name == "postgres" and not version.startswith("9.") else 3
    if parts >= complete:
        return version
    return RELEASES.get(name, {}).get(version) or ".".join(
        version.split(".") + ["0"] * (complete - parts))


_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-.].*)?$")


def _ver(tag: str) -> tuple[int, ...] | None:
    m = _VERSION.match(tag)
    return tuple(int(g) for g in m.groups() if g is not None) if m else None


def _variant(tag: str) -> tuple[str, str]:
    """(the version part, the variant) of `1.27-alpine`, `3.12-slim-bookworm`, `alpine`."""
    head, _, rest = tag.partition("-")
    if _ver(head) is None:
        return "", tag
    return head, rest


def _suite_of(variant: str, default: str) -> str:
    for part in variant.split("-"):
        if part in SUITES:
            return part
    return default


def _busybox_tools(version: str) -> dict[str, str]:
    old = tuple(int(x) for x in version.split(".")[:2]) < (1, 29)
    return {"shell": "busybox", "coreutils": "busybox", "wget": f"busybox-{version}",
            "nslookup": "busybox-old" if old else "busybox", "busybox": version, "libc": "musl"}


def _alpine_base(release: str, extra: str = "", tools: dict | None = None) -> dict:
    busybox = ALPINE_BUSYBOX.get(release, "1.37.0")
    return {"base": f"alpine-{release}", "commands": im._commands(im._BUSYBOX, "apk", extra),
            "tools": {**_busybox_tools(busybox), **(tools or {})},
            "files": {**im._dirs(), **im._os_release(f"Alpine Linux v{release}", "alpine",
                                                      release)}}


def _debian_base(suite: str, *, full: bool = False, extra: str = "",
                 tools: dict | None = None) -> dict:
    version, curl, wget, bash, coreutils = SUITES[suite]
    parts = [im._DEBIAN_BASE, extra]
    own = {"shell": "dash", "bash": bash, "coreutils": coreutils, "libc": "glibc"}
    if full:  # buildpack-deps: curl, wget, git and a compiler
        parts += [im._BUILDPACK_CURL, im._BUILDPACK_SCM, im._BUILDPACK_FULL]
        own.update(curl=curl, wget=wget)
    return {"base": f"debian-{suite}", "commands": im._commands(*parts),
            "tools": {**own, **(tools or {})},
            "files": {**im._dirs(), **im._os_release(
                f"Debian GNU/Linux {version} ({suite})", "debian", version)}}


def _linux(variant: str, default_suite: str, *, full: bool, alpine: str = "3.21",
           extra: str = "", tools: dict | None = None) -> dict:
    """The base an official image's variant is built on: -alpine, -slim or the full one."""
    if "alpine" in variant:
        release = variant.split("alpine", 1)[1] or alpine
        return _alpine_base(release if release in ALPINE_BUSYBOX else alpine, extra, tools)
    suite = _suite_of(variant, default_suite)
    return _debian_base(suite, full=full and "slim" not in variant, extra=extra, tools=tools)


def _named(repo: str, tag: str) -> str:
    return f"{repo}:{tag}"


# --- the families ----------------------------------------------------------------------

_NGINX_PATCH = {14: "1.14.2", 15: "1.15.12", 16: "1.16.1", 17: "1.17.10", 18: "1.18.0",
                19: "1.19.10", 20: "1.20.2", 21: "1.21.6", 22: "1.22.1", 23: "1.23.4",
                24: "1.24.0", 25: "1.25.5", 26: "1.26.2", 27: "1.27.3"}


def _nginx(repo: str, tag: str) -> im.ImageProfile | None:
    version, variant = _variant(tag)
    if not version:
        version = LATEST["nginx-stable" if variant.startswith("stable") else "nginx"]
        variant = variant.replace("stable", "").replace("mainline", "").replace("latest", "")
    v = _ver(version)
    if not v or v[0] != 1 or len(v) < 2 or v[1] not in _NGINX_PATCH:
        return None
    full = version if len(v) == 3 else _NGINX_PATCH[v[1]]
    minor = v[1]
    suite = "stretch" if minor <= 16 else "buster" if minor <= 19 else \
        "bullseye" if minor <= 23 else "bookworm"
    modern = minor >= 19
    extra = "nginx nginx-debug envsubst" + (" curl" if minor >= 19 or "alpine" in variant else "")
    base = _linux(variant.strip("-"), suite, full=False, extra=extra,
                  tools={"curl": "8.11.1" if "alpine" in variant else SUITES[suite][1]}
                  if "curl" in extra else None)
    base["files"].update({path: None for path in (NGINX_DOCROOT, "/etc/nginx",
                                                  "/etc/nginx/conf.d")})
    base["files"][f"{NGINX_DOCROOT}/index.html"] = nginx_index(modern)
    entry = ("/docker-entrypoint.sh",) if minor >= 19 else None
    return im._profile(
        _named(repo, tag), env=(im._PATH, f"NGINX_VERSION={full}"), entrypoint=entry,
        cmd=("nginx", "-g", "daemon off;"), app="nginx",
        app_config={"version": full, "modern": modern,
                    "last_modified": "Tue, 26 Nov 2024 15:55:00 GMT"},
        confidence="medium", sources="nginxinc/docker-nginx Dockerfiles per release line: "
        "Debian suite by era, curl and /docker-entrypoint.sh from 1.19, Alpine variants add "
        "curl. Last-Modified of index.html not verified.", **base)


def _httpd(repo: str, tag: str) -> im.ImageProfile | None:
    version, variant = _variant(tag)
    version = version or LATEST["httpd"]
    if not (_ver(version) or (0,))[:2] == (2, 4):
        return None
    full = version if len(_ver(version) or ()) == 3 else LATEST["httpd"]
    base = _linux(variant, "bookworm", full=False, extra="httpd httpd-foreground apachectl")
    return im._profile(
        _named(repo, tag), env=("PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:"
                                "/usr/sbin:/usr/bin:/sbin:/bin", "HTTPD_PREFIX=/usr/local/apache2",
                                f"HTTPD_VERSION={full}"),
        entrypoint=None, cmd=("httpd-foreground",), app="httpd",
        app_config={"version": full}, confidence="medium",
        sources="docker-library/httpd 2.4 (Debian bookworm / Alpine): no curl; "
                "htdocs/index.html is `<html><body><h1>It works!</h1></body></html>`.", **base)


def _busybox(repo: str, tag: str) -> im.ImageProfile | None:
    version, variant = _variant(tag)
    version = version or LATEST["busybox"]
    v = _ver(version)
    if not v or v[0] != 1 or len(v) < 2 or not 20 <= v[1] <= 37:
        return None
    full = version if len(v) == 3 else {28: "1.28.4", 36: "1.36.1", 37: "1.37.0"}.get(
        v[1], f"1.{v[1]}.0")
    return im._busybox(_named(repo, tag), full, nslookup=_busybox_tools(full)["nslookup"],
                       libc="musl" if "musl" in variant else "uclibc" if "uclibc" in variant
                       else "glibc", sources="docker-library/busybox: BusyBox applets, no "
                       "curl; nslookup's output format changed in 1.29 (why the DNS debugging "
                       "page pins busybox:1.28).")


def _alpine(repo: str, tag: str) -> im.ImageProfile | None:
    release = ".".join(tag.split(".")[:2]) if tag not in ("latest", "edge") else LATEST["alpine"]
    if release not in ALPINE_BUSYBOX:
        return None
    base = _alpine_base(release)
    return im._profile(_named(repo, tag), env=(im._PATH,), entrypoint=None, cmd=("/bin/sh",),
                       confidence="high", sources="Alpine: BusyBox applets (wget, nslookup), "
                       "musl, no curl, no bash.", **base)


def _debian(repo: str, tag: str) -> im.ImageProfile | None:
    name, variant = (tag.split("-", 1) + [""])[:2]
    name = {"latest": LATEST["debian"], "stable": LATEST["debian"]}.get(name, name)
    suite = _SUITE_BY_NUMBER.get(name.split(".")[0], name)
    if suite not in SUITES or variant not in ("", "slim"):
        return None
    base = _debian_base(suite)
    return im._profile(_named(repo, tag), env=(im._PATH,), entrypoint=None, cmd=("bash",),
                       confidence="high", sources="docker-library/debian: no curl, wget, "
                       "ping or nslookup.", **base)


_UBUNTU = {"16.04": ("4.3", "gnu-8.25"), "18.04": ("4.4", "gnu-8.28"),
           "20.04": ("5.0", "gnu-8.30"), "22.04": ("5.1", "gnu-8.32"),
           "24.04": ("5.2", "gnu-9.4")}
_UBUNTU_NAMES = {"xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04",
                 "noble": "24.04", "latest": "24.04", "rolling": "24.04"}


def _ubuntu(repo: str, tag: str) -> im.ImageProfile | None:
    release = _UBUNTU_NAMES.get(tag, tag)
    if release not in _UBUNTU:
        return None
    return im._ubuntu(_named(repo, tag), release, *_UBUNTU[release])


# (repository, tag) -> the image's profile, None for a tag the family never published
Family = Callable[[str, str], im.ImageProfile | None]


def _language(name: str, program: str, valid: Callable[[tuple[int, ...]], bool],
              env: Callable[[str], tuple[str, ...]], *,
              entrypoint: tuple[str, ...] | None = None, cmd: tuple[str, ...] | None = None,
              path: str = im._PATH, extra: str = "", source: str = "") -> Family:
    """python, node, golang: full (buildpack-deps: curl, wget, git), -slim, -alpine."""
    def family(repo: str, tag: str) -> im.ImageProfile | None:
        version, variant = _variant(tag)
        if not version:
            version = LATEST[name]
        v = _ver(version)
        if not v or not valid(v):
            return None
        base = _linux(variant, "bookworm", full=True, extra=f"{program} {extra}")
        full = _release(name, version)
        command = cmd
        if name == "golang" and "alpine" in variant:
            command = ("/bin/sh",)
        return im._profile(_named(repo, tag), env=(path, *env(full)), entrypoint=entrypoint,
                           cmd=command, confidence="medium", sources=source, **base)
    return family


_python = _language(
    "python", "python3 python pip pip3", lambda v: v[0] == 3 and len(v) > 1 and 6 <= v[1] <= 13,
    lambda full: ("LANG=C.UTF-8", f"PYTHON_VERSION={full}"), cmd=("python3",),
    path="PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    source="docker-library/python: FROM buildpack-deps (curl, wget, git); -slim has none; "
           "CMD python3 (an interactive interpreter: with no terminal it reads EOF and exits).")
_node = _language(
    "node", "node nodejs npm npx yarn yarnpkg", lambda v: 8 <= v[0] <= 23,
    lambda full: (f"NODE_VERSION={full}", "YARN_VERSION=1.22.22"),
    entrypoint=("docker-entrypoint.sh",), cmd=("node",),
    source="nodejs/docker-node: FROM buildpack-deps; ENTRYPOINT docker-entrypoint.sh, CMD node "
           "(a REPL: with no terminal it reads EOF and exits 0).")
_golang = _language(
    "golang", "go gofmt", lambda v: v[0] == 1 and len(v) > 1 and 11 <= v[1] <= 23,
    lambda full: ("GOLANG_VERSION=" + full, "GOTOOLCHAIN=local", "GOPATH=/go"), cmd=("bash",),
    path="PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
         "/sbin:/bin",
    source="docker-library/golang: FROM buildpack-deps:scm (curl, wget, git), no CMD of its "
           "own (bash from the base; the Alpine variant's /bin/sh).")


def _server(name: str, valid: Callable[[tuple[int, ...]], bool], program: str, *,
            env: Callable[[str], tuple[str, ...]],
            entrypoint: tuple[str, ...] | None = ("docker-entrypoint.sh",),
            cmd: tuple[str, ...], user: str = "root", extra: str = "", suite: str = "bookworm",
            source: str = "", confidence: str = "medium") -> Family:
    """Servers of the docker-library: their entrypoint script, then the server."""
    def family(repo: str, tag: str) -> im.ImageProfile | None:
        version, variant = _variant(tag)
        version = version or LATEST[name]
        v = _ver(version)
        if not v or not valid(v):
            return None
        full = _release(name, version)
        base = _linux(variant.replace("management", "").strip("-"), suite, full=False,
                      extra=f"{program} gosu {extra}")
        return im._profile(_named(repo, tag), env=(im._PATH, *env(full)), entrypoint=entrypoint,
                           cmd=cmd, app=name if "management" not in variant else
                           f"{name}-management", app_config={"version": full}, user=user,
                           confidence=confidence, sources=source, **base)
    return family


_redis = _server("redis", lambda v: 5 <= v[0] <= 7, "redis-server redis-cli",
                 env=lambda f: ("REDIS_VERSION=" + f,), cmd=("redis-server",),
                 source="docker-library/redis: port 6379; an HTTP request is taken for an "
                        "attack (`Possible SECURITY ATTACK detected`) and the connection closed.")
_postgres = _server("postgres", lambda v: 9 <= v[0] <= 17, "postgres psql pg_ctl initdb",
                    env=lambda f: ("PG_MAJOR=" + f.split(".")[0], "PG_VERSION=" + f,
                                   "PGDATA=/var/lib/postgresql/data"), cmd=("postgres",),
                    source="docker-library/postgres docker-entrypoint.sh: without "
                           "POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust) it prints "
                           "'Error: Database is uninitialized and superuser password is not "
                           "specified.' and exits 1; else initdb, then port 5432.",
                    confidence="high")
_mysql = _server("mysql", lambda v: (v[0], v[1] if len(v) > 1 else 0) >= (5, 7) and v[0] <= 9,
                 "mysqld mysql mysqladmin", env=lambda f: ("MYSQL_MAJOR=" + ".".join(
                     f.split(".")[:2]), "MYSQL_VERSION=" + f + "-1.el9"), cmd=("mysqld",),
                 suite="bookworm", source="docker-library/mysql docker-entrypoint.sh: one of "
                 "MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD "
                 "is required, else an [ERROR] [Entrypoint] and exit 1; ports 3306, 33060. The "
                 "image is Oracle Linux based (modelled on a Debian file system).",
                 confidence="medium")
_mariadb = _server("mariadb", lambda v: 10 <= v[0] <= 11, "mariadbd mysqld mariadb mysql",
                   env=lambda f: ("MARIADB_VERSION=1:" + f + "+maria~ubu2404",),
                   cmd=("mariadbd",), source="MariaDB/mariadb-docker docker-entrypoint.sh: "
                   "MARIADB_ROOT_PASSWORD (or the MYSQL_ names, _HASH, ALLOW_EMPTY, RANDOM) is "
                   "required, else [ERROR] [Entrypoint] and exit 1; port 3306.",
                   confidence="medium")
_mongo = _server("mongo", lambda v: 4 <= v[0] <= 8, "mongod mongosh mongos",
                 env=lambda f: ("MONGO_MAJOR=" + ".".join(f.split(".")[:2]),
                                "MONGO_VERSION=" + f), cmd=("mongod",),
                 source="docker-library/mongo: port 27017, no password needed.")
_memcached = _server("memcached", lambda v: v[0] == 1 and len(v) > 1 and v[1] >= 5,
                     "memcached", env=lambda f: ("MEMCACHED_VERSION=" + f,),
                     cmd=("memcached",), user="memcache",
                     source="docker-library/memcached: port 11211, user memcache.")
_rabbitmq = _server("rabbitmq", lambda v: 3 <= v[0] <= 4, "rabbitmq-server rabbitmqctl",
                    env=lambda f: ("RABBITMQ_VERSION=" + f, "RABBITMQ_DATA_DIR=/var/lib/rabbitmq",
                                   "HOME=/var/lib/rabbitmq"), cmd=("rabbitmq-server",),
                    suite="bookworm", source="docker-library/rabbitmq: AMQP on 5672 after some "
                    "seconds of boot; the -management tags add the web UI on 15672.")


def _whoami(repo: str, tag: str) -> im.ImageProfile | None:
    v = _ver(tag) if tag != "latest" else _ver(LATEST["whoami"])
    if not v or v[0] != 1:
        return None
    return im._profile(_named(repo, tag), base="scratch", env=(im._PATH,),
                       entrypoint=("/whoami",), cmd=None, commands=frozenset(), tools={},
                       files=im._dirs(), app="whoami", confidence="medium",
                       sources="traefik/whoami: a Go binary FROM scratch (no shell); port 80 "
                               "(WHOAMI_PORT_NUMBER); prints Hostname, IPs, RemoteAddr and the "
                               "request.")


def _hello_app(repo: str, tag: str) -> im.ImageProfile | None:
    if tag not in ("1.0", "2.0", "latest"):
        return None
    version = "2.0.0" if tag == "2.0" else "1.0.0"
    return im._profile(_named(repo, tag), base="distroless-static", env=(im._PATH,),
                       entrypoint=("/hello-app",), cmd=None, commands=frozenset(), tools={},
                       files=im._dirs(), app="hello-app", app_config={"version": version},
                       confidence="medium",
                       sources="GoogleCloudPlatform/kubernetes-engine-samples hello-app: port "
                               "8080 (PORT), answers 'Hello, world!\\nVersion: 1.0.0\\n"
                               "Hostname: <pod>'; distroless, no shell.")


def _agnhost(repo: str, tag: str) -> im.ImageProfile | None:
    v = _ver(tag)
    if not v or v[0] != 2 or len(v) < 2 or not 10 <= v[1] <= 53:
        return None
    base = _alpine_base("3.18", extra="agnhost curl dig nslookup bash",
                        tools={"curl": "8.5.0", "nslookup": "bind9-9.18",
                               "dig": "9.18.27"})
    return im._profile(_named(repo, tag), env=(im._PATH,), entrypoint=("/agnhost",), cmd=None,
                       app="agnhost", confidence="medium",
                       sources="kubernetes/kubernetes test/images/agnhost: FROM alpine with "
                               "bind-tools and curl; `netexec` serves /hostname, /echo, "
                               "/clientip on --http-port (8080), `serve-hostname` on 9376; with "
                               "no subcommand it prints its usage and exits.", **base)


def _echoserver(repo: str, tag: str) -> im.ImageProfile | None:
    v = _ver(tag)
    if not v or v[0] != 1 or len(v) != 2 or not 4 <= v[1] <= 10:
        return None
    exact = im.catalogue()["registry.k8s.io/echoserver:" + ("1.10" if v[1] >= 8 else "1.4")]
    return im._profile(_named(repo, tag), **{f: getattr(exact, f) for f in (
        "base", "env", "entrypoint", "cmd", "commands", "tools", "files", "app", "app_config")},
        confidence="low", sources=f"As {exact.name} (the nearest release with known output).")


def _curl(repo: str, tag: str) -> im.ImageProfile | None:
    v = _ver(tag) if tag != "latest" else _ver(LATEST["curl"])
    if not v or v[0] not in (7, 8) or len(v) < 2:
        return None
    version = ".".join(map(str, v + (0,) * (3 - len(v))))
    return im._alpine(_named(repo, tag), "3.21", extra="curl", tools={"curl": version},
                      env=(im._PATH, "CURL_CA_BUNDLE=/cacert.pem"), entrypoint=("/entrypoint.sh",),
                      cmd=("curl",), user="curl_user", home="/home/curl_user", confidence="medium",
                      sources="curl/curl-container: Alpine, the tag's curl, user curl_user; "
                              "CMD curl alone prints its usage hint and exits 2.")


def _netshoot(repo: str, tag: str) -> im.ImageProfile | None:
    if tag != "latest" and not (_ver(tag) or (9,))[0] == 0:
        return None
    tools = {"curl": "8.11.1", "nslookup": "bind9-9.18", "dig": "9.18.30", "bash": "5.2"}
    return im._alpine(_named(repo, tag), "3.21", tools=tools,
                      extra="curl bash zsh dig nslookup host drill tcpdump iperf3 nmap socat "
                            "jq ip ss iptables netstat mtr",
                      entrypoint=None, cmd=("zsh",), confidence="medium",
                      sources="nicolaka/netshoot: Alpine with curl, bind-tools, tcpdump, iperf3, "
                              "nmap...; CMD zsh (with no terminal it reads EOF and exits 0).")


FAMILIES: dict[str, Family] = {
    "nginx": _nginx, "httpd": _httpd, "busybox": _busybox, "alpine": _alpine,
    "debian": _debian, "ubuntu": _ubuntu, "python": _python, "node": _node,
    "golang": _golang, "redis": _redis, "postgres": _postgres, "mysql": _mysql,
    "mariadb": _mariadb, "mongo": _mongo, "memcached": _memcached, "rabbitmq": _rabbitmq,
    "traefik/whoami": _whoami, "gcr.io/google-samples/hello-app": _hello_app,
    "registry.k8s.io/e2e-test-images/agnhost": _agnhost, "registry.k8s.io/echoserver": _echoserver,
    "curlimages/curl": _curl, "nicolaka/netshoot": _netshoot,
}


@functools.lru_cache(maxsize=512)
def family_profile(key: str) -> im.ImageProfile | None:
    """The profile of `repo:tag` (a lookup key) by its family, or None."""
    repo, _, tag = key.rpartition(":")
    family = FAMILIES.get(repo)
    if family is None or not re.fullmatch(r"[\w][\w.-]{0,127}", tag):
        return None
    return family(repo, tag)
