"""What the participants' outcome says in words, and cost shifting between the members.

Shared by the success levels and the ledger, so a project's return and its level rest on the
same verdict: the participant effect is *established* exactly when the outcome criterion of
the success rules holds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samverkan.ledger.actors import MEMBERS as MEMBER_NAMES
from samverkan.privacy import suppress_small
from samverkan.success.rules import Rules

# The columns of the members' effects (present value, kronor), in ledger order.
SHIFT_COLUMNS = ["effect_af_sek", "effect_fk_sek", "effect_kommun_sek", "effect_region_sek"]
COST_SHIFTING = "kostnadsförskjutning mellan huvudmännen"


def _whole(value: float) -> int:
    return int(math.floor(value + 0.5))


def _kr(value: int) -> str:
    text = f"{abs(int(value)):,}".replace(",", " ")
    return ("−" if value < 0 else "") + text + " kr"


def attributable_sentence(row: dict) -> str:
    """"av 25 som gick till arbete eller studier räknas 16 som effekt av insatsen", or why it is not said."""
    exits, worked = int(row["exits"]), int(row["to_work_or_studies"])
    if exits == 0:
        return ""
    if suppress_small(worked) is None or suppress_small(exits) is None or suppress_small(exits - worked) is None:
        return "Färre än 5 avslut, eller färre än 5 till arbete eller studier eller inte: hur många som räknas " \
               "som effekt av insatsen redovisas inte"
    p0 = float(row["reference"])
    share = f"{p0 * 100:.1f}".replace(".", ",")
    return (f"Av {worked} som gick till arbete eller studier räknas {_whole(row['attributable'])} som effekt av "
            f"insatsen ({worked} − {share} % av {exits} avslut som hade nått arbete eller studier ändå)")


def not_established_reason(row: dict, rules: Rules) -> str:
    """Why the participant effect is not established by the success rules; empty when it is."""
    if row["outcome_beyond_counterfactual"]:
        return ""
    exits = int(row["exits"])
    if exits == 0:
        return "inga avslutade deltagare: deltagarnas effekt kan inte prövas"
    if exits < rules.min_exits:
        shown = "färre än 5" if suppress_small(exits) is None else str(exits)
        return f"för få avslut för att avgöra ({shown}, minst {rules.min_exits} krävs)"
    if row["gains_gone"] and row["ci_low"] > row["reference"]:
        return "vinsterna är till största delen borta vid uppföljningen efter 12 månader"
    reason = "andelen i arbete eller studier ligger inte säkert över det kontrafaktiska utfallet p0"
    return ("skenbar framgång: " + reason) if row["headline_good"] else reason


def cost_shifting(project_id: pd.Series, member_effects: pd.DataFrame | None) -> pd.DataFrame:
    """Per project: the members' effects and the flag (their sum ≤ 0 while some member's effect is positive)."""
    frame = pd.DataFrame({"project_id": project_id.astype("str").to_numpy()})
    if member_effects is None or member_effects.empty:
        for column in SHIFT_COLUMNS:
            frame[column] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame["cost_shifting"] = False
        return frame
    effects = member_effects.assign(project_id=member_effects["project_id"].astype("str"))
    frame = frame.merge(effects[["project_id", *SHIFT_COLUMNS]], on="project_id", how="left")
    values = frame[SHIFT_COLUMNS].astype("float64").to_numpy()
    known = ~np.isnan(values).any(axis=1)
    values = np.nan_to_num(values)
    frame["cost_shifting"] = known & (values.sum(axis=1) <= 0) & (values > 0).any(axis=1)
    for column in SHIFT_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    return frame


def shifting_sentence(row: dict) -> str:
    """The neutral words for a flagged project, with the amounts per member."""
    amounts = [int(row[c]) for c in SHIFT_COLUMNS]
    gainers = [m for m, a in zip(MEMBER_NAMES, amounts, strict=True) if a > 0]
    parts = ", ".join(f"{m} {_kr(a)}" for m, a in zip(MEMBER_NAMES, amounts, strict=True))
    return (f"Kostnadsförskjutning mellan huvudmännen: {' och '.join(gainers)} får en effekt, men medlemmarnas "
            f"effekter summerar till {_kr(sum(amounts))} före investeringen ({parts}). Att en person får rätt "
            f"försörjning kan vara ett riktigt utfall; vinsten för en medlem är här en kostnad för en annan")
