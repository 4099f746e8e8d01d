"""The simulated API server: the one door every change goes through.

kubectl over HTTP, the upload form, lesson steps, controllers and the kubelet
all call these methods, so defaulting, admission, validation, allocation and
resourceVersion checks happen in one place and a refused request changes
nothing. The order follows the real apiserver's: decode (typed by the kind's
schema, unknown fields pruned; simcore.decoding) ->
name generation -> namespace lifecycle -> defaults -> admission -> validation
-> allocation -> storage. Per-kind details live in `simcore.registry`.

Methods take a resource (a `ResourceType` or a name kubectl would accept) and
return copies, except the `*_ref` readers meant for controllers, which hand
out stored dicts that must not be mutated.
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from simcore import bounds, errors, quota, registry
from simcore.clock import Clock
from simcore.jsoncopy import clone
from simcore.objects import drop_owner
from simcore.resources import ResourceType, UnknownResource, lookup
from simcore.store import Event, Store
from simcore.validation import validate

FIELD_VALIDATION = ("Strict", "Warn", "Ignore")
# the Go type (as reflect prints it) apimachinery's SimpleMetaFactory reads apiVersion and
# kind into before decoding a body
_FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
              'Kind string "json:\\"kind,omitempty\\"" }')


@dataclass
class Request:
    """What a caller may add to a write: field validation, dry run, and where warnings go."""

    field_validation: str = "Strict"
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    # a controller's write of an object built from stored, decoded ones: not decoded again
    trusted: bool = False
    # who owns what this write sets (metadata.managedFields); None records nothing
    field_manager: str | None = None
    force: bool = False  # an apply takes over conflicting fields
    # the subresource the entry names when the write came through another one (`scale`)
    record_as: str | None = None


class DeleteOptions(TypedDict, total=False):
    """What `delete_collection` hands on to each `delete`."""

    propagation_policy: str | None
    grace_period_seconds: int | None
    preconditions: dict | None
    dry_run: bool


# What controllers send: their objects come from validated templates, and a warning
# would have nobody to read it (the apiserver's default for clients without the flag)
INTERNAL = Request(field_validation="Ignore", trusted=True)


def resolve(res: ResourceType | str) -> ResourceType:
    if isinstance(res, ResourceType):
        return res
    try:
        return lookup(res)
    except UnknownResource:
        raise errors.APIError(errors.status(
            404, "NotFound", "the server could not find the requested resource")) from None


class APIServer:
    def __init__(self, store: Store, clock: Clock, rng: random.Random, config: dict):
        self.store = store
        self.clock = clock
        self.rng = rng
        self.config = config
        self.allocators = registry.Allocators(config)
        self.allocators.rebuild(store)

    # reads -------------------------------------------------------------------
    def get_ref(self, res: ResourceType | str, name: str, namespace: str | None = None) -> dict:
        rt = resolve(res)
        obj = self.store.get(rt.group_resource, (namespace or "") if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt, name)
        return obj

    def get(self, res: ResourceType | str, name: str, namespace: str | None = None) -> dict:
        return _copy(self.get_ref(res, name, namespace))

    def try_get_ref(self, res: ResourceType | str, name: str,
                    namespace: str | None = None) -> dict | None:
        rt = resolve(res)
        return self.store.get(rt.group_resource, (namespace or "") if rt.namespaced else "", name)

    def list_ref(self, res: ResourceType | str, namespace: str | None = None,
                 label_selector: str | None = None,
                 field_selector: str | None = None) -> list[dict]:
        rt = resolve(res)
        items = self.store.list(rt.group_resource, namespace if rt.namespaced else None)
        return _select(rt, items, label_selector, field_selector)

    def list_page_ref(self, res: ResourceType | str, namespace: str | None = None,
                      label_selector: str | None = None, field_selector: str | None = None,
                      limit: int | None = None,
                      continue_token: str | None = None) -> tuple[list[dict], dict]:
        """A chunk of a list (simcore.listpages) and its list metadata: resourceVersion,
        and `continue`/`remainingItemCount` when more remain. Stored dicts: read only."""
        from simcore import listpages
        rt = resolve(res)
        return listpages.read_page(
            self.store, rt, namespace if rt.namespaced else None, limit, continue_token,
            lambda items: _select(rt, items, label_selector, field_selector),
            counted=not (label_selector or field_selector))

    def list(self, res: ResourceType | str, namespace: str | None = None,
             label_selector: str | None = None, field_selector: str | None = None,
             limit: int | None = None, continue_token: str | None = None) -> dict:
        """A `<Kind>List` dict, as the list endpoint returns it."""
        rt = resolve(res)
        items, meta = self.list_page_ref(rt, namespace, label_selector, field_selector, limit,
                                         continue_token)
        return {"kind": f"{rt.kind}List", "apiVersion": rt.api_version, "metadata": meta,
                "items": [clone(i) for i in items]}

    def events_since(self, rv: int) -> builtins.list[Event]:
        try:
            return self.store.events_since(rv)
        except LookupError:
            raise errors.gone(f"too old resource version: {rv} ({self.store.log_start + 1})") \
                from None

    def watch(self, res: ResourceType | str | None = None, since: int = 0,
              namespace: str | None = None, label_selector: str | None = None,
              field_selector: str | None = None) -> builtins.list[dict]:
        """Watch events after resourceVersion `since`: `{"type", "object"}` dicts."""
        rt = resolve(res) if res is not None else None
        match_labels = _label_predicate(label_selector)
        match_fields = _field_predicate(rt, field_selector) if rt else (lambda o: True)
        out = []
        for ev in self.events_since(since):
            if rt is not None and ev.resource != rt.group_resource:
                continue
            if namespace and ev.object["metadata"].get("namespace") != namespace:
                continue
            if not (match_labels(ev.object) and match_fields(ev.object)):
                continue
            out.append({"type": ev.type, "object": clone(ev.object),
                        "resource": ev.resource})
        return out

    # writes ------------------------------------------------------------------
    def create(self, res: ResourceType | str, obj: dict, namespace: str | None = None,
               request: Request | None = None, copy_result: bool = True,
               owned: bool = False) -> dict:
        """Create. Controllers pass `copy_result=False` to get the stored object itself back
        (read it, never change it) and `owned=True` when `obj` is theirs to give away."""
        rt, req = resolve(res), request or Request()
        _check_size(obj, req)
        obj = self._decode_body(rt, obj, req, owned)
        namespace = self._target_namespace(rt, obj, namespace)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self._generate_name(rt, meta["generateName"], namespace)
        if namespace is not None:  # namespaced: _target_namespace names one
            meta["namespace"] = namespace
            self._check_namespace_open(namespace)
        else:
            meta.pop("namespace", None)  # cluster-scoped: the server clears it
        strategy = registry.strategy(rt.kind)
        self._stamp_new(obj)
        strategy.prepare_create(self, obj)
        self._validate(rt, obj, None)
        undo = strategy.allocate(self, obj, None, req.dry_run)
        if self.store.get(rt.group_resource, namespace or "", meta["name"]) is not None:
            undo()
            raise errors.already_exists(rt, meta["name"])
        if self.config.get("quota"):
            try:
                quota.check(self.config, self.store.count("pods"), self.store.total(), rt,
                            meta["name"])
            except errors.APIError:
                undo()
                raise
        self._record(None, obj, None, req)
        if req.dry_run:
            undo()
            return obj
        stored = self.store.put(rt.group_resource, obj)
        strategy.after_create(self, stored)
        return clone(stored) if copy_result else stored

    def update(self, res: ResourceType | str, obj: dict, namespace: str | None = None,
               subresource: str | None = None, request: Request | None = None) -> dict:
        rt, req = resolve(res), request or Request()
        _check_size(obj, req)
        obj = self._decode_body(rt, obj, req)
        namespace = self._target_namespace(rt, obj, namespace)
        name = obj.get("metadata", {}).get("name")
        if not name:
            raise errors.invalid_object(rt, "", [errors.required("metadata.name",
                                                                 "name is required")])
        old = self.get_ref(rt, name, namespace)
        return self._replace(rt, old, obj, subresource, req)

    def patch(self, res: ResourceType | str, name: str,
              patch: dict | builtins.list | str | bytes,
              patch_type: str, namespace: str | None = None, subresource: str | None = None,
              request: Request | None = None) -> dict:
        from simcore.patch import APPLY_PATCH, apply_patch
        rt, req = resolve(res), request or Request()
        if patch_type == APPLY_PATCH:
            from simcore.serversideapply import server_side_apply
            return server_side_apply(self, rt, name, patch, namespace, subresource, req)
        old = self.get_ref(rt, name, namespace)
        new = apply_patch(old, patch, patch_type, rt.kind)
        _check_size(new, req)
        if not req.trusted:
            new = self._decode_body(rt, new, req, owned=True, patch=(patch_type, patch))
        if patch_type != "application/json-patch+json" and isinstance(patch, dict) and \
                "resourceVersion" not in (patch.get("metadata") or {}):
            new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
        return self._replace(rt, old, new, subresource, req)

    def mutate(self, res: ResourceType | str, name: str, namespace: str | None,
               change: Callable[[dict], None], subresource: str | None = None,
               top_level_status: bool = False) -> dict:
        """Controllers' read-modify-write: `change` edits a private copy of the current object.

        `top_level_status=True` promises that `change` only sets or replaces keys of
        `status` (never edits a nested value in place), so the status is copied one level
        deep: the kubelet rewrites every pod's status on each look and a deep copy of
        containerStatuses and conditions was most of that write's cost.

        Returns the stored object itself: read it, never change it."""
        rt = resolve(res)
        old = self.get_ref(rt, name, namespace)
        if subresource == "status":
            # a status write changes nothing else: copy only what it may touch
            new = {**old, "metadata": dict(old["metadata"])}
            if "status" in old:
                new["status"] = dict(old["status"]) if top_level_status else \
                    clone(old["status"])
        elif subresource == "binding":
            # a binding sets spec.nodeName and the PodScheduled condition: the containers,
            # volumes and tolerations (most of a pod) stay shared with the stored object
            new = {**old, "metadata": dict(old["metadata"]), "spec": dict(old["spec"])}
            if "status" in old:
                new["status"] = clone(old["status"])
        else:
            new = clone(old)
        change(new)
        if new == old:
            return old
        return self._replace(rt, old, new, subresource, INTERNAL, copy_result=False)

    def _replace(self, rt: ResourceType, old: dict, new: dict, subresource: str | None,
                 req: Request, copy_result: bool = True) -> dict:
        meta = new.setdefault("metadata", {})
        rv = meta.get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise errors.conflict(rt, old["metadata"]["name"])
        strategy = registry.strategy(rt.kind)
        strategy.prepare_update(self, new, old, subresource)
        if subresource not in ("status", "binding"):
            self._validate(rt, new, old)
        undo = strategy.allocate(self, new, old, req.dry_run)
        self._record(old, new, subresource, req)
        if _same_content(new, old):
            undo()
            return _copy(old)
        if req.dry_run:
            undo()
            return new
        strategy.release_update(self, new, old)
        stored = self.store.put(rt.group_resource, new)
        if _delete_during_update(stored["metadata"], old["metadata"]):
            self._remove(rt, stored)
        return clone(stored) if copy_result else stored

    def _record(self, old: dict | None, new: dict, subresource: str | None,
                req: Request) -> None:
        """A client's create/update/patch: its manager comes to own what it changed. An
        update that sends no managedFields keeps the stored ones, as the apiserver does."""
        meta = new["metadata"]
        if old is not None and not meta.get("managedFields") and \
                old["metadata"].get("managedFields"):
            meta["managedFields"] = old["metadata"]["managedFields"]
        if req.field_manager is None or req.trusted:
            return
        from simcore import fieldmanager
        fieldmanager.record_update(old, new, req.field_manager,
                                   req.record_as or subresource or "",
                                   self.clock.timestamp())

    def delete(self, res: ResourceType | str, name: str, namespace: str | None = None,
               propagation_policy: str | None = None, grace_period_seconds: int | None = None,
               preconditions: dict | None = None, dry_run: bool = False) -> tuple[dict, bool]:
        """Delete; returns (the object, whether it is gone now rather than terminating)."""
        rt = resolve(res)
        obj = self.get_ref(rt, name, namespace)
        if preconditions and preconditions.get("uid") and \
                preconditions["uid"] != obj["metadata"].get("uid"):
            raise errors.conflict(rt, name)
        if dry_run:
            return clone(obj), True
        strategy = registry.strategy(rt.kind)
        grace = strategy.grace_period(obj, grace_period_seconds)
        policy = propagation_policy or strategy.default_propagation
        if strategy.finalized_by_controller:
            return self._mark_namespace_terminating(rt, obj), False
        if grace and not obj["metadata"].get("deletionTimestamp"):
            return self._mark_terminating(rt, obj, grace, policy), False
        meta = obj["metadata"]
        if meta.get("deletionTimestamp") and (grace or meta.get("finalizers")):
            if grace < (meta.get("deletionGracePeriodSeconds") or 0):
                # a shorter grace period moves the deadline (BeforeDelete); at 0 the last
                # finalizer's removal deletes the object
                return self._mark_terminating(rt, obj, grace, "Background"), False
            return clone(obj), False
        if policy == "Foreground" and self.store.dependents(obj["metadata"]["uid"]) or \
                obj["metadata"].get("finalizers"):
            # finalizers hold the object: it is only marked, and goes when the last one
            # is removed (see _replace)
            return self._mark_terminating(rt, obj, 0, policy), False
        if policy == "Orphan":
            self._orphan_dependents(obj)
        gone = self._remove(rt, obj)
        return clone(gone), True

    def delete_collection(self, res: ResourceType | str, namespace: str | None = None,
                          label_selector: str | None = None, field_selector: str | None = None,
                          **options: Unpack[DeleteOptions]) -> dict:
        """DeleteCollection: every object the selectors pick, each deleted as by `delete`
        with the same options; the `<Kind>List` of what each delete returned."""
        rt = resolve(res)
        listed = self.list_ref(rt, namespace, label_selector, field_selector)
        rv = str(self.store.rv)
        items = []
        for obj in listed:
            meta = obj["metadata"]
            try:
                items.append(self.delete(rt, meta["name"], meta.get("namespace"), **options)[0])
            except errors.NotFound:
                continue  # gone meanwhile (a dependent of one deleted before it)
        return {"kind": f"{rt.kind}List", "apiVersion": rt.api_version,
                "metadata": {"resourceVersion": rv}, "items": items}

    def _mark_terminating(self, rt: ResourceType, obj: dict, grace: int, policy: str) -> dict:
        def mark(o: dict) -> None:
            o["metadata"]["deletionTimestamp"] = self.clock.timestamp(grace)
            o["metadata"]["deletionGracePeriodSeconds"] = grace
            finalizers = o["metadata"].setdefault("finalizers", [])
            if policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            elif policy == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            if not finalizers:
                del o["metadata"]["finalizers"]
        new = clone(obj)
        mark(new)
        return _copy(self.store.put(rt.group_resource, new))

    def _mark_namespace_terminating(self, rt: ResourceType, obj: dict) -> dict:
        """A Namespace is not removed at once: the namespace controller empties it first."""
        if obj["metadata"].get("deletionTimestamp"):
            return _copy(obj)
        new = clone(obj)
        new["metadata"]["deletionTimestamp"] = self.clock.timestamp()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new.setdefault("status", {})["phase"] = "Terminating"
        return _copy(self.store.put(rt.group_resource, new))

    def finalize_namespace(self, name: str) -> None:
        """The namespace controller's last step: an empty Terminating namespace goes."""
        ns = self.store.get("namespaces", "", name)
        if ns is not None and ns["metadata"].get("deletionTimestamp"):
            self._remove(lookup("namespaces"), ns)

    def _remove(self, rt: ResourceType, obj: dict) -> dict:
        meta = obj["metadata"]
        gone = self.store.remove(rt.group_resource, meta.get("namespace") or "", meta["name"])
        if gone is None:  # callers pass a stored object: this is a bug, not a client's error
            raise LookupError(f"{rt.group_resource} {meta['name']} is not stored")
        registry.strategy(rt.kind).release_delete(self, obj)
        return gone

    def _orphan_dependents(self, owner: dict) -> None:
        uid = owner["metadata"]["uid"]
        for res_key, namespace, name in self.store.dependents(uid):
            self.mutate(res_key, name, namespace, lambda o: drop_owner(o, uid))

    # helpers -------------------------------------------------------------------
    def _target_namespace(self, rt: ResourceType, obj: dict, namespace: str | None) -> str | None:
        if not rt.namespaced:
            return None
        own = (obj.get("metadata") or {}).get("namespace")
        if namespace and own and own != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the "
                                     "namespace sent on the request")
        return namespace or own or "default"

    def _generate_name(self, rt: ResourceType, base: str, namespace: str | None) -> str:
        """A fresh name; like the apiserver (RetryGenerateName, GA 1.32), a name already
        taken is drawn again rather than refused."""
        from simcore.names import generate_name
        for _ in range(8):
            name = generate_name(base, self.rng)
            if self.store.get(rt.group_resource, namespace or "", name) is None:
                return name
        return name

    def _check_type(self, rt: ResourceType, obj: dict) -> None:
        if not isinstance(obj, dict):
            raise errors.bad_request("couldn't get version/kind; json parse error: json: "
                                     f"cannot unmarshal {_json_kind(obj)} into Go value of "
                                     f"type {_FIND_KIND}")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        for name, value in (("apiVersion", api_version), ("kind", kind)):
            if value is not None and not isinstance(value, str):
                # the apiserver reads apiVersion and kind first, into a bare struct
                raise errors.bad_request("couldn't get version/kind; json parse error: json: "
                                         f"cannot unmarshal {_json_kind(value)} into Go struct "
                                         f"field .{name} of type string")
        if kind and kind != rt.kind or api_version and api_version != rt.api_version:
            raise errors.bad_request(f"the API version in the data ({api_version}) does not "
                                     f"match the expected API version ({rt.api_version})"
                                     if kind == rt.kind else
                                     f"{kind} in version \"{rt.version}\" cannot be handled as a "
                                     f"{rt.kind}: no kind \"{kind}\" is registered for version "
                                     f"\"{api_version}\" in scheme \"pkg/api/legacyscheme/"
                                     f"scheme.go:30\"")

    def _decode_body(self, rt: ResourceType, obj: dict, req: Request, owned: bool = False,
                     patch: tuple[str, object] | None = None) -> dict:
        """A request body as the handler decodes it: kind checked, then typed decoding
        (skipped for trusted controller writes, which only get copied unless `owned`)."""
        self._check_type(rt, obj)
        if req.trusted:
            obj = obj if owned else clone(obj)
        else:
            obj = self.decode(rt, obj, req, patch)
        obj["kind"], obj["apiVersion"] = rt.kind, rt.api_version
        return obj

    def decode(self, rt: ResourceType, obj: dict, req: Request,
               patch: tuple[str, object] | None = None) -> dict:
        """`obj` as the apiserver's decoder leaves it: wrong types refused (400), unknown
        fields pruned and, by `fieldValidation`, refused (Strict), warned about (Warn) or
        dropped silently (Ignore). A new dict: `obj` is not changed. For a patched object
        (`patch`: its type and body) a refusal is the patch handler's 422 instead."""
        from simcore import schema
        # a strategic merge patch's result is read by the unstructured converter, not JSON
        converter = patch is not None and patch[0] == "application/strategic-merge-patch+json"
        try:
            decoded = schema.decode(rt.kind, rt.api_version, obj, converter)
        except schema.DecodingFailed as exc:
            if patch is None:
                raise
            raise schema.patch_invalid(*patch, obj, exc.problem) from None
        if decoded.unknown and req.field_validation == "Strict":
            if patch is not None:
                raise schema.patch_invalid(*patch, obj,
                                           schema.strict_decoding_problem(decoded.unknown))
            raise schema.strict_decoding_error(rt.kind, rt.api_version, decoded.unknown)
        if decoded.unknown and req.field_validation == "Warn":
            req.warnings.extend(schema.strict_decoding_warnings(decoded.unknown))
        return decoded.obj

    def _check_namespace_open(self, namespace: str) -> None:
        ns = self.store.get("namespaces", "", namespace)
        if ns is None:
            raise errors.not_found(lookup("namespaces"), namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.APIError(errors.status(
                403, "Forbidden", f'unable to create new content in namespace {namespace} because '
                "it is being terminated", {"name": namespace, "kind": "namespaces"}))

    def _validate(self, rt: ResourceType, obj: dict, old: dict | None) -> None:
        errs = validate(rt.kind, obj, old)
        if errs:
            raise errors.invalid_object(rt, obj["metadata"].get("name", ""), errs)

    def _stamp_new(self, obj: dict) -> None:
        meta = obj["metadata"]
        meta["uid"] = _uuid4_text(self.rng.getrandbits(128))
        meta["creationTimestamp"] = self.clock.timestamp()
        for transient in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "selfLink", "generation"):
            meta.pop(transient, None)
        if "spec" in obj and not registry.strategy(obj["kind"]).no_generation:
            meta["generation"] = 1


def _check_size(obj: object, req: Request) -> None:
    """etcd's request limit, for what a client sends (a controller's own writes are of
    objects already stored): checked before the object is copied, since a document of
    YAML aliases is small until it is."""
    if req is not INTERNAL and bounds.json_size_exceeds(obj):
        raise errors.APIError(errors.status(413, "RequestEntityTooLarge", bounds.TOO_LARGE))


def _copy(obj: dict) -> dict:
    copy: dict = clone(obj)  # clone is typed for any JSON value
    return copy


def _json_kind(value: object) -> str:
    from simcore.decoding import json_kind
    return json_kind(value)


def _uuid4_text(bits: int) -> str:
    """str(uuid.UUID(int=bits, version=4)) without the class's checks: one per object
    created, events included."""
    bits = (bits & ~(0xC000 << 48) | (0x8000 << 48)) & ~(0xF000 << 64) | (4 << 76)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _same_content(new: dict, old: dict) -> bool:
    """No change worth a write: the same object, ownership included (a forced apply may
    only move fields between managers)."""
    strip = ("resourceVersion",)
    a = {**new, "metadata": {k: v for k, v in new["metadata"].items() if k not in strip}}
    b = {**old, "metadata": {k: v for k, v in old["metadata"].items() if k not in strip}}
    return a == b


def _delete_during_update(new: dict, old: dict) -> bool:
    """The registry's shouldDeleteDuringUpdate: an update that removes the last finalizer
    of an object marked for deletion with no grace period left deletes it."""
    return bool(not new.get("finalizers") and old.get("finalizers") and
                new.get("deletionTimestamp") and new.get("deletionGracePeriodSeconds") == 0)


def _sort_key(obj: dict) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace") or "", meta["name"]


def _label_predicate(text: str | None) -> Callable[[dict], bool]:
    if not text:
        return lambda obj: True
    from simcore.labels import parse_selector
    try:
        selector = parse_selector(text)
    except ValueError as exc:
        raise errors.bad_request(str(exc)) from None
    return lambda obj: selector.matches(obj["metadata"].get("labels"))


def _field_predicate(rt: ResourceType | None, text: str | None) -> Callable[[dict], bool]:
    if not text or rt is None:
        return lambda obj: True
    from simcore.fields import field_matcher
    return field_matcher(rt.kind, text)


def _select(rt: ResourceType, items: list[dict], label_selector: str | None,
            field_selector: str | None) -> list[dict]:
    if label_selector:
        items = _filter_labels(items, label_selector)
    if field_selector:
        items = _filter_fields(rt, items, field_selector)
    return sorted(items, key=_sort_key)


def _filter_labels(items: list[dict], text: str) -> list[dict]:
    match = _label_predicate(text)
    return [i for i in items if match(i)]


def _filter_fields(rt: ResourceType, items: list[dict], text: str) -> list[dict]:
    match = _field_predicate(rt, text)
    return [i for i in items if match(i)]
