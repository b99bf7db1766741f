"""``quality.xlsx``: every row with a finding, as it was read, in a workbook a data steward opens in Excel.

One sheet per dataset with findings: the row's file and row number, its cells as read (masked for personnummer
like everything else), the failing cells highlighted and the Swedish messages beside the row; and a first sheet
"Sammanfattning" with rows in, accepted and quarantined per dataset and the findings per rule.

The workbook is for stewards, never for a report folder. It is written deterministically (fixed document dates,
fixed zip entry times), so the same findings give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from samverkan.files import FORMULA_START
from samverkan.privacy import mask_personal_numbers
from samverkan.validation_rules import rule_label as default_rule_label
from samverkan.xlsx import deterministic

SUMMARY_SHEET = "Sammanfattning"
HIGHLIGHT = PatternFill("solid", fgColor="FFE08A")
HEADER = Font(bold=True)
FIXED_TIME = datetime(2000, 1, 1)
MAX_SHEET_NAME = 31  # Excel's limit
INDEX_COLUMNS = ("source_file", "source_row")


def _safe(value: object) -> object:
    """Masked for personnummer; numbers too, since a personnummer typed into a number cell arrives as one."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, int | float):
        digits = f"{value:.0f}" if float(value).is_integer() else str(value)
        masked = mask_personal_numbers(digits)
        return value if masked == digits else masked
    return mask_personal_numbers(str(value))


def _put(sheet, row: int, column: int, value: object):
    """One cell: text that looks like a formula is stored as a string with Excel's quote prefix, as read."""
    cell = sheet.cell(row=row, column=column)
    safe = _safe(value)
    if isinstance(safe, str) and safe.startswith(FORMULA_START):
        cell.value = safe
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        cell.quotePrefix = True
    else:
        cell.value = safe
    return cell


def _append(sheet, values: list[object]) -> int:
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        _put(sheet, row, column, value)
    return row


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(ch for ch in name if ch not in '[]:*?/\\')[:MAX_SHEET_NAME] or "data"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[:MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _widths(sheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)


def _summary(workbook: Workbook, summary: pd.DataFrame, problems: pd.DataFrame,
             rule_label: Callable[[str], str], dataset_label: Callable[[str], str]) -> None:
    sheet = workbook.active
    sheet.title = SUMMARY_SHEET
    _append(sheet, ["Datamängd", "Inlästa rader", "Godkända", "I karantän"])
    for rec in summary.to_dict("records"):
        _append(sheet, [dataset_label(str(rec["dataset"])), int(rec["rows_in"]), int(rec["accepted"]),
                        int(rec["quarantined"])])
    _append(sheet, [None])  # a blank line between the two tables
    header_row = _append(sheet, ["Datamängd", "Kolumn", "Regel", "Regelkod", "Antal fel"])
    if not problems.empty:
        counts = (problems.assign(column=problems["column"].fillna("").astype(str))
                  .groupby(["dataset", "column", "rule"], sort=True).size().reset_index(name="n"))
        for rec in counts.to_dict("records"):
            _append(sheet, [dataset_label(rec["dataset"]), rec["column"] or "(raden)", rule_label(rec["rule"]),
                            rec["rule"], int(rec["n"])])
    for row in (1, header_row):
        for cell in sheet[row]:
            cell.font = HEADER
    _widths(sheet, [22, 24, 36, 18, 10])
    sheet.freeze_panes = "A2"


def _dataset_sheet(workbook: Workbook, title: str, rows: pd.DataFrame, problems: pd.DataFrame,
                   rule_label: Callable[[str], str]) -> None:
    sheet = workbook.create_sheet(title)
    data_columns = [c for c in rows.columns if c not in INDEX_COLUMNS]
    header = ["Fil", "Rad", *data_columns, "Fel"]
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font = HEADER
    by_row = {key: group for key, group in problems.groupby(list(INDEX_COLUMNS), sort=True)}
    read = {(str(r["source_file"]), int(r["source_row"])): r for r in rows.to_dict("records")}
    position = {c: i + 3 for i, c in enumerate(data_columns)}  # 1-based, after Fil and Rad
    for key in sorted(by_row, key=lambda k: (str(k[0]), int(k[1]))):
        found = by_row[key]
        record = read.get((str(key[0]), int(key[1])), {})
        messages = [f"{_safe(m)} ({rule_label(r)})" for m, r in zip(found["message"], found["rule"], strict=True)]
        line = _append(sheet, [str(key[0]), int(key[1]), *(record.get(c) for c in data_columns),
                               "\n".join(messages)])
        for column in found["column"].fillna("").astype(str):
            for name in column.replace("+", ",").split(","):
                if name.strip() in position:
                    sheet.cell(row=line, column=position[name.strip()]).fill = HIGHLIGHT
        sheet.cell(row=line, column=len(header)).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet, [24, 6, *(max(len(c) + 2, 12) for c in data_columns), 60])
    sheet.freeze_panes = "C2"


def quality_workbook(summary: pd.DataFrame, problems: pd.DataFrame, rows: Mapping[str, pd.DataFrame],
                     rule_label: Callable[[str], str] = default_rule_label,
                     dataset_label: Callable[[str], str] = str) -> bytes:
    """The workbook's bytes.

    ``problems`` has ``dataset, source_file, source_row, column, rule, message``; ``rows`` gives per dataset the
    rows as read (``source_file``, ``source_row`` and the file's columns as text) — only rows with findings are
    shown. ``summary`` has ``dataset, rows_in, accepted, quarantined``.
    """
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "samverkansbokslut"
    _summary(workbook, summary, problems, rule_label, dataset_label)
    used = {SUMMARY_SHEET.lower()}
    for dataset in summary["dataset"].astype(str):
        found = problems[problems["dataset"] == dataset]
        if found.empty:
            continue
        read = rows.get(dataset, pd.DataFrame(columns=list(INDEX_COLUMNS)))
        _dataset_sheet(workbook, _sheet_title(dataset_label(dataset), used), read, found, rule_label)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic(buffer.getvalue())
