"""The image catalogue: what each image used in the course contains and runs.

The simulator never pulls anything. When the kubelet "pulls" an image it asks
`image_profile(image)`: `None` means the registry does not have it (the
kubelet reports ErrImagePull / ImagePullBackOff); otherwise the profile tells
what the container's file system holds, which executables exist (so `kubectl
exec … -- curl` can fail the way it fails on a real node), which versions of
curl, wget, nslookup and the shell answer, what the image's ENV is, and what
its ENTRYPOINT/CMD does when started (`profile.start`, see processes.py).

Each entry says where its contents come from and how sure we are, because
"does nginx have curl?" has different answers per tag: Debian nginx images
gained curl with the bullseye-era Dockerfiles, nginx:1.14.2 (stretch) has
neither curl nor wget, Alpine nginx images add curl "to make registering on
DNS SD easier" (docker-nginx Dockerfiles), BusyBox and Alpine have BusyBox's
wget and nslookup but no curl, Debian/Ubuntu bases have no network tools at
all. Moving tags (`latest`, `alpine`) are pinned to one dated build, named in
the entry.

HOME is not image ENV: runc sets it from the user's /etc/passwd entry when
the environment lacks it (libcontainer `setupUser`), which is why `env` in the
lecture shows HOME=/root last. HOSTNAME (and TERM=xterm for `exec -t`) come
from the runtime; `container_env` orders the lot the way each runtime does.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TypedDict, Unpack

from simcore.exec.apps import NGINX_DOCROOT, nginx_index

# --- what is on disk ---------------------------------------------------------

_GNU_CORE = (
    "cat ls env printenv touch rm echo sleep true false date mkdir rmdir cp mv ln chmod "
    "chown pwd head tail wc sort uniq cut tr tee id whoami uname dd df du stat test [ "
    "expr seq yes basename dirname readlink mktemp nproc sync nice nohup timeout"
)
_DEBIAN_BASE = _GNU_CORE + (
    " sh dash bash hostname grep egrep fgrep sed awk mawk tar gzip gunzip zcat find xargs "
    "mount umount su login perl getent"
)
_BUILDPACK_CURL = " curl wget gpg"  # buildpack-deps:*-curl
_BUILDPACK_SCM = " git ssh scp ps top pkill pgrep kill free uptime hg svn"  # buildpack-deps:*-scm
_BUILDPACK_FULL = " make gcc g++ cc patch file xz unzip"  # buildpack-deps:<suite>
_BUSYBOX = (
    "sh ash cat ls env printenv hostname touch rm echo sleep true false date mkdir rmdir cp "
    "mv ln chmod chown pwd head tail wc sort uniq cut tr tee id whoami uname dd df du stat "
    "test [ [[ expr seq yes basename dirname readlink mktemp nproc sync grep egrep fgrep sed "
    "awk tar gzip gunzip zcat find xargs mount umount su kill ps top free uptime wget "
    "nslookup ping ping6 nc telnet traceroute ifconfig ip route netstat hostid vi less more "
    "watch sh nohup timeout getty login"
)

_DIRS_COMMON = (
    "/ /bin /dev /etc /home /lib /media /mnt /opt /proc /root /run /sbin /srv /sys /tmp "
    "/usr /usr/bin /usr/sbin /usr/local /usr/local/bin /usr/share /var /var/log /var/tmp"
)


def _commands(*parts: str) -> frozenset[str]:
    return frozenset(" ".join(parts).split())


def _dirs(extra: str = "") -> dict[str, None]:
    return {path: None for path in (_DIRS_COMMON + " " + extra).split()}


def _os_release(pretty: str, ident: str, version_id: str) -> dict[str, str]:
    text = f'PRETTY_NAME="{pretty}"\nID={ident}\nVERSION_ID="{version_id}"\n'
    return {"/etc/os-release": text}


# --- the profile -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ImageProfile:
    """One image: its ENV, its executables, its tool versions, its files, its process."""

    name: str  # the catalogue key, e.g. "whatwant/node-web:1.0"
    base: str  # the distribution it is built on, e.g. "debian-buster"
    env: tuple[str, ...]
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    commands: frozenset[str]
    tools: Mapping[str, str]
    files: Mapping[str, str | None] = field(default_factory=dict)
    app: str = ""  # the HTTP behaviour `node app.js` (or the server binary) has
    app_config: Mapping[str, object] = field(default_factory=dict)
    user: str = "root"
    home: str = "/root"
    private: bool = False  # a registry that answers only with credentials
    confidence: str = "medium"
    sources: str = ""

    def has(self, program: str) -> bool:
        """Does `program` (a bare name or a path) resolve to an executable?"""
        if "/" in program:
            return program.rsplit("/", 1)[1] in self.commands or program in self.files
        return program in self.commands

    def tool(self, name: str, default: str = "") -> str:
        return self.tools.get(name, default)

    def start(
        self,
        command: list[str] | None,
        args: list[str] | None,
        env: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        *,
        now: datetime | None = None,
        files: Mapping[str, str | None] | None = None,
        tty: bool = False,
        stdin: bool = False,
    ) -> dict:
        """What the container's main process does: a plain-data ProcessPlan (processes.py)."""
        from simcore.exec.processes import plan_start

        return plan_start(self, command, args, dict(env or {}), rng or random.Random(0),
                          now=now, files=files, tty=tty, stdin=stdin)


class _Described(TypedDict, total=False):
    base: str
    env: tuple[str, ...]
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    commands: frozenset[str]
    files: Mapping[str, str | None]
    app: str
    app_config: Mapping[str, object]
    user: str
    home: str
    private: bool
    confidence: str
    sources: str


class ProfileFields(_Described, total=False):
    """An `ImageProfile`'s fields but its name, as the catalogue's builders pass them on
    (`_profile` makes the mappings read-only and adds the ENTRYPOINT/CMD programs)."""

    tools: Mapping[str, str]  # not in _Described: `_alpine` takes tools to add to its own


def _profile(name: str, **kw: Unpack[ProfileFields]) -> ImageProfile:
    # The image was built to run its ENTRYPOINT/CMD, so their programs exist.
    starters = [seq[0].rsplit("/", 1)[-1] for seq in (kw.get("entrypoint"), kw.get("cmd"))
                if seq]
    fields: ProfileFields = {
        **kw, "commands": frozenset(kw.get("commands", frozenset())) | frozenset(starters),
        "tools": MappingProxyType(dict(kw.get("tools", {}))),
        "files": MappingProxyType(dict(kw.get("files", {}))),
        "app_config": MappingProxyType(dict(kw.get("app_config", {})))}
    return ImageProfile(name=name, **fields)


_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# --- node-based images (the lecture's app) -----------------------------------


def _node_image(name: str, app: str, node: str, yarn: str, suite: str, /,
                **kw: Unpack[ProfileFields]) -> ImageProfile:
    versions = {
        "jessie": {"curl": "7.38.0", "wget": "gnu-1.16", "bash": "4.3", "coreutils": "gnu-8.23"},
        "buster": {"curl": "7.64.0", "wget": "gnu-1.20.1", "bash": "5.0", "coreutils": "gnu-8.30"},
        "bullseye": {"curl": "7.74.0", "wget": "gnu-1.21", "bash": "5.1", "coreutils": "gnu-8.32"},
    }[suite]
    tools = {"shell": "dash", "libc": "glibc", **versions}
    env = [_PATH, f"NODE_VERSION={node}", f"YARN_VERSION={yarn}"]
    if suite == "jessie":
        env.insert(1, "NPM_CONFIG_LOGLEVEL=info")
    files = {**_dirs(), **_os_release(f"Debian GNU/Linux ({suite})", "debian", ""),
             "/app.js": f"// {app}: see simcore/exec/apps.py\n"}
    defaults: ProfileFields = {
        "base": f"debian-{suite}", "env": tuple(env), "entrypoint": ("node", "app.js"),
        "cmd": None, "app": app, "files": files, "tools": tools,
        "commands": _commands(_DEBIAN_BASE, _BUILDPACK_CURL, _BUILDPACK_SCM, _BUILDPACK_FULL,
                              "node nodejs npm npx yarn yarnpkg"),
    }
    defaults.update(kw)
    return _profile(name, **defaults)


def _node_images() -> list[ImageProfile]:
    lecture = ("Dockerfile and app.js: github.com/whatwant-school/kubernetes 2021-04/02-week/node-web "
               "(FROM node:latest, ENTRYPOINT [\"node\",\"app.js\"]); ENV from the lecture's `env` "
               "transcript (NODE_VERSION=15.14.0, YARN_VERSION=1.22.5); node:15 is Debian buster "
               "buildpack-deps, whose curl is 7.64.0.")
    later = ("app.js: whatwant-school/kubernetes {src}; FROM node:latest at build time. The node "
             "and yarn versions are a guess for a {when} build of node:latest (bullseye).")
    return [
        _node_image("whatwant/node-web:1.0", "node-web", "15.14.0", "1.22.5", "buster",
                    confidence="high", sources=lecture),
        _node_image("whatwant/node-web:2.0", "node-web-v2", "17.3.0", "1.22.17", "bullseye",
                    confidence="low",
                    sources=later.format(src="2022-01/04-week/container/app.js", when="January 2022")),
        _node_image("whatwant/node-web:3.0", "node-web-v3", "18.6.0", "1.22.19", "bullseye",
                    confidence="low",
                    sources=later.format(src="06-week/StatefulSet/app.js", when="July 2022")),
        _node_image("whatwant/node-web:4.0", "node-web-v4", "18.6.0", "1.22.19", "bullseye",
                    confidence="low",
                    sources=later.format(src="08-Deployment-StatefulSet/hands-on/app-2.js "
                                         "(assumed to be the :4.0 build)", when="July 2022")),
        _node_image("luksa/kubia:latest", "kubia", "7.10.1", "0.24.4", "jessie",
                    confidence="medium",
                    sources="luksa/kubernetes-in-action Chapter02/kubia (FROM node:7); node:7 "
                            "is Debian jessie buildpack-deps (curl 7.38.0). ENV versions from "
                            "the last node:7 build, from memory."),
        _node_image("luksa/kubia-unhealthy:latest", "kubia-unhealthy", "7.10.1", "0.24.4",
                    "jessie", confidence="medium",
                    sources="luksa/kubernetes-in-action Chapter04/kubia-unhealthy/app.js: "
                            "500 after the fifth request."),
        _node_image("whatwant/err-pod:1.0", "err-pod", "15.14.0", "1.22.5", "buster",
                    entrypoint=("node", "app.js"), confidence="low",
                    sources="No published source. Assumed a node:latest image whose app exits "
                            "with an error at once (the course uses it to show a failing pod)."),
    ]


# --- nginx family -------------------------------------------------------------


def _nginx_pages(modern: bool) -> dict[str, str]:
    """The stock docroot the nginx packages install (what GET / serves)."""
    return {f"{NGINX_DOCROOT}/index.html": nginx_index(modern)}


def _nginx_images() -> list[ImageProfile]:
    stretch = {"shell": "dash", "bash": "4.4", "coreutils": "gnu-8.26", "libc": "glibc"}
    alpine = {"shell": "busybox", "coreutils": "busybox", "wget": "busybox-1.36.1",
              "nslookup": "busybox", "busybox": "1.36.1", "libc": "musl", "curl": "8.11.1"}
    html = "/usr/share/nginx/html /etc/nginx /etc/nginx/conf.d /var/cache/nginx /var/log/nginx"
    return [
        _profile(
            "nginx:1.14.2", base="debian-stretch",
            env=(_PATH, "NGINX_VERSION=1.14.2-1~stretch", "NJS_VERSION=1.14.2.0.2.6-1~stretch"),
            entrypoint=None, cmd=("nginx", "-g", "daemon off;"),
            commands=_commands(_DEBIAN_BASE, "nginx nginx-debug envsubst"), tools=stretch,
            files={**_dirs(html), **_os_release("Debian GNU/Linux 9 (stretch)", "debian", "9"),
                   **_nginx_pages(False)},
            app="nginx", app_config={"version": "1.14.2", "modern": False,
                                     "last_modified": "Tue, 04 Dec 2018 14:44:49 GMT"},
            confidence="medium",
            sources="nginxinc/docker-nginx stable/stretch/Dockerfile: debian:stretch-slim, no "
                    "curl or wget installed (gnupg1 is purged). Last-Modified/ETag of "
                    "index.html from memory of `curl -I` against 1.14.2.",
        ),
        _profile(
            "nginx:alpine", base="alpine-3.20",
            env=(_PATH, "NGINX_VERSION=1.27.3", "PKG_RELEASE=1", "DYNPKG_RELEASE=1",
                 "NJS_VERSION=0.8.7", "NJS_RELEASE=1"),
            entrypoint=("/docker-entrypoint.sh",), cmd=("nginx", "-g", "daemon off;"),
            commands=_commands(_BUSYBOX, "curl nginx nginx-debug envsubst"), tools=alpine,
            files={**_dirs(html + " /docker-entrypoint.d"),
                   **_os_release("Alpine Linux v3.20", "alpine", "3.20.5"), **_nginx_pages(True)},
            app="nginx", app_config={"version": "1.27.3", "modern": True,
                                     "last_modified": "Tue, 26 Nov 2024 15:55:00 GMT"},
            confidence="medium",
            sources="nginxinc/docker-nginx stable|mainline/alpine Dockerfile: `apk add curl "
                    "ca-certificates` (\"to make registering on DNS SD easier\"), BusyBox "
                    "applets from alpine. Pinned to the 1.27.3 build; versions and the page's "
                    "Last-Modified are not verified.",
        ),
        _profile(
            "whatwant/simple-nginx:v0.1", base="debian-buster",
            env=(_PATH, "NGINX_VERSION=1.19.10", "NJS_VERSION=0.5.3", "PKG_RELEASE=1~buster"),
            entrypoint=("/docker-entrypoint.sh",), cmd=("nginx", "-g", "daemon off;"),
            commands=_commands(_DEBIAN_BASE, "curl nginx nginx-debug envsubst"),
            tools={"shell": "dash", "bash": "5.0", "coreutils": "gnu-8.30", "libc": "glibc",
                   "curl": "7.64.0"},
            files={**_dirs(html + " /docker-entrypoint.d"),
                   **_os_release("Debian GNU/Linux 10 (buster)", "debian", "10")},
            app="nginx", private=True,
            app_config={"version": "1.19.10", "modern": True,
                        "last_modified": "Sat, 01 May 2021 00:00:00 GMT",
                        "index": "<html>\n<h1>Hello from simple-nginx</h1>\n</html>\n"},
            confidence="low",
            sources="whatwant-school/kubernetes 2021-04/06-week/04-Dockerfile: FROM nginx:latest "
                    "+ COPY 04-index.html (content not published; a placeholder here). A "
                    "private repository: pulls need imagePullSecrets.",
        ),
        _profile(
            "registry.k8s.io/echoserver:1.10", base="debian-stretch",
            env=(_PATH,), entrypoint=None,
            cmd=("/usr/local/bin/run.sh",),
            commands=_commands(_DEBIAN_BASE, "nginx run.sh"), tools=stretch,
            files={**_dirs(html), "/usr/local/bin/run.sh": "#!/bin/sh\nnginx\n"},
            app="echoserver", app_config={"nginx": "1.13.3", "lua": "10008"},
            confidence="medium",
            sources="kubernetes/kubernetes test/images/echoserver nginx.conf (template, "
                    "ports 8080/8443, Server: echoserver); versions from the source-ip "
                    "tutorial's sample output.",
        ),
        _profile(
            "registry.k8s.io/echoserver:1.4", base="ubuntu-trusty",
            env=(_PATH,), entrypoint=None, cmd=("/usr/sbin/nginx", "-g", "daemon off;"),
            commands=_commands(_DEBIAN_BASE, "nginx"), tools=stretch,
            files=_dirs(html), app="echoserver-1.4",
            app_config={"nginx": "1.10.0", "lua": "10001"}, confidence="low",
            sources="The source-ip tutorial's older sample output (CLIENT VALUES / SERVER VALUES).",
        ),
    ]


# --- shells and small bases ---------------------------------------------------


def _busybox(name: str, version: str, *, nslookup: str, libc: str = "glibc",
             **kw: Unpack[ProfileFields]) -> ImageProfile:
    defaults: ProfileFields = {
        "base": f"busybox-{version}", "env": (_PATH.replace(":/usr/local/sbin", ""),),
        "entrypoint": None, "cmd": ("sh",), "commands": _commands(_BUSYBOX),
        "tools": {"shell": "busybox", "coreutils": "busybox", "wget": f"busybox-{version}",
                  "nslookup": nslookup, "busybox": version, "libc": libc},
        "files": _dirs(), "confidence": "high",
    }
    defaults.update(kw)
    return _profile(name, **defaults)


def _alpine(name: str, release: str, *, extra: str = "", tools: Mapping[str, str] | None = None,
            **kw: Unpack[_Described]) -> ImageProfile:
    defaults: ProfileFields = {
        "base": f"alpine-{release}", "env": (_PATH,), "entrypoint": None, "cmd": ("/bin/sh",),
        "commands": _commands(_BUSYBOX, "apk", extra),
        "tools": {"shell": "busybox", "coreutils": "busybox", "wget": "busybox-1.37.0",
                  "nslookup": "busybox", "busybox": "1.37.0", "libc": "musl", **(tools or {})},
        "files": {**_dirs(), **_os_release(f"Alpine Linux v{release}", "alpine", release)},
    }
    defaults.update(kw)
    return _profile(name, **defaults)


def _ubuntu(name: str, release: str, bash: str, coreutils: str,
            **kw: Unpack[ProfileFields]) -> ImageProfile:
    defaults: ProfileFields = {
        "base": f"ubuntu-{release}", "env": (_PATH,), "entrypoint": None, "cmd": ("/bin/bash",),
        "commands": _commands(_DEBIAN_BASE),
        "tools": {"shell": "dash", "bash": bash, "coreutils": coreutils, "libc": "glibc"},
        "files": {**_dirs(), **_os_release(f"Ubuntu {release}", "ubuntu", release)},
        "confidence": "high",
        "sources": "Ubuntu base images ship bash, dash and coreutils but no curl, wget, "
                   "ping, nslookup or dig.",
    }
    defaults.update(kw)
    return _profile(name, **defaults)


def _base_images() -> list[ImageProfile]:
    curl_tools = {"curl": "8.11.1"}
    return [
        _busybox("busybox:latest", "1.37.0", nslookup="busybox",
                 sources="docker-library/busybox: BusyBox 1.37.0 applets, no curl."),
        _busybox("registry.k8s.io/busybox:latest", "1.24.2", nslookup="busybox-old",
                 libc="uclibc", confidence="medium",
                 sources="k8s.gcr.io/busybox is an old BusyBox (pre-1.28 nslookup format, the one "
                         "the DNS debugging page shows: `Address 1: 10.0.0.10`)."),
        _busybox("luksa/batch-job:latest", "1.27.2", nslookup="busybox-old",
                 entrypoint=("/bin/sh", "-c", 'echo "$(date) Batch job starting"; sleep 120; '
                             'echo "$(date) Finished succesfully"'), cmd=None, confidence="high",
                 sources="luksa/kubernetes-in-action Chapter04/batch-job/Dockerfile (shell-form "
                         "ENTRYPOINT on busybox)."),
        _busybox("luksa/ssd-monitor:latest", "1.27.2", nslookup="busybox-old",
                 entrypoint=("/bin/sh", "-c", "while true; do echo 'SSD OK'; sleep 5; done"),
                 cmd=None, confidence="high",
                 sources="luksa/kubernetes-in-action Chapter04/ssd-monitor/Dockerfile."),
        _alpine("alpine:latest", "3.21", confidence="high",
                sources="Alpine: BusyBox applets (wget, nslookup, ping, nc), musl, no curl, no bash."),
        _alpine("bash:latest", "3.21", extra="bash", tools={"bash": "5.2"},
                entrypoint=("docker-entrypoint.sh",), cmd=("bash",), confidence="high",
                sources="docker-library/bash: Alpine plus bash 5.2."),
        _alpine("curlimages/curl:latest", "3.21", extra="curl", tools=curl_tools,
                env=(_PATH, "CURL_CA_BUNDLE=/cacert.pem"), entrypoint=("/entrypoint.sh",),
                cmd=("curl",), user="curl_user", home="/home/curl_user", confidence="medium",
                sources="curl/curl-container: Alpine, curl 8.x, runs as curl_user. Pinned to "
                        "the 8.11.1 build."),
        _alpine("kodekloud/throw-dice:latest", "3.21", app="throw-dice",
                entrypoint=None, cmd=("throw-dice",), extra="throw-dice", confidence="low",
                sources="Fact sheet F8.9 (community lab notes): prints a roll 1-6, exits 0 only "
                        "on a six. Base image unknown; labs run `/bin/sh -c` in it, so a "
                        "BusyBox shell is assumed."),
        _ubuntu("ubuntu:20.04", "20.04", "5.0", "gnu-8.30"),
        _ubuntu("ubuntu:latest", "24.04", "5.2", "gnu-9.4"),
        _ubuntu("whatwant/fortune:v1.0", "20.04", "5.0", "gnu-8.30",
                entrypoint=("/bin/fortuneloop.sh",), cmd=("10",),
                commands=_commands(_DEBIAN_BASE, "fortune fortuneloop.sh"),
                files={**_dirs("/usr/games /var/htdocs"),
                       "/bin/fortuneloop.sh": _FORTUNELOOP, "/usr/games/fortune": ""},
                confidence="high",
                sources="whatwant-school/kubernetes 2021-04/06-week/02-Dockerfile-fortune and "
                        "02-fortuneloop.sh (FROM ubuntu:latest, apt-get install fortune)."),
        _perl("perl:5.34.1", "bullseye", "7.74.0", "5.1", "gnu-8.32", "gnu-1.21"),
        _perl("perl:latest", "bookworm", "7.88.1", "5.2", "gnu-9.1", "gnu-1.21.3"),
    ]


_FORTUNELOOP = """#!/bin/bash
trap "exit" SIGINT
INTERVAL=$1
echo Configured to generate new fortune every $INTERVAL seconds
mkdir -p /var/htdocs
while :
do
  echo $(date) Writing fortune to /var/htdocs/index.html
  /usr/games/fortune > /var/htdocs/index.html
  sleep $INTERVAL
done
"""


def _perl(name: str, suite: str, curl: str, bash: str, coreutils: str, wget: str) -> ImageProfile:
    version = name.split(":")[1]
    perl = "5.34.1" if version == "5.34.1" else "5.40.0"
    return _profile(
        name, base=f"debian-{suite}", env=(_PATH,), entrypoint=None,
        cmd=(f"perl{perl}", "-de0"),
        commands=_commands(_DEBIAN_BASE, _BUILDPACK_CURL, _BUILDPACK_SCM, _BUILDPACK_FULL,
                           f"perl{perl} cpan cpanm"),
        tools={"shell": "dash", "bash": bash, "coreutils": coreutils, "libc": "glibc",
               "curl": curl, "wget": wget},
        files={**_dirs(), **_os_release(f"Debian GNU/Linux ({suite})", "debian", "")},
        confidence="medium",
        sources="docker-library/perl: FROM buildpack-deps:<suite> (curl, wget, git). "
                "perl:latest pinned to a bookworm build.",
    )


# --- servers that are only listeners in this simulator -------------------------


def _listener_images() -> list[ImageProfile]:
    return [
        _profile("mongo:4.2", base="ubuntu-18.04", env=(_PATH, "GOSU_VERSION=1.12",
                 "JSYAML_VERSION=3.13.1", "MONGO_PACKAGE=mongodb-org", "MONGO_REPO=repo.mongodb.org",
                 "MONGO_MAJOR=4.2", "MONGO_VERSION=4.2.24"),
                 entrypoint=("docker-entrypoint.sh",), cmd=("mongod",),
                 commands=_commands(_DEBIAN_BASE, "mongod mongo mongos gosu jq numactl"),
                 tools={"shell": "dash", "bash": "4.4", "coreutils": "gnu-8.28", "libc": "glibc"},
                 files=_dirs("/data /data/db"), app="mongo", confidence="medium",
                 sources="docker-library/mongo 4.2 (ubuntu bionic); no curl or wget left in "
                         "the image. HTTP on 27017 gets mongod's plain-text warning."),
        _alpine("prom/prometheus:latest", "busybox", entrypoint=("/bin/prometheus",),
                cmd=("--config.file=/etc/prometheus/prometheus.yml",
                     "--storage.tsdb.path=/prometheus"), extra="prometheus promtool",
                tools={"libc": "glibc"}, app="prometheus", user="nobody", home="/home",
                base="busybox-glibc", files=_dirs("/prometheus /etc/prometheus"),
                confidence="medium",
                sources="prometheus/prometheus Dockerfile: FROM quay.io/prometheus/busybox, "
                        "listens on 9090."),
        _alpine("prom/node-exporter:latest", "busybox", entrypoint=("/bin/node_exporter",),
                cmd=None, extra="node_exporter", tools={"libc": "glibc"}, app="node-exporter",
                base="busybox-glibc", files=_dirs(),
                user="nobody", confidence="medium",
                sources="prometheus/node_exporter Dockerfile: busybox base, port 9100."),
        _alpine("grafana/grafana:latest", "3.21", entrypoint=("/run.sh",), cmd=None,
                extra="grafana grafana-server grafana-cli bash", app="grafana",
                user="grafana", home="/usr/share/grafana", confidence="low",
                sources="grafana/grafana (Alpine variant), port 3000; contents not verified."),
        _profile("quay.io/coreos/kube-state-metrics:v1.8.0", base="distroless-static",
                 env=(_PATH,), entrypoint=("/kube-state-metrics",),
                 cmd=("--port=8080", "--telemetry-port=8081"),
                 commands=_commands("kube-state-metrics"), tools={}, files=_dirs(),
                 app="kube-state-metrics", confidence="medium",
                 sources="kube-state-metrics v1.8 Dockerfile (distroless): no shell at all."),
        _profile("quay.io/metallb/controller:v0.11.0", base="distroless-static", env=(_PATH,),
                 entrypoint=("/controller",), cmd=None, commands=_commands("controller"),
                 tools={}, files=_dirs(), app="metallb", confidence="low",
                 sources="MetalLB v0.11 images are built FROM scratch-like bases; metrics :7472."),
        _profile("quay.io/metallb/speaker:v0.11.0", base="distroless-static", env=(_PATH,),
                 entrypoint=("/speaker",), cmd=None, commands=_commands("speaker"),
                 tools={}, files=_dirs(), app="metallb", confidence="low",
                 sources="As the controller; metrics :7472, memberlist :7946."),
        _profile("luksa/kubectl-proxy:latest", base="alpine-3.6", env=(_PATH,),
                 entrypoint=("/bin/sh", "-c", "/kubectl-proxy.sh"), cmd=None,
                 commands=_commands(_BUSYBOX, "apk curl kubectl kubectl-proxy.sh"),
                 tools={"shell": "busybox", "coreutils": "busybox", "wget": "busybox-1.26.2",
                        "nslookup": "busybox-old", "libc": "musl", "curl": "7.55.0"},
                 files=_dirs(), app="kubectl-proxy", confidence="medium",
                 sources="luksa/kubernetes-in-action Chapter08/kubectl-proxy (FROM alpine, apk "
                         "add curl, kubectl proxy on 127.0.0.1:8001)."),
        _profile("registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3", base="debian-jessie",
                 env=(_PATH,), entrypoint=None, cmd=("/bin/sh",),
                 commands=_commands(_DEBIAN_BASE, "dig nslookup host nsupdate coredns"),
                 tools={"shell": "dash", "bash": "4.3", "coreutils": "gnu-8.23", "libc": "glibc",
                        "nslookup": "bind9-9.9.5", "dig": "9.9.5-9+deb8u19-Debian"},
                 files=_dirs(), confidence="high",
                 sources="kubernetes/kubernetes test/images/jessie-dnsutils/Dockerfile: "
                         "apt-get install dnsutils (bind 9.9.5); no curl, no wget."),
        *_git_sync(),
    ]


def _git_sync() -> list[ImageProfile]:
    names = ("registry.k8s.io/git-sync/git-sync:v3.2.2", "registry.k8s.io/git-sync/git-sync:v3.6.1",
             "registry.k8s.io/git-sync:v3.1.5")
    return [
        _profile(name, base="debian-buster", env=(_PATH,), entrypoint=("/git-sync",), cmd=None,
                 commands=_commands(_DEBIAN_BASE, "git ssh git-sync"),
                 tools={"shell": "dash", "coreutils": "gnu-8.30", "libc": "glibc"},
                 files=_dirs("/tmp/git"), app="git-sync", user="git-sync", home="/tmp",
                 confidence="low",
                 sources="kubernetes/git-sync v3 images (debian-base plus git and openssh).")
        for name in names
    ]


# --- the catalogue -----------------------------------------------------------

_CATALOGUE: dict[str, ImageProfile] = {}


def catalogue() -> Mapping[str, ImageProfile]:
    if not _CATALOGUE:
        for profile in (*_node_images(), *_nginx_images(), *_base_images(), *_listener_images()):
            _CATALOGUE[profile.name] = profile
    return MappingProxyType(_CATALOGUE)


# Tags that are the same build as a catalogue entry.
ALIASES = {
    "nginx:latest": "nginx:alpine",  # not the same image, but the same behaviour here
    "busybox:1.37.0": "busybox:latest",
    "busybox:1.37": "busybox:latest",
    "alpine:3.21": "alpine:latest",
    "ubuntu:24.04": "ubuntu:latest",
    "ubuntu:focal": "ubuntu:20.04",
}


# --- what the runtime adds -----------------------------------------------------


def container_env(
    profile: ImageProfile,
    pod_env: list[tuple[str, str]],
    hostname: str,
    *,
    tty: bool = False,
    runtime: str = "docker",
) -> list[str]:
    """The process environment, in the order `env` prints it.

    docker (dockershim, the lecture's cluster): the daemon's defaults PATH,
    HOSTNAME, TERM (exec -t) come first and are replaced in place; the
    container's Env (pod variables first, then image ENV not overridden) is
    appended (moby `CreateDaemonEnvironment` + `ReplaceOrAppendEnvValues`).
    containerd (CRI): image ENV first, HOSTNAME, then the pod's variables,
    TERM=xterm appended for a tty exec. runc appends HOME last when unset.
    """
    return joined(container_env_map(profile, pod_env, hostname, tty=tty, runtime=runtime))


def container_env_map(profile: ImageProfile, pod_env: list[tuple[str, str]], hostname: str,
                      *, tty: bool = False, runtime: str = "docker") -> dict[str, str]:
    """`container_env` as a dict in the same order. A dict's update is "replace in place
    or append", the runtimes' own rule, done in C: with service links on, a pod in a
    namespace of 1,000 Services starts with 7,000 variables."""
    image = [(name, value) for name, _, value in (item.partition("=") for item in profile.env)]
    if runtime == "docker":
        env = {"PATH": _PATH.split("=", 1)[1], "HOSTNAME": hostname}
        if tty:
            env["TERM"] = "xterm"
        pod = dict(pod_env)
        env.update(pod)
        env.update((k, v) for k, v in image if k not in pod)
    else:
        env = {"PATH": _PATH.split("=", 1)[1]}
        env.update(image)
        env["HOSTNAME"] = hostname
        env.update(pod_env)
        if tty:
            env["TERM"] = "xterm"
    env.setdefault("HOME", profile.home)
    return env


class _Joined(dict):
    """(name, value) -> "NAME=value", made on first use: the containers of a namespace share
    one string per Service variable rather than holding 7,000 copies each."""

    def __missing__(self, pair: tuple[str, str]) -> str:
        text = self[pair] = f"{pair[0]}={pair[1]}"
        return text


_JOINED = _Joined()


def joined(env: Mapping[str, str]) -> list[str]:
    """`env` as the runtime's "NAME=value" list (looked up in C, one lookup a variable)."""
    if len(_JOINED) > 200_000:
        _JOINED.clear()
    return list(map(_JOINED.__getitem__, env.items()))


def kubelet_files(
    hostname: str,
    pod_ip: str,
    resolv_conf: str,
    *,
    fqdn: str = "",
    host_aliases: list[tuple[str, list[str]]] | None = None,
) -> dict[str, str]:
    """/etc/hosts, /etc/hostname and /etc/resolv.conf as the kubelet writes them
    (pkg/kubelet/kubelet_pods.go managedHostsFileContent); the image never has them."""
    names = f"{fqdn}\t{hostname}" if fqdn else hostname
    hosts = (
        "# Kubernetes-managed hosts file.\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "fe00::0\tip6-mcastprefix\n"
        "fe00::1\tip6-allnodes\n"
        "fe00::2\tip6-allrouters\n"
        f"{pod_ip}\t{names}\n"
    )
    if host_aliases:
        hosts += "\n# Entries added by HostAliases.\n"
        hosts += "".join(f"{ip}\t{chr(9).join(hs)}\n" for ip, hs in host_aliases)
    return {"/etc/hosts": hosts, "/etc/hostname": hostname + "\n", "/etc/resolv.conf": resolv_conf}
