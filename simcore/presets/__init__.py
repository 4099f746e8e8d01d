"""Ready-made clusters: `lecture` (the lecture's three nodes) and `large` (N generated nodes).

`config(name, options)` is the engine configuration a preset runs with, `build(name,
engine, options)` makes its objects through the API server and lets the loops settle.
The facade (`Simulation.from_preset`) makes the engine between the two, so presets never
name the facade: they sit below it in the house.
"""

from __future__ import annotations

from simcore.engine import Engine
from simcore.presets import large, lecture
from simcore.presets.builder import ClusterBuilder


def config(name: str, options: dict) -> dict:
    """Preset `name`'s engine config with `options` over it; ValueError for an unknown name."""
    if name == "lecture":
        return {**lecture.CONFIG, **options}
    if name == "large":
        return {**large.CONFIG, **{k: v for k, v in options.items() if k != "nodes"}}
    raise ValueError(f"unknown preset {name!r}: choose lecture or large")


def build(name: str, engine: Engine, options: dict) -> None:
    """Make preset `name`'s objects in `engine` (made with `config(name, options)`)."""
    builder = ClusterBuilder(engine)
    if name == "lecture":
        lecture.build_lecture(builder)
    else:
        large.build_large(builder, options.get("nodes", 100))
    engine.settle()
