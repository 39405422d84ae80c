"""The planner on a chain whose best portfolio is known: trade x 3 on the tiny network, where the ferry (1 departure
a week, 100 TEU, against 210 TEU a week demanded) is the only bottleneck. Of the three candidate projects only the
third weekly ferry raises delivered TEU; the yard and the second track touch elements that do not bind."""

from __future__ import annotations

from silkway.invest.evaluate import EvalSpec, Evaluator, Judge, MemoryStore
from silkway.invest.model import EMPTY, Objective
from silkway.invest.plan import Settings, feasible_portfolios, plan
from silkway.invest.select import kn_select
from silkway.scenarios.backends import LocalBackend

DAYS = 30
BUDGET = 100.0  # feasible: none, ferry (60), yard (50), track (40), ferry+track (100), yard+track (90)
DELTA = 100.0  # TEU over 30 days: the indifference zone of the guarantee (the ferry adds ~600)
ALPHA = 0.05


def test_kn_finds_the_bottleneck_upgrade_with_the_stated_probability(tiny_inputs) -> None:
    applied, cat = tiny_inputs
    judge = Judge(Objective.DELIVERED, cat, DAYS)
    candidates = feasible_portfolios(judge, BUDGET, 24)
    assert candidates is not None and len(candidates) == 6
    runs, correct = 8, 0
    for seed in range(runs):
        ev = Evaluator(EvalSpec(applied, cat, DAYS, seed=1000 + seed), LocalBackend(1), MemoryStore())
        sel = kn_select(candidates, judge.sampler(ev), alpha=ALPHA, delta=DELTA, n0=5, max_reps=60, cost=cat.cost)
        assert sel.guaranteed
        correct += "ferry" in sel.best  # ferry and ferry+track are equally good (within δ): both are correct
    # P(correct) >= 0.95 is guaranteed; with 8 runs, 5 or fewer successes has probability 0.006 under it
    print(f"\nKN on the tiny chain: a portfolio with the ferry selected in {correct} of {runs} independently seeded runs")
    assert correct >= 6, correct


def test_plan_frontier_and_build_order(tiny_inputs) -> None:
    applied, cat = tiny_inputs
    ev = Evaluator(EvalSpec(applied, cat, DAYS, seed=7), LocalBackend(1), MemoryStore())
    p = plan(ev, Judge(Objective.DELIVERED, cat, DAYS), Settings(BUDGET, reps=3, delta=DELTA))
    assert p.method == "enumeration" and "ferry" in p.best.portfolio
    assert p.best.benefit_low > 0  # the ferry's gain is significant
    assert [s.project_id for s in p.stages] == ["ferry"]  # the decoys add nothing: the build order stops
    fr = p.frontier
    assert fr[0].portfolio == EMPTY and fr[0].benefit == 0
    assert all(a.cost_usd <= b.cost_usd and a.benefit < b.benefit for a, b in zip(fr, fr[1:], strict=False))  # monotone
    assert fr[-1].portfolio == frozenset({"ferry"})  # ferry+track costs more for no more benefit: dominated
    assert p.simulations_run == p.simulations_total  # a memory store: everything was simulated here


def test_npv_objective_charges_capital(tiny_inputs) -> None:
    from silkway.invest.objective import Economics

    applied, cat = tiny_inputs
    econ = Economics(discount_rate=0.06, appraisal_years=25, margin_usd_per_teu=1.0, value_of_time_usd_per_teu_day=0.0)
    ev = Evaluator(EvalSpec(applied, cat, DAYS, seed=3), LocalBackend(1), MemoryStore())
    sample = Judge(Objective.NPV, cat, DAYS, econ).sampler(ev)
    got = sample([EMPTY, frozenset({"track"})], 3)
    assert got[EMPTY] == [0.0, 0.0, 0.0]
    # the track changes nothing simulated (same seeds: identical runs), so its NPV is minus its capital and opex
    track = cat.by_id["track"]
    expected = -track.capital_usd - track.opex_usd_year * econ.annuity(2)
    assert all(abs(v - expected) < 1e-9 for v in got[frozenset({"track"})])
