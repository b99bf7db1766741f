"""Personal identity numbers never enter the system.

A value that looks like a Swedish personnummer or samordningsnummer (10 or 12
digits, optionally with ``-`` or ``+`` before the last four, a valid date part
or day + 60, and a valid Luhn check digit) is refused wherever it appears, and
is only ever shown masked.
"""

from __future__ import annotations

import calendar
import re

import pandas as pd

# Digits not glued to other digits: 6 or 8 date digits, optional separator, 4 more.
_CANDIDATE = re.compile(r"(?<!\d)(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)(?!\d)")

SMALL_COUNT_LIMIT = 5


def _luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _date_part_ok(century: str | None, yy: str, mm: str, dd: str) -> bool:
    month = int(mm)
    day = int(dd)
    if not 1 <= month <= 12:
        return False
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    year = int((century or "19") + yy)
    if century is None:
        # Without a century either 19xx or 20xx may be meant; a leap day is valid if either is.
        return any(1 <= day <= calendar.monthrange(y, month)[1] for y in (1900 + int(yy), 2000 + int(yy)))
    if century not in ("18", "19", "20"):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


def _is_personal_number(match: re.Match[str]) -> bool:
    century, yy, mm, dd, _sep, serial, check = match.groups()
    if not _date_part_ok(century, yy, mm, dd):
        return False
    return _luhn_ok(yy + mm + dd + serial + check)


def contains_personal_number(text: object) -> bool:
    if not isinstance(text, str) or len(text) < 10:
        return False
    return any(_is_personal_number(m) for m in _CANDIDATE.finditer(text))


def mask_personal_numbers(text: str) -> str:
    """Replace every personnummer-like run by its mask, e.g. ``19XXXXXX-XXXX``."""

    def mask(match: re.Match[str]) -> str:
        if not _is_personal_number(match):
            return match.group(0)
        century, _yy, _mm, _dd, sep, _serial, _check = match.groups()
        return (century or "") + "XXXXXX" + sep + "XXXX"

    return _CANDIDATE.sub(mask, text)


def personal_number_mask(values: pd.Series) -> pd.Series:
    """True where a text value holds something that looks like a personnummer or samordningsnummer."""
    text = values.astype("str").fillna("")
    # Cheap vectorised pre-filter; the exact check runs only on the few candidates.
    candidates = text.str.contains(r"\d{6}", regex=True, na=False)
    result = pd.Series(False, index=values.index)
    if candidates.any():
        result[candidates] = text[candidates].map(contains_personal_number).astype(bool)
    return result


def suppress_small(count: int | float | None) -> int | float | None:
    """Counts under five are not published; ``None`` marks a suppressed cell."""
    if count is None or pd.isna(count):
        return None
    return count if count >= SMALL_COUNT_LIMIT or count == 0 else None
