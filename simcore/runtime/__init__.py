"""Moved to simcore/node/ (see simcore/runtime/containers.py)."""
