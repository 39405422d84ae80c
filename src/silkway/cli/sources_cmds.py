"""silkway sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from silkway import jsonsafe
from silkway.cli._app import DATASET_HELP, LazyModule, Table, app, console

if TYPE_CHECKING:
    from silkway.network.provenance import FieldProvenance, ProvenanceReport, SourceFlag

svc = LazyModule("silkway.services.sources")


@app.command()
def sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
) -> None:
    """Provenance: per table and field, values citing a real source vs only assumptions; mirror
    sources, sources without a locator or with only a year as date."""
    rep = svc.report(dataset)
    if as_json:
        typer.echo(jsonsafe.dumps(svc.to_dict(rep), ensure_ascii=False, indent=1))
        return
    _print_fields(rep)
    console.print(f"{rep.n_sources} sources, {rep.n_assumptions} assumptions")
    for title, flags in (("Mirror / content-farm sources", rep.mirrors), ("Sources without a locator", rep.no_locator),
                         ("Locator is only a host name", rep.host_only_locator), ("Date is only a year", rep.year_only_date)):
        _print_flags(title, flags)


def _print_fields(rep: ProvenanceReport) -> None:
    t = Table(title="Values by table and field")
    for col in ("table", "field", "values", "real source", "of which mirror only", "assumption only", "unsourced", "% real"):
        t.add_column(col, justify="left" if col in ("table", "field") else "right")
    totals = rep.table_totals()
    for i, f in enumerate(rep.fields):
        t.add_row(*_cells(f))
        last = i + 1 == len(rep.fields) or rep.fields[i + 1].table != f.table
        if last:
            t.add_row(*_cells(totals[f.table]), style="bold", end_section=True)
    console.print(t)


def _cells(f: FieldProvenance) -> tuple[str, ...]:
    pct = f"{100 * f.real / f.values:.0f}" if f.values else "-"
    return (f.table, "all" if f.field == "*" else f.field, str(f.values), str(f.real), str(f.mirror_only), str(f.assumption_only),
            str(f.unsourced), pct)


def _print_flags(title: str, flags: tuple[SourceFlag, ...]) -> None:
    if not flags:
        console.print(f"{title}: none")
        return
    t = Table(title=f"{title} ({len(flags)})")
    for col in ("source_id", "values citing it", "why"):
        t.add_column(col, justify="right" if col.startswith("values") else "left")
    for f in flags:
        t.add_row(f.source_id, str(f.uses), f.reason)
    console.print(t)
