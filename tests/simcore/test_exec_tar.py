"""`tar` in a container (what `kubectl cp` runs) and binary files in the text file system."""

from __future__ import annotations

import io
import tarfile

import pytest
from test_exec_fakenet import context

from simcore.exec import fs, run

NODE = "whatwant/node-web:1.0"  # GNU tar
BUSYBOX = "busybox"


def _archive(files: dict[str, bytes | None]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _stdin(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")  # as the exec socket hands stdin over


def _members(stdout: str) -> dict[str, bytes | None]:
    data = stdout.encode("utf-8", "surrogateescape")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: (archive.extractfile(m).read() if m.isreg() else None) for m in archive}


def test_create_writes_a_real_archive_of_files_and_directories():
    ctx = context(NODE)
    ctx.files.update({"/data/a.txt": "hello\n", "/data/sub/b.txt": "b\n"})
    result = run(["tar", "cf", "-", "/data"], ctx)
    assert result.exit_code == 0
    assert result.stderr == "tar: Removing leading `/' from member names\n"
    assert _members(result.stdout) == {"data": None, "data/a.txt": b"hello\n",
                                       "data/sub": None, "data/sub/b.txt": b"b\n"}


@pytest.mark.parametrize("argv", [
    pytest.param(["tar", "-xmf", "-", "-C", "/tmp"], id="kubectl-cp"),
    pytest.param(["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-", "-C", "/tmp"],
                 id="kubectl-cp-no-preserve"),
    pytest.param(["tar", "xf", "-", "--directory=/tmp"], id="old-style-letters"),
])
def test_extract_writes_the_files(argv):
    ctx = context(NODE)
    ctx.stdin = _stdin(_archive({"d": None, "d/x.txt": b"x\n", "d/bin": b"\x00\xff\x01"}))
    result = run(argv, ctx)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert ctx.files["/tmp/d"] is None
    assert ctx.files["/tmp/d/x.txt"] == "x\n"
    assert fs.unpack(ctx.files["/tmp/d/bin"]) == b"\x00\xff\x01"


def test_a_binary_file_survives_the_round_trip():
    data = bytes(range(256)) * 4
    ctx = context(NODE)
    ctx.stdin = _stdin(_archive({"blob": data}))
    assert run(["tar", "xf", "-", "-C", "/"], ctx).exit_code == 0
    assert "\x00" not in ctx.files["/blob"]  # storable as JSON, even in PostgreSQL's jsonb
    assert _members(run(["tar", "cf", "-", "blob"], ctx).stdout) == {"blob": data}


@pytest.mark.parametrize("image, argv, stdin, code, stderr", [
    pytest.param(NODE, ["tar", "cf", "-", "/nope"], "", 2,
                 "tar: Removing leading `/' from member names\n"
                 "tar: /nope: Cannot stat: No such file or directory\n"
                 "tar: Exiting with failure status due to previous errors\n", id="gnu-missing"),
    pytest.param(BUSYBOX, ["tar", "cf", "-", "/nope"], "", 1,
                 "tar: removing leading '/' from member names\n"
                 "tar: /nope: No such file or directory\n", id="busybox-missing"),
    pytest.param(NODE, ["tar", "xf", "-", "-C", "/nope"], "x", 2,
                 "tar: /nope: Cannot chdir: No such file or directory\n"
                 "tar: Error is not recoverable: exiting now\n", id="gnu-no-directory"),
    pytest.param(BUSYBOX, ["tar", "xf", "-", "-C", "/nope"], "x", 1,
                 "tar: can't change directory to '/nope': No such file or directory\n",
                 id="busybox-no-directory"),
    pytest.param(NODE, ["tar", "xf", "-"], "not an archive", 2,
                 "tar: This does not look like a tar archive\n"
                 "tar: Exiting with failure status due to previous errors\n",
                 id="gnu-not-an-archive"),
    pytest.param(BUSYBOX, ["tar", "xf", "-"], "not an archive", 1,
                 "tar: invalid tar magic\n", id="busybox-not-an-archive"),
    pytest.param(NODE, ["tar", "cf", "-"], "", 2,
                 "tar: Cowardly refusing to create an empty archive\n"
                 "Try 'tar --help' or 'tar --usage' for more information.\n", id="gnu-nothing"),
    pytest.param(NODE, ["tar", "-xQf", "-"], "", 2,
                 "tar: invalid option -- 'Q'\n"
                 "Try 'tar --help' or 'tar --usage' for more information.\n",
                 id="gnu-bad-option"),
])
def test_tar_errors(image, argv, stdin, code, stderr):
    ctx = context(image)
    ctx.stdin = stdin
    result = run(argv, ctx)
    assert (result.exit_code, result.stderr) == (code, stderr)


def test_list_and_an_archive_file_in_the_container():
    ctx = context(NODE)
    ctx.files["/etc/motd"] = "hi\n"
    assert run(["tar", "cf", "/tmp/a.tar", "/etc/motd"], ctx).exit_code == 0
    assert run(["tar", "tf", "/tmp/a.tar"], ctx).stdout == "etc/motd\n"
    assert run(["sh", "-c", "cat /tmp/a.tar | tar tf -"], ctx).stdout == "etc/motd\n"


@pytest.mark.parametrize("data, text", [
    pytest.param(b"plain\n", "plain\n", id="text-stays-text"),
    pytest.param(b"nul\x00", None, id="nul-is-binary"),
    pytest.param(b"\xff\xfe", None, id="not-utf8-is-binary"),
    pytest.param("\ue000x".encode(), None, id="marker-lookalike-is-binary"),
])
def test_pack(data, text):
    packed = fs.pack(data)
    assert fs.unpack(packed) == data
    if text is not None:
        assert packed == text
    else:
        assert packed.startswith("\ue000") and "\x00" not in packed
