"""The garbage collector: dependents follow their owners.

When an object goes, everything whose `ownerReferences` name its uid goes
too (background propagation: the owner first, then its dependents), which is
how deleting the lecture's ReplicaSet removes its pods and deleting a
Service removes its EndpointSlices. With foreground propagation the owner
waits, marked for deletion with the `foregroundDeletion` finalizer, until
its dependents are gone; with `orphan` they are released instead.

Each dependent is judged as Kubernetes' `attemptToDeleteItem` judges it, from
what each of its owner references finds now:

- solid: an owner of that name and uid, not waiting for its dependents;
- dangling: no such owner, or one of that name with another uid (a
  recreated object is not the owner the reference meant);
- waiting: the owner is being deleted in the foreground.

A dependent with a solid owner stays, and its dangling and waiting
references are removed (a waiting owner would otherwise wait for it for
ever). Without one it is deleted: in the foreground when a waiting owner
asks for it and it has dependents of its own (a Deployment's ReplicaSet, so
its pods go before it does), else as its own finalizers say, background by
default (a leaf such as a pod is simply deleted; its owner is looked at
again once it is gone).

A dependent is judged when an owner goes (`gone:<uid>`), when an owner
waiting in the foreground is looked at (`owner:<resource>:<ns>:<name>`), and
when it appears or its references change naming an owner that is not there
(`dependent:<resource>:<ns>:<name>`): the graph builder's "virtual" owner,
found absent, so an ownerReference to a uid that never existed is collected.

A dependent asked to go in the foreground while one of its own dependents
already waits the same way may be in an ownership cycle (each waiting for the
other): it first sets blockOwnerDeletion to false on its references, as
upstream does, so its owners stop waiting for it.

A waiting owner is looked at again whenever one of its dependents goes or
lets go of it (a DELETED event, or an update that drops the ownerReference
or sets its blockOwnerDeletion to false):
the dependent names its owners, so the owner's key is queued and, once no
dependent that blocks it (`blockOwnerDeletion: true`) is left, the
`foregroundDeletion` finalizer comes off and the owner goes. That is how a
foreground delete of a Deployment finishes: pods go, then their ReplicaSet,
then the Deployment.
"""

from __future__ import annotations

from typing import NamedTuple

from simcore import errors
from simcore.loop import Controller
from simcore.objects import drop_owner, owner_references
from simcore.resources import RESOURCES, ResourceType
from simcore.store import Event

# (group, kind) -> resource type: an ownerReference names its owner by apiVersion and kind
_BY_KIND = {(r.group, r.kind): r for r in RESOURCES}


class _Owners(NamedTuple):
    """A dependent's owner references sorted as `classifyReferences` sorts them."""

    solid: list[dict]
    dangling: list[dict]
    waiting: list[dict]


def _owner_type(ref: dict) -> ResourceType | None:
    return _BY_KIND.get((ref.get("apiVersion", "").rpartition("/")[0], ref.get("kind", "")))


def _waiting_for_dependents(obj: dict) -> bool:
    """Being deleted in the foreground: marked, with the foregroundDeletion finalizer."""
    meta = obj["metadata"]
    return bool(meta.get("deletionTimestamp")) and \
        "foregroundDeletion" in (meta.get("finalizers") or ())


class GarbageCollector(Controller):
    name = "garbagecollector"
    watches = tuple(r.group_resource for r in RESOURCES)

    def keys_for(self, event: Event) -> tuple[str, ...]:
        meta = event.object["metadata"]
        if event.type == "DELETED":
            return (f"gone:{meta['uid']}", *self._owner_keys(meta, None))
        old_meta = event.old["metadata"] if event.old is not None else {}
        old_refs, new_refs = old_meta.get("ownerReferences"), meta.get("ownerReferences")
        keys: tuple[str, ...] = ()
        # most writes (every status update) carry the same list, often the very same object
        if old_refs is not new_refs and old_refs != new_refs:
            keys = self._owner_keys(old_meta, meta)
            if new_refs and self._names_an_absent_owner(meta):
                keys += (f"dependent:{event.resource}:{meta.get('namespace', '')}:"
                         f"{meta['name']}",)
        finalizers = meta.get("finalizers")
        if finalizers and ("foregroundDeletion" in finalizers or "orphan" in finalizers):
            return (*keys, f"owner:{event.resource}:{meta.get('namespace', '')}:{meta['name']}")
        return keys

    def _owner_keys(self, old_meta: dict, new_meta: dict | None) -> tuple[str, ...]:
        """The owners a dependent let go of (all of them when it is gone) or stopped
        blocking: they may be waiting for it in a foreground deletion."""
        new_refs = (new_meta or {}).get("ownerReferences") or ()
        kept = {r.get("uid") for r in new_refs}
        blocking = {r.get("uid") for r in new_refs if r.get("blockOwnerDeletion")}
        keys = []
        for ref in old_meta.get("ownerReferences") or ():
            rt = _owner_type(ref)
            unblocked = ref.get("blockOwnerDeletion") and ref.get("uid") not in blocking
            if rt is not None and (ref.get("uid") not in kept or unblocked):
                namespace = old_meta.get("namespace", "") if rt.namespaced else ""
                keys.append(f"owner:{rt.group_resource}:{namespace}:{ref.get('name', '')}")
        return tuple(keys)

    def _names_an_absent_owner(self, meta: dict) -> bool:
        """Whether a reference finds no owner of its uid: only such a dependent needs a look
        of its own (a live owner's deletion brings one through `gone:<uid>`)."""
        namespace = meta.get("namespace") or ""
        for ref in meta["ownerReferences"]:
            rt = _owner_type(ref)
            # of a kind this cluster does not serve nothing can be said: it is not judged
            if rt is not None and self._lookup(rt, ref, namespace) is None:
                return True
        return False

    def sync(self, key: str) -> None:
        kind, _, rest = key.partition(":")
        if kind == "gone":
            if not self._attempt_to_delete_dependents(rest):
                self.queue.add(key)  # a bounded step ran out: the rest in the next one
            return
        res, namespace, name = rest.split(":", 2)
        if kind == "dependent":
            self._attempt_to_delete(res, namespace, name)
            return
        owner = self.api.store.get(res, namespace, name)
        if owner is None:
            return
        finalizers = owner["metadata"].get("finalizers") or []
        uid = owner["metadata"]["uid"]
        if "orphan" in finalizers:
            self.api._orphan_dependents(owner)
            self._drop_finalizer(res, namespace, name, "orphan")
        elif "foregroundDeletion" in finalizers:
            # processDeletingDependentsItem: judge each dependent, then go once none blocks
            if not self._attempt_to_delete_dependents(uid):
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

    def _attempt_to_delete_dependents(self, uid: str) -> bool:
        """Judge every dependent of `uid`; False when the engine's bounded step ran out
        first (`Engine.spent`), with the rest still to do."""
        for res, namespace, name in self.api.store.dependents(uid):
            if self.engine.spent():
                return False
            self._attempt_to_delete(res, namespace, name)
        return True

    def _attempt_to_delete(self, res: str, namespace: str, name: str) -> None:
        """`attemptToDeleteItem` for one dependent (see the module doc)."""
        obj = self.api.store.get(res, namespace, name)
        # being deleted is a one-way trip: a dependent waiting for its own dependents is
        # looked at through its `owner:` key
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return
        owners = self._classify(obj)
        if owners is None:
            return
        try:
            if owners.solid:
                if owners.dangling or owners.waiting:
                    self._drop_owners(res, namespace, name, owners.dangling + owners.waiting)
            elif owners.waiting and self.api.store.dependents(obj["metadata"]["uid"]):
                # its own dependents must go first, so its waiting owner waits for them too
                if self._in_a_cycle(obj):
                    self._unblock_owners(res, namespace, name)
                self.api.delete(res, name, namespace or None, propagation_policy="Foreground")
            else:
                self.api.delete(res, name, namespace or None,
                                propagation_policy=_own_policy(obj))
        except errors.NotFound:
            pass

    def _classify(self, obj: dict) -> _Owners | None:
        """The dependent's references as solid, dangling and waiting; None when one cannot be
        judged (a kind this cluster does not serve, a namespaced owner of a cluster-scoped
        object): Kubernetes retries or gives up on those, and never deletes for them."""
        namespace = obj["metadata"].get("namespace") or ""
        owners = _Owners([], [], [])
        for ref in owner_references(obj):
            rt = _owner_type(ref)
            if rt is None or (rt.namespaced and not namespace):
                return None
            owner = self._lookup(rt, ref, namespace)
            if owner is None:
                owners.dangling.append(ref)
            elif _waiting_for_dependents(owner):
                owners.waiting.append(ref)
            else:
                owners.solid.append(ref)
        return owners

    def _lookup(self, rt: ResourceType, ref: dict, namespace: str) -> dict | None:
        """The owner `ref` means: an object of its kind and name with its uid (`isDangling`);
        None when absent or when the object of that name has another uid."""
        owner = self.api.store.get(rt.group_resource, namespace if rt.namespaced else "",
                                   ref.get("name", ""))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return None
        return owner

    def _in_a_cycle(self, obj: dict) -> bool:
        """One of its dependents already waits for its own dependents: if it is an owner of
        `obj` too, each would wait for the other. Like upstream's check this may see a cycle
        that is not there; the price is only that `obj` stops blocking its owners."""
        for res, namespace, name in self.api.store.dependents(obj["metadata"]["uid"]):
            dependent = self.api.store.get(res, namespace, name)
            if dependent is not None and _waiting_for_dependents(dependent):
                return True
        return False

    def _unblock_owners(self, res: str, namespace: str, name: str) -> None:
        """Set blockOwnerDeletion to false on every reference that had it, so no owner
        waits for this object (`unblockOwnerReferences`)."""
        def unblock(o: dict) -> None:
            o["metadata"]["ownerReferences"] = [
                {**r, "blockOwnerDeletion": False} if r.get("blockOwnerDeletion") else r
                for r in owner_references(o)]
        self.api.mutate(res, name, namespace or None, unblock)

    def _drop_owners(self, res: str, namespace: str, name: str, refs: list[dict]) -> None:
        """Patch the references away, as `deleteOwnerRefStrategicMergePatch` does."""
        def drop(o: dict) -> None:
            for ref in refs:
                drop_owner(o, ref.get("uid", ""))
        self.api.mutate(res, name, namespace or None, drop)


def _own_policy(obj: dict) -> str:
    """A collected dependent's propagation: an orphan or foregroundDeletion finalizer it
    already carries is honoured, else background."""
    finalizers = obj["metadata"].get("finalizers") or ()
    if "orphan" in finalizers:
        return "Orphan"
    if "foregroundDeletion" in finalizers:
        return "Foreground"
    return "Background"
