"""The compiled evaluation of a query's candidates (routing/evaluate.py, routing/timekernel.py) and what a router keeps
between queries: answers must not depend on what the router answered before, the legs built on first read are the
legs, and the planner does no I/O (it imports nothing of the service layer)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import silkway
from silkway.network import read_dataset
from silkway.routing import Router
from silkway.services.routing import conditions_of

ROUTING = Path(silkway.__file__).parent / "routing"
QUERIES = [("Xi'an", "Duisburg", {}), ("Khorgos", "Baku", {"depart": "2024-01-15"}), ("Chengdu", "Tehran", {"avoid": ["ferry"]}),
           ("Lianyungang", "Budapest", {"depart": "2024-07-16", "objective": "p90"})]


@pytest.fixture(scope="module")
def net():
    return read_dataset()


def _answer(router: Router, o: str, d: str, kw: dict) -> dict:
    cond = conditions_of(router, "typical", None, None)
    return router.route(o, d, conditions=cond, **kw).to_dict()


def test_answers_do_not_depend_on_what_the_router_answered_before(net):
    """A router that answered other queries first (its path data, station numbering and wait tables grown by them)
    gives every answer to the bit of a fresh router's."""
    warm = Router(net)
    for o, d, kw in reversed(QUERIES):
        _answer(warm, o, d, kw)
    for o, d, kw in QUERIES:
        assert _answer(warm, o, d, kw) == _answer(Router(net), o, d, kw), (o, d)


def test_legs_built_on_first_read_are_kept_and_reconcile(net):
    res = silkway.route(net, "Xi'an", "Duisburg", depart="2024-06-01")
    for opt in res.options:
        legs = opt.legs
        assert opt.legs is legs  # built once
        assert abs(sum(leg.hours for leg in legs) - opt.days_nominal * 24.0) < 1e-6
        assert abs(sum(leg.hours for leg in legs if leg.kind == "queue") - opt.expected_wait_days * 24.0) < 1e-9
        assert opt.distance_km == pytest.approx(sum(leg.distance_km for leg in legs))
    again = pickle.loads(pickle.dumps(res))  # an option whose legs were never read pickles with its builder
    assert again.to_dict() == res.to_dict()
    assert res.options[0] == again.options[0] and hash(res.options[0]) == hash(again.options[0])


def _imports(tree: ast.Module) -> list[str]:
    out = []
    for node in ast.walk(tree):  # module level and inside functions
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
    return out


def test_the_planner_imports_nothing_of_the_service_layer():
    bad = [f"{f.name} imports {m}" for f in sorted(ROUTING.glob("*.py")) for m in _imports(ast.parse(f.read_text(encoding="utf-8")))
           if m.startswith("silkway.services")]
    assert bad == []
