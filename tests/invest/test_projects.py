"""The candidate-project tables: the embedded catalogue is valid; bad rows give located problems, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.invest.model import ChangeOp, ChangeTarget
from silkway.invest.projects import parse_projects
from silkway.network import read_dataset
from silkway.network.dataset import default_dataset_path
from silkway.services.invest import read_catalogue

HEAD_P = "project_id,name,project_kind,capital_usd,capital_usd_src,opex_usd_year,opex_usd_year_src,build_days,build_days_src,note\n"
HEAD_C = "change_id,project_id,target_kind,target_id,op,field,value,src,note\n"


@pytest.fixture(scope="module")
def tiny_net(invest_dir: Path):
    return read_dataset(invest_dir)


def test_embedded_catalogue_is_valid_and_sourced() -> None:
    net = read_dataset(None, as_of="2023-06-30")
    cat = read_catalogue(None, net)
    assert len(cat.projects) >= 12
    kinds = {p.project_kind for p in cat.projects}
    assert {"second_track", "border_crossing", "gauge_yard", "ferry", "feeder", "port", "new_line"} <= kinds
    assert all(p.changes and p.capital_usd > 0 for p in cat.projects)
    bakhty = cat.by_id["bakhty_crossing"]
    assert {c.op for c in bakhty.changes} == {ChangeOp.OPEN}
    text = (default_dataset_path() / "projects.csv").read_text()
    assert text.count("\n") == len(cat.projects) + 1


def test_fixture_catalogue(invest_dir: Path, tiny_net) -> None:
    cat = read_catalogue(invest_dir, tiny_net)
    assert cat.ids == ("ferry", "yard", "track")
    assert cat.cost({"ferry", "track"}) == 100
    ferry = cat.by_id["ferry"].changes[0]
    assert (ferry.target_kind, ferry.target_id, ferry.op, ferry.field, ferry.value) == (ChangeTarget.LINK, "l4", ChangeOp.SET, "departures_per_week", 3)


def test_every_problem_located_at_once(tiny_net) -> None:
    projects = HEAD_P + ("a,A,ferry,10,A-test,1,A-test,10,A-test,\n"
                         "a,A again,ferry,10,A-test,1,A-test,10,A-test,\n"
                         "b,B,moonbase,-5,S-nowhere,1,,10,A-test,\n"
                         "c,C,port,10,A-test,1,A-test,10,A-test,\n")
    changes = HEAD_C + ("x1,a,link,l4,set,departures_per_week,2,A-test,\n"
                        "x2,a,link,l99,set,tracks,2,A-test,\n"
                        "x3,a,facility,gc_gate,set,speed_km_day,2,A-test,\n"
                        "x4,zz,link,l4,scale,tracks,0,A-test,\n"
                        "x5,a,facility,gc_gate,open,,,A-test,\n"
                        "x6,a,link,l4,set,tracks,,A-test,\n")
    with pytest.raises(DataError) as err:
        parse_projects(projects, changes, tiny_net, label="fixture")
    shown = [str(p) for p in err.value.problems]
    expect = [
        ("projects.csv, line 3, field 'project_id'", "duplicate"),
        ("projects.csv, line 4, field 'project_kind'", "moonbase"),
        ("projects.csv, line 4, field 'capital_usd'", ""),
        ("projects.csv, line 5, field 'project_id'", "no row in project_changes.csv"),
        ("project_changes.csv, line 3, field 'target_id'", "no link 'l99'"),
        ("project_changes.csv, line 4, field 'field'", "cannot be changed on a facility"),
        ("project_changes.csv, line 5, field 'project_id'", "unknown project 'zz'"),
        ("project_changes.csv, line 5, field 'value'", "scale factor must be > 0"),
        ("project_changes.csv, line 6, field 'op'", "links only"),
        ("project_changes.csv, line 7, field 'value'", "needs a value"),
    ]
    for where, what in expect:
        assert any(s.startswith(where) and what in s for s in shown), (where, what, shown)


def test_unknown_source_is_located(tiny_net) -> None:
    with pytest.raises(DataError) as err:
        parse_projects(HEAD_P + "a,A,ferry,10,S-made-up,1,A-test,10,A-test,\n", HEAD_C + "x1,a,link,l4,set,tracks,2,A-test,\n", tiny_net)
    assert [str(p) for p in err.value.problems] == ["projects.csv, line 2, field 'capital_usd_src': source id 'S-made-up' is not in sources.csv"]


def test_silkway_validate_reports_project_problems(invest_dir: Path, tmp_path: Path) -> None:
    import shutil

    from silkway.services.network import validate

    assert validate(None) == []  # the embedded dataset with its projects
    assert validate(invest_dir) == []
    bad = tmp_path / "bad"
    shutil.copytree(invest_dir, bad)
    (bad / "project_changes.csv").write_text(HEAD_C + "x1,ferry,link,l404,set,tracks,2,A-test,\n", encoding="utf-8")
    shown = [str(p) for p in validate(bad)]
    assert any(s.startswith("project_changes.csv, line 2, field 'target_id'") for s in shown), shown
