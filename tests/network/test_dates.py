"""Dated rows: validation rules (located exactly), snapshots as of a date and the list of changes between dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from silkway.errors import DataError, SilkwayError
from silkway.network import read_dataset
from silkway.network.dataset import read_dated_dataset
from silkway.network.dates import change_dates, changes, parse_as_of

from ._edit import add_column, copy_row, set_cell

L, M = "links.csv", "manifest.toml"


def dated(d: Path) -> Path:
    """tiny with valid_from/valid_to columns on links and a reference date."""
    add_column(d, L, "valid_from")
    add_column(d, L, "valid_to")
    with (d / M).open("a", encoding="utf-8") as fh:
        fh.write("reference_date = 2024-06-30\n")
    return d


def upgrade_l3(d: Path, opens: str = "2025-01-01") -> Path:
    """l3 single track (12/day) until the day before ``opens``, double track (60/day) from it."""
    dated(d)
    set_cell(d, L, "l3", "valid_to", str(date.fromordinal(date.fromisoformat(opens).toordinal() - 1)))
    line = copy_row(d, L, "l3")
    _set_line(d, L, line, valid_from=opens, valid_to="", tracks="2", capacity_trains_day="60")
    return d


def _set_line(d: Path, file: str, line: int, **values: str) -> None:
    from ._edit import read_rows, write_rows

    rows = read_rows(d, file)
    for col, v in values.items():
        rows[line - 1][rows[0].index(col)] = v
    write_rows(d, file, rows)


def problems(d: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(DataError) as exc:
        read_dataset(d)
    return [(p.file, p.line, p.field, p.message) for p in exc.value.problems]


def test_snapshot_takes_the_row_valid_on_the_day(dataset_copy):
    d = upgrade_l3(dataset_copy())
    before = read_dataset(d, as_of="2024-12-31")
    after = read_dataset(d, as_of="2025-01-01")
    assert before.link_by_id["l3"].capacity_trains_day == 12 and before.link_by_id["l3"].tracks == 1
    assert after.link_by_id["l3"].capacity_trains_day == 60 and after.link_by_id["l3"].tracks == 2
    assert (before.as_of, after.as_of) == (date(2024, 12, 31), date(2025, 1, 1))
    assert read_dataset(d).as_of == date(2024, 6, 30)  # the manifest's reference date
    assert read_dataset(d).at(date(2025, 1, 1)).link_by_id["l3"].tracks == 2  # a snapshot of a snapshot uses every row


def test_changes_lists_exactly_the_dated_difference(dataset_copy):
    d = upgrade_l3(dataset_copy())
    net = read_dated_dataset(d)
    assert change_dates(net) == [date(2025, 1, 1)]
    diff = changes(net, date(2024, 6, 30), date(2025, 12, 31))
    assert [(c.table, c.key, c.what) for c in diff] == [("links", "l3", "changed")]
    assert {f for f, _, _ in diff[0].fields} == {"tracks", "capacity_trains_day"}
    assert changes(net, date(2025, 1, 1), date(2025, 12, 31)) == []


def test_future_link_and_its_node_are_absent_before_opening(dataset_copy):
    d = dated(dataset_copy())
    set_cell(d, L, "l4", "valid_from", "2026-01-01")  # the ferry to the isle opens in 2026
    net = read_dated_dataset(d)
    early, late = net.at(date(2025, 6, 1)), net.at(date(2026, 6, 1))
    assert "isle" not in early.node_by_id and "l4" not in early.link_by_id
    assert "isle" in late.node_by_id and "l4" in late.link_by_id
    assert not any(f.node_id == "isle" for f in early.facilities)
    assert [(c.table, c.key, c.what) for c in changes(net, date(2025, 6, 1), date(2026, 6, 1)) if c.table in ("nodes", "links")] == [
        ("nodes", "isle", "added"), ("links", "l4", "added")]


def test_bad_date_is_located(dataset_copy):
    d = dated(dataset_copy())
    line = set_cell(d, L, "l2", "valid_from", "2024-13-01")
    assert (L, line, "valid_from", "'2024-13-01' is not a calendar date") in problems(d)
    set_cell(d, L, "l2", "valid_from", "1/2/2024")
    assert (L, line, "valid_from", "'1/2/2024' is not a date as YYYY-MM-DD") in problems(d)


def test_valid_to_before_valid_from(dataset_copy):
    d = dated(dataset_copy())
    line = set_cell(d, L, "l2", "valid_from", "2024-05-01")
    set_cell(d, L, "l2", "valid_to", "2024-04-30")
    got = problems(d)
    assert [(f, ln, fld) for f, ln, fld, _ in got] == [(L, line, "valid_to")]
    assert "before valid_from" in got[0][3]


def test_overlapping_periods_of_one_id(dataset_copy):
    d = upgrade_l3(dataset_copy())
    set_cell(d, L, "l3", "valid_to", "2025-03-01")  # the first row now overlaps the second (from 2025-01-01)
    got = problems(d)
    assert [(f, ln, fld) for f, ln, fld, _ in got] == [(L, 6, "valid_from")]
    assert "must not overlap" in got[0][3] and "line 4" in got[0][3]


def test_gap_between_periods_of_one_id(dataset_copy):
    d = upgrade_l3(dataset_copy())
    set_cell(d, L, "l3", "valid_to", "2024-10-31")  # nothing holds from 2024-11-01 to 2024-12-31
    got = problems(d)
    assert (L, 6, "valid_from") in [(f, ln, fld) for f, ln, fld, _ in got]
    msg = next(m for f, ln, fld, m in got if (f, ln, fld) == (L, 6, "valid_from"))
    assert "no row from 2024-11-01 to 2024-12-31" in msg


def test_dated_rows_need_a_reference_date(dataset_copy):
    d = upgrade_l3(dataset_copy())
    (d / M).write_text("".join(ln for ln in (d / M).read_text().splitlines(True) if not ln.startswith("reference_date")))
    got = problems(d)
    assert [(f, ln, fld) for f, ln, fld, _ in got] == [(L, 4, "valid_from")]  # the first dated row
    assert "needs a reference_date" in got[0][3]


def test_rule_broken_only_in_one_period_names_the_period(dataset_copy):
    """A border crossing link that exists only from 2026 on still needs its facilities: the message says when."""
    d = dated(dataset_copy())
    set_cell(d, L, "l2", "valid_to", "2025-12-31")
    line = copy_row(d, L, "l2")
    _set_line(d, L, line, link_id="l2b", valid_from="2026-01-01", valid_to="", energy="hfo")  # hfo does not fit rail
    got = [(f, ln, fld, m) for f, ln, fld, m in problems(d) if ln == line]
    assert got and all(m.endswith("(in the network from 2026-01-01)") for *_, m in got)


def test_as_of_must_be_a_date():
    with pytest.raises(SilkwayError, match="is not a date"):
        parse_as_of("next year")
    assert parse_as_of("2024-06-01T08:00") == date(2024, 6, 1)
    with pytest.raises(SilkwayError, match="is not a date"):
        parse_as_of("2024-06-01x")  # no silent truncation to the first ten characters
