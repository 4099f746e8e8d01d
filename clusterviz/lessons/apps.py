from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "clusterviz.lessons"
    default_auto_field = "django.db.models.BigAutoField"
