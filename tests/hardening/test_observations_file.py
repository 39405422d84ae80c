"""The nowcast's observation file on the CLI / Python API path (``read_observations``): the same guards as the web
page's (one parser, ``parse_observations``) and the file policy of ``safe_io``.

Before: a JSON line nested thousands deep was a RecursionError traceback, a spreadsheet's byte-order mark became part
of the first header ("the header needs at least 'time' and 'kind'"), a FIFO hung the command, /dev/zero grew it
until a MemoryError, and a file without rows went on to a forecast of nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway import safe_io
from silkway.cli import app
from silkway.errors import DataError
from silkway.nowcast import observations
from silkway.nowcast.observations import read_observations
from silkway.services import nowcast_view

pytestmark = pytest.mark.timeout(60)
ROW = "2023-02-10T00:00Z,departed,T1,xian_malaszewicze,xian,100,50"
HEADER = "time,kind,train_id,flow_id,place,teu,containers"


def test_a_json_line_nested_thousands_deep_is_a_located_problem(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    good = '{"time": "2023-02-10T00:00Z", "kind": "queue_count", "place": "dostyk", "stage": "handling", "count": 3}'
    f.write_text(good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + '{"time": ' + "[" * 50_000 + "]" * 50_000 + "}\n",
                 encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_observations(f)
    assert [(p.file, p.line) for p in err.value.problems] == [("feed.jsonl", 2), ("feed.jsonl", 3)]
    assert all("nested too deeply" in p.message for p in err.value.problems)
    res = CliRunner().invoke(app, ["nowcast", "--observed", str(f), "--at", "2023-02-15T00:00Z", "--out", str(tmp_path / "o")])
    assert res.exit_code == 1, res.output
    assert "feed.jsonl, line 2: nested too deeply" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_a_byte_order_mark_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    f = tmp_path / "feed.csv"
    f.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8-sig")  # as a spreadsheet saves "CSV UTF-8"
    assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    (obs,) = read_observations(f)
    assert obs.train_id == "T1" and obs.teu == 100.0 and obs.line == 2
    # the text the web page sends keeps its mark too: the same function drops it
    assert observations.parse_observations("\ufeff" + f"{HEADER}\n{ROW}\n", "feed.csv") == [obs]


def test_the_web_page_and_the_cli_share_one_parser() -> None:
    assert nowcast_view.parse_observations is observations.parse_observations


def test_no_rows_devices_and_fifos_are_refused_without_reading(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="no observations"):
        read_observations(empty)
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="FIFO"):
        read_observations(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    with pytest.raises(DataError, match="character device"):
        read_observations(zero)


def test_observation_files_have_a_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "feed.csv"
    f.write_text(f"{HEADER}\n" + f"{ROW}\n" * 100, encoding="utf-8")
    monkeypatch.setitem(safe_io.MAX_BYTES, "observations", f.stat().st_size - 1)
    with pytest.raises(DataError, match="more than"):
        read_observations(f)
    monkeypatch.setitem(safe_io.MAX_BYTES, "observations", f.stat().st_size)
    assert len(read_observations(f)) == 100
