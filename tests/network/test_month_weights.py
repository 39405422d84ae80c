"""closures.csv ``month_weights``: twelve weights, January first, random closures only; errors located at file, line, field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.network import read_dataset, write_dataset

from ._edit import add_column, set_cells

CL = "closures.csv"


@pytest.mark.parametrize(("value", "extra", "field", "says"), [
    ("1;2;3", {}, "month_weights", "has 3 value(s): give 12"),
    ("1;1;1;1;1;1;1;1;1;1;1;x", {}, "month_weights", "month 12 weight 'x' is not a number"),
    ("1;1;1;-1;1;1;1;1;1;1;1;1", {}, "month_weights", "month 4 weight '-1' must be a finite number >= 0"),
    ("0;0;0;0;0;0;0;0;0;0;0;0", {}, "month_weights", "at least one positive"),
    ("1;1;1;1;1;1;1;1;1;1;1;2", {"kind": "recurring", "start_day_of_year": "10", "events_per_year": ""}, "month_weights",
     "random closures only"),
    ("1;1;1;1;1;1;1;1;1;1;1;2", {"src": ""}, "src", "has no source"),
])
def test_bad_month_weights(dataset_copy: Callable[..., Path], value: str, extra: dict, field: str, says: str) -> None:
    d = dataset_copy()
    add_column(d, CL, "month_weights")
    line = set_cells(d, CL, "storm", month_weights=value, **extra)
    with pytest.raises(DataError) as err:
        read_dataset(d)
    hits = [p for p in err.value.problems if p.file == CL and p.line == line and p.field == field]
    assert hits and says in hits[0].message, [str(p) for p in err.value.problems]


def test_month_weights_round_trip(dataset_copy: Callable[..., Path], tmp_path: Path) -> None:
    d = dataset_copy()
    add_column(d, CL, "month_weights")
    set_cells(d, CL, "storm", month_weights="2;2;1.5;1;0.6;0.3;0.3;0.3;0.6;1.2;1.8;2")
    net = read_dataset(d)
    assert net.closures[0].month_weights == (2, 2, 1.5, 1, 0.6, 0.3, 0.3, 0.3, 0.6, 1.2, 1.8, 2)
    again = read_dataset(write_dataset(net, tmp_path / "out"))
    assert again.closures[0].month_weights == net.closures[0].month_weights
