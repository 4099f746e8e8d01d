"""A shell in a pod from the browser: the same session as `kubectl exec -it`, for xterm.js.

The page's terminal (xterm.js, vendored under static/vendor/xterm) cannot
run kubectl with a TTY, so it talks to this socket instead: keystrokes in,
terminal output out, JSON both ways because a page reads that more simply
than channel bytes:

    page -> server  {"type": "input", "data": "ls\\r"}     {"type": "resize", "cols": 80, "rows": 24}
    server -> page  {"type": "output", "data": "..."}     {"type": "exit", "code": 0, "message": ""}
                    {"type": "error", "message": "Error from server (NotFound): ..."}

Behind it is the exec socket's machinery, unchanged: the API server's checks
(a missing pod is kubectl's `Error from server (NotFound): pods "x" not
found`), then an interactive shell (execsession.ShellConversation: prompt,
echo, editing keys, Ctrl-C, Ctrl-D, `exit`, the end of the pod) or, for a
command that is not an interactive shell, one run with a TTY. The exit
message is kubectl's own (`command terminated with exit code 130`), so the
page shows what a student's terminal would.

A browser socket: the route checks the Origin against ALLOWED_HOSTS, as the
dashboard's other sockets do. The xterm glue for a page is
static/dashboard/webshell.js.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clusterviz.classroom.doors import socket_refusal
from clusterviz.clusters.runtime import ClusterNotFound, offload
from clusterviz.k8sapi.execsession import ShellConversation, open_shell
from clusterviz.k8sapi.execstream import ExecOptions, Outcome, execute, precheck
from simcore import errors
from simcore.simulation import ShellSession

log = logging.getLogger(__name__)

CLOSE_REFUSED = 4400
MAX_INPUT = 64 * 1024  # characters in one input message


def exit_message(code: int) -> str:
    """What kubectl prints when the session ends (nothing after a clean exit)."""
    return f"command terminated with exit code {code}" if code else ""


class WebShellConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.slug, self.namespace, self.pod = kwargs["slug"], kwargs["namespace"], kwargs["name"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        command = tuple(query.get("command") or ["sh"])
        self.options = ExecOptions(command=command,
                                   container=(query.get("container") or [None])[-1] or None,
                                   stdin=True, stdout=True, tty=True)
        self.shell: ShellConversation | None = None
        self.interrupted = asyncio.Event()
        self.task = None
        await self.accept()
        # only the cluster's owner or teacher (classroom.doors), closed with a code the page
        # can read: 4401 not signed in, 4404 not yours
        refusal = await offload(socket_refusal)(self.scope, self.slug)
        if refusal is not None:
            await self.close(code=refusal)
            return
        self.task = asyncio.get_running_loop().create_task(self._session())

    async def _session(self) -> None:
        try:
            self.container = await offload(precheck)(self.slug, self.namespace, self.pod,
                                                      self.options)
        except ClusterNotFound:
            await self._refuse("error: the cluster is gone")
            return
        except errors.APIError as exc:
            status = exc.status
            await self._refuse(f"Error from server ({status.get('reason')}): "
                               f"{status.get('message')}")
            return
        opened = await offload(open_shell)(self.slug, self.namespace, self.pod,
                                            self.container, self.options.command)
        code = await (self._converse(*opened) if opened is not None else self._once())
        await self.send_json({"type": "exit", "code": code, "message": exit_message(code)})
        await self.close(code=1000)

    async def _converse(self, session: ShellSession, prompt: str) -> int:
        async def write(text: str) -> None:
            await self.send_json({"type": "output", "data": text})
        self.shell = ShellConversation(write, self.slug, self.namespace, self.pod,
                                       self.container, session, prompt)
        return await self.shell.run()

    async def _once(self) -> int:
        """A command that is not an interactive shell: run it once with a TTY."""
        outcome: Outcome = await offload(execute)(self.slug, self.namespace, self.pod,
                                                   self.container, self.options)
        for _, data, _ in outcome.frames:
            await self.send_json({"type": "output", "data": data.decode("utf-8", "replace")})
        if outcome.hangs:
            await self.interrupted.wait()
            await self.send_json({"type": "output", "data": "^C"})
            return 130
        causes = (outcome.status.get("details") or {}).get("causes") or []
        code = next((int(c["message"]) for c in causes if c.get("reason") == "ExitCode"), None)
        if code is None and outcome.status.get("status") != "Success":
            await self.send_json({"type": "output",
                                  "data": f"error: {outcome.status.get('message', '')}\r\n"})
            return 1
        return code or 0

    async def _refuse(self, message: str) -> None:
        await self.send_json({"type": "error", "message": message})
        await self.close(code=CLOSE_REFUSED)

    @classmethod
    async def decode_json(cls, text_data: str) -> object:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # not JSON: ignored like any other unknown message

    async def receive_json(self, content: object, **kwargs: object) -> None:
        if not isinstance(content, dict) or content.get("type") != "input":
            return  # resize and the rest: accepted, nothing draws on the full screen
        data = str(content.get("data") or "")[:MAX_INPUT]
        if self.shell is not None:
            self.shell.feed(data.encode("utf-8"))
        elif "\x03" in data:
            self.interrupted.set()

    async def disconnect(self, code: int) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
