"""retrieval_ingest, retrieval_reindex, retrieval_status and load_retrieval_demo."""
