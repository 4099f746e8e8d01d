"""A package's import graph and its cycles, for the tests that check simcore's and
clusterviz's imports (tests/simcore/test_imports.py, tests/clusterviz/test_clusterviz_imports.py)."""

import ast
from pathlib import Path


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package in folder `package`, by its dotted name."""
    def name(path: Path) -> str:
        parts = path.relative_to(package.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return {name(p): p for p in package.rglob("*.py")}


def targets(node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> set[str]:
    """The modules of `known` an import statement loads (absolute imports only)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.module and node.level == 0:
        # `from simcore.exec import fs` imports the module simcore.exec.fs
        names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                 else node.module for a in node.names]
    else:
        names = []
    return {m for m in (_owner(n, known) for n in names) if m}


def _owner(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
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
