"""How many web-terminal kubectl processes may run: per person and in this process.

What: `SLOTS.hold(who)` is a context manager that counts one running kubectl
for `who` and for the whole server process, or raises Refused with the limit
that was reached. `who_of(scope)` names the person behind a websocket: the
signed-in user when there is one, else the browser's session, else the client's
address.

Why: each kubectl costs about 58 MB of memory, and `get -w` or `logs -f` may
run for minutes; 100 sockets once started 100 of them (5.8 GB). One command at
a time per socket is not enough when one person opens many sockets.

Trade-off: the counts live in this process (daphne runs the consumers on one
event loop, so no lock is needed); several daphne processes each have their own
total. A person without a session behind a shared address (a classroom's NAT)
shares one allowance with the others there; the per-person limit is generous
enough for a few tabs each, and signed-in students are counted apart.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from clusterviz.web import Refused

PER_PERSON = 3  # a watch in one tab and commands in two others
TOTAL = 24  # about 1.4 GB of kubectl at most


class Slots:
    def __init__(self) -> None:
        self.running: Counter[str] = Counter()

    def limits(self) -> tuple[int, int]:
        return (getattr(settings, "TERMINAL_MAX_PER_PERSON", PER_PERSON),
                getattr(settings, "TERMINAL_MAX_TOTAL", TOTAL))

    @contextlib.contextmanager
    def hold(self, who: str) -> Iterator[None]:
        per_person, total = self.limits()
        if self.running[who] >= per_person:
            raise Refused(_("refused: you already have %(n)d kubectl commands running (in "
                            "other tabs or windows); stop one first") % {"n": self.running[who]})
        if sum(self.running.values()) >= total:
            raise Refused(_("refused: the server is already running %(n)d terminal commands, "
                            "its limit; try again when one has finished") % {"n": total})
        self.running[who] += 1
        try:
            yield
        finally:
            self.running[who] -= 1
            if not self.running[who]:
                del self.running[who]


SLOTS = Slots()


def who_of(scope: dict) -> str:
    """The person behind a socket: user, else session, else client address."""
    user = scope.get("user")
    try:
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
    except Exception:  # an unresolved lazy user counts as anonymous
        pass
    session = scope.get("session")
    key = getattr(session, "session_key", None) if session is not None else None
    if key:
        return f"session:{key}"
    client = scope.get("client") or ("", 0)
    return f"client:{client[0]}"
