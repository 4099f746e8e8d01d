from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
LECTURE = SHARED / "lecture"
COURSE = SHARED / "course"


@pytest.fixture
def lecture_file():
    def read(name: str) -> str:
        return (LECTURE / name).read_text()
    return read
