"""simcore is a library: no Django, Channels, daphne or clusterviz anywhere in it."""

import ast
from pathlib import Path

import pytest

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
