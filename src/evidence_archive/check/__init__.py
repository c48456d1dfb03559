"""Checks of the whole corpus: fidelity (every word in order on its page) and the audit."""
