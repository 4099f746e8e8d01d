"""Ready-made clusters: `lecture` (the lecture's three nodes) and `large` (N generated nodes)."""

from __future__ import annotations

from datetime import datetime

from simcore.presets.builder import ClusterBuilder


def build(name: str, seed: int, start: datetime, **options):
    from simcore.presets import large, lecture
    from simcore.simulation import Simulation
    if name == "lecture":
        config = {**lecture.CONFIG, **options}
        sim = Simulation.empty(seed=seed, start=start, config=config)
        lecture.build_lecture(ClusterBuilder(sim))
    elif name == "large":
        config = {**large.CONFIG, **{k: v for k, v in options.items() if k != "nodes"}}
        sim = Simulation.empty(seed=seed, start=start, config=config)
        large.build_large(ClusterBuilder(sim), options.get("nodes", 100))
    else:
        raise ValueError(f"unknown preset {name!r}: choose lecture or large")
    sim.engine.settle()
    return sim
