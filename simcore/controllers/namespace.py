"""Per-namespace defaults: the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap.

A real cluster's serviceaccounts-controller and root-ca-cert-publisher put
both into every namespace as it appears; pods' token volumes name them.
"""

from __future__ import annotations

from simcore.apiserver import Request
from simcore.controllers.base import Controller

_CA = ("-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n"
       "cm5ldGVzMB4XDTIxMDEwMTAwMDAwMFoXDTMxMDEwMTAwMDAwMFowFTETMBEGA1UE\n"
       "-----END CERTIFICATE-----\n")


class NamespaceController(Controller):
    name = "namespace"
    watches = ("namespaces",)

    def sync(self, key: str) -> None:
        ns = self.api.try_get_ref("namespaces", key)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        internal = Request(field_validation="Ignore")
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
