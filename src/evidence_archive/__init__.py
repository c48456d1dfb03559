"""Inspection Evidence Archive: children's services inspection reports as a citable archive."""

from evidence_archive.whoosh_start import import_whoosh

__version__ = "0.1.0"

import_whoosh()
