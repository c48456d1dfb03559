"""Stage 5, open data: the archive as tables (documents, judgements, the national picture)."""
