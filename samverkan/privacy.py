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
that reading credible enough to refuse the value. Digits inside a long
hexadecimal run (a SHA-256 shown in a report) are not a number a person typed.

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
_HEX = frozenset("0123456789abcdefABCDEF")
# A digest shown in full or in part (16 hex characters and more) is not text a person typed.
HASH_LENGTH = 16
# For the vectorised pre-filter (no look-arounds: Arrow's RE2 has none).
# ASCII white space spelled out: a \s would send pandas back to Python's slower re.
_ASCII_SHAPE = r"[0-9]{2}[\t\n\x0b\x0c\r _-]*[0-9]{2}[\t\n\x0b\x0c\r _-]*[0-9]{2}[\t\n\x0b\x0c\r _+-]*[0-9]{4}"
# Anything but printable ASCII, tab, line breaks and Latin letters (the letters written as themselves, which
# both RE2 and re read; \u escapes would send pandas back to Python's re).
_SUSPICIOUS = "[^\\x20-\\x7e\\t\\n\\r\u00c0-\u024f]"
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


def _in_hash(normal: str, match: re.Match[str]) -> bool:
    """Digits inside a long run of hexadecimal characters (a SHA-256, a UUID part) are not a personnummer."""
    if not match.group(0).isdigit():
        return False
    left, right = match.start(), match.end()
    while left > 0 and normal[left - 1] in _HEX:
        left -= 1
    while right < len(normal) and normal[right] in _HEX:
        right += 1
    return right - left >= HASH_LENGTH


def _spans(normal: str) -> list[tuple[int, int, str, str]]:
    """(start, end, century, separator) in the normalised text of every personnummer-shaped run."""
    found: list[tuple[int, int, str, str]] = []
    pos = 0
    while True:
        matches = [m for m in (_WITH_CENTURY.search(normal, pos), _NO_CENTURY.search(normal, pos)) if m]
        if not matches:
            return found
        start = min(m.start() for m in matches)
        hit = None
        for match in matches:  # with a century first
            century, _gap, yy, mm, dd, _sep, _tail = match.groups()
            if match.start() == start and _date_part_ok(century, yy, mm, dd) and not _in_hash(normal, match):
                hit = match
                break
        if hit is None:
            pos = start + 1
            continue
        century, sep = hit.group(1), hit.group(6)
        found.append((hit.start(), hit.end(), century, "+" if "+" in sep else ("-" if sep else "")))
        pos = hit.end()


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
    # Vectorised pre-filter, a superset of what the exact check finds: in ASCII the digit groups with ASCII
    # separators; any character outside ASCII and the Latin letters (it may be a digit, a dash or hidden);
    # a bare 9-digit number where leading zeros are restored. The exact check runs only on these candidates.
    candidates = text.str.contains(_ASCII_SHAPE, regex=True) | text.str.contains(_SUSPICIOUS, regex=True)
    if restore_leading_zero:
        candidates |= text.str.contains(r"^[\t\n\x0b\x0c\r ]*[0-9]{9}[\t\n\x0b\x0c\r ]*$", regex=True)
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


def _number_is_personal(value: object) -> bool:
    if isinstance(value, float | np.floating):
        if not np.isfinite(value) or not float(value).is_integer():
            return False
        value = int(value)
    digits = str(abs(int(value)))
    if len(digits) == 9:
        return _restored(digits)
    # A number carries no separator, so only the checksum tells a personnummer from a large count.
    return len(digits) in (10, 12) and contains_personal_number(digits) and _luhn_ok(digits[-10:])


def last_gate_frame(frame: pd.DataFrame, identifier_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """``last_gate`` for a table: column names and text cells masked.

    Masking is impossible, so the run stops (``PersonalNumberError``), for a cell that is an object other
    than text whose printed form holds a personnummer, and for a number in one of ``identifier_columns``
    (numeric identifiers; amounts are never checked this way) that is a personnummer, its lost leading
    zero restored.
    """
    out = frame.copy()
    out.columns = [last_gate(c) if isinstance(c, str) else c for c in out.columns]
    for position, column in enumerate(out.columns):
        series = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
            if column in identifier_columns and series.dropna().map(_number_is_personal).any():
                raise PersonalNumberError(f"kolumnen {column!r} innehåller ett tal som är ett personnummer; "
                                          "körningen stoppas")
            continue
        if not (isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype)
                or series.dtype == object):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = pd.Series(series.cat.categories)
            if personal_number_mask(categories.astype("str")).any():
                series = series.astype("object")
            else:
                continue
        if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
            strings = series.notna()
        else:
            strings = series.map(lambda v: isinstance(v, str)).astype(bool)
            others = series[~strings & series.notna()]
            if len(others) and others.map(lambda v: contains_personal_number(str(v))).any():
                raise PersonalNumberError(f"kolumnen {column!r} innehåller ett värde som liknar ett personnummer "
                                          "och inte kan maskeras; körningen stoppas")
        hit = personal_number_mask(series.where(strings, "")) & strings
        if hit.any():
            text = series.astype("object").copy()
            text[hit] = text[hit].map(mask_personal_numbers)
            out.isetitem(position, text.astype(series.dtype) if series.dtype != object else text)
    return out


def suppress_small(count: int | float | None) -> int | float | None:
    """Counts under five are not published; ``None`` marks a suppressed cell."""
    if count is None or pd.isna(count):
        return None
    return count if count >= SMALL_COUNT_LIMIT or count == 0 else None
