"""`samverkan --help` reads as Swedish: argparse's own headings and messages, a help for every flag, a description
and an example for every command; `--version` names the versions a report depends on."""

from __future__ import annotations

import argparse
import re
from importlib.metadata import version

import pytest

from pipelines.cli import build_parser, main

# Words that give an English help away; none of them is a Swedish word.
ENGLISH = re.compile(r"\b(the|and|show|this|with|default|usage|options|optional|positional|"
                     r"required|invalid|choose|error|message|exit)\b", re.IGNORECASE)


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every command's parser, nested ones too, by its prog ("samverkan run")."""
    found = {parser.prog: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.update(commands(child))
    return found


def test_every_flag_of_every_command_has_a_swedish_help() -> None:
    missing, english = [], []
    for prog, parser in commands(build_parser()).items():
        for action in parser._actions:
            name = "/".join(action.option_strings) or action.dest
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{prog} {name}")
            elif ENGLISH.search(action.help):
                english.append(f"{prog} {name}: {action.help}")
    assert not missing, f"flaggor utan hjälptext: {missing}"
    assert not english, f"hjälptexter på engelska: {english}"


def test_every_command_has_a_description_and_an_example_of_itself() -> None:
    found = commands(build_parser())
    assert len(found) >= 8  # the program and its seven commands at the time of writing
    for prog, parser in found.items():
        assert (parser.description or "").strip(), f"{prog} saknar beskrivning"
        assert not ENGLISH.search(parser.description), parser.description
        page = parser.format_help()
        command = prog.removeprefix("samverkan").strip()
        assert re.search(rf"^Exempel: samverkan {re.escape(command)}\b", page, re.MULTILINE), \
            f"{prog} saknar en rad 'Exempel: {prog} …':\n{page}"


def test_the_help_pages_use_swedish_headings(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    page = capsys.readouterr().out
    assert page.startswith("användning: samverkan ")
    assert "\nflaggor:\n" in page and "\nkommandon:\n" in page
    assert "-h, --help  visa den här hjälpen och avsluta" in page
    assert not re.search(r"usage:|options:|positional arguments|show this help|subcommands", page), page
    for prog, parser in commands(build_parser()).items():
        assert not re.search(r"usage:|options:|positional arguments|show this help", parser.format_help()), prog


def test_an_example_stays_on_one_line_however_long() -> None:
    page = commands(build_parser())["samverkan backfill"].format_help()
    assert "Exempel: samverkan backfill --inbox var/demo-inbox --years 2022-2024 --out out/{year}\n" in page


def test_argparse_errors_are_swedish_and_other_parsers_keep_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["run", "--inbox", "i", "--out", "o", "--year", "tjugo"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    # One line, as every failure: the usage is what --help shows.
    assert err == "samverkan run: fel: --year: 'tjugo' är inte ett heltal (se samverkan run --help)\n"
    with pytest.raises(SystemExit):
        main(["backfill"])  # --out is optional for a scenario's backfill (pipelines/cli_run.py says when it is not)
    assert capsys.readouterr().err == ("samverkan backfill: fel: de här argumenten krävs: --inbox, --years "
                                       "(se samverkan backfill --help)\n")
    with pytest.raises(SystemExit):
        main(["rapport"])
    assert "'rapport' finns inte; välj bland 'synth'" in capsys.readouterr().err
    # The Swedish texts are lent to our parsers only: one built afterwards in the same process is English.
    other = argparse.ArgumentParser(prog="annat")
    assert other.format_help().startswith("usage: annat") and "show this help message" in other.format_help()


def test_version_names_the_package_and_what_it_stands_on(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"samverkan {version('samverkansbokslut')} (")
    for label, distribution in (("Dagster", "dagster"), ("WeasyPrint", "weasyprint"),
                                ("Great Expectations", "great_expectations"), ("pandas", "pandas")):
        assert f"{label} {version(distribution)}" in lines[0]
