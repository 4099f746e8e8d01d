"""The rule that ties virtual time to wall time."""

from datetime import UTC, datetime, timedelta

import pytest

from clusterviz.clusters.clock import virtual_elapsed

SAVED = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("stored, real, speed, expected", [
    pytest.param(0.0, 10, 1.0, 10.0, id="real-speed"),
    pytest.param(100.0, 10, 1.0, 110.0, id="continues-from-stored"),
    pytest.param(5.0, 10, 2.0, 25.0, id="twice-as-fast"),
    pytest.param(5.0, 10, 0.0, 5.0, id="paused"),
    pytest.param(5.0, -3, 1.0, 5.0, id="never-backwards"),
])
def test_virtual_elapsed(stored, real, speed, expected):
    assert virtual_elapsed(stored, SAVED, speed, SAVED + timedelta(seconds=real)) == expected
