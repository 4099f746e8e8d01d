"""kube-proxy's random mode: each of n endpoints gets 1/n, picked with one draw, and the
trace still names the rule that matched as "rule i of n" with that rule's own probability."""

import random
from collections import Counter

import pytest

from simcore import Simulation
from simcore.net.kubeproxy import pick_rule

# chi-square with n-1 degrees of freedom, the value exceeded by chance once in a thousand
CRITICAL_001 = {1: 10.83, 2: 13.82, 4: 18.47, 9: 27.88, 99: 148.2}


@pytest.mark.parametrize("n", [2, 3, 5, 10, 100])
def test_it_picks_each_of_n_rules_uniformly(n):
    rng = random.Random(13)  # seeded: the same draws every run, so the test never flakes
    draws = 2_000 * n
    counts = Counter(pick_rule(n, rng)[0] for _ in range(draws))
    assert set(counts) == set(range(1, n + 1))
    expected = draws / n
    chi_square = sum((counts[rule] - expected) ** 2 / expected for rule in range(1, n + 1))
    assert chi_square < CRITICAL_001[n - 1]


@pytest.mark.parametrize("n, rule, probability", [
    pytest.param(1, 1, 1.0, id="the-only-rule"),
    pytest.param(4, 1, 0.25, id="first-of-4"),
    pytest.param(4, 2, 1 / 3, id="second-of-4"),
    pytest.param(4, 4, 1.0, id="last-always-matches"),
])
def test_it_gives_rule_i_of_n_the_probability_iptables_writes(n, rule, probability):
    class Fixed:  # an rng whose draw lands on `rule`
        def randrange(self, stop):
            assert stop == n
            return rule - 1
    assert pick_rule(n, Fixed()) == (rule, pytest.approx(probability))


def test_the_trace_names_the_rule_that_chose_the_endpoint(lecture_file):
    sim = Simulation.from_preset("lecture", seed=0)
    sim.apply(lecture_file("rs-node-web.yaml"), create=True)
    sim.apply(lecture_file("svc-none-node-web.yaml"), create=True)
    sim.run_until_idle(60)
    ip = sim.get("services", "svc-node")["spec"]["clusterIP"]
    rules = Counter()
    for _ in range(60):
        step = next(s for s in sim.exec_on_node("worker1", f"curl -s http://{ip}").trace
                    if s["step"] == "proxy")
        n, rule = len(step["candidates"]), step["rule"]
        assert (step["how"], n) == ("random", 3)
        assert step["chosen"] == step["candidates"][rule - 1]
        assert step["probability"] == round(1 / (n - rule + 1), 10)
        assert f"rule {rule} of {n} matched" in step["detail"]
        rules[rule] += 1
    assert set(rules) == {1, 2, 3}  # 60 curls reach every rule
