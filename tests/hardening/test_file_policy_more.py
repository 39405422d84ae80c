"""Files that still bypassed silkway.safe_io (issue 14's "one policy for every file the program reads"): a dataset's
candidate projects (`silkway invest`, the web's invest page), a typical-waits table (`route --conditions FILE`),
an invest result (`silkway report --invest FILE`) and a GeoJSON export (`silkway import geojson`). Before, a FIFO
hung each of them for ever (`silkway invest` on a dataset whose projects.csv is a FIFO: killed after 90 s with no
output), /dev/zero grew the process without bound, and projects.csv could be a link out of its dataset folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from silkway.errors import ScenarioError, SilkwayError
from silkway.network import read_dataset

pytestmark = pytest.mark.timeout(60)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def projects_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "tiny", folder)
    for f in ("projects.csv", "project_changes.csv"):
        shutil.copy(FIXTURES / "invest_tiny" / f, folder / f)
    return folder


def _fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


def test_candidate_projects_are_read_under_the_policy(projects_dir: Path, tmp_path: Path) -> None:
    from silkway.services.projects import catalogue_digest, read_catalogue

    net = read_dataset(projects_dir)
    assert read_catalogue(projects_dir, net).projects  # the fixture reads
    _fifo(projects_dir / "projects.csv")
    with pytest.raises(ScenarioError, match="projects.csv: is a FIFO"):
        read_catalogue(projects_dir, net)
    with pytest.raises(ScenarioError, match="projects.csv: is a FIFO"):
        catalogue_digest(projects_dir)
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(FIXTURES / "invest_tiny" / "projects.csv", outside)
    (projects_dir / "projects.csv").unlink()
    (projects_dir / "projects.csv").symlink_to(outside)
    with pytest.raises(ScenarioError, match="leads out of its folder"):
        read_catalogue(projects_dir, net)
    (projects_dir / "projects.csv").unlink()
    with pytest.raises(ScenarioError, match="no projects.csv"):
        read_catalogue(projects_dir, net)


def test_typical_waits_invest_results_and_geojson_refuse_fifos_and_devices(tmp_path: Path) -> None:
    from silkway.importers.geojson import read_geojson
    from silkway.services.conditions import read_typical_waits
    from silkway.services.invest import load_result

    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    for target, what in ((_fifo(tmp_path / "pipe"), "FIFO"), (zero, "character device")):
        with pytest.raises(SilkwayError, match=what):
            read_typical_waits(target)
        with pytest.raises(ScenarioError, match=what):
            load_result(target)
        with pytest.raises(SilkwayError, match=what):
            read_geojson(target)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        load_result(deep)
    with pytest.raises(SilkwayError, match="nested too deeply"):
        read_geojson(deep)
