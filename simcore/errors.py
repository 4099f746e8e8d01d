"""Errors as the Kubernetes API server reports them.

Every refusal leaves the simulated API server as a `metav1.Status` dict with
the reason, code and message a real server gives, because kubectl prints
those words to the student (`Error from server (AlreadyExists): ...`). Field
errors render the way apimachinery's `field.Error` does, so an Invalid
Status carries both the one-line message and the per-field causes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simcore.resources import ResourceType

_OMIT = object()

_TYPE_TEXT = {
    "Invalid": "Invalid value",
    "Required": "Required value",
    "Duplicate": "Duplicate value",
    "Forbidden": "Forbidden",
    "NotSupported": "Unsupported value",
    "NotFound": "Not found",
    "TooLong": "Too long",
    "TooMany": "Too many",
    "Internal": "Internal error",
}
_TYPE_REASON = {
    "Invalid": "FieldValueInvalid",
    "Required": "FieldValueRequired",
    "Duplicate": "FieldValueDuplicate",
    "Forbidden": "FieldValueForbidden",
    "NotSupported": "FieldValueNotSupported",
    "NotFound": "FieldValueNotFound",
    "TooLong": "FieldValueTooLong",
    "TooMany": "FieldValueTooMany",
    "Internal": "InternalError",
}


def format_value(value: Any) -> str:
    """A bad value as current apiservers print it: strings quoted, maps and lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"), sort_keys=isinstance(value, dict))


@dataclass(frozen=True)
class FieldError:
    """One `field.Error`: type (Invalid, Required, ...), field path, bad value, detail."""

    type: str
    field: str
    value: Any = _OMIT
    detail: str = ""

    def body(self) -> str:
        text = _TYPE_TEXT[self.type]
        if self.type not in ("Required", "Forbidden", "TooLong", "Internal") and \
                self.value is not _OMIT:
            text = f"{text}: {format_value(self.value)}"
        if self.detail:
            text = f"{text}: {self.detail}"
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> dict:
        return {"reason": _TYPE_REASON[self.type], "message": self.body(), "field": self.field}


def invalid(field: str, value: Any, detail: str = "") -> FieldError:
    return FieldError("Invalid", field, value, detail)


def required(field: str, detail: str = "") -> FieldError:
    return FieldError("Required", field, _OMIT, detail)


def duplicate(field: str, value: Any) -> FieldError:
    return FieldError("Duplicate", field, value)


def forbidden(field: str, detail: str) -> FieldError:
    return FieldError("Forbidden", field, _OMIT, detail)


def not_supported(field: str, value: Any, supported: list[str]) -> FieldError:
    valid = ", ".join(json.dumps(s) for s in supported)
    return FieldError("NotSupported", field, value, f"supported values: {valid}")


def too_long(field: str, max_len: int) -> FieldError:
    return FieldError("TooLong", field, _OMIT, f"may not be more than {max_len} bytes")


class APIError(Exception):
    """A refusal by the API server, carrying the Status dict it would send."""

    def __init__(self, status: dict[str, Any]):
        super().__init__(status.get("message", ""))
        self.status = status

    @property
    def code(self) -> int:
        code: int = self.status["code"]
        return code

    @property
    def reason(self) -> str:
        reason: str = self.status["reason"]
        return reason


class NotFound(APIError):
    pass


class AlreadyExists(APIError):
    pass


class Conflict(APIError):
    pass


class Invalid(APIError):
    pass


class BadRequest(APIError):
    pass


class Gone(APIError):
    pass


def status(code: int, reason: str, message: str,
           details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason}
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


def _details(res: ResourceType, name: str) -> dict[str, str]:
    details = {"name": name}
    if res.group:
        details["group"] = res.group
    details["kind"] = res.plural
    return details


def not_found(res: ResourceType, name: str) -> NotFound:
    return NotFound(status(404, "NotFound", f'{res.group_resource} "{name}" not found',
                           _details(res, name)))


def already_exists(res: ResourceType, name: str) -> AlreadyExists:
    return AlreadyExists(status(409, "AlreadyExists",
                                f'{res.group_resource} "{name}" already exists',
                                _details(res, name)))


def conflict(res: ResourceType, name: str) -> Conflict:
    return Conflict(status(
        409, "Conflict",
        f'Operation cannot be fulfilled on {res.group_resource} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        _details(res, name)))


def invalid_object(res: ResourceType, name: str, errors: list[FieldError]) -> Invalid:
    if len(errors) == 1:
        aggregate = str(errors[0])
    else:
        aggregate = "[" + ", ".join(str(e) for e in errors) + "]"
    details: dict[str, Any] = {"name": name}
    if res.group:
        details["group"] = res.group
    details["kind"] = res.kind
    details["causes"] = [e.cause() for e in errors]
    return Invalid(status(422, "Invalid", f'{res.kind} "{name}" is invalid: {aggregate}',
                          details))


def bad_request(message: str) -> BadRequest:
    return BadRequest(status(400, "BadRequest", message))


def gone(message: str) -> Gone:
    return Gone(status(410, "Expired", message))


def method_not_allowed(message: str = "the server does not allow this method on the requested "
                       "resource") -> APIError:
    return APIError(status(405, "MethodNotAllowed", message))
