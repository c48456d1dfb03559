"""Reading corpus text: UTF-8 only, BOM ignored, CRLF and CR made LF."""

from __future__ import annotations

from pathlib import Path

from evidence_archive.errors import EncodingError


def decode(data: bytes, path: str | Path) -> str:
    """Decode corpus bytes as UTF-8 text with LF line ends, or raise EncodingError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EncodingError(path, "is UTF-16 (byte order mark found); corpus texts must be UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise EncodingError(
            path, "contains NUL bytes (UTF-16 without a BOM?); corpus texts must be UTF-8"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        guess = "Latin-1 or Windows-1252" if _looks_latin1(data) else "an unknown encoding"
        raise EncodingError(
            path,
            f"is not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}; "
            f"looks like {guess}); corpus texts must be UTF-8",
        ) from err
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_latin1(data: bytes) -> bool:
    """True when the bytes read cleanly as Windows-1252 (a superset of printable Latin-1)."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True
