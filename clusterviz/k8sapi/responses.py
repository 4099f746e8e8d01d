"""Building the API's HTTP answers: JSON bodies, Status errors, warnings.

Every answer is JSON written compactly, like the API server's; a refusal is
always a `Status` with its `code` as the HTTP status, so a client never sees
Django's HTML error pages. Warnings from the API server travel as
`Warning: 299 - "..."` headers, which kubectl prints as `Warning: ...`.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from simcore import errors

JSON = "application/json"


def json_response(body: object, status: int = 200, content_type: str = JSON,
                  warnings: list[str] | tuple[str, ...] = ()) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")), status=status,
                            content_type=content_type)
    for text in warnings:
        response.headers.setdefault("Warning", "")
        response.headers["Warning"] = _join(response.headers["Warning"], _warning(text))
    return response


def add_warning(response: HttpResponse, text: str) -> HttpResponse:
    """Attach one more API-server warning to an answer already built (a stream too)."""
    response.headers["Warning"] = _join(response.headers.get("Warning", ""), _warning(text))
    return response


def _warning(text: str) -> str:
    return '299 - ' + json.dumps(text)


def _join(existing: str, value: str) -> str:
    return f"{existing}, {value}" if existing else value


def status_response(status: dict) -> HttpResponse:
    return json_response(status, status=int(status.get("code") or 500))


def error_response(exc: errors.APIError) -> HttpResponse:
    return status_response(exc.status)


def not_found() -> HttpResponse:
    return status_response(errors.status(404, "NotFound",
                                         "the server could not find the requested resource"))


def success_status(details: dict) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}
