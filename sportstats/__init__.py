"""Sport Stats: teams, players, games and box scores served from our own tables."""
