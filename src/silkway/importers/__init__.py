"""Import a network from OpenStreetMap or a GIS layer into silkway's dataset format (docs/import.md)."""
