"""The kernel's named state (simulation/_layout.py, Work): its layout check at the boundary, its capacities (a run
that needs more than an array holds stops with a clear error and writes nothing past the end), and snapshots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from silkway.errors import SimulationError
from silkway.simulation import SimOptions
from silkway.simulation import _layout as L
from silkway.simulation._layout import Work, check_work
from silkway.simulation.collect import collect
from silkway.simulation.engine import advance, prepare, run
from silkway.simulation.plan import build

TABLES = ("shipments", "trains", "facilities", "stations", "conservation", "vessel_links")
SENTINEL = 7_777_777


def _prep(net, demand, days=30.0, seed=5, **options):
    opts = SimOptions(**options)
    b, routes = build(net, demand, opts)
    return prepare(b, routes, demand, opts, days=days, seed=seed, closures=net.closures)


def test_each_index_constant_is_the_position_of_its_field():
    assert L.W_N == len(Work._fields) == 31
    for i, name in enumerate(Work._fields):
        assert getattr(L, name.upper()) == i, name


def test_prepare_builds_a_state_that_fits_its_layout(tiny_net, tiny_demand):
    prep = _prep(tiny_net, tiny_demand)
    counts = check_work(prep.work)
    assert counts["stations"] == len(prep.builder.stations) and counts["routes"] == len(prep.routes)
    assert counts["trains"] > 0 and counts["heap"] > counts["trains"] and counts["shipments"] > 0
    assert prep.work[L.SI] is prep.work.si  # code written against the index constants reads the same arrays


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("sq", lambda a: a.astype(np.int64), "W.sq has dtype int64, expected int32"),
    ("tf", lambda a: a[:-1].copy(), "W.tf has shape"),
    ("hi", lambda a: a[:, :3].copy(), "W.hi has shape"),
    ("rs", lambda a: a[0].copy(), "W.rs has 1 dimension(s), expected 2"),
    ("sf", lambda a: np.asfortranarray(a), "W.sf is not C-contiguous"),
    ("ctr", lambda a: list(a), "W.ctr is a list"),
    ("rst", lambda a: a + 10_000, "W.rst holds a station index out of range"),
    ("shr", lambda a: np.full_like(a, 10_000), "a shipment's route or group is out of range"),
])
def test_a_state_that_does_not_fit_is_refused_before_the_kernel_runs(tiny_net, tiny_demand, field, bad, message):
    prep = _prep(tiny_net, tiny_demand)
    prep.work = prep.work._replace(**{field: bad(getattr(prep.work, field))})
    events = int(prep.work.ctr[L.C_SEQ])
    with pytest.raises(SimulationError, match="does not match its layout") as err:
        run(prep)
    assert message in str(err.value)
    assert int(prep.work.ctr[L.C_SEQ]) == events  # nothing ran


def test_advance_checks_dtypes_and_shapes_before_every_call(tiny_net, tiny_demand):
    prep = _prep(tiny_net, tiny_demand)
    advance(prep, 24.0)
    prep.work = prep.work._replace(sc=prep.work.sc[:, :3].copy())
    with pytest.raises(SimulationError, match=r"W.sc has shape \(\d+, 3\)"):
        advance(prep, 48.0)


def test_a_plain_tuple_is_refused():
    with pytest.raises(SimulationError, match="must be a _layout.Work, got tuple"):
        check_work(tuple(range(31)))  # type: ignore[arg-type]


def _shrunk(a: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``rows`` rows of ``a`` as a view into a larger array whose rows past them hold a sentinel."""
    big = np.full((rows + 50, *a.shape[1:]), SENTINEL, dtype=a.dtype)
    big[:rows] = a[:rows]
    return big, big[:rows]


@pytest.mark.parametrize(("fields", "rows", "message"), [
    (("ti", "tf"), 3, "ran out of train slots: the train arrays hold 3 trains"),
    (("sq", "sc"), 2, "ran out of sample rows: the sample arrays hold 2 samples"),
])
def test_running_out_of_a_capacity_stops_with_a_clear_error(tiny_net, tiny_demand, fields, rows, message):
    prep = _prep(tiny_net, tiny_demand)
    bigs = {}
    for f in fields:
        bigs[f], view = _shrunk(getattr(prep.work, f), rows)
        prep.work = prep.work._replace(**{f: view})
    with pytest.raises(SimulationError, match="simulation kernel ran out of") as err:
        run(prep)
    assert message in str(err.value) and "please report" in str(err.value)
    for f, big in bigs.items():
        assert (big[rows:] == SENTINEL).all(), f"{f}: written past the end"


def test_running_out_of_event_slots_stops_with_a_clear_error(tiny_net, tiny_demand):
    prep = _prep(tiny_net, tiny_demand)
    rows = int(prep.work.ctr[L.C_HSIZE]) + 2  # the initial events and two more
    big_t, ht = _shrunk(prep.work.ht, rows)
    big_i, hi = _shrunk(prep.work.hi, rows)
    prep.work = prep.work._replace(ht=ht, hi=hi)
    with pytest.raises(SimulationError, match=f"ran out of event slots: the event heap holds {rows} events"):
        run(prep)
    assert (big_t[rows:] == SENTINEL).all() and (big_i[rows:] == SENTINEL).all()
    assert int(prep.work.ctr[L.C_HSIZE]) == rows


def test_the_prepared_capacities_hold_for_a_loaded_adaptive_run(tiny_net, tiny_demand):
    """The same checks do not fire on an ordinary run (heavier than the tests' default: adaptive, 3× demand)."""
    prep = run(_prep(tiny_net, tiny_demand.scaled(3.0), days=60, route_mode="adaptive"))
    assert prep.work.ctr[L.C_ERROR] == L.ERR_NONE
    assert 0 < prep.work.ctr[L.C_NTRAINS] <= len(prep.work.ti)
    assert prep.work.ctr[L.C_SAMPLE] == len(prep.work.sc)  # every sample row filled, none missing


def _frames(prep, seed):
    r = collect(prep, seed)
    return [getattr(r, t) for t in TABLES]


def test_a_snapshot_resumes_to_the_same_result_as_the_run_it_was_taken_from(tiny_net, tiny_demand):
    prep = _prep(tiny_net, tiny_demand)
    advance(prep, prep.horizon_h / 2)
    snapshot = prep.work.copy()
    assert all(a is not b and np.array_equal(a, b) for a, b in zip(snapshot, prep.work, strict=True))
    advance(prep, prep.horizon_h)
    first = _frames(prep, 5)
    prep.work = snapshot
    advance(prep, prep.horizon_h)
    for a, b in zip(first, _frames(prep, 5), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_stopping_and_resuming_does_not_change_the_run(tiny_net, tiny_demand):
    """run_until(t) processes every event at or before t, so any chunking gives the same run (progress bars)."""
    one = run(_prep(tiny_net, tiny_demand), chunk_days=1e6)
    many = run(_prep(tiny_net, tiny_demand), chunk_days=0.7)
    for a, b in zip(_frames(one, 5), _frames(many, 5), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_stream_depends_only_on_the_seed_and_its_number():
    """What _rng's docstring promises: stream i is the same whatever the number of streams after it."""
    from silkway.simulation._rng import stream_states

    few, more = stream_states(np.random.SeedSequence(3), 4), stream_states(np.random.SeedSequence(3), 9)
    np.testing.assert_array_equal(few, more[:4])
    assert not np.array_equal(stream_states(np.random.SeedSequence(4), 4), few)
