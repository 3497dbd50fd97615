"""The lean pass on several processes reads exactly what one process reads.

Big folders are read by one worker per core (loaders/pool.py); the curated data is
too small to use them, so these tests lower the threshold to force the workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, MINI
from loaders import check as check_module
from loaders import pool
from loaders.pipeline import read_facts
from migkg.exc import InvalidFacts

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "MIN_BYTES", 0)


def _serial(folder, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(pool, "MIN_BYTES", 10**15)
        return read_facts(folder)


@pytest.mark.parametrize("folder", [MINI, DATA], ids=["mini", "data"])
def test_workers_read_the_same_facts(folder, workers: None,  # type: ignore[no-untyped-def]
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []
    real = pool.read_lean
    monkeypatch.setattr(pool, "read_lean", lambda files, one: used.append(len(files)) or real(files, one))
    parallel = read_facts(folder)
    assert used, "the workers were not used"
    serial = _serial(folder, monkeypatch)
    assert parallel == serial  # entities, relationships and digest, in order
    assert [e.line for e in parallel.entities] == [e.line for e in serial.entities]
    assert [r.line for r in parallel.relationships] == [r.line for r in serial.relationships]


@pytest.mark.parametrize("case", ["duplicate-id", "unknown-reference", "billion-laughs"])
def test_a_problem_in_a_worker_gives_the_same_report(case: str, workers: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = BAD / case / "data"
    if not folder.is_dir():
        pytest.skip(f"no stored case {case}")
    with pytest.raises(InvalidFacts) as parallel:
        read_facts(folder)
    with pytest.raises(InvalidFacts) as serial:
        _serial(folder, monkeypatch)
    assert [str(p) for p in parallel.value.problems] == [str(p) for p in serial.value.problems]
    assert check_module.NO_LINES == {}  # the lean pass never wrote into the shared map
