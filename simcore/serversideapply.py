"""The apply patch (`application/apply-patch+yaml`): the PATCH handler's apply branch.

`kubectl apply --server-side`, lightkube's `apply()` and the official clients
send the whole configuration they want, as YAML (JSON is YAML), with a
`fieldManager` query parameter and optionally `force`. The handler checks the
options as the apiserver's ValidatePatchOptions does (a missing manager is a
422 on `PatchOptions.meta.k8s.io ""`), decodes the configuration like any body
(pruning and `fieldValidation`), then lets simcore.fieldmanager merge it into
the live object and work out ownership. An object that does not exist yet is
created from the configuration, as a real apply does.

The result then takes the ordinary write path (defaults, validation,
allocation, resourceVersion precondition), so an apply is refused exactly
where an update of the same object would be.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from simcore import errors, fieldmanager, safeyaml
from simcore.jsoncopy import clone
from simcore.resources import ResourceType

if TYPE_CHECKING:
    from simcore.apiserver import APIServer, Request


def options_invalid(field: str, reason: str, detail: str) -> errors.Invalid:
    """ValidatePatchOptions' refusal: 422 on the PatchOptions object itself."""
    words = {"FieldValueRequired": "Required value", "FieldValueForbidden": "Forbidden"}[reason]
    message = f"{words}: {detail}"
    return errors.Invalid(errors.status(
        422, "Invalid", f'PatchOptions.meta.k8s.io "" is invalid: {field}: {message}',
        {"group": "meta.k8s.io", "kind": "PatchOptions",
         "causes": [{"reason": reason, "message": message, "field": field}]}))


def server_side_apply(api: APIServer, rt: ResourceType, name: str, body: Any,
                      namespace: str | None, subresource: str | None, req: Request) -> dict:
    if not req.field_manager:
        raise options_invalid("fieldManager", "FieldValueRequired", "is required for apply patch")
    config = _configuration(api, rt, name, body, req)
    live = api.try_get_ref(rt, name, namespace)
    quiet = replace(req, field_manager=None)  # ownership is the apply's, not an Update's
    if live is None:
        if subresource:
            raise errors.not_found(rt, name)
        created = fieldmanager.apply(None, config, req.field_manager, req.force, None,
                                     api.clock.timestamp())
        return api.create(rt, created, namespace, quiet, owned=True)
    merged = fieldmanager.apply(live, config, req.field_manager, req.force, subresource,
                                api.clock.timestamp())
    if not (config.get("metadata") or {}).get("resourceVersion"):
        merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
    return api._replace(rt, live, merged, subresource, quiet)


def _configuration(api: APIServer, rt: ResourceType, name: str, body: Any,
                   req: Request) -> dict:
    """The applied configuration, decoded as a body; its name must be the URL's."""
    config = _parse(body)
    api._check_type(rt, config)
    if not config.get("apiVersion") or not config.get("kind"):
        raise errors.bad_request("error decoding YAML: Object 'Kind' is missing in "
                                 f"'{_summary(config)}'")
    meta = config.get("metadata")
    if isinstance(meta, dict) and meta.get("managedFields"):
        raise errors.bad_request("metadata.managedFields must be nil")
    config = api.decode(rt, config, req)
    meta = config.setdefault("metadata", {})
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request(f"the name of the object ({meta['name']}) does not match "
                                 f"the name on the URL ({name})")
    meta["name"] = name
    applied: dict = clone(config)
    return applied


def _parse(body: Any) -> dict:
    if isinstance(body, dict):
        return body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        doc = safeyaml.load(text)
    except Exception as exc:  # yaml.YAMLError, safeyaml.DocumentRefused: the body is bad
        raise errors.bad_request(f"error decoding YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise errors.bad_request(f"error decoding YAML: Object 'Kind' is missing in "
                                 f"'{text.strip()[:200]}'")
    return doc


def _summary(config: dict) -> str:
    import json
    return json.dumps(config, separators=(",", ":"))[:200]
