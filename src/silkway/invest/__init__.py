"""Investment planning: which upgrades, in which order, within a budget (docs/invest.md).

Core (no I/O): model (projects, portfolios), projects (parse and validate the tables), patch (apply a portfolio
to a network), objective, evaluate (simulate with common random numbers on a backend; the store is injected),
select (KN ranking and selection), search (Optuna TPE), frontier (efficient frontier, build order), plan.
Writer: store (one atomic file per evaluation).
"""
