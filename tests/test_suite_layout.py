"""The suite's own shape: test modules are imported by their file name (no packages under
tests/), so two files of one name in two folders stop the whole run at collection."""

from collections import Counter
from pathlib import Path


def test_no_two_test_modules_share_a_name():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
