"""Personal identity numbers never leave the system.

A personnummer or samordningsnummer is recognised however it was typed: the text
is first normalised (NFKC, so full-width digits and no-break spaces become plain
ones; zero-width, format and combining characters removed; digits of any script
read as digits), then searched for 6 or 8 date digits and 4 more, with any run
of space- or dash-like characters (space, no-break space, en/em dash, minus
sign, non-breaking hyphen, figure dash, underscore …) or a ``+`` (people over
100) between the date and the last four, and optionally inside a dashed date
(``1985-03-14-1234``, ``85 03 14 1234``), anywhere in a text.

Policy on the check digit: in text, anything of that shape whose date part is
a real date (or day + 60, a samordningsnummer) is masked and refused *whether or
not the Luhn digit is right*: a mistyped last digit is still someone's number,
and a phone number that happens to fit is personal data too. The Luhn digit is
required in one place only: a bare 9-digit number in an identifier or text
column is read as a 10-digit number whose leading zero a spreadsheet dropped
(``0503141234`` stored as the number ``503141234``), and only the checksum makes
that reading credible enough to refuse the value.

``last_gate`` is the check every string leaving the pipeline can pass through:
it masks, and raises ``PersonalNumberError`` where masking is not possible.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

import numpy as np
import pandas as pd

SMALL_COUNT_LIMIT = 5
MASK = "XXXXXX"

# Dash-like characters NFKC leaves alone (it already turns U+2011 into U+2010 and U+FF0D into "-").
_DASHES = "\\-\u2010-\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63_"
_SEP = rf"[\s{_DASHES}]*"
# The last four are not glued to more digits, nor the year of a following ISO date: "2021-01-01–2023-12-31"
# is a period, not a personnummer.
_NOT_A_YEAR = rf"(?![0-9]|[{_DASHES}][0-9]{{2}}[{_DASHES}][0-9]{{2}})"
# On normalised text: century, year, month, day (separators allowed between them), an optional
# separator run with an optional "+", the serial and the check digit; not glued to other digits.
_WITH_CENTURY = re.compile(
    rf"(?<![0-9])(18|19|20)({_SEP})([0-9]{{2}}){_SEP}([0-9]{{2}}){_SEP}([0-9]{{2}})({_SEP}\+?{_SEP})([0-9]{{4}}){_NOT_A_YEAR}"
)
_NO_CENTURY = re.compile(
    rf"(?<![0-9])()()([0-9]{{2}}){_SEP}([0-9]{{2}}){_SEP}([0-9]{{2}})({_SEP}\+?{_SEP})([0-9]{{4}}){_NOT_A_YEAR}"
)
_NINE_DIGITS = re.compile(r"[0-9]{9}")
# Characters removed before searching: format (zero-width space, joiners, soft hyphen, BOM, bidi marks),
# combining marks, and control characters other than white space.
_DROPPED_CATEGORIES = {"Cf", "Mn", "Me", "Cc"}


class PersonalNumberError(ValueError):
    """A value that may hold a personnummer and cannot be masked: the run must stop rather than let it out."""


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _date_part_ok(century: str, yy: str, mm: str, dd: str) -> bool:
    month = int(mm)
    day = int(dd)
    if not 1 <= month <= 12:
        return False
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if not century:
        # Without a century either 19xx or 20xx may be meant; a leap day is valid if either is.
        return any(1 <= day <= calendar.monthrange(y, month)[1] for y in (1900 + int(yy), 2000 + int(yy)))
    return 1 <= day <= calendar.monthrange(int(century + yy), month)[1]


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as searched, and for each of its characters the index of the original character."""
    if text.isascii() and text.isprintable():
        return text, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKC", ch):
            if part.isspace():
                chars.append(" ")
            elif unicodedata.category(part) in _DROPPED_CATEGORIES:
                continue
            else:
                value = unicodedata.decimal(part, None)
                chars.append(str(value) if value is not None else part)
            origin.append(i)
    return "".join(chars), origin


def _spans(normal: str) -> list[tuple[int, int, str, str]]:
    """(start, end, century, separator) in the normalised text of every personnummer-shaped run."""
    found: list[tuple[int, int, str, str]] = []
    pos = 0
    while pos < len(normal):
        hit = None
        for pattern in (_WITH_CENTURY, _NO_CENTURY):
            match = pattern.match(normal, pos)
            if match:
                century, _gap, yy, mm, dd, sep, _tail = match.groups()
                if _date_part_ok(century, yy, mm, dd):
                    hit = match
                    break
        if hit is None:
            pos += 1
            continue
        century, sep = hit.group(1), hit.group(6)
        found.append((hit.start(), hit.end(), century, "+" if "+" in sep else ("-" if sep else "")))
        pos = hit.end()
    return found


def _restored(text: str) -> bool:
    """A bare 9-digit number that is a personnummer once its lost leading zero is put back."""
    if not _NINE_DIGITS.fullmatch(text):
        return False
    ten = "0" + text
    return _date_part_ok("", ten[:2], ten[2:4], ten[4:6]) and _luhn_ok(ten)


def _digit_count_possible(text: str) -> bool:
    return sum(ch.isdigit() or not ch.isascii() for ch in text) >= 9


def contains_personal_number(text: object, restore_leading_zero: bool = False) -> bool:
    """True if ``text`` holds something shaped like a personnummer or samordningsnummer with a real date.

    ``restore_leading_zero``: also a bare 9-digit number that passes as one with a leading zero (identifier
    and text columns; never amounts).
    """
    if not isinstance(text, str) or not _digit_count_possible(text):
        return False
    stripped = text.strip()
    if restore_leading_zero and _restored(stripped):
        return True
    return bool(_spans(_normalised(text)[0]))


def mask_personal_numbers(text: str, restore_leading_zero: bool = False) -> str:
    """Replace every personnummer-like run by its mask, e.g. ``19XXXXXX-XXXX`` (the century is kept)."""
    if not isinstance(text, str) or not _digit_count_possible(text):
        return text
    if restore_leading_zero and _restored(text.strip()):
        return MASK + "XXX"
    normal, origin = _normalised(text)
    spans = _spans(normal)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, century, sep in spans:
        first, after = origin[start], origin[end - 1] + 1
        out.append(text[last:first])
        out.append(century + MASK + sep + "XXXX")
        last = after
    out.append(text[last:])
    return "".join(out)


def personal_number_mask(values: pd.Series, restore_leading_zero: bool = False) -> pd.Series:
    """True where a text value holds something that looks like a personnummer or samordningsnummer."""
    text = values.astype("str").fillna("")
    # Cheap vectorised pre-filter: nine characters that are ASCII digits or non-ASCII (which may be digits or
    # hidden separators); the exact check runs only on the candidates.
    candidates = text.str.count(r"[0-9]|[^\x00-\x7f]") >= 9
    result = pd.Series(False, index=values.index)
    if candidates.any():
        result[candidates] = text[candidates].map(
            lambda v: contains_personal_number(v, restore_leading_zero)).astype(bool)
    return result


def mask_series(values: pd.Series, restore_leading_zero: bool = False) -> pd.Series:
    """The values with every personnummer masked; missing values stay missing."""
    hit = personal_number_mask(values.fillna(""), restore_leading_zero) & values.notna()
    if not hit.any():
        return values
    out = values.astype("object").copy()
    out[hit] = values[hit].astype("str").map(lambda v: mask_personal_numbers(v, restore_leading_zero))
    return out


def shown_file_name(name: str) -> str:
    """A file name as it may be shown: a personnummer in it is masked."""
    return mask_personal_numbers(name)


def last_gate(text: object) -> str:
    """Every string leaving the pipeline: personnummer masked; raises if the value cannot be made safe."""
    if isinstance(text, bytes | bytearray | memoryview):
        raise PersonalNumberError("binära data kan inte granskas för personnummer och får inte lämna körningen")
    value = "" if text is None else str(text)
    masked = mask_personal_numbers(value)
    if contains_personal_number(masked):
        raise PersonalNumberError("ett värde som liknar ett personnummer kunde inte maskeras; körningen stoppas")
    return masked


def _looks_like_number_of_person(value: object) -> bool:
    if isinstance(value, float | np.floating):
        if not np.isfinite(value) or not float(value).is_integer():
            return False
        value = int(value)
    digits = str(value)
    if len(digits) == 9:
        return _restored(digits)
    # A number cannot carry a separator, so only the checksum tells a personnummer from a large count.
    return len(digits) in (10, 12) and contains_personal_number(digits) and _luhn_ok(digits[-10:])


def last_gate_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``last_gate`` for a table: text cells and column names masked; a whole-number column holding a valid
    personnummer (which cannot be masked without changing its type) stops the run."""
    out = frame.copy()
    out.columns = [last_gate(c) if isinstance(c, str) else c for c in out.columns]
    for position, column in enumerate(out.columns):
        series = out.iloc[:, position]
        if pd.api.types.is_integer_dtype(series.dtype):
            present = series.dropna()
            big = present[(present.abs() >= 100_000_000) & (present.abs() < 10**12)]
            if len(big) and big.map(_looks_like_number_of_person).any():
                raise PersonalNumberError(f"kolumnen {column!r} innehåller ett tal som liknar ett personnummer; "
                                          "körningen stoppas")
        elif isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype) \
                or series.dtype == object:
            text = series.astype("object")
            strings = text.map(lambda v: isinstance(v, str)).astype(bool)
            hit = strings.copy()
            hit[strings] = personal_number_mask(text[strings])
            if hit.any():
                text = text.copy()
                text[hit] = text[hit].map(mask_personal_numbers)
                out.isetitem(position, text)
    return out


def suppress_small(count: int | float | None) -> int | float | None:
    """Counts under five are not published; ``None`` marks a suppressed cell."""
    if count is None or pd.isna(count):
        return None
    return count if count >= SMALL_COUNT_LIMIT or count == 0 else None
