"""Bounds on every number a user can type (silkway.limits), strict numbers in tables, no formula cells, literal text.

Each case once ended in a traceback, an allocation of hundreds of GB, a silent substitution or non-JSON output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway import jsonsafe, limits
from silkway.cli import app
from silkway.errors import DataError, ScenarioError, SilkwayError
from silkway.network import read_dataset
from silkway.scenarios.load import parse_scenario
from silkway.simulation import SimOptions, simulate
from silkway.simulation.demand import parse_demand

pytestmark = pytest.mark.timeout(120)
EXAMPLE = Path(__file__).parents[2] / "examples" / "baseline-2023.yaml"
OBSERVED = Path(__file__).parents[2] / "examples" / "observed-2023.csv"


def _run(*args: str):
    r = CliRunner().invoke(app, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


@pytest.mark.parametrize(("args", "message"), [
    (["route", "xian", "duisburg", "--depart", "9999-12-31T23:59"], "departure date 9999-12-31 is outside"),
    (["route", "xian", "duisburg", "--as-of", "0001-01-01"], "is outside 1900-01-01..2199-12-31"),
    (["route", "xian", "duisburg", "--teu", "inf", "--json"], "teu must be a finite number"),
    (["route", "xian", "duisburg", "--teu", "nan"], "teu must be a finite number"),
    (["route", "xian", "duisburg", "--teu", "1e9"], "teu must be > 0 and <= 100,000"),
    (["route", "xian", "duisburg", "--alternatives", "100000000"], "alternatives must be"),
    (["route", "xian", "duisburg", "--avoid", ""], "an empty avoid value avoids nothing"),
    (["route", "xian", "duisburg", "--avoid", "RU,"], "an empty avoid value avoids nothing"),
    (["simulate", "--days", "1000000000"], "days must be > 0 and <= 3,660"),
    (["simulate", "--days", "1", "--scale", "1e6"], "--scale must be >= 0 and <= 100"),
    (["simulate", "--days", "3000", "--scale", "100"], "silkway simulates at most"),
    (["simulate", "--days", "1", "--warmup-days", "1e9"], "warmup_days must be"),
    (["study", str(EXAMPLE), "--seed", str(10**23), "-r", "1"], "seed must be >= 0 and <= 9,223,372,036,854,775,807"),
    (["study", str(EXAMPLE), "--days", "0", "-r", "1"], "days must be > 0"),
    (["study", str(EXAMPLE), "-r", "1000000000"], "replications must be >= 1 and <= 100,000"),
    (["study", str(EXAMPLE), "-r", "1", "--workers", "100000"], "workers must be >= 1 and <= 256"),
    (["calibrate", "--observed", str(OBSERVED), "--days", "0"], "days must be > 0"),
])
def test_out_of_bounds_numbers_are_one_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    extra = ["--store", str(tmp_path / "s.duckdb")] if args[0] == "study" else ["--out", str(tmp_path / "o")] if args[0] != "route" else []
    r = _run(*args, *extra)
    assert r.exit_code == 1, r.output
    assert message in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output and not list(tmp_path.iterdir())


@pytest.mark.parametrize("days", ["inf", "nan", "1e9", "7.5"])
def test_days_must_be_a_plain_integer(days: str, tmp_path: Path) -> None:
    r = _run("simulate", "--days", days, "--out", str(tmp_path / "o"))
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--days'" in r.output and "Traceback" not in r.output and not list(tmp_path.iterdir())


def test_python_api_shares_the_bounds(sim_tiny_dir: Path) -> None:
    net = read_dataset(sim_tiny_dir)
    with pytest.raises(SilkwayError, match="days must be a finite number"):
        simulate(net, days=float("inf"))
    with pytest.raises(SilkwayError, match="seed must be"):
        simulate(net, days=1, seed=2**64)
    with pytest.raises(SilkwayError, match="schedule_days must be a finite number"):
        SimOptions(schedule_days=float("inf"))
    with pytest.raises(SilkwayError, match="must be > 0 and <= 100,000"):
        from silkway.services.routing import route
        route(net, "west", "isle", teu=1e12)
    limits.SEED.check(2**63 - 1)
    with pytest.raises(SilkwayError, match="whole number"):
        limits.REPLICATIONS.check(2.5)


@pytest.mark.parametrize("cell", ["3_02", "٣٠٢", "３０２", "0x12", "1,5"])
def test_strict_numbers_in_tables(cell: str, dataset_copy, sim_tiny_dir: Path) -> None:
    folder = dataset_copy()
    links = (folder / "links.csv").read_text(encoding="utf-8").splitlines()
    header = links[0].split(",")
    col = header.index("distance_km")
    row = links[1].split(",")
    row[col] = f'"{cell}"' if "," in cell else cell
    (folder / "links.csv").write_text("\n".join([links[0], ",".join(row), *links[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="distance_km"):
        read_dataset(folder)
    net = read_dataset(sim_tiny_dir)
    demand = (sim_tiny_dir / "demand.csv").read_text(encoding="utf-8").replace(",70,", f',"{cell}",', 1)
    with pytest.raises(DataError, match="teu_per_week"):
        parse_demand(demand, net)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-cmd"])
def test_formula_cells_are_refused_with_their_place(text: str, dataset_copy, sim_tiny_dir: Path) -> None:
    folder = dataset_copy()
    nodes = (folder / "nodes.csv").read_text(encoding="utf-8").splitlines()
    col = nodes[0].split(",").index("name")
    row = nodes[1].split(",")
    row[col] = '"' + text.replace('"', '""') + '"'
    (folder / "nodes.csv").write_text("\n".join([nodes[0], ",".join(row), *nodes[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"nodes.csv, line 2, field 'name': .*would run as a formula"):
        read_dataset(folder)
    net = read_dataset(sim_tiny_dir)
    demand = (sim_tiny_dir / "demand.csv").read_text(encoding="utf-8").replace("westbound across the strait",
                                                                              '"' + text.replace('"', '""') + '"')
    with pytest.raises(DataError, match="field 'note'"):
        parse_demand(demand, net)
    assert limits.formula_problem("+15% standard-gauge") is None and limits.formula_problem("-5.2") is None


@pytest.mark.parametrize("value", [".inf", ".nan", "1e400", "-.inf"])
def test_scenario_refuses_non_finite_numbers(value: str) -> None:
    with pytest.raises(ScenarioError, match="factor"):
        parse_scenario(f"silkway_scenario: 1\nname: x\ndemand:\n  growth:\n    - factor: {value}\n")


@pytest.mark.parametrize(("bad", "message"), [("west", "unknown node 'nowhere'"), ("70", "must be a finite number >= 0"),
                                              ("nan_teu", "must be a finite number >= 0")])
def test_validate_checks_the_dataset_demand_as_simulate_does(sim_tiny_dir: Path, tmp_path: Path, bad: str, message: str) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(sim_tiny_dir, folder)
    demand = (folder / "demand.csv").read_text(encoding="utf-8")
    demand = {"west": demand.replace("w_isle,west,", "w_isle,nowhere,", 1), "70": demand.replace(",70,", ",-70,", 1),
              "nan_teu": demand.replace(",70,", ",nan,", 1)}[bad]
    (folder / "demand.csv").write_text(demand, encoding="utf-8")
    r = _run("validate", str(folder))
    assert r.exit_code == 1 and "demand.csv" in r.output and message in r.output, r.output
    ok = _run("validate", str(sim_tiny_dir))
    assert ok.exit_code == 0 and "3 demand flows" in ok.output, ok.output


def test_json_output_is_standard() -> None:
    text = jsonsafe.dumps({"a": float("nan"), "b": [float("inf"), 1.5], "c": (float("-inf"),)})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": [None]}
    r = _run("route", "xian", "duisburg", "--json")
    assert r.exit_code == 0
    json.loads(r.output, parse_constant=lambda c: pytest.fail(f"non-standard JSON token {c}"))


@pytest.mark.parametrize("text", ["x[/]y", "[bold]z", ":x:", "[link=file:///etc]a[/link]"])
def test_user_text_is_printed_literally(text: str) -> None:
    r = _run("route", text, "duisburg")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert repr(text)[1:-1] in r.output or text in r.output, r.output
    r = _run("route", "xian", "duisburg", "--avoid", text)
    assert r.exit_code == 1 and text in r.output, r.output
