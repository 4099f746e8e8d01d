"""Kubernetes protobuf bodies: the wire decoder, the field table, and the API's answers.

`protobuf_bodies.json` holds bodies captured from kubectl 1.37 (`-v=9` hex dumps of
its typed commands) next to what the same command prints with `--dry-run=client -o
json`, Go's own JSON for the same object: decoding must give exactly that. The rest
builds bodies with the small encoder below.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from clusterviz.k8sapi import protobuf
from clusterviz.k8sapi.protobuf import ProtobufError, decode, decode_message, go_duration

pytest_plugins = ["django_fixtures"]

CAPTURED = json.loads((Path(__file__).with_name("protobuf_bodies.json")).read_text())
BASE = "/k8s/clusters/lecture"
PROTOBUF = "application/vnd.kubernetes.protobuf"


# -- a minimal encoder ----------------------------------------------------------------------

def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, value) -> bytes:
    """A varint field for ints, a length-delimited one for bytes and str."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return b"k8s\x00" + field(1, field(1, api_version) + field(2, kind)) + field(2, raw)


def meta(name: str) -> bytes:
    return field(1, field(1, name))


# -- captured from kubectl ------------------------------------------------------------------

@pytest.mark.parametrize("command", list(CAPTURED))
def test_kubectl_bodies_decode_to_kubectls_own_json(command):
    captured = CAPTURED[command]
    got = decode(bytes.fromhex(captured["body"]))
    assert got == captured["json"]
    assert json.dumps(got) == json.dumps(captured["json"])  # Go's field order too


def test_a_secrets_bytes_come_out_base64():
    secret = decode(bytes.fromhex(CAPTURED["create secret generic db --from-literal=password="
                                           "s3cret --from-literal=empty="]["body"]))
    assert secret["data"] == {"empty": "", "password": base64.b64encode(b"s3cret").decode()}


def test_a_pointer_zero_survives_and_a_plain_zero_is_omitted():
    deployment = decode(bytes.fromhex(CAPTURED["create deployment web --image=nginx "
                                               "--replicas=0 --port=80"]["body"]))
    assert deployment["spec"]["replicas"] == 0  # *int32 set to 0
    assert "minReadySeconds" not in deployment["spec"]  # int32 0, omitempty
    assert "creationTimestamp" not in deployment["metadata"]  # zero Time, omitzero


# -- the field table ------------------------------------------------------------------------

@pytest.mark.parametrize("message, number, name, typ", [
    # numbers as in staging/src/k8s.io/api/*/generated.proto
    ("apps/v1.DeploymentSpec", 1, "replicas", "int32"),
    ("apps/v1.DeploymentSpec", 9, "progressDeadlineSeconds", "int32"),
    ("core/v1.ServiceSpec", 3, "clusterIP", "string"),
    ("core/v1.ServicePort", 4, "targetPort", "IntOrString"),
    ("core/v1.Container", 2, "image", "string"),
    ("core/v1.Secret", 2, "data", "bytes"),
    ("meta/v1.ObjectMeta", 8, "creationTimestamp", "Time"),
    ("meta/v1.ObjectMeta", 11, "labels", "string"),
    ("core/v1.ResourceRequirements", 1, "limits", "Quantity"),
    ("meta/v1.DeleteOptions", 4, "propagationPolicy", "string"),
])
def test_schema_agrees_with_generated_proto(message, number, name, typ):
    fields = {f[0]: f for f in protobuf.schema()[message]}
    assert fields[number][1:3] == [name, typ]


def test_inlined_messages_are_marked():
    volume = {f[0]: f for f in protobuf.schema()["core/v1.Volume"]}
    assert volume[2] == [2, "", "core/v1.VolumeSource", "i"]


def test_an_inlined_message_merges_into_its_parent():
    # Volume{name = 1, volumeSource = 2 {secret = 6 {secretName = 1}}}; JSON inlines volumeSource
    volume = field(1, "data") + field(2, field(6, field(1, "creds")))
    assert decode_message("core/v1.Volume", volume) == {
        "name": "data", "secret": {"secretName": "creds"}}


# -- special messages -----------------------------------------------------------------------

def test_time_microtime_and_the_zero_time():
    moment = field(1, 1_700_000_000) + field(2, 123_456_789)
    assert protobuf._time(moment) == "2023-11-14T22:13:20Z"
    assert protobuf._micro_time(moment) == "2023-11-14T22:13:20.123456Z"
    assert protobuf._time(b"") is None
    assert protobuf._time(field(1, -62135596800)) is None


@pytest.mark.parametrize("raw, value", [
    (field(1, 0) + field(2, 8080), 8080),
    (field(1, 1) + field(3, "http"), "http"),
    (b"", 0),
])
def test_int_or_string(raw, value):
    assert protobuf._int_or_string(raw) == value


@pytest.mark.parametrize("nanos, text", [
    (0, "0s"), (1, "1ns"), (1_500, "1.5µs"), (2_000_000, "2ms"), (1_500_000_000, "1.5s"),
    (90 * 10**9, "1m30s"), (3600 * 10**9, "1h0m0s"), (-5 * 10**9, "-5s"),
])
def test_go_duration(nanos, text):
    assert go_duration(nanos) == text


def test_negative_ints_and_packed_repeated_ints():
    # runAsGroup = 6 (*int64), supplementalGroups = 4 (packed, then one more unpacked)
    context = field(6, -1) + field(4, varint(1) + varint(2)) + field(4, 3)
    got = decode_message("core/v1.PodSecurityContext", context)
    assert got == {"runAsGroup": -1, "supplementalGroups": [1, 2, 3]}


def test_wrapped_map_values_and_raw_extensions():
    entry = field(1, "scopes") + field(2, field(1, "a") + field(1, "b"))
    assert decode_message("authentication/v1.UserInfo", field(4, entry)) == {
        "extra": {"scopes": ["a", "b"]}}
    revision = meta("r1") + field(2, field(1, b'{"spec": {"x": 1}}')) + field(3, 2)
    assert decode_message("apps/v1.ControllerRevision", revision) == {
        "metadata": {"name": "r1"}, "data": {"spec": {"x": 1}}, "revision": 2}


def test_unknown_fields_are_skipped():
    got = decode(envelope("v1", "Namespace", meta("team-a") + field(99, "future")))
    assert got == {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "team-a"}}


def test_delete_options_are_found_in_meta_v1():
    got = decode(envelope("v1", "DeleteOptions", field(4, "Background")))
    assert got == {"kind": "DeleteOptions", "apiVersion": "v1",
                   "propagationPolicy": "Background"}


# -- malformed bodies -----------------------------------------------------------------------

GOOD = bytes.fromhex(CAPTURED["create namespace team-a"]["body"])


@pytest.mark.parametrize("body, message", [
    (b"", "empty data"),
    (b"{}", "provided data does not appear to be a protobuf message, expected prefix "
            "[107 56 115 0]"),
    (b"k8s\x00", "empty body"),
    (GOOD[:-1], "unexpected EOF"),
    (b"k8s\x00\x0a\x80", "unexpected EOF"),
    (b"k8s\x00" + b"\xff" * 11, "proto: integer overflow"),
    (b"k8s\x00\x0f", "proto: illegal wireType 7"),
    (envelope("v1", "Namespace", field(1, 5)), "proto: wrong wireType = 0 for field Metadata"),
    (envelope("v1", "Nope", b""), 'no kind "Nope" is registered for version "v1" in scheme '
                                  '"pkg/runtime/scheme.go:110"'),
])
def test_malformed_bodies_raise_in_gos_words(body, message):
    with pytest.raises(ProtobufError) as caught:
        decode(body)
    assert str(caught.value) == message


def test_no_truncation_of_a_real_body_raises_anything_else():
    body = bytes.fromhex(CAPTURED["create deployment web --image=nginx --replicas=0 "
                                  "--port=80"]["body"])
    for end in range(len(body)):
        try:
            decode(body[:end])
        except ProtobufError:
            continue


# -- through the API ------------------------------------------------------------------------

@pytest.fixture
def post(client, cluster):
    def send(path: str, body: bytes, method: str = "post"):
        return getattr(client, method)(BASE + path, data=body, content_type=PROTOBUF)
    return send


def _status(message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "BadRequest", "code": 400}


@pytest.mark.django_db
def test_a_protobuf_create_is_stored_like_a_json_one(post):
    body = bytes.fromhex(CAPTURED["create configmap greeting --from-literal=hello=world"]
                         ["body"])
    response = post("/api/v1/namespaces/default/configmaps", body)
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"] == {"hello": "world"}
    assert response.json()["metadata"]["uid"]


@pytest.mark.django_db
def test_a_truncated_object_is_a_400_naming_the_kind(post):
    body = envelope("apps/v1", "Deployment", meta("web") + b"\x12\x05\x08")
    response = post("/apis/apps/v1/namespaces/default/deployments", body)
    assert response.status_code == 400
    assert response.json() == _status('Deployment in version "v1" cannot be handled as a '
                                      "Deployment: unexpected EOF")


@pytest.mark.django_db
def test_garbage_is_a_400_with_the_bodys_start(post):
    response = post("/api/v1/namespaces/default/services", b"not protobuf at all, no sir")
    assert response.status_code == 400
    assert response.json() == _status(
        "the object provided is unrecognized (must be of type Service): provided data does "
        "not appear to be a protobuf message, expected prefix [107 56 115 0] "
        "(6e6f742070726f746f6275662061742061"
        "6c6c2c206e6f20736972)")


@pytest.mark.django_db
def test_an_envelope_without_kind_takes_the_urls(post):
    body = b"k8s\x00" + field(2, meta("team-b"))
    response = post("/api/v1/namespaces", body)
    assert response.status_code == 201
    assert response.json()["metadata"]["name"] == "team-b"


@pytest.mark.django_db
def test_protobuf_delete_options_are_read(post, client):
    body = bytes.fromhex(CAPTURED["create namespace team-a"]["body"])
    assert post("/api/v1/namespaces", body).status_code == 201
    options = envelope("v1", "DeleteOptions", field(4, "Foreground"))
    response = client.delete(BASE + "/api/v1/namespaces/team-a", data=options,
                             content_type=PROTOBUF)
    assert response.status_code == 200
    broken = client.delete(BASE + "/api/v1/namespaces/default", data=options[:-2],
                           content_type=PROTOBUF)
    assert broken.status_code == 400
    assert broken.json()["message"] == "unexpected EOF"
