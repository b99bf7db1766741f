"""The command line's own words in Swedish: argparse's headings, its built-in help and its error messages, and
``--version``.

argparse looks every one of its texts up through ``gettext`` (its module-level ``_`` and ``ngettext``), but the
Python distribution ships no Swedish catalogue for them. ``SwedishParser`` swaps those two functions for a
lookup in ``SWEDISH`` while it builds, parses or formats, and puts the originals back afterwards, so that another
parser in the same process (pytest's, for one) keeps its English. A text missing from the table stays English
rather than failing: a newer Python may word a message differently.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

# argparse's texts (Python 3.11–3.13) and ours.
SWEDISH: dict[str, str] = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "optional arguments": "flaggor",
    "subcommands": "kommandon",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "okända argument: %s",
    "the following arguments are required: %s": "de här argumenten krävs: %s",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "not allowed with argument %s": "går inte att kombinera med %s",
    "ignored explicit argument %r": "värdet %r tas inte emot här",
    "expected one argument": "ett värde krävs",
    "expected at most one argument": "högst ett värde",
    "expected at least one argument": "minst ett värde krävs",
    "ambiguous option: %(option)s could match %(matches)s": "flaggan %(option)s kan vara %(matches)s",
    "invalid %(type)s value: %(value)r": "%(value)r är inte %(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r finns inte; välj bland %(choices)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "kommandot %(parser_name)r finns inte; välj bland %(choices)s",
}
# ``%(type)s`` above is the type function's name; the built-in ones get Swedish words.
TYPE_NAMES = {"int": "ett heltal", "float": "ett tal"}
# What ``--version`` names beside the program: the libraries a report's numbers and PDFs depend on.
VERSIONED = (("samverkansbokslut", "samverkan"), ("dagster", "Dagster"), ("great_expectations", "Great Expectations"),
             ("weasyprint", "WeasyPrint"), ("pandas", "pandas"))


def swedish(text: str) -> str:
    return SWEDISH.get(text, text)


def swedish_plural(singular: str, plural: str, count: int) -> str:
    # argparse's only plural: "expected %s argument(s)".
    return "%s värden krävs" if singular == "expected %s argument" else (singular if count == 1 else plural)


@contextlib.contextmanager
def swedish_argparse() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = swedish, swedish_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _in_swedish(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        with swedish_argparse():
            return method(self, *args, **kwargs)

    wrapped.__doc__ = method.__doc__
    return wrapped


class ExampleFormatter(argparse.HelpFormatter):
    """Descriptions and epilogs wrapped paragraph by paragraph, with every ``Exempel: …`` on a line of its own
    and never wrapped, so that it can be copied into a shell as it stands."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in re.split(r"\n\s*\n", text.strip()):
            for part in re.split(r"\s*(?=Exempel: )", paragraph):
                if part.startswith("Exempel: "):
                    paragraphs.append(indent + part.strip())
                elif part.strip():
                    paragraphs.append(textwrap.fill(" ".join(part.split()), width, initial_indent=indent,
                                                    subsequent_indent=indent))
        return "\n\n".join(paragraphs)


class SwedishParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose own texts are Swedish and whose examples stay whole (``ExampleFormatter``);
    ``add_subparsers`` makes its commands of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ExampleFormatter)
        with swedish_argparse():
            super().__init__(*args, **kwargs)

    add_argument = _in_swedish(argparse.ArgumentParser.add_argument)
    add_subparsers = _in_swedish(argparse.ArgumentParser.add_subparsers)
    parse_args = _in_swedish(argparse.ArgumentParser.parse_args)
    parse_known_args = _in_swedish(argparse.ArgumentParser.parse_known_args)
    format_usage = _in_swedish(argparse.ArgumentParser.format_usage)
    format_help = _in_swedish(argparse.ArgumentParser.format_help)

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, word in TYPE_NAMES.items():
            message = message.removesuffix(f" är inte {english}") + (
                f" är inte {word}" if message.endswith(f" är inte {english}") else "")
        # One line, as every other failure; the usage block is what --help shows.
        self.exit(2, f"{self.prog}: fel: {message} (se {self.prog} --help)\n")


def version_text() -> str:
    """One line: this package's version and those of the libraries it stands on, as installed."""
    parts = []
    for distribution, label in VERSIONED:
        try:
            parts.append(f"{label} {version(distribution)}")
        except PackageNotFoundError:
            parts.append(f"{label} (saknas)")
    return f"{parts[0]} ({', '.join(parts[1:])}, Python {platform.python_version()})"


class VersionAction(argparse.Action):
    """``--version``: looks the versions up only when asked, not on every start."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(version_text(), file=sys.stdout)
        parser.exit()
