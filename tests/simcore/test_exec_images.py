"""The image catalogue: references, contents, runtime environment and process plans."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest
from test_exec_fakenet import NOW

from simcore.exec.imagelookup import image_profile
from simcore.exec.imageref import ImageRefError, invalid_image_message, parse_image_ref
from simcore.exec.images import (
    catalogue,
    container_env,
    kubelet_files,
)
from simcore.exec.processes import expand_kube_vars, expand_repeat, pi_digits
from simcore.node.resolvconf import render as render_resolv_conf

# --- references --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "canonical", "familiar"),
    [
        pytest.param("nginx", "docker.io/library/nginx:latest", "nginx:latest", id="bare"),
        pytest.param("nginx:1.14.2", "docker.io/library/nginx:1.14.2", "nginx:1.14.2", id="tag"),
        pytest.param("whatwant/node-web:1.0", "docker.io/whatwant/node-web:1.0",
                     "whatwant/node-web:1.0", id="user-repo"),
        pytest.param("docker.io/library/busybox", "docker.io/library/busybox:latest",
                     "busybox:latest", id="explicit-hub"),
        pytest.param("index.docker.io/library/busybox:1.37", "docker.io/library/busybox:1.37",
                     "busybox:1.37", id="index-alias"),
        pytest.param("registry.k8s.io/echoserver:1.10", "registry.k8s.io/echoserver:1.10",
                     "registry.k8s.io/echoserver:1.10", id="other-registry"),
        pytest.param("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest",
                     id="registry-with-port"),
        pytest.param("nginx@sha256:" + "a" * 64, "docker.io/library/nginx@sha256:" + "a" * 64,
                     "nginx@sha256:" + "a" * 64, id="digest-only-no-latest"),
        pytest.param("quay.io/metallb/speaker:v0.11.0@sha256:" + "b" * 64,
                     "quay.io/metallb/speaker:v0.11.0@sha256:" + "b" * 64,
                     "quay.io/metallb/speaker:v0.11.0@sha256:" + "b" * 64, id="tag-and-digest"),
    ],
)
def test_parse_image_ref(image, canonical, familiar) -> None:
    ref = parse_image_ref(image)
    assert (ref.canonical, ref.familiar) == (canonical, familiar)


@pytest.mark.parametrize(
    ("image", "error"),
    [
        pytest.param("Nginx", "repository name must be lowercase", id="uppercase"),
        pytest.param("whatwant/Node-Web:1.0", "repository name must be lowercase", id="upper-path"),
        pytest.param("nginx:", "invalid reference format", id="empty-tag"),
        pytest.param("nginx::1", "invalid reference format", id="double-colon"),
        pytest.param("nginx@sha256:123", "invalid reference format", id="short-digest"),
        pytest.param(" nginx", "invalid reference format", id="space"),
        pytest.param("a//b", "invalid reference format", id="empty-component"),
    ],
)
def test_invalid_references(image, error) -> None:
    with pytest.raises(ImageRefError) as caught:
        parse_image_ref(image)
    assert str(caught.value) == error
    assert image_profile(image) is None


def test_the_kubelets_invalid_image_name_message() -> None:
    error = ImageRefError("repository name must be lowercase")
    assert invalid_image_message("Nginx", error) == (
        'Failed to apply default image tag "Nginx": couldn\'t parse image reference "Nginx": '
        "repository name must be lowercase")


@pytest.mark.parametrize(
    ("image", "key"),
    [
        pytest.param("k8s.gcr.io/busybox", "registry.k8s.io/busybox:latest", id="old-registry"),
        pytest.param("k8s.gcr.io/e2e-test-images/jessie-dnsutils:1.3",
                     "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3", id="nested-path"),
        pytest.param("docker.io/whatwant/node-web:1.0", "whatwant/node-web:1.0", id="explicit-hub"),
        pytest.param("curlimages/curl", "curlimages/curl:latest", id="latest"),
    ],
)
def test_catalogue_lookup_folds_registries(image, key) -> None:
    assert parse_image_ref(image).lookup_key == key
    assert image_profile(image) is catalogue()[key]


@pytest.mark.parametrize("image", ["whatwant/node-web:9.9", "nosuch/image", "nginx:0.1"])
def test_unknown_images_are_none(image) -> None:
    assert image_profile(image) is None


def test_every_course_image_is_in_the_catalogue() -> None:
    course = ["alpine", "bash", "busybox", "curlimages/curl", "grafana/grafana:latest",
              "k8s.gcr.io/busybox", "k8s.gcr.io/e2e-test-images/jessie-dnsutils:1.3",
              "k8s.gcr.io/git-sync/git-sync:v3.2.2", "k8s.gcr.io/git-sync/git-sync:v3.6.1",
              "k8s.gcr.io/git-sync:v3.1.5", "kodekloud/throw-dice", "luksa/batch-job",
              "luksa/kubectl-proxy:latest", "luksa/kubia", "luksa/kubia-unhealthy",
              "luksa/ssd-monitor", "mongo:4.2", "nginx:1.14.2", "nginx:alpine", "perl",
              "perl:5.34.1", "prom/node-exporter", "prom/prometheus:latest",
              "quay.io/coreos/kube-state-metrics:v1.8.0", "quay.io/metallb/controller:v0.11.0",
              "quay.io/metallb/speaker:v0.11.0", "ubuntu:20.04", "ubuntu:latest",
              "whatwant/err-pod:1.0", "whatwant/fortune:v1.0", "whatwant/node-web:1.0",
              "whatwant/node-web:2.0", "whatwant/node-web:3.0", "whatwant/node-web:4.0",
              "whatwant/simple-nginx:v0.1"]
    missing = [image for image in course if image_profile(image) is None]
    assert missing == []


# --- contents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "present", "absent", "curl"),
    [
        pytest.param("whatwant/node-web:1.0", {"curl", "wget", "bash", "sh", "ls", "node"},
                     {"nslookup", "dig", "ping"}, "7.64.0", id="node-web"),
        pytest.param("busybox", {"wget", "nslookup", "sh", "ping"}, {"curl", "bash"}, "",
                     id="busybox"),
        pytest.param("curlimages/curl", {"curl", "sh", "wget"}, {"bash"}, "8.11.1", id="curl"),
        pytest.param("nginx:1.14.2", {"nginx", "bash"}, {"curl", "wget"}, "", id="nginx-stretch"),
        pytest.param("nginx:alpine", {"nginx", "curl", "wget"}, {"bash"}, "8.11.1",
                     id="nginx-alpine"),
        pytest.param("ubuntu:20.04", {"bash", "sh", "sleep"}, {"curl", "wget", "ping"}, "",
                     id="ubuntu"),
        pytest.param("perl:5.34.1", {"curl", "wget", "perl"}, {"nslookup"}, "7.74.0", id="perl"),
        pytest.param("k8s.gcr.io/e2e-test-images/jessie-dnsutils:1.3", {"dig", "nslookup"},
                     {"curl", "wget"}, "", id="dnsutils"),
        pytest.param("quay.io/coreos/kube-state-metrics:v1.8.0", {"kube-state-metrics"},
                     {"sh", "ls"}, "", id="distroless"),
    ],
)
def test_image_contents(image, present, absent, curl) -> None:
    profile = image_profile(image)
    assert present <= profile.commands
    assert not absent & profile.commands
    assert profile.tool("curl") == curl


def test_the_lecture_image_env_and_home_come_from_runc() -> None:
    profile = image_profile("whatwant/node-web:1.0")
    assert profile.env == ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "NODE_VERSION=15.14.0", "YARN_VERSION=1.22.5")
    assert profile.home == "/root"


def test_every_profile_says_where_it_comes_from() -> None:
    assert all(p.sources and p.confidence in ("high", "medium", "low")
               for p in catalogue().values())


@pytest.mark.parametrize(
    ("runtime", "tty", "expected"),
    [
        pytest.param("docker", True, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                       "HOSTNAME=rs-node-web-ghqnq", "TERM=xterm",
                                       "SVC_NODE_SERVICE_HOST=10.104.191.116",
                                       "KUBERNETES_SERVICE_PORT=443", "NODE_VERSION=15.14.0",
                                       "YARN_VERSION=1.22.5", "HOME=/root"], id="docker-tty"),
        pytest.param("containerd", False, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                            "NODE_VERSION=15.14.0", "YARN_VERSION=1.22.5",
                                            "HOSTNAME=rs-node-web-ghqnq",
                                            "SVC_NODE_SERVICE_HOST=10.104.191.116",
                                            "KUBERNETES_SERVICE_PORT=443", "HOME=/root"],
                     id="containerd"),
    ],
)
def test_container_env_order(runtime, tty, expected) -> None:
    pod_env = [("SVC_NODE_SERVICE_HOST", "10.104.191.116"), ("KUBERNETES_SERVICE_PORT", "443")]
    env = container_env(image_profile("whatwant/node-web:1.0"), pod_env, "rs-node-web-ghqnq",
                        tty=tty, runtime=runtime)
    assert env == expected


def test_a_pod_variable_overrides_the_image_env_in_place() -> None:
    env = container_env(image_profile("whatwant/node-web:1.0"), [("NODE_VERSION", "x")], "h")
    assert env[2:] == ["NODE_VERSION=x", "YARN_VERSION=1.22.5", "HOME=/root"]


def test_kubelet_managed_files() -> None:
    resolv = render_resolv_conf(["10.96.0.10"], ["default.svc.cluster.local", "svc.cluster.local",
                                               "cluster.local", "skbroadband"], ["ndots:5"])
    files = kubelet_files("rs-node-web-ghqnq", "10.244.2.23", resolv)
    assert files["/etc/hostname"] == "rs-node-web-ghqnq\n"
    assert files["/etc/hosts"].endswith("fe00::2\tip6-allrouters\n10.244.2.23\trs-node-web-ghqnq\n")
    assert files["/etc/resolv.conf"] == (
        "nameserver 10.96.0.10\n"
        "search default.svc.cluster.local svc.cluster.local cluster.local skbroadband\n"
        "options ndots:5\n")
    assert render_resolv_conf(["10.96.0.10"], ["a"], [], runtime="containerd") == (
        "search a\nnameserver 10.96.0.10\n")


# --- process plans ---------------------------------------------------------------------------


def start(image, command=None, args=None, env=None, seed=1, **kw):
    return image_profile(image).start(command, args, env or {}, random.Random(seed), now=NOW, **kw)


def test_node_web_is_a_server_that_ignores_sigterm() -> None:
    plan = start("whatwant/node-web:1.0", env={"HOSTNAME": "rs-node-web-dk4hd"})
    assert plan["argv"] == ["node", "app.js"]
    assert plan["output"] == [{"at": 0.0, "stream": "stdout", "text": "node-web server starting...\n"}]
    assert [(x["port"], x["app"]) for x in plan["listeners"]] == [(8080, "node-web")]
    assert (plan["exit"], plan["sigterm"]) == (None, {"action": "ignore"})


def test_nginx_exits_at_once_on_sigterm() -> None:
    plan = start("nginx:1.14.2")
    assert plan["sigterm"] == {"action": "exit", "after": 0.0, "code": 0}
    assert [(x["port"], x["app"]) for x in plan["listeners"]] == [(80, "nginx")]


def test_the_liveness_classic_is_a_file_timeline() -> None:
    plan = start("busybox", ["/bin/sh", "-c"],
                 ["touch /tmp/healthy; sleep 30; rm -rf /tmp/healthy; sleep 600"])
    assert plan["files"] == [
        {"at": 0.0, "op": "write", "path": "/tmp/healthy", "content": ""},
        {"at": 30.0, "op": "delete", "path": "/tmp/healthy"},
    ]
    assert plan["exit"] == {"at": 630.0, "code": 0}


def test_an_endless_loop_becomes_a_repeat() -> None:
    plan = start("luksa/ssd-monitor")
    assert plan["exit"] is None
    assert plan["repeat"] == {"start": 0.0, "every": 5.0, "files": [],
                              "output": [{"at": 0.0, "stream": "stdout", "text": "SSD OK\n"}]}
    assert [e["at"] for e in expand_repeat(plan, 12)] == [0.0, 5.0, 10.0]


def test_batch_job_prints_dates_and_exits_after_two_minutes() -> None:
    plan = start("luksa/batch-job")
    assert [o["text"] for o in plan["output"]] == [
        "Sat May  1 10:00:00 UTC 2021 Batch job starting\n",
        "Sat May  1 10:02:00 UTC 2021 Finished succesfully\n",
    ]
    assert plan["exit"] == {"at": 120.0, "code": 0}


def test_kubelet_expands_dollar_paren_references() -> None:
    env = {"GREETING": "Warm greetings to", "HONORIFIC": "The Most Honorable",
           "NAME": "Kubernetes"}
    plan = start("busybox", ["echo"], ["$(GREETING) $(HONORIFIC) $(NAME)"], env=env)
    assert plan["output"][0]["text"] == "Warm greetings to The Most Honorable Kubernetes\n"
    assert plan["exit"] == {"at": 0.0, "code": 0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("$(A)", "1", id="defined"),
        pytest.param("$(NOPE)", "$(NOPE)", id="undefined-stays"),
        pytest.param("$$(A)", "$(A)", id="escaped"),
        pytest.param("$A-$(A", "$A-$(A", id="not-a-reference"),
    ],
)
def test_expand_kube_vars(text, expected) -> None:
    assert expand_kube_vars(text, {"A": "1"}) == expected


def test_sleep_forever_image() -> None:
    plan = start("ubuntu:20.04", ["/bin/sleep", "3650d"])
    assert plan["exit"] == {"at": 3650 * 86400.0, "code": 0}


def test_a_missing_executable_cannot_start() -> None:
    plan = start("busybox", ["curl"])
    assert plan["start_error"]["containerd"] == {
        "reason": "StartError", "exit_code": 128,
        "message": "failed to create containerd task: failed to create shim task: OCI runtime "
                   "create failed: runc create failed: unable to start container process: exec: "
                   '"curl": executable file not found in $PATH: unknown'}
    assert plan["start_error"]["docker"]["exit_code"] == 127


def test_perl_computes_pi() -> None:
    plan = start("perl:5.34.1", ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"])
    text = plan["output"][0]["text"]
    assert text.startswith("3.14159265358979323846264338327950288419716939937510")
    assert text.endswith("8326459958133904780275901\n")
    assert len(text) == 2002
    assert plan["exit"]["code"] == 0


def test_pi_rounds_its_last_digit() -> None:
    assert pi_digits(5) == "3.1416"
    assert pi_digits(20) == "3.1415926535897932385"


def test_throw_dice_distribution_with_a_seeded_rng() -> None:
    rng = random.Random(20210501)
    profile = image_profile("kodekloud/throw-dice")
    plans = [profile.start(None, None, {}, rng) for _ in range(6000)]
    rolls = Counter(int(p["output"][0]["text"]) for p in plans)
    assert set(rolls) == {1, 2, 3, 4, 5, 6}
    assert all(900 <= n <= 1100 for n in rolls.values())
    assert all((p["exit"]["code"] == 0) == (p["output"][0]["text"] == "6\n") for p in plans)
    assert all(1.0 <= p["exit"]["at"] <= 2.0 for p in plans)


def test_throw_dice_is_reproducible() -> None:
    first = start("kodekloud/throw-dice", seed=7)
    assert start("kodekloud/throw-dice", seed=7) == first


def test_plans_are_plain_data() -> None:
    for image in ("whatwant/node-web:1.0", "luksa/ssd-monitor", "nginx:alpine",
                  "whatwant/fortune:v1.0", "kodekloud/throw-dice"):
        plan = start(image)
        assert json.loads(json.dumps(plan)) == plan


def test_fortune_writes_the_page_every_interval() -> None:
    plan = start("whatwant/fortune:v1.0", args=["5"])
    assert plan["output"][0]["text"] == "Configured to generate new fortune every 5 seconds\n"
    assert plan["repeat"]["every"] == 5.0
    writes = [f["path"] for f in plan["repeat"]["files"]]
    assert set(writes) == {"/var/htdocs/index.html"}
    assert re.match(r"Sat May 1 10:00:00 UTC 2021 Writing fortune",
                    plan["repeat"]["output"][0]["text"])


def test_a_shell_without_a_script_exits_at_once() -> None:
    assert start("ubuntu:20.04")["exit"] == {"at": 0.0, "code": 0}
    assert start("ubuntu:20.04", stdin=True)["exit"] is None


def test_curl_image_default_command_is_usage_exit_2() -> None:
    plan = start("curlimages/curl")
    assert plan["exit"] == {"at": 0.0, "code": 2}
    assert plan["output"][0]["text"].startswith("curl: no URL specified!")
