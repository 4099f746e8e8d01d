"""The shared loader reads YAML as sigs.k8s.io/yaml (go-yaml v2) does: its alias budget, a
depth limit, and JSON-shaped values for tags; JSON as Go's encoding/json."""

import pytest
import yaml

from simcore import Simulation, bounds, safeyaml
from simcore.simulation import parse_documents


def laughs(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines)


@pytest.mark.parametrize("text, refusal", [
    pytest.param(laughs(9, 9), "document contains excessive aliasing", id="billion-laughs"),
    pytest.param(laughs(7, 10), "document contains excessive aliasing", id="360-bytes"),
    pytest.param("a: &a [*a]", "anchor value contains itself", id="recursive-anchor"),
    pytest.param("x: " + "[" * 150 + "]" * 150, "exceeded max depth of 100", id="deep-yaml"),
    pytest.param("- " * 150 + "x", "exceeded max depth of 100", id="deep-block-yaml"),
    pytest.param("[" * 900 + "]" * 900, "exceeded max depth", id="deep-json"),
])
def test_refused_documents_say_what_go_yaml_says(text, refusal):
    with pytest.raises(safeyaml.DocumentRefused) as caught:
        list(safeyaml.load_all(text))
    assert caught.value.problem == refusal


@pytest.mark.parametrize("text, value", [
    pytest.param("a: &x {k: 1}\nb: *x\nc: [*x, *x]", {"a": {"k": 1}, "b": {"k": 1},
                                                    "c": [{"k": 1}, {"k": 1}]},
                 id="a-few-aliases"),
    pytest.param(laughs(3, 9), {"a0": ["lol"], "a1": [["lol"]] * 9, "a2": [[["lol"]] * 9] * 9},
                 id="aliases-within-budget"),
    pytest.param("a: !!binary aGVsbG8=", {"a": "hello"}, id="binary-is-its-text"),
    pytest.param("a: !!binary /w==", {"a": "\ufffd"}, id="binary-not-utf8"),
    pytest.param("a: !!set {x, y}", {"a": {"x": None, "y": None}}, id="set-is-a-mapping"),
    pytest.param("a: 2001-12-14", {"a": "2001-12-14"}, id="date-stays-text"),
    pytest.param("a: !!timestamp 2001-12-14t21:59:43.10-05:00",
                 {"a": "2001-12-14t21:59:43.10-05:00"}, id="timestamp-stays-text"),
    pytest.param('{"a": "\\ud83d\\ude00"}', {"a": "\U0001F600"}, id="json-emoji-escape"),
    pytest.param('{"a": "\\ud800", "\\udc00": 1}', {"a": "\ufffd", "\ufffd": 1},
                 id="json-lone-surrogate"),
    pytest.param("{a: 1}", {"a": 1}, id="flow-yaml-is-not-json"),
    pytest.param("x: " + "[" * 99 + "]" * 99, {"x": eval("[" * 99 + "]" * 99)},
                 id="depth-at-the-limit"),
])
def test_accepted_documents_are_plain_json_values(text, value):
    assert safeyaml.load(text) == value


def test_a_bomb_in_a_manifest_is_the_api_servers_yaml_error():
    [result] = Simulation.from_preset("lecture").apply(laughs(9, 9))
    assert result.error["message"] == ("error converting YAML to JSON: yaml: document "
                                       "contains excessive aliasing")


def test_every_document_of_a_stream_is_checked():
    with pytest.raises(yaml.YAMLError):
        parse_documents("a: 1\n---\n" + laughs(9, 9))


@pytest.mark.parametrize("value, too_big", [
    pytest.param({"a": "x" * 1_000_000}, False, id="1-MB"),
    pytest.param({"a": "x" * 1_600_000}, True, id="1.6-MB"),
    pytest.param({"a": ["x" * 100_000] * 20}, True, id="shared-references-count-each-time"),
])
def test_the_size_estimate_follows_etcds_limit(value, too_big):
    assert bounds.json_size_exceeds(value) is too_big


def test_an_object_over_the_limit_is_refused_and_nothing_is_stored():
    sim = Simulation.from_preset("lecture")
    text = ('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n'
            f'  a: &a "{"x" * 100_000}"\n' + "".join(f"  k{i}: *a\n" for i in range(20)))
    [result] = sim.apply(text)
    assert (result.error["code"], result.error["reason"], result.error["message"]) == (
        413, "RequestEntityTooLarge", "etcdserver: request is too large")
    assert sim.api.try_get_ref("configmaps", "big", "default") is None
