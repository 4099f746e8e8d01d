"""simcore: a simulated Kubernetes cluster in pure Python.

The public facade is `Simulation` (with `ApplyResult`, what `apply` answers per
document, `ExecResult`, what a command run in a pod or on a node answers, and
`parse_documents`, the manifest reader `apply` uses, and `Touched`, what
`Simulation.touched()` says a runtime table noted); errors are the API server's
(`NotFound`, `AlreadyExists`, `Invalid`, `Conflict`, `BadRequest`, `Gone`, all
`APIError`s carrying a Status dict). See `simcore.simulation`.
"""

from simcore.errors import (
    AlreadyExists,
    APIError,
    BadRequest,
    Conflict,
    Gone,
    Invalid,
    NotFound,
)
from simcore.exec.context import ExecResult
from simcore.simulation import ApplyResult, Simulation, parse_documents
from simcore.touched import Touched

__all__ = ["APIError", "AlreadyExists", "ApplyResult", "BadRequest", "Conflict", "ExecResult",
           "Gone", "Invalid", "NotFound", "Simulation", "Touched", "parse_documents"]
