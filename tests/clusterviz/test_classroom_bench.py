"""bench.classroom as a smoke test: a class of 5 for 20 s on the real scaled-out stack (two
daphnes, runsim, PostgreSQL, Redis). Correctness only, never times: every student arrived
and did the lesson, no action or socket failed, and every object a student applied is still
there at the end, through the API and in the database."""

import pytest

from bench import classroom, stack


@pytest.mark.timeout(600)
def test_a_short_class_on_the_scaled_out_stack_loses_nothing(tmp_path):
    try:
        result = classroom.run(students=5, seconds=20, workdir=tmp_path)
    except stack.Unavailable as missing:
        pytest.skip(str(missing))
    assert result.errors == []
    assert result.arrived == 5
    assert result.missing == []
    assert set(result.log.count("load")) >= {"get", "describe", "curl", "terminal"}
