"""Admin for retrieval: documents with their chunks, and an upload page using the ingest service."""
