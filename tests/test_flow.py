import pandas as pd

from samverkan.flow import FLOW_COLUMNS, participant_flow

PROJECTS = pd.DataFrame({"project_id": ["A1", "A2", "B1"], "forbund": ["Förbund A", "Förbund A", "Förbund B"]})


def episode(pid: str, enrolled: str, exited: str | None = None, reason: str | None = None,
            after: str | None = None, months: int | None = None) -> dict:
    return {"project_id": pid, "enrolled_on": pd.Timestamp(enrolled),
            "exited_on": pd.Timestamp(exited) if exited else pd.NaT, "exit_reason": reason, "occupation_after": after,
            "months_on_support_before": months}


PARTICIPANTS = pd.DataFrame([
    episode("A1", "2023-03-01", "2024-01-01", "arbete", "arbete", 37),   # active 2023+2024, exits 2024 to work
    episode("A1", "2024-02-01", "2024-06-30", "studier", "studier", 36),  # in and out in 2024, to studies
    episode("A2", "2024-05-01", "2024-12-31", "arbete", "subventionerat_arbete"),  # subsidised work counts
    episode("A2", "2024-06-01", "2024-07-01", "felregistrering", None, 99),  # not a participant at all
    episode("A2", "2022-01-01", "2023-12-31", "arbete", "arbete"),       # ended before 2024
    episode("A1", "2024-12-31"),                                         # ongoing, enrolled on the last day
    episode("A1", "2025-01-01"),                                         # enrolled after the year
    episode("B1", "2024-03-01", "2024-09-01", "avbrott", "arbetssokande"),
    episode("ZZ", "2024-03-01", "2024-09-01", "arbete", "arbete"),       # unknown project: no förbund
])


def test_flow_by_hand() -> None:
    flow = participant_flow(PARTICIPANTS, PROJECTS, [2023, 2024])
    assert list(flow.columns) == FLOW_COLUMNS
    rows = {(r.forbund, r.year): r for r in flow.itertuples()}
    a24 = rows[("Förbund A", 2024)]
    assert (a24.participants, a24.enrolled, a24.exited, a24.to_work_or_studies) == (4, 3, 3, 3)
    assert a24.share_work_or_studies == 1.0
    # More than 36 months before: only the first (37; 36 is not more); 2 of the 4 have known months.
    assert (a24.long_support_before, a24.share_long_support_before) == (1, 0.5)
    # Days in the effort of the 2024 exits: 306, 150, 244 → median 244.
    assert a24.median_days_in_effort == 244
    a23 = rows[("Förbund A", 2023)]
    assert (a23.participants, a23.enrolled, a23.exited, a23.to_work_or_studies) == (2, 1, 1, 1)
    b24 = rows[("Förbund B", 2024)]
    assert (b24.participants, b24.enrolled, b24.exited, b24.to_work_or_studies) == (1, 1, 1, 0)
    assert b24.share_work_or_studies == 0.0
    b23 = rows[("Förbund B", 2023)]
    assert b23.exited == 0 and pd.isna(b23.share_work_or_studies) and pd.isna(b23.median_days_in_effort)
    assert pd.isna(b24.share_long_support_before)


def test_share_is_rounded_to_two_decimals() -> None:
    people = pd.DataFrame([episode("B1", "2024-01-01", "2024-02-01", "arbete", "arbete")]
                          + [episode("B1", "2024-01-01", "2024-02-01", "avbrott", "ovrigt")] * 2)
    flow = participant_flow(people, PROJECTS, [2024])
    assert flow.loc[flow["forbund"] == "Förbund B", "share_work_or_studies"].item() == 0.33
