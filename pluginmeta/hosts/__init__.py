"""Request routing: which plugin and URL module serve a hostname, and which paths are pages."""
