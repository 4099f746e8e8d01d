from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "clusterviz.dashboard"
    label = "dashboard"
