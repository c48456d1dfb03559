"""Inspection Evidence Archive: children's services inspection reports as a citable archive."""

__version__ = "0.1.0"
