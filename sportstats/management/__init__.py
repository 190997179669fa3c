"""Management commands of Sport Stats: imports, synthetic leagues and the upstream sync."""
