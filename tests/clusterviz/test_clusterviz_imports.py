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
from importgraph import cycles, modules, targets

REPO = Path(__file__).resolve().parents[2]
CLUSTERVIZ = REPO / "clusterviz"
MODULES = modules(CLUSTERVIZ)


def _imports(module: str, module_level: bool) -> set[str]:
    """The clusterviz modules `module` imports: all of them, or only those imported when it
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
                found.update(targets(child, MODULES))
            visit(child)

    path = MODULES[module]
    visit(ast.parse(path.read_text(), str(path)))
    found.discard(module)
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
    assert _crossings(module, _imports(module, module_level=False)) == []


def test_the_rules_find_a_crossing():
    imported = {"clusterviz.dashboard.views", "clusterviz.operations.graph"}
    assert _crossings("clusterviz.lessons.views", imported) == ["clusterviz.dashboard.views"]
    assert _crossings("clusterviz.room.views", imported) == []


def test_every_allowed_crossing_is_still_there():
    # an exception that is no longer used leaves the list
    assert {(m, t) for m, t in ALLOWED if t in _imports(m, module_level=False)} \
        == ALLOWED


def test_no_import_cycles_among_clustervizs_modules():
    graph = {name: _imports(name, module_level=True) for name in MODULES}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_it_has_modules_to_check():
    assert len(MODULES) > 50 and "clusterviz.operations.actions" in MODULES
