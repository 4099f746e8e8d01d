"""The control loops of the simulated cluster, one module per controller.

Each controller says which resources it watches and how a change maps to the
keys it reconciles (`keys_for`); the engine feeds those keys through the
controller's work queue to its level-triggered `sync(key)`. Which loops run,
and in what order, is `simcore.components.COMPONENTS` (above controllers/, node/
and net/).
"""
