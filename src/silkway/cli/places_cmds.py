"""silkway places."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkway.cli._app import DATASET_HELP, LazyModule, Table, app, console

svc = LazyModule("silkway.services.routing")
net_svc = LazyModule("silkway.services.network")


@app.command()
def places(
    query: Annotated[str | None, typer.Argument(help="Part of a name, id or alias (khorgos, baku), or a country (Russia, KZ).")] = None,
    dataset: Annotated[Path | None, typer.Option("--dataset", help=DATASET_HELP)] = None,
) -> None:
    """List the places the route planner knows (id, name, kind, country, aliases) and the countries (code or English
    name both work in --avoid)."""
    listing = svc.list_places(net_svc.load(dataset), query)
    names = {code: name for code, name, _ in listing.countries}
    title = f"places in {names[listing.country]}" if listing.country else (f"places matching '{query}'" if query else "places")
    t = Table(title=f"{title}: {len(listing.places)}")
    for col in ("id", "name", "kind", "country", "aliases"):
        t.add_column(col, no_wrap=col in ("id", "kind", "country"))
    for n in listing.places:
        t.add_row(n.node_id, n.name, n.node_kind, f"{n.country} {names.get(n.country, '')}".strip(), ", ".join(n.aliases))
    console.print(t)
    if not listing.places:
        console.print(f"no place matches '{query}'", highlight=False)
    console.print("countries (code or name for --avoid): "
                  + ", ".join(f"{code} {name}" + (f" ({k})" if k else "") for code, name, k in listing.countries), highlight=False)
