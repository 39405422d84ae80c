"""The nowcast (issue 17): observations of the live corridor, warm start, forecasts (docs/nowcast.md)."""
