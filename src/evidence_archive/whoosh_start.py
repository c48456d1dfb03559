"""Whoosh's start-up, without the two imports it makes and never uses.

`whoosh.compat` imports `urllib.request` (with http.client, email and ssl: 18 ms of every new
process) only to re-export `urlretrieve`, which nothing in Whoosh or here calls; `whoosh.reading`
imports the `cached_property` package, which imports asyncio (8 ms) for coroutine properties,
for one plain property. Both are 15% of a new `evidence search` process. While those two Whoosh
modules are imported (and nothing else), `urllib.request` stands for a module whose
`urlretrieve` imports the real one when called, and `cached_property` for the standard
library's; then both names leave sys.modules, so any later import gets the real modules.
Run once, from the package's __init__, before anything imports Whoosh.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    """Import whoosh.compat and whoosh.reading with the stand-ins above (module docstring)."""
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": types.ModuleType("urllib.request"),
        "cached_property": types.ModuleType("cached_property"),
    }
    stand_ins["urllib.request"].urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    stand_ins["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    placed = [name for name in stand_ins if name not in sys.modules]
    for name in placed:
        sys.modules[name] = stand_ins[name]
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name in placed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
