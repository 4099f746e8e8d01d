"""The web terminal's flag table (`kubectlargs.COMMANDS`) against the bundled kubectl's own.

For each row: kubectl defines the flag for that command with that shorthand (its
`--help` lists it), and the flag needs a value exactly when the row says so (a
bare `--name` as the last word is refused by pflag with "flag needs an argument"
unless the flag has a NoOptDefVal). A kubectl upgrade that changes a flag fails
here, not in a student's terminal.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest

from clusterviz.dashboard.kubectlargs import COMMANDS, GLOBAL, Flag
from tests.kubectl.kubectl_fixtures import KUBECTL

pytest_plugins = ["kubectl_fixtures"]  # fixtures; see kubectl_fixtures.py for why not conftest.py

OPTION = re.compile(r"^\s+(?:-(\w), )?--([\w-]+)=", re.MULTILINE)


def _kubectl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, timeout=60,
                          cwd="/")


@cache
def _defined(path: tuple[str, ...]) -> dict[str, str]:
    """kubectl's flags for `path` (globals for ()), long name to shorthand, from its help."""
    text = _kubectl(*path, "--help").stdout if path else _kubectl("options").stdout
    if path:
        text = text.split("\nOptions:\n", 1)[1].split("\nUsage:\n", 1)[0]
    return {long: short or "" for short, long in OPTION.findall(text)}


def _rows() -> list[tuple[tuple[str, ...], Flag]]:
    rows = [((), flag) for flag in GLOBAL if flag.name != "help"]  # cobra adds -h/--help
    for name, verb in COMMANDS.items():
        rows += [((name,), flag) for flag in verb.flags]
        for sub, subverb in verb.subcommands.items():
            rows += [((name, sub), flag) for flag in subverb.flags]
    return rows


def _needs_value(path: tuple[str, ...], flag: Flag) -> bool:
    done = _kubectl(*(path or ("get",)), "--help", f"--{flag.name}")
    assert done.returncode == 0 or "flag needs an argument" in done.stderr, done.stderr
    return done.returncode != 0


def test_every_allowed_flag_is_kubectls_with_its_shorthand_and_value_rule():
    rows = _rows()
    for path, flag in rows:
        assert _defined(path).get(flag.name) == flag.short, (path, flag.name)
    with ThreadPoolExecutor(4) as pool:
        needs = list(pool.map(lambda row: _needs_value(*row), rows))
    wrong = [(path, flag.name) for (path, flag), need in zip(rows, needs, strict=True)
             if need != (flag.no_opt == "")]
    assert wrong == []


@pytest.mark.parametrize("output, template", [
    pytest.param("go-template-file", "canary {{.kind}}", id="go-template-file"),
    pytest.param("templatefile", "canary {{.kind}}", id="templatefile"),
    pytest.param("jsonpath-file", "canary {.kind}", id="jsonpath-file"),
    pytest.param("custom-columns-file", "canary\n.kind", id="custom-columns-file"),
])
def test_the_refused_output_formats_are_the_ones_kubectl_reads_from_a_file(
        output, template, kubectl, tmp_path):
    """Each refused -o format prints a file's content (so refusing it matters)."""
    path = tmp_path / "template"
    path.write_text(template)
    out = kubectl("get", "nodes", "-o", f"{output}={path}").stdout
    assert out.lower().startswith("canary")
