"""One URL module per kind of plugin API; PLUGIN_SERVER["KINDS"] maps a kind to its module."""
