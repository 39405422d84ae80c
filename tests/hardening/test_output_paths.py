"""Output paths: a file where a folder is needed, or the reverse, is one clear line (exit 1) before any work is done."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.atomic import OutputPathError, atomic_write_text, ensure_folder
from silkway.cli import app
from silkway.scenarios.store import ResultsStore

pytestmark = pytest.mark.timeout(120)
EXAMPLE = Path(__file__).parents[2] / "examples" / "baseline-2023.yaml"


@pytest.fixture
def afile(tmp_path: Path) -> Path:
    f = tmp_path / "afile"
    f.write_text("keep me\n", encoding="utf-8")
    return f


def _cases(afile: Path, folder: Path) -> list[tuple[list[str], str]]:
    return [
        (["simulate", "--days", "1", "--out", str(afile)], "is a file; the output folder must be a folder"),
        (["simulate", "--days", "1", "--out", str(afile / "sub")], "which is a file; the output folder must be a folder"),
        (["study", str(EXAMPLE), "-r", "1", "--store", str(folder)], "is a folder; the results store must be a file"),
        (["study", str(EXAMPLE), "-r", "1", "--store", str(afile / "x.duckdb")], "the folder of the results store must be a folder"),
        (["study", str(EXAMPLE), "-r", "1", "--store", str(folder / "s.duckdb"), "--export", str(afile)], "the export folder must be a folder"),
        (["report", "-o", str(afile), "--store", str(folder / "s.duckdb")], "the report folder must be a folder"),
        (["calibrate", "--observed", str(Path(__file__).parents[2] / "examples" / "observed-2023.csv"), "-o", str(folder)], "is a folder; the output file must be a file"),
        (["demo", "-o", str(afile)], "the report folder must be a folder"),
        (["export", "geojson", "-o", str(folder)], "is a folder; the output file must be a file"),
        (["export", "geojson", "-o", str(afile / "x.json")], "the folder of the output file must be a folder"),
        (["capacity", "--curve", "--out", str(afile)], "the output folder must be a folder"),
    ]


def test_every_output_option(afile: Path, tmp_path: Path) -> None:
    for args, message in _cases(afile, tmp_path):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 1, (args, r.output, r.exception)
        assert message in " ".join(r.output.split()), (args, r.output)
        assert afile.read_text(encoding="utf-8") == "keep me\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"], args  # nothing written


def test_library_writers(afile: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="is a folder"):
        atomic_write_text(tmp_path, "x")
    with pytest.raises(OutputPathError, match="which is a file"):
        ensure_folder(afile / "a" / "b")
    with pytest.raises(OutputPathError, match="results store"):
        ResultsStore(afile / "s.duckdb")
