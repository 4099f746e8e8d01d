"""Clusters: their storage (models) and the runtime every operation on one goes through."""
