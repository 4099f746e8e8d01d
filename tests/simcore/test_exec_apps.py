"""What the servers in the course's images answer, and what they log."""

from __future__ import annotations

import pytest
from test_exec_fakenet import NOW

from simcore.exec.apps import ServeContext, echoserver_body, nginx_error_page, nginx_index
from simcore.exec.netapi import HttpRequest
from simcore.exec.servers import serve

GET = HttpRequest("GET", "/", "10.104.191.116",
                  (("Host", "10.104.191.116"), ("User-Agent", "curl/7.64.0"), ("Accept", "*/*")))


def ctx(hostname: str = "rs-node-web-dk4hd", **kw) -> ServeContext:
    return ServeContext(hostname, NOW, "10.244.1.1", **kw)


def request(method: str = "GET", target: str = "/", body: str = "") -> HttpRequest:
    return HttpRequest(method, target, GET.host, GET.headers, body)


@pytest.mark.parametrize(
    ("app", "body"),
    [
        pytest.param("node-web", "You've hit rs-node-web-dk4hd\n", id="1.0"),
        pytest.param("node-web-v2", "You've hit rs-node-web-dk4hd (Ver2.0)\n", id="2.0"),
        pytest.param("kubia", "You've hit rs-node-web-dk4hd\n", id="kubia"),
    ],
)
def test_node_apps_answer_any_path_and_method(app, body) -> None:
    for method, target in (("GET", "/"), ("POST", "/anything"), ("DELETE", "/x?y")):
        served = serve(app, {}, request(method, target), ctx())
        assert (served.response.status, served.response.body) == (200, body)
        assert served.logs == ({"stream": "stdout", "text":
                                "Received request from ::ffff:10.244.1.1"},)


def test_node_15_headers() -> None:
    response = serve("node-web", {}, GET, ctx()).response
    assert response.headers == (("Date", "Sat, 01 May 2021 10:00:00 GMT"),
                                ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                                ("Transfer-Encoding", "chunked"))


def test_kubia_unhealthy_fails_after_five_requests() -> None:
    state: dict = {}
    statuses = []
    for _ in range(7):
        served = serve("kubia-unhealthy", {}, GET, ctx(state=state))
        state = dict(served.state)
        statuses.append(served.response.status)
    assert statuses == [200, 200, 200, 200, 200, 500, 500]
    assert served.response.body == "I'm not well. Please restart me!"
    assert served.response.reason == "Internal Server Error"


def test_node_web_v3_stores_posted_data() -> None:
    posted = serve("node-web-v3", {}, request("POST", "/", "hello"), ctx("sf-web-0"))
    assert posted.response.body == "Data stored on pod sf-web-0\n"
    assert posted.files == {"/var/data/data.txt": "hello"}
    shown = serve("node-web-v3", {}, GET, ctx("sf-web-0", files=posted.files))
    assert shown.response.body == "You've hit sf-web-0 (Ver3.0)\nData stored on this pod: hello\n"
    empty = serve("node-web-v3", {}, GET, ctx("sf-web-1")).response.body
    assert empty.endswith("Data stored on this pod: No data posted yet\n")


def test_nginx_pages_are_the_stock_sizes() -> None:
    assert len(nginx_index(False)) == 612
    assert len(nginx_index(True)) == 615
    assert nginx_error_page(404, "1.14.2", False) == (
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body bgcolor=\"white\">\r\n"
        "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.14.2</center>\r\n"
        "</body>\r\n</html>\r\n")


NGINX = {"version": "1.14.2", "last_modified": "Tue, 04 Dec 2018 14:44:49 GMT"}


def test_nginx_welcome_page_headers_and_access_log() -> None:
    served = serve("nginx", NGINX, GET, ctx("web"))
    assert served.response.status == 200
    assert served.response.headers == (
        ("Server", "nginx/1.14.2"), ("Date", "Sat, 01 May 2021 10:00:00 GMT"),
        ("Content-Type", "text/html"), ("Content-Length", "612"),
        ("Last-Modified", "Tue, 04 Dec 2018 14:44:49 GMT"), ("Connection", "keep-alive"),
        ("ETag", '"5c0692e1-264"'), ("Accept-Ranges", "bytes"))
    assert served.logs == ({"stream": "stdout", "text":
                            '10.244.1.1 - - [01/May/2021:10:00:00 +0000] "GET / HTTP/1.1" 200 612 '
                            '"-" "curl/7.64.0" "-"'},)


def test_nginx_404_logs_the_open_failure_on_stderr() -> None:
    served = serve("nginx", NGINX, request("GET", "/nope"), ctx("web"))
    assert (served.response.status, served.response.header("Content-Length")) == (404, "169")
    assert served.logs[0] == {"stream": "stderr", "text":
                              '2021/05/01 10:00:00 [error] 29#29: *1 open() '
                              '"/usr/share/nginx/html/nope" failed (2: No such file or directory), '
                              'client: 10.244.1.1, server: localhost, request: "GET /nope '
                              'HTTP/1.1", host: "10.104.191.116"'}
    assert served.logs[1]["text"].endswith('"GET /nope HTTP/1.1" 404 169 "-" "curl/7.64.0" "-"')


def test_nginx_serves_a_mounted_document_root() -> None:
    files = {"/usr/share/nginx/html": None, "/usr/share/nginx/html/index.html": "fortune\n"}
    served = serve("nginx", NGINX, GET, ctx("fortune", files=files))
    assert served.response.body == "fortune\n"


def test_nginx_refuses_post_to_a_file() -> None:
    assert serve("nginx", NGINX, request("POST"), ctx()).response.status == 405


def test_echoserver_dump() -> None:
    body = echoserver_body({}, GET, ctx("echo-abcde", server_port=8080))
    assert body == (
        "\n\nHostname: echo-abcde\n\n"
        "Pod Information:\n\t-no pod information available-\n\n"
        "Server values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\n"
        "Request Information:\n\tclient_address=10.244.1.1\n\tmethod=GET\n\treal path=/\n"
        "\tquery=\n\trequest_version=1.1\n\trequest_scheme=http\n"
        "\trequest_uri=http://10.104.191.116:8080/\n\n"
        "Request Headers:\n\taccept=*/*  \n\thost=10.104.191.116  \n"
        "\tuser-agent=curl/7.64.0  \n\n"
        "Request Body:\n\t-no body in request-\n\n")


def test_echoserver_pod_information_from_the_downward_api() -> None:
    env = {"NODE_NAME": "worker1", "POD_NAME": "echo-1", "POD_NAMESPACE": "default",
           "POD_IP": "10.244.1.5"}
    body = echoserver_body({}, GET, ctx("echo-1", env=env))
    assert ("Pod Information:\n\tnode name:\tworker1\n\tpod name:\techo-1\n"
            "\tpod namespace:\tdefault\n\tpod IP:\t10.244.1.5\n") in body


def test_mongo_warns_on_its_native_port() -> None:
    response = serve("mongo", {}, GET, ctx()).response
    assert (response.version, response.status) == ("1.0", 200)
    assert response.body == ("It looks like you are trying to access MongoDB over HTTP on the "
                             "native driver port.\n")


@pytest.mark.parametrize(
    ("app", "target", "status", "location"),
    [
        pytest.param("prometheus", "/", 302, "/query", id="prometheus-root"),
        pytest.param("prometheus", "/-/healthy", 200, None, id="prometheus-healthy"),
        pytest.param("grafana", "/", 302, "/login", id="grafana-root"),
        pytest.param("node-exporter", "/nope", 404, None, id="go-404"),
        pytest.param("unknown-app", "/", 404, None, id="unknown"),
    ],
)
def test_plain_listeners(app, target, status, location) -> None:
    response = serve(app, {}, request("GET", target), ctx()).response
    assert (response.status, response.header("Location")) == (status, location)
