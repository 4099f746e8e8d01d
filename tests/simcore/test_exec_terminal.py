"""The terminal under `kubectl exec -it` (tty.py) and which execs wait for stdin (shell.py)."""

from __future__ import annotations

import pytest

from simcore.exec import tty
from simcore.exec.shell import reads_stdin


@pytest.mark.parametrize("typed, echo, events", [
    pytest.param("ls\r", "ls\r\n", [tty.Line("ls")], id="enter"),
    pytest.param("lx\x7fs\r", "lx\b \bs\r\n", [tty.Line("ls")], id="backspace"),
    pytest.param("\x7f\r", "\r\n", [tty.Line("")], id="backspace-on-empty-line"),
    pytest.param("rm -rf\x15ls\r", "rm -rf" + "\b \b" * 6 + "ls\r\n", [tty.Line("ls")],
                 id="ctrl-u"),
    pytest.param("sle\x03", "sle^C\r\n", [tty.Interrupt()], id="ctrl-c-discards-the-line"),
    pytest.param("\x04", "", [tty.EndOfInput()], id="ctrl-d-on-empty-line"),
    pytest.param("ab\x04\r", "ab\r\n", [tty.Line("ab")], id="ctrl-d-inside-a-line"),
    pytest.param("l\x1b[As\x1bOH\x1b[3~\r", "ls\r\n", [tty.Line("ls")],
                 id="escape-sequences-swallowed"),
])
def test_line_editor(typed, echo, events):
    assert tty.LineEditor().feed(typed) == (echo, events)


def test_line_editor_keeps_a_line_across_messages():
    editor = tty.LineEditor()
    assert editor.feed("ec") == ("ec", [])
    assert editor.feed("ho\r") == ("ho\r\n", [tty.Line("echo")])


def test_a_line_stops_at_the_kernels_limit():
    editor = tty.LineEditor()
    echo, _ = editor.feed("x" * 5000)
    assert (len(echo), len(editor.buffer)) == (tty.MAX_LINE, tty.MAX_LINE)


def test_onlcr():
    assert tty.onlcr("a\nb\r\nc") == "a\r\nb\r\nc"


@pytest.mark.parametrize("argv, reads", [
    (["cat"], True), (["cat", "/etc/hosts"], False), (["cat", "-"], True),
    (["tar", "xf", "-", "-C", "/tmp"], True), (["tar", "-xmf", "-"], True),
    (["tar", "cf", "-", "/tmp"], False), (["tar", "xf", "/a.tar"], False),
    (["sh"], True), (["sh", "-c", "read x; echo $x"], True), (["sh", "-c", "echo hi"], False),
    (["/bin/sh", "script.sh"], False), (["echo", "hi"], False), ([], False),
])
def test_reads_stdin(argv, reads):
    assert reads_stdin(argv) is reads
