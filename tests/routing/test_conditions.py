"""Expected congestion waits (``--conditions``) and seasonal closure risk in the route planner.

Hand-computed on ``tests/fixtures/routing_tiny_fixed`` (every P90 = its median, so the draws equal the nominal chain
except for the closure risk of the ferry l4: 3 storms a year of 2 days, flat). The nominal chain West → Isle is
207.0 h (test_tiny_verification.py): ready for the Monday-24:00 weekly ferry at 25.4 h, it misses it and leaves at 192 h.

* 10 h expected wait at the KZ entry customs (bd_gate_kz, before the ferry): ready at 35.4 h, still the 192 h ferry:
  a 10 h ``queue`` leg, the timetable wait shrinks by 10 h, total 207.0 h;
* 5 h at the unloading at Isle (port_isle handling, after the ferry): total 212.0 h;
* 100 h at the quay of l4 at Harbour: less the timetable's own mean wait (period/2 = 84 h) and the storm's mean direct
  delay p·L/2 with p = 1 − exp(−3/365 × 2) and L = 48 h: a queue leg of 100 − 84 − 0.39125… h.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from silkway.errors import SilkwayError
from silkway.network import read_dataset
from silkway.routing import Router
from silkway.routing.conditions import FREE, Conditions, ConditionsKind, ElementKind
from silkway.services import conditions as csvc

FIXED = Path(__file__).parents[1] / "fixtures" / "routing_tiny_fixed"


@pytest.fixture(scope="module")
def fixed():
    return Router(read_dataset(FIXED))


def _cond(**waits) -> Conditions:
    table = {key: (w,) * 13 for key, w in waits.items()}
    return Conditions(ConditionsKind.FILE, table, "test")


def _route(router, cond):
    return router.route("West Terminal", "Isle Port", conditions=cond).best


def test_free_is_the_express_chain(fixed):
    best = _route(fixed, FREE)
    assert best.days_nominal * 24 == pytest.approx(207.0, abs=1e-9)
    assert best.expected_wait_days == 0 and not any(leg.kind == "queue" for leg in best.legs)


def test_wait_before_a_missed_ferry_is_absorbed(fixed):
    best = _route(fixed, Conditions(ConditionsKind.FILE, {(ElementKind.CUSTOMS, "bd_gate_kz", "gate_kz"): (10.0,) * 13}, "t"))
    queue = [leg for leg in best.legs if leg.kind == "queue"]
    assert [(q.hours, q.facility_id) for q in queue] == [(10.0, "bd_gate_kz")]
    wait = next(leg for leg in best.legs if leg.kind == "wait")
    assert wait.hours == pytest.approx(166.6 - 10.0)
    assert best.days_nominal * 24 == pytest.approx(207.0, abs=1e-9)
    assert best.expected_wait_days * 24 == pytest.approx(10.0)


def test_wait_after_the_ferry_adds_to_the_total(fixed):
    best = _route(fixed, Conditions(ConditionsKind.FILE, {(ElementKind.HANDLING, "port_isle", "isle"): (5.0,) * 13}, "t"))
    assert best.days_nominal * 24 == pytest.approx(212.0, abs=1e-9)
    free = _route(fixed, FREE)
    assert best.days_median * 24 == pytest.approx(free.days_median * 24 + 5.0, abs=1e-6)  # a constant shifts every draw


def test_quay_wait_less_timetable_and_closure_means(fixed):
    best = _route(fixed, Conditions(ConditionsKind.FILE, {(ElementKind.QUAY, "l4", "harbour"): (100.0,) * 13}, "t"))
    p = 1 - math.exp(-3 / 365 * 2)
    queue = [leg for leg in best.legs if leg.kind == "queue"]
    assert len(queue) == 1 and queue[0].link_id == "l4"
    assert queue[0].hours == pytest.approx(100.0 - 84.0 - p * 48.0 / 2, abs=1e-9)


def test_monthly_waits_use_the_month_reached(fixed):
    row = tuple([0.0] + [float(m) for m in range(1, 13)])  # the wait in month m is m hours
    cond = Conditions(ConditionsKind.FILE, {(ElementKind.HANDLING, "port_isle", "isle"): row}, "t")
    jan = fixed.route("West Terminal", "Isle Port", conditions=cond, depart="2024-01-01").best  # Monday; unload on day 8.6
    jun = fixed.route("West Terminal", "Isle Port", conditions=cond, depart="2024-06-24").best  # Monday; unload in July
    assert jan.expected_wait_days * 24 == pytest.approx(1.0) and jun.expected_wait_days * 24 == pytest.approx(7.0)


def test_typical_is_never_faster_than_free_embedded():
    """Every route present under both conditions has a median and P90 at least as long with the typical waits (common random
    numbers: the waits are non-negative constants, and a later arrival never leaves earlier)."""
    from silkway.services.routing import conditions_of

    net = read_dataset(as_of="2024-06-01")
    r = Router(net)
    typical = conditions_of(r, "typical", None, None)
    assert typical.kind is ConditionsKind.TYPICAL and typical.waits
    pairs = [("Chongqing", "Duisburg"), ("Xi'an", "Malaszewicze"), ("Lianyungang", "Baku"), ("Khorgos", "Tbilisi"),
             ("Chengdu", "Tehran"), ("Shanghai", "Rotterdam")]
    compared = 0
    for o, d in pairs:
        free = r.route(o, d, depart="2024-06-03", alternatives=6, samples=300, conditions=FREE)
        typ = r.route(o, d, depart="2024-06-03", alternatives=6, samples=300, conditions=typical)
        by_nodes = {x.node_ids: x for x in free.options + free.pareto}
        for x in typ.options + typ.pareto:
            y = by_nodes.get(x.node_ids)
            if y is not None and [leg.link_id for leg in x.legs if leg.kind == "move"] == [leg.link_id for leg in y.legs if leg.kind == "move"]:
                assert x.days_median >= y.days_median - 1e-9 and x.days_p90 >= y.days_p90 - 1e-9, (o, d, x.corridor)
                compared += 1
    assert compared >= len(pairs)


def test_shipped_typical_waits_match_the_dataset():
    """Fails when the embedded dataset changed after typical_waits.csv was built."""
    head, by_day = csvc.read_typical_waits(csvc.default_dataset_path() / csvc.TYPICAL_FILE)
    assert not csvc.stale_warning(head, None), "the dataset changed since typical_waits.csv was built: run 'silkway conditions build' to regenerate it"
    assert {"dataset_sha256", "silkway_version", "seed", "replications", "built", "command"} <= set(head)
    assert by_day


def test_a_changed_dataset_is_detected(tmp_path):
    folder = tmp_path / "eurasia"
    shutil.copytree(csvc.default_dataset_path(), folder)
    assert csvc.typical_conditions(folder).warnings == ()
    links = folder / "links.csv"
    links.write_text(links.read_text(encoding="utf-8").replace(",500,", ",501,", 1), encoding="utf-8")
    warnings = csvc.typical_conditions(folder).warnings
    assert len(warnings) == 1 and "changed" in warnings[0] and f"silkway conditions build --dataset {folder}" in warnings[0]


def test_no_waits_file_is_free_with_a_warning(tiny_dir):
    cond = csvc.typical_conditions(tiny_dir)
    assert cond.kind is ConditionsKind.FREE and "conditions build" in cond.warnings[0]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("mean_wait_h", "wait"), "header"),
    (lambda t: t + "2023-06-30,dock,x,y,0,1,2.0\n", "element_kind"),
    (lambda t: t + "2023-06-30,quay,x,y,13,1,2.0\n", "month"),
    (lambda t: t + "2023-06-30,quay,x,y,1,1,-2\n", "mean_wait_h"),
    (lambda t: t + "2023-06-30,quay,x,y,1,1\n", "cells"),
])
def test_bad_waits_file_is_located(tmp_path, edit, message):
    text = "# seed = 0\nas_of,element_kind,target_id,node_id,month,trains,mean_wait_h\n2023-06-30,quay,l4,harbour,0,5,1.5\n"
    path = tmp_path / "w.csv"
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(SilkwayError, match=message) as err:
        csvc.file_conditions(path)
    assert str(path) in str(err.value) and "line" in str(err.value)


def test_waits_csv_as_a_file(tmp_path, fixed):
    path = tmp_path / "w.csv"
    path.write_text("as_of,element_kind,target_id,node_id,month,trains,mean_wait_h\n2023-06-30,handling,port_isle,isle,0,5,5\n",
                    encoding="utf-8")
    cond = csvc.resolve_conditions(str(path))
    assert cond.kind is ConditionsKind.FILE and str(path) in cond.label
    assert _route(fixed, cond).days_nominal * 24 == pytest.approx(212.0, abs=1e-9)
