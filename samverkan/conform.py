"""Turn a raw text frame into the contract's types, noting every cell that does not fit.

``conform`` never drops a row: it returns the typed frame (invalid cells become
missing) and one problem row per failed cell, each with the file, row, column, a
rule name and a Swedish message a data steward can act on. Values that look
like a personnummer are masked in both the frame and the messages (in identifier
and text columns also a 9-digit number that lost its leading zero in a
spreadsheet), and every message passes the detector once more on its way out.
Numbers that are not finite (``inf``, ``1e400``, ``NaN``) are refused: they would
overflow every sum they enter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samverkan import validation_rules as rules
from samverkan.aliases import code_candidates, column_codes, did_you_mean, fold
from samverkan.contract import SUPPORT_CODES, Column, Dataset
from samverkan.privacy import mask_personal_numbers, mask_series, personal_number_mask
from samverkan.readers import SOURCE_PROBLEM
from samverkan.support import parse_support

PROBLEM_COLUMNS = ["dataset", "source_file", "source_row", "column", "rule", "message"]

TRUE_WORDS = {"true", "1", "ja", "j", "yes", "y", "sant", "x"}
FALSE_WORDS = {"false", "0", "nej", "n", "no", "falskt", ""}

DTYPES = {
    "text": "str",
    "code": "str",
    "support": "str",
    "integer": "Int64",
    "decimal": "Float64",
    "boolean": "boolean",
    "date": "datetime64[s]",
}
MAX_SHOWN = 60
# Column types that hold identifiers or text: a bare number in them may be a personnummer whose leading zero a
# spreadsheet dropped. Numeric columns are amounts and counts, never checked that way.
RESTORE_LEADING_ZERO = {"text", "code", "support"}
# Whole numbers beyond this are not exact in a float and overflow the ledger's integer columns.
MAX_EXACT_INTEGER = 2**53


@dataclass
class Conformed:
    rows: pd.DataFrame
    problems: pd.DataFrame
    missing_required: list[str]
    missing_optional: list[str]
    unknown_columns: list[str]


def _shown(value: str) -> str:
    text = mask_personal_numbers(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def parse_decimal(text: pd.Series) -> pd.Series:
    """Numbers with decimal comma or point and space/no-break-space thousands."""
    cleaned = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace("kr", "", regex=False)
    both = cleaned.str.contains(",", regex=False) & cleaned.str.contains(".", regex=False)
    if both.any():
        # With both separators the last one is the decimal mark (1.234,50 or 1,234.50). Only those few
        # cells are searched: str.rfind has no Arrow kernel and costs ~0.35 s per 200 000 cells.
        mixed = cleaned[both]
        comma_last = mixed.str.rfind(",") > mixed.str.rfind(".")
        cleaned = cleaned.copy()
        cleaned[both] = mixed.str.replace(".", "", regex=False).where(
            comma_last, mixed.str.replace(",", "", regex=False))
    cleaned = cleaned.str.replace(",", ".", regex=False)
    return pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")


def parse_date(text: pd.Series) -> pd.Series:
    """ISO dates; a trailing midnight time (as Excel or Parquet give it) is accepted."""
    stripped = text.str.replace(r"[T ]00:00(:00(\.0+)?)?$", "", regex=True)
    iso = stripped.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    parsed = pd.to_datetime(stripped.where(iso), format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[s]")


def map_unique(text: pd.Series, convert: Callable[[str], str | None]) -> pd.Series:
    """``convert`` applied once per distinct value: a national file has few spellings of a code."""
    positions, uniques = pd.factorize(text)
    converted = np.array([convert(v) for v in uniques] + [None], dtype=object)
    return pd.Series(converted[positions], index=text.index, dtype="str")


def _not_finite(number: pd.Series, text: pd.Series) -> pd.Series:
    """Cells written as a number that is not finite: ``inf``, ``-Infinity``, ``1e400`` (overflows), ``NaN``."""
    written_nan = text.str.strip().str.fullmatch(r"[+-]?nan", case=False).fillna(False).astype(bool)
    return pd.Series(np.isinf(number.astype("float64").fillna(0.0)), index=text.index) | written_nan


def _convert(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """Typed values, a mask of unparseable non-empty cells, and the rule name for them."""
    present = text != ""
    if column.type == "text":
        return text.where(present), pd.Series(False, index=text.index), rules.TYPE.name
    if column.type == "code":
        # A code or its Swedish label, in any case and with or without diacritics; each spelling folded once.
        table = column_codes(column)
        mapped = map_unique(text, lambda v: table.get(fold(v)))
        return mapped, present & mapped.isna(), rules.ALLOWED_CODES.name
    if column.type == "support":
        normalised = map_unique(text, support_codes)
        return normalised.where(present), pd.Series(False, index=text.index), rules.SUPPORT_CODE.name
    if column.type == "integer":
        number = parse_decimal(text)
        finite = ~_not_finite(number, text) & (number.abs() < MAX_EXACT_INTEGER)
        whole = number.notna() & finite & (np.floor(number.where(finite, 0.0)) == number)
        return number.where(whole).astype("Int64"), present & ~whole, rules.TYPE.name
    if column.type == "decimal":
        number = parse_decimal(text)
        usable = number.notna() & ~_not_finite(number, text)
        return number.where(usable).astype("Float64"), present & ~usable, rules.TYPE.name
    if column.type == "boolean":
        lower = text.str.lower()
        value = pd.Series(pd.NA, index=text.index, dtype="boolean")
        value[lower.isin(TRUE_WORDS)] = True
        value[lower.isin(FALSE_WORDS - {""}) | (lower == "")] = False
        bad = present & ~lower.isin(TRUE_WORDS | FALSE_WORDS)
        value[bad] = pd.NA
        return value, bad, rules.TYPE.name
    if column.type == "date":
        parsed = parse_date(text)
        return parsed, present & parsed.isna(), rules.DATE_FORMAT.name
    raise ValueError(f"unknown column type {column.type}")


def _type_message(column: Column, rule: str, value: str) -> str:
    shown = _shown(value)
    if rule == rules.ALLOWED_CODES.name:
        return (f"okänd kod {shown!r}; tillåtna: {', '.join(column.codes)}"
                + did_you_mean(value, code_candidates(column.codes), column_codes(column)))
    if rule == rules.DATE_FORMAT.name:
        return f"datum ska skrivas ÅÅÅÅ-MM-DD, fick {shown!r}"
    if column.type in ("integer", "decimal"):
        number = parse_decimal(pd.Series([value], dtype="str"))
        if _not_finite(number, pd.Series([value], dtype="str")).iloc[0]:
            return f"talet {shown!r} är inte ändligt (oändligt, för stort eller NaN) och tas inte emot"
        if column.type == "integer" and abs(number.iloc[0]) >= MAX_EXACT_INTEGER:
            return f"talet {shown!r} är för stort för ett heltal"
    if column.type == "integer":
        return f"ska vara ett heltal, fick {shown!r}"
    if column.type == "decimal":
        return f"ska vara ett tal, fick {shown!r}"
    if column.type == "boolean":
        return f"ska vara sant/falskt (true/false, ja/nej, 1/0), fick {shown!r}"
    return f"ogiltigt värde {shown!r}"


def problem_rows(frame: pd.DataFrame, mask: pd.Series, dataset: str, column: str, rule: str,
                 messages: pd.Series | str) -> pd.DataFrame:
    """One problem row per row of ``frame`` where ``mask`` holds; ``messages`` is one text or one per row."""
    hit = frame.loc[mask]
    if hit.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    # Messages quote values from the files: whatever a rule quotes, a personnummer in it is masked here.
    message = mask_series(messages[mask]).to_numpy() if isinstance(messages, pd.Series) \
        else mask_personal_numbers(messages)
    return pd.DataFrame(
        {
            "dataset": dataset,
            "source_file": hit["source_file"].to_numpy(),
            "source_row": hit["source_row"].to_numpy(),
            "column": column,
            "rule": rule,
            "message": message,
        },
        columns=PROBLEM_COLUMNS,
    )


def conform(raw: pd.DataFrame, dataset: Dataset) -> Conformed:
    raw = raw.reset_index(drop=True)
    names = dataset.column_names
    source_like = {"source_file", "source_row", SOURCE_PROBLEM}
    present_columns = [c for c in raw.columns if c not in source_like]
    missing_required = [c for c in dataset.required_columns if c not in raw.columns]
    missing_optional = [c for c in names if c not in raw.columns and c not in missing_required]
    unknown = [c for c in present_columns if c not in names]

    typed = pd.DataFrame(index=raw.index)
    found: list[pd.DataFrame] = []

    if SOURCE_PROBLEM in raw.columns:
        shape = raw[SOURCE_PROBLEM].fillna("") != ""
        found.append(problem_rows(raw, shape, dataset.name, "", rules.ROW_SHAPE.name, raw[SOURCE_PROBLEM]))

    for column in dataset.columns:
        if column.name not in raw.columns:
            typed[column.name] = pd.Series(pd.NA, index=raw.index, dtype=DTYPES[column.type])
            continue
        text = raw[column.name].fillna("").astype("str").str.strip()
        restore = column.type in RESTORE_LEADING_ZERO
        personal = personal_number_mask(text, restore_leading_zero=restore)
        if personal.any():
            masked = text[personal].map(lambda v, r=restore: mask_personal_numbers(v, restore_leading_zero=r))
            found.append(problem_rows(raw, personal, dataset.name, column.name, rules.PERSONNUMMER.name,
                                   "värdet ser ut som ett personnummer eller samordningsnummer och tas inte emot ("
                                   + masked.str.slice(0, MAX_SHOWN).reindex(text.index, fill_value="") + ")"))
            text = text.mask(personal, masked)
        values, bad, rule = _convert(column, text)
        bad = bad & ~personal
        if bad.any():
            messages = text.where(bad, "").map(lambda v, c=column, r=rule: _type_message(c, r, v))
            found.append(problem_rows(raw, bad, dataset.name, column.name, rule, messages))
        if column.required:
            missing = (text == "") & ~personal
            found.append(problem_rows(raw, missing, dataset.name, column.name, rules.REQUIRED.name,
                                   "obligatoriskt värde saknas"))
        if column.type == "support":
            bad_support, support_messages = _support_problems(text)
            found.append(problem_rows(raw, bad_support & ~personal, dataset.name, column.name,
                                      rules.SUPPORT_CODE.name, support_messages))
            values = values.where(~bad_support)
        if column.minimum is not None or column.maximum is not None:
            numeric = values.astype("Float64")
            low = numeric < column.minimum if column.minimum is not None else False
            high = numeric > column.maximum if column.maximum is not None else False
            out = (pd.Series(low, index=raw.index) | pd.Series(high, index=raw.index)).fillna(False).astype(bool)
            if out.any():
                bounds = f"{column.minimum:g}–{column.maximum:g}" if column.maximum is not None \
                    else f"minst {column.minimum:g}"
                found.append(problem_rows(raw, out, dataset.name, column.name, rules.RANGE.name,
                                       text.map(lambda v, b=bounds: f"värdet {_shown(v)!r} ligger utanför {b}")))
        typed[column.name] = values.astype(DTYPES[column.type])

    typed["source_file"] = raw["source_file"].astype("str")
    typed["source_row"] = raw["source_row"].astype("int64")
    problems = [p for p in found if not p.empty]
    problem_frame = (
        pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    problem_frame = problem_frame.astype({c: "str" for c in PROBLEM_COLUMNS if c != "source_row"})
    problem_frame["source_row"] = problem_frame["source_row"].astype("int64")
    return Conformed(typed, problem_frame, missing_required, missing_optional, unknown)


def _support_problems(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    bad = pd.Series(False, index=text.index)
    messages = pd.Series("", index=text.index, dtype="str")
    # Few distinct spellings exist even in national data: parse each once.
    for value in text[text != ""].unique():
        try:
            parse_support(support_codes(value))
        except ValueError as exc:
            hit = text == value
            bad |= hit
            messages[hit] = f"{exc} i {_shown(value)!r}" + _support_hint(value)
    return bad, messages


_SUPPORT_TABLE = column_codes(Column("support", "support", False, "", "", codes=SUPPORT_CODES))


def support_codes(value: str) -> str:
    """``Försörjningsstöd | Sjukpenning: 50`` as ``forsorjningsstod|sjukpenning:50``; an unknown code is kept as
    written (lower case) so that the support rule names it."""
    tokens = []
    for token in value.split("|"):
        code, colon, extent = token.partition(":")
        known = _SUPPORT_TABLE.get(fold(code))
        tokens.append((known or code.strip().lower()) + (colon + extent.strip() if colon else ""))
    return "|".join(tokens).replace(" ", "")


def _support_hint(value: str) -> str:
    unknown = [t.partition(":")[0] for t in value.split("|") if _SUPPORT_TABLE.get(fold(t.partition(":")[0])) is None]
    unknown = [u for u in unknown if u.strip()]
    return did_you_mean(unknown[0], code_candidates(SUPPORT_CODES), _SUPPORT_TABLE) if unknown else ""
