"""Swedish number and date formats for the report.

Templates call these as Jinja filters; they never compute, they only write a
number the way a Swedish reader expects: ``1 234 567 kr`` with a narrow
no-break space between thousands, decimal comma, ``45 %`` with a no-break space
before the per cent sign, a real minus sign, and Swedish month names.
A missing value prints as a dash (``–``), so a table never shows ``nan``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

import pandas as pd

THIN = "\u202f"  # narrow no-break space: thousands separator (Språkrådet, TNC)
NBSP = "\u00a0"  # no-break space: between a number and its unit
MINUS = "\u2212"
DASH = "\u2013"  # shown for suppressed or missing values

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)


def _missing(value: object) -> bool:
    if value is None or isinstance(value, str):
        return value is None
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def number(value: object, decimals: int = 0) -> str:
    """``1234567.5`` → ``1 234 567,5`` (narrow no-break spaces, decimal comma, real minus)."""
    if _missing(value):
        return DASH
    if not isinstance(value, Real):
        value = float(value)  # type: ignore[arg-type]
    # Half away from zero on the shortest decimal form, as people round (1,25 → 1,3), not binary floats.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "−0"
    sign = MINUS if rounded < 0 else ""
    text = f"{abs(rounded):,.{decimals}f}"
    whole, _, fraction = text.partition(".")
    whole = whole.replace(",", THIN)
    return sign + whole + ("," + fraction if fraction else "")


def kronor(value: object) -> str:
    """``1234567`` → ``1 234 567 kr``."""
    if _missing(value):
        return DASH
    return number(value) + NBSP + "kr"


def thousand_kronor(value: object) -> str:
    """Amount in thousands of kronor, for dense tables: ``1234567`` → ``1 235``."""
    if _missing(value):
        return DASH
    return number(float(value) / 1000)  # type: ignore[arg-type]


def percent(share: object, decimals: int = 0) -> str:
    """A share 0..1 as ``45 %``."""
    if _missing(share):
        return DASH
    return number(float(share) * 100, decimals) + NBSP + "%"  # type: ignore[arg-type]


def ratio(value: object, decimals: int = 2) -> str:
    """A return ratio such as ``1,35``."""
    return number(value, decimals)


def long_date(value: dt.date | dt.datetime | str | None) -> str:
    """``2025-02-01`` → ``1 februari 2025``."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def signed_kronor(value: object) -> str:
    """Like :func:`kronor` but with an explicit plus sign, for transfers and net effects."""
    if _missing(value):
        return DASH
    text = kronor(value)
    return ("+" + text) if round(float(value)) > 0 else text  # type: ignore[arg-type]


FILTERS = {
    "tal": number,
    "kr": kronor,
    "tkr": thousand_kronor,
    "procent": percent,
    "kvot": ratio,
    "datum": long_date,
    "kr_tecken": signed_kronor,
}
