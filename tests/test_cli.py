"""The CLI: every subcommand listed with its own help; every option documented in the README."""

from __future__ import annotations

import re

from evidence_archive.cli import make_parser

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
