"""The terminal between `kubectl exec -it` and the shell: echo, editing keys, signals.

On a real node the container's pseudo-terminal (the kernel's line
discipline) and the shell's line editor (readline in bash, BusyBox's
lineedit, dash reading the cooked tty) turn keystrokes into lines: typed
characters are echoed, Backspace erases one (`\\b \\b` on the screen),
Ctrl-U the whole line, Enter hands the line over, Ctrl-C echoes `^C` and
interrupts (at the prompt: a fresh prompt; while a command runs: the
command ends with 130), Ctrl-D on an empty line is end of input (the shell
exits). Output gets `\\r\\n` for `\\n` (the tty's ONLCR). kubectl puts the
student's own terminal in raw mode, so all of this is the remote side's job.

`LineEditor.feed(data)` takes bytes as they arrive and returns what to echo
and the events it completed; it keeps no other state than the line being
typed. Escape sequences (arrow keys, Home, End) are swallowed: history and
cursor movement are not simulated, and a stray `^[[A` in the line would be
worse than nothing. The trade-off: one behaviour for all three shells,
which differ only in details nobody types in a lesson (dash has no
editing of its own but the tty's cooked mode gives the same keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CTRL_C, CTRL_D, CTRL_U, BACKSPACE, DELETE, ESC = "\x03", "\x04", "\x15", "\x08", "\x7f", "\x1b"
MAX_LINE = 4095  # Linux's canonical-mode limit (N_TTY_BUF_SIZE - 1): more is not taken


@dataclass(frozen=True)
class Line:
    text: str


@dataclass(frozen=True)
class Interrupt:
    pass


@dataclass(frozen=True)
class EndOfInput:
    pass


Event = Line | Interrupt | EndOfInput


@dataclass
class LineEditor:
    buffer: str = ""
    _escape: str = field(default="", repr=False)  # an escape sequence being swallowed

    def feed(self, data: str) -> tuple[str, list[Event]]:
        """(echo, events) for `data` typed at the prompt."""
        echo: list[str] = []
        events: list[Event] = []
        for ch in data:
            if self._escape or ch == ESC:
                self._swallow(ch)
                continue
            if ch in ("\r", "\n"):
                echo.append("\r\n")
                events.append(Line(self.buffer))
                self.buffer = ""
            elif ch in (DELETE, BACKSPACE):
                if self.buffer:
                    self.buffer = self.buffer[:-1]
                    echo.append("\b \b")
            elif ch == CTRL_U:
                echo.append("\b \b" * len(self.buffer))
                self.buffer = ""
            elif ch == CTRL_C:
                echo.append("^C\r\n")
                self.buffer = ""
                events.append(Interrupt())
            elif ch == CTRL_D:
                if not self.buffer:
                    events.append(EndOfInput())
            elif (ch == "\t" or ch >= " ") and len(self.buffer) < MAX_LINE:
                self.buffer += ch
                echo.append(ch)
        return "".join(echo), events

    def _swallow(self, ch: str) -> None:
        """ESC, then `[` or `O`, then parameters, then one final letter or `~`."""
        self._escape += ch
        seq = self._escape
        if len(seq) == 2 and ch not in "[O":
            self._escape = ""
        elif len(seq) > 2 and (ch.isalpha() or ch == "~"):
            self._escape = ""
        elif len(seq) > 16:
            self._escape = ""


def onlcr(text: str) -> str:
    """Output as the tty shows it: every line ends with CR LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
