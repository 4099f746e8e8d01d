from django.apps import AppConfig


class K8sApiConfig(AppConfig):
    name = "clusterviz.k8sapi"
    label = "k8sapi"
