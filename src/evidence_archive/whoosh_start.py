"""Whoosh's start-up, without the modules it imports and a search never uses.

A new `evidence search` process spends most of its time importing. Whoosh imports, for every
process, modules that only some of its paths use:
- `whoosh.compat` imports `urllib.request` (with http.client, email and ssl: 18 ms) only to
  re-export `urlretrieve`, which nothing in Whoosh or here calls; `whoosh.reading` imports the
  `cached_property` package, which imports asyncio (8 ms), for one plain property;
- `whoosh.filedb.filetables` imports `hashlib` for md5, which loads OpenSSL (3 ms): the
  interpreter's own md5 (`_md5`) gives the same digests;
- `whoosh.filedb.filestore` and `whoosh.filedb.compound` import `tempfile` and `shutil` (with
  bz2, lzma and random), `whoosh.util.times` `calendar`, `whoosh.compat` `queue`, and
  `whoosh.query.terms` `whoosh.lang.morph_en`, which compiles 80 regular expressions (5 ms) for
  the `Variations` query; `whoosh.analysis.morph` imports `whoosh.lang.dmetaphone` (the
  double metaphone filter), `whoosh.codec.base` the Levenshtein automata and `whoosh.reading`
  the edit distance (fuzzy terms, spelling): each only for a path a search does not take
  (temporary storage, copying a file, dates, threads, variations, sounds-like and fuzzy words).

While Whoosh's modules are imported (and nothing else), each of those names stands for a
module that imports the real one on first use (`_Deferred`), `cached_property` for the standard
library's and `hashlib` for one offering `_md5`'s md5; then every name leaves sys.modules, so
any later import gets the real module. Run once, from the package's __init__, before anything
imports Whoosh.
"""

from __future__ import annotations

import functools
import gc
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

#: The Whoosh modules imported with the stand-ins in place: every one a search opens.
WHOOSH_MODULES = (
    "whoosh.compat",
    "whoosh.reading",
    "whoosh.filedb.compound",
    "whoosh.filedb.filetables",
    "whoosh.codec.whoosh3",
    "whoosh.query",
    "whoosh.qparser",
)


class _Deferred(types.ModuleType):
    """A module that imports the real one of its name on first use: an attribute read, or a
    call of one of the functions named (a `from module import function` in Whoosh)."""

    def __init__(self, name: str, *functions: str) -> None:
        super().__init__(name)
        self._real: types.ModuleType | None = None
        for fn in functions:
            setattr(self, fn, self._calling(fn))

    def _module(self) -> types.ModuleType:
        if self._real is None:
            if sys.modules.get(self.__name__) is self:  # still standing in: step aside first
                del sys.modules[self.__name__]
            self._real = importlib.import_module(self.__name__)
        return self._real

    def _calling(self, fn: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._module(), fn)(*args, **kwargs)

        call.__name__ = fn
        return call

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # the import system's questions: the stand-in's own answers
            raise AttributeError(attr)
        return getattr(self._module(), attr)


def _stand_ins() -> dict[str, types.ModuleType]:
    out: dict[str, types.ModuleType] = {
        "urllib.request": _Deferred("urllib.request", "urlretrieve"),
        "tempfile": _Deferred("tempfile"),
        "shutil": _Deferred("shutil", "copyfileobj"),
        "random": _Deferred("random"),
        "calendar": _Deferred("calendar"),
        "queue": _Deferred("queue"),
        "whoosh.lang.morph_en": _Deferred("whoosh.lang.morph_en", "variations"),
        "whoosh.lang.dmetaphone": _Deferred("whoosh.lang.dmetaphone", "double_metaphone"),
        "whoosh.automata.lev": _Deferred("whoosh.automata.lev"),
        "whoosh.support.levenshtein": _Deferred("whoosh.support.levenshtein", "distance"),
        "cached_property": types.ModuleType("cached_property"),
    }
    out["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    try:
        from _md5 import md5  # CPython's own md5, built in unless configured out
    except ImportError:  # no stand-in: Whoosh imports hashlib
        return out
    out["hashlib"] = types.ModuleType("hashlib")
    out["hashlib"].md5 = md5  # type: ignore[attr-defined]
    return out


def import_whoosh() -> None:
    """Import Whoosh's modules with the stand-ins above (module docstring)."""
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = _stand_ins()
    placed = [name for name in stand_ins if name not in sys.modules]
    for name in placed:
        sys.modules[name] = stand_ins[name]
    # Nothing Whoosh's modules make is garbage: no collection while they are made (a tenth of
    # their import time, collections that find nothing among their growing number of objects).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for module in WHOOSH_MODULES:
            importlib.import_module(module)
    finally:
        if collecting:
            gc.enable()
        for name in placed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
