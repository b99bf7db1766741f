"""Investment per actor: the year's project costs by financier.

Förbund money (``samordningsforbund``) is apportioned to the members by the
förbund's shares (parameters); a member's own money or in-kind contribution
counts for that member; ``esf`` and ``ovrig`` count for Övriga.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.ledger.actors import ACTORS, CODE_TO_ACTOR, MEMBER_CODES
from samverkan.ledger.parameters import LedgerParameters

FINANCIER_ACTOR = {**{code: CODE_TO_ACTOR[code] for code in MEMBER_CODES},
                   "esf": CODE_TO_ACTOR["ovriga"], "ovrig": CODE_TO_ACTOR["ovriga"]}
FORBUND_MONEY = "samordningsforbund"


def investment_shares(financier: pd.Series, forbund: pd.Series, parameters: LedgerParameters) -> np.ndarray:
    """(rows, actors) share of each cost row that each actor bears."""
    shares = np.zeros((len(financier), len(ACTORS)), dtype="float64")
    fin = financier.astype("str").to_numpy()
    for code, actor in FINANCIER_ACTOR.items():
        shares[fin == code, ACTORS.index(actor)] = 1.0
    pooled = fin == FORBUND_MONEY
    if pooled.any():
        names = forbund.astype("str").to_numpy()
        for name in pd.unique(names[pooled]):
            rows = pooled & (names == name)
            for actor, share in parameters.shares_for(name).items():
                shares[rows, ACTORS.index(actor)] = share
    return shares


def year_costs(project_costs: pd.DataFrame, projects: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """The cost rows of ``year`` for known projects (with ``forbund``), and how many were left out."""
    in_year = (project_costs["year"] == year).fillna(False).to_numpy(dtype=bool)
    lookup = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    forbund = project_costs["project_id"].map(lookup)
    known = forbund.notna().to_numpy()
    rows = project_costs.loc[in_year & known].copy()
    rows["forbund"] = forbund[in_year & known]
    return rows.reset_index(drop=True), int((in_year & ~known).sum())
