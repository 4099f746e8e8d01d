"""Pod spec validation, shared by Pods and every pod template.

This is `ValidatePodSpec` and its helpers from
`pkg/apis/core/validation/validation.go`: containers, init containers,
ports, env, volume mounts, probes, volumes, DNS, tolerations and the
scalar fields. It lives apart from core.py only because a Deployment, a
Job and a Pod all reach it; the messages are the core group's.

Trade-off: the volume-source and security-context checks cover the sources
and fields a lecture uses (emptyDir, hostPath, configMap, secret, PVC, NFS,
downwardAPI, projected); exotic cloud volume sources are counted (for the
"more than 1 volume type" rule) but not checked field by field. Resource
quantities are not parsed here: a malformed quantity fails at decode time
in a real server, which is not validation's job.
"""

from __future__ import annotations

import re
from typing import Any

from simcore.errors import FieldError, duplicate, forbidden, invalid, not_supported, required
from simcore.validation import meta

_VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
)
_HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                    "FileOrCreate", "Socket"]
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
_ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                    "status.podIP", "status.podIPs"]
_FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
_MAX_INT32 = 2**31 - 1


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def validate_pod_spec(spec: Any, path: str, is_pod: bool) -> list[FieldError]:
    """ValidatePodSpec; `is_pod` adds the checks a real Pod gets and a template does not."""
    spec = _dict(spec)
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    grace = spec.get("terminationGracePeriodSeconds")
    volumes, vol_errs = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += vol_errs
    errs += _validate_containers(spec, volumes, grace, f"{path}.containers")
    errs += _validate_init_containers(spec, volumes, grace, f"{path}.initContainers")
    errs += _validate_host_network(spec, path, is_pod)
    errs += _enum(spec.get("restartPolicy", ""), _RESTART_POLICIES, f"{path}.restartPolicy")
    errs += _enum(spec.get("dnsPolicy", ""), _DNS_POLICIES, f"{path}.dnsPolicy")
    errs += meta.validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    errs += _validate_image_pull_secrets(spec.get("imagePullSecrets"), f"{path}.imagePullSecrets")
    errs += _validate_dns_config(spec, f"{path}.dnsConfig")
    errs += _validate_scalars(spec, path)
    return errs


def _enum(value: Any, allowed: list[str], path: str) -> list[FieldError]:
    if value in ("", None):
        return [required(path)]
    if value not in allowed:
        return [not_supported(path, value, allowed)]
    return []


# Volumes.

def _validate_volumes(volumes: Any, path: str) -> tuple[set[str], list[FieldError]]:
    names: set[str] = set()
    errs: list[FieldError] = []
    for i, vol in enumerate(_list(volumes)):
        vol, idx = _dict(vol), f"{path}[{i}]"
        el = _validate_volume_source(vol, idx)
        name = vol.get("name") or ""
        if not name:
            el.append(required(f"{idx}.name"))
        else:
            el += [invalid(f"{idx}.name", name, m) for m in meta.is_dns1123_label(name)]
        if meta.text(name) in names:
            el.append(duplicate(f"{idx}.name", name))
        if not el:
            names.add(name)
        errs += el
    return names, errs


def _validate_volume_source(vol: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen = 0
    for source in _VOLUME_SOURCES:
        if vol.get(source) is None:
            continue
        if seen:
            errs.append(forbidden(f"{path}.{source}", "may not specify more than 1 volume type"))
            continue
        seen += 1
        errs += _SOURCE_CHECKS.get(source, _no_check)(_dict(vol[source]), f"{path}.{source}")
    if not seen:
        errs.append(required(path, "must specify a volume type"))
    return errs


def _no_check(source: dict, path: str) -> list[FieldError]:
    return []


def _check_host_path(source: dict, path: str) -> list[FieldError]:
    if not source.get("path"):
        return [required(f"{path}.path")]
    errs = _no_backsteps(meta.text(source["path"]), f"{path}.path")
    kind = source.get("type")
    if kind is not None and kind not in _HOST_PATH_TYPES:
        errs.append(not_supported(f"{path}.type", kind, _HOST_PATH_TYPES))
    return errs


def _check_secret(source: dict, path: str) -> list[FieldError]:
    errs = [] if source.get("secretName") else [required(f"{path}.secretName")]
    return errs + _check_mode(source.get("defaultMode"), f"{path}.defaultMode") \
        + _check_items(source.get("items"), f"{path}.items")


def _check_config_map(source: dict, path: str) -> list[FieldError]:
    errs = [] if source.get("name") else [required(f"{path}.name")]
    return errs + _check_mode(source.get("defaultMode"), f"{path}.defaultMode") \
        + _check_items(source.get("items"), f"{path}.items")


def _check_pvc(source: dict, path: str) -> list[FieldError]:
    return [] if source.get("claimName") else [required(f"{path}.claimName")]


def _check_nfs(source: dict, path: str) -> list[FieldError]:
    errs = [] if source.get("server") else [required(f"{path}.server")]
    nfs_path = meta.text(source.get("path"))
    if not nfs_path:
        errs.append(required(f"{path}.path"))
    if not nfs_path.startswith("/"):
        errs.append(invalid(f"{path}.path", nfs_path, "must be an absolute path"))
    return errs


def _check_downward_api(source: dict, path: str) -> list[FieldError]:
    errs = _check_mode(source.get("defaultMode"), f"{path}.defaultMode")
    for item in _list(source.get("items")):
        item = _dict(item)
        if not item.get("path"):
            errs.append(required(f"{path}.path"))
        errs += _local_non_reserved_path(meta.text(item.get("path")), f"{path}.path")
        errs += _check_mode(item.get("mode"), f"{path}.mode")
    return errs


def _check_projected(source: dict, path: str) -> list[FieldError]:
    return _check_mode(source.get("defaultMode"), f"{path}.defaultMode")


_SOURCE_CHECKS = {
    "hostPath": _check_host_path, "secret": _check_secret, "configMap": _check_config_map,
    "persistentVolumeClaim": _check_pvc, "nfs": _check_nfs, "downwardAPI": _check_downward_api,
    "projected": _check_projected,
}


def _check_mode(mode: Any, path: str) -> list[FieldError]:
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        return [invalid(path, mode, _FILE_MODE)]
    return []


def _check_items(items: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, item in enumerate(_list(items)):
        item, idx = _dict(item), f"{path}[{i}]"
        if not item.get("key"):
            errs.append(required(f"{idx}.key"))
        if not item.get("path"):
            errs.append(required(f"{idx}.path"))
        errs += _local_non_reserved_path(meta.text(item.get("path")), f"{idx}.path")
        errs += _check_mode(item.get("mode"), f"{idx}.mode")
    return errs


def _no_backsteps(target: str, path: str) -> list[FieldError]:
    if ".." in target.replace("\\", "/").split("/"):
        return [invalid(path, target, "must not contain '..'")]
    return []


def _local_descending_path(target: str, path: str) -> list[FieldError]:
    errs = [invalid(path, target, "must be a relative path")] if target.startswith("/") else []
    return errs + _no_backsteps(target, path)


def _local_non_reserved_path(target: str, path: str) -> list[FieldError]:
    errs = _local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errs.append(invalid(path, target, "must not start with '..'"))
    return errs


# Containers.

def _validate_containers(spec: dict, volumes: set[str], grace: Any,
                         path: str) -> list[FieldError]:
    containers = _list(spec.get("containers"))
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        ctr, idx = _dict(ctr), f"{path}[{i}]"
        errs += _validate_container_common(ctr, volumes, idx)
        name = meta.text(ctr.get("name"))
        if name in names:
            errs.append(duplicate(f"{idx}.name", name))
        names.add(name)
        errs += _validate_lifecycle_and_probes(ctr, grace, idx)
        if ctr.get("restartPolicy") is not None:
            errs.append(forbidden(f"{idx}.restartPolicy", "may not be set for non-init containers"))
    return errs + _host_port_conflicts(containers, path)


def _validate_init_containers(spec: dict, volumes: set[str], grace: Any,
                              path: str) -> list[FieldError]:
    names = {meta.text(_dict(c).get("name")) for c in _list(spec.get("containers"))}
    errs: list[FieldError] = []
    for i, ctr in enumerate(_list(spec.get("initContainers"))):
        ctr, idx = _dict(ctr), f"{path}[{i}]"
        errs += _validate_container_common(ctr, volumes, idx)
        policy = ctr.get("restartPolicy")
        if policy is not None and policy != "Always":
            errs.append(not_supported(f"{idx}.restartPolicy", policy, ["Always"]))
        name = meta.text(ctr.get("name"))
        if name in names:
            errs.append(duplicate(f"{idx}.name", name))
        elif name:
            names.add(name)
        errs += _host_port_conflicts([ctr], path)
        if policy == "Always":
            errs += _validate_lifecycle_and_probes(ctr, grace, idx)
        else:
            errs += _forbid_init_only_fields(ctr, idx)
    return errs


def _forbid_init_only_fields(ctr: dict, path: str) -> list[FieldError]:
    detail = "may not be set for init containers without restartPolicy=Always"
    return [forbidden(f"{path}.{f}", detail)
            for f in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")
            if ctr.get(f) is not None]


def _validate_container_common(ctr: dict, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = ctr.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs += [invalid(f"{path}.name", name, m) for m in meta.is_dns1123_label(name)]
    if not ctr.get("image"):
        errs.append(required(f"{path}.image"))
    errs += _enum(ctr.get("terminationMessagePolicy", ""), ["File", "FallbackToLogsOnError"],
                  f"{path}.terminationMessagePolicy")
    errs += _validate_container_ports(ctr.get("ports"), f"{path}.ports")
    errs += _validate_env(ctr.get("env"), f"{path}.env")
    errs += _validate_env_from(ctr.get("envFrom"), f"{path}.envFrom")
    errs += _validate_volume_mounts(ctr.get("volumeMounts"), volumes, f"{path}.volumeMounts")
    errs += _enum(ctr.get("imagePullPolicy", ""), _PULL_POLICIES, f"{path}.imagePullPolicy")
    errs += _validate_security_context(ctr.get("securityContext"), f"{path}.securityContext")
    return errs


def _validate_container_ports(ports: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(_list(ports)):
        port, idx = _dict(port), f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = meta.is_valid_port_name(name)
            if msgs:
                errs += [invalid(f"{idx}.name", name, m) for m in msgs]
            elif meta.text(name) in names:
                errs.append(duplicate(f"{idx}.name", name))
            names.add(meta.text(name))
        number = port.get("containerPort") or 0
        if number == 0:
            errs.append(required(f"{idx}.containerPort"))
        else:
            errs += [invalid(f"{idx}.containerPort", number, m)
                     for m in meta.is_valid_port_num(number)]
        host_port = port.get("hostPort") or 0
        if host_port:
            errs += [invalid(f"{idx}.hostPort", host_port, m)
                     for m in meta.is_valid_port_num(host_port)]
        errs += _protocol(port.get("protocol"), f"{idx}.protocol")
    return errs


def _protocol(value: Any, path: str) -> list[FieldError]:
    if not value:
        return [required(path)]
    if value not in _PROTOCOLS:
        return [not_supported(path, value, _PROTOCOLS)]
    return []


def _relaxed_env_name(value: str) -> list[str]:
    # RelaxedEnvironmentVariableValidation is on in current releases.
    if any(ord(c) > 126 or ord(c) < 32 or c == "=" for c in value):
        return ["a valid environment variable name must consist only of printable ASCII "
                "characters other than '='"]
    return []


def _validate_env(env: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, var in enumerate(_list(env)):
        var, idx = _dict(var), f"{path}[{i}]"
        name = var.get("name") or ""
        if not name:
            errs.append(required(f"{idx}.name"))
        else:
            errs += [invalid(f"{idx}.name", name, m) for m in _relaxed_env_name(meta.text(name))]
        errs += _validate_value_from(var, f"{idx}.valueFrom")
    return errs


def _validate_value_from(var: dict, path: str) -> list[FieldError]:
    source = var.get("valueFrom")
    if source is None:
        return []
    source = _dict(source)
    kinds = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
             if source.get(k) is not None]
    errs: list[FieldError] = []
    for kind in kinds:
        errs += _VALUE_FROM_CHECKS[kind](_dict(source[kind]), f"{path}.{kind}")
    if not kinds:
        errs.append(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                      "`configMapKeyRef` or `secretKeyRef`"))
    elif var.get("value"):
        errs.append(invalid(path, "", "may not be specified when `value` is not empty"))
    elif len(kinds) > 1:
        errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


def _check_field_ref(ref: dict, path: str) -> list[FieldError]:
    if not ref.get("apiVersion"):
        return [required(f"{path}.apiVersion")]
    field_path = meta.text(ref.get("fieldPath"))
    if not field_path:
        return [required(f"{path}.fieldPath")]
    match = re.fullmatch(r"(metadata\.(?:labels|annotations))\['(.*)'\]", field_path)
    if match:
        key = match.group(2)
        key = key.lower() if match.group(1).endswith("annotations") else key
        return [invalid(path, key, m) for m in meta.is_qualified_name(key)]
    if field_path not in _ENV_FIELD_PATHS:
        return [not_supported(f"{path}.fieldPath", field_path, _ENV_FIELD_PATHS)]
    return []


def _check_key_ref(ref: dict, path: str) -> list[FieldError]:
    name = ref.get("name") or ""
    errs = [invalid(f"{path}.name", name, m) for m in meta.name_is_dns_subdomain(name, False)]
    key = ref.get("key") or ""
    if not key:
        errs.append(required(f"{path}.key"))
    else:
        errs += [invalid(f"{path}.key", key, m) for m in meta.is_config_map_key(key)]
    return errs


def _check_resource_field_ref(ref: dict, path: str) -> list[FieldError]:
    return [] if ref.get("resource") else [required(f"{path}.resource")]


_VALUE_FROM_CHECKS = {"fieldRef": _check_field_ref, "configMapKeyRef": _check_key_ref,
                      "secretKeyRef": _check_key_ref,
                      "resourceFieldRef": _check_resource_field_ref}


def _validate_env_from(sources: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, source in enumerate(_list(sources)):
        source, idx = _dict(source), f"{path}[{i}]"
        prefix = source.get("prefix") or ""
        errs += [invalid(f"{idx}.prefix", prefix, m) for m in _relaxed_env_name(prefix)]
        refs = [k for k in ("configMapRef", "secretRef") if source.get(k) is not None]
        for ref in refs:
            name = _dict(source[ref]).get("name") or ""
            if not name:
                errs.append(required(f"{idx}.{ref}.name"))
            else:
                errs += [invalid(f"{idx}.{ref}.name", name, m)
                         for m in meta.name_is_dns_subdomain(name, True)]
        if not refs:
            errs.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


def _validate_volume_mounts(mounts: Any, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    mount_points: set[str] = set()
    for i, mnt in enumerate(_list(mounts)):
        mnt, idx = _dict(mnt), f"{path}[{i}]"
        name, mount_path = meta.text(mnt.get("name")), meta.text(mnt.get("mountPath"))
        if not name:
            errs.append(required(f"{idx}.name"))
        if name not in volumes:
            errs.append(FieldError("NotFound", f"{idx}.name", name))
        if not mount_path:
            errs.append(required(f"{idx}.mountPath"))
        if mount_path in mount_points:
            errs.append(invalid(f"{idx}.mountPath", mount_path, "must be unique"))
        mount_points.add(mount_path)
        # The real code reports sub-path problems on the list path, not the item.
        if mnt.get("subPath"):
            errs += _local_descending_path(meta.text(mnt["subPath"]), f"{path}.subPath")
    return errs


def _validate_security_context(ctx: Any, path: str) -> list[FieldError]:
    ctx = _dict(ctx)
    errs: list[FieldError] = []
    for field_name in ("runAsUser", "runAsGroup"):
        value = ctx.get(field_name)
        if isinstance(value, int) and not 0 <= value <= 0xFFFFFFFF:
            errs.append(invalid(f"{path}.{field_name}", value,
                                meta.inclusive_range_error(0, 0xFFFFFFFF)))
    return errs


def _host_port_conflicts(containers: list, path: str) -> list[FieldError]:
    seen: set[str] = set()
    errs: list[FieldError] = []
    for ci, ctr in enumerate(containers):
        for pi, port in enumerate(_list(_dict(ctr).get("ports"))):
            port = _dict(port)
            host_port = port.get("hostPort") or 0
            if not host_port:
                continue
            key = f"{port.get('protocol', '')}/{port.get('hostIP', '')}/{host_port}"
            if key in seen:
                errs.append(duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            seen.add(key)
    return errs


# Probes and lifecycle handlers.

def _validate_lifecycle_and_probes(ctr: dict, grace: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    lifecycle = ctr.get("lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            if _dict(lifecycle).get(hook) is not None:
                errs += _validate_handler(_dict(lifecycle[hook]), grace, f"{path}.lifecycle.{hook}")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if ctr.get(probe) is not None:
            errs += _validate_probe(_dict(ctr[probe]), grace, f"{path}.{probe}", probe)
    return errs


def _validate_probe(probe: dict, grace: Any, path: str, which: str) -> list[FieldError]:
    handler = {k: probe.get(k) for k in ("exec", "httpGet", "tcpSocket", "grpc")}
    errs = _validate_handler(handler, grace, path)
    for field_name in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                       "successThreshold", "failureThreshold"):
        errs += meta.nonnegative(probe.get(field_name), f"{path}.{field_name}")
    tgps = probe.get("terminationGracePeriodSeconds")
    if isinstance(tgps, int) and tgps <= 0:
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", tgps,
                            "must be greater than 0"))
    if which != "readinessProbe" and probe.get("successThreshold", 1) != 1:
        errs.append(invalid(f"{path}.successThreshold", probe["successThreshold"], "must be 1"))
    if which == "readinessProbe" and tgps is not None:
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", tgps,
                            "must not be set for readinessProbes"))
    return errs


def _validate_handler(handler: dict, grace: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    count = 0
    for kind in ("exec", "httpGet", "tcpSocket", "grpc", "sleep"):
        if handler.get(kind) is None:
            continue
        if count:
            errs.append(forbidden(f"{path}.{kind}", "may not specify more than 1 handler type"))
            continue
        count += 1
        errs += _HANDLER_CHECKS[kind](_dict(handler[kind]), grace, f"{path}.{kind}")
    if not count:
        errs.append(required(path, "must specify a handler type"))
    return errs


def _check_exec(action: dict, grace: Any, path: str) -> list[FieldError]:
    return [] if action.get("command") else [required(f"{path}.command")]


def _check_http_get(action: dict, grace: Any, path: str) -> list[FieldError]:
    errs = [] if action.get("path") else [required(f"{path}.path")]
    errs += port_num_or_name(action.get("port"), f"{path}.port")
    scheme = action.get("scheme", "")
    if scheme not in ("HTTP", "HTTPS"):
        errs.append(not_supported(f"{path}.scheme", scheme, ["HTTP", "HTTPS"]))
    for header in _list(action.get("httpHeaders")):
        name = _dict(header).get("name", "")
        errs += [invalid(f"{path}.httpHeaders", name, m) for m in meta.is_http_header_name(name)]
    return errs


def _check_tcp_socket(action: dict, grace: Any, path: str) -> list[FieldError]:
    return port_num_or_name(action.get("port"), f"{path}.port")


def _check_grpc(action: dict, grace: Any, path: str) -> list[FieldError]:
    return port_num_or_name(action.get("port") or 0, f"{path}.port")


def _check_sleep(action: dict, grace: Any, path: str) -> list[FieldError]:
    seconds = action.get("seconds", 0)
    if isinstance(grace, int) and (seconds < 0 or seconds > grace):
        return [invalid(path, seconds, "must be non-negative and less than "
                                       f"terminationGracePeriodSeconds ({grace})")]
    return []


_HANDLER_CHECKS = {"exec": _check_exec, "httpGet": _check_http_get,
                   "tcpSocket": _check_tcp_socket, "grpc": _check_grpc, "sleep": _check_sleep}


def port_num_or_name(port: Any, path: str) -> list[FieldError]:
    """ValidatePortNumOrName for an IntOrString port."""
    if isinstance(port, str):
        return [invalid(path, port, m) for m in meta.is_valid_port_name(port)]
    port = port if isinstance(port, int) else 0
    return [invalid(path, port, m) for m in meta.is_valid_port_num(port)]


# Pod-level fields.

def _validate_host_network(spec: dict, path: str, is_pod: bool) -> list[FieldError]:
    if not spec.get("hostNetwork"):
        return []
    errs: list[FieldError] = []
    for ci, ctr in enumerate(_list(spec.get("containers"))):
        for pi, port in enumerate(_list(_dict(ctr).get("ports"))):
            port = _dict(port)
            host_port, ctr_port = port.get("hostPort") or 0, port.get("containerPort") or 0
            if (is_pod or host_port) and host_port != ctr_port:
                errs.append(invalid(f"{path}.containers[{ci}].ports[{pi}].hostPort", host_port,
                                    "must match `containerPort` when `hostNetwork` is true"))
    return errs


def _validate_image_pull_secrets(secrets: Any, path: str) -> list[FieldError]:
    return [invalid(f"{path}[{i}]", ref, "only name may be set")
            for i, ref in enumerate(_list(secrets)) if set(_dict(ref)) - {"name"}]


def _validate_dns_config(spec: dict, path: str) -> list[FieldError]:
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if config is None:
            return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not _dict(config).get("nameservers"):
            return [required(f"{path}.nameservers", "must provide at least one DNS nameserver "
                                                    "when `dnsPolicy` is None")]
    if config is None:
        return []
    config = _dict(config)
    errs: list[FieldError] = []
    nameservers = _list(config.get("nameservers"))
    if len(nameservers) > 3:
        errs.append(invalid(f"{path}.nameservers", nameservers, "must not have more than 3 "
                                                               "nameservers"))
    for i, server in enumerate(nameservers):
        errs += meta.valid_ip(f"{path}.nameservers[{i}]", server)
    errs += _validate_searches(_list(config.get("searches")), f"{path}.searches")
    for i, option in enumerate(_list(config.get("options"))):
        if not _dict(option).get("name"):
            errs.append(required(f"{path}.options[{i}]", "must not be empty"))
    return errs


def _validate_searches(searches: list, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if len(searches) > 32:
        errs.append(invalid(path, searches, "must not have more than 32 search paths"))
    if len(" ".join(searches)) > 2048:
        errs.append(invalid(path, searches, "must not have more than 2048 characters "
                                            "(including spaces) in the search list"))
    for i, search in enumerate(searches):
        if search == ".":
            continue
        # RelaxedDNSSearchValidation (on by default) admits underscores.
        value = search.removesuffix(".")
        if not re.fullmatch(r"_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*",
                            value) or len(value) > 253:
            errs.append(invalid(f"{path}[{i}]", value, meta.regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '_', '-' or '.', and must start and end with an alphanumeric "
                "character", "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*"
                "[a-z0-9])?)*", "example.com")))
    return errs


def _validate_scalars(spec: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for field_name in ("serviceAccountName", "nodeName"):
        errs += _subdomain_field(spec, field_name, path)
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= _MAX_INT32:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", deadline,
                            meta.inclusive_range_error(1, _MAX_INT32)))
    for field_name in ("hostname", "subdomain"):
        value = spec.get(field_name) or ""
        if value:
            errs += [invalid(f"{path}.{field_name}", value, m) for m in meta.is_dns1123_label(value)]
    errs += validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    errs += _subdomain_field(spec, "priorityClassName", path)
    policy = spec.get("preemptionPolicy")
    if policy is not None:
        errs += _enum(policy, ["PreemptLowerPriority", "Never"], f"{path}.preemptionPolicy")
    return errs


def _subdomain_field(spec: dict, field_name: str, path: str) -> list[FieldError]:
    value = spec.get(field_name) or ""
    if not value:
        return []
    return [invalid(f"{path}.{field_name}", value, m)
            for m in meta.name_is_dns_subdomain(value, False)]


_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]


def validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, tol in enumerate(_list(tolerations)):
        tol, idx = _dict(tol), f"{path}[{i}]"
        key, op = tol.get("key") or "", tol.get("operator") or ""
        effect, value = tol.get("effect") or "", tol.get("value") or ""
        if key:
            errs += meta.validate_label_name(key, f"{idx}.key")
        if not key and op != "Exists":
            errs.append(invalid(f"{idx}.operator", op, "operator must be Exists when `key` is "
                                "empty, which means \"match all values and all keys\""))
        if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid(f"{idx}.effect", effect,
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        errs += _toleration_operator(op, value, f"{idx}.operator")
        if effect and effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{idx}.effect", effect, _TAINT_EFFECTS))
    return errs


def _toleration_operator(op: str, value: str, path: str) -> list[FieldError]:
    if op in ("Equal", ""):
        msgs = meta.is_label_value(value)
        return [invalid(path, value, ";".join(msgs))] if msgs else []
    if op == "Exists":
        if value:
            return [invalid(path, value, "value must be empty when `operator` is 'Exists'")]
        return []
    return [not_supported(path, op, ["Equal", "Exists"])]


def validate_pod_template_spec(template: Any, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec: template labels, annotations and pod spec."""
    template = _dict(template)
    tmeta = _dict(template.get("metadata"))
    errs = meta.validate_labels(tmeta.get("labels"), f"{path}.labels")
    errs += meta.validate_annotations(tmeta.get("annotations"), f"{path}.annotations")
    spec = _dict(template.get("spec"))
    errs += validate_pod_spec(spec, f"{path}.spec", is_pod=False)
    if spec.get("ephemeralContainers"):
        errs.append(forbidden(f"{path}.spec.ephemeralContainers",
                              "ephemeral containers not allowed in pod template"))
    return errs
