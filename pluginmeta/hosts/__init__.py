"""Host routing: which plugin, and which URL module, serves a request's hostname."""
