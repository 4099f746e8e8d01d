"""Object-metadata and syntax rules shared by every API group.

These are apimachinery's checks: the DNS-1123/1035 name formats, label and
annotation keys and values, label selectors, the "field is immutable" rule and
the metadata part of create and update validation. The messages are copied
from `k8s.io/apimachinery/pkg/util/validation`, `pkg/api/validate/content`,
`pkg/api/validation` and `pkg/apis/meta/v1/validation` because kubectl shows
them verbatim; the regular expressions are the Go ones, matched whole
(`re.fullmatch`, since Go's `$` never matches before a trailing newline).

Trade-off: apimachinery returns error *strings* from the `Is...` helpers and
lets each caller wrap them in `field.Invalid`; we keep that split so the group
modules read like their Go counterparts. Maps are walked in sorted key order
(Go's order is random) so the same object always yields the same message.
Lengths are counted in UTF-8 bytes, as Go's `len()` does.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, overload

from simcore.errors import FieldError, duplicate, forbidden, invalid, required, too_long

NameFn = Callable[[str, bool], list[str]]
# One kind's validator: (defaulted object, stored object or None on create) -> errors.
Validator = Callable[[dict[str, Any], dict[str, Any] | None], list[FieldError]]
# A wrapped check takes any decoded JSON value (and the check's own extra arguments).
Check = Callable[..., list[str]]

_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + "(\\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_WILDCARD_SUBDOMAIN = "\\*\\." + _DNS1123_SUBDOMAIN
_LABEL_KEY = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _LABEL_KEY + ")?"
_CONFIG_KEY = "[-._a-zA-Z0-9]+"
_PERCENT = "[0-9]+%"
_HTTP_HEADER = "[-A-Za-z0-9]+"
_HTTP_PATH = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"

FIELD_IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"
TOTAL_ANNOTATION_SIZE = 256 * 1024


@overload
def textual(check: Check, *, valid: Callable[..., bool] | None = None) -> Check: ...
@overload
def textual(check: None = None, *,
            valid: Callable[..., bool] | None = None) -> Callable[[Check], Check]: ...
def textual(check: Check | None = None, *,
            valid: Callable[..., bool] | None = None) -> Check | Callable[[Check], Check]:
    """Let a string check take any decoded JSON value without crashing.

    A real server never validates a number where a string belongs (decoding
    fails first); the simulator may, so such values are checked as their text.
    `valid(value, *args)`, when given, is a cheap test that is true only when the
    check would find nothing wrong.
    """
    if check is None:
        return functools.partial(textual, valid=valid)
    # The same names and labels are checked over and over (every event, every pod of a
    # ReplicaSet): remember the verdicts, which depend on the text alone.
    remembered = functools.lru_cache(maxsize=8192)(lambda v, *a: tuple(check(v, *a)))

    def wrapper(value: Any, *args: Any) -> list[str]:
        value = value if isinstance(value, str) else text(value)
        # Every event and every pod has a name of its own, so the cache cannot help
        # there (and such names would push out the ones it can): a well-formed name
        # passes one regex match instead.
        if valid is not None and valid(value, *args):
            return []
        try:
            return list(remembered(value, *args))
        except TypeError:  # an argument that cannot be a cache key
            return check(value, *args)
    wrapper.__name__, wrapper.__doc__ = check.__name__, check.__doc__
    return wrapper


def text(value: Any) -> str:
    """A decoded JSON value as the string a check should see ("" for null)."""
    return "" if value is None else json.dumps(value) if isinstance(value, (dict, list)) \
        else str(value)


def _blen(value: str) -> int:
    return len(value.encode())


def _full(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern:
    # a handful of fixed patterns, matched for every name written: skip re's cache lookup
    return re.compile(pattern)


_LABEL_MATCH = _compiled(_DNS1123_LABEL).fullmatch
_SUBDOMAIN_MATCH = _compiled(_DNS1123_SUBDOMAIN).fullmatch


# A name the regex accepts is ASCII, so its length in characters is its length in bytes.
def _good_label(value: str, prefix: bool = False) -> bool:
    return not prefix and len(value) <= 63 and _LABEL_MATCH(value) is not None


def _good_subdomain(value: str, prefix: bool = False) -> bool:
    return not prefix and len(value) <= 253 and _SUBDOMAIN_MATCH(value) is not None


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery's RegexError: the message, examples, then the regex."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _content_max_len_error(length: int) -> str:
    # The newer `validate/content` package (label keys and values) says bytes.
    return f"must be no more than {length} bytes"


def inclusive_range_error(lo: int, hi: int) -> str:
    return f"must be between {lo} and {hi}, inclusive"


@textual(valid=_good_label)
def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if _blen(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_DNS1123_LABEL, value):
        if _full(_DNS1123_SUBDOMAIN, value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                "or '-', and must start and end with an alphanumeric character",
                _DNS1123_LABEL, "my-name", "123-abc"))
    return errs


@textual(valid=_good_subdomain)
def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if _blen(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_DNS1123_SUBDOMAIN, value):
        errs.append(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character",
            _DNS1123_SUBDOMAIN, "example.com"))
    return errs


@textual
def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if _blen(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_DNS1035_LABEL, value):
        errs.append(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
            "with an alphabetic character, and end with an alphanumeric character",
            _DNS1035_LABEL, "my-name", "abc-123"))
    return errs


@textual
def is_wildcard_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if _blen(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_WILDCARD_SUBDOMAIN, value):
        errs.append(regex_error(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
            "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' "
            "and end with an alphanumeric character", _WILDCARD_SUBDOMAIN, "*.example.com"))
    return errs


def _label_key_regex_error() -> str:
    return regex_error("must consist of alphanumeric characters, '-', '_' or '.', and must "
                       "start and end with an alphanumeric character",
                       _LABEL_KEY, "MyName", "my.name", "123-abc")


@textual
def is_qualified_name(value: str) -> list[str]:
    """A label key: optional DNS-subdomain prefix, '/', and a 63-byte name."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return ["a valid label key " + _label_key_regex_error() +
                " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif _blen(name) > 63:
        errs.append("name part " + _content_max_len_error(63))
    if not _full(_LABEL_KEY, name):
        errs.append("name part " + _label_key_regex_error())
    return errs


@textual
def is_label_value(value: str) -> list[str]:
    errs = []
    if _blen(value) > 63:
        errs.append(_content_max_len_error(63))
    if not _full(_LABEL_VALUE, value):
        errs.append(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character",
            _LABEL_VALUE, "MyValue", "my_value", "12345"))
    return errs


def is_valid_port_num(port: Any) -> list[str]:
    if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


@textual
def is_valid_port_name(port: str) -> list[str]:
    errs = []
    if _blen(port) > 15:
        errs.append(max_len_error(15))
    if not _full("[-a-z0-9]+", port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


@textual
def is_config_map_key(value: str) -> list[str]:
    errs = []
    if _blen(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_CONFIG_KEY, value):
        errs.append(regex_error("a valid config key must consist of alphanumeric characters, "
                                "'-', '_' or '.'", _CONFIG_KEY, "key.name", "KEY_NAME",
                                "key-name"))
    return errs + _chdir_prefix(value)


@textual
def is_valid_percent(value: str) -> list[str]:
    if _full(_PERCENT, value):
        return []
    return [regex_error("a valid percent string must be a numeric string followed by an "
                        "ending '%'", _PERCENT, "1%", "93%")]


@textual
def is_http_header_name(value: str) -> list[str]:
    if _full(_HTTP_HEADER, value):
        return []
    return [regex_error("a valid HTTP header must consist of alphanumeric characters or '-'",
                        _HTTP_HEADER, "X-Header-Name")]


def parse_ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """netutils.ParseIPSloppy: like net.ParseIP but tolerating leading zeros in IPv4."""
    if not isinstance(value, str) or not value or "%" in value:
        return None
    return _parse_ip_text(value)


# Every Endpoints and EndpointSlice write checks each pod IP again; addresses are
# immutable values, so the parse is remembered.
@functools.lru_cache(maxsize=8192)
def _parse_ip_text(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}", value):
        octets = [int(p) for p in value.split(".")]
        if all(o <= 255 for o in octets):
            return ipaddress.IPv4Address(".".join(map(str, octets)))
        return None
    try:
        ip6 = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    # Go treats IPv4-mapped IPv6 addresses as the IPv4 address they carry.
    return ip6.ipv4_mapped or ip6


def valid_ip(path: str, value: Any) -> list[FieldError]:
    if parse_ip(value) is None:
        return [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or "
                                     "2001:db8::ffff)")]
    return []


def valid_cidr(path: str, value: str) -> list[FieldError]:
    try:
        ipaddress.ip_network(value, strict=False)
        if "/" not in value:
            raise ValueError
    except ValueError:
        return [invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
                                     "2001:db8::/64)")]
    return []


def is_domain_prefixed_path(path: str, value: Any) -> list[FieldError]:
    value = value if isinstance(value, str) else text(value)
    if not value:
        return [required(path)]
    segments = value.split("/", 1)
    if len(segments) != 2 or not segments[0] or not segments[1]:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    host, rest = segments
    errs = [invalid(path, host, m) for m in is_dns1123_subdomain(host)]
    if not _full(_HTTP_PATH, rest):
        errs.append(invalid(path, rest, regex_error("Invalid path", _HTTP_PATH)))
    return errs


@textual
def is_valid_path_segment_name(name: str) -> list[str]:
    """apimachinery's path.IsValidPathSegmentName (RBAC and similar names)."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


# Name functions: (name, prefix) -> messages. A generateName prefix may end in '-'.

def _mask_trailing_dash(name: str) -> str:
    # apimachinery replaces the last two characters with "a" (sic) before checking.
    return name[:-2] + "a" if name.endswith("-") else name


@textual(valid=_good_subdomain)
def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


@textual(valid=_good_label)
def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


@textual
def name_is_dns1035_label(name: str, prefix: bool) -> list[str]:
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


@textual
def name_is_path_segment(name: str, prefix: bool) -> list[str]:
    return is_valid_path_segment_name(name)


# Field-level helpers.

def sorted_items(mapping: Any) -> Iterable[tuple[str, Any]]:
    return sorted(mapping.items()) if isinstance(mapping, dict) else ()


def nonnegative(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, IS_NEGATIVE)]
    return []


def immutable(new: Any, old: Any, path: str) -> list[FieldError]:
    return [] if new == old else [invalid(path, new, FIELD_IMMUTABLE)]


def validate_label_name(key: str, path: str) -> list[FieldError]:
    return [invalid(path, key, m) for m in is_qualified_name(key)]


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for key, value in sorted_items(labels):
        errs += validate_label_name(key, path)
        errs += [invalid(path, value, m) for m in is_label_value(str(value))]
    return errs


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    total = 0
    for key, value in sorted_items(annotations):
        # Annotation keys are label keys, compared case-insensitively.
        errs += [invalid(path, key, m) for m in is_qualified_name(key.lower())]
        total += _blen(key) + _blen(str(value))
    if total > TOTAL_ANNOTATION_SIZE:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE))
    return errs


def validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for name in finalizers or ():
        errs += [invalid(path, name, m) for m in is_qualified_name(name)]
    orphan, foreground = "orphan", "foregroundDeletion"
    if finalizers and orphan in finalizers and foreground in finalizers:
        errs.append(invalid(path, finalizers, f"finalizer {orphan} and {foreground} cannot be "
                                              "both set"))
    return errs


def validate_object_meta(meta: Any, namespaced: bool, name_fn: NameFn,
                         path: str = "metadata") -> list[FieldError]:
    """ValidateObjectMeta: generateName, name, namespace, labels, annotations, finalizers."""
    meta = meta if isinstance(meta, dict) else {}
    errs: list[FieldError] = []
    generate = meta.get("generateName") or ""
    if generate:
        errs += [invalid(f"{path}.generateName", generate, m) for m in name_fn(generate, True)]
    name = meta.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errs += [invalid(f"{path}.name", name, m) for m in name_fn(name, False)]
    errs += _validate_namespace_field(meta.get("namespace") or "", namespaced, path)
    generation = meta.get("generation")
    if generation:
        errs += nonnegative(generation, f"{path}.generation")
    # Each of these finds nothing in an absent or empty field; most objects (every
    # Event) have none, so skip building their paths.
    if meta.get("labels"):
        errs += validate_labels(meta["labels"], f"{path}.labels")
    if meta.get("annotations"):
        errs += validate_annotations(meta["annotations"], f"{path}.annotations")
    if meta.get("finalizers"):
        errs += validate_finalizers(meta["finalizers"], f"{path}.finalizers")
    return errs


def _validate_namespace_field(namespace: str, namespaced: bool, path: str) -> list[FieldError]:
    if namespaced:
        if not namespace:
            return [required(f"{path}.namespace")]
        return [invalid(f"{path}.namespace", namespace, m)
                for m in name_is_dns_label(namespace, False)]
    if namespace:
        return [forbidden(f"{path}.namespace", "not allowed on this type")]
    return []


def validate_object_meta_update(new: Any, old: Any, path: str = "metadata") -> list[FieldError]:
    """ValidateObjectMetaUpdate, less the fields the API server itself carries over.

    A real server copies uid, creationTimestamp and resourceVersion from the stored
    object in BeforeUpdate before validating, so only what a user can get wrong is
    checked here.
    """
    new = new if isinstance(new, dict) else {}
    old = old if isinstance(old, dict) else {}
    errs: list[FieldError] = []
    if (new.get("generation") or 0) < (old.get("generation") or 0):
        errs.append(invalid(f"{path}.generation", new.get("generation") or 0,
                            "must not be decremented"))
    errs += immutable(new.get("name", ""), old.get("name", ""), f"{path}.name")
    errs += immutable(new.get("namespace", ""), old.get("namespace", ""), f"{path}.namespace")
    errs += validate_labels(new.get("labels"), f"{path}.labels")
    errs += validate_annotations(new.get("annotations"), f"{path}.annotations")
    errs += validate_finalizers(new.get("finalizers"), f"{path}.finalizers")
    if old.get("deletionTimestamp"):
        errs += _no_new_finalizers(new.get("finalizers"), old.get("finalizers"),
                                   f"{path}.finalizers")
    return errs


def _no_new_finalizers(new: Any, old: Any, path: str) -> list[FieldError]:
    """ValidateNoNewFinalizers: an object being deleted takes no new finalizer."""
    extra = sorted(set(new or ()) - set(old or ()))
    if not extra:
        return []
    listed = ", ".join(f'"{name}"' for name in extra)  # Go's %#v of a []string
    return [forbidden(path, "no new finalizers can be added if the object is being deleted, "
                            f"found new finalizers []string{{{listed}}}")]


# Label selectors (metav1.LabelSelector as a dict).

SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: Any, path: str,
                            allow_invalid_values: bool = False) -> list[FieldError]:
    if not isinstance(selector, dict):
        return []
    errs = validate_labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(_expressions(selector)):
        errs += _validate_requirement(expr if isinstance(expr, dict) else {},
                                      f"{path}.matchExpressions[{i}]", allow_invalid_values)
    return errs


def _expressions(selector: dict) -> list:
    expressions = selector.get("matchExpressions")
    return expressions if isinstance(expressions, list) else []


def _validate_requirement(expr: dict, path: str, allow_invalid: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    op, values = expr.get("operator", ""), expr.get("values") or []
    values = values if isinstance(values, list) else [values]
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(f"{path}.values",
                                 "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(f"{path}.values", "may not be specified when `operator` is "
                                                    "'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(f"{path}.operator", op, "not a valid selector operator"))
    errs += validate_label_name(expr.get("key", ""), f"{path}.key")
    if not allow_invalid:
        for i, value in enumerate(values):
            errs += [invalid(f"{path}.values[{i}]", value, m) for m in is_label_value(str(value))]
    return errs


def selector_convertible(selector: Any) -> bool:
    """Whether metav1.LabelSelectorAsSelector would succeed (nil counts as convertible)."""
    if selector is None:
        return True
    return not validate_label_selector(selector, "")


def selector_is_empty(selector: Any) -> bool:
    """True for a selector with neither matchLabels nor matchExpressions."""
    return isinstance(selector, dict) and not selector.get("matchLabels") \
        and not selector.get("matchExpressions")


def selector_matches(selector: Any, labels: Any) -> bool:
    """LabelSelectorAsSelector(selector).Matches(labels); nil selects nothing."""
    if not isinstance(selector, dict):
        return False
    labels = labels if isinstance(labels, dict) else {}
    for key, value in sorted_items(selector.get("matchLabels")):
        if labels.get(key) != value:
            return False
    return all(_requirement_matches(e, labels) for e in _expressions(selector)
               if isinstance(e, dict))


def _requirement_matches(expr: dict, labels: dict) -> bool:
    key, op, values = text(expr.get("key")), expr.get("operator"), expr.get("values") or []
    values = values if isinstance(values, list) else []
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    return key not in labels


def map_selector_matches(selector: Any, labels: Any) -> bool:
    """labels.Set(selector).AsSelector().Matches(labels) for map selectors (RC, Service)."""
    labels = labels if isinstance(labels, dict) else {}
    return all(labels.get(k) == v for k, v in sorted_items(selector))


def duplicates(values: Iterable[Any], path_of: Callable[[int], str]) -> list[FieldError]:
    seen: set[str] = set()
    errs = []
    for i, value in enumerate(values):
        key = json.dumps(value, sort_keys=True)
        if key in seen:
            errs.append(duplicate(path_of(i), value))
        seen.add(key)
    return errs
