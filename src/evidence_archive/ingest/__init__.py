"""Ingest: a PDF -> corpus text and metadata, checked by parse, render and fidelity first."""
