"""One policy for every file silkway reads (silkway.safe_io): regular files only, links kept in their folder, size caps.

Each case once hung (a FIFO), grew the process without bound (/dev/zero) or followed a link out of a dataset
folder and echoed the target in its error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from silkway import safe_io
from silkway.cli import app
from silkway.errors import DataError, ScenarioError
from silkway.network import read_dataset
from silkway.scenarios.load import load_scenario
from silkway.web import WebSettings, create_app

pytestmark = pytest.mark.timeout(60)
SCEN = Path(__file__).parents[1] / "scenarios" / "data"
SECRET = "secret-words-outside-the-folder"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


def _replace(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def test_read_refuses_devices_fifos_and_sockets(tmp_path: Path, fifo: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    with pytest.raises(safe_io.UnsafeFile, match="character device"):
        safe_io.read_bytes(zero, "table")
    with pytest.raises(safe_io.UnsafeFile, match="FIFO"):
        safe_io.read_bytes(fifo, "table")
    with pytest.raises(safe_io.UnsafeFile, match="folder"):
        safe_io.read_bytes(tmp_path, "table")
    with pytest.raises(safe_io.UnsafeFile) as missing:
        safe_io.read_bytes(tmp_path / "nope.csv", "table")
    assert missing.value.missing


def test_size_cap_per_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "big.yaml"
    f.write_bytes(b"x" * 2000)
    monkeypatch.setitem(safe_io.MAX_BYTES, "scenario", 1000)
    with pytest.raises(safe_io.UnsafeFile, match="more than"):
        safe_io.read_bytes(f, "scenario")
    monkeypatch.setitem(safe_io.MAX_BYTES, "scenario", 2000)
    assert len(safe_io.read_bytes(f, "scenario")) == 2000


def test_links_stay_in_their_folder_unless_named_directly(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "inner.csv").write_text("a\n", encoding="utf-8")
    (folder / "to_inner.csv").symlink_to(folder / "inner.csv")
    (folder / "to_outside.csv").symlink_to(outside)
    assert safe_io.read_bytes(folder / "to_inner.csv", "table", within=folder) == b"a\n"
    with pytest.raises(safe_io.UnsafeFile, match="leads out of its folder"):
        safe_io.read_bytes(folder / "to_outside.csv", "table", within=folder)
    assert SECRET.encode() in safe_io.read_bytes(folder / "to_outside.csv", "table")  # the user named it: allowed


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "outside", "fifo in folder"])
def test_dataset_table_that_is_not_a_regular_file_in_the_folder(dataset_copy, fifo: Path, outside: Path, target: str) -> None:
    folder = dataset_copy()
    if target == "fifo in folder":
        (folder / "links.csv").unlink()
        os.mkfifo(folder / "links.csv")
    else:
        _replace(folder / "links.csv", {"fifo": fifo, "outside": outside}.get(target, Path(target)))
    with pytest.raises(DataError) as err:
        read_dataset(folder)
    text = str(err.value)
    assert "links.csv" in text and SECRET not in text
    assert ("is a FIFO (named pipe), not a regular file" if target == "fifo in folder" else "leads out of its folder") in text


def test_dataset_manifest_fifo(dataset_copy) -> None:
    folder = dataset_copy()
    (folder / "manifest.toml").unlink()
    os.mkfifo(folder / "manifest.toml")
    with pytest.raises(DataError, match="manifest.toml: is a FIFO"):
        read_dataset(folder)


def _scenario_dir(tmp_path: Path) -> Path:
    d = tmp_path / "scen"
    shutil.copytree(SCEN, d)
    (d / "tiny-base.yaml").write_text((d / "tiny-base.yaml").read_text().replace("../../fixtures/tiny",
                                                                             str(SCEN.parents[1] / "fixtures" / "tiny")))
    return d


def test_scenario_extends_and_demand_file(tmp_path: Path, fifo: Path, outside: Path) -> None:
    d = _scenario_dir(tmp_path)
    child = d / "child.yaml"
    for parent, expected in ((fifo, "FIFO"), (Path("/dev/zero"), "character device")):
        child.write_text(f"silkway_scenario: 1\nname: c\nextends: {parent}\n", encoding="utf-8")
        with pytest.raises(ScenarioError, match=expected):
            load_scenario(child)
    (d / "linked.yaml").symlink_to(outside)
    child.write_text("silkway_scenario: 1\nname: c\nextends: linked.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="leads out of its folder") as err:
        load_scenario(child)
    assert SECRET not in str(err.value)
    _replace(d / "tiny-demand.csv", Path("/dev/zero"))
    with pytest.raises(ScenarioError, match="tiny-demand.csv: is a link that leads out of its folder"):
        load_scenario(d / "tiny-base.yaml")
    (d / "tiny-demand.csv").unlink()
    os.mkfifo(d / "tiny-demand.csv")
    with pytest.raises(ScenarioError, match="tiny-demand.csv: is a FIFO"):
        load_scenario(d / "tiny-base.yaml")


def test_scenario_file_named_directly_may_be_a_link(tmp_path: Path) -> None:
    d = _scenario_dir(tmp_path)
    link = tmp_path / "elsewhere.yaml"
    link.symlink_to(d / "tiny-base.yaml")
    assert load_scenario(link).name == "tiny-base"


def test_cli_demand_fifo_and_observed_device(sim_tiny_dir: Path, fifo: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["simulate", "--dataset", str(sim_tiny_dir), "--demand", str(fifo), "--days", "1",
                                 "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "FIFO" in r.output and r.exception is None or isinstance(r.exception, SystemExit), r.output
    r = CliRunner().invoke(app, ["calibrate", "--observed", "/dev/zero", "--days", "1", "--out", str(tmp_path / "c.csv")])
    assert r.exit_code == 1 and "character device" in r.output, r.output


def test_dataset_demand_link_out_of_folder(tmp_path: Path, sim_tiny_dir: Path, outside: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(sim_tiny_dir, folder)
    _replace(folder / "demand.csv", outside)
    r = CliRunner().invoke(app, ["simulate", "--dataset", str(folder), "--days", "1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "leads out of its folder" in r.output and SECRET not in r.output, r.output


def test_web_dataset_with_device_link_is_503_not_500(dataset_copy, tmp_path: Path) -> None:
    folder = dataset_copy()
    _replace(folder / "nodes.csv", Path("/dev/zero"))
    with TestClient(create_app(WebSettings(datasets={"bad": folder}, results_dir=tmp_path / "r")), raise_server_exceptions=False) as c:
        r = c.get("/api/datasets/bad/network")
    assert r.status_code == 503 and "nodes.csv: is a link that leads out of its folder" in r.text


def test_scenario_nested_100000_levels_and_duplicate_keys(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("silkway_scenario: 1\nname: d\nlinks: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="deep.yaml"):
        load_scenario(deep)
    deep.write_text("silkway_scenario: 1\nname: d\nlinks:\n" + "".join(" " * i + "- k:\n" for i in range(0, 400, 2)), encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested more than"):
        load_scenario(deep)
    dup = tmp_path / "dup.yaml"
    dup.write_text("silkway_scenario: 1\nname: a\nname: b\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"dup.yaml \(line 3\): key 'name' appears twice \(lines 2 and 3\)"):
        load_scenario(dup)
