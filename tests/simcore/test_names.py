"""generateName suffixes and pod-template-hash values, shaped like the real ones."""

from __future__ import annotations

import random

import pytest

from simcore.names import (
    ALPHANUMS,
    fnv32a,
    generate_name,
    pod_template_hash,
    random_string,
    safe_encode_string,
)

TEMPLATE = {"metadata": {"labels": {"app": "node-web"}},
            "spec": {"containers": [{"name": "node-web", "image": "whatwant/node-web:1.0",
                                     "ports": [{"containerPort": 8080}]}]}}


def test_the_alphabet_is_apimachinerys():
    assert ALPHANUMS == "bcdfghjklmnpqrstvwxz2456789"


@pytest.mark.parametrize("base, prefix", [
    pytest.param("rs-node-web-", "rs-node-web-", id="replicaset-pod"),
    pytest.param("throw-dice-job-", "throw-dice-job-", id="job-pod"),
    pytest.param("", "", id="empty-base"),
    pytest.param("x" * 58, "x" * 58, id="base-of-58-kept"),
    pytest.param("y" * 70, "y" * 58, id="long-base-cut-to-58"),
])
def test_it_appends_five_random_characters(base, prefix):
    name = generate_name(base, random.Random(1))
    assert name.startswith(prefix)
    assert len(name) == len(prefix) + 5 <= 63
    assert set(name[len(prefix):]) <= set(ALPHANUMS)


def test_it_is_deterministic_for_a_seed_and_varies_along_the_stream():
    assert generate_name("rs-node-web-", random.Random(7)) == "rs-node-web-ngq2c"
    rng = random.Random(7)
    names = {generate_name("rs-node-web-", rng) for _ in range(50)}
    assert len(names) == 50


def test_random_strings_use_only_the_alphabet():
    assert set(random_string(2000, random.Random(3))) == set(ALPHANUMS)


@pytest.mark.parametrize("data, value", [
    pytest.param(b"", 0x811C9DC5, id="empty"),
    pytest.param(b"a", 0xE40C292C, id="a"),
    pytest.param(b"foobar", 0xBF9CF968, id="foobar"),
])
def test_fnv32a_matches_the_reference_vectors(data, value):
    assert fnv32a(data) == value


def test_safe_encode_maps_each_digit_to_one_letter():
    assert safe_encode_string("0123456789") == "456789bcdf"


@pytest.mark.parametrize("collision_count, expected", [
    pytest.param(None, "6df9d8ddcd", id="no-collisions"),
    pytest.param(0, "5784bfcfbb", id="collision-count-0"),
    pytest.param(1, "6f4c7b47ff", id="collision-count-1"),
])
def test_pod_template_hash_is_pinned(collision_count, expected):
    assert pod_template_hash(TEMPLATE, collision_count) == expected


def test_pod_template_hash_looks_like_a_real_one():
    hashes = {pod_template_hash({"spec": {"replicas": n}}, None) for n in range(200)}
    assert len(hashes) == 200
    assert all(set(h) <= set("456789bcdf") and 1 <= len(h) <= 10 for h in hashes)
    assert sum(len(h) >= 9 for h in hashes) >= 190


def test_pod_template_hash_ignores_key_order_but_not_content():
    reordered = {"spec": TEMPLATE["spec"], "metadata": TEMPLATE["metadata"]}
    changed = {**TEMPLATE, "metadata": {"labels": {"app": "node-web", "v": "2"}}}
    assert pod_template_hash(reordered, None) == pod_template_hash(TEMPLATE, None)
    assert pod_template_hash(changed, None) != pod_template_hash(TEMPLATE, None)
