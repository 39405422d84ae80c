"""Small enums shared by the core and the interfaces, importable without the simulation stack (the CLI lists
their values in ``--help`` without loading numba or pandas)."""

from __future__ import annotations

from enum import StrEnum


class RouteMode(StrEnum):
    """How simulated shipments choose routes: ``fixed`` = each demand row keeps its corridor route; ``adaptive`` =
    each shipment takes the candidate route with the least expected time given current queues."""

    FIXED = "fixed"
    ADAPTIVE = "adaptive"
