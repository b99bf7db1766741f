"""Participant flow per förbund and year: who took part, who left, who left for work or studies."""

from __future__ import annotations

import pandas as pd

from samverkan.contract import EXIT_REASON_MISREGISTERED, WORK_OR_STUDIES

FLOW_COLUMNS = ["forbund", "year", "participants", "enrolled", "exited", "to_work_or_studies",
                "share_work_or_studies", "long_support_before", "share_long_support_before",
                "median_days_in_effort"]
# "More than three years on public support before enrolment", in months_on_support_before.
LONG_SUPPORT_MONTHS = 36


def with_forbund(participants: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Participants joined to their project's förbund (episodes of unknown projects get none)."""
    lookup = projects.drop_duplicates("project_id").set_index("project_id")["forbund"]
    out = participants.copy()
    out["forbund"] = out["project_id"].map(lookup)
    return out


def participant_flow(participants: pd.DataFrame, projects: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """One row per förbund and year in ``years``.

    A ``felregistrering`` episode is not a participant: it counts nowhere.

    - participants: episodes active at some time in the year (enrolled on or before
      31 December and not exited before 1 January);
    - enrolled: enrolled in the year; exited: exited in the year;
    - to_work_or_studies: exited in the year with ``occupation_after`` work
      (subsidised or not) or studies;
    - share_work_or_studies: to_work_or_studies / exited, rounded to two decimals
      (missing when nobody exited);
    - long_support_before: participants with more than 36 months on public support
      before enrolment (``months_on_support_before``); share_long_support_before:
      that over the participants whose months are known, two decimals;
    - median_days_in_effort: median days from enrolment to exit of the year's exits
      (missing when nobody exited).
    """
    frame = with_forbund(participants, projects)
    frame = frame[frame["forbund"].notna() & (frame["exit_reason"].fillna("") != EXIT_REASON_MISREGISTERED)]
    all_forbund = sorted(projects["forbund"].dropna().unique())
    enrolled = frame["enrolled_on"]
    exited = frame["exited_on"]
    counted_exit = exited.notna()
    months = (pd.to_numeric(frame["months_on_support_before"], errors="coerce") if "months_on_support_before" in frame
              else pd.Series(float("nan"), index=frame.index))
    days = (exited - enrolled).dt.days
    to_work = frame["occupation_after"].isin(WORK_OR_STUDIES).fillna(False).astype(bool)
    rows = []
    for year in years:
        start = pd.Timestamp(year, 1, 1)
        end = pd.Timestamp(year, 12, 31)
        active = (enrolled <= end) & (exited.isna() | (exited >= start))
        enrolled_in_year = enrolled.dt.year == year
        exited_in_year = counted_exit & (exited.dt.year == year)
        flags = pd.DataFrame(
            {
                "forbund": frame["forbund"],
                "participants": active.fillna(False).astype(int),
                "enrolled": enrolled_in_year.fillna(False).astype(int),
                "exited": exited_in_year.fillna(False).astype(int),
                "to_work_or_studies": (exited_in_year & to_work).fillna(False).astype(int),
                "long_support_before": (active & (months > LONG_SUPPORT_MONTHS)).fillna(False).astype(int),
                "known_months": (active & months.notna()).fillna(False).astype(int),
            }
        )
        counts = flags.groupby("forbund").sum().reindex(all_forbund, fill_value=0)
        exits_days = pd.DataFrame({"forbund": frame["forbund"], "days": days.where(exited_in_year.fillna(False))})
        counts["median_days_in_effort"] = exits_days.groupby("forbund")["days"].median().reindex(all_forbund)
        counts.insert(0, "year", year)
        rows.append(counts.reset_index(names="forbund"))
    if not rows:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    flow = pd.concat(rows, ignore_index=True)
    share = (flow["to_work_or_studies"] / flow["exited"].where(flow["exited"] > 0)).round(2)
    flow["share_work_or_studies"] = share.astype("Float64")
    long_share = (flow["long_support_before"] / flow["known_months"].where(flow["known_months"] > 0)).round(2)
    flow["share_long_support_before"] = long_share.astype("Float64")
    flow["median_days_in_effort"] = flow["median_days_in_effort"].astype("Float64")
    for column in ("year", "participants", "enrolled", "exited", "to_work_or_studies", "long_support_before"):
        flow[column] = flow[column].astype("int64")
    return flow[FLOW_COLUMNS].sort_values(["forbund", "year"], ignore_index=True)
