"""simcore is a library: no Django, Channels, daphne or clusterviz anywhere in it."""

import ast
import re
from pathlib import Path

import pytest
from importgraph import cycles, modules, targets

SIMCORE = Path(__file__).resolve().parents[2] / "simcore"
FORBIDDEN = ("django", "channels", "daphne", "clusterviz")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(SIMCORE.rglob("*.py")), ids=lambda p: p.name)
def test_it_imports_no_web_framework(path):
    bad = [n for n in _imports(path) if n.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_it_has_modules_to_check():
    assert len(list(SIMCORE.rglob("*.py"))) > 20


# --- the import graph among simcore's own modules -------------------------------------------

# Known cycles, each with why it is still here; the test fails when one is fixed too, so
# the list shrinks with the code.
KNOWN_CYCLES: set[frozenset[str]] = set()
MODULES = modules(SIMCORE)


def _edges(name: str, path: Path) -> set[str]:
    """Modules `name` imports, at module level or inside functions. Imports under
    `if TYPE_CHECKING:` are types only; an import whose line says `# lazy:` (with the
    reason) is deliberate lazy loading and not an edge."""
    source = path.read_text()
    lines = source.splitlines()
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)) and \
                    "# lazy:" not in lines[child.lineno - 1]:
                found.update(targets(child, MODULES))
            visit(child)

    visit(ast.parse(source, str(path)))
    found.discard(name)
    return found


GRAPH = {name: _edges(name, path) for name, path in MODULES.items()}


def test_no_import_cycles_among_simcores_modules():
    assert set(cycles(GRAPH)) == KNOWN_CYCLES


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def _imports_of_package(package: str) -> set[tuple[str, str]]:
    return {(name, target) for name, targets in GRAPH.items()
            if name.startswith(f"simcore.{package}.") for target in targets}


@pytest.mark.parametrize("package, forbidden", [
    pytest.param("controllers", "net", id="controllers-not-net"),
    pytest.param("controllers", "node", id="controllers-not-node"),
    pytest.param("node", "net", id="node-not-net"),
    pytest.param("node", "controllers", id="node-not-controllers"),
])
def test_layers_do_not_import_upwards(package, forbidden):
    bad = {(a, b) for a, b in _imports_of_package(package)
           if b == f"simcore.{forbidden}" or b.startswith(f"simcore.{forbidden}.")}
    assert bad == set()


# the engine's runtime table by name, or the kubelet loop's own `state` from outside it
KUBELET_STATE = re.compile(r"""runtime(\.get\(|\[)\s*["']kubelet["']|"""
                           r"""by_name(\.get\(|\[)\s*["']kubelet["']\)?\]?\.state""")


def test_only_node_records_reads_the_kubelets_saved_state():
    readers = sorted(name for name, path in MODULES.items()
                     if KUBELET_STATE.search(path.read_text()))
    assert readers == ["simcore.node.records"]
