"""The ASGI entry point daphne serves: HTTP through Django; websockets join here later."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterviz.settings")

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

application = ProtocolTypeRouter({"http": get_asgi_application()})
