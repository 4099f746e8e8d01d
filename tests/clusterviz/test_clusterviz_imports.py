"""clusterviz's import rules: the UI-neutral operations below the pages, and no cycles.

`clusterviz/operations/` (what can be done to a cluster) and `clusterviz/web.py`
(the JSON endpoints' plumbing) serve every page; the dashboard, the lessons,
the room, the history and the classroom call them, never each other's
modules as a service layer. Two page-level reuses are allowed, each named in
`ALLOWED` with why. Among clusterviz's own modules, the imports that run when
a module is loaded (module level, class bodies included; not inside
functions, not under `if TYPE_CHECKING:`) form no cycle.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLUSTERVIZ = REPO / "clusterviz"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in CLUSTERVIZ.rglob("*.py")}


def _owning_module(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.module and node.level == 0:
        # `from clusterviz.operations import graph` imports the module ...operations.graph
        names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES
                 else node.module for a in node.names]
    else:
        names = []
    return {m for m in map(_owning_module, names) if m}


def _imports(path: Path, module_level: bool) -> set[str]:
    """The clusterviz modules `path` imports: all of them, or only those imported when it
    is loaded (`module_level`: not inside a function, not under `if TYPE_CHECKING:`)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if module_level and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.Lambda)):
                continue
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.update(_targets(child))
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    found.discard(_module_name(path))
    return found


# (importing module, imported module): why the page reuses the dashboard's own page.
ALLOWED = {
    # the teacher's Follow is the student's dashboard page, rendered read-only
    ("clusterviz.room.views", "clusterviz.dashboard.views"),
    # and its feed is the dashboard's graph socket, read-only (FollowConsumer subclasses it)
    ("clusterviz.room.consumers", "clusterviz.dashboard.consumers"),
}
# package: the packages it must not import
RULES = {
    "clusterviz.lessons": ("clusterviz.dashboard",),
    "clusterviz.room": ("clusterviz.dashboard",),
    "clusterviz.history": ("clusterviz.dashboard",),
    "clusterviz.classroom": ("clusterviz.dashboard",),
    "clusterviz.operations": ("clusterviz.dashboard", "clusterviz.lessons", "clusterviz.room"),
}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _crossings(module: str, imported: set[str]) -> list[str]:
    forbidden = [p for package, ps in RULES.items() if _in(module, package) for p in ps]
    return sorted(target for target in imported
                  if any(_in(target, p) for p in forbidden) and (module, target) not in ALLOWED)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if any(_in(m, p) for p in RULES)))
def test_it_imports_no_page_it_serves_or_sits_beside(module):
    assert _crossings(module, _imports(MODULES[module], module_level=False)) == []


def test_the_rules_find_a_crossing():
    imported = {"clusterviz.dashboard.views", "clusterviz.operations.graph"}
    assert _crossings("clusterviz.lessons.views", imported) == ["clusterviz.dashboard.views"]
    assert _crossings("clusterviz.room.views", imported) == []


def test_every_allowed_crossing_is_still_there():
    # an exception that is no longer used leaves the list
    assert {(m, t) for m, t in ALLOWED if t in _imports(MODULES[m], module_level=False)} \
        == ALLOWED


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_import_cycles_among_clustervizs_modules():
    graph = {name: _imports(path, module_level=True) for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [frozenset({"a", "b", "c"})]


def test_it_has_modules_to_check():
    assert len(MODULES) > 50 and "clusterviz.operations.actions" in MODULES
