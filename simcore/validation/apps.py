"""Validation for apps/v1: ReplicaSet, Deployment, DaemonSet, StatefulSet, ControllerRevision.

Follows `pkg/apis/apps/validation/validation.go` and the selector
immutability the apps registry strategies add on update for every group
version but extensions/v1beta1 (`spec.selector: Invalid value: ...: field is
immutable`). The template must match the selector (``selector` does not
match template `labels``), the selector must not be empty ("empty selector
is invalid for deployment" is literally what ReplicaSets say too) and pod
templates must use restartPolicy Always.

Trade-off: update validation runs the spec checks once (the Go strategies
call both the create and the update validators, which can list an error
twice); the simulator shows each problem once.
"""

from __future__ import annotations

from typing import Any

from simcore.errors import FieldError, forbidden, invalid, not_supported, required
from simcore.validation import meta
from simcore.validation.podspec import validate_pod_template_spec


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _meta(obj: dict, old: dict | None, name_fn: meta.NameFn) -> list[FieldError]:
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), True, name_fn)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


def _selector_immutable(obj: dict, old: dict | None) -> list[FieldError]:
    if old is None:
        return []
    return meta.immutable(_dict(obj.get("spec")).get("selector"),
                          _dict(old.get("spec")).get("selector"), "spec.selector")


def _template_labels(template: Any) -> Any:
    return _dict(_dict(template).get("metadata")).get("labels")


def _validate_strict_selector(spec: dict, kind_word: str) -> list[FieldError]:
    selector = spec.get("selector")
    if selector is None:
        return [required("spec.selector")]
    errs = meta.validate_label_selector(selector, "spec.selector")
    if meta.selector_is_empty(selector):
        errs.append(invalid("spec.selector", selector, f"empty selector is invalid for "
                                                       f"{kind_word}"))
    return errs


def validate_template_for_replica_set(spec: dict) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet (ReplicaSets and Deployments)."""
    selector, template = spec.get("selector"), spec.get("template")
    if not meta.selector_convertible(selector):
        return [invalid("spec.selector", selector, "invalid label selector")]
    if template is None:
        return [required("spec.template")]
    errs: list[FieldError] = []
    labels = _template_labels(template)
    # A nil selector selects nothing, so it never matches the template either.
    if not meta.selector_is_empty(selector) and not meta.selector_matches(selector, labels):
        errs.append(invalid("spec.template.metadata.labels", labels,
                            "`selector` does not match template `labels`"))
    errs += validate_pod_template_spec(template, "spec.template")
    return errs + _always_restart(_dict(_dict(template).get("spec")), "ReplicaSet")


def _always_restart(tspec: dict, kind: str) -> list[FieldError]:
    errs: list[FieldError] = []
    policy = tspec.get("restartPolicy", "")
    if policy != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", policy, ["Always"]))
    if tspec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden("spec.template.spec.activeDeadlineSeconds",
                              f"activeDeadlineSeconds in {kind} is not Supported"))
    return errs


def validate_replica_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, meta.name_is_dns_subdomain)
    errs += meta.nonnegative(spec.get("replicas"), "spec.replicas")
    errs += meta.nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    errs += _validate_strict_selector(spec, "deployment")
    errs += validate_template_for_replica_set(spec)
    return errs + _selector_immutable(obj, old)


def validate_deployment(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, meta.name_is_dns_subdomain)
    errs += meta.nonnegative(spec.get("replicas"), "spec.replicas")
    errs += _validate_strict_selector(spec, "deployment")
    errs += validate_template_for_replica_set(spec)
    errs += _validate_deployment_strategy(_dict(spec.get("strategy")), "spec.strategy")
    errs += meta.nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    errs += meta.nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs += meta.nonnegative(deadline, "spec.progressDeadlineSeconds")
        min_ready = spec.get("minReadySeconds") or 0
        if isinstance(deadline, int) and isinstance(min_ready, int) and deadline <= min_ready:
            errs.append(invalid("spec.progressDeadlineSeconds", deadline,
                                "must be greater than minReadySeconds"))
    return errs + _selector_immutable(obj, old)


def _validate_deployment_strategy(strategy: dict, path: str) -> list[FieldError]:
    kind = strategy.get("type", "")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [forbidden(f"{path}.rollingUpdate",
                              "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [required(f"{path}.rollingUpdate", "this should be defaulted and never be "
                                                      "nil")]
        return _validate_rolling_update_deployment(_dict(rolling), f"{path}.rollingUpdate")
    return [not_supported(path, strategy, ["Recreate", "RollingUpdate"])]


def _validate_rolling_update_deployment(rolling: dict, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
    errs += positive_int_or_percent(surge, f"{path}.maxSurge")
    if int_or_percent_value(unavailable) == 0 and int_or_percent_value(surge) == 0:
        errs.append(invalid(f"{path}.maxUnavailable", unavailable if unavailable is not None
                            else 0, "may not be 0 when `maxSurge` is 0"))
    return errs + not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")


def positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str):
        return [invalid(path, value, m) for m in meta.is_valid_percent(value)]
    if isinstance(value, int):
        return meta.nonnegative(value, path)
    return []


def _percent(value: Any) -> int | None:
    if isinstance(value, str) and not meta.is_valid_percent(value):
        return int(value[:-1])
    return None


def int_or_percent_value(value: Any) -> int:
    percent = _percent(value)
    if percent is not None:
        return percent
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return 0


def not_more_than_100_percent(value: Any, path: str) -> list[FieldError]:
    percent = _percent(value)
    if percent is None or percent <= 100:
        return []
    return [invalid(path, value, "must not be greater than 100%")]


def validate_daemon_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, meta.name_is_dns_subdomain)
    if old is not None:
        errs += _validate_template_generation(spec, _dict(old.get("spec")))
    selector = spec.get("selector")
    errs += meta.validate_label_selector(selector, "spec.selector")
    labels = _template_labels(spec.get("template"))
    if meta.selector_convertible(selector) and not meta.selector_matches(selector, labels):
        errs.append(invalid("spec.template.metadata.labels", labels,
                            "`selector` does not match template `labels`"))
    if selector is not None and meta.selector_is_empty(selector):
        errs.append(invalid("spec.selector", selector, "empty selector is invalid for daemonset"))
    errs += validate_pod_template_spec(spec.get("template"), "spec.template")
    errs += _always_restart(_dict(_dict(spec.get("template")).get("spec")), "DaemonSet")
    errs += meta.nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    errs += meta.nonnegative(spec.get("templateGeneration"), "spec.templateGeneration")
    errs += _validate_daemon_set_strategy(_dict(spec.get("updateStrategy")), "spec.updateStrategy")
    errs += meta.nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    return errs + _selector_immutable(obj, old)


def _validate_template_generation(spec: dict, old_spec: dict) -> list[FieldError]:
    new_gen, old_gen = spec.get("templateGeneration") or 0, old_spec.get("templateGeneration") or 0
    if new_gen < old_gen:
        return [invalid("spec.templateGeneration", new_gen, "must not be decremented")]
    return []


def _validate_daemon_set_strategy(strategy: dict, path: str) -> list[FieldError]:
    kind = strategy.get("type", "")
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        return [not_supported(path, strategy, ["RollingUpdate", "OnDelete"])]
    rolling = strategy.get("rollingUpdate")
    if rolling is None:
        return [required(f"{path}.rollingUpdate")]
    rolling, rpath = _dict(rolling), f"{path}.rollingUpdate"
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = positive_int_or_percent(unavailable, f"{rpath}.maxUnavailable")
    errs += positive_int_or_percent(surge, f"{rpath}.maxSurge")
    errs += not_more_than_100_percent(unavailable, f"{rpath}.maxUnavailable")
    errs += not_more_than_100_percent(surge, f"{rpath}.maxSurge")
    has_unavailable = int_or_percent_value(unavailable) != 0
    has_surge = int_or_percent_value(surge) != 0
    if has_unavailable and has_surge:
        errs.append(invalid(f"{rpath}.maxSurge", surge,
                            "may not be set when maxUnavailable is non-zero"))
    elif not has_unavailable and not has_surge:
        errs.append(required(f"{rpath}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errs


_STS_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy",
                "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


def validate_stateful_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = _meta(obj, old, meta.name_is_dns_label)
    errs += _validate_stateful_set_spec(spec)
    if old is not None:
        old_spec = _dict(old.get("spec"))
        frozen = {k: v for k, v in spec.items() if k not in _STS_MUTABLE}
        old_frozen = {k: v for k, v in old_spec.items() if k not in _STS_MUTABLE}
        if frozen != old_frozen:
            errs.append(forbidden("spec", "updates to statefulset spec for fields other than "
                                  "'replicas', 'ordinals', 'template', 'updateStrategy', "
                                  "'persistentVolumeClaimRetentionPolicy' and "
                                  "'minReadySeconds' are forbidden"))
    return errs


def _validate_stateful_set_spec(spec: dict) -> list[FieldError]:
    errs = _validate_pod_management(spec.get("podManagementPolicy", ""))
    errs += _validate_sts_strategy(_dict(spec.get("updateStrategy")))
    errs += _validate_retention(spec.get("persistentVolumeClaimRetentionPolicy"))
    errs += meta.nonnegative(spec.get("replicas"), "spec.replicas")
    errs += meta.nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    errs += meta.nonnegative(_dict(spec.get("ordinals")).get("start"), "spec.ordinals.start")
    selector = spec.get("selector")
    errs += _validate_strict_selector(spec, "statefulset")
    template = _dict(spec.get("template"))
    if not meta.selector_convertible(selector):
        errs.append(invalid("spec.selector", selector, ""))
    else:
        labels = _template_labels(template)
        if not meta.selector_is_empty(selector) and not meta.selector_matches(selector, labels):
            errs.append(invalid("spec.template.metadata.labels", labels,
                                "`selector` does not match template `labels`"))
        errs += meta.validate_labels(labels, "spec.template.labels")
        errs += meta.validate_annotations(_dict(template.get("metadata")).get("annotations"),
                                          "spec.template.annotations")
    return errs + _always_restart(_dict(template.get("spec")), "StatefulSet")


def _validate_pod_management(policy: str) -> list[FieldError]:
    if not policy:
        return [required("spec.podManagementPolicy")]
    if policy not in ("OrderedReady", "Parallel"):
        return [invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or "
                                                            "'Parallel'")]
    return []


def _validate_sts_strategy(strategy: dict) -> list[FieldError]:
    kind, rolling = strategy.get("type", ""), strategy.get("rollingUpdate")
    path = "spec.updateStrategy"
    if not kind:
        return [required(path)]
    if kind == "OnDelete":
        if rolling is not None:
            return [invalid(f"{path}.rollingUpdate", rolling,
                            "only allowed for updateStrategy 'RollingUpdate'")]
        return []
    if kind != "RollingUpdate":
        return [invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")]
    if rolling is None:
        return []
    rolling, rpath = _dict(rolling), f"{path}.rollingUpdate"
    errs = meta.nonnegative(rolling.get("partition"), f"{rpath}.partition")
    unavailable = rolling.get("maxUnavailable")
    if unavailable is not None:
        errs += positive_int_or_percent(unavailable, f"{rpath}.maxUnavailable")
        if int_or_percent_value(unavailable) == 0:
            errs.append(invalid(f"{rpath}.maxUnavailable", unavailable, "cannot be 0"))
        errs += not_more_than_100_percent(unavailable, f"{rpath}.maxUnavailable")
    return errs


def _validate_retention(policy: Any) -> list[FieldError]:
    if policy is None:
        return []
    errs: list[FieldError] = []
    for field_name in ("whenDeleted", "whenScaled"):
        value = _dict(policy).get(field_name, "")
        if value not in ("Retain", "Delete"):
            errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{field_name}",
                                      value, ["Retain", "Delete"]))
    return errs


def validate_controller_revision(obj: dict, old: dict | None) -> list[FieldError]:
    errs = _meta(obj, old, meta.name_is_dns_subdomain)
    if obj.get("data") is None:
        errs.append(required("data", "data is mandatory"))
    errs += meta.nonnegative(obj.get("revision"), "revision")
    if old is not None:
        errs += meta.immutable(obj.get("data"), old.get("data"), "data")
    return errs


VALIDATORS: dict[str, meta.Validator] = {
    "ReplicaSet": validate_replica_set,
    "Deployment": validate_deployment,
    "DaemonSet": validate_daemon_set,
    "StatefulSet": validate_stateful_set,
    "ControllerRevision": validate_controller_revision,
}
