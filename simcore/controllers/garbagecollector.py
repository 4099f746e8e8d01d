"""The garbage collector: dependents follow their owners.

When an object goes, everything whose `ownerReferences` name its uid goes
too (background propagation: the owner first, then its dependents), which is
how deleting the lecture's ReplicaSet removes its pods and deleting a
Service removes its EndpointSlices. With foreground propagation the owner
waits, marked for deletion with the `foregroundDeletion` finalizer, until
its dependents are gone; with `orphan` they are released instead.

A waiting owner is looked at again whenever one of its dependents goes or
lets go of it (a DELETED event, or an update that drops the ownerReference):
the dependent names its owners, so the owner's key is queued and, once no
dependent that blocks it (`blockOwnerDeletion: true`) is left, the
`foregroundDeletion` finalizer comes off and the owner goes. That is how a
foreground delete of a Deployment finishes: pods go, then their ReplicaSet,
then the Deployment.
"""

from __future__ import annotations

from simcore import errors
from simcore.loop import Controller
from simcore.objects import drop_owner
from simcore.resources import RESOURCES

# (group, kind) -> resource type: an ownerReference names its owner by apiVersion and kind
_BY_KIND = {(r.group, r.kind): r for r in RESOURCES}


class GarbageCollector(Controller):
    name = "garbagecollector"
    watches = tuple(r.group_resource for r in RESOURCES)

    def keys_for(self, event):
        meta = event.object["metadata"]
        if event.type == "DELETED":
            return (f"gone:{meta['uid']}", *self._owner_keys(meta, None))
        old_refs = event.old["metadata"].get("ownerReferences") if event.old is not None else None
        new_refs = meta.get("ownerReferences")
        # most writes (every status update) carry the same list, often the very same object
        keys = self._owner_keys(event.old["metadata"], meta) if old_refs and \
            old_refs is not new_refs and old_refs != new_refs else ()
        finalizers = meta.get("finalizers")
        if finalizers and ("foregroundDeletion" in finalizers or "orphan" in finalizers):
            return (*keys, f"owner:{event.resource}:{meta.get('namespace', '')}:{meta['name']}")
        return keys

    def _owner_keys(self, old_meta: dict, new_meta: dict | None) -> tuple[str, ...]:
        """The owners a dependent let go of (all of them when it is gone): they may be
        waiting for it in a foreground deletion."""
        kept = {r.get("uid") for r in (new_meta or {}).get("ownerReferences") or ()}
        keys = []
        for ref in old_meta.get("ownerReferences") or ():
            rt = _BY_KIND.get((ref.get("apiVersion", "").rpartition("/")[0], ref.get("kind")))
            if rt is not None and ref.get("uid") not in kept:
                namespace = old_meta.get("namespace", "") if rt.namespaced else ""
                keys.append(f"owner:{rt.group_resource}:{namespace}:{ref.get('name', '')}")
        return tuple(keys)

    def sync(self, key: str) -> None:
        kind, _, rest = key.partition(":")
        if kind == "gone":
            if not self._delete_dependents(rest):
                self.queue.add(key)  # a bounded step ran out: the rest in the next one
            return
        res, namespace, name = rest.split(":", 2)
        owner = self.api.store.get(res, namespace, name)
        if owner is None:
            return
        finalizers = owner["metadata"].get("finalizers") or []
        uid = owner["metadata"]["uid"]
        if "orphan" in finalizers:
            self.api._orphan_dependents(owner)
            self._drop_finalizer(res, namespace, name, "orphan")
        elif "foregroundDeletion" in finalizers:
            if not self._delete_dependents(uid, "Foreground"):
                self.queue.add(key)  # the bounded step ran out: the rest in a later sync
            elif not self._blocking_dependents(uid):
                self._drop_finalizer(res, namespace, name, "foregroundDeletion")

    def _blocking_dependents(self, uid: str) -> list[tuple[str, str, str]]:
        """Dependents still in storage whose reference to `uid` has blockOwnerDeletion."""
        blocking = []
        for res, namespace, name in self.api.store.dependents(uid):
            obj = self.api.store.get(res, namespace, name)
            refs = (obj or {}).get("metadata", {}).get("ownerReferences") or ()
            if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in refs):
                blocking.append((res, namespace, name))
        return blocking

    def _drop_finalizer(self, res: str, namespace: str, name: str, finalizer: str) -> None:
        def drop(o: dict) -> None:
            rest = [f for f in o["metadata"].get("finalizers") or [] if f != finalizer]
            if rest:
                o["metadata"]["finalizers"] = rest
            else:
                o["metadata"].pop("finalizers", None)
        self.api.mutate(res, name, namespace or None, drop)

    def _delete_dependents(self, uid: str, policy: str = "Background") -> bool:
        """Delete (or release) the dependents of `uid`; False when the engine's bounded step
        ran out first (`Engine.spent`), with the rest still to do."""
        for res, namespace, name in self.api.store.dependents(uid):
            if self.engine.spent():
                return False
            obj = self.api.store.get(res, namespace, name)
            if obj is None or obj["metadata"].get("deletionTimestamp"):
                continue
            refs = obj["metadata"].get("ownerReferences") or []
            others = [r for r in refs if r.get("uid") != uid and self._owner_exists(r, namespace)]
            try:
                if others:
                    self.api.mutate(res, name, namespace or None, lambda o: drop_owner(o, uid))
                else:
                    self.api.delete(res, name, namespace or None, propagation_policy=policy)
            except errors.NotFound:
                pass
        return True

    def _owner_exists(self, ref: dict, namespace: str) -> bool:
        for res in RESOURCES:
            if res.kind == ref.get("kind"):
                obj = self.api.store.get(res.group_resource, namespace if res.namespaced else "",
                                         ref.get("name", ""))
                return obj is not None and obj["metadata"].get("uid") == ref.get("uid")
        return False
