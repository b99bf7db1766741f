"""The data contract as Markdown, generated from ``samverkan.contract`` so the two never drift apart."""

from __future__ import annotations

from samverkan.aliases import CODE_LABELS, HEADER_ALIASES
from samverkan.contract import CONTRACT_VERSION, DATASETS, SUPPORT_CODES, SUPPORT_EXTENTS, Column
from samverkan.profile_doc import profile_markdown

TYPE_WORDS = {
    "text": "text",
    "code": "code",
    "integer": "integer",
    "decimal": "decimal (point or comma)",
    "date": "date `YYYY-MM-DD`",
    "boolean": "boolean (true/false, ja/nej, 1/0)",
    "support": "support codes",
}

INTRO = f"""# Data contract v{CONTRACT_VERSION}

Generated from `samverkan/contract.py` by `samverkan contract > docs/data-contract.md`; a test keeps the two in step.
Do not edit by hand.

An inbox is a folder holding one or more files per dataset. A file belongs to a dataset when its name starts with
the dataset's name, optionally followed by `_`, `-` or `.` and anything (`participants_2024.csv`,
`projects.xlsx`). Accepted formats:

- **CSV**: comma or semicolon separated (found from the header line), UTF-8 with or without BOM, or Windows-1252
  as Excel writes it; decimal comma or point; thousands separated by spaces are fine.
- **XLSX**: the sheet named after the dataset, otherwise the first sheet; Excel's own date cells are accepted.
- **Parquet**: any column types that convert to the contract's types.

Column names are matched without regard to case, diacritics, surrounding spaces or the choice of space, dash or
underscore (`Deltagar-ID`, `deltagar id` and `DELTAGAR_ID` are one name), and may be the contract's name or one of
the Swedish names listed under each dataset. Codes may likewise be written as their Swedish labels (`Kvinna`,
`Arbetssökande`, `Försörjningsstöd`). An unknown column or code is reported with the nearest name or code
("menade du …?"). Unknown extra columns are ignored and reported. Every file in the inbox that no dataset reads
(another name, `.xls`, a link, a folder, a hidden file) is listed in the steward notice with the reason. An import
profile (below) maps a förbund's own export layout. Rows are numbered as a person sees them: the header is row 1
in CSV and XLSX; Parquet rows count from 1. Every row keeps `source_file` and `source_row` from here on.

A row that breaks the contract is quarantined with the file, row, column and a reason; a file that lacks a required
column, or cannot be read at all, is refused as a whole with a message naming the file. A value that looks like a
personnummer or samordningsnummer is refused wherever it appears and is only ever shown masked.

Later contract versions may add codes and optional columns; they do not rename these.

## Support codes with extent

`support_before` and `support_after` hold one or more support codes joined by `|`; each code may be followed by
`:extent`, the share of full time in per cent ({", ".join(str(e) for e in SUPPORT_EXTENTS)}; 100 when left out).
Example: `forsorjningsstod|sjukpenning:50` — full försörjningsstöd and half-time sjukpenning. `ingen` means no
support. Codes: {", ".join(f"`{c}`" for c in SUPPORT_CODES)}.
"""


def _allowed(column: Column) -> str:
    if column.codes and column.type != "support":
        return ", ".join(f"`{c}`" for c in column.codes)
    if column.type == "support":
        return "see above"
    if column.minimum is not None and column.maximum is not None:
        return f"{column.minimum:g}–{column.maximum:g}"
    if column.minimum is not None:
        return f"≥ {column.minimum:g}"
    return ""


def _swedish_names(dataset: str) -> str:
    aliases = HEADER_ALIASES.get(dataset, {})
    rows = [f"| `{c}` | {', '.join(aliases[c])} |\n" for c in DATASETS[dataset].column_names if aliases.get(c)]
    return "\nSwedish column names:\n\n| column | also accepted |\n|---|---|\n" + "".join(rows) if rows else ""


def _code_labels() -> str:
    codes = dict.fromkeys(c for d in DATASETS.values() for col in d.columns for c in col.codes)
    rows = "".join(f"| `{code}` | {', '.join(CODE_LABELS.get(code, ()))} |\n" for code in codes)
    return ("\n## Swedish labels for codes\n\nEach code may be written as itself or as one of its labels, in any case "
            "and with or without diacritics.\n\n| code | labels |\n|---|---|\n" + rows)


def contract_markdown() -> str:
    parts = [INTRO]
    for dataset in DATASETS.values():
        parts.append(f"\n## `{dataset.name}`\n\n{dataset.description}\n\n"
                     f"Key: {' + '.join(f'`{k}`' for k in dataset.key)} (unique).\n\n"
                     "| column | type | required | allowed values | example | meaning |\n"
                     "|---|---|---|---|---|---|\n")
        for c in dataset.columns:
            parts.append(f"| `{c.name}` | {TYPE_WORDS[c.type]} | {'yes' if c.required else 'no'} | {_allowed(c)} "
                         f"| `{c.example}` | {c.description} |\n")
        parts.append(_swedish_names(dataset.name))
    parts.append(_code_labels())
    parts.append(profile_markdown())
    return "".join(parts)
