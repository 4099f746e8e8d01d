"""Validation for batch/v1: Job and CronJob.

Follows `pkg/apis/batch/validation/validation.go` and the job registry
strategy. A Job's pod template must not restart Always: current servers say
`spec.template.spec.restartPolicy: Required value: valid values: "OnFailure",
"Never"` for Always (or nothing), and `Unsupported value` only for other
words. The generated selector and labels (`controller-uid`, `job-name` and
their `batch.kubernetes.io/` twins) are checked as the server checks them,
so `simcore.defaults.job_selector_defaults` must run first.

CronJob schedules are parsed the way robfig/cron v3's `ParseStandard` does
(the library the apiserver calls), so a bad schedule reports that library's
words, e.g. `expected exactly 5 fields, found 4: [*/1 * * *]`.

Trade-offs: `timeZone` is checked for syntax and "Local" but not looked up
in a time-zone database (that would be I/O); podFailurePolicy and
successPolicy rules are not validated rule by rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

from simcore.errors import FieldError, invalid, not_supported, required
from simcore.validation import meta
from simcore.validation.podspec import validate_pod_template_spec

_LEGACY_UID, _LEGACY_NAME = "controller-uid", "job-name"
_UID, _NAME = "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


# Job.

def validate_job(obj: dict, old: dict | None) -> list[FieldError]:
    spec, md = _dict(obj.get("spec")), _dict(obj.get("metadata"))
    if old is None:
        errs = meta.validate_object_meta(md, True, meta.name_is_dns_subdomain)
        prefixed = True
    else:
        errs = meta.validate_object_meta_update(md, old.get("metadata"))
        old_labels = _template_labels(_dict(old.get("spec")))
        prefixed = _UID in old_labels and _NAME in old_labels
    errs += _validate_generated_selector(spec, md, prefixed)
    errs += _validate_job_spec_with_selector(spec, "spec")
    if old is None:
        errs += _validate_indexed_name(spec, md.get("name") or "")
    else:
        errs += _validate_job_update(spec, _dict(old.get("spec")))
    return errs


def _template_labels(spec: dict) -> dict:
    return _dict(_dict(_dict(spec.get("template")).get("metadata")).get("labels"))


def _validate_generated_selector(spec: dict, md: dict, prefixed: bool) -> list[FieldError]:
    if spec.get("manualSelector") is True or spec.get("selector") is None:
        return []
    uid, name = md.get("uid") or "", md.get("name") or ""
    errs = [] if uid else [required("metadata.uid")]
    labels = _template_labels(spec)
    expected = {_LEGACY_UID: uid, _LEGACY_NAME: name}
    if prefixed:
        expected.update({_UID: uid, _NAME: name})
    for key in (_LEGACY_UID, _LEGACY_NAME, _UID, _NAME):
        if key in expected:
            errs += _has_label(labels, key, expected[key])
    if meta.selector_convertible(spec["selector"]) and \
            not meta.selector_matches(spec["selector"], expected):
        errs.append(invalid("spec.selector", spec["selector"], "`selector` not auto-generated"))
    return errs


def _has_label(labels: dict, key: str, value: str) -> list[FieldError]:
    path = f"spec.template.metadata.labels[{key}]"
    if key not in labels:
        return [required(path, f"must be '{value}'")]
    if labels[key] != value:
        return [invalid(path, labels, f"must be '{value}'")]
    return []


def _validate_job_spec_with_selector(spec: dict, path: str) -> list[FieldError]:
    errs = validate_job_spec(spec, path)
    selector = spec.get("selector")
    if selector is None:
        errs.append(required(f"{path}.selector"))
    else:
        errs += meta.validate_label_selector(selector, f"{path}.selector")
    if meta.selector_convertible(selector):
        # Absent labels are a nil map, which the error prints as null.
        labels = _dict(_dict(spec.get("template")).get("metadata")).get("labels")
        if not meta.selector_is_empty(selector) and not meta.selector_matches(selector, labels):
            errs.append(invalid(f"{path}.template.metadata.labels", labels,
                                "`selector` does not match template `labels`"))
    return errs


def validate_job_spec(spec: dict, path: str) -> list[FieldError]:
    """validateJobSpec: counts, modes and the pod template (shared with CronJob templates)."""
    errs: list[FieldError] = []
    for field_name in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                       "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"):
        errs += meta.nonnegative(spec.get(field_name), f"{path}.{field_name}")
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errs.append(required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is "
                                                            "specified"))
    errs += _validate_completion_mode(spec, path)
    errs += _validate_pod_replacement_policy(spec, f"{path}.podReplacementPolicy")
    errs += validate_pod_template_spec(spec.get("template"), f"{path}.template")
    return errs + _validate_job_restart_policy(spec, f"{path}.template.spec.restartPolicy")


def _validate_completion_mode(spec: dict, path: str) -> list[FieldError]:
    mode = spec.get("completionMode")
    errs: list[FieldError] = []
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.append(not_supported(f"{path}.completionMode", mode, ["NonIndexed", "Indexed"]))
    if mode == "Indexed":
        if spec.get("completions") is None:
            errs.append(required(f"{path}.completions", "when completion mode is Indexed"))
        parallelism = spec.get("parallelism")
        if parallelism is not None and parallelism > 100000:
            errs.append(invalid(f"{path}.parallelism", parallelism, "must be less than or equal "
                                "to 100000 when completion mode is Indexed"))
    elif mode in (None, "NonIndexed"):
        for field_name in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(field_name) is not None:
                errs.append(invalid(f"{path}.{field_name}", spec[field_name],
                                    "requires indexed completion mode"))
    return errs


def _validate_pod_replacement_policy(spec: dict, path: str) -> list[FieldError]:
    policy = spec.get("podReplacementPolicy")
    if policy is None:
        return []
    if spec.get("podFailurePolicy") is not None:
        return [] if policy == "Failed" else [not_supported(path, policy, ["Failed"])]
    allowed = ["Failed", "TerminatingOrFailed"]
    return [] if policy in allowed else [not_supported(path, policy, allowed)]


def _validate_job_restart_policy(spec: dict, path: str) -> list[FieldError]:
    policy = _dict(_dict(spec.get("template")).get("spec")).get("restartPolicy", "")
    if policy in ("Always", ""):
        return [required(path, 'valid values: "OnFailure", "Never"')]
    if policy not in ("OnFailure", "Never"):
        return [not_supported(path, policy, ["OnFailure", "Never"])]
    if spec.get("podFailurePolicy") is not None and policy != "Never":
        return [invalid(path, policy, 'only "Never" is supported when podFailurePolicy is '
                                      'specified')]
    return []


def _validate_indexed_name(spec: dict, name: str) -> list[FieldError]:
    completions = spec.get("completions")
    if spec.get("completionMode") != "Indexed" or not isinstance(completions, int) or \
            completions <= 0:
        return []
    hostname = f"{name}-{completions - 1}"
    if meta.is_dns1123_label(hostname):
        return [invalid("metadata.name", name, "will not able to create pod with invalid DNS "
                                               f"label: {hostname}")]
    return []


_JOB_IMMUTABLE = ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy",
                  "successPolicy")


def _validate_job_update(spec: dict, old_spec: dict) -> list[FieldError]:
    errs = meta.immutable(spec.get("completions"), old_spec.get("completions"),
                          "spec.completions")
    errs += meta.immutable(spec.get("selector"), old_spec.get("selector"), "spec.selector")
    errs += meta.immutable(spec.get("template"), _mutable_template(spec, old_spec),
                           "spec.template")
    for field_name in _JOB_IMMUTABLE:
        errs += meta.immutable(spec.get(field_name), old_spec.get(field_name),
                               f"spec.{field_name}")
    return errs


def _mutable_template(spec: dict, old_spec: dict) -> Any:
    """The old template, with scheduling directives taken from the new one when allowed.

    A suspended Job that never started may change node affinity, node selector,
    tolerations, scheduling gates, labels and annotations of its template.
    """
    old_template = old_spec.get("template")
    if old_spec.get("suspend") is not True or not isinstance(old_template, dict):
        return old_template
    merged = json.loads(json.dumps(old_template))
    new_template = _dict(spec.get("template"))
    for field_name in ("labels", "annotations"):
        _copy(_dict(new_template.get("metadata")), merged.setdefault("metadata", {}), field_name)
    new_pod, old_pod = _dict(new_template.get("spec")), merged.setdefault("spec", {})
    for field_name in ("nodeSelector", "tolerations", "schedulingGates", "affinity"):
        _copy(new_pod, old_pod, field_name)
    return merged


def _copy(src: dict, dst: dict, key: str) -> None:
    if key in src:
        dst[key] = src[key]
    else:
        dst.pop(key, None)


# CronJob.

def validate_cron_job(obj: dict, old: dict | None) -> list[FieldError]:
    spec, md = _dict(obj.get("spec")), _dict(obj.get("metadata"))
    old_spec = _dict(old.get("spec")) if old is not None else None
    if old is None:
        errs = meta.validate_object_meta(md, True, meta.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(md, old.get("metadata"))
    errs += _validate_cron_job_spec(spec, old_spec)
    name = meta.text(md.get("name"))
    if old is None and len(name.encode()) > 52:
        errs.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    return errs


def _validate_cron_job_spec(spec: dict, old_spec: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    schedule = meta.text(spec.get("schedule"))
    if not schedule:
        errs.append(required("spec.schedule"))
    else:
        allow_tz = old_spec is not None and "TZ" in meta.text(old_spec.get("schedule"))
        errs += _validate_schedule(schedule, allow_tz, spec.get("timeZone"))
    errs += meta.nonnegative(spec.get("startingDeadlineSeconds"), "spec.startingDeadlineSeconds")
    if old_spec is None or old_spec.get("timeZone") != spec.get("timeZone"):
        errs += _validate_time_zone(spec.get("timeZone"), "spec.timeZone")
    errs += _validate_concurrency_policy(spec.get("concurrencyPolicy", ""))
    errs += _validate_job_template(_dict(spec.get("jobTemplate")), "spec.jobTemplate")
    for field_name in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errs += meta.nonnegative(spec.get(field_name), f"spec.{field_name}")
    return errs


def _validate_schedule(schedule: str, allow_tz: bool, time_zone: Any) -> list[FieldError]:
    errs: list[FieldError] = []
    problem = parse_standard(schedule)
    if problem:
        errs.append(invalid("spec.schedule", schedule, problem))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        errs.append(invalid("spec.schedule", schedule,
                            "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
    elif not allow_tz and "TZ" in schedule:
        errs.append(invalid("spec.schedule", schedule,
                            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    return errs


def _validate_time_zone(zone: Any, path: str) -> list[FieldError]:
    if zone is None:
        return []
    if zone == "":
        return [invalid(path, zone, "timeZone must be nil or non-empty string")]
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or \
                not re.fullmatch(r"[A-Za-z.\-_0-9+]{1,14}", part):
            return [invalid(path, zone, f"unknown time zone {zone}")]
    if zone.lower() == "local":
        return [invalid(path, zone, "timeZone must be an explicit time zone as defined in "
                                    "https://www.iana.org/time-zones")]
    return []


def _validate_concurrency_policy(policy: str) -> list[FieldError]:
    path = "spec.concurrencyPolicy"
    if not policy:
        return [required(path)]
    allowed = ["Allow", "Forbid", "Replace"]
    return [] if policy in allowed else [not_supported(path, policy, allowed)]


def _validate_job_template(template: dict, path: str) -> list[FieldError]:
    spec = _dict(template.get("spec"))
    errs = validate_job_spec(spec, f"{path}.spec")
    if spec.get("selector") is not None:
        errs.append(invalid(f"{path}.spec.selector", spec["selector"],
                            "`selector` will be auto-generated"))
    if spec.get("manualSelector") is True:
        errs.append(not_supported(f"{path}.spec.manualSelector", True, ["nil", "false"]))
    return errs


# robfig/cron v3 ParseStandard, reduced to the error it would return.

_BOUNDS = (("minute", 0, 59, None), ("hour", 0, 23, None), ("dom", 1, 31, None),
           ("month", 1, 12, {m: i + 1 for i, m in enumerate(
               "jan feb mar apr may jun jul aug sep oct nov dec".split())}),
           ("dow", 0, 6, {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}))
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def parse_standard(spec: str) -> str | None:
    """The error robfig/cron v3 gives for a standard 5-field spec, or None when it parses."""
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space == -1:
            return f"invalid location descriptior: {spec}"
        spec = spec[space:].strip()
    if spec.startswith("@"):
        return _parse_descriptor(spec)
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for field, (_, low, high, names) in zip(fields, _BOUNDS, strict=True):
        for expr in (e for e in field.split(",") if e):
            problem = _check_range(expr, low, high, names)
            if problem:
                return problem
    return None


def _parse_descriptor(spec: str) -> str | None:
    if spec in _DESCRIPTORS:
        return None
    if spec.startswith("@every "):
        problem = go_duration_error(spec[len("@every "):])
        return f"failed to parse duration {spec}: {problem}" if problem else None
    return f"unrecognized descriptor: {spec}"


def _check_range(expr: str, low: int, high: int, names: dict | None) -> str | None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start, problem = _int_or_name(low_and_high[0], names)
        if problem:
            return problem
        end = start
        if len(low_and_high) == 2:
            end, problem = _int_or_name(low_and_high[1], names)
            if problem:
                return problem
        elif len(low_and_high) > 2:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_and_step) == 2:
        step, problem = _must_parse_int(range_and_step[1])
        if problem:
            return problem
        if len(low_and_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    return _range_problem(start, end, step, low, high, expr)


def _range_problem(start: int, end: int, step: int, low: int, high: int,
                   expr: str) -> str | None:
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def _int_or_name(expr: str, names: dict | None) -> tuple[int, str | None]:
    if names and expr.lower() in names:
        return names[expr.lower()], None
    return _must_parse_int(expr)


def _must_parse_int(expr: str) -> tuple[int, str | None]:
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        return 0, f"failed to parse int from {expr}: strconv.Atoi: parsing " \
                  f"{json.dumps(expr, ensure_ascii=False)}: invalid syntax"
    number = int(expr)
    if not -2**63 <= number < 2**63:
        return 0, f"failed to parse int from {expr}: strconv.Atoi: parsing " \
                  f"{json.dumps(expr, ensure_ascii=False)}: value out of range"
    if number < 0:
        return 0, f"negative number ({number}) not allowed: {expr}"
    return number, None


_DURATION_UNITS = ("ns", "us", "µs", "μs", "ms", "s", "m", "h")


def go_duration_error(text: str) -> str | None:
    """The error Go's time.ParseDuration returns for `text`, or None."""
    quoted = json.dumps(text)
    rest = text.lstrip("+-") if text[:1] in "+-" else text
    if rest == "0":
        return None
    if not rest:
        return f"time: invalid duration {quoted}"
    while rest:
        match = re.match(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)", rest)
        assert match is not None  # every part of the pattern may be empty: it matches any text
        number, unit = match.group(1), match.group(2)
        if number in ("", "."):
            return f"time: invalid duration {quoted}"
        if not unit:
            return f"time: missing unit in duration {quoted}"
        if unit not in _DURATION_UNITS:
            return f"time: unknown unit {json.dumps(unit)} in duration {quoted}"
        rest = rest[match.end():]
    return None


VALIDATORS: dict[str, meta.Validator] = {"Job": validate_job, "CronJob": validate_cron_job}
