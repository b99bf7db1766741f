"""Which stored data is about single participants, and how long it is kept (``samverkan purge``).

Every asset is classified here, once: participant-level (one row per participant, per inbox row or per
episode, the accepted rows and the quarantines of every dataset of the contract) or aggregate (counts, sums and
the reports, which carry no row of a person). The purge deletes a year's participant-level data and keeps the
aggregates; tests/test_purge.py checks that every asset of the code location is in exactly one of the two sets,
so a new asset cannot be added without deciding which it is.

The default retention (docs/operations.md, "Gallring") is the report year and the year after it: the
samverkansbokslut of year Y is adopted and audited during Y + 1, and until then a correction may need the
rows again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from samverkan.contract import DATASETS

PARTICIPANT_LEVEL: frozenset[str] = frozenset({
    *DATASETS,
    *(f"{name}_quarantine" for name in DATASETS),
    "quality_problems",  # one row per problem, with file and row
    "ledger_contributions",  # one row per episode of the cohort and actor, with file and row
})
AGGREGATE: frozenset[str] = frozenset({
    *(f"{name}_verdict" for name in DATASETS),
    *(f"{name}_inbox_files" for name in DATASETS),  # file names (masked), sizes and hashes
    "inbox_fingerprint", "inbox_data_date", "published_outputs",
    "data_gate", "quality_summary", "participant_flow", "success_levels", "prerequisite_profiles",
    "ledger", "ledger_transfers", "ledger_uncertainty", "ledger_sensitivity", "ledger_kommun", "ledger_lifetime",
    "ledger_lifetime_plan",
    "plan_forecasts", "samverkansbokslut_reports",
})
# Extracts in a run's output folder that hold rows as read (the reports and the aggregate extracts stay).
PARTICIPANT_EXTRACTS: tuple[str, ...] = ("quality.csv", "quality.xlsx")
# Years after the report year during which participant-level data is kept (the year of adoption and audit).
RETENTION_YEARS = 1


def retention_ends(year: int, years_after: int = RETENTION_YEARS) -> dt.date:
    """The last day participant-level data of ``year`` is kept by default: 31 December of the year after."""
    return dt.date(year + years_after, 12, 31)


def classification(asset: str) -> str:
    """``deltagarnivå`` or ``aggregat``; an asset in neither set is a programming error."""
    if asset in PARTICIPANT_LEVEL:
        return "deltagarnivå"
    if asset in AGGREGATE:
        return "aggregat"
    raise KeyError(f"tillgången {asset!r} är inte klassad i samverkan/retention.py")


@dataclass(frozen=True)
class PurgeCounts:
    """What one purge removed, per kind."""

    year: int
    asset_files: int
    pickles: int
    extracts: int
    validation_results: int
    events: int
    runs: int

    def lines(self, today: dt.date) -> list[str]:
        """One Swedish line per kind, with its count, and when the default retention ends."""
        ends = retention_ends(self.year)
        due = (f"lagringstiden för {self.year} gick ut {ends.isoformat()}" if today > ends else
               f"lagringstiden för {self.year} löper till {ends.isoformat()}; gallrat i förtid på begäran")
        return [
            f"lagrade tillgångar på deltagarnivå: {self.asset_files} filer borttagna",
            f"mellanresultat (pickle) från årets körningar ({self.runs}): {self.pickles} filer borttagna",
            f"utdrag på radnivå i utdatamapparna: {self.extracts} filer borttagna",
            f"Great Expectations-resultat med radvärden: {self.validation_results} borttagna",
            f"händelser i instansen med radförhandsvisningar: {self.events} rensade (materialiseringarna finns kvar)",
            f"aggregat och rapporter behålls; {due}",
        ]
