"""Label selectors: apimachinery's parser, matching rules, errors and printed forms."""

from __future__ import annotations

import pytest

from simcore import labels
from simcore.labels import (
    DOES_NOT_EXIST,
    EQUALS,
    EXISTS,
    IN,
    NOT_IN,
    Requirement,
    format_label_selector,
    format_map,
    from_label_selector,
    from_map,
    parse_selector,
)

KEY_REGEX = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
KEY_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
            f"used for validation is '{KEY_REGEX}')")
VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', "
              "'_' or '.', and must start and end with an alphanumeric character (e.g. "
              "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
              f"'({KEY_REGEX})?')")


@pytest.mark.parametrize("text, printed", [
    pytest.param("app=node-web", "app=node-web", id="equals"),
    pytest.param("app==x", "app==x", id="double-equals"),
    pytest.param("app!=x", "app!=x", id="not-equals"),
    pytest.param("app in (b,a)", "app in (a,b)", id="in-values-sorted"),
    pytest.param("app notin (a)", "app notin (a)", id="notin"),
    pytest.param("app", "app", id="exists"),
    pytest.param("!app", "!app", id="does-not-exist"),
    pytest.param("tier=web,app in (node-web)", "app in (node-web),tier=web", id="sorted-by-key"),
    pytest.param("  app  =  x ,  tier ", "app=x,tier", id="whitespace"),
    pytest.param("app=", "app=", id="empty-value"),
    pytest.param("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()",
                 id="apimachinery-doc-example"),
    pytest.param("app in (a,a)", "app in (a)", id="in-values-deduplicated"),
    pytest.param("in in (in)", "in in (in)", id="keyword-as-key-and-value"),
    pytest.param("example.com/tier=web", "example.com/tier=web", id="prefixed-key"),
    pytest.param("replicas>3", "replicas>3", id="greater-than"),
    pytest.param("", "", id="empty-selects-everything"),
])
def test_it_parses_and_prints_like_apimachinery(text, printed):
    assert str(parse_selector(text)) == printed


@pytest.mark.parametrize("text, message", [
    pytest.param("-foo", f'unable to parse requirement: <nil>: Invalid value: "-foo": name part '
                         f"{KEY_RULE}", id="bad-key"),
    pytest.param("a/b/c", 'unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid '
                          f"label key {KEY_RULE} with an optional DNS subdomain prefix and '/' "
                          "(e.g. 'example.com/MyName')", id="two-slashes"),
    pytest.param("app=-bad", 'unable to parse requirement: values[0][app]: Invalid value: '
                             f'"-bad": {VALUE_RULE}', id="bad-value"),
    pytest.param("app in", "unable to parse requirement: found '' expected: '('",
                 id="in-without-set"),
    pytest.param("app in (a", "unable to parse requirement: found '', expected: ',' or ')'",
                 id="unclosed-set"),
    pytest.param("app (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, "
                            "!=, gt, lt", id="missing-operator"),
    pytest.param("app>x", 'unable to parse requirement: values[0]: Invalid value: "x": for '
                          "'Gt', 'Lt' operators, the value must be an integer", id="gt-not-int"),
    pytest.param("app=x,", "found '', expected: identifier after ','", id="trailing-comma"),
    pytest.param("app=x y", "found 'y', expected: ',' or 'end of string'", id="two-values"),
    pytest.param(",", "found ',', expected: !, identifier, or 'end of string'",
                 id="leading-comma"),
    pytest.param("!app=x", "found '=', expected: ',' or 'end of string'", id="not-with-value"),
])
def test_it_rejects_bad_syntax_with_the_apiservers_words(text, message):
    with pytest.raises(ValueError) as err:
        parse_selector(text)
    assert str(err.value) == message


@pytest.mark.parametrize("text, pod_labels, expected", [
    pytest.param("app=node-web", {"app": "node-web"}, True, id="equals-match"),
    pytest.param("app=node-web", {"app": "other"}, False, id="equals-other-value"),
    pytest.param("app=node-web", {}, False, id="equals-missing"),
    pytest.param("app!=x", {}, True, id="not-equals-missing-key-matches"),
    pytest.param("app!=x", {"app": "x"}, False, id="not-equals-same"),
    pytest.param("app in (a,b)", {"app": "b"}, True, id="in-match"),
    pytest.param("app in (a,b)", {"app": "c"}, False, id="in-other"),
    pytest.param("app notin (a)", {}, True, id="notin-missing-key-matches"),
    pytest.param("app notin (a)", {"app": "a"}, False, id="notin-listed"),
    pytest.param("app", {"app": ""}, True, id="exists-empty-value"),
    pytest.param("!app", {"app": ""}, False, id="does-not-exist-present"),
    pytest.param("app=x,tier", {"app": "x"}, False, id="and-of-requirements"),
    pytest.param("replicas>3", {"replicas": "4"}, True, id="gt-match"),
    pytest.param("replicas>3", {"replicas": "three"}, False, id="gt-non-integer-label"),
    pytest.param("", {"any": "thing"}, True, id="everything"),
])
def test_it_matches_labels(text, pod_labels, expected):
    assert parse_selector(text).matches(pod_labels) is expected


def test_it_treats_missing_labels_as_empty():
    assert parse_selector("!app").matches(None) is True


def test_it_exposes_indexable_requirements():
    selector = parse_selector("tier=web,app in (node-web)")
    assert selector.requirements[0] == Requirement("app", IN, ("node-web",))
    assert selector.requirements[1] == Requirement("tier", EQUALS, ("web",))


@pytest.mark.parametrize("text, pairs", [
    pytest.param("app=node-web,tier==web", (("app", "node-web"), ("tier", "web")), id="equals"),
    pytest.param("app in (node-web)", (("app", "node-web"),), id="single-value-in"),
    pytest.param("app in (a,b),!x,y!=z", (), id="no-exact-match"),
])
def test_it_lists_the_pairs_every_match_carries(text, pairs):
    assert parse_selector(text).equality_pairs() == pairs


@pytest.mark.parametrize("label_selector, printed", [
    pytest.param({"matchExpressions": [{"key": "app", "operator": "In",
                                        "values": ["node-web"]}]},
                 "app in (node-web)", id="lecture-rs"),
    pytest.param({"matchExpressions": [{"key": "app", "operator": "NotIn",
                                        "values": ["b", "a"]}]},
                 "app notin (a,b)", id="notin-sorted-on-print"),
    pytest.param({"matchLabels": {"tier": "web"},
                  "matchExpressions": [{"key": "app", "operator": "Exists"},
                                       {"key": "canary", "operator": "DoesNotExist"}]},
                 "app,!canary,tier=web", id="labels-and-expressions-by-key"),
    pytest.param({"matchLabels": {"controller-uid": "1c2d"}}, "controller-uid=1c2d",
                 id="job-selector"),
    pytest.param({}, "", id="empty"),
])
def test_it_converts_label_selectors(label_selector, printed):
    assert str(from_label_selector(label_selector)) == printed


def test_an_empty_label_selector_matches_everything():
    assert from_label_selector({}).matches({"app": "x"}) is True


def test_a_missing_label_selector_matches_nothing():
    selector = from_label_selector(None)
    assert (selector.matches({}), selector.matches({"app": "x"}), str(selector)) == \
        (False, False, "")


def test_label_selector_operators_keep_their_meaning():
    selector = from_label_selector({"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": ["a"]}]})
    assert selector.requirements[0].operator == NOT_IN
    assert selector.matches({}) is True


@pytest.mark.parametrize("label_selector, message", [
    pytest.param({"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]}]},
                 '"Equals" is not a valid label selector operator', id="unknown-operator"),
    pytest.param({"matchExpressions": [{"key": "app", "operator": "In", "values": []}]},
                 "values: Invalid value: []: for 'in', 'notin' operators, values set can't be "
                 "empty", id="in-without-values"),
    pytest.param({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["a"]}]},
                 'values: Invalid value: ["a"]: values set must be empty for exists and does '
                 "not exist", id="exists-with-values"),
    pytest.param({"matchLabels": {"app": "-x"}},
                 f'values[0][app]: Invalid value: "-x": {VALUE_RULE}', id="bad-match-label"),
])
def test_it_rejects_invalid_label_selectors(label_selector, message):
    with pytest.raises(ValueError) as err:
        from_label_selector(label_selector)
    assert str(err.value) == message


@pytest.mark.parametrize("selector_map, pod_labels, expected, printed", [
    pytest.param({"app": "node-web"}, {"app": "node-web", "x": "y"}, True, "app=node-web",
                 id="service-selector"),
    pytest.param({"tier": "web", "app": "node-web"}, {"app": "node-web"}, False,
                 "app=node-web,tier=web", id="and-sorted"),
    pytest.param(None, {"app": "x"}, True, "", id="none-is-everything"),
])
def test_it_builds_selectors_from_maps(selector_map, pod_labels, expected, printed):
    selector = from_map(selector_map)
    assert (selector.matches(pod_labels), str(selector)) == (expected, printed)


@pytest.mark.parametrize("label_map, printed", [
    pytest.param({"tier": "web", "app": "node-web"}, "app=node-web,tier=web", id="sorted"),
    pytest.param({}, "<none>", id="empty"),
    pytest.param(None, "<none>", id="none"),
])
def test_it_formats_maps_for_the_selector_column(label_map, printed):
    assert format_map(label_map) == printed


@pytest.mark.parametrize("label_selector, printed", [
    pytest.param({"matchExpressions": [{"key": "app", "operator": "In",
                                        "values": ["node-web"]}]},
                 "app in (node-web)", id="set-based"),
    pytest.param(None, "<none>", id="nil"),
    pytest.param({}, "<none>", id="empty"),
    pytest.param({"matchExpressions": [{"key": "app", "operator": "Bad"}]}, "<error>",
                 id="invalid"),
])
def test_it_formats_label_selectors_for_the_selector_column(label_selector, printed):
    assert format_label_selector(label_selector) == printed


def test_operator_constants_are_apimachinerys_spelling():
    assert (labels.IN, labels.NOT_IN, EXISTS, DOES_NOT_EXIST) == ("in", "notin", "exists", "!")
