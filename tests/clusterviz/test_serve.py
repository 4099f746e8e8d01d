"""The launcher's own flag: a header deadline must be a positive, finite number of seconds.

What the deadline does to a live connection is in tests/kubectl/test_slow_clients.py.
"""

from __future__ import annotations

import pytest

from clusterviz import serve


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "soon"])
def test_it_refuses_a_header_timeout_it_cannot_use(value, capsys):
    with pytest.raises(SystemExit) as stopped:
        serve.main(["--header-timeout", value, "clusterviz.asgi:application"])
    assert stopped.value.code == 2
    assert "--header-timeout" in capsys.readouterr().err
