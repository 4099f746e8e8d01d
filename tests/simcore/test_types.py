"""mypy (pinned in the test extras, configured in pyproject.toml) is clean over simcore's
typed modules: the shared object readers, the trace steps, the kubelet's records and
log reader, the loop contract and list, the workload helpers and the exec leaf. Add a
module here once it type-checks."""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]
TYPED = ["simcore/objects.py", "simcore/trace.py", "simcore/node/records.py",
         "simcore/node/logs.py", "simcore/loop.py", "simcore/controllers/workloads.py",
         "simcore/components.py", "simcore/presets/__init__.py", "simcore/exec/call.py",
         "simcore/tracetext.py"]


def test_the_typed_modules_type_check():
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                "--cache-dir", str(ROOT / ".mypy_cache"),
                                *[str(ROOT / m) for m in TYPED]])
    assert status == 0, out + err
