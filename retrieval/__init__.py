"""The retrieval plugin kind: documents per plugin and owner, their chunks, keyword and vector
search over them, and text out of uploaded files."""
