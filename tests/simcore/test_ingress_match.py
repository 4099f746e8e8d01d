"""ingress-nginx routing: host choice, path types and precedence, defaultBackend, classes."""

from __future__ import annotations

import pytest

from simcore.net.ingress_match import Match, match_ingress


def path(p: str, path_type: str, service: str, port: int | str = 80) -> dict:
    port_ref = {"number": port} if isinstance(port, int) else {"name": port}
    return {"path": p, "pathType": path_type,
            "backend": {"service": {"name": service, "port": port_ref}}}


def rule(host: str | None, *paths: dict) -> dict:
    out: dict = {"http": {"paths": list(paths)}}
    if host:
        out["host"] = host
    return out


def ingress(name: str, *rules: dict, default: str | None = None, cls: str | None = "nginx",
            created: str = "2024-01-01T00:00:00Z", annotations: dict | None = None) -> dict:
    spec: dict = {"rules": list(rules)} if rules else {}
    if cls:
        spec["ingressClassName"] = cls
    if default:
        spec["defaultBackend"] = {"service": {"name": default, "port": {"number": 80}}}
    meta = {"name": name, "namespace": "default", "creationTimestamp": created}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
            "spec": spec}


def route(ingresses: list[dict], host: str, uri: str, default_class: str | None = None,
          class_name: str = "nginx") -> Match | None:
    return match_ingress(ingresses, host, uri, default_class, class_name)


# F7.4: every row of the docs' examples table. Each path gets its own service (svc-<index>);
# `expected` is the index of the path that answers, None for "no match".
F7_4 = [
    pytest.param([("/", "Prefix")], ["/", "/foo", "/aaa/bbb/ccc"], 0, id="prefix-root-all-paths"),
    pytest.param([("/foo", "Exact")], ["/foo"], 0, id="exact-foo-matches-foo"),
    pytest.param([("/foo", "Exact")], ["/bar"], None, id="exact-foo-not-bar"),
    pytest.param([("/foo", "Exact")], ["/foo/"], None, id="exact-foo-not-foo-slash"),
    pytest.param([("/foo/", "Exact")], ["/foo"], None, id="exact-foo-slash-not-foo"),
    pytest.param([("/foo", "Prefix")], ["/foo", "/foo/"], 0, id="prefix-foo"),
    pytest.param([("/foo/", "Prefix")], ["/foo", "/foo/"], 0, id="prefix-foo-slash"),
    pytest.param([("/aaa/bb", "Prefix")], ["/aaa/bbb"], None, id="prefix-not-a-string-prefix"),
    pytest.param([("/aaa/bbb", "Prefix")], ["/aaa/bbb"], 0, id="prefix-same-path"),
    pytest.param([("/aaa/bbb/", "Prefix")], ["/aaa/bbb"], 0, id="prefix-ignores-trailing-slash"),
    pytest.param([("/aaa/bbb", "Prefix")], ["/aaa/bbb/"], 0, id="prefix-matches-trailing-slash"),
    pytest.param([("/aaa/bbb", "Prefix")], ["/aaa/bbb/ccc"], 0, id="prefix-matches-subpath"),
    pytest.param([("/aaa/bbb", "Prefix")], ["/aaa/bbbxyz"], None,
                 id="prefix-not-string-prefix-xyz"),
    pytest.param([("/", "Prefix"), ("/aaa", "Prefix")], ["/aaa/ccc"], 1, id="longest-aaa"),
    pytest.param([("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")], ["/aaa/bbb"], 2,
                 id="longest-aaa-bbb"),
    pytest.param([("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")], ["/ccc"], 0,
                 id="falls-back-to-root"),
    pytest.param([("/aaa", "Prefix")], ["/ccc"], None, id="no-match-uses-default-backend"),
    pytest.param([("/foo", "Prefix"), ("/foo", "Exact")], ["/foo"], 1, id="mixed-prefers-exact"),
]


@pytest.mark.parametrize("paths, requests, expected", F7_4)
def test_it_matches_paths_like_the_docs_table(paths, requests, expected):
    ing = ingress("web", rule("foo.com", *(path(p, t, f"svc-{i}")
                                           for i, (p, t) in enumerate(paths))))
    for uri in requests:
        match = route([ing], "foo.com", uri)
        assert (match.path_index if match else None) == expected, uri
        if match:
            assert (match.service, match.path_type) == (f"svc-{expected}", paths[expected][1])


def test_a_host_with_no_matching_path_uses_its_default_backend():
    ing = ingress("web", rule("foo.com", path("/aaa", "Prefix", "svc-aaa")), default="svc-default")
    match = route([ing], "foo.com", "/ccc")
    assert (match.service, match.default_backend, match.rule_index) == ("svc-default", True, None)


# F7.2: `*.foo.com` covers exactly one DNS label.
@pytest.mark.parametrize("request_host, matches", [
    pytest.param("bar.foo.com", True, id="one-label"),
    pytest.param("baz.bar.foo.com", False, id="two-labels"),
    pytest.param("foo.com", False, id="no-label"),
    pytest.param("BAR.Foo.COM:8080", True, id="case-and-port-ignored"),
    pytest.param("barfoo.com", False, id="suffix-without-dot"),
])
def test_wildcard_hosts_cover_a_single_label(request_host, matches):
    ing = ingress("wild", rule("*.foo.com", path("/", "Prefix", "svc-wild")))
    match = route([ing], request_host, "/")
    assert (match is not None) is matches
    if match:
        assert (match.host_match, match.rule_host) == ("wildcard", "*.foo.com")


@pytest.mark.parametrize("request_host, service, host_match", [
    pytest.param("bar.foo.com", "svc-exact", "exact", id="exact-beats-wildcard"),
    pytest.param("baz.foo.com", "svc-wild", "wildcard", id="wildcard-beats-hostless"),
    pytest.param("192.168.0.10", "svc-any", "default", id="unnamed-host-uses-hostless-rules"),
    pytest.param("bar.foo.com:30080", "svc-exact", "exact", id="port-stripped"),
])
def test_specific_hosts_beat_wildcards_beat_hostless_rules(request_host, service, host_match):
    ingresses = [ingress("a", rule(None, path("/", "Prefix", "svc-any"))),
                 ingress("b", rule("*.foo.com", path("/", "Prefix", "svc-wild"))),
                 ingress("c", rule("bar.foo.com", path("/", "Prefix", "svc-exact")))]
    match = route(ingresses, request_host, "/x")
    assert (match.service, match.host_match) == (service, host_match)


def test_a_named_host_never_falls_back_to_hostless_rules():
    ingresses = [ingress("a", rule(None, path("/", "Prefix", "svc-any"))),
                 ingress("b", rule("foo.com", path("/api", "Prefix", "svc-api")))]
    assert route(ingresses, "foo.com", "/other") is None


def test_rules_for_one_host_merge_across_ingresses_and_the_oldest_default_wins():
    older = ingress("a", rule("foo.com", path("/a", "Prefix", "svc-a")), default="svc-a-default",
                    created="2024-01-01T00:00:00Z")
    newer = ingress("b", rule("foo.com", path("/b", "Prefix", "svc-b")), default="svc-b-default",
                    created="2024-02-01T00:00:00Z")
    assert route([newer, older], "foo.com", "/b/x").service == "svc-b"
    assert route([newer, older], "foo.com", "/a").service == "svc-a"
    assert route([newer, older], "foo.com", "/zzz").service == "svc-a-default"


@pytest.mark.parametrize("first, second, winner", [
    pytest.param(("a", "2024-01-01T00:00:00Z"), ("b", "2024-03-01T00:00:00Z"), "default/a",
                 id="older-ingress-keeps-the-path"),
    pytest.param(("a", "2024-01-01T00:00:00Z"), ("b", "2024-01-01T00:00:00Z"), "default/b",
                 id="same-timestamp-higher-name-first"),
])
def test_the_same_path_in_two_ingresses_goes_to_the_first_in_serving_order(first, second, winner):
    ingresses = [ingress(name, rule("foo.com", path("/api", "Prefix", f"svc-{name}")),
                         created=created) for name, created in (first, second)]
    assert route(ingresses, "foo.com", "/api").ingress == winner
    assert route(list(reversed(ingresses)), "foo.com", "/api").ingress == winner


def test_exact_beats_prefix_of_the_same_length_across_ingresses():
    ingresses = [ingress("a", rule("foo.com", path("/foo", "Prefix", "svc-prefix"))),
                 ingress("b", rule("foo.com", path("/foo", "Exact", "svc-exact")),
                         created="2024-05-01T00:00:00Z")]
    assert route(ingresses, "foo.com", "/foo").service == "svc-exact"
    assert route(ingresses, "foo.com", "/foo/x").service == "svc-prefix"


def test_a_rule_less_ingress_default_backend_is_the_catch_all():
    ingresses = [ingress("rules", rule("foo.com", path("/", "Prefix", "svc-foo")),
                         default="svc-rules-default"),
                 ingress("catch-all", default="svc-catch-all", created="2024-06-01T00:00:00Z")]
    match = route(ingresses, "other.com", "/anything")
    assert (match.ingress, match.service, match.host_match) == (
        "default/catch-all", "svc-catch-all", "default")


def test_nothing_answers_without_rules_or_default_backend():
    assert route([ingress("web", rule("foo.com", path("/", "Prefix", "svc")))], "x.com", "/") is None
    assert route([], "foo.com", "/") is None


@pytest.mark.parametrize("uri, request_path", [
    pytest.param("/test?next=/other", "/test", id="query-string-ignored"),
    pytest.param("/test#frag", "/test", id="fragment-ignored"),
    pytest.param("//test//x", "/test/x", id="slashes-merged"),
    pytest.param("/t%65st", "/test", id="percent-decoded"),
    pytest.param("", "/", id="empty-is-root"),
])
def test_it_matches_the_normalised_request_path(uri, request_path):
    ing = ingress("web", rule("foo.com", path("/test", "Prefix", "svc-test"),
                              path("/", "Prefix", "svc-root")))
    match = route([ing], "foo.com", uri)
    assert match.request_path == request_path
    assert match.service == ("svc-root" if request_path == "/" else "svc-test")


@pytest.mark.parametrize("class_field, annotation, default_class, served", [
    pytest.param("nginx", None, None, True, id="ingressClassName"),
    pytest.param("other", None, "nginx", False, id="other-class"),
    pytest.param(None, "nginx", None, True, id="deprecated-annotation"),
    pytest.param(None, "other", "nginx", False, id="annotation-other-class"),
    pytest.param("nginx", "other", None, True, id="field-wins-over-annotation"),
    pytest.param(None, None, "nginx", True, id="no-class-default-class"),
    pytest.param(None, None, None, False, id="no-class-ignored"),
])
def test_it_serves_only_its_class(class_field, annotation, default_class, served):
    annotations = {"kubernetes.io/ingress.class": annotation} if annotation else None
    ing = ingress("web", rule("foo.com", path("/", "Prefix", "svc")), cls=class_field,
                  annotations=annotations)
    assert (route([ing], "foo.com", "/", default_class) is not None) is served


def test_it_names_the_backend_port_by_number_or_name():
    ing = ingress("web", rule("foo.com", path("/n", "Prefix", "svc", 8080),
                              path("/s", "Prefix", "svc", "http")))
    assert route([ing], "foo.com", "/n").port == 8080
    assert route([ing], "foo.com", "/s").port == "http"


def test_it_skips_paths_with_resource_backends():
    resource = {"path": "/static", "pathType": "Prefix",
                "backend": {"resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket",
                                         "name": "static-assets"}}}
    ing = ingress("web", rule("foo.com", resource, path("/", "Prefix", "svc-root")))
    assert route([ing], "foo.com", "/static/a.png").service == "svc-root"


def test_implementation_specific_is_treated_as_prefix():
    ing = ingress("web", rule("foo.com", path("/app", "ImplementationSpecific", "svc-app")))
    assert route([ing], "foo.com", "/app/x").service == "svc-app"
    assert route([ing], "foo.com", "/application") is None


LECTURE = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": "svc-ingress", "namespace": "default",
                        "creationTimestamp": "2021-03-28T06:10:00Z"},
           "spec": {"rules": [{"host": "k8s.whatwant.com", "http": {"paths": [
               {"pathType": "Prefix", "path": "/test", "backend": {
                   "service": {"name": "svc-node", "port": {"number": 80}}}}]}}]}}


def test_the_lecture_ingress_without_class_needs_nginx_to_be_the_default_class():
    assert route([LECTURE], "k8s.whatwant.com", "/test") is None
    match = route([LECTURE], "k8s.whatwant.com:31234", "/test", default_class="nginx")
    assert match == Match("default/svc-ingress", "exact", "k8s.whatwant.com", 0, 0, "/test",
                          "Prefix", "svc-node", 80, "k8s.whatwant.com", "/test")


@pytest.mark.parametrize("ingresses, host, uri, sentence", [
    pytest.param([LECTURE], "k8s.whatwant.com", "/test/a?x=1",
                 "Host k8s.whatwant.com matches the rule host k8s.whatwant.com exactly; in "
                 "Ingress default/svc-ingress rule 0 path 0, /test (Prefix) is the longest path "
                 "matching /test/a, so the request goes to service svc-node port 80.",
                 id="path"),
    pytest.param([ingress("wild", rule("*.foo.com", path("/", "Prefix", "svc-wild", "http")))],
                 "a.foo.com", "/x",
                 "Host a.foo.com matches the wildcard host *.foo.com; in Ingress default/wild "
                 "rule 0 path 0, / (Prefix) is the longest path matching /x, so the request "
                 "goes to service svc-wild port http.", id="wildcard"),
    pytest.param([ingress("any", rule(None, path("/", "Prefix", "svc-any")))], "10.0.0.1", "/",
                 "Host 10.0.0.1 is named by no rule, so the rules without a host apply; in "
                 "Ingress default/any rule 0 path 0, / (Prefix) is the longest path matching /, "
                 "so the request goes to service svc-any port 80.", id="hostless"),
    pytest.param([ingress("web", rule("foo.com", path("/aaa", "Prefix", "svc")),
                          default="svc-default")], "foo.com", "/ccc",
                 "Host foo.com matches the rule host foo.com exactly, but none of its paths "
                 "matches /ccc, so the defaultBackend of Ingress default/web sends it to service "
                 "svc-default port 80.", id="host-default-backend"),
    pytest.param([ingress("catch-all", default="svc-default")], "foo.com", "/x",
                 "No rule matches host foo.com path /x, so the defaultBackend of Ingress "
                 "default/catch-all (which has no rules) sends it to service svc-default port 80.",
                 id="catch-all-default-backend"),
])
def test_it_explains_the_choice_in_one_sentence(ingresses, host, uri, sentence):
    assert route(ingresses, host, uri, default_class="nginx").explain() == sentence
