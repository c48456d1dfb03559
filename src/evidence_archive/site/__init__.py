"""Stage 6b, site: generated pages (reports, councils, national), feeds, static search, MkDocs."""
