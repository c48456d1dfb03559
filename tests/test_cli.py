"""The CLI: every subcommand listed with its own help; every option documented in the README; a
search process starts without the imports it does not use."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_archive.cli import COMMANDS, make_parser, parse

from .conftest import ROOT, run_cli


def _subcommands() -> dict:
    parser = make_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices  # type: ignore[no-any-return]


def test_help_lists_every_subcommand() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in _subcommands():
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), name


def test_each_subcommand_has_its_own_help() -> None:
    for name, sub in _subcommands().items():
        result = run_cli(name, "--help")
        assert result.returncode == 0, name
        assert sub.description and sub.description.split()[0] in result.stdout


def test_a_command_parses_as_the_whole_parser_parses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """parse() builds only the named command's arguments: the same answer as the parser of
    every command, for each command and its options; a misspelt command is refused as before."""
    vectors = [
        ["check", "--fidelity", "--audit", "--jobs", "2", "--corpus", "a", "--corpus", "b"],
        ["-v", "build", "--out", "o", "--clean", "--no-site"],
        ["ingest", "a.pdf", "b.pdf", "--authority", "leeds", "--no-progress", "--dry-run"],
        ["ids", "--update"],
        ["search", "care leavers", "--authority", "leeds", "--authority", "york", "--from",
         "2015", "--grade", "overall:2", "--format", "json", "--exact", "--limit", "5"],
        ["verify", "-", "--format", "json", "--base-url", "https://x.example/"],
        ["serve", "--port", "9000", "--workers", "1"],
    ]  # fmt: skip
    assert {v[0] if v[0] != "-v" else v[1] for v in vectors} == set(_subcommands())
    for argv in vectors:
        assert vars(parse(argv)) == vars(make_parser().parse_args(argv)), argv
    result = run_cli("serach", "x")
    assert result.returncode == 2 and "invalid choice: 'serach'" in result.stderr
    assert tuple(_subcommands()) == COMMANDS
    for name in COMMANDS:  # the named command's parser alone: its help and errors the same
        alone = make_parser(name)
        choices = next(a for a in alone._actions if a.dest == "command").choices
        assert tuple(choices) == (name,)
        assert choices[name].format_help() == _subcommands()[name].format_help(), name
        for argv in ([name, "--no-such-option"], [name, "--help"]):
            assert _outcome(alone, argv, capsys) == _outcome(make_parser(), argv, capsys), argv


def _outcome(
    parser: argparse.ArgumentParser, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    """(exit code, stdout, stderr) of parsing argv with parser."""
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(argv)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def test_help_is_argparses_own_at_every_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The formatter that asks the terminal's width only when it writes (cli.HelpFormatter)
    gives argparse's help and usage, for the top level and every command, narrow and wide."""
    from evidence_archive import cli

    def helps() -> list[str]:
        parser = make_parser()
        subs = next(a for a in parser._actions if a.dest == "command").choices
        parsers = [parser, *subs.values()]
        return [p.format_help() for p in parsers] + [p.format_usage() for p in parsers]

    for columns in ("30", "80", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        ours = helps()
        with monkeypatch.context() as m:
            m.setattr(cli, "HelpFormatter", argparse.HelpFormatter)
            theirs = helps()
        assert ours == theirs, columns
        assert max(len(line) for text in ours for line in text.splitlines()) <= max(
            int(columns), 60
        )


def test_a_search_parses_its_arguments_without_asking_the_terminal() -> None:
    """Parsing a search's arguments imports no shutil (argparse's formatter asks the width only
    when it writes help)."""
    code = (
        "import sys\n"
        "from evidence_archive.cli import parse\n"
        "parse(['search', 'care leavers', '--format', 'json'])\n"
        "print('shutil' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted in /proc")
def test_numpy_starts_no_blas_threads_unless_asked() -> None:
    """Once the package is imported, NumPy loads OpenBLAS with one thread (no worker spinning a
    core at every process's start); a thread count the environment gives is kept."""
    import os

    code = (
        "import os, evidence_archive, numpy\n"
        "print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout  # fmt: skip
    assert out.split() == ["1", "1"]
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout  # fmt: skip
    threads, asked = out.split()
    assert asked == "2" and int(threads) == min(2, os.cpu_count() or 1)


def test_every_option_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, sub in _subcommands().items():
        assert f"evidence {name}" in readme, name
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt}"


def test_every_metadata_field_is_documented_in_the_readme() -> None:
    from evidence_archive.corpus.store import SCHEMA

    readme = (ROOT / "README.md").read_text()
    for field in SCHEMA:
        assert f"`{field}`" in readme, field


def test_search_path_leaves_out_whooshs_unused_imports() -> None:
    """A new search process imports none of the modules Whoosh imports for paths a search does
    not take (whoosh_start.py), and a later import of each gets the real module; the stand-ins
    Whoosh keeps act as the real ones (md5 digests, temporary storage, variations)."""
    deferred = ("asyncio", "urllib.request", "cached_property", "hashlib", "tempfile", "shutil",
                "calendar", "queue", "random", "whoosh.lang.morph_en", "whoosh.lang.dmetaphone",
                "whoosh.automata.lev", "whoosh.automata.fsa",
                "whoosh.support.levenshtein")  # fmt: skip
    code = (
        "import sys, gc\n"
        "import evidence_archive.search.searcher, evidence_archive.cli\n"
        f"print(sorted(m for m in {deferred!r} if m in sys.modules), gc.isenabled())\n"
        "import urllib.request, cached_property, hashlib, tempfile, shutil, calendar, queue\n"
        "import whoosh.compat, whoosh.reading, functools, whoosh.filedb.filetables as ft\n"
        "print(urllib.request.Request.__name__, cached_property.__version__,"
        " whoosh.reading.cached_property is functools.cached_property)\n"
        "print(ft.md5_hash(b'care leavers') =="
        " int(hashlib.md5(b'care leavers').hexdigest(), 16) & 0xFFFFFFFF,"
        " type(hashlib.sha256).__name__, callable(shutil.rmtree), calendar.isleap(2024))\n"
        "import whoosh.filedb.filestore as fs, whoosh.query.terms as terms, os\n"
        "print(os.path.isdir(fs.tempfile.gettempdir()), sorted(terms.variations('leaver'))[:2])\n"
        "print(sorted(m for m in ('whoosh.lang.morph_en', 'random') if m in sys.modules))\n"
        "import whoosh.analysis.morph as morph, whoosh.codec.base as cb\n"
        "print(morph.double_metaphone('Smith'), type(cb.lev.levenshtein_automaton('care', 1, 0))"
        ".__name__, whoosh.reading.distance('care', 'core'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()  # fmt: skip
    assert out[0] == "[] True"  # none imported; the collector left as it was (on)
    assert out[1].startswith("Request 2.") and out[1].endswith("True")
    assert out[2] == "True builtin_function_or_method True True"
    assert out[3] == "True ['leave', 'leaver']"
    assert out[4] == "['random', 'whoosh.lang.morph_en']"  # the real ones, imported when used
    assert out[5] == "('SM0', 'XMT') NFA 1"  # sounds-like, fuzzy and distance as Whoosh's
