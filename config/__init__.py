"""Project configuration: settings, URL modules and server entry points."""
