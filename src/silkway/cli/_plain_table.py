"""A table printed as rich prints it on a console without colours, without rich's table machinery.

rich lays out and renders ``silkway route``'s two tables in ≈ 0.05 s of CPU (a tenth of the command,
benchmarks/RESULTS.md "Issue 16, session 8"). When the console has no colour system (output piped or to a file: no
styles are written) and the table fits the console at its natural width (no cell wrapped, title and caption lines on
one line each), :func:`render` writes the same characters rich writes, in the layout of ``rich.table.Table``'s
defaults as ``silkway.cli`` uses them: heavy-head box, one space of padding each side, the title centred and the
caption justified over the table's width. Anything else (a terminal with colours, a table wider than the console, a
cell with a tab or a control character) is printed by rich itself (:func:`print_table`).
``tests/unit/test_plain_table.py`` compares both, character for character.
"""

from __future__ import annotations

from typing import Any

# rich.box.HEAVY_HEAD: top, header row, header separator, body rows, bottom
_TOP, _HEAD, _HEAD_SEP, _ROW, _BOTTOM = ("┏", "━", "┳", "┓"), ("┃", "┃", "┃"), ("┡", "━", "╇", "┩"), ("│", "│", "│"), ("└", "─", "┴", "┘")


class PlainTable:
    """The part of ``rich.table.Table``'s interface ``silkway route`` uses: a title, a caption, columns with a
    justification and ``no_wrap``, rows of strings."""

    def __init__(self, title: str | None = None, caption: str | None = None, caption_justify: str = "center"):
        self.title, self.caption, self.caption_justify = title, caption, caption_justify
        self.columns: list[tuple[str, str, bool]] = []
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, header: str = "", justify: str = "left", no_wrap: bool = False) -> None:
        self.columns.append((header, justify, no_wrap))

    def add_row(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def rich(self) -> Any:
        """The same table as a ``rich.table.Table``."""
        from rich.table import Table

        t = Table(title=self.title, caption=self.caption, caption_justify=self.caption_justify)  # type: ignore[arg-type]
        for header, justify, no_wrap in self.columns:
            t.add_column(header, justify=justify, no_wrap=no_wrap)  # type: ignore[arg-type]
        for row in self.rows:
            t.add_row(*row)
        return t

    def render(self, width: int) -> str | None:
        """The lines rich prints for this table on a console ``width`` columns wide without colours; None when rich
        would lay it out otherwise (it does not fit, or some text needs rich's own handling)."""
        from rich.cells import cell_len

        texts = [h for h, _, _ in self.columns] + [c for row in self.rows for c in row]
        notes = [t for t in (self.title, self.caption) if t]
        if (not self.columns or any(len(row) != len(self.columns) for row in self.rows)
                or not all(isinstance(t, str) and t.isprintable() for t in texts)
                or not all(isinstance(t, str) and line.isprintable() for t in notes for line in t.split("\n"))
                or any(j not in ("left", "right") for _, j, _ in self.columns)
                or self.caption_justify not in ("left", "center")):
            return None
        widths = [max(cell_len(t) for t in (h, *(row[i] for row in self.rows))) for i, (h, _, _) in enumerate(self.columns)]
        total = sum(widths) + 3 * len(widths) + 1  # one space of padding each side, a border between and around
        if total > width or any(w == 0 for w in widths):
            return None
        out: list[str] = []
        if self.title:
            title = _wrapped(self.title, total, "center")
            if title is None:
                return None
            out += title
        out.append(_rule(_TOP, widths))
        out.append(_line(_HEAD, [h for h, _, _ in self.columns], widths, self.columns, cell_len))
        out.append(_rule(_HEAD_SEP, widths))
        out += [_line(_ROW, row, widths, self.columns, cell_len) for row in self.rows]
        out.append(_rule(_BOTTOM, widths))
        if self.caption:
            caption = _wrapped(self.caption, total, self.caption_justify)
            if caption is None:
                return None
            out += caption
        return "\n".join(out)


def _wrapped(text: str, width: int, justify: str) -> list[str] | None:
    """``text`` as rich wraps and justifies a title or caption over the table's width (``rich.text.Text.wrap``: its
    own word division, whitespace beyond the width dropped, then each line padded to the width); None where rich would
    fold or crop a word."""
    import re

    from rich._wrap import divide_line
    from rich.cells import cell_len

    out = []
    for paragraph in text.split("\n"):
        cuts = [0, *divide_line(paragraph, width, fold=True), len(paragraph)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            line = paragraph[a:b]
            excess = len(line) - width
            if excess > 0 and (space := re.search(r"\s+$", line)):
                line = line[: len(line) - min(len(space.group(0)), excess)]
            if justify == "center":
                line = line.rstrip()
            n = cell_len(line)
            if n > width:
                return None
            left = (width - n) // 2 if justify == "center" else 0
            out.append(" " * left + line + " " * (width - n - left))
    return out


def _rule(box: tuple[str, str, str, str], widths: list[int]) -> str:
    left, fill, cross, right = box
    return left + cross.join(fill * (w + 2) for w in widths) + right


def _line(box: tuple[str, str, str], cells: tuple[str, ...] | list[str], widths: list[int], columns: list[tuple[str, str, bool]],
          cell_len: Any) -> str:
    edge, mid, end = box
    parts = []
    for text, w, (_, justify, _) in zip(cells, widths, columns, strict=True):
        pad = " " * (w - cell_len(text))
        parts.append(f" {text}{pad} " if justify == "left" else f" {pad}{text} ")
    return edge + mid.join(parts) + end


def print_table(console: Any, table: PlainTable) -> None:
    """``console.print(table)`` as rich would print it: the plain rendering where it applies, rich's otherwise."""
    text = table.render(console.width) if console.color_system is None else None
    if text is None:
        console.print(table.rich())
    else:
        console.out(text, highlight=False)
