"""curl inside the course's images: options, exit codes and every printed byte, per version."""

from __future__ import annotations

import pytest
from test_exec_fakenet import SVC_IP, FakeNet, app_responder, context, node_web

from simcore.exec import run
from simcore.exec.curl import Dialect, UsageError, parse_args, parse_url

NODE = "whatwant/node-web:1.0"  # curl 7.64.0 (Debian buster)
PERL = "perl:5.34.1"  # curl 7.74.0 (Debian bullseye)
CURLIMG = "curlimages/curl"  # curl 8.11.1
BODY = "You've hit rs-node-web-ghqnq\n"
HINT = "curl: try 'curl --help' or 'curl --manual' for more information\n"


def lecture_net(upstream: str = "timeout") -> FakeNet:
    return FakeNet(upstream=upstream, routes={
        (SVC_IP, 80): node_web(),
        ("10.244.2.21", 8080): node_web("rs-node-web-dk4hd"),
        ("11.11.11.11", 80): "timeout",
        ("10.0.0.5", 80): "empty",
        ("10.0.0.6", 80): "reset",
        ("10.0.0.7", 80): "hang",
        ("10.0.0.8", 80): "unreachable",
        ("10.0.0.9", 80): app_responder("nginx", "web", {
            "version": "1.14.2", "last_modified": "Tue, 04 Dec 2018 14:44:49 GMT"}, port=80),
    })


def curl(image: str, *args: str, tty: bool = True, upstream: str = "timeout", net=None):
    return run(["curl", *args], context(image, net or lecture_net(upstream), tty=tty))


# --- the option parser ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "flags", "values", "urls"),
    [
        pytest.param(["-s", "http://svc-node"], {"silent"}, {}, ["http://svc-node"], id="silent"),
        pytest.param(["-sS", "x"], {"silent", "show-error"}, {}, ["x"], id="combined"),
        pytest.param(["-sv", "x"], {"silent", "verbose"}, {}, ["x"], id="sv"),
        pytest.param(["-XPOST", "x"], set(), {"request": "POST"}, ["x"], id="attached-value"),
        pytest.param(["-sXPUT", "x"], {"silent"}, {"request": "PUT"}, ["x"], id="flag-then-value"),
        pytest.param(["-m", "5", "x"], set(), {"max-time": "5"}, ["x"], id="separate-value"),
        pytest.param(["-m2.5", "x"], set(), {"max-time": "2.5"}, ["x"], id="decimal-seconds"),
        pytest.param(["--connect-timeout", "2", "x"], set(), {"connect-timeout": "2"}, ["x"],
                     id="long-value"),
        pytest.param(["--verb", "x"], {"verbose"}, {}, ["x"], id="unambiguous-prefix"),
        pytest.param(["-so", "/dev/null", "-w", "%{http_code}", "x"], {"silent"},
                     {"output": "/dev/null", "write-out": "%{http_code}"}, ["x"], id="o-and-w"),
        pytest.param(["x", "-L", "y"], {"location"}, {}, ["x", "y"], id="options-after-urls"),
        pytest.param(["--", "-x"], set(), {}, ["-x"], id="double-dash"),
    ],
)
def test_option_parser(argv, flags, values, urls) -> None:
    opts = parse_args(argv)
    assert (opts.flags, opts.values, opts.urls) == (flags, values, urls)


def test_headers_data_and_resolve_accumulate() -> None:
    opts = parse_args(["-H", "Host: a", "-H", "X: 1", "-d", "a=1", "--data", "b=2",
                       "--resolve", "svc:80:10.0.0.1", "u"])
    assert opts.headers == ["Host: a", "X: 1"]
    assert opts.data == ["a=1", "b=2"]
    assert opts.resolve == ["svc:80:10.0.0.1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["-H"], "curl: option -H: requires parameter\n", id="missing-value"),
        pytest.param(["--max-time=5", "x"], "curl: option --max-time=5: is unknown\n",
                     id="no-equals-syntax"),
        pytest.param(["-m", "abc", "x"], "curl: option -m: expected a proper numerical parameter\n",
                     id="bad-number"),
        pytest.param(["--connect-timeout", "-1", "x"],
                     "curl: option --connect-timeout: expected a proper numerical parameter\n",
                     id="negative-number"),
        pytest.param(["--bogus", "x"], "curl: option --bogus: is unknown\n", id="unknown-long"),
        pytest.param(["--data-", "x"], "curl: option --data-: is ambiguous\n", id="ambiguous"),
    ],
)
def test_usage_errors(argv, message) -> None:
    with pytest.raises(UsageError) as error:
        parse_args(argv)
    assert str(error.value) == message
    result = curl(NODE, *argv)
    assert (result.exit_code, result.stderr, result.stdout) == (2, message + HINT, "")


def test_no_url() -> None:
    result = curl(NODE, "-s")
    assert (result.exit_code, result.stderr) == (2, "curl: no URL specified!\n" + HINT)


@pytest.mark.parametrize(
    ("text", "scheme", "host", "port", "target"),
    [
        pytest.param("svc-node", "http", "svc-node", 80, "/", id="no-scheme"),
        pytest.param("10.244.2.21:8080", "http", "10.244.2.21", 8080, "/", id="ip-and-port"),
        pytest.param("HTTP://Svc-Node/a?b=c#frag", "http", "svc-node", 80, "/a?b=c", id="case"),
        pytest.param("https://kubernetes", "https", "kubernetes", 443, "/", id="https"),
        pytest.param("svc?x=1", "http", "svc", 80, "/?x=1", id="query-without-path"),
    ],
)
def test_url_parsing(text, scheme, host, port, target) -> None:
    url = parse_url(text, Dialect("7.64.0"))
    assert (url.scheme, url.host, url.port, url.target) == (scheme, host, port, target)


# --- what the lecture did --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://svc-node", "http://svc-node.default", "http://svc-node.default.svc",
     f"http://{SVC_IP}"],
)
def test_lecture_names_that_answer(url) -> None:
    result = curl(NODE, "-s", url)
    assert (result.exit_code, result.stdout, result.stderr) == (0, BODY, "")


@pytest.mark.parametrize("url", ["http://svc-node.default.svc.cluster",
                                 "http://svc-node.default.svc.cluster.local"])
def test_lecture_names_that_hang_take_seconds(url) -> None:
    result = curl(NODE, "-s", url)
    assert result.duration >= 10.0  # the class pressed ^C long before any answer
    assert result.stderr == ""


def test_pod_to_pod_curl_names_the_pod() -> None:
    result = curl(NODE, "-s", "http://10.244.2.21:8080")
    assert result.stdout == "You've hit rs-node-web-dk4hd\n"


# --- failures per curl version ----------------------------------------------------------

_REFUSED = "Failed to connect to 10.104.191.200 port 80"


@pytest.mark.parametrize(
    ("image", "args", "code", "stderr"),
    [
        pytest.param(NODE, ["-sS", "10.104.191.200"], 7,
                     f"curl: (7) {_REFUSED}: Connection refused\n", id="7.64-refused"),
        pytest.param(PERL, ["-sS", "10.104.191.200"], 7,
                     f"curl: (7) {_REFUSED}: Connection refused\n", id="7.74-refused"),
        pytest.param(CURLIMG, ["-sS", "10.104.191.200"], 7,
                     f"curl: (7) {_REFUSED} after 0 ms: Couldn't connect to server\n",
                     id="8.x-refused"),
        pytest.param(NODE, ["-sS", "10.0.0.8"], 7,
                     "curl: (7) Failed to connect to 10.0.0.8 port 80: No route to host\n",
                     id="7.64-unreachable"),
        pytest.param(NODE, ["-s", "10.104.191.200"], 7, "", id="silent-says-nothing"),
        pytest.param(NODE, ["-sS", "nope"], 6, "curl: (6) Could not resolve host: nope\n",
                     id="7.64-resolve"),
        pytest.param(CURLIMG, ["-sS", "nope"], 6, "curl: (6) Could not resolve host: nope\n",
                     id="8.x-resolve"),
        pytest.param(NODE, ["-sS", "--connect-timeout", "2", "11.11.11.11"], 28,
                     "curl: (28) Connection timed out after 2001 milliseconds\n",
                     id="7.64-connect-timeout"),
        pytest.param(CURLIMG, ["-sS", "--connect-timeout", "2", "11.11.11.11"], 28,
                     "curl: (28) Failed to connect to 11.11.11.11 port 80 after 2001 ms: "
                     "Timeout was reached\n", id="8.x-connect-timeout"),
        pytest.param(NODE, ["-sS", "11.11.11.11"], 28,
                     "curl: (28) Failed to connect to 11.11.11.11 port 80: Connection timed "
                     "out\n", id="7.64-kernel-gives-up"),
        pytest.param(NODE, ["-sS", "-m", "3", "10.0.0.7"], 28,
                     "curl: (28) Operation timed out after 3001 milliseconds with 0 bytes "
                     "received\n", id="max-time-no-reply"),
        pytest.param(NODE, ["-sS", "--connect-timeout", "2", "svc-node.default.svc.cluster"],
                     28, "curl: (28) Resolving timed out after 2000 milliseconds\n",
                     id="resolve-timeout"),
        pytest.param(NODE, ["-sS", "10.0.0.5"], 52, "curl: (52) Empty reply from server\n",
                     id="empty-reply"),
        pytest.param(NODE, ["-sS", "10.0.0.6"], 56,
                     "curl: (56) Recv failure: Connection reset by peer\n", id="reset"),
        pytest.param(NODE, ["-sSf", "10.0.0.9/nope"], 22,
                     "curl: (22) The requested URL returned error: 404 Not Found\n",
                     id="7.64-fail"),
        pytest.param(CURLIMG, ["-sSf", "10.0.0.9/nope"], 22,
                     "curl: (22) The requested URL returned error: 404\n", id="8.x-fail"),
        pytest.param(NODE, ["-sS", "ftp://x"], 1,
                     'curl: (1) Protocol "ftp" not supported or disabled in libcurl\n',
                     id="7.64-protocol"),
        pytest.param(CURLIMG, ["-sS", "ftp://x"], 1, 'curl: (1) Protocol "ftp" not supported\n',
                     id="8.x-protocol"),
        pytest.param(NODE, ["-sS", "http://:80"], 3,
                     "curl: (3) URL using bad/illegal format or missing URL\n", id="7.64-no-host"),
        pytest.param(CURLIMG, ["-sS", "http://:80"], 3,
                     "curl: (3) URL rejected: No host part in the URL\n", id="8.x-no-host"),
    ],
)
def test_exit_codes_and_messages(image, args, code, stderr) -> None:
    result = curl(image, *args)
    assert (result.exit_code, result.stderr, result.stdout) == (code, stderr, "")


def test_without_max_time_a_silent_server_hangs_forever() -> None:
    result = curl(NODE, "-s", "10.0.0.7")
    assert result.hangs
    assert (result.stdout, result.stderr) == ("", "")


def test_fail_with_success_prints_the_body() -> None:
    result = curl(NODE, "-sf", "http://svc-node")
    assert (result.exit_code, result.stdout) == (0, BODY)


# --- the verbose transcript ---------------------------------------------------------------


def test_verbose_764_success_not_a_tty() -> None:
    result = curl(NODE, "-v", "http://svc-node", tty=False)
    assert result.stdout == BODY
    assert result.stderr == (
        "*   Trying 10.104.191.116...\n"
        "* TCP_NODELAY set\n"
        "* Connected to svc-node (10.104.191.116) port 80 (#0)\n"
        "> GET / HTTP/1.1\r\n"
        "> Host: svc-node\r\n"
        "> User-Agent: curl/7.64.0\r\n"
        "> Accept: */*\r\n"
        "> \r\n"
        "* Mark bundle as not supporting multiuse\n"
        "< HTTP/1.1 200 OK\r\n"
        "< Date: Sat, 01 May 2021 10:00:00 GMT\r\n"
        "< Connection: keep-alive\r\n"
        "< Keep-Alive: timeout=5\r\n"
        "< Transfer-Encoding: chunked\r\n"
        "< \r\n"
        "{ [29 bytes data]\n"
        "* Connection #0 to host svc-node left intact\n"
    )


def test_verbose_on_a_tty_omits_the_data_note() -> None:
    assert "bytes data" not in curl(NODE, "-v", "http://svc-node", tty=True).stderr


def test_verbose_8x_success() -> None:
    result = curl(CURLIMG, "-sv", "10.244.2.21:8080")
    assert result.stderr.split("\n")[:3] == [
        "*   Trying 10.244.2.21:8080...",
        "* Connected to 10.244.2.21 (10.244.2.21) port 8080",
        "> GET / HTTP/1.1\r",
    ]
    assert "> Host: 10.244.2.21:8080\r\n> User-Agent: curl/8.11.1\r\n" in result.stderr
    assert "Mark bundle" not in result.stderr


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(NODE, "*   Trying 10.104.191.200...\n* TCP_NODELAY set\n"
                     "* connect to 10.104.191.200 port 80 failed: Connection refused\n"
                     f"* {_REFUSED}: Connection refused\n* Closing connection 0\n"
                     f"curl: (7) {_REFUSED}: Connection refused\n", id="7.64"),
        pytest.param(PERL, "*   Trying 10.104.191.200:80...\n"
                     "* connect to 10.104.191.200 port 80 failed: Connection refused\n"
                     f"* {_REFUSED}: Connection refused\n* Closing connection 0\n"
                     f"curl: (7) {_REFUSED}: Connection refused\n", id="7.74"),
        pytest.param(CURLIMG, "*   Trying 10.104.191.200:80...\n"
                     "* connect to 10.104.191.200 port 80 failed: Connection refused\n"
                     f"* {_REFUSED} after 0 ms: Couldn't connect to server\n"
                     "* Closing connection\n"
                     f"curl: (7) {_REFUSED} after 0 ms: Couldn't connect to server\n", id="8.x"),
    ],
)
def test_verbose_refused(image, expected) -> None:
    assert curl(image, "-v", "10.104.191.200").stderr == expected


def test_verbose_resolve_failure() -> None:
    assert curl(NODE, "-v", "nope").stderr == (
        "* Could not resolve host: nope\n* Closing connection 0\n"
        "curl: (6) Could not resolve host: nope\n")


def test_verbose_post_shows_the_upload() -> None:
    stderr = curl(PERL, "-v", "-d", "a=1", "http://svc-node", tty=False).stderr
    assert ("> Content-Length: 3\r\n> Content-Type: application/x-www-form-urlencoded\r\n"
            "> \r\n} [3 bytes data]\n* upload completely sent off: 3 out of 3 bytes\n") in stderr


# --- output shaping -------------------------------------------------------------------------


def test_include_prints_status_and_headers_with_crlf() -> None:
    result = curl(NODE, "-si", "http://svc-node")
    assert result.stdout == (
        "HTTP/1.1 200 OK\r\nDate: Sat, 01 May 2021 10:00:00 GMT\r\nConnection: keep-alive\r\n"
        "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n" + BODY)


def test_head_sends_head_and_prints_headers_only() -> None:
    net = lecture_net()
    result = run(["curl", "-sI", "http://svc-node"], context(NODE, net))
    assert net.requests[-1].method == "HEAD"
    assert result.stdout.endswith("Keep-Alive: timeout=5\r\n\r\n")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("%{http_code}", "200", id="http_code"),
        pytest.param("%{http_code}\\n", "200\n", id="curl-escape"),
        pytest.param("%{remote_ip}:%{remote_port} %{size_download}", f"{SVC_IP}:80 29",
                     id="remote-and-size"),
        pytest.param("%%{x}", "%{x}", id="percent-escape"),
        pytest.param("%{content_type}|%{url_effective}", "|http://svc-node/", id="no-type"),
    ],
)
def test_write_out(template, expected) -> None:
    result = curl(NODE, "-s", "-o", "/dev/null", "-w", template, "http://svc-node")
    assert result.stdout == expected


def test_write_out_on_failure_prints_000() -> None:
    result = curl(NODE, "-s", "-w", "%{http_code} %{exitcode}", "10.104.191.200")
    assert (result.exit_code, result.stdout) == (7, "000 7")


def test_write_out_unknown_variable_warns() -> None:
    result = curl(NODE, "-s", "-o", "/dev/null", "-w", "%{nope}", "http://svc-node")
    assert result.stderr == "curl: unknown --write-out variable: 'nope'\n"


def test_output_file_is_written_to_the_container() -> None:
    ctx = context(NODE, lecture_net())
    result = run(["curl", "-s", "-o", "/tmp/page", "http://svc-node"], ctx)
    assert (result.stdout, ctx.files["/tmp/page"]) == ("", BODY)


def test_output_into_a_missing_directory_is_23() -> None:
    result = curl(NODE, "-o", "/nope/page", "http://svc-node")
    assert result.exit_code == 23
    assert result.stderr.endswith(
        "Warning: Failed to create the file /nope/page: No such file or directory\n"
        "curl: (23) Failed writing body (0 != 29)\n")


def test_progress_meter_when_stdout_is_not_a_terminal() -> None:
    result = curl(NODE, "10.104.191.200", tty=False)
    assert result.stderr == (
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
        "                                 Dload  Upload   Total   Spent    Left  Speed\n"
        "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
        f"curl: (7) {_REFUSED}: Connection refused\n")


def test_no_progress_meter_on_a_terminal() -> None:
    assert curl(NODE, "http://svc-node", tty=True).stderr == ""


# --- request building -----------------------------------------------------------------------


def test_custom_host_header_keeps_its_place_and_resolve_pins_the_address() -> None:
    net = lecture_net()
    run(["curl", "-s", "-H", "Host: k8s.whatwant.com", "--resolve",
         "ingress:80:10.104.191.116", "http://ingress/test"], context(NODE, net))
    request = net.requests[-1]
    assert request.headers[0] == ("Host", "k8s.whatwant.com")
    assert request.target == "/test"
    assert net.queries == []


def test_data_makes_a_form_post() -> None:
    net = lecture_net()
    run(["curl", "-s", "-d", "a=1", "-d", "b=2", "http://svc-node"], context(NODE, net))
    request = net.requests[-1]
    assert (request.method, request.body) == ("POST", "a=1&b=2")
    assert ("Content-Type", "application/x-www-form-urlencoded") in request.headers


def test_request_method_override() -> None:
    net = lecture_net()
    run(["curl", "-s", "-X", "DELETE", "http://svc-node"], context(NODE, net))
    assert net.requests[-1].method == "DELETE"


def test_localhost_comes_from_etc_hosts_without_dns() -> None:
    net = FakeNet(routes={("127.0.0.1", 8080): node_web()})
    result = run(["curl", "-s", "localhost:8080"], context(NODE, net))
    assert (result.stdout, net.queries) == (BODY, [])


def test_location_is_followed_with_L() -> None:
    def redirect(request):
        from simcore.exec.netapi import HttpResponse

        if request.target == "/":
            return HttpResponse(301, "Moved Permanently", (("Location", "/app/"),), "")
        return HttpResponse(200, "OK", (), "app\n")

    net = FakeNet(routes={(SVC_IP, 80): redirect})
    assert run(["curl", "-sL", "http://svc-node"], context(NODE, net)).stdout == "app\n"
    assert run(["curl", "-s", "http://svc-node"], context(NODE, net)).stdout == ""


def test_trace_names_the_steps() -> None:
    result = curl(NODE, "-s", "http://svc-node")
    steps = [s["step"] for s in result.trace]
    assert steps == ["dns-query", "dns-answer", "connect", "response"]
    assert all(s["detail"].endswith(".") for s in result.trace)


def test_missing_curl_in_a_shell_is_127_and_as_argv_is_the_runtime_error() -> None:
    shell = run("curl -s x", context("busybox"))
    direct = run(["curl", "-s", "x"], context("busybox"))
    assert (shell.exit_code, shell.stderr) == (127, "sh: curl: not found\n")
    assert direct.exit_code == 126
