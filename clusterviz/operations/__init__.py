"""What a cluster's users can do to it, UI-neutral: plain functions that take a slug.

Apply and preview manifests, run a command from a pod, a node or an outside
client (`actions`), a Fire N burst (`fire`), the clock (`timecontrol`), the
inspector (`inspector`), the failure demos (`failures`), a request's path on
the graph (`path`), and the graph itself, as elements, deltas and snapshots
(`graph`, `snapshot`). The dashboard's views and consumers, the lessons'
runner, the room's cards and the history's replay all call these; they
refuse with `clusterviz.web.Refused` and answer dicts ready for JSON.
Nothing here imports a page's app (dashboard, lessons, room):
`tests/clusterviz/test_clusterviz_imports.py` checks it.
"""
