"""The garbage collector: dependents follow their owners.

When an object goes, everything whose `ownerReferences` name its uid goes
too (background propagation: the owner first, then its dependents), which is
how deleting the lecture's ReplicaSet removes its pods and deleting a
Service removes its EndpointSlices. With foreground propagation the owner
waits, marked for deletion with the `foregroundDeletion` finalizer, until
its dependents are gone; with `orphan` they are released instead.
"""

from __future__ import annotations

from simcore import errors
from simcore.apiserver import _drop_owner as drop_owner
from simcore.controllers.base import Controller
from simcore.resources import RESOURCES


class GarbageCollector(Controller):
    name = "garbagecollector"
    watches = tuple(r.group_resource for r in RESOURCES)

    def keys_for(self, event):
        meta = event.object["metadata"]
        if event.type == "DELETED":
            return (f"gone:{meta['uid']}",)
        finalizers = meta.get("finalizers")
        if finalizers and ("foregroundDeletion" in finalizers or "orphan" in finalizers):
            return (f"owner:{event.resource}:{meta.get('namespace', '')}:{meta['name']}",)
        return ()

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
            if self.api.store.dependents(uid):
                if not self._delete_dependents(uid, "Foreground"):
                    self.queue.add(key)
                return
            self._drop_finalizer(res, namespace, name, "foregroundDeletion")

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
