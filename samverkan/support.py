"""Support codes with extent, as written in ``support_before`` / ``support_after``.

Notation: codes joined by ``|``, each optionally followed by ``:extent`` where the
extent is 25, 50, 75 or 100 per cent of full time (100 when left out), e.g.
``forsorjningsstod|sjukpenning:50``. ``ingen`` means no support.
"""

from __future__ import annotations

import pandas as pd

from samverkan.contract import SUPPORT_CODES, SUPPORT_EXTENTS

SEPARATOR = "|"


def parse_support(text: str) -> list[tuple[str, int]]:
    """Parse one cell; raises ValueError with a readable Swedish reason."""
    items: list[tuple[str, int]] = []
    for token in str(text).split(SEPARATOR):
        token = token.strip().lower()
        if not token:
            raise ValueError("tom stödkod mellan '|'")
        code, _, extent_text = token.partition(":")
        code = code.strip()
        if code not in SUPPORT_CODES:
            raise ValueError(f"okänd stödkod {code!r}")
        extent = 100
        if extent_text:
            try:
                extent = int(extent_text.strip().rstrip("%"))
            except ValueError:
                raise ValueError(f"omfattningen {extent_text!r} är inte ett tal") from None
            if extent not in SUPPORT_EXTENTS:
                raise ValueError(f"omfattningen {extent} ska vara 25, 50, 75 eller 100")
        if any(code == seen for seen, _ in items):
            raise ValueError(f"stödkoden {code!r} förekommer två gånger")
        items.append((code, extent))
    return items


def explode_support(values: pd.Series) -> pd.DataFrame:
    """Long table (``row``, ``code``, ``extent``) with one row per code in each cell.

    ``row`` is the index label of the cell. Cells must already be valid (see
    ``parse_support``); empty cells give no rows.
    """
    text = values.fillna("").astype("str")
    tokens = text.str.split(SEPARATOR).explode()
    tokens = tokens[tokens.str.len() > 0]
    parts = tokens.str.split(":", n=1, expand=True)
    if parts.empty:
        return pd.DataFrame({"row": pd.Series(dtype=values.index.dtype), "code": pd.Series(dtype="str"),
                             "extent": pd.Series(dtype="int64")})
    if parts.shape[1] == 1:
        parts[1] = None
    codes = parts[0].str.strip().str.lower()
    extents = pd.to_numeric(parts[1].fillna("100"), errors="raise").astype("int64")
    return pd.DataFrame({"row": tokens.index, "code": codes.to_numpy(), "extent": extents.to_numpy()})
