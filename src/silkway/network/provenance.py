"""Provenance of a dataset's numbers: how many cite a real source, how many only an assumption,
and which sources are weak (wiki mirrors and content farms, no locator, a year for a date).

Pure: takes a :class:`Network`, reads no file. Driven by :data:`schema.TABLES` and each column's
``src``, so a table or a sourced column added to the format is covered without a change here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from silkway.network.model import Network, Source
from silkway.network.schema import TABLES

# Hosts that republish other publishers' pages (Wikipedia mirrors, news scrapers). A host matches
# itself and its subdomains. Each entry names what it was seen copying, as evidence; add a host
# only with such evidence, never because a site is unfamiliar.
MIRROR_HOSTS: dict[str, str] = {
    "qwe.wiki": "Wikipedia mirror (de.qwe.wiki/wiki/<article>)",
    "hessslslslsls.azureedge.net": "Wikipedia mirror on a CDN host (/wiki/Port_of_Khorgos)",
    "wiki-gateway.eudic.net": "Wikipedia mirror of a dictionary site (Aktogay article)",
    "perceptiode.com": "Wikipedia mirror (Kuryk, Zharkent articles)",
    "a.osmarks.net": "Kiwix dump of Wikipedia (/content/wikipedia_en_all_maxi/...)",
    "datana.cloud": "Wikipedia mirror (Baku-Tbilisi-Kars railway article)",
    "piglix.com": "Wikipedia mirror (Lanzhou-Xinjiang railway article)",
    "cnzpmj.com": "copy of a People's Daily article (2023-07-25)",
    "lucaturilli.net": "copy of People's Daily Online with its /n3/<date>/c90000-<id>.html paths",
    "vibewire.com.au": "unrelated Australian domain carrying RailFreight.com's Eurasian rail stories (?p=<id>)",
    "shyladzmitry.com": "content-farm page ('Written by 12:00 Indicators'): Khorgos figures from unnamed 'official data'",
}

_MIRROR_WORD = re.compile(r"\bmirror\b", re.IGNORECASE)
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?=[/?#:\s]|$)", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class FieldProvenance:
    """Counts for one numeric column of one table. ``values`` = non-empty cells of the column;
    ``real`` cite at least one ``kind = source`` row; ``assumption_only`` cite only assumptions;
    ``unsourced`` cite no known row (a valid dataset has none); ``mirror_only`` (a part of ``real``)
    cite real sources that are all mirrors."""

    table: str
    field: str
    src_column: str
    values: int
    real: int
    assumption_only: int
    unsourced: int
    mirror_only: int = 0


@dataclass(frozen=True, slots=True)
class SourceFlag:
    """A weak source row: ``reason`` says why it is listed; ``uses`` = values citing it."""

    source_id: str
    reason: str
    uses: int


@dataclass(frozen=True, slots=True)
class ProvenanceReport:
    fields: tuple[FieldProvenance, ...]
    n_sources: int  # rows of kind ``source``
    n_assumptions: int
    mirrors: tuple[SourceFlag, ...]
    no_locator: tuple[SourceFlag, ...]
    host_only_locator: tuple[SourceFlag, ...]  # a bare host name: the page itself is not named
    year_only_date: tuple[SourceFlag, ...]

    def table_totals(self) -> dict[str, FieldProvenance]:
        """One summed row per table (``field`` = ``*``), in table order."""
        out: dict[str, FieldProvenance] = {}
        for f in self.fields:
            t = out.get(f.table) or FieldProvenance(f.table, "*", "*", 0, 0, 0, 0)
            out[f.table] = FieldProvenance(f.table, "*", "*", t.values + f.values, t.real + f.real, t.assumption_only + f.assumption_only,
                                           t.unsourced + f.unsourced, t.mirror_only + f.mirror_only)
        return out


def locator_host(locator: str | None) -> str | None:
    """The host name a locator starts with (``www.`` dropped, lower case), or None if it names no host."""
    m = _HOST.match((locator or "").strip())
    if m is None:
        return None
    host = m.group(1).lower()
    return host.removeprefix("www.")


def mirror_reason(source: Source) -> str | None:
    """Why ``source`` is a mirror (its publisher or locator says so, its host is a known mirror),
    or None."""
    reasons = [f"{name} says mirror" for name in ("publisher", "locator") if _MIRROR_WORD.search(getattr(source, name) or "")]
    host = locator_host(source.locator)
    reasons += [f"host {known}: {evidence}" for known, evidence in MIRROR_HOSTS.items()
                if host is not None and (host == known or host.endswith("." + known))]
    return "; ".join(reasons) or None


def provenance(net: Network) -> ProvenanceReport:
    """Count, per table and sourced column, the values citing a real source or only assumptions,
    and list the mirror sources, those without a locator, with a bare host, or with only a year."""
    kinds = {s.source_id: s.kind for s in net.sources}
    mirrors = {s.source_id for s in net.sources if s.kind == "source" and mirror_reason(s)}
    uses: Counter[str] = Counter()
    fields: list[FieldProvenance] = []
    for name, table in TABLES.items():
        sourced = [c for c in table.cols if c.src]
        records = net.table(name) if sourced else ()
        for col in sourced:
            real = assumption = unsourced = mirror_only = 0
            for rec in records:
                if getattr(rec, col.name, None) in (None, "", ()):
                    continue
                ids = dict(rec.src).get(col.src, ())
                uses.update(ids)
                real_ids = {i for i in ids if kinds.get(i) == "source"}
                if real_ids:
                    real += 1
                    mirror_only += int(real_ids <= mirrors)
                elif any(kinds.get(i) == "assumption" for i in ids):
                    assumption += 1
                else:
                    unsourced += 1
            fields.append(FieldProvenance(name, col.name, col.src or "", real + assumption + unsourced, real, assumption, unsourced, mirror_only))
    real_sources = [s for s in net.sources if s.kind == "source"]

    def flags(reason_of: Callable[[Source], str | None]) -> tuple[SourceFlag, ...]:
        return tuple(SourceFlag(s.source_id, r, uses[s.source_id]) for s in real_sources if (r := reason_of(s)))

    return ProvenanceReport(
        fields=tuple(fields),
        n_sources=len(real_sources),
        n_assumptions=len(net.sources) - len(real_sources),
        mirrors=flags(mirror_reason),
        no_locator=flags(lambda s: None if (s.locator or "").strip() else "no locator"),
        host_only_locator=flags(lambda s: f"locator is only the host {h}" if (h := _bare_host(s.locator)) else None),
        year_only_date=flags(lambda s: f"date {s.date}" if s.date and _YEAR.fullmatch(s.date) else None),
    )


def _bare_host(locator: str | None) -> str | None:
    text = (locator or "").strip().rstrip("/")
    host = locator_host(text)
    return host if host is not None and re.fullmatch(r"(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?" + re.escape(host), text, re.IGNORECASE) else None
