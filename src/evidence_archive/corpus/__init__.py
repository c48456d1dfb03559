"""Stage 1, the corpus: text and metadata files (store), decoding (textio), paragraph ids (ids)."""
