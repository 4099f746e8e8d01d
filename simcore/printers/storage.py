"""Rows for storage kinds: PersistentVolume, PersistentVolumeClaim and StorageClass.

Access modes print abbreviated in a fixed order (`RWO,ROX,RWX,RWOP`), the class
comes from the beta annotation when present (old objects) else from
`storageClassName`, and a PV or PVC being deleted reads `Terminating`. A claim
shows CAPACITY and ACCESS MODES only once bound to a volume, as the real table
does.

Quantities are shown as stored; the real server canonicalises them
(`1024Mi` prints `1Gi`), so the simulator should store canonical quantities.
"""

from __future__ import annotations

from datetime import datetime

from simcore.printers.common import Printer, age_column, column, meta, name_column, spec, status
from simcore.printers.duration import age

_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
_DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                              "storageclass.beta.kubernetes.io/is-default-class")
_MODE_ABBREVIATIONS = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                       ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
_PV_INFO = "More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes"

_PV_COLUMNS = (
    name_column(),
    column("Capacity", "capacity is the description of the persistent volume's resources and "
                       f"capacity. {_PV_INFO}#capacity"),
    column("Access Modes", "accessModes contains all ways the volume can be mounted. "
                           f"{_PV_INFO}#access-modes"),
    column("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a "
                             "persistent volume when released from its claim. Valid options "
                             "are Retain (default for manually created PersistentVolumes), "
                             "Delete (default for dynamically provisioned PersistentVolumes), "
                             "and Recycle (deprecated). Recycle must be supported by the volume "
                             "plugin underlying this PersistentVolume. "
                             f"{_PV_INFO}#reclaiming"),
    column("Status", "phase indicates if a volume is available, bound to a claim, or released "
                     f"by a claim. {_PV_INFO}#phase"),
    column("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and "
                    "PersistentVolumeClaim. Expected to be non-nil when bound. "
                    "claim.VolumeName is the authoritative bind between PV and PVC. "
                    f"{_PV_INFO}#binding"),
    column("StorageClass", "StorageClass of the pv"),
    column("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    column("Reason", "reason is a brief CamelCase string that describes any failure and is "
                     "meant for machine parsing and tidy display in the CLI."),
    age_column(),
    column("VolumeMode", "volumeMode defines if a volume is intended to be used with a "
                         "formatted filesystem or to remain in raw block state. Value of "
                         "Filesystem is implied when not included in spec.", priority=1),
)


def access_modes(modes: list | None) -> str:
    """GetAccessModesAsString: abbreviations in a fixed order, duplicates dropped."""
    modes = modes or []
    return ",".join(short for mode, short in _MODE_ABBREVIATIONS if mode in modes)


def _storage_class(obj: dict) -> str:
    annotations = meta(obj).get("annotations") or {}
    if _CLASS_ANNOTATION in annotations:
        return str(annotations[_CLASS_ANNOTATION])
    return str(spec(obj).get("storageClassName") or "")


def _phase(obj: dict) -> str:
    return "Terminating" if meta(obj).get("deletionTimestamp") else status(obj).get("phase", "")


def _unset(value: str | None) -> str:
    return value if value is not None else "<unset>"


def persistent_volume_cells(obj: dict, now: datetime) -> list:
    pv_spec = spec(obj)
    claim = pv_spec.get("claimRef")
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    return [meta(obj).get("name", ""), (pv_spec.get("capacity") or {}).get("storage", "0"),
            access_modes(pv_spec.get("accessModes")),
            pv_spec.get("persistentVolumeReclaimPolicy", ""), _phase(obj), claim_text,
            _storage_class(obj), _unset(pv_spec.get("volumeAttributesClassName")),
            status(obj).get("reason", ""), age(meta(obj).get("creationTimestamp"), now),
            _unset(pv_spec.get("volumeMode"))]


_PVC_COLUMNS = (
    name_column(),
    column("Status", "phase represents the current phase of PersistentVolumeClaim."),
    column("Volume", "volumeName is the binding reference to the PersistentVolume backing this "
                     "claim."),
    column("Capacity", "capacity represents the actual resources of the underlying volume."),
    column("Access Modes", "accessModes contains the actual access modes the volume backing the "
                           f"PVC has. {_PV_INFO}#access-modes-1"),
    column("StorageClass", "StorageClass of the pvc"),
    column("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    age_column(),
    column("VolumeMode", "volumeMode defines what type of volume is required by the claim. "
                         "Value of Filesystem is implied when not included in claim spec.",
           priority=1),
)


def persistent_volume_claim_cells(obj: dict, now: datetime) -> list:
    pvc_spec, pvc_status = spec(obj), status(obj)
    capacity = modes = ""
    if pvc_spec.get("volumeName"):
        capacity = (pvc_status.get("capacity") or {}).get("storage", "0")
        modes = access_modes(pvc_status.get("accessModes"))
    return [meta(obj).get("name", ""), _phase(obj), pvc_spec.get("volumeName", ""), capacity,
            modes, _storage_class(obj), _unset(pvc_spec.get("volumeAttributesClassName")),
            age(meta(obj).get("creationTimestamp"), now), _unset(pvc_spec.get("volumeMode"))]


_STORAGE_CLASS_COLUMNS = (
    name_column(),
    column("Provisioner", "provisioner indicates the type of the provisioner."),
    column("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically "
                            "provisioned PersistentVolumes of this storage class. Defaults to "
                            "Delete."),
    column("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should "
                                "be provisioned and bound.  When unset, VolumeBindingImmediate "
                                "is used. This field is only honored by servers that enable the "
                                "VolumeScheduling feature."),
    column("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow "
                                   "volume expand."),
    age_column(),
)


def _is_default_class(obj: dict) -> bool:
    annotations = meta(obj).get("annotations") or {}
    return any(annotations.get(a) == "true" for a in _DEFAULT_CLASS_ANNOTATIONS)


def storage_class_cells(obj: dict, now: datetime) -> list:
    name = meta(obj).get("name", "")
    if _is_default_class(obj):
        name += " (default)"
    return [name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate",
            bool(obj.get("allowVolumeExpansion", False)),
            age(meta(obj).get("creationTimestamp"), now)]


PRINTERS = {
    "PersistentVolume": Printer(_PV_COLUMNS, persistent_volume_cells),
    "PersistentVolumeClaim": Printer(_PVC_COLUMNS, persistent_volume_claim_cells),
    "StorageClass": Printer(_STORAGE_CLASS_COLUMNS, storage_class_cells),
}
