"""The API server's validation step, as one pure function per request.

`validate(kind, obj, old)` returns the `FieldError`s a real kube-apiserver
would report for a create (`old is None`) or an update of `obj`, which must
already be defaulted (`simcore.defaults.apply_defaults`, and for Jobs
`job_selector_defaults` once the uid is set, `service_update_defaults` on a
Service update) and carry its namespace; like a real server, the caller
clears `metadata.namespace` on cluster-scoped kinds before validating. The
caller turns a non-empty list into `errors.invalid_object(...)`, the 422
Status kubectl prints as `The Service "x" is invalid: ...`.

The rules live in one module per API group, mirroring
`pkg/apis/<group>/validation`: `meta` (names, labels, selectors), `core`
(with `podspec` for everything that embeds a pod template), `apps`, `batch`
and `networking`. Kinds whose specs a teaching cluster never exercises
(RBAC, Lease, StorageClass, HPA, PDB, PriorityClass, EndpointSlice) get the
metadata rules with the name format their real registry uses, and nothing
more; that is the trade-off for keeping this a readable size.
"""

from __future__ import annotations

from simcore.errors import FieldError
from simcore.resources import by_kind
from simcore.validation import apps, batch, core, meta, networking

_METADATA_ONLY: dict[str, meta.NameFn] = {
    "EndpointSlice": meta.name_is_dns_subdomain,
    "Lease": meta.name_is_dns_subdomain,
    "StorageClass": meta.name_is_dns_subdomain,
    "Role": meta.name_is_path_segment,
    "RoleBinding": meta.name_is_path_segment,
    "ClusterRole": meta.name_is_path_segment,
    "ClusterRoleBinding": meta.name_is_path_segment,
    "HorizontalPodAutoscaler": meta.name_is_dns_subdomain,
    "PodDisruptionBudget": meta.name_is_dns_subdomain,
    "PriorityClass": meta.name_is_dns_subdomain,
}

_VALIDATORS: dict[str, meta.Validator] = {**core.VALIDATORS, **apps.VALIDATORS, **batch.VALIDATORS,
               **networking.VALIDATORS}


def validate(kind: str, obj: dict, old: dict | None = None) -> list[FieldError]:
    """Field errors for creating (`old` None) or updating `obj` of `kind`; [] when valid."""
    validator = _VALIDATORS.get(kind)
    if validator is not None:
        return validator(obj, old)
    name_fn = _METADATA_ONLY.get(kind, meta.name_is_dns_subdomain)
    return core.validate_metadata_only(name_fn, by_kind(kind).namespaced)(obj, old)


__all__ = ["validate"]
