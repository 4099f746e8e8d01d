"""Rows for configuration kinds: ConfigMap, Secret and ServiceAccount.

Each shows a count rather than content (DATA is the number of keys, SECRETS the
number of referenced secrets), so nothing sensitive reaches a table. The counts
are JSON integers although printers.go declares these columns as strings: the
cells are `int64`s, and the wire carries what the cells are.
"""

from __future__ import annotations

from datetime import datetime

from simcore.printers.common import Printer, age_column, column, meta, name_column
from simcore.printers.duration import age

_CONFIG_MAP_COLUMNS = (
    name_column(),
    column("Data", "Data contains the configuration data. Each key must consist of "
                   "alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte "
                   "sequences must use the BinaryData field. The keys stored in Data must not "
                   "overlap with the keys in the BinaryData field, this is enforced during "
                   "validation process."),
    age_column(),
)


def config_map_cells(obj: dict, now: datetime) -> list:
    keys = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [meta(obj).get("name", ""), keys, age(meta(obj).get("creationTimestamp"), now)]


_SECRET_COLUMNS = (
    name_column(),
    column("Type", "Used to facilitate programmatic handling of secret data. More info: "
                   "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    column("Data", "Data contains the secret data. Each key must consist of alphanumeric "
                   "characters, '-', '_' or '.'. The serialized form of the secret data is a "
                   "base64 encoded string, representing the arbitrary (possibly non-string) "
                   "data value here. Described in https://tools.ietf.org/html/rfc4648"
                   "#section-4"),
    age_column(),
)


def secret_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), obj.get("type", ""), len(obj.get("data") or {}),
            age(meta(obj).get("creationTimestamp"), now)]


_SERVICE_ACCOUNT_COLUMNS = (
    name_column(),
    column("Secrets", 'Secrets is a list of the secrets in the same namespace that pods running '
                      'using this ServiceAccount are allowed to use. Pods are only limited to '
                      'this list if this service account has a "kubernetes.io/enforce-'
                      'mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-'
                      'mountable-secrets" annotation is deprecated since v1.32. Prefer separate '
                      'namespaces to isolate access to mounted secrets. This field should not '
                      'be used to find auto-generated service account token secrets for use '
                      'outside of pods. Instead, tokens can be requested directly using the '
                      'TokenRequest API, or service account token secrets can be manually '
                      'created. More info: https://kubernetes.io/docs/concepts/configuration/'
                      'secret'),
    age_column(),
)


def service_account_cells(obj: dict, now: datetime) -> list:
    return [meta(obj).get("name", ""), len(obj.get("secrets") or []),
            age(meta(obj).get("creationTimestamp"), now)]


PRINTERS = {
    "ConfigMap": Printer(_CONFIG_MAP_COLUMNS, config_map_cells),
    "Secret": Printer(_SECRET_COLUMNS, secret_cells),
    "ServiceAccount": Printer(_SERVICE_ACCOUNT_COLUMNS, service_account_cells),
}
