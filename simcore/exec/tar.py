"""`tar` in a container: what `kubectl cp` runs, both ways.

`kubectl cp ./f pod:/tmp` streams an archive into `tar -xmf - -C /tmp` (after
`test -d /tmp`), and `kubectl cp pod:/etc/hostname ./h` reads the archive
`tar cf - /etc/hostname` writes; kubectl packs and unpacks its side with Go's
archive/tar. The archive here is a real one, made and read by Python's
tarfile in GNU format (GNU tar's default, BusyBox reads and writes it too),
so kubectl or any tar on the student's machine reads it.

Members carry what the simulated file system knows: regular files and
directories (root-owned, 0644 and 0755, stamped with the cluster's clock);
links and devices in an incoming archive are skipped. Options: the modes
c, x, t; f (only `-`, stdin/stdout, or a file in the container), C, v, z,
and the ones that change nothing here (m, o, p, --no-same-owner,
--no-same-permissions). The errors are GNU tar's or BusyBox's words, as the
image ships: `Removing leading `/' from member names` (on stderr, which
kubectl cp prints), a missing file, a missing -C directory, input that is
not an archive.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from simcore.exec import fs
from simcore.exec.call import Call
from simcore.exec.context import ExecResult, Output

_QUIET_FLAGS = frozenset("mopkUwh")
_QUIET_LONG = frozenset({"--no-same-permissions", "--no-same-owner", "--same-owner",
                         "--preserve-permissions", "--overwrite", "--numeric-owner"})


@dataclass
class Options:
    mode: str = ""
    archive: str | None = None
    directory: str = "/"
    verbose: bool = False
    gzip: bool = False
    names: list[str] = field(default_factory=list)
    error: str = ""


def main(argv: list[str], call: Call) -> ExecResult:
    opts = parse(argv[1:])
    words = _Words(call.busybox)
    out = Output()
    if opts.error or not opts.mode:
        out.err(words.usage(opts.error))
        return out.result(2 if not call.busybox else 1)
    if opts.archive not in (None, "-"):
        return _with_file_archive(opts, call, words, out)
    if opts.mode == "c":
        return _create(opts, call, words, out)
    return _extract(opts, call, words, out, fs.unpack(call.stdin) if call.stdin else b"")


def parse(args: list[str]) -> Options:
    opts = Options()
    rest = list(args)
    if rest and not rest[0].startswith("-"):
        rest[0] = "-" + rest[0]  # old style: `tar cf - x` bundles its letters
    while rest:
        arg = rest.pop(0)
        if arg.startswith("--"):
            _long(arg, rest, opts)
        elif arg.startswith("-") and len(arg) > 1:
            _letters(arg[1:], rest, opts)
        else:
            opts.names.append(arg)
        if opts.error:
            break
    return opts


def _long(arg: str, rest: list[str], opts: Options) -> None:
    name, _, value = arg.partition("=")
    if name in ("--file", "--directory") and not value:
        value = rest.pop(0) if rest else ""
    if name == "--file":
        opts.archive = value
    elif name == "--directory":
        opts.directory = value
    elif name in ("--create", "--extract", "--get", "--list"):
        opts.mode = {"--create": "c", "--list": "t"}.get(name, "x")
    elif name == "--gzip":
        opts.gzip = True
    elif name == "--verbose":
        opts.verbose = True
    elif name not in _QUIET_LONG:
        opts.error = f"unrecognized option '{arg}'"


def _letters(letters: str, rest: list[str], opts: Options) -> None:
    for index, ch in enumerate(letters):
        if ch in "cxt":
            opts.mode = ch
        elif ch in "fC":
            value = letters[index + 1:] or (rest.pop(0) if rest else "")
            if ch == "f":
                opts.archive = value
            else:
                opts.directory = value
            return
        elif ch == "v":
            opts.verbose = True
        elif ch == "z":
            opts.gzip = True
        elif ch not in _QUIET_FLAGS:
            opts.error = f"invalid option -- '{ch}'"
            return


# --- create -------------------------------------------------------------------------------


def _create(opts: Options, call: Call, words: _Words, out: Output) -> ExecResult:
    archive, code = _archive_bytes(opts, call, words, out)
    out.out(archive.decode("utf-8", "surrogateescape"))
    return out.result(code)


def _archive_bytes(opts: Options, call: Call, words: _Words, out: Output) -> tuple[bytes, int]:
    if not opts.names:
        out.err(words.empty_archive())
        return b"", 2 if not call.busybox else 1
    buffer = io.BytesIO()
    code = 0
    mtime = int(call.ctx.now.timestamp() + call.started)
    with tarfile.open(fileobj=buffer, mode="w:gz" if opts.gzip else "w",
                      format=tarfile.GNU_FORMAT) as archive:
        warned = False
        for name in opts.names:
            path = fs.norm(name, opts.directory)
            if name.startswith("/") and not warned:
                out.err(words.leading_slash())
                warned = True
            if not fs.exists(call.ctx.files, path):
                out.err(words.cannot_stat(name))
                code = 2 if not call.busybox else 1
                continue
            member = name.lstrip("/").rstrip("/") or "."
            for entry, content in _walk(call.ctx.files, path, posixpath.normpath(member)):
                _add(archive, entry, content, mtime)
                if opts.verbose:
                    out.err(entry + ("/" if content is None else "") + "\n")
    if code and not call.busybox:
        out.err(words.failure_status())
    return buffer.getvalue(), code


def _walk(files: dict, path: str, name: str) -> Iterator[tuple[str, str | None]]:
    """(member name, content or None for a directory) under `path`, parents first."""
    if not fs.is_dir(files, path):
        yield name, files[path]
        return
    yield name, None
    for child in fs.listdir(files, path):
        yield from _walk(files, posixpath.join(path, child), posixpath.join(name, child))


def _add(archive: tarfile.TarFile, name: str, content: str | None, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.mtime, info.uname, info.gname = mtime, "root", "root"
    if content is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(info)
        return
    data = fs.unpack(content)
    info.size, info.mode = len(data), 0o644
    archive.addfile(info, io.BytesIO(data))


# --- extract and list ------------------------------------------------------------------


def _extract(opts: Options, call: Call, words: _Words, out: Output, data: bytes) -> ExecResult:
    failed = 2 if not call.busybox else 1
    target = fs.norm(opts.directory)
    if not fs.is_dir(call.ctx.files, target):
        out.err(words.cannot_chdir(opts.directory))
        return out.result(failed)
    members = _members(data)
    if members is None:
        out.err(words.not_an_archive(not data))
        return out.result(failed)
    for info, payload in members:
        name = posixpath.normpath(info.name.lstrip("/"))
        if name.startswith("../") or name == "..":
            continue  # tar refuses to write outside -C as well
        if opts.mode == "t" or opts.verbose:
            out.out(name + ("/" if info.isdir() else "") + "\n")
        if opts.mode == "x":
            _write_member(call.ctx.files, posixpath.join(target, name), info, payload)
    return out.result(0)


def _members(data: bytes) -> list[tuple[tarfile.TarInfo, bytes]] | None:
    """The archive's entries, or None when `data` is no tar archive."""
    if not data:
        return None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            members = []
            for info in archive:
                payload = b""
                if info.isreg():
                    extracted = archive.extractfile(info)
                    payload = extracted.read() if extracted is not None else b""
                members.append((info, payload))
            return members
    except (tarfile.TarError, EOFError, OSError):
        return None


def _write_member(files: dict, path: str, info: tarfile.TarInfo, payload: bytes) -> None:
    path = fs.norm(path)
    if info.isdir():
        if not fs.is_dir(files, path):
            files[path] = None
    elif info.isreg():
        if fs.is_dir(files, path):
            return
        files[path] = fs.pack(payload)


def _with_file_archive(opts: Options, call: Call, words: _Words, out: Output) -> ExecResult:
    """`tar cf /tmp/a.tar x` and `tar xf /tmp/a.tar`: the archive is a file in the container."""
    path = fs.norm(opts.archive or "")
    if opts.mode == "c":
        archive, code = _archive_bytes(opts, call, words, out)
        call.ctx.files[path] = fs.pack(archive)
        return out.result(code)
    content = call.ctx.files.get(path)
    if not isinstance(content, str):
        out.err(words.cannot_open(opts.archive or ""))
        return out.result(2 if not call.busybox else 1)
    return _extract(opts, call, words, out, fs.unpack(content))


# --- the words ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    busybox: bool

    def usage(self, error: str) -> str:
        if self.busybox:
            return "tar: invalid option\n" if error else "tar: no command specified\n"
        if error:
            return (f"tar: {error}\nTry 'tar --help' or 'tar --usage' for more "
                    "information.\n")
        return ("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' "
                "options\nTry 'tar --help' or 'tar --usage' for more information.\n")

    def leading_slash(self) -> str:
        return ("tar: removing leading '/' from member names\n" if self.busybox
                else "tar: Removing leading `/' from member names\n")

    def cannot_stat(self, name: str) -> str:
        return (f"tar: {name}: No such file or directory\n" if self.busybox
                else f"tar: {name}: Cannot stat: No such file or directory\n")

    def cannot_open(self, name: str) -> str:
        return (f"tar: can't open '{name}': No such file or directory\n" if self.busybox
                else f"tar: {name}: Cannot open: No such file or directory\n"
                     "tar: Error is not recoverable: exiting now\n")

    def cannot_chdir(self, name: str) -> str:
        return (f"tar: can't change directory to '{name}': No such file or directory\n"
                if self.busybox else f"tar: {name}: Cannot chdir: No such file or directory\n"
                                     "tar: Error is not recoverable: exiting now\n")

    def not_an_archive(self, empty: bool) -> str:
        if self.busybox:
            return "tar: short read\n" if empty else "tar: invalid tar magic\n"
        return ("tar: This does not look like a tar archive\n"
                "tar: Exiting with failure status due to previous errors\n")

    def empty_archive(self) -> str:
        return ("tar: empty archive\n" if self.busybox
                else "tar: Cowardly refusing to create an empty archive\n"
                     "Try 'tar --help' or 'tar --usage' for more information.\n")

    def failure_status(self) -> str:
        return "tar: Exiting with failure status due to previous errors\n"
