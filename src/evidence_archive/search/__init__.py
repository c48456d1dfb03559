"""Stage 7, search at query time: contract, searcher, formats, the quote check, the API."""
