"""The study machinery (seeds, store, resume, interruption, local backend) with a test double."""

from __future__ import annotations

import pandas as pd
import pytest
from study_doubles import double_spec, replicate_double

from silkway.scenarios.backends import LocalBackend
from silkway.scenarios.study import plan_jobs, replication_seed, run_study


def _values(store, study_id):
    return store.kpis(study_id).sort_values(["scenario_hash", "rep", "kpi"]).reset_index(drop=True)


def test_seeds_depend_on_study_seed_scenario_and_index_only():
    s = replication_seed(7, "aaaa", 3)
    assert s == replication_seed(7, "aaaa", 3)
    assert len({s, replication_seed(8, "aaaa", 3), replication_seed(7, "bbbb", 3), replication_seed(7, "aaaa", 4)}) == 4
    assert 0 <= s < 2**63
    # common random numbers: the same seed for replication i of every scenario
    assert replication_seed(7, "aaaa", 3, crn=True) == replication_seed(7, "bbbb", 3, crn=True)


def test_plan_interleaves_and_skips_finished():
    spec = double_spec(replications=3)
    jobs = plan_jobs(spec, {("aaaaaaaaaaaaaaaa", 0)})
    assert [(j.scenario_name, j.rep) for j in jobs] == [("more", 0), ("base", 1), ("more", 1), ("base", 2), ("more", 2)]
    assert [j.detail for j in jobs] == [True, False, False, False, False]


def test_run_stores_every_replication_with_provenance(store):
    spec = double_spec(replications=3)
    run = run_study(spec, store, replicate_double, LocalBackend(workers=1))
    assert run.complete and run.ran == 6 and not run.interrupted
    reps = store.replications(spec.study_id)
    assert len(reps) == 6
    assert set(reps["dataset_version"]) == {"test"} and set(reps["code_version"]) == {"test"}
    assert sorted(reps["seed"].astype(int)) == sorted(replication_seed(7, h, r) for h in ("a" * 16, "b" * 16) for r in range(3))
    k = store.kpis(spec.study_id)
    assert len(k) == 6 * 3
    # details only for replication 0 (detail_reps=1), 20 days each
    d = store.details(spec.study_id, "queue")
    assert set(d["rep"]) == {0} and len(d) == 2 * 20


def test_two_processes_give_the_same_results_as_one(tmp_path):
    from silkway.scenarios.store import ResultsStore

    spec = double_spec(replications=4)
    with ResultsStore(tmp_path / "one.duckdb") as a, ResultsStore(tmp_path / "two.duckdb") as b:
        run_study(spec, a, replicate_double, LocalBackend(workers=1))
        run_study(spec, b, replicate_double, LocalBackend(workers=2))
        pd.testing.assert_frame_equal(_values(a, spec.study_id), _values(b, spec.study_id))


def test_rerun_resumes_and_extends(store):
    spec = double_spec(replications=2)
    assert run_study(spec, store, replicate_double, LocalBackend(1)).ran == 4
    again = run_study(spec, store, replicate_double, LocalBackend(1))
    assert again.ran == 0 and again.skipped == 4 and again.complete
    more = run_study(double_spec(replications=5), store, replicate_double, LocalBackend(1))
    assert more.skipped == 4 and more.ran == 6
    assert store.study(spec.study_id).replications == 5


def test_interrupt_keeps_whole_replications_and_resume_matches_uninterrupted(tmp_path):
    from silkway.scenarios.store import ResultsStore

    spec = double_spec(replications=5)
    calls = []

    def stop_after_three(done, _total):
        calls.append(done)
        if done == 3:
            raise KeyboardInterrupt

    with ResultsStore(tmp_path / "i.duckdb") as s:
        run = run_study(spec, s, replicate_double, LocalBackend(1), progress=stop_after_three)
        assert run.interrupted and run.ran == 3 and not run.complete
        assert len(s.replications(spec.study_id)) == 3
        assert s.kpis(spec.study_id).groupby(["scenario_hash", "rep"]).size().eq(3).all()  # whole replications
        resumed = run_study(spec, s, replicate_double, LocalBackend(1))
        assert resumed.skipped == 3 and resumed.ran == 7 and resumed.complete
        interrupted_then_resumed = _values(s, spec.study_id)
    with ResultsStore(tmp_path / "u.duckdb") as u:
        run_study(spec, u, replicate_double, LocalBackend(1))
        pd.testing.assert_frame_equal(interrupted_then_resumed, _values(u, spec.study_id))


def test_failed_write_leaves_no_half_replication(store, monkeypatch):
    spec = double_spec(replications=1)
    rec = spec.record()
    store.register_study(rec, {})
    real = store.con

    class FailingDetails:  # the connection, except that registering the details fails mid-transaction
        def __getattr__(self, name):
            return getattr(real, name)

        def register(self, name, df):
            if name == "_d":
                raise RuntimeError("disk full")
            return real.register(name, df)

    monkeypatch.setattr(store, "con", FailingDetails())
    with pytest.raises(RuntimeError, match="disk full"):
        store.write_replication(rec, "a" * 16, 0, 1, 0.1, {"x": 1.0}, None)
    monkeypatch.undo()
    assert store.finished(spec.study_id) == set()
    assert len(store.kpis(spec.study_id)) == 0


def test_parquet_export(store, tmp_path):
    spec = double_spec(replications=2)
    run_study(spec, store, replicate_double, LocalBackend(1))
    files = store.export_parquet(spec.study_id, tmp_path / "pq")
    k = pd.read_parquet(tmp_path / "pq" / "kpis.parquet")
    assert len(files) == 3 and len(k) == len(store.kpis(spec.study_id))
    assert set(k["study_id"]) == {spec.study_id}


def test_study_lookup_by_prefix_label_and_latest(store):
    from silkway.scenarios.store import StoreError

    spec = double_spec(replications=1)
    run_study(spec, store, replicate_double, LocalBackend(1))
    assert store.study(spec.study_id[:6]).study_id == spec.study_id
    assert store.study("base+more").study_id == spec.study_id
    assert store.study("latest").study_id == spec.study_id
    with pytest.raises(StoreError, match="no study 'nope'"):
        store.study("nope")


@pytest.mark.parametrize("crn", [False, True])
def test_summary_matches_scipy(store, crn):
    from scipy import stats

    from silkway.scenarios.summary import summarize_kpis

    spec = double_spec(replications=6, crn=crn)
    run_study(spec, store, replicate_double, LocalBackend(1))
    reps = store.replications(spec.study_id)
    seeds = reps.groupby("scenario_hash")["seed"].apply(sorted).tolist()
    assert (seeds[0] == seeds[1]) == crn  # common random numbers share the seeds
    table = summarize_kpis(store.study(spec.study_id), store.kpis(spec.study_id))
    k = store.kpis(spec.study_id)
    a = k[(k.kpi == "throughput_teu") & (k.scenario_hash == "a" * 16)].sort_values("rep")["value"].to_numpy()
    b = k[(k.kpi == "throughput_teu") & (k.scenario_hash == "b" * 16)].sort_values("rep")["value"].to_numpy()
    row = table[(table.kpi == "throughput_teu") & (table.scenario == "more")].iloc[0]
    ref = stats.ttest_rel(b, a) if crn else stats.ttest_ind(b, a, equal_var=False)
    assert row["test"] == ("paired" if crn else "welch")
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    lo, hi = ref.confidence_interval(0.95)
    assert (row["diff_low"], row["diff_high"]) == (pytest.approx(lo, rel=1e-8), pytest.approx(hi, rel=1e-8))
    base = table[(table.kpi == "throughput_teu") & (table.scenario == "base")].iloc[0]
    ci = stats.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=stats.sem(a))
    assert (base["ci_low"], base["ci_high"]) == (pytest.approx(ci[0], rel=1e-9), pytest.approx(ci[1], rel=1e-9))
