"""What the client asked for (Accept) and what it sent (Content-Type and body).

kubectl states its wishes in media-type parameters: `as=Table;g=meta.k8s.io`
for server-side printing, `as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2`
for aggregated discovery. The answer must use the exact content type of the
variant chosen, so each Accept entry is parsed
into its parameters rather than matched as a string.

Bodies: the API server decodes JSON, YAML and Kubernetes protobuf (which
kubectl's typed commands send unasked: `create deployment`, `create service`,
`autoscale`, ...; see `protobuf`); anything larger than the limit is refused
with 413 before it is read, malformed bodies with 400 in the decoder's words
(wrapped as the API server's create handler wraps them), and other media
types with 415.
"""

from __future__ import annotations

import json
import logging

import yaml
from django.conf import settings
from django.http import HttpRequest

from clusterviz.k8sapi import protobuf, routing
from simcore import errors, safeyaml
from simcore.patch import go_syntax_error  # encoding/json's wording

DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
DISCOVERY_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
BODY_TYPES = ("application/json", "application/yaml", protobuf.MEDIA_TYPE)
log = logging.getLogger(__name__)


def accept_entries(request: HttpRequest) -> list[tuple[str, dict[str, str]]]:
    """The Accept header as (media type, parameters) pairs, in the client's order."""
    out = []
    for entry in request.headers.get("Accept", "").split(","):
        parts = [p.strip() for p in entry.split(";") if p.strip()]
        if not parts:
            continue
        params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        out.append((parts[0].lower(), {k.strip(): v.strip() for k, v in params.items()}))
    return out


def wants_table(request: HttpRequest) -> bool:
    return any(p.get("as") == "Table" and p.get("g", "meta.k8s.io") == "meta.k8s.io"
               for media, p in accept_entries(request) if media == "application/json")


def discovery_flavour(request: HttpRequest) -> str | None:
    """The aggregated-discovery content type to answer with, or None for legacy discovery."""
    for media, p in accept_entries(request):
        if media != "application/json" or p.get("as") != "APIGroupDiscoveryList" or \
                p.get("g") != "apidiscovery.k8s.io":
            continue
        if p.get("v") == "v2":
            return DISCOVERY_V2
        if p.get("v") == "v2beta1":
            return DISCOVERY_V2BETA1
    return None


def media_type(request: HttpRequest) -> str:
    return str(request.headers.get("Content-Type", "")).split(";")[0].strip().lower()


def read_body(request: HttpRequest) -> bytes:
    """The raw body, or a 413 Status when it is over the limit."""
    limit = settings.K8S_MAX_BODY_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _too_large(limit)
    body: bytes = request.body
    if len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit: int) -> errors.APIError:
    return errors.APIError(errors.status(413, "RequestEntityTooLarge",
                                         f"Request entity too large: limit is {limit}"))


def decode_object(request: HttpRequest) -> dict:
    """The request's body as an object (create, update), in the API server's error words.
    A body without a Content-Type is read as JSON, the first type the API server supports
    (apimachinery's NegotiateInputSerializerForMediaType): the official Python client's
    creates send none. A page on another site could send such a body with a `no-cors`
    fetch of a Blob; `origin.ForeignOriginMiddleware` refuses those by their Origin."""
    media = media_type(request) or "application/json"
    if media not in BODY_TYPES:
        log.info("415 for a %s body: %s %s", media, request.method, request.path)
        raise unsupported_media(BODY_TYPES)
    raw = read_body(request)
    if media == protobuf.MEDIA_TYPE:
        return _parse_protobuf(request, raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.bad_request("invalid UTF-8 in request body") from None
    doc = _parse_json(text) if media == "application/json" else _parse_yaml(text)
    if not isinstance(doc, dict):
        raise errors.bad_request(f"Object 'Kind' is missing in '{text.strip()[:200]}'")
    return doc


def decode_options(request: HttpRequest) -> dict:
    """A DELETE's optional DeleteOptions body (JSON, or protobuf from `kubectl drain`)."""
    raw = read_body(request)
    if not raw.strip():
        return {}
    if media_type(request) == protobuf.MEDIA_TYPE:
        try:
            return protobuf.decode(raw)
        except protobuf.ProtobufError as exc:
            raise errors.bad_request(str(exc)) from None
    try:
        options = safeyaml.load_json(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, safeyaml.DocumentRefused):
        raise errors.bad_request("couldn't get version/kind; json parse error: "
                                 "invalid DeleteOptions body") from None
    if not isinstance(options, dict):
        raise errors.bad_request("DeleteOptions must be a JSON object")
    return options


def _parse_protobuf(request: HttpRequest, raw: bytes) -> dict:
    """The protobuf body as a dict; errors worded as apiserver's transformDecodeError."""
    api_version, want = _target(request)
    try:
        return protobuf.decode(raw, api_version, want)
    except protobuf.ProtobufError as exc:
        want = want or exc.kind or "Object"
        if exc.kind:
            version = exc.api_version.rpartition("/")[2]
            message = f'{exc.kind} in version "{version}" cannot be handled as a {want}: {exc}'
        else:
            message = (f"the object provided is unrecognized (must be of type {want}): {exc} "
                       f"({_summary(raw)})")
        raise errors.bad_request(message) from None


def _target(request: HttpRequest) -> tuple[str, str]:
    """The group-version and kind the URL expects (a Scale for the `scale` subresource)."""
    match = getattr(request, "resolver_match", None)
    path = match.kwargs.get("path") if match else None
    route = routing.parse(path) if path else None
    if route is None or route.resource is None:
        return "", ""
    if route.subresource == "scale":
        return "autoscaling/v1", "Scale"
    return f"{route.group}/{route.version}".lstrip("/"), route.resource.kind


def _summary(raw: bytes, limit: int = 30) -> str:
    """apiserver's summarizeData: the body's start, as text if JSON-like, else hex."""
    if not raw:
        return "<empty>"
    head = raw[:limit]
    text = head.decode("utf-8", "replace") if raw[:1] == b"{" else head.hex()
    return text + " ..." if len(raw) > limit else text


def _parse_json(text: str) -> object:
    try:
        return safeyaml.load_json(text)
    except json.JSONDecodeError as exc:
        raise errors.bad_request("couldn't get version/kind; json parse error: "
                                 + go_syntax_error(text, exc)) from None
    except safeyaml.DocumentRefused as exc:
        raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc.problem}") \
            from None


def _parse_yaml(text: str) -> object:
    try:
        return safeyaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise errors.bad_request(f"error converting YAML to JSON: yaml: {where}{problem}") \
            from None


def unsupported_media(accepted: tuple[str, ...]) -> errors.APIError:
    return errors.APIError(errors.status(
        415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
        "accepted media types include: " + ", ".join(accepted)))


def decode_patch(request: HttpRequest) -> tuple[str, bytes]:
    """The patch type and raw body; `simcore.patch` decodes it and refuses unknown types."""
    return media_type(request), read_body(request)
