"""Swedish number and date formats for the report.

Templates call these as Jinja filters; they never compute, they only write a
number the way a Swedish reader expects: ``1 234 567 kr`` with a narrow
no-break space between thousands, decimal comma, ``45 %`` with a no-break space
before the per cent sign, a real minus sign, and Swedish month names.
A missing value prints as a dash (``–``), so a table never shows ``nan``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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


def rounded_kronor(value: object) -> str:
    """An amount for running text, rounded as a reader takes it in: ``1 234 567`` → ``1,2 mnkr``,
    ``234 262 978`` → ``234 mnkr``, ``912 345`` → ``912 tkr``, ``650`` → ``650 kr``. Exact kronor stay in
    the tables."""
    if _missing(value):
        return DASH
    amount = float(value)  # type: ignore[arg-type]
    size = abs(amount)
    # Decide the unit on the rounded figure, so that 999 960 kr is "1,0 mnkr", not "1 000 tkr".
    if size >= 999_500:
        millions = amount / 1e6
        return number(millions, 0 if abs(millions) >= 99.95 else 1) + NBSP + "mnkr"
    if size >= 999.5:
        return number(amount / 1000) + NBSP + "tkr"
    return number(amount) + NBSP + "kr"


def sentence(parts: Iterable[object]) -> str:
    """A sentence of the summary (``samverkan.report.summary``) as text: amounts rounded, shares in per cent."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif hasattr(part, "sek"):
            out.append(rounded_kronor(part.sek))
        else:
            out.append(percent(part.value))  # type: ignore[attr-defined]
    return "".join(out)


FILTERS = {
    "tal": number,
    "kr": kronor,
    "tkr": thousand_kronor,
    "procent": percent,
    "kvot": ratio,
    "datum": long_date,
    "kr_tecken": signed_kronor,
    "avrundat": rounded_kronor,
    "mening": sentence,
}
