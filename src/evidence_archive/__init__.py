"""Inspection Evidence Archive: children's services inspection reports as a citable archive."""

from pathlib import Path

from evidence_archive.whoosh_start import import_whoosh

__version__ = "0.1.0"


def data_text(name: str) -> str:
    """A file of the package's data folder, as text. The package is always installed as files
    (pip, editable or not), so a plain read: importlib.resources' readers import zipfile, 4 ms
    of every new `evidence search` process."""
    return (Path(__file__).parent / "data" / name).read_text("utf-8")


import_whoosh()
