"""Stage 2, parse: a corpus text -> the document model (frozen dataclasses of model.py)."""
