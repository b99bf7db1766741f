"""From the computed tables to what the annual report shows, for one förbund and year.

Every number the report prints is computed (or picked) here; the templates only
format. The result is plain Python data (dicts, lists, ints, floats, dates,
``None``), so it is easy to test and to dump as JSON next to the PDF.

Sections whose inputs have not been computed (``None`` or an empty frame) are
marked ``available: False`` and the report says so instead of failing.

Privacy: counts of people from 1 to 4, and shares computed from them, are
replaced by ``None`` with ``suppressed: True`` (shown as "–" with a footnote).
Nothing below the level of a project is ever put in the context.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from samverkan.ledger.results import member_transfers
from samverkan.privacy import SMALL_COUNT_LIMIT, suppress_small
from samverkan.success.levels import LEVEL_LABELS, LEVEL_ORDER

REPORT_FORMAT_VERSION = "1.0"
ALL_PROJECTS = "ALL"
ACTORS = ("Arbetsförmedlingen", "Försäkringskassan", "Kommun", "Region", "Rättsväsende", "Övriga",
          "Produktionsvärde", "Summa")
MEMBERS = ACTORS[:4]
FLOW_YEARS_SHOWN = 5

# One wording for the levels everywhere: the success stage's own labels.
LEVEL_NAMES = dict(LEVEL_LABELS)

RULE_NAMES = {
    "required": "obligatoriskt värde saknas",
    "type": "fel datatyp",
    "allowed_codes": "okänd kod",
    "support_code": "ogiltig försörjningskod",
    "date_format": "ogiltigt datum",
    "range": "värde utanför tillåtet intervall",
    "row_shape": "fel antal fält på raden",
    "personnummer": "personnummer i data (avvisat)",
    "unknown_project": "okänt projekt-id",
    "duplicate_key": "dubblett av nyckel",
    "date_order": "datum i fel ordning",
    "needs_value": "värde krävs av annan kolumn",
    "future_date": "datum i framtiden",
    "formula": "text som ser ut som kalkylbladsformel",
    "too_long": "för lång text",
}

DATASET_NAMES = {
    "projects": "Projekt",
    "project_costs": "Projektkostnader",
    "participants": "Deltagare",
    "project_events": "Projekthändelser",
    "project_assessments": "Projektbedömningar",
}

ORIENTATION_NAMES = {"individinriktad": "Individinriktad", "strukturovergripande": "Strukturövergripande"}


def slugify(name: str) -> str:
    """ASCII file-name slug: lowercase, å/ä→a, ö→o (any accent dropped), spaces→'-'."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "forbund"


@dataclass
class ReportInputs:
    """The tables a report is made from. Anything not yet computed may be ``None``."""

    year: int
    flow: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    ledger_by_year: pd.DataFrame | None = None
    ledger_uncertainty: pd.DataFrame | None = None
    transfers: pd.DataFrame | None = None
    success_levels: pd.DataFrame | None = None
    prerequisite_profiles: pd.DataFrame | None = None
    quality_summary: pd.DataFrame | None = None
    quality_problems: pd.DataFrame | None = None
    parameters: pd.DataFrame | None = None  # name, value, unit, basis, version
    unit_costs: pd.DataFrame | None = None  # code, actor/amount columns, source, price_year, confidence
    input_files: pd.DataFrame | None = None  # dataset, file, sha256, rows
    rules_version: str | None = None
    data_date: dt.date | None = None
    software_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _has(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def _for_forbund(frame: pd.DataFrame | None, forbund: str) -> pd.DataFrame:
    if not _has(frame):
        return pd.DataFrame()
    if "forbund" not in frame.columns:
        return frame
    return frame[frame["forbund"] == forbund]


def _plain(value: Any) -> Any:
    """pandas/numpy scalars → Python scalars; missing → None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _count(value: Any) -> dict[str, Any]:
    """A count of people, suppressed when 1..4."""
    raw = _plain(value)
    if raw is None:
        return {"value": None, "suppressed": False}
    shown = suppress_small(int(raw))
    return {"value": None if shown is None else int(shown), "suppressed": shown is None}


def _share(share: Any, *parts: dict[str, Any]) -> dict[str, Any]:
    hidden = any(p["suppressed"] for p in parts)
    value = _plain(share)
    return {"value": None if hidden or value is None else float(value), "suppressed": hidden}


# ---------------------------------------------------------------- participant flow

def flow_section(flow: pd.DataFrame | None, forbund: str, year: int, years_shown: int = FLOW_YEARS_SHOWN
                 ) -> dict[str, Any]:
    rows_in = _for_forbund(flow, forbund)
    if rows_in.empty:
        return {"available": False, "rows": [], "any_suppressed": False}
    rows_in = rows_in[(rows_in["year"] <= year) & (rows_in["year"] > year - years_shown)].sort_values("year")
    rows = []
    for rec in rows_in.to_dict("records"):
        participants = _count(rec["participants"])
        enrolled = _count(rec.get("enrolled"))
        exited = _count(rec["exited"])
        to_work = _count(rec["to_work_or_studies"])
        rows.append({
            "year": int(rec["year"]),
            "participants": participants,
            "enrolled": enrolled,
            "exited": exited,
            "to_work_or_studies": to_work,
            "share_work_or_studies": _share(rec["share_work_or_studies"], exited, to_work),
        })
    suppressed = any(cell["suppressed"] for row in rows for cell in row.values() if isinstance(cell, dict))
    current = next((r for r in rows if r["year"] == year), None)
    return {"available": bool(rows), "rows": rows, "any_suppressed": suppressed, "current": current,
            "first_year": rows[0]["year"] if rows else None, "last_year": rows[-1]["year"] if rows else None}


# ---------------------------------------------------------------- ledger

def _whole(value: Any) -> int | None:
    value = _plain(value)
    return None if value is None else int(round(float(value)))


def _year_columns(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if re.fullmatch(r"year_\d+", str(c))]
    return sorted(cols, key=lambda c: int(c.split("_")[1]))


def _actor_order(actor: str) -> int:
    return ACTORS.index(actor) if actor in ACTORS else len(ACTORS)


def _by_project(frame: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    """The frame's rows as records, grouped by project id (as text): one ``to_dict`` per frame instead of a
    filter and a ``to_dict`` per project (that was ~0.1 s of a national report's ~2 s step)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    if _has(frame):
        for rec in frame.to_dict("records"):
            groups.setdefault(str(rec["project_id"]), []).append(rec)
    return groups


def _transfer_rows(transfers: pd.DataFrame) -> Callable[[str], list[dict[str, Any]]]:
    """One project's transfer rows by id; a transfers table without project ids applies to every project."""
    if _has(transfers) and "project_id" not in transfers.columns:
        rows = transfers.to_dict("records")
        return lambda project_id: rows
    groups = _by_project(transfers)
    return lambda project_id: groups.get(project_id, [])


@dataclass(frozen=True)
class LedgerRecords:
    """A förbund's ledger tables as records by project id (``ALL`` for the förbund as a whole), built once
    per report and read by both the ledger chapter and the project pages."""

    ledger: dict[str, list[dict[str, Any]]]
    by_year: dict[str, list[dict[str, Any]]]
    year_columns: list[str]
    transfer_rows: Callable[[str], list[dict[str, Any]]]
    uncertainty: dict[str, list[dict[str, Any]]]

    def table(self, project_id: str) -> dict[str, Any]:
        """Ledger rows per actor for one project (or ``ALL``), with the cumulative present value by year."""
        return _ledger_rows(self.ledger.get(project_id, []), self.by_year.get(project_id, []), self.year_columns)

    def transfers(self, project_id: str) -> list[dict[str, Any]]:
        return _transfers(self.transfer_rows(project_id))

    def break_even(self, project_id: str) -> list[dict[str, Any]]:
        return _break_even(self.uncertainty.get(project_id, []))


def ledger_records(inputs: ReportInputs, forbund: str) -> LedgerRecords:
    by_year = _for_forbund(inputs.ledger_by_year, forbund)
    return LedgerRecords(
        ledger=_by_project(_for_forbund(inputs.ledger, forbund)),
        by_year=_by_project(by_year),
        year_columns=_year_columns(by_year) if _has(by_year) else [],
        transfer_rows=_transfer_rows(_for_forbund(inputs.transfers, forbund)),
        uncertainty=_by_project(_for_forbund(inputs.ledger_uncertainty, forbund)),
    )


def _ledger_rows(part: list[dict[str, Any]], yearly: list[dict[str, Any]], year_cols: list[str]) -> dict[str, Any]:
    if not part and not yearly:
        return {"available": False, "rows": [], "years": []}
    year_cols = year_cols if yearly else []
    yearly_by_actor = {r["actor"]: r for r in yearly}
    actors = sorted({r["actor"] for r in part} | set(yearly_by_actor), key=_actor_order)
    by_actor = {r["actor"]: r for r in part}
    rows = []
    for actor in actors:
        rec = by_actor.get(actor, {})
        cumulative = [_plain(yearly_by_actor.get(actor, {}).get(c)) for c in year_cols]
        net = _plain(rec.get("net_sek"))
        rows.append({
            "actor": actor,
            "is_member": actor in MEMBERS,
            "is_total": actor == "Summa",
            "investment_sek": _plain(rec.get("investment_sek")),
            "effect_pv_sek": _plain(rec.get("effect_pv_sek")),
            "net_sek": net,
            "return_ratio": _plain(rec.get("return_ratio")),
            "payback_year": _whole(rec.get("payback_year")),
            "outcome": None if net is None else ("vinnare" if net > 0 else "förlorare" if net < 0 else "jämnt"),
            "cumulative": cumulative,
        })
    return {"available": True, "rows": rows, "years": [int(c.split("_")[1]) for c in year_cols]}


def _transfers(transfers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{c: _plain(v) for c, v in rec.items() if c not in ("forbund", "project_id")} for rec in transfers]


def _break_even(uncertainty: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [{c: _plain(rec.get(c)) for c in ("actor", "p_break_even", "npv_p05", "npv_p50", "npv_p95")}
            for rec in uncertainty if rec["actor"] in MEMBERS]
    return sorted(rows, key=lambda r: _actor_order(r["actor"]))


def ledger_section(inputs: ReportInputs, forbund: str, records: LedgerRecords | None = None) -> dict[str, Any]:
    records = records or ledger_records(inputs, forbund)
    table = records.table(ALL_PROJECTS)
    members = [r for r in table["rows"] if r["is_member"]]
    return {
        **table,
        "members": members,
        "winners": [r["actor"] for r in members if r["outcome"] == "vinnare"],
        "losers": [r["actor"] for r in members if r["outcome"] == "förlorare"],
        "total": next((r for r in table["rows"] if r["is_total"]), None),
        "transfers": records.transfers(ALL_PROJECTS),
        "transfers_available": _has(inputs.transfers),
        "break_even": records.break_even(ALL_PROJECTS),
    }


# ---------------------------------------------------------------- projects and success levels

def _reasons(text: Any) -> list[str]:
    value = _plain(text)
    if not value:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _period(start: Any, end: Any) -> dict[str, Any]:
    def as_date(v: Any) -> dt.date | None:
        v = _plain(v)
        if v is None:
            return None
        return pd.Timestamp(v).date()

    return {"start": as_date(start), "end": as_date(end)}


def project_sections(inputs: ReportInputs, forbund: str, records: LedgerRecords | None = None
                     ) -> list[dict[str, Any]]:
    records = records or ledger_records(inputs, forbund)
    projects = _for_forbund(inputs.projects, forbund)
    levels = _for_forbund(inputs.success_levels, forbund)
    if _has(levels) and "year" in levels.columns:
        levels = levels[levels["year"] == inputs.year]
    profiles = _for_forbund(inputs.prerequisite_profiles, forbund)
    if _has(profiles) and "year" in profiles.columns:
        profiles = profiles[profiles["year"] == inputs.year]
    ledger = _for_forbund(inputs.ledger, forbund)

    ids: list[str] = []
    for frame in (projects, levels, ledger):
        if _has(frame) and "project_id" in frame.columns:
            ids.extend(str(p) for p in frame["project_id"].dropna().unique() if str(p) != ALL_PROJECTS)
    ids = sorted(set(ids))
    if _has(projects):
        # Only projects that were running some time in the report year (or later rows refer to them).
        start = pd.to_datetime(projects["start_date"])
        end = pd.to_datetime(projects["end_date"])
        running = (start.dt.year <= inputs.year) & (end.isna() | (end.dt.year >= inputs.year))
        active = set(projects.loc[running, "project_id"].astype(str))
        referenced = set()
        for frame in (levels, ledger):
            if _has(frame):
                referenced |= set(frame["project_id"].astype(str))
        ids = [p for p in ids if p in active or p in referenced]
    info = {str(r["project_id"]): r for r in projects.to_dict("records")} if _has(projects) else {}
    level_by_id = {str(r["project_id"]): r for r in levels.to_dict("records")} if _has(levels) else {}
    profiles_by_project = _by_project(profiles)

    sections = []
    for project_id in ids:
        table = records.table(project_id)
        total = next((r for r in table["rows"] if r["is_total"]), None)
        rec = info.get(project_id, {})
        level = level_by_id.get(project_id)
        level_code = None if level is None else str(_plain(level.get("level")))
        profile = profiles_by_project.get(project_id, [])
        if profile and "criterion" in profile[0]:
            profile = sorted(profile, key=lambda r: _criterion_number(r["criterion"]))
        profile_rows = [{c: _plain(r.get(c)) for c in ("criterion", "name", "score", "comment")} for r in profile]
        sections.append({
            "project_id": project_id,
            "name": _plain(rec.get("name")) or project_id,
            "period": _period(rec.get("start_date"), rec.get("end_date")),
            "orientation": ORIENTATION_NAMES.get(_plain(rec.get("orientation")) or "", _plain(rec.get("orientation"))),
            "target_group": _plain(rec.get("target_group")),
            "planned_participants": _plain(rec.get("planned_participants")),
            "level": level_code,
            "level_name": None if level_code is None else LEVEL_NAMES.get(level_code, _plain(level.get("label"))),
            "level_label": None if level is None else _plain(level.get("label")),
            "reasons": [] if level is None else _reasons(level.get("reasons")),
            "ledger": table,
            "net_sek": None if total is None else total["net_sek"],
            "return_ratio": None if total is None else total["return_ratio"],
            "transfers": records.transfers(project_id),
            "break_even": records.break_even(project_id),
            "prerequisites": profile_rows,
        })
    return sections


def _criterion_number(value: Any) -> int:
    """The first number in a criterion's label ("K3" -> 3), so that 10 follows 9; labels without one last."""
    found = re.search(r"\d+", str(value))
    return int(found[0]) if found else 10**6


def level_counts(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = {code: 0 for code in LEVEL_ORDER}
    for p in projects:
        if p["level"] in counts:
            counts[p["level"]] += 1
    return [{"level": code, "name": LEVEL_NAMES[code], "projects": counts[code]} for code in LEVEL_ORDER]


# ---------------------------------------------------------------- data quality

def quality_section(summary: pd.DataFrame | None, problems: pd.DataFrame | None, top: int = 10) -> dict[str, Any]:
    if not _has(summary) and not _has(problems):
        return {"available": False, "datasets": [], "top_reasons": []}
    datasets = []
    if _has(summary):
        for rec in summary.to_dict("records"):
            name = str(rec["dataset"])
            rows_in = int(_plain(rec.get("rows_in")) or 0)
            quarantined = int(_plain(rec.get("quarantined")) or 0)
            datasets.append({
                "dataset": name,
                "name": DATASET_NAMES.get(name, name),
                "rows_in": rows_in,
                "accepted": int(_plain(rec.get("accepted")) or 0),
                "quarantined": quarantined,
                "share_quarantined": (quarantined / rows_in) if rows_in else None,
            })
        datasets.sort(key=lambda d: list(DATASET_NAMES).index(d["dataset"]) if d["dataset"] in DATASET_NAMES else 99)
    reasons = []
    if _has(problems):
        # Counted by rule and column only: the messages quote cell values and stay in the quarantine file.
        grouped = (problems.assign(column=problems["column"].fillna("").astype(str))
                   .groupby(["dataset", "column", "rule"], as_index=False).size()
                   .sort_values(["size", "dataset", "column", "rule"], ascending=[False, True, True, True]))
        for rec in grouped.head(top).to_dict("records"):
            reasons.append({
                "dataset": DATASET_NAMES.get(rec["dataset"], rec["dataset"]),
                "column": rec["column"] or "–",
                "rule": rec["rule"],
                "rule_name": RULE_NAMES.get(rec["rule"], rec["rule"]),
                "problems": int(rec["size"]),
            })
    totals = {
        "rows_in": sum(d["rows_in"] for d in datasets),
        "accepted": sum(d["accepted"] for d in datasets),
        "quarantined": sum(d["quarantined"] for d in datasets),
    }
    return {"available": True, "datasets": datasets, "top_reasons": reasons, "totals": totals,
            "problems_total": int(len(problems)) if _has(problems) else 0}


def transfers_from_ledger(ledger: pd.DataFrame | None) -> pd.DataFrame | None:
    """The break-even transfers among members, by the ledger stage's own rule, from its stored table."""
    if ledger is None:
        return None
    members = ledger[ledger["actor"].astype(str).isin(MEMBERS)]
    # One row per förbund/project (sorted), one column per member; an absent member counts 0.
    nets = (members.assign(actor=members["actor"].astype(str), net_sek=members["net_sek"].astype("int64"))
            .groupby(["forbund", "project_id", "actor"], sort=True, observed=True)["net_sek"].last()
            .unstack("actor", fill_value=0)
            .reindex(columns=list(MEMBERS), fill_value=0))
    return member_transfers(nets.index.get_level_values("forbund").to_numpy(dtype=object),
                            nets.index.get_level_values("project_id").to_numpy(dtype=object),
                            nets.to_numpy(dtype="int64"))


# ---------------------------------------------------------------- method appendix

def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if not _has(frame):
        return []
    return [{str(c): _plain(v) for c, v in rec.items()} for rec in frame.to_dict("records")]


CONFIDENCE_NAMES = {"high": "hög", "medium": "medel", "low": "låg"}
# Catalogue amount columns (see samverkan/ledger/catalogue.py) in the actors' order.
ACTOR_AMOUNT_COLUMNS = {"af_sek": "Arbetsförmedlingen", "fk_sek": "Försäkringskassan", "kommun_sek": "Kommun",
                        "region_sek": "Region", "rattsvasende_sek": "Rättsväsende", "ovriga_sek": "Övriga",
                        "produktionsvarde_sek": "Produktionsvärde"}
OCCUPATION_NAMES = {"arbete": "arbete", "subventionerat_arbete": "subventionerat arbete", "studier": "studier",
                    "arbetssokande": "arbetssökande", "ovrigt": "övrigt"}


def unit_cost_rows(catalogue: pd.DataFrame | None) -> tuple[list[str], list[dict[str, Any]]]:
    """The unit-cost catalogue as (actor columns, rows with amounts in actor order, source, price year, confidence)."""
    if not _has(catalogue):
        return [], []
    columns = [c for c in ACTOR_AMOUNT_COLUMNS if c in catalogue.columns]
    rows = []
    for rec in catalogue.to_dict("records"):
        code = _plain(rec.get("support_code", rec.get("code"))) or ""
        occupation = _plain(rec.get("occupation")) or ""
        confidence = _plain(rec.get("confidence"))
        rows.append({
            "code": code,
            "occupation": OCCUPATION_NAMES.get(occupation, occupation),
            "amounts": [None if _plain(rec.get(c)) in (None, "") else float(rec[c]) for c in columns],
            "price_year": _whole(rec.get("price_year")) if _plain(rec.get("price_year")) not in (None, "") else None,
            "confidence": CONFIDENCE_NAMES.get(str(confidence), confidence),
            "source": _plain(rec.get("source")),
        })
    return [ACTOR_AMOUNT_COLUMNS[c] for c in columns], rows


def method_section(inputs: ReportInputs) -> dict[str, Any]:
    unit_cost_actors, unit_costs = unit_cost_rows(inputs.unit_costs)
    return {
        "parameters": _records(inputs.parameters),
        "unit_cost_actors": unit_cost_actors,
        "unit_costs": unit_costs,
        "rules_version": inputs.rules_version,
        "input_files": _records(inputs.input_files),
        "software_version": inputs.software_version,
        "small_count_limit": SMALL_COUNT_LIMIT,
        "extra": [{"name": k, "value": v} for k, v in sorted(inputs.extra.items())],
    }


# ---------------------------------------------------------------- identity and dates

def input_fingerprint(inputs: ReportInputs) -> str:
    """SHA-256 over everything the numbers depend on: input file hashes, parameters, catalogue, rules version."""
    digest = hashlib.sha256()
    parts = {
        "files": _records(inputs.input_files),
        "parameters": _records(inputs.parameters),
        "unit_costs": _records(inputs.unit_costs),
        "rules_version": inputs.rules_version,
        "software": inputs.software_version,
        "format": REPORT_FORMAT_VERSION,
    }
    digest.update(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True).encode())
    return digest.hexdigest()


def latest_data_date(frames: Iterable[pd.DataFrame | None], columns: Iterable[str]) -> dt.date | None:
    """The latest date found in the given columns: the report's 'data as of' date, taken from the data itself."""
    columns = list(columns)
    latest: pd.Timestamp | None = None
    for frame in frames:
        if not _has(frame):
            continue
        for column in columns:
            if column in frame.columns:
                value = pd.to_datetime(frame[column], errors="coerce").max()
                if pd.notna(value) and (latest is None or value > latest):
                    latest = value
    return None if latest is None else latest.date()


def forbund_in_year(inputs: ReportInputs) -> list[str]:
    """Every förbund with anything to report for the year."""
    names: set[str] = set()
    if _has(inputs.flow):
        names |= set(inputs.flow.loc[inputs.flow["year"] == inputs.year, "forbund"].dropna())
    for frame in (inputs.projects, inputs.ledger, inputs.success_levels):
        if _has(frame) and "forbund" in frame.columns:
            names |= set(frame["forbund"].dropna())
    return sorted(str(n) for n in names)


def largest_first(inputs: ReportInputs, names: list[str]) -> list[str]:
    """``names`` with the förbund that have the most projects (a page each) first, ties in the given order.

    The executor starts ready steps in the order they were yielded; starting the longest renders first and
    ending with the short ones keeps every core busy until the last report (longest-processing-time-first).
    """
    counts: dict[str, int] = {}
    if _has(inputs.projects) and "forbund" in inputs.projects.columns:
        counts = inputs.projects["forbund"].value_counts().to_dict()
    return sorted(names, key=lambda name: -counts.get(name, 0))  # stable: ties keep their order


# ---------------------------------------------------------------- the whole context

def key_figures(flow: dict[str, Any], ledger: dict[str, Any], projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    current = flow.get("current") if flow["available"] else None
    if current:
        figures += [
            {"label": "Deltagare under året", "kind": "count", **current["participants"]},
            {"label": "Avslutade deltagare", "kind": "count", **current["exited"]},
            {"label": "Till arbete eller studier", "kind": "count", **current["to_work_or_studies"]},
            {"label": "Andel till arbete eller studier", "kind": "percent", **current["share_work_or_studies"]},
        ]
    total = ledger.get("total")
    if total:
        figures += [
            {"label": "Investering, alla aktörer", "kind": "kr", "value": total["investment_sek"], "suppressed": False},
            {"label": "Effekt i nuvärde, alla aktörer", "kind": "kr", "value": total["effect_pv_sek"],
             "suppressed": False},
            {"label": "Nettoeffekt", "kind": "kr", "value": total["net_sek"], "suppressed": False},
            {"label": "Avkastning per investerad krona", "kind": "ratio", "value": total["return_ratio"],
             "suppressed": False},
        ]
    figures.append({"label": "Insatser i rapporten", "kind": "number", "value": len(projects), "suppressed": False})
    with_level = [p for p in projects if p["level"] in ("1", "2", "3")]
    if any(p["level"] is not None for p in projects):
        figures.append({"label": "Insatser på framgångsnivå 1–3", "kind": "number", "value": len(with_level),
                        "suppressed": False})
    return figures


def build_report_context(inputs: ReportInputs, forbund: str, generated_on: dt.date | None = None
                         ) -> dict[str, Any]:
    """The whole template context for one förbund and the report year."""
    flow = flow_section(inputs.flow, forbund, inputs.year)
    records = ledger_records(inputs, forbund)
    ledger = ledger_section(inputs, forbund, records)
    projects = project_sections(inputs, forbund, records)
    fingerprint = input_fingerprint(inputs)
    data_date = inputs.data_date or dt.date(inputs.year, 12, 31)
    slug = slugify(forbund)
    title = f"Samverkansbokslut {inputs.year} – {forbund}"
    return {
        "forbund": forbund,
        "slug": slug,
        "year": inputs.year,
        "title": title,
        "file_stem": f"samverkansbokslut-{slug}-{inputs.year}",
        "data_date": data_date,
        # Derived from the data, never the clock: the same inputs give the same file.
        "document_date": generated_on or data_date,
        "report_version": f"{REPORT_FORMAT_VERSION} ({inputs.software_version or 'okänd programversion'})",
        # One id per report: the inputs' fingerprint with the förbund and the year.
        "report_id": hashlib.sha256(f"{fingerprint}|{forbund}|{inputs.year}".encode()).hexdigest()[:16],
        "fingerprint": fingerprint,
        "key_figures": key_figures(flow, ledger, projects),
        "flow": flow,
        "ledger": ledger,
        "projects": projects,
        "levels": level_counts(projects),
        "levels_available": any(p["level"] is not None for p in projects),
        "quality": quality_section(inputs.quality_summary, inputs.quality_problems),
        "method": method_section(inputs),
        "actors": list(ACTORS),
        "members": list(MEMBERS),
        "small_count_limit": SMALL_COUNT_LIMIT,
    }


def input_files_table(inbox: Path, datasets: Iterable[str]) -> pd.DataFrame:
    """SHA-256 of every inbox file that was read, for the method appendix."""
    from samverkan.ingest import sha256_of
    from samverkan.readers import dataset_files

    rows = []
    for name in datasets:
        for path in dataset_files(Path(inbox), name):
            rows.append({"dataset": name, "file": path.name, "sha256": sha256_of(path),
                         "bytes": path.stat().st_size})
    return pd.DataFrame(rows, columns=["dataset", "file", "sha256", "bytes"])


def as_mapping(context: Mapping[str, Any]) -> str:
    """The context as stable JSON (for the CSV/JSON extract next to the PDF and for tests)."""
    return json.dumps(context, sort_keys=True, default=str, ensure_ascii=False, indent=1)
