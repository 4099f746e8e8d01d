"""The web side reaches the engine through simcore's facade and a short list of public
modules, and never through `sim.engine` (the facade says what it may ask: `rv`, `elapsed`,
`next_due`, `bounded`, `container_log`, ...)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLUSTERVIZ = ROOT / "clusterviz"

PUBLIC = {
    # the facade: Simulation, ApplyResult, ExecResult, parse_documents and the errors;
    # simcore.simulation is its module (lessons and classroom still name it)
    "simcore", "simcore.simulation", "simcore.errors",
    # the parts of the API server that clusterviz/k8sapi serves over HTTP as they are
    "simcore.apiserver", "simcore.resources", "simcore.patch", "simcore.serversideapply",
    "simcore.labels", "simcore.fields", "simcore.printers", "simcore.printers.cluster",
    "simcore.printers.network", "simcore.printers.pods",
    # the stream protocols of exec, attach and port-forward
    "simcore.portforward", "simcore.exec.tty", "simcore.exec.shell",
    # small readers and formats every layer shares
    "simcore.objects", "simcore.clock", "simcore.jsoncopy", "simcore.safeyaml",
    "simcore.identitycache", "simcore.presets.options",
    # the upload form's dry-run picture of what a manifest connects to
    "simcore.wiring",
    # the English templates of the trace's and the wiring account's messages, which
    # clusterviz/traces/text.py renders in the page's language
    "simcore.tracetext", "simcore.wiringtext",
}


def _module_exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _simcore_imports(tree: ast.AST) -> set[str]:
    """The simcore modules a file imports (`from simcore import errors` is simcore.errors)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "simcore")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == "simcore":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _module_exists(sub) else node.module)
    return found


def _engine_touches(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "engine"]


SOURCES = sorted(CLUSTERVIZ.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(CLUSTERVIZ)))
def test_it_imports_only_public_simcore_modules(path):
    tree = ast.parse(path.read_text(), str(path))
    assert _simcore_imports(tree) - PUBLIC == set()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(CLUSTERVIZ)))
def test_it_never_reaches_into_the_engine(path):
    assert _engine_touches(ast.parse(path.read_text(), str(path))) == []


@pytest.mark.parametrize("source, expected", [
    pytest.param("from simcore import errors", {"simcore.errors"}, id="submodule"),
    pytest.param("from simcore import Simulation", {"simcore"}, id="facade-name"),
    pytest.param("from simcore.node.records import pod_record", {"simcore.node.records"},
                 id="private-module"),
    pytest.param("import simcore.engine", {"simcore.engine"}, id="plain-import"),
])
def test_the_scanner_resolves_what_is_imported(source, expected):
    assert _simcore_imports(ast.parse(source)) == expected


def test_the_scanner_sees_an_engine_touch():
    assert _engine_touches(ast.parse("x = 1\nrv = sim.engine.store.rv\n")) == [2]
