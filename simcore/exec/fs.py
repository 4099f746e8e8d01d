"""The container file system as a dict, and coreutils' words when a path is wrong.

The readiness-probe lesson lives here: `ls /var/ready` exits 2 with GNU's
"cannot access" line until `touch /var/ready`, and BusyBox words it
differently and exits 1. Paths are normalised the way the kernel does
(`//`, `.`, `..`), directories are keys with value None or any prefix of a
file's path.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Mapping

from simcore.exec.context import FileSystem


def norm(path: str, cwd: str = "/") -> str:
    joined = path if path.startswith("/") else posixpath.join(cwd, path)
    out = posixpath.normpath(joined)
    return "/" + out.lstrip("/") if out != "/" else "/"


def is_dir(files: Mapping[str, str | None], path: str) -> bool:
    if path == "/":
        return True
    if path in files:
        return files[path] is None
    prefix = path.rstrip("/") + "/"
    return any(key.startswith(prefix) for key in files)


def exists(files: Mapping[str, str | None], path: str) -> bool:
    return path in files or is_dir(files, path)


def listdir(files: Mapping[str, str | None], path: str) -> list[str]:
    prefix = "/" if path == "/" else path.rstrip("/") + "/"
    names = {key[len(prefix):].split("/", 1)[0] for key in files
             if key.startswith(prefix) and key != prefix}
    return sorted(name for name in names if name)


def parent_ok(files: Mapping[str, str | None], path: str) -> bool:
    return is_dir(files, posixpath.dirname(path) or "/")


def remove_tree(files: FileSystem, path: str) -> None:
    prefix = path.rstrip("/") + "/"
    for key in [k for k in files if k == path or k.startswith(prefix)]:
        del files[key]


# --- bytes in a text file system ------------------------------------------------------
# Files are strings because nearly all are text and the state is stored as JSON. A file
# copied in that is not text (`kubectl cp` of an image, a NUL byte) is kept as base64
# behind a private-use character: JSON (and PostgreSQL's jsonb, which refuses NUL and
# lone surrogates) stores it, and readers get the bytes back. Bytes travel through
# output streams as UTF-8 with surrogate escapes, which the socket encodes back as-is.
_BINARY = "\ue000"


def pack(data: bytes) -> str:
    """File content for `data`: the text itself when it is UTF-8 without NUL."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text and not text.startswith(_BINARY):
        return text
    return _BINARY + base64.b64encode(data).decode("ascii")


def unpack(content: str) -> bytes:
    """The bytes a file holds."""
    if content.startswith(_BINARY):
        return base64.b64decode(content[1:])
    return content.encode("utf-8", "surrogateescape")


def readable(content: str) -> str:
    """What a program reading the file writes out (binary as surrogate escapes)."""
    if content.startswith(_BINARY):
        return unpack(content).decode("utf-8", "surrogateescape")
    return content


def gnu(flavor: str) -> bool:
    return not flavor.startswith("busybox")


# --- the words ------------------------------------------------------------------


def no_such_file(tool: str, path: str, flavor: str, action: str = "access") -> str:
    """`ls: cannot access 'x': …` (GNU, quoted as the locale C shell-escapes) or BusyBox."""
    if gnu(flavor):
        verb = {"access": "cannot access", "remove": "cannot remove", "touch": "cannot touch",
                "open": "", "mkdir": "cannot create directory"}[action]
        if action == "open":
            return f"{tool}: {gnu_quotef(path)}: No such file or directory\n"
        return f"{tool}: {verb} {gnu_quote(path)}: No such file or directory\n"
    if action == "open":
        return f"{tool}: can't open '{path}': No such file or directory\n"
    if action == "remove":
        return f"{tool}: can't remove '{path}': No such file or directory\n"
    if action == "mkdir":
        return f"{tool}: can't create directory '{path}': No such file or directory\n"
    return f"{tool}: {path}: No such file or directory\n"


def gnu_quote(path: str) -> str:
    """coreutils' `quote()` (ls, rm, touch) in the C locale: always in apostrophes."""
    return "'" + path.replace("'", "'\\''") + "'"


def gnu_quotef(path: str) -> str:
    """coreutils' `quotef()` (cat): quoted only when the name needs it."""
    if path and all(ch.isalnum() or ch in "/._-+,:@%^=" for ch in path):
        return path
    return gnu_quote(path)
