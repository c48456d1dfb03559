"""Inspection Evidence Archive: children's services inspection reports as a citable archive."""

import os
from pathlib import Path

# No part of this program does linear algebra, and NumPy's OpenBLAS starts a worker thread for
# every further core as it loads, which spins on that core for the first tenth of a second of
# every process: a new `evidence search` used 0.21 s of processor time for 0.15 s on the clock
# (0.10 s with one thread), on two cores taking one from whatever runs beside it (a build's
# workers, the server, the next search). One thread, unless the environment says otherwise;
# set before anything imports NumPy (the package is imported first by every entry point).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from evidence_archive.whoosh_start import import_whoosh

__version__ = "0.1.0"


def data_text(name: str) -> str:
    """A file of the package's data folder, as text. The package is always installed as files
    (pip, editable or not), so a plain read: importlib.resources' readers import zipfile, 4 ms
    of every new `evidence search` process."""
    return (Path(__file__).parent / "data" / name).read_text("utf-8")


import_whoosh()
