"""An interrupted run keeps every finished evaluation (one atomic file each) and resumes without recomputing."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.invest.evaluate import EvalSpec, Evaluator
from silkway.invest.model import EMPTY
from silkway.invest.store import FileStore
from silkway.scenarios.backends import LocalBackend

FINGERPRINT = {"scenario": "tiny-x3", "days": 20, "seed": 5}


def test_interrupted_run_resumes_without_recomputing(tiny_inputs, tmp_path: Path) -> None:
    applied, cat = tiny_inputs
    spec = EvalSpec(applied, cat, 20, seed=5)
    portfolios = [EMPTY, frozenset({"ferry"}), frozenset({"yard"})]

    def stop_after_four(n: int) -> None:
        if n == 4:
            raise KeyboardInterrupt

    first = Evaluator(spec, LocalBackend(1), FileStore(tmp_path, FINGERPRINT), progress=stop_after_four)
    with pytest.raises(KeyboardInterrupt):
        first.kpis(portfolios, 3)
    store = FileStore(tmp_path, FINGERPRINT)
    assert len(list(store.evals.glob("*.json"))) == 4 and not list(store.evals.glob(".*"))  # whole files only

    second = Evaluator(spec, LocalBackend(1), store)
    assert len(second.cache) == 4
    resumed = second.kpis(portfolios, 3)
    assert second.ran == 9 - 4  # only the missing evaluations ran

    fresh = Evaluator(spec, LocalBackend(1), FileStore(tmp_path / "other", FINGERPRINT)).kpis(portfolios, 3)
    assert resumed == fresh  # the same seeds give the same results, resumed or not

    third = Evaluator(spec, LocalBackend(1), FileStore(tmp_path, FINGERPRINT))
    third.kpis(portfolios, 3)
    assert third.ran == 0
    other = FileStore(tmp_path, {**FINGERPRINT, "days": 21})  # different inputs: a different run folder
    assert other.dir != store.dir and other.load() == {}
