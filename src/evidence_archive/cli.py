"""The `evidence` command: check, build, ingest, search and serve the archive."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from evidence_archive import __version__
from evidence_archive.errors import ArchiveError, WorkerFailure

DEFAULT_CORPUS = Path("corpus")
DEFAULT_OUT = Path("build")
#: The subcommands, in the order of the help.
COMMANDS = ("check", "build", "ingest", "ids", "search", "verify", "serve")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, asking the terminal's width only when it writes help or usage.

    argparse makes a formatter for every argument it adds, only to check the argument's metavar;
    its formatter asks the width at once, and asking imports shutil (with bz2 and lzma: 2 ms of
    a new search process). Help and usage come out as argparse's own (tests/test_cli.py)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, 0 if width is None else width)
        self._width_given = width is not None
        self._position_wanted = max_help_position

    def format_help(self) -> str:
        if not self._width_given:  # as argparse.HelpFormatter.__init__ works them out
            import shutil

            width = shutil.get_terminal_size().columns - 2
            self._width = width
            self._max_help_position = min(
                self._position_wanted, max(width - 20, self._indent_increment * 2)
            )
            self._width_given = True
        return super().format_help()


def _corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--corpus",
        type=Path,
        action="append",
        metavar="DIR",
        help="corpus folder (repeatable; default: ./corpus)",
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the corpus (and, with --fidelity, every page against its source)."""
    from evidence_archive.corpus.store import check_sources, scan

    roots = args.corpus or [DEFAULT_CORPUS]
    entries, problems = scan(roots)
    if not problems:
        for root in roots:
            problems += check_sources(Path(root), entries)
    for p in problems:
        print(p)
    status = 1 if problems else 0
    if (args.fidelity or args.audit) and entries:
        from evidence_archive.check.audit import check_corpus

        jobs = args.jobs or os.cpu_count() or 1
        status = max(status, check_corpus(entries, sys.stdout, fidelity=args.fidelity,
                                          audit=args.audit, jobs=jobs))  # fmt: skip
    if not problems:
        print(f"{len(entries)} documents checked, no problems", file=sys.stderr)
    return status


def cmd_build(args: argparse.Namespace) -> int:
    """Parse every corpus document and write pages and open data into OUT."""
    from evidence_archive.build.cache import Stats
    from evidence_archive.pipeline import build

    stats = Stats()
    build(
        args.corpus or [DEFAULT_CORPUS], args.out, site=args.site, index=args.index,
        cache=args.cache, incremental=args.incremental, jobs=args.jobs, stats=stats,
    )  # fmt: skip
    how = "incremental" if stats.incremental else "full"
    print(  # noqa: T201
        f"built {len(stats.keys)} documents into {args.out} ({how}: {stats.parsed} parsed, "
        f"{stats.reused} from the cache, {len(stats.changed)} changed, {len(stats.removed)} "
        f"removed) in {stats.seconds.get('total', 0):.1f} s",
        file=sys.stderr,
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Extract PDFs into corpus documents, printing what was detected for review."""
    from evidence_archive.ingest.batch import ingest, summary

    outcome = ingest(
        args.pdfs,
        args.corpus,
        sys.stdout,
        authority=args.authority,
        kind=args.kind,
        dry_run=args.dry_run,
        replace=args.replace,
        keep_going=args.keep_going,
        jobs=args.jobs or os.cpu_count() or 1,
        progress=args.progress if args.progress is not None else sys.stderr.isatty(),
    )
    for err in outcome.refused:
        print(f"refused: {err}", file=sys.stderr)
    if len(args.pdfs) > 1:
        summary(outcome, sys.stderr)
    verb = "would write" if args.dry_run else "wrote"
    print(f"{verb} {len(outcome.planned)} documents into {args.corpus}"
          + (f"; refused {len(outcome.refused)}" if outcome.refused else ""),
          file=sys.stderr)  # fmt: skip
    return 1 if outcome.refused else 0


def cmd_ids(args: argparse.Namespace) -> int:
    """Compare the paragraph ids the pages publish with the ledgers; --update records them."""
    from evidence_archive.build.cache import Cache
    from evidence_archive.build.outdir import default_cache
    from evidence_archive.build.parsing import parse_corpus
    from evidence_archive.corpus.ids import update
    from evidence_archive.corpus.store import SOURCES, load_corpus, sources_text

    roots = args.corpus or [DEFAULT_CORPUS]
    built = {b.doc.id: b.doc for b in parse_corpus(roots, Cache(default_cache(DEFAULT_OUT)))}
    status = 0
    for root in roots:
        entries = load_corpus([root])
        docs = {e.id: (built[e.id], e.text_path) for e in entries}
        result = update(docs, root, dry_run=not args.update)
        if (
            args.update
            and (root / SOURCES).exists()
            or any(e.meta.get("source_pdf_sha256") for e in entries)
        ):
            index = {str(e.meta["source_pdf_sha256"]): e.id for e in entries
                     if e.meta.get("source_pdf_sha256")}  # fmt: skip
            if args.update:
                (root / SOURCES).write_text(sources_text(index), "utf-8")
        for old, new in sorted(result.redirects.items()):
            print(f"{old} -> {new}")
        verb = "recorded" if args.update else "would record"
        print(f"{root}: {verb} {len(result.redirects)} moved ids"
              + (f"; wrote {len(result.ledgers)} ledgers" if args.update else ""),
              file=sys.stderr)  # fmt: skip
        status = max(status, 0 if args.update or not result.redirects else 1)
    return status


def _base_url(args: argparse.Namespace) -> str:
    """--base-url, else the site's published address (urls.site_url), else '' (relative)."""
    if args.base_url is not None:
        return str(args.base_url)
    from evidence_archive.urls import site_url

    return site_url()


def cmd_search(args: argparse.Namespace) -> int:
    """Search the paragraph index and print the hits."""
    from evidence_archive.search.contract import Filters
    from evidence_archive.search.formats import FORMATS
    from evidence_archive.search.searcher import open_searcher

    searcher = open_searcher(args.index)
    result = searcher.search(
        args.query,
        Filters.from_mapping(
            {
                "authority": args.authority or [],
                "region": args.region,
                "kind": args.kind,
                "framework": args.framework,
                "from": args.year_from,
                "to": args.year_to,
                "grade": args.grade or [],
            }
        ),  # fmt: skip
        limit=args.limit,
        expand=not args.exact,
        base_url=_base_url(args),
        fold=not args.no_fold,
    )
    sys.stdout.write(FORMATS[args.format](result))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check a quote: where it comes from, whether it is verbatim, what differs."""
    import json

    from evidence_archive.search.searcher import open_searcher
    from evidence_archive.search.verify import check_quote, format_text

    quote = sys.stdin.read() if args.quote == "-" else args.quote
    result = check_quote(open_searcher(args.index), quote, base_url=_base_url(args))
    if args.format == "json":
        sys.stdout.write(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_text(result))
    return 0 if result["found"] else 2


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the built site and the search API."""
    from evidence_archive.search.api import serve

    serve(args.out, args.host, args.port, workers=args.workers, kept=args.keep_answers)
    return 0


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, one subcommand per job. With command (one of COMMANDS), only that
    subcommand is made: a new search process builds its own parser, not every command's (with
    HelpFormatter, parsing its arguments took 1.7 ms, not 4.3). Without, or with a name that is
    none of them, every one (for help and errors)."""
    if command not in COMMANDS:  # none named, or a misspelt one: every command, for the error
        command = None
    parser = argparse.ArgumentParser(
        prog="evidence",
        formatter_class=HelpFormatter,
        description="Inspection Evidence Archive: children's services inspection reports as a "
        "citable, searchable archive.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    # prog given: argparse would write the top level's usage to find it (asking the width).
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, prog=parser.prog)

    def add(name: str, *, help: str, description: str) -> argparse.ArgumentParser | None:
        """The parser of command name, if it is one the parser is made for."""
        if command is not None and command != name:
            return None
        made: argparse.ArgumentParser = sub.add_parser(
            name, help=help, description=description, formatter_class=HelpFormatter
        )
        return made

    p = add(
        "check",
        help="validate the corpus: metadata, hashes, encodings; --fidelity compares words",
        description="Validate every corpus document and print one line per problem, naming the "
        "file. Exit status 1 if there is any problem.",
    )
    if p is not None:
        _corpus_args(p)
        p.add_argument(
            "--fidelity",
            action="store_true",
            help="also compare each page's words with its source, per document",
        )
        p.add_argument(
            "--audit", action="store_true",
            help="also audit each document against its framework and variant: judgements it must "
            "have, dates, paragraph numbers, council URN, title (see audit.py)",
        )  # fmt: skip
        p.add_argument("--jobs", type=int, metavar="N", help="processes (default: CPUs)")
        p.set_defaults(func=cmd_check)

    p = add(
        "build",
        help="build the pages, open data, index and site into OUT",
        description="Parse every corpus document into a Markdown page with front matter, and "
        "write OUT/pages, OUT/data/documents.json. Builds into a temporary folder and swaps it "
        "in whole: a failed build leaves OUT as it was. Incremental by default: unchanged "
        "documents come from the cache and the previous OUT's index and site are updated; the "
        "result is the same as a clean build's.",
    )
    if p is not None:
        _corpus_args(p)
        p.add_argument(
            "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="default: build/"
        )
        p.add_argument(
            "--cache", type=Path, metavar="DIR",
            help="parse cache (default: .<OUT name>-cache beside OUT, e.g. .build-cache)",
        )  # fmt: skip
        p.add_argument(
            "--clean", dest="incremental", action="store_false",
            help="build everything from scratch: no cache, no reuse of the previous OUT",
        )  # fmt: skip
        p.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help="processes for parsing and indexing (default: CPUs)",
        )
        p.add_argument("--no-site", dest="site", action="store_false", help="skip the MkDocs site")
        p.add_argument(
            "--no-index", dest="index", action="store_false", help="skip the search index"
        )
        p.set_defaults(func=cmd_build)

    p = add(
        "ingest",
        help="turn Ofsted PDFs into corpus documents",
        description="Extract each PDF's text (pypdfium2), remove page furniture, detect the "
        "council, framework, dates and judgements, check the page keeps every word, and write "
        "<corpus>/<authority>/<id>.txt and .yml. Prints what it detected for review. If any PDF "
        "fails, every failure is printed and nothing is written.",
    )
    if p is not None:
        p.add_argument("pdfs", type=Path, nargs="+", metavar="FILE.pdf")
        p.add_argument(
            "--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR", help="default: ./corpus"
        )
        p.add_argument(
            "--authority", metavar="SLUG", help="the council's registry slug, if not detected"
        )
        p.add_argument(
            "--kind", metavar="KIND", help="kind of document; required for non-Ofsted PDFs"
        )
        p.add_argument("--dry-run", action="store_true", help="detect and print, write nothing")
        p.add_argument(
            "--replace", action="store_true",
            help="extract a PDF already in the corpus again and replace its document "
            "(paragraph ids that change are added to the redirect map)",
        )  # fmt: skip
        p.add_argument(
            "--keep-going", action="store_true",
            help="write every PDF that passes and refuse the others one line each (exit 1 if any "
            "was refused); by default one failure writes nothing",
        )  # fmt: skip
        p.add_argument("--jobs", type=int, metavar="N", help="processes (default: CPUs)")
        p.add_argument(
            "--progress", action=argparse.BooleanOptionalAction, default=None,
            help="progress bar on stderr (default: when stderr is a terminal)",
        )  # fmt: skip
        p.set_defaults(func=cmd_ingest)

    p = add(
        "ids",
        help="check (or --update) the permanent paragraph ids and the redirect map",
        description="Every paragraph id a page publishes is kept in a ledger beside its text "
        "(<id>.ids); ids that changed (new words, a new parser) are mapped to where their words "
        "are now in <corpus>/redirects.tsv, so published links keep working. Without --update, "
        "print the ids that moved and exit 1 if there are any; with --update, write the "
        "ledgers and the redirect map.",
    )
    if p is not None:
        _corpus_args(p)
        p.add_argument("--update", action="store_true", help="write the ledgers and redirect map")
        p.set_defaults(func=cmd_ids)

    p = add(
        "search",
        help="find paragraphs to quote, with citations",
        description="Search the paragraph index. Words must all appear; use OR, NOT, "
        '"exact phrases", prefix* and field:value (authority, region, kind, framework, year, '
        "section, title, grades). British and American spellings match, and abbreviations "
        "match their long forms both ways (unless --exact).",
    )
    if p is not None:
        p.add_argument("query")
        p.add_argument("--authority", action="append", metavar="SLUG", help="repeatable")
        p.add_argument("--region", metavar="NAME", help="e.g. London, 'South East'")
        p.add_argument("--kind", metavar="KIND", help="e.g. single-inspection")
        p.add_argument("--framework", metavar="F", help="e.g. sif, ilacs, jar-2007")
        p.add_argument("--from", dest="year_from", type=int, metavar="YEAR", help="first year")
        p.add_argument("--to", dest="year_to", type=int, metavar="YEAR", help="last year")
        p.add_argument(
            "--grade",
            action="append",
            metavar="AREA:GRADE",
            help="only documents with this judgement, e.g. overall:inadequate, "
            "help-and-protection:2, any:outstanding (repeatable: all must hold)",
        )
        p.add_argument("--limit", type=int, default=10, metavar="N", help="default 10")
        p.add_argument("--format", choices=["text", "json", "csv", "md"], default="text")
        p.add_argument(
            "--exact", action="store_true", help="no stemming, synonyms or abbreviations"
        )
        p.add_argument("--no-fold", action="store_true",
                       help="every paragraph of a report among the hits (by default at most 3, "
                       "the others counted as more from the report)")  # fmt: skip
        p.add_argument("--index", type=Path, default=DEFAULT_OUT / "index", metavar="DIR")
        p.add_argument(
            "--base-url",
            default=None,
            metavar="URL",
            help="where the site is hosted, for absolute links in citations (default: the "
            "EVIDENCE_SITE_URL environment variable, mkdocs.yml's site_url)",
        )
        p.set_defaults(func=cmd_search, read_only=True)

    p = add(
        "verify",
        help="check a quote: where it comes from, verbatim or not, the differences marked",
        description="Find the paragraph a quote comes from, even with changed punctuation, "
        "curly quotes, line breaks, an ellipsis for omitted words or a word or two wrong; say "
        "whether it is verbatim (character for character, apart from quote marks around it) "
        "and mark every difference: [-as printed-]{+as quoted+}. Exit status 0 when found, 2 "
        "when the quote is in no paragraph of the archive, 1 on a bad quote.",
    )
    if p is not None:
        p.add_argument("quote", help='the quote ("-" reads it from standard input)')
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--index", type=Path, default=DEFAULT_OUT / "index", metavar="DIR")
        p.add_argument(
            "--base-url", default=None, metavar="URL",
            help="for absolute citation links (default: EVIDENCE_SITE_URL, mkdocs.yml's site_url)",
        )  # fmt: skip
        p.set_defaults(func=cmd_verify, read_only=True)

    p = add(
        "serve",
        help="serve the built site and the search API on localhost",
        description="Serve OUT/site and GET /api/search (same parameters and hits as "
        "`evidence search`, plus total and facets). Picks up a rebuilt index without a restart.",
    )
    if p is not None:
        p.add_argument(
            "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="default: build/"
        )
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, metavar="N",
            help="server processes, each with the index open (default: one per core)",
        )  # fmt: skip
        p.add_argument(
            "--keep-answers", type=int, default=512, metavar="N",
            help="answers each process keeps to give again to the same request (0: none)",
        )  # fmt: skip
        p.set_defaults(func=cmd_serve)

    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand argv names (its first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """argv (default: the process's) parsed."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return make_parser(_command(argv)).parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command argv names; its exit code."""
    return run(parse(argv))


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; its exit code."""
    if args.verbose or not getattr(args, "read_only", False):
        # A command that only reads (search, verify) logs nothing unless asked (-v): a new
        # search process does not import the logging module (4 ms).
        import logging

        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
    try:
        return int(args.func(args))
    except ArchiveError as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except WorkerFailure as err:
        # A fault of the program, not of the input: say so, with where and the traceback.
        print(f"error: {err} (a bug in evidence, not bad input)", file=sys.stderr)
        print(err.trace.rstrip(), file=sys.stderr)
        return 70
    except KeyboardInterrupt:
        return 130


def console() -> None:
    """The `evidence` console script: main, then exit. A command that only reads (search,
    verify) leaves at once once its output is flushed, skipping the interpreter's teardown of
    every module and object it loaded (20 ms of a 200 ms search); the others exit normally, so
    their clean-up (temporary folders, worker pools, logs) runs."""
    args = parse()
    read_only = getattr(args, "read_only", False)
    if read_only:
        # A short process that only reads, and leaves without tearing down: no cyclic garbage
        # collection (5 to 10 ms of a new search's imports and search, collections that find
        # next to nothing to free in a process that lives a fifth of a second).
        gc.disable()
    code = run(args)
    if read_only:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # the reader stopped reading (`| head`): nothing to say
            pass
        os._exit(code)
    raise SystemExit(code)


if __name__ == "__main__":
    console()
