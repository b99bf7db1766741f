"""Synthetic inboxes: realistic, deterministic for a seed, at any scale.

The generator draws förbund with Swedish-looking names, projects of both
orientations with costs by financier, participant episodes with plausible
support codes, transitions, durations, exit reasons and follow-ups, and project
events of every kind. Each project has a hidden "quality" that drives how many
of its participants reach work or studies and how long that lasts, so every
success level occurs in a large enough inbox.

With ``with_errors`` a documented share of rows is spoiled in many ways (see
``ERROR_KINDS``); every spoiled row is listed in ``_injected_errors.csv`` beside
the data so tests and stewards can check that each one is caught.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PLACES = (
    "Norrdal", "Älvsby", "Sjöbo", "Björkvik", "Västerås-Mälardalen", "Gränna", "Skärgården", "Fjällbacka",
    "Östra Göinge", "Mittland", "Lövånger", "Höglandet", "Kustlandet", "Dalsland", "Vättern", "Siljan",
    "Torneå", "Bergslagen", "Söderslätt", "Ådalen", "Roslagen", "Finnskogen", "Österlen", "Klarälvdalen",
    "Tjust", "Vadsbo", "Njudung", "Medelpad", "Ljusnan", "Storsjön", "Vindelälven", "Kinda", "Ydre",
    "Mälarstrand", "Bohuskusten", "Sydnärke", "Norra Halland", "Västra Skaraborg", "Övre Norrland", "Gotland",
)
PROJECT_WORDS = (
    "Steg", "Vägen", "Bron", "Nya spår", "Språngbrädan", "Framåt", "Kompassen", "Navet", "Balans", "Resurs",
    "Startpunkt", "Hållbar väg", "Jobbverkstan", "Unga vuxna", "Hälsoslussen", "Motivationslyftet",
)
TARGET_GROUPS = (
    "Unga 16–29 utan sysselsättning", "Personer med långvarigt försörjningsstöd", "Nyanlända",
    "Sjukskrivna utan anställning", "Personer med psykisk ohälsa", "Personer med aktivitetsersättning",
)
MEMBER_ORGS = ("af", "fk", "kommun", "region")

# (support_before, weight) — typical situations at enrolment.
SUPPORT_BEFORE = (
    ("forsorjningsstod", 0.26),
    ("forsorjningsstod|aktivitetsstod:50", 0.06),
    ("aktivitetsstod", 0.14),
    ("etableringsersattning", 0.08),
    ("sjukpenning", 0.10),
    ("sjukpenning:50|lon:50", 0.05),
    ("sjukersattning:50", 0.04),
    ("aktivitetsersattning", 0.08),
    ("a_kassa", 0.05),
    ("forsorjningsstod|sjukpenning:50", 0.05),
    ("ingen", 0.06),
    ("annan", 0.03),
)
ERROR_KINDS = {
    "unknown_code": "a code outside the code list (gender, occupation, exit reason)",
    "exit_before_enrolment": "exited_on earlier than enrolled_on",
    "bad_date": "a date not written YYYY-MM-DD",
    "missing_required": "an empty required cell",
    "personnummer": "a personnummer in participant_id",
    "orphan_project": "a project_id not in projects",
    "birth_year_range": "an implausible birth year",
    "bad_extent": "a support extent outside 25/50/75/100",
    "exit_reason_without_date": "an exit reason but no exit date",
    "duplicate_episode": "the same episode twice",
    "negative_amount": "a negative cost",
    "formula_text": "text that a spreadsheet would run as a formula",
}
ERROR_SHARE = 0.02
INJECTED_ERRORS_FILE = "_injected_errors.csv"


@dataclass(frozen=True)
class SynthSpec:
    forbund: int = 3
    first_year: int = 2018
    last_year: int = 2025
    participants_per_year: int = 600
    seed: int = 2024
    with_errors: bool = False


def fake_personal_number(rng: np.random.Generator, twelve_digits: bool = False, separator: str = "-",
                         coordination: bool = False) -> str:
    """A valid-looking personnummer (correct date and Luhn digit) for tests and error injection."""
    year = int(rng.integers(1950, 2005))
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29)) + (60 if coordination else 0)
    serial = f"{int(rng.integers(0, 1000)):03d}"
    body = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    check = (10 - total % 10) % 10
    date_part = f"{year}" if twelve_digits else f"{year % 100:02d}"
    return f"{date_part}{month:02d}{day:02d}{separator}{serial}{check}"


def _forbund_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        suffix = "" if i < len(PLACES) else f" {['norra', 'södra', 'östra', 'västra'][(i // len(PLACES)) % 4]}"
        names.append(f"Samordningsförbundet {place}{suffix}")
    return names


def _pseudonyms(rng: np.random.Generator, n: int) -> np.ndarray:
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    letters = alphabet[rng.integers(0, len(alphabet), size=(n, 7))]
    ids = np.char.add("P-", np.apply_along_axis(lambda r: "".join(r), 1, letters)) if n else np.array([], str)
    # Make collisions impossible rather than unlikely.
    return np.char.add(ids, np.char.add("-", np.arange(n).astype(str))) if n else ids


def _projects(rng: np.random.Generator, spec: SynthSpec) -> pd.DataFrame:
    rows = []
    for f_index, forbund in enumerate(_forbund_names(spec.forbund)):
        count = int(rng.integers(6, 17))
        for p in range(count):
            start_year = int(rng.integers(spec.first_year - 2, spec.last_year + 1))
            start = dt.date(start_year, int(rng.choice([1, 1, 3, 8, 9])), 1)
            length_years = int(rng.integers(1, 6))
            end = dt.date(start_year + length_years - 1, 12, 31)
            ongoing = end.year > spec.last_year or rng.random() < 0.15 and end.year >= spec.last_year - 1
            structural = rng.random() < 0.2
            word = PROJECT_WORDS[int(rng.integers(0, len(PROJECT_WORDS)))]
            rows.append(
                {
                    "project_id": f"SF{f_index + 1:02d}-P{p + 1:03d}",
                    "forbund": forbund,
                    "name": f"{word} {start_year}" if rng.random() < 0.5 else f"{word} – {forbund.split()[-1]}",
                    "start_date": start.isoformat(),
                    "end_date": "" if ongoing else end.isoformat(),
                    "target_group": TARGET_GROUPS[int(rng.integers(0, len(TARGET_GROUPS)))],
                    "orientation": "strukturovergripande" if structural else "individinriktad",
                    "planned_participants": "" if structural else str(int(rng.integers(20, 200))),
                    "target_share_work_or_studies": "" if structural else f"{rng.choice([0.25, 0.3, 0.35, 0.4])}",
                    # Hidden drivers of outcome; dropped before writing.
                    "hidden_quality": float(rng.beta(2.2, 3.0)),
                    "hidden_lasting": float(rng.uniform(0.2, 0.95)),
                }
            )
    return pd.DataFrame(rows)


def _project_years(projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    start = pd.to_datetime(projects["start_date"]).dt.year
    end = pd.to_datetime(projects["end_date"].replace("", None)).dt.year.fillna(spec.last_year).astype(int)
    out = []
    for pid, s, e, orientation in zip(projects["project_id"], start, end, projects["orientation"], strict=True):
        for year in range(max(s, spec.first_year), min(e, spec.last_year) + 1):
            out.append((pid, year, orientation))
    return pd.DataFrame(out, columns=["project_id", "year", "orientation"])


def _costs(rng: np.random.Generator, project_years: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for pid, year, orientation in project_years.itertuples(index=False):
        scale = 0.6 if orientation == "strukturovergripande" else 1.0
        rows.append((pid, year, "samordningsforbund", round(float(rng.uniform(0.6, 3.2)) * 1e6 * scale, -3), False))
        for member in MEMBER_ORGS:
            if rng.random() < 0.35:
                rows.append((pid, year, member, round(float(rng.uniform(0.05, 0.6)) * 1e6, -3), True))
        if rng.random() < 0.12:
            rows.append((pid, year, "esf", round(float(rng.uniform(0.3, 1.5)) * 1e6, -3), False))
    frame = pd.DataFrame(rows, columns=["project_id", "year", "financier", "amount_sek", "in_kind"])
    return frame


def _participants(rng: np.random.Generator, projects: pd.DataFrame, project_years: pd.DataFrame,
                  spec: SynthSpec) -> pd.DataFrame:
    individual = project_years[project_years["orientation"] == "individinriktad"]
    quality = projects.set_index("project_id")["hidden_quality"]
    lasting = projects.set_index("project_id")["hidden_lasting"]
    frames = []
    data_end = np.datetime64(f"{spec.last_year}-12-31")
    for year in range(spec.first_year, spec.last_year + 1):
        active = individual[individual["year"] == year]["project_id"].to_numpy()
        if len(active) == 0:
            continue
        n = spec.participants_per_year
        pid = active[rng.integers(0, len(active), size=n)]
        enrolled = np.datetime64(f"{year}-01-01") + rng.integers(0, 365, size=n).astype("timedelta64[D]")
        months = np.clip(rng.gamma(2.0, 5.0, size=n), 0.5, 48)
        exited = enrolled + (months * 30.4).astype(int).astype("timedelta64[D]")
        ongoing = exited > data_end
        q = quality.reindex(pid).to_numpy()
        u = rng.random(n)
        p_work = 0.08 + 0.55 * q
        p_study = 0.05 + 0.10 * q
        reason = np.where(u < p_work, "arbete", np.where(u < p_work + p_study, "studier", ""))
        rest = rng.choice(
            ["arbetssokande", "annan_insats", "sjukdom", "flytt", "avbrott", "ovrigt", "felregistrering"],
            size=n, p=[0.35, 0.2, 0.17, 0.06, 0.12, 0.07, 0.03],
        )
        reason = np.where(reason == "", rest, reason)
        subsidised = rng.random(n) < 0.3
        occupation_after = np.select(
            [reason == "arbete", reason == "studier", np.isin(reason, ["arbetssokande", "avbrott"])],
            [np.where(subsidised, "subventionerat_arbete", "arbete"), "studier", "arbetssokande"],
            default="ovrigt",
        )
        before_codes = np.array([s for s, _ in SUPPORT_BEFORE])
        weights = np.array([w for _, w in SUPPORT_BEFORE])
        support_before = before_codes[rng.choice(len(before_codes), size=n, p=weights / weights.sum())]
        part_time = rng.random(n) < 0.2
        support_after = np.select(
            [occupation_after == "arbete", occupation_after == "subventionerat_arbete",
             occupation_after == "studier", occupation_after == "arbetssokande"],
            [np.where(part_time, "lon:50|forsorjningsstod", "lon"), "lon", "studiemedel",
             np.where(rng.random(n) < 0.5, "aktivitetsstod", support_before)],
            default=support_before,
        )
        occupation_before = rng.choice(["arbetssokande", "ovrigt", "studier", "subventionerat_arbete"],
                                       size=n, p=[0.62, 0.3, 0.04, 0.04])
        # Follow-up a year after exit, where that day has passed; lasting projects keep their gains.
        followed = (~ongoing) & (exited + np.timedelta64(365, "D") <= data_end) & (rng.random(n) < 0.6)
        keeps = rng.random(n) < lasting.reindex(pid).to_numpy()
        worked = np.isin(occupation_after, ["arbete", "subventionerat_arbete", "studier"])
        later = np.where(worked & keeps, occupation_after,
                         np.where(rng.random(n) < 0.12, "arbete", "arbetssokande"))
        frame = pd.DataFrame(
            {
                "participant_id": _pseudonyms(rng, n),
                "project_id": pid,
                "gender": rng.choice(["K", "M", "X", "okand"], size=n, p=[0.49, 0.49, 0.01, 0.01]),
                "birth_year": (year - np.clip(rng.normal(34, 11, size=n), 16, 64)).astype(int).astype(str),
                "enrolled_on": pd.Series(enrolled).dt.strftime("%Y-%m-%d").to_numpy(),
                "exited_on": np.where(ongoing, "", pd.Series(exited).dt.strftime("%Y-%m-%d").to_numpy()),
                "support_before": support_before,
                "support_after": np.where(ongoing, "", support_after),
                "occupation_before": occupation_before,
                "occupation_after": np.where(ongoing, "", occupation_after),
                "months_on_support_before": np.clip(rng.gamma(1.6, 18, size=n), 0, 240).astype(int).astype(str),
                "education_level": rng.choice(["forgymnasial", "gymnasial", "eftergymnasial", "okand"],
                                              size=n, p=[0.35, 0.4, 0.15, 0.1]),
                "exit_reason": np.where(ongoing, "", reason),
                "occupation_12m": np.where(followed, later, ""),
            }
        )
        frame.loc[frame["exit_reason"] == "felregistrering", ["support_after", "occupation_after"]] = ""
        frames.append(frame)
    participants = pd.concat(frames, ignore_index=True)
    # Some people come back in a later episode: reuse an earlier pseudonym.
    again = rng.random(len(participants)) < 0.05
    donors = rng.integers(0, len(participants), size=len(participants))
    earlier = donors < np.arange(len(participants))
    participants.loc[again & earlier, "participant_id"] = participants["participant_id"].to_numpy()[
        donors[again & earlier]]
    return participants.drop_duplicates(["participant_id", "project_id", "enrolled_on"], ignore_index=True)


def _events(rng: np.random.Generator, projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    rows = []
    for project in projects.itertuples(index=False):
        start = dt.date.fromisoformat(project.start_date)
        end = dt.date.fromisoformat(project.end_date) if project.end_date else dt.date(spec.last_year, 12, 31)
        span = max((end - start).days, 30)
        maturity = project.hidden_quality + (0.25 if project.orientation == "strukturovergripande" else 0.0)

        def when(fraction: float, start: dt.date = start, span: int = span) -> str:
            return (start + dt.timedelta(days=int(span * min(fraction, 1.0)))).isoformat()

        number = 0

        def add(kind: str, fraction: float, organisation: str, project=project) -> None:
            nonlocal number
            number += 1
            rows.append((project.project_id, when(fraction), kind, organisation,
                         f"{project.project_id}/{kind[:3].upper()}-{number}"))

        if rng.random() < 0.3 + 0.6 * maturity:
            add("method_documented", rng.uniform(0.2, 0.7), "samordningsforbund")
        if rng.random() < 0.2 + 0.6 * maturity:
            add("implementation_plan", rng.uniform(0.4, 0.9), MEMBER_ORGS[int(rng.integers(0, 4))])
        if rng.random() < 0.05 + 0.6 * maturity:
            add("implementation_decision", rng.uniform(0.5, 1.0), MEMBER_ORGS[int(rng.integers(0, 4))])
        if rng.random() < 0.1 + 0.5 * maturity:
            add("system_finding", rng.uniform(0.2, 0.8), "samordningsforbund")
        if rng.random() < 0.02 + 0.45 * maturity:
            add("system_change_decision", rng.uniform(0.6, 1.0), MEMBER_ORGS[int(rng.integers(0, 4))])
    return pd.DataFrame(rows, columns=["project_id", "date", "kind", "organisation", "reference"])


def _evidence_chains(rng: np.random.Generator, projects: pd.DataFrame, spec: SynthSpec) -> pd.DataFrame:
    """Whole chains of evidence for some mature projects, so level 3 occurs in every sizeable inbox.

    Independent event draws alone make level 3 rare. Organisations are named the
    way diaries write them ("Norrdal kommun", "Region Norrdal"), and now and then a
    decision comes from a body that is not a member. Drawn from their own
    generator so the other datasets stay as they were for a seed.
    """
    rows = []
    for project in projects.itertuples(index=False):
        maturity = project.hidden_quality + (0.25 if project.orientation == "strukturovergripande" else 0.0)
        if maturity < 0.55 or rng.random() > 0.35:
            continue
        start = dt.date.fromisoformat(project.start_date)
        end = dt.date.fromisoformat(project.end_date) if project.end_date else dt.date(spec.last_year, 12, 31)
        span = max((end - start).days, 30)
        place = project.forbund.removeprefix("Samordningsförbundet ")
        chain = [
            ("method_documented", rng.uniform(0.1, 0.3), "samordningsforbund"),
            ("system_finding", rng.uniform(0.2, 0.45), "samordningsforbund"),
            ("implementation_decision", rng.uniform(0.35, 0.6),
             (f"{place} kommun", f"Region {place}", "Arbetsförmedlingen", "Försäkringskassan")[
                 int(rng.integers(0, 4))]),
            ("system_change_decision", rng.uniform(0.5, 0.8), ("Regeringen", f"Region {place}", "kommun")[
                int(rng.integers(0, 3))]),
        ]
        if rng.random() < 0.25:
            chain.append(("implementation_decision", rng.uniform(0.3, 0.9), "Stiftelsen Arbetsbron"))
        for number, (kind, fraction, organisation) in enumerate(chain, start=1):
            day = start + dt.timedelta(days=int(span * fraction))
            rows.append((project.project_id, day.isoformat(), kind, organisation, f"{project.project_id}/K-{number}"))
    return pd.DataFrame(rows, columns=["project_id", "date", "kind", "organisation", "reference"])


def _assessments(rng: np.random.Generator, projects: pd.DataFrame, project_years: pd.DataFrame) -> pd.DataFrame:
    """Scores on the 12 prerequisites for about half the project years; better projects score higher.

    Drawn from their own generator so the other datasets stay as they were for a seed.
    """
    quality = projects.set_index("project_id")["hidden_quality"]
    chosen = project_years[rng.random(len(project_years)) < 0.5]
    rows = []
    for pid, year, _ in chosen.itertuples(index=False):
        level = 0.5 + 2.5 * quality[pid]
        scores = np.clip(np.rint(rng.normal(level, 0.8, size=12)), 0, 3).astype(int)
        skipped = rng.random(12) < 0.08
        for criterion in range(1, 13):
            if skipped[criterion - 1]:
                continue
            score = int(scores[criterion - 1])
            comment = ("Saknas helt", "Finns i liten grad", "Delvis på plats", "Fungerar väl")[score]
            rows.append((pid, str(year), str(criterion), str(score), comment))
    return pd.DataFrame(rows, columns=["project_id", "year", "criterion", "score", "comment"])


def _spoil(rng: np.random.Generator, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Spoil about ERROR_SHARE of the participant and cost rows, each kind at least once."""
    log: list[tuple[str, int, str]] = []
    people = frames["participants"]
    costs = frames["project_costs"]
    kinds = [k for k in ERROR_KINDS if k not in ("negative_amount", "formula_text")]
    n_bad = max(len(kinds), int(len(people) * ERROR_SHARE))
    targets = rng.choice(len(people), size=min(n_bad, len(people)), replace=False)
    duplicates = []
    for i, row in enumerate(targets):
        kind = kinds[i % len(kinds)]
        if kind == "unknown_code":
            column = ("gender", "occupation_before", "education_level")[i % 3]
            people.at[row, column] = ("kvinna", "jobb", "hogskola")[i % 3]
        elif kind == "exit_before_enrolment":
            enrolled = dt.date.fromisoformat(people.at[row, "enrolled_on"])
            people.at[row, "exited_on"] = (enrolled - dt.timedelta(days=40)).isoformat()
            people.at[row, "exit_reason"] = people.at[row, "exit_reason"] or "avbrott"
        elif kind == "bad_date":
            d = dt.date.fromisoformat(people.at[row, "enrolled_on"])
            people.at[row, "enrolled_on"] = f"{d.day}/{d.month}/{d.year}"
        elif kind == "missing_required":
            people.at[row, ("gender", "support_before", "project_id")[i % 3]] = ""
        elif kind == "personnummer":
            people.at[row, "participant_id"] = fake_personal_number(
                rng, twelve_digits=bool(i % 2), separator=("-", "", "+")[i % 3], coordination=i % 5 == 0)
        elif kind == "orphan_project":
            people.at[row, "project_id"] = "OKÄNT-P999"
        elif kind == "birth_year_range":
            people.at[row, "birth_year"] = ("1850", "2091", "19")[i % 3]
        elif kind == "bad_extent":
            people.at[row, "support_before"] = "sjukpenning:30"
        elif kind == "exit_reason_without_date":
            people.at[row, "exited_on"] = ""
            people.at[row, "exit_reason"] = "arbete"
        elif kind == "duplicate_episode":
            duplicates.append(row)
        log.append(("participants", int(row), kind))
    if duplicates:
        copies = people.iloc[duplicates].copy()
        people = pd.concat([people, copies], ignore_index=True)
        for k in range(len(copies)):
            log.append(("participants", len(people) - len(copies) + k, "duplicate_episode"))
    frames["participants"] = people
    for row in rng.choice(len(costs), size=max(2, int(len(costs) * ERROR_SHARE)), replace=False):
        costs.at[row, "amount_sek"] = -abs(costs.at[row, "amount_sek"])
        log.append(("project_costs", int(row), "negative_amount"))
    projects = frames["projects"]
    row = int(rng.integers(0, len(projects)))
    projects.at[row, "target_group"] = '=HYPERLINK("http://example.invalid","klicka")'
    log.append(("projects", row, "formula_text"))
    return pd.DataFrame(log, columns=["dataset", "index", "kind"])


def synthesise(spec: SynthSpec) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The five datasets as text frames in contract column order, and the injected-error log."""
    rng = np.random.default_rng(spec.seed)
    projects = _projects(rng, spec)
    project_years = _project_years(projects, spec)
    frames = {
        "projects": projects,
        "project_costs": _costs(rng, project_years),
        "participants": _participants(rng, projects, project_years, spec),
        "project_events": _events(rng, projects, spec),
        "project_assessments": _assessments(np.random.default_rng(spec.seed + 1), projects, project_years),
    }
    chains = _evidence_chains(np.random.default_rng(spec.seed + 2), projects, spec)
    frames["project_events"] = pd.concat([frames["project_events"], chains], ignore_index=True)
    frames["projects"] = projects.drop(columns=["hidden_quality", "hidden_lasting"])
    errors = _spoil(rng, frames) if spec.with_errors else pd.DataFrame(columns=["dataset", "index", "kind"])
    return frames, errors


def write_inbox(frames: dict[str, pd.DataFrame], errors: pd.DataFrame, out: Path) -> list[Path]:
    """Write the inbox in the mix of formats förbund really send.

    projects as XLSX, costs as Excel-style CSV (semicolon, decimal comma,
    Windows-1252), participants as one UTF-8-with-BOM semicolon CSV per enrolment
    year, events as Parquet, prerequisite assessments as plain UTF-8 CSV.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # Where each frame row lands: (file name, row number as a person sees it), for the error log.
    located: dict[str, pd.DataFrame] = {}

    def locate(dataset: str, index: pd.Index, file: str, first_row: int) -> None:
        spot = pd.DataFrame({"source_file": file, "source_row": np.arange(len(index)) + first_row}, index=index)
        located[dataset] = pd.concat([located.get(dataset), spot]) if dataset in located else spot

    path = out / "projects.xlsx"
    frames["projects"].to_excel(path, index=False, sheet_name="projects")
    locate("projects", frames["projects"].index, path.name, 2)
    written.append(path)

    costs = frames["project_costs"].copy()
    costs["amount_sek"] = costs["amount_sek"].map(lambda v: f"{v:.2f}".replace(".", ","))
    costs["in_kind"] = costs["in_kind"].map(lambda v: "ja" if v else "nej")
    path = out / "project_costs.csv"
    costs.to_csv(path, sep=";", index=False, encoding="cp1252", errors="replace")
    locate("project_costs", costs.index, path.name, 2)
    written.append(path)

    people = frames["participants"]
    year = people["enrolled_on"].str.extract(r"(\d{4})", expand=False).fillna("okant")
    for value in sorted(year.unique()):
        path = out / f"participants_{value}.csv"
        people[year == value].to_csv(path, sep=";", index=False, encoding="utf-8-sig")
        locate("participants", people.index[year == value], path.name, 2)
        written.append(path)

    path = out / "project_events.parquet"
    events = frames["project_events"].copy()
    events["date"] = pd.to_datetime(events["date"]).dt.date
    events.to_parquet(path, index=False)
    written.append(path)

    if "project_assessments" in frames:
        path = out / "project_assessments.csv"
        frames["project_assessments"].to_csv(path, index=False, encoding="utf-8")
        written.append(path)

    if not errors.empty:
        rows = [located[d].loc[i] for d, i in zip(errors["dataset"], errors["index"], strict=True)]
        log = pd.DataFrame({
            "dataset": errors["dataset"].to_numpy(),
            "source_file": [r["source_file"] for r in rows],
            "source_row": [int(r["source_row"]) for r in rows],
            "kind": errors["kind"].to_numpy(),
        }).sort_values(["dataset", "source_file", "source_row"], ignore_index=True)
        log.to_csv(out / INJECTED_ERRORS_FILE, index=False)
    return written
