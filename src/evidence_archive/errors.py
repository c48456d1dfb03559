"""One root exception for bad input; every message names the file."""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """Bad input that the archive knows about: report it, do not retry."""

    status = 500
    """The HTTP status the API answers with when this reaches it."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Errors cross process boundaries (parallel ingest and build): rebuild from both args.
        return (type(self), (self.path, self.problem))


class CorpusError(ArchiveError):
    """A corpus text or metadata file is wrong."""


class EncodingError(CorpusError):
    """A text file is not UTF-8."""


class PdfError(ArchiveError):
    """A PDF cannot be ingested."""


class QueryError(ArchiveError):
    """A search query cannot be understood."""

    status = 400


class IndexUnavailable(ArchiveError):
    """There is no search index, or it cannot be read: build it (the API answers 503)."""

    status = 503


class BuildErrors(ArchiveError):
    """Several documents failed; nothing was published."""

    def __init__(self, errors: list[ArchiveError]) -> None:
        self.errors = errors
        super().__init__(None, "\n".join(str(e) for e in errors))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.errors,))


class WorkerFailure(Exception):
    """An unexpected error (a bug, not bad input) while one document was processed, in a worker
    process or not: names the document and keeps the original traceback. Not an ArchiveError:
    the command reports it as a fault of the program, with the traceback, never as bad input."""

    def __init__(self, path: str | Path, trace: str) -> None:
        self.path = str(path)
        self.trace = trace
        super().__init__(f"{self.path}: unexpected error while processing this document")

    @classmethod
    def here(cls, path: str | Path) -> WorkerFailure:
        """The failure being handled now (call inside `except`), with its traceback."""
        import traceback

        return cls(path, traceback.format_exc())

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.path, self.trace))
