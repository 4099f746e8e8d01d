"""`manage.py ensure_teacher [NAME]`: the teacher account `make run` makes sure of.

Made once, with a random password printed once (never a fixed default);
later runs only say that it exists and how to set a new password.
"""

import secrets
from argparse import ArgumentParser

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEFAULT_TEACHER = "teacher"


class Command(BaseCommand):
    help = "Create the teacher account (a staff user) with a generated password, once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", nargs="?", default=DEFAULT_TEACHER)

    def handle(self, name: str, **options: object) -> None:
        users = get_user_model()
        if users.objects.filter(username=name).exists():
            self.stdout.write(f"teacher account {name!r} exists "
                              f"(new password: python manage.py changepassword {name})")
            return
        password = secrets.token_urlsafe(9)
        users.objects.create_user(name, password=password, is_staff=True)
        self.stdout.write(f"teacher account created: sign in as {name!r} with the password "
                          f"{password}\n(shown only now; python manage.py changepassword {name} "
                          "sets another)")
