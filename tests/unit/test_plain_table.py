"""``silkway route``'s tables printed without rich's table machinery (``silkway.cli._plain_table``) are, character for
character, what rich prints; where the plain rendering does not apply, rich prints them."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from silkway.cli import _plain_table, route_cmds
from silkway.cli._plain_table import PlainTable, print_table
from silkway.vocabulary import Objective

WIDTHS = (40, 60, 80, 100, 120, 160, 200, 250)


@pytest.fixture(scope="module")
def results():
    import silkway.services.routing as svc

    router = svc.router_for(None, as_of=None, depart=None)
    base = dict(dataset=None, router=router, conditions="typical", as_of=None, teu=1.0, depart=None, avoid=[], via=[],
                max_transfers=None, objective=Objective.TIME, alternatives=3)
    queries = [("Xian", "Duisburg", {}), ("Chongqing", "Duisburg", {"depart": "2024-01-15"}), ("Khorgos", "Hamburg", {"avoid": ["RU"]}),
               ("Urumqi", "Istanbul", {"objective": Objective.COST, "alternatives": 5}), ("Xian", "Tehran", {"conditions": "free"})]
    return [(svc.plan_route(o, d, **{**base, **kw}), router.net.node_by_id) for o, d, kw in queries]


def _printed(result, nodes, width: int, monkeypatch, plain: bool) -> str:
    console = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    monkeypatch.setattr(route_cmds, "console", console)
    if not plain:
        monkeypatch.setattr(PlainTable, "render", lambda _self, _width: None)  # rich lays out every table
    route_cmds._print(result, nodes)
    monkeypatch.undo()
    return console.file.getvalue()


def test_route_output_is_riches_at_every_width(results, monkeypatch):
    used = []
    real = PlainTable.render

    def counting(self, width):
        out = real(self, width)
        used.append((width, out is not None))
        return out

    for result, nodes in results:
        for width in WIDTHS:
            expected = _printed(result, nodes, width, monkeypatch, plain=False)
            monkeypatch.setattr(PlainTable, "render", counting)
            got = _printed(result, nodes, width, monkeypatch, plain=True)
            assert got == expected, (result.origin, result.destination, width)
    assert all(fast for width, fast in used if width >= 200)  # piped output (200 columns): the plain rendering
    assert not all(fast for _, fast in used)  # narrow consoles: rich's own layout


def _both(table: PlainTable, width: int, **console) -> tuple[str, str]:
    a = Console(file=io.StringIO(), width=width, markup=False, emoji=False, **console)
    b = Console(file=io.StringIO(), width=width, markup=False, emoji=False, **console)
    a.print(table.rich())
    print_table(b, table)
    return a.file.getvalue(), b.file.getvalue()


def _table(title, caption, justify, rows, columns=(("name", "left"), ("km", "right"))):
    t = PlainTable(title=title, caption=caption, caption_justify=justify)
    for header, j in columns:
        t.add_column(header, justify=j)
    for row in rows:
        t.add_row(*row)
    return t


CASES = [
    _table("西安 → Duisburg", "1 via Алашанькоу", "left", [("西安", "1,234"), ("Małaszewicze", "")]),
    _table("a title much longer than the table itself, to be wrapped over several centred lines", None, "left", [("a", "1")]),
    _table(None, "a caption with averyveryveryverylongwordthatmustbefolded and more words after it", "left", [("ab", "12")]),
    _table("t", "centred caption over two or more lines of the table's width", "center", [("abc", "1"), ("d", "22")]),
    _table("t", "x", "left", [("tab\there", "1")]),  # a tab: rich expands it, so rich prints
    _table("t", "x", "left", [("", "")], columns=(("", "left"), ("", "right"))),  # empty column: rich's minimum width
    _table("t", "trailing spaces   \nand a second line", "left", [("abc", "1")]),
]


@pytest.mark.parametrize("table", CASES, ids=range(len(CASES)))
def test_edge_cases_read_as_rich(table):
    for width in (12, 20, 30, 45, 80, 200):
        expected, got = _both(table, width)
        assert got == expected, width


def test_a_colour_console_is_printed_by_rich():
    table = CASES[0]
    expected, got = _both(table, 200, force_terminal=True, color_system="standard")
    assert got == expected and "\x1b[" in got
    assert _plain_table.PlainTable.render(table, 200) is not None  # it would fit: rich prints it for its colours
