"""Every manifest of the course applies through the facade, or gets the API server's refusal."""

from pathlib import Path

import pytest

from simcore import Simulation

COURSE = Path(__file__).resolve().parents[2].parent / "shared" / "course"
FILES = sorted(p for p in COURSE.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.fixture(scope="module")
def base_state():
    return Simulation.from_preset("lecture", seed=0).state()


def test_the_corpus_is_there():
    assert len(FILES) > 200


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(COURSE)))
def test_it_applies_or_refuses_like_the_api_server(path, base_state):
    sim = Simulation.from_state(base_state)
    results = sim.apply(path.read_text(), create=True)
    for result in results:
        if result.error is None:
            assert result.action == "created"
            assert sim.api.try_get_ref(result.kind, result.name, result.namespace) is not None
        else:
            assert set(result.error) >= {"kind", "status", "message", "reason", "code"}
            assert result.error["code"] in (400, 403, 404, 409, 422)
            assert result.error["message"]
    sim.advance(30)


@pytest.mark.parametrize("relative, kind, message", [
    pytest.param("2021-04/03-week/cronjob.yaml", "CronJob",
                 'no matches for kind "CronJob" in version "batch/v1beta1"', id="removed-version"),
    pytest.param("2022-01/08-week/psp/podsecuritypolicy.yaml", "PodSecurityPolicy",
                 'no matches for kind "PodSecurityPolicy" in version "policy/v1beta1"',
                 id="removed-kind"),
    pytest.param("2021-04/07-week/04-node-web-deployment-strategy.yaml", "Deployment",
                 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding '
                 'error: unknown field "spec.spec"', id="typo-strict-field"),
    pytest.param("2022-07/09-RBAC/hands-on/RoleBinding.yaml", "RoleBinding",
                 'namespaces "whatwant" not found', id="missing-namespace"),
    pytest.param("2022-07/05-Ingress-LoadBalancer/hands-on/metallb-ip.yaml", "IPAddressPool",
                 'no matches for kind "IPAddressPool" in version "metallb.io/v1beta1"',
                 id="crd-not-installed"),
])
def test_it_refuses_with_the_api_servers_words(base_state, relative, kind, message):
    sim = Simulation.from_state(base_state)
    before = sim.engine.store.rv
    [result] = [r for r in sim.apply((COURSE / relative).read_text(), create=True)
                if r.kind == kind][:1]
    assert result.action is None
    assert result.error["message"] == message
    if len(sim.apply((COURSE / relative).read_text(), create=True)) == 1:
        assert sim.engine.store.rv == before  # a refused document changes nothing


def test_an_endpoints_object_made_before_its_service_survives(base_state, lecture_file):
    sim = Simulation.from_state(base_state)
    sim.apply(lecture_file("endpoints.yaml"), create=True)
    sim.apply(lecture_file("svc-no-selector.yaml"), create=True)
    ep = sim.get("endpoints", "external-service")
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == ["11.11.11.11", "22.22.22.22"]
    slices = sim.list("endpointslices", label_selector="kubernetes.io/service-name="
                      "external-service")
    assert [s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"]
            for s in slices] == ["endpointslicemirroring-controller.k8s.io"]
    sim.delete("services", "external-service")
    assert sim.list("endpoints", field_selector="metadata.name=external-service") == []
