"""TODO lists: the API of the seed's TODO plugins, stored per plugin and owner."""
