"""The ASGI entry point daphne serves: HTTP through Django, websockets through Channels."""

import os

from clusterviz import tuning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterviz.settings")
tuning.tune()  # this process holds simulated clusters: see clusterviz/tuning.py

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

http_application = get_asgi_application()  # sets Django up before the routes import models

from clusterviz import origin  # noqa: E402
from clusterviz.dashboard.routing import websocket_urlpatterns as dashboard_sockets  # noqa: E402
from clusterviz.k8sapi.sockets import websocket_urlpatterns as k8s_sockets  # noqa: E402
from clusterviz.lessons.routing import websocket_urlpatterns as lesson_sockets  # noqa: E402
from clusterviz.room.routing import websocket_urlpatterns as room_sockets  # noqa: E402

application = ProtocolTypeRouter({
    "http": http_application,
    # The dashboard's sockets open only from its own pages; the API's only without a
    # foreign Origin (kubectl sends none): see clusterviz/origin.py. AuthMiddlewareStack
    # puts the session's user in scope["user"] (dashboard sockets check it; exec takes a
    # bearer token).
    "websocket": AuthMiddlewareStack(URLRouter([*origin.browser_only(dashboard_sockets),
                                                *origin.browser_only(lesson_sockets),
                                                *origin.browser_only(room_sockets),
                                                *origin.no_foreign_origin(k8s_sockets)])),
})

# The clocks' ticker starts on the first request or websocket connection (daphne sends
# no lifespan event); CLUSTERVIZ_TICKER=0 leaves it off for `manage.py runsim`.
from clusterviz.clusters.ticker import TickerMiddleware  # noqa: E402

application = TickerMiddleware(application)
