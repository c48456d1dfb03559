"""Stage 4, build: every corpus document parsed and rendered once (Built), cached between builds;
the output folder and its swap."""
