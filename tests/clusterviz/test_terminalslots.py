"""How many web-terminal commands run at once: per person, in total, and who a socket is."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest

from clusterviz.dashboard.terminalslots import Slots, who_of
from clusterviz.web import Refused


def test_a_person_over_their_limit_is_refused_and_others_are_not(settings):
    settings.TERMINAL_MAX_PER_PERSON, settings.TERMINAL_MAX_TOTAL = 2, 10
    slots = Slots()
    with slots.hold("a"), slots.hold("a"):
        with pytest.raises(Refused) as refused, slots.hold("a"):
            pass
        assert str(refused.value) == ("refused: you already have 2 kubectl commands running "
                                      "(in other tabs or windows); stop one first")
        with slots.hold("b"):
            assert slots.running == {"a": 2, "b": 1}
    assert slots.running == {}


def test_the_server_total_is_a_limit_for_everyone(settings):
    settings.TERMINAL_MAX_PER_PERSON, settings.TERMINAL_MAX_TOTAL = 2, 3
    slots = Slots()
    with contextlib.ExitStack() as held:
        for who in ("a", "a", "b"):
            held.enter_context(slots.hold(who))
        with pytest.raises(Refused) as refused, slots.hold("c"):
            pass
    assert str(refused.value) == ("refused: the server is already running 3 terminal commands, "
                                  "its limit; try again when one has finished")
    with slots.hold("c"):  # given back when the commands ended
        assert slots.running == {"c": 1}


def test_a_slot_is_given_back_when_the_command_fails(settings):
    slots = Slots()
    with pytest.raises(RuntimeError), slots.hold("a"):
        raise RuntimeError("kubectl could not start")
    assert slots.running == {}


@pytest.mark.parametrize("scope, who", [
    pytest.param({"user": SimpleNamespace(is_authenticated=True, pk=7),
                  "session": SimpleNamespace(session_key="s1"), "client": ("10.0.0.5", 5)},
                 "user:7", id="signed-in"),
    pytest.param({"user": SimpleNamespace(is_authenticated=False, pk=None),
                  "session": SimpleNamespace(session_key="s1"), "client": ("10.0.0.5", 5)},
                 "session:s1", id="anonymous-with-session"),
    pytest.param({"session": SimpleNamespace(session_key=None), "client": ("10.0.0.5", 5)},
                 "client:10.0.0.5", id="session-not-saved"),
    pytest.param({"client": ("10.0.0.5", 5)}, "client:10.0.0.5", id="no-auth-middleware"),
    pytest.param({}, "client:", id="no-client"),
])
def test_who_a_socket_belongs_to(scope, who):
    assert who_of(scope) == who
