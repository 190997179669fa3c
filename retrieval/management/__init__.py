"""Management commands of the retrieval plugin."""
