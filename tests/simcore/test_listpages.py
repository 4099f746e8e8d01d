"""Chunked lists: limit, continue, remainingItemCount, the consistent read and 410 Expired."""

from __future__ import annotations

import pytest

from simcore import Simulation, errors, listpages


@pytest.fixture
def sim():
    sim = Simulation.from_preset("lecture", seed=0)
    for i in range(5):
        sim.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": f"cm-{i}", "labels": {"i": str(i)}},
                                      "data": {"v": "0"}}, "default")
    return sim


def names(listed: dict) -> list[str]:
    return [o["metadata"]["name"] for o in listed["items"]]


def all_pages(sim, limit: int, **selectors) -> list[list[str]]:
    pages, token = [], None
    while True:
        listed = sim.api.list("configmaps", "default", limit=limit, continue_token=token,
                              **selectors)
        pages.append(names(listed))
        token = listed["metadata"].get("continue")
        if not token:
            return pages


def test_pages_come_in_key_order_with_a_count_of_what_remains(sim):
    first = sim.api.list("configmaps", "default", limit=2)
    assert names(first) == ["cm-0", "cm-1"]
    assert first["metadata"]["remainingItemCount"] == 4  # cm-2..4 and kube-root-ca.crt
    rv, start = listpages.decode_continue(first["metadata"]["continue"])
    assert (rv, start) == (int(first["metadata"]["resourceVersion"]), "cm-1\x00")
    assert all_pages(sim, 2) == [["cm-0", "cm-1"], ["cm-2", "cm-3"], ["cm-4", "kube-root-ca.crt"]]


def test_a_selected_list_has_no_remaining_count(sim):
    first = sim.api.list("configmaps", "default", label_selector="i", limit=2)
    assert "continue" in first["metadata"] and "remainingItemCount" not in first["metadata"]
    assert all_pages(sim, 2, label_selector="i,i!=1") == [["cm-0", "cm-2"], ["cm-3", "cm-4"]]


def test_later_pages_show_the_list_as_it_was_at_the_first(sim):
    first = sim.api.list("configmaps", "default", limit=2)
    sim.api.delete("configmaps", "cm-3", "default")
    sim.api.patch("configmaps", "cm-2", {"data": {"v": "1"}}, "application/merge-patch+json",
                  "default")
    sim.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": "cm-25"}}, "default")
    second = sim.api.list("configmaps", "default", limit=2,
                          continue_token=first["metadata"]["continue"])
    assert names(second) == ["cm-2", "cm-3"]
    assert second["items"][0]["data"] == {"v": "0"}
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_a_token_older_than_the_history_kept_is_410_expired(sim):
    first = sim.api.list("configmaps", "default", limit=2)
    sim.api.delete("configmaps", "cm-4", "default")
    restarted = Simulation.from_state(sim.state())  # history before a reload is not kept
    with pytest.raises(errors.APIError) as caught:
        restarted.api.list("configmaps", "default", limit=2,
                           continue_token=first["metadata"]["continue"])
    status = caught.value.status
    assert (status["code"], status["reason"], status["message"]) == (
        410, "Expired", listpages.EXPIRED)
    inconsistent = status["metadata"]["continue"]
    assert listpages.decode_continue(inconsistent) == (-1, "cm-1\x00")
    rest = restarted.api.list("configmaps", "default", limit=5, continue_token=inconsistent)
    assert names(rest) == ["cm-2", "cm-3", "kube-root-ca.crt"]


@pytest.mark.parametrize("token", [
    pytest.param("garbage!", id="not-base64"),
    pytest.param("eyJ2IjoieCJ9", id="other-version"),
    pytest.param("bnVsbA", id="json-null"),
])
def test_a_token_this_server_did_not_write_is_400(sim, token):
    with pytest.raises(errors.APIError) as caught:
        sim.api.list("configmaps", "default", limit=2, continue_token=token)
    assert caught.value.status["code"] == 400
    assert caught.value.status["message"] == ("invalid continue token: continue key is not "
                                              "valid: server does not recognize this encoding")


@pytest.mark.parametrize("limit", [0, -3], ids=["zero", "negative"])
def test_a_limit_below_one_is_no_limit(sim, limit):
    listed = sim.api.list("configmaps", "default", limit=limit)
    assert len(listed["items"]) == 6 and "continue" not in listed["metadata"]
