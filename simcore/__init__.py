"""simcore: a simulated Kubernetes cluster in pure Python.

The public facade is `Simulation`; errors are the API server's (`NotFound`,
`AlreadyExists`, `Invalid`, `Conflict`, `BadRequest`, `Gone`, all
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
from simcore.simulation import ApplyResult, Simulation

__all__ = ["APIError", "AlreadyExists", "ApplyResult", "BadRequest", "Conflict", "Gone",
           "Invalid", "NotFound", "Simulation"]
