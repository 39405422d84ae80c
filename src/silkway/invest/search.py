"""Model-based search over large project sets with Optuna's TPE sampler (Bergstra et al. 2011, "Algorithms for
hyper-parameter optimization"), one binary choice per project, budget as a constraint.

A portfolio over budget is not simulated: it gets the value of doing nothing and a positive constraint value
(``Trial.set_constraint``), so TPE ranks it below every feasible one. Trials are asked in batches so the backend can
run them in parallel; repeated proposals cost nothing (the evaluator reuses stored results). The best few distinct
feasible portfolios then go to the KN procedure (select.py), which gives the statistical guarantee; TPE alone does
not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from silkway.invest.model import EMPTY, Catalogue, Portfolio
from silkway.invest.select import Sampler


def tpe_search(catalogue: Catalogue, budget_usd: float, sample: Sampler, *, reps: int, trials: int, batch: int = 4,
               seed: int = 0, start: Sequence[Portfolio] = ()) -> dict[Portfolio, float]:
    """Mean objective (over ``reps`` CRN replications) of every feasible portfolio the search evaluated. ``start``:
    portfolios tried first (the greedy build order's, and each affordable project alone), so TPE starts from
    feasible, informative points instead of random subsets that mostly break the budget."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ids = catalogue.ids
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, trials))
    study = optuna.create_study(direction="maximize", sampler=sampler)
    for p in dict.fromkeys(start):
        study.enqueue_trial({i: int(i in p) for i in ids})
    base = float(np.mean(sample([EMPTY], reps)[EMPTY]))
    means: dict[Portfolio, float] = {EMPTY: base}
    done = 0
    while done < trials:
        asked = [study.ask() for _ in range(min(batch, trials - done))]
        chosen = [frozenset(i for i in ids if t.suggest_int(i, 0, 1)) for t in asked]
        over = [catalogue.cost(p) - budget_usd for p in chosen]  # > 0: over the budget
        feasible = [p for p, o in zip(chosen, over, strict=True) if o <= 0.0]
        got = sample(list(dict.fromkeys(feasible)), reps) if feasible else {}
        for t, p, o in zip(asked, chosen, over, strict=True):
            t.set_constraint("over_budget_usd", max(o, 0.0))  # > 0: infeasible, ranked below feasible
            if p in got:
                means[p] = float(np.mean(got[p]))
            study.tell(t, means.get(p, base))
        done += len(asked)
    return means
