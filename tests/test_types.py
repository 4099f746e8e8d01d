"""mypy (pinned in the test extras, configured in pyproject.toml) is clean over simcore and
clusterviz, generated migrations aside: every module, a new one from its first commit. One
mypy run checks both packages: each run pays for the standard library."""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simcore", "clusterviz")


def test_simcore_and_clusterviz_type_check():
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                "--cache-dir", str(ROOT / ".mypy_cache"),
                                *[str(ROOT / m) for m in _modules()]])
    assert [line for line in out.splitlines() if ": error:" in line] == [], out + err
    assert status == 0, out + err


def _modules() -> list[str]:
    paths = (p.relative_to(ROOT) for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    return sorted(p.as_posix() for p in paths if "migrations" not in p.parts)


def _module(line: str) -> str:
    return (ROOT / line.split(":", 1)[0]).resolve().relative_to(ROOT).as_posix()
