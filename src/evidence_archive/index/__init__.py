"""Stage 6a, index: the paragraph index (Whoosh), written at build time, and its engine."""
