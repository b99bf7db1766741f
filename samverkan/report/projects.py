"""A page per project running in the report year: its facts, success level and reasons, its ledger, the
chance of breaking even and the profile of the twelve prerequisites; and the projects per level."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.ledger.results import ALL_PROJECTS
from samverkan.privacy import SMALL_COUNT_LIMIT
from samverkan.report.frames import by_project, for_forbund, has, plain
from samverkan.report.inputs import ReportInputs
from samverkan.report.labels import LEVEL_NAMES, ORIENTATION_NAMES
from samverkan.report.ledger import BreakEven, LedgerRecords, LedgerTable
from samverkan.report.lifetime import LifetimeView, lifetime_view
from samverkan.success.levels import LEVEL_ORDER


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None  # None: still running


@dataclass(frozen=True)
class Prerequisite:
    criterion: str | None
    name: str | None
    score: int | None  # 0–3
    comment: str | None


@dataclass(frozen=True)
class ProjectSection:
    project_id: str
    name: str
    period: Period
    orientation: str | None
    target_group: str | None
    planned_participants: int | None
    level: str | None  # the level's code: 0, skenbar, 1, 2 or 3
    level_name: str | None
    level_label: str | None
    reasons: list[str]
    ledger: LedgerTable
    net_sek: float | None  # all actors
    return_ratio: float | None  # all actors
    transfers: list[dict[str, Any]]  # as LedgerSection.transfers
    break_even: list[BreakEven]
    prerequisites: list[Prerequisite] = field(default_factory=list)  # in criterion order
    # 1–4 leavers in the year: the effects per actor would show what happened to each of them (a support code's
    # unit cost read back), so the project's ledger is not shown; it is in the förbund's total.
    ledger_withheld: bool = False
    established: bool = True  # the participant effect is established by the success rules
    lifetime: LifetimeView = field(default_factory=lambda: LifetimeView(available=False))  # the whole life


@dataclass(frozen=True)
class LevelCount:
    level: str
    name: str
    projects: int


def _reasons(text: Any) -> list[str]:
    value = plain(text)
    if not value:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _date(value: Any) -> dt.date | None:
    value = plain(value)
    return None if value is None else pd.Timestamp(value).date()


def _criterion_number(value: Any) -> int:
    """The first number in a criterion's label ("K3" -> 3), so that 10 follows 9; labels without one last."""
    found = re.search(r"\d+", str(value))
    return int(found[0]) if found else 10**6


def _of_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    if has(frame) and "year" in frame.columns:
        return frame[frame["year"] == year]
    return frame


def _project_ids(projects: pd.DataFrame, levels: pd.DataFrame, ledger: pd.DataFrame, year: int) -> list[str]:
    """Projects that were running some time in the report year, or that the year's levels or ledger refer to."""
    ids: set[str] = set()
    for frame in (projects, levels, ledger):
        if has(frame) and "project_id" in frame.columns:
            ids |= {str(p) for p in frame["project_id"].dropna().unique() if str(p) != ALL_PROJECTS}
    if not has(projects):
        return sorted(ids)
    start = pd.to_datetime(projects["start_date"])
    end = pd.to_datetime(projects["end_date"])
    running = (start.dt.year <= year) & (end.isna() | (end.dt.year >= year))
    active = set(projects.loc[running, "project_id"].astype(str))
    referenced: set[str] = set()
    for frame in (levels, ledger):
        if has(frame):
            referenced |= set(frame["project_id"].astype(str))
    return [p for p in sorted(ids) if p in active or p in referenced]


def _prerequisites(profile: list[dict[str, Any]]) -> list[Prerequisite]:
    if profile and "criterion" in profile[0]:
        profile = sorted(profile, key=lambda r: _criterion_number(r["criterion"]))
    return [Prerequisite(**{c: plain(r.get(c)) for c in ("criterion", "name", "score", "comment")}) for r in profile]


def project_sections(inputs: ReportInputs, forbund: str, records: LedgerRecords) -> list[ProjectSection]:
    projects = for_forbund(inputs.projects, forbund)
    levels = _of_year(for_forbund(inputs.success_levels, forbund), inputs.year)
    profiles = by_project(_of_year(for_forbund(inputs.prerequisite_profiles, forbund), inputs.year))
    ids = _project_ids(projects, levels, for_forbund(inputs.ledger, forbund), inputs.year)
    info = {str(r["project_id"]): r for r in projects.to_dict("records")} if has(projects) else {}
    level_by_id = {str(r["project_id"]): r for r in levels.to_dict("records")} if has(levels) else {}

    leavers = {str(r["project_id"]): int(r["leavers"])
                for r in for_forbund(inputs.project_leavers, forbund).to_dict("records")} \
        if has(inputs.project_leavers) else {}
    lifetimes = by_project(for_forbund(inputs.ledger_lifetime, forbund))
    plans = by_project(for_forbund(inputs.ledger_lifetime_plan, forbund))
    sections = []
    for project_id in ids:
        withheld = 0 < leavers.get(project_id, 0) < SMALL_COUNT_LIMIT
        table = LedgerTable(available=False) if withheld else records.table(project_id)
        total = next((r for r in table.rows if r.is_total), None)
        rec = info.get(project_id, {})
        level = level_by_id.get(project_id)
        level_code = None if level is None else str(plain(level.get("level")))
        orientation = plain(rec.get("orientation"))
        sections.append(ProjectSection(
            project_id=project_id,
            name=plain(rec.get("name")) or project_id,
            period=Period(_date(rec.get("start_date")), _date(rec.get("end_date"))),
            orientation=ORIENTATION_NAMES.get(orientation or "", orientation),
            target_group=plain(rec.get("target_group")),
            planned_participants=plain(rec.get("planned_participants")),
            level=level_code,
            level_name=None if level_code is None else LEVEL_NAMES.get(level_code, plain(level.get("label"))),
            level_label=None if level is None else plain(level.get("label")),
            reasons=[] if level is None else _reasons(level.get("reasons")),
            ledger=table,
            net_sek=None if total is None else total.net_sek,
            return_ratio=None if total is None else total.return_ratio,
            transfers=[] if withheld else records.transfers(project_id),
            break_even=[] if withheld else records.break_even(project_id),
            prerequisites=_prerequisites(profiles.get(project_id, [])),
            ledger_withheld=withheld,
            established=True if total is None else total.established,
            lifetime=lifetime_view(lifetimes.get(project_id, []), plans.get(project_id, [])),
        ))
    return sections


def level_counts(projects: list[ProjectSection]) -> list[LevelCount]:
    counts = {code: 0 for code in LEVEL_ORDER}
    for p in projects:
        if p.level in counts:
            counts[p.level] += 1
    return [LevelCount(code, LEVEL_NAMES[code], counts[code]) for code in LEVEL_ORDER]
