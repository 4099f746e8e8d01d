"""Namespaces: what every namespace gets, and how a deleted one is emptied.

A real cluster's serviceaccounts-controller and root-ca-cert-publisher put
the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap into every
namespace as it appears; pods' token volumes name them. A deleted namespace
stays `Terminating` while the namespace controller deletes everything in it
(pods take their grace period), and goes once it is empty.
"""

from __future__ import annotations

from simcore import errors
from simcore.apiserver import Request
from simcore.loop import Controller
from simcore.resources import RESOURCES

_CA = ("-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n"
       "cm5ldGVzMB4XDTIxMDEwMTAwMDAwMFoXDTMxMDEwMTAwMDAwMFowFTETMBEGA1UE\n"
       "-----END CERTIFICATE-----\n")


class NamespaceController(Controller):
    name = "namespace"
    watches = ("namespaces",)

    def sync(self, key: str) -> None:
        ns = self.api.try_get_ref("namespaces", key)
        if ns is None:
            return
        if ns["metadata"].get("deletionTimestamp"):
            self._empty(key)
            return
        internal = Request(field_validation="Ignore", trusted=True)
        if self.api.try_get_ref("serviceaccounts", "default", key) is None:
            self.api.create("serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount",
                                                "metadata": {"name": "default"}}, key, internal)
        if self.api.try_get_ref("configmaps", "kube-root-ca.crt", key) is None:
            self.api.create("configmaps", {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "kube-root-ca.crt", "annotations": {
                    "kubernetes.io/description": "Contains a CA bundle that can be used to verify "
                    "the kube-apiserver when using internal endpoints such as the internal "
                    "service IP or kubernetes.default.svc. No other usage is guaranteed across "
                    "distributions of Kubernetes clusters."}},
                "data": {"ca.crt": _CA}}, key, internal)

    def _empty(self, namespace: str) -> None:
        remaining = 0
        for res in RESOURCES:
            if not res.namespaced:
                continue
            for obj in self.api.store.list(res.group_resource, namespace):
                remaining += 1
                if obj["metadata"].get("deletionTimestamp"):
                    continue
                try:
                    self.api.delete(res, obj["metadata"]["name"], namespace)
                except errors.NotFound:
                    pass
        if remaining:
            self.requeue_after(namespace, 1.0)  # look again once terminating pods are gone
        else:
            self.api.finalize_namespace(namespace)
