"""What the client asked for (Accept) and what it sent (Content-Type and body).

kubectl states its wishes in media-type parameters: `as=Table;g=meta.k8s.io`
for server-side printing, `as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2`
for aggregated discovery. The answer must use the exact content type of the
variant chosen (kubectl-api.md section 7-2), so each Accept entry is parsed
into its parameters rather than matched as a string.

Bodies: the API server decodes JSON and YAML; anything larger than the
limit is refused with 413 before it is read, malformed text with 400 in the
decoder's words, and other media types with 415.
"""

from __future__ import annotations

import json
import logging

import yaml
from django.conf import settings
from django.http import HttpRequest

from simcore import errors
from simcore.patch import _go_syntax_error  # encoding/json's wording; see the report

DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
DISCOVERY_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
BODY_TYPES = ("application/json", "application/yaml")
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
    return request.headers.get("Content-Type", "").split(";")[0].strip().lower()


def read_body(request: HttpRequest) -> bytes:
    """The raw body, or a 413 Status when it is over the limit."""
    limit = settings.K8S_MAX_BODY_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _too_large(limit)
    body = request.body
    if len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit: int) -> errors.APIError:
    return errors.APIError(errors.status(413, "RequestEntityTooLarge",
                                         f"Request entity too large: limit is {limit}"))


def decode_object(request: HttpRequest) -> dict:
    """The request's body as an object (create, update), in the API server's error words."""
    media = media_type(request) or "application/json"
    if media not in BODY_TYPES:
        # kubectl's typed commands (`create deployment`, ...) send protobuf unasked; see
        # the 415 note in tests/kubectl/test_api_surface.py
        log.info("415 for a %s body: %s %s", media, request.method, request.path)
        raise unsupported_media(BODY_TYPES)
    raw = read_body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.bad_request("invalid UTF-8 in request body") from None
    doc = _parse_json(text) if media == "application/json" else _parse_yaml(text)
    if not isinstance(doc, dict):
        raise errors.bad_request(f"Object 'Kind' is missing in '{text.strip()[:200]}'")
    return doc


def _parse_json(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise errors.bad_request("couldn't get version/kind; json parse error: "
                                 + _go_syntax_error(text, exc)) from None


def _parse_yaml(text: str):
    try:
        return yaml.safe_load(text)
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
