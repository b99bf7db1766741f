"""The actors of the ledger, their fixed order and the names inputs may use.

The one definition of the actors: the ledger, the report and the success rules import them from here.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

ACTORS = (
    "Arbetsförmedlingen",
    "Försäkringskassan",
    "Kommun",
    "Region",
    "Rättsväsende",
    "Övriga",
    "Produktionsvärde",
)
TOTAL = "Summa"
ACTORS_WITH_TOTAL = (*ACTORS, TOTAL)
ACTOR_CODES = ("af", "fk", "kommun", "region", "rattsvasende", "ovriga", "produktionsvarde")
CODE_TO_ACTOR = dict(zip(ACTOR_CODES, ACTORS, strict=True))
ACTOR_TO_CODE = dict(zip(ACTORS, ACTOR_CODES, strict=True))
# The members of a samordningsförbund: only they invest through the förbund and take part in transfers.
MEMBERS = ACTORS[:4]
MEMBER_CODES = ACTOR_CODES[:4]

ACTOR_DTYPE = pd.CategoricalDtype(list(ACTORS_WITH_TOTAL), ordered=True)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace(" ", "").replace("-", "")


_ALIASES: dict[str, str] = {}
for _code, _name in CODE_TO_ACTOR.items():
    _ALIASES[_folded(_code)] = _name
    _ALIASES[_folded(_name)] = _name
_ALIASES.update({
    "landsting": "Region",
    "arbetsformedling": "Arbetsförmedlingen",
    "forsakringskassa": "Försäkringskassan",
    "kommuner": "Kommun",
    "rattsvasendet": "Rättsväsende",
    "ovrig": "Övriga",
    "summa": TOTAL,
    "total": TOTAL,
})


def actor_name(value: object) -> str:
    """The canonical actor name for a name, code or old name (``Landsting`` → Region).

    Case, diacritics, spaces and hyphens do not matter. Raises ValueError for anything else.
    """
    key = _folded(str(value))
    try:
        return _ALIASES[key]
    except KeyError:
        known = ", ".join(ACTORS_WITH_TOTAL)
        raise ValueError(f"okänd aktör {value!r}; använd {known} eller koderna {', '.join(ACTOR_CODES)}") from None


def actor_names(values: pd.Series) -> pd.Series:
    """Canonical names for a column of names or codes, as the ordered actor category."""
    uniques = pd.unique(values.astype("str"))
    lookup = {u: actor_name(u) for u in uniques}
    return values.astype("str").map(lookup).astype(ACTOR_DTYPE)
