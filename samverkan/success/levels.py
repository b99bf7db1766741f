"""Exactly one success level per project and report year, with the reasons in Swedish.

The criteria (thresholds from the rules file):

- outcome: at least ``min_exits`` counted exits, the lower bound of the Wilson
  interval of the share in work or studies strictly above p0, and the gains
  not mostly gone at the 12-month follow-up (when at
  least ``min_followed`` were followed up, at least ``min_retention`` still in
  work or studies);
- method: a ``method_documented`` event counted for the year (dated from the
  project's start to 31 December) — the method was developed and used in the
  project;
- level 1 = outcome or method; level 2 = level 1, method and an
  ``implementation_decision`` by a member organisation; level 3 = level 2, a
  ``system_finding`` and a ``system_change_decision``;
- apparent success (skenbar): the headline share is at or above the project's
  target or p0 (from the parameters file), while the outcome criterion fails (too few
  exits, interval not above the reference, or gains gone at follow-up). It
  replaces the levels listed in ``apparent_success.replaces_levels`` (default
  only 0), so a project that reached level 2 or 3 keeps it and the reasons warn.

Precedence: the highest of 3, 2, 1 that holds; otherwise 0; then skenbar
replaces the level when the headline looks good, the outcome fails and the
level is one skenbar replaces. Every assessed project gets exactly one level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samverkan.privacy import suppress_small
from samverkan.success.evidence import events_as_of, organisation_label
from samverkan.success.outcomes import project_outcomes
from samverkan.success.rules import Rules
from samverkan.success.verdict import (
    SHIFT_COLUMNS,
    attributable_sentence,
    cost_shifting,
    not_established_reason,
    shifting_sentence,
)

LEVEL_LABELS = {
    "0": "Ingen påvisad framgång",
    "skenbar": "Skenbar framgång",
    "1": "Nivå 1 – insatsen lyckas",
    "2": "Nivå 2 – organisationerna använder metoden",
    "3": "Nivå 3 – systemet förändras",
}
LEVEL_ORDER = ("0", "skenbar", "1", "2", "3")
SUCCESS_COLUMNS = ["forbund", "project_id", "year", "level", "label", "reasons", "attributable",
                   "attributable_text", "participant_effect_established", "not_established_reason",
                   "cost_shifting", *SHIFT_COLUMNS]
CRITERIA = ["outcome_beyond_counterfactual", "headline_good", "method_documented",
            "member_implementation_decision", "system_finding", "system_change_decision"]
DETAIL_COLUMNS = [*SUCCESS_COLUMNS, "rules_version", "orientation", "exits", "to_work_or_studies", "share",
                  "ci_low", "ci_high", "reference", "target", "followed", "retained", "retention", *CRITERIA]
SEPARATOR = "; "

EVENT_WORDS = {
    "method_documented": "Metod dokumenterad",
    "implementation_plan": "Genomförandeplan",
    "implementation_decision": "Genomförandebeslut",
    "system_finding": "Systembrist rapporterad",
    "system_change_decision": "Beslut om systemförändring",
}
MISSING_WORDS = {
    "method_documented": "en dokumenterad metod",
    "member_implementation_decision": "ett genomförandebeslut av en medlemsorganisation (af, fk, kommun, region)",
    "system_finding": "en rapporterad systembrist",
    "system_change_decision": "ett beslut som ändrar regler, strukturer, styrning eller finansiering",
}


def percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def people(count: int) -> str:
    """A count as it may be published: under five is not shown."""
    shown = suppress_small(int(count))
    return "färre än 5" if shown is None else str(int(shown))


def assessed_projects(projects: pd.DataFrame, year: int, rules: Rules) -> pd.DataFrame:
    """Projects started by 31 December that are ongoing or ended at most ``years_after_end`` years before."""
    year_end = pd.Timestamp(year, 12, 31)
    started = projects["start_date"] <= year_end
    recent = projects["end_date"].isna() | (projects["end_date"].dt.year >= year - rules.years_after_end)
    chosen = projects[(started & recent).fillna(False).astype(bool)]
    return chosen.drop_duplicates("project_id").sort_values(["forbund", "project_id"], ignore_index=True)


def participant_outcome(projects: pd.DataFrame, participants: pd.DataFrame, year: int,
                        rules: Rules) -> pd.DataFrame:
    """Per assessed project: counts, p0, attributable successes and the outcome criterion (no events needed).

    The ledger reads this too, so a return and a level rest on the same verdict.
    """
    frame = assessed_projects(projects, year, rules)
    optional = [c for c in ("target_share_work_or_studies", "target_group") if c in frame]
    frame = frame[["forbund", "project_id", "start_date", "orientation", *optional]].copy()
    for column in ("target_share_work_or_studies", "target_group"):
        if column not in frame:
            frame[column] = np.nan
    own = participants[participants["project_id"].isin(frame["project_id"])]
    frame = frame.merge(project_outcomes(own, year, rules.confidence), on="project_id", how="left")
    for column in ("exits", "to_work_or_studies", "unknown_after", "followed", "retained"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["year"] = year
    frame["reference"] = [rules.reference_for(g) for g in frame["target_group"]]
    frame["attributable"] = np.maximum(0.0, frame["to_work_or_studies"] - frame["reference"] * frame["exits"])
    frame["target"] = frame["target_share_work_or_studies"].astype("Float64").astype("float64")
    share = frame["share"].astype("float64")
    enough = frame["exits"] >= max(rules.min_exits, 1)
    beyond = (frame["ci_low"].astype("float64") > frame["reference"]).fillna(False)
    judged_follow_up = (frame["followed"] >= max(rules.min_followed, 1))
    gains_gone = judged_follow_up & (frame["retention"].astype("float64") < rules.min_retention).fillna(False)
    frame["outcome_beyond_counterfactual"] = enough & beyond & ~gains_gone
    at_target = (share >= frame["target"]).fillna(False)
    at_reference = (share >= frame["reference"]).fillna(False)
    frame["headline_good"] = (frame["exits"] > 0) & (at_target | at_reference)
    frame["gains_gone"] = gains_gone
    frame["participant_effect_established"] = frame["outcome_beyond_counterfactual"].astype(bool)
    frame["not_established_reason"] = [not_established_reason(row, rules) for row in frame.to_dict("records")]
    return frame


def classify(projects: pd.DataFrame, participants: pd.DataFrame, events: pd.DataFrame, year: int,
             rules: Rules, member_effects: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per assessed project: the ``success.csv`` columns, the rules version and the evidence behind them.

    ``member_effects`` (project_id and the members' effects, see ``samverkan.ledger.results.member_effects``)
    lets the levels flag cost shifting between the members; without it nothing is flagged.
    """
    frame = participant_outcome(projects, participants, year, rules)
    frame = frame.merge(cost_shifting(frame["project_id"], member_effects), on="project_id", how="left")

    evidence = events_as_of(events, frame, year, rules)
    counted = evidence[evidence["status"] == "counted"]

    def having(mask: pd.Series) -> pd.Series:
        return frame["project_id"].isin(counted.loc[mask, "project_id"])

    frame["method_documented"] = having(counted["kind"] == "method_documented")
    frame["member_implementation_decision"] = having(
        (counted["kind"] == "implementation_decision") & counted["member"].notna())
    frame["system_finding"] = having(counted["kind"] == "system_finding")
    frame["system_change_decision"] = having(counted["kind"] == "system_change_decision")

    outcome = frame["outcome_beyond_counterfactual"]
    headline = frame["headline_good"]
    level1 = outcome | frame["method_documented"]
    level2 = level1 & frame["method_documented"] & frame["member_implementation_decision"]
    level3 = level2 & frame["system_finding"] & frame["system_change_decision"]
    level = pd.Series(np.select([level3, level2, level1], ["3", "2", "1"], default="0"), index=frame.index)
    apparent = headline & ~outcome & level.isin(rules.skenbar_replaces)
    frame["level"] = level.where(~apparent, "skenbar").astype("str")
    frame["label"] = frame["level"].map(LEVEL_LABELS).astype("str")
    frame["rules_version"] = rules.version

    # Plain records: a pandas filter per project would dominate the run time at national scale.
    by_project: dict[str, list[dict]] = {}
    for record in evidence.to_dict("records"):
        by_project.setdefault(record["project_id"], []).append(record)
    frame["reasons"] = [
        SEPARATOR.join(_reasons(row, by_project.get(row["project_id"], []), year, rules))
        for row in frame.to_dict("records")
    ]
    frame["reasons"] = frame["reasons"].astype("str")
    frame["attributable_text"] = [attributable_sentence(row) for row in frame.to_dict("records")]
    frame["attributable"] = frame["attributable"].round(2)
    out = frame[DETAIL_COLUMNS].copy()
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["forbund", "project_id"], ignore_index=True)


def _clean(text: object) -> str:
    """Data text inside a sentence: no separator that would split the reasons."""
    return " ".join(str(text).replace(";", ",").split())


def _event_sentence(event: dict) -> str:
    date = pd.Timestamp(event["date"]).strftime("%Y-%m-%d")
    reference = event.get("reference")
    tail = f" ({_clean(reference)})" if isinstance(reference, str) and reference.strip() else ""
    return f"{EVENT_WORDS[event['kind']]} {date} av {_clean(organisation_label(event['organisation']))}{tail}"


def _headline(row: dict, until: str, interval: str) -> str:
    exits, worked = row["exits"], row["to_work_or_studies"]
    if exits < 5:
        return f"Färre än 5 avslutade deltagare {until} (andelen redovisas inte)"
    if worked < 5:
        return (f"Färre än 5 av {exits} avslutade deltagare {until} gick till arbete eller studier "
                f"(andelen redovisas inte)")
    if exits - worked < 5:
        # "9 av 11" would give away that 2 did not: the complement is a count of people too.
        return (f"Alla utom färre än 5 av de avslutade deltagarna {until} gick till arbete eller studier "
                f"(antalen och andelen redovisas inte)")
    return (f"{worked} av {exits} avslutade deltagare {until} gick till arbete eller studier "
            f"({percent(row['share'])}, {interval} {percent(row['ci_low'])}–{percent(row['ci_high'])})")


def _shown(row: dict) -> bool:
    """Whether the counts, and so the share and its interval, may be printed."""
    exits, worked = row["exits"], row["to_work_or_studies"]
    return exits >= 5 and worked >= 5 and exits - worked >= 5


def _effect_sentence(row: dict, rules: Rules) -> str:
    reference = f"det kontrafaktiska utfallet p0 = {percent(row['reference'])}"
    if row["exits"] < rules.min_exits:
        return f"Färre avslut än de {rules.min_exits} som krävs för att pröva effekten: för få deltagare för att avgöra"
    bound = f"Nedre gränsen {percent(row['ci_low'])}" if _shown(row) else "Nedre gränsen"
    if row["ci_low"] > row["reference"]:
        return f"{bound} ligger över {reference}: effekt utöver vad som hade hänt ändå"
    return f"{bound} ligger inte över {reference}: ingen säkerställd effekt utöver vad som hade hänt ändå (dödvikt)"


def _follow_up_sentence(row: dict, rules: Rules, until: str) -> str | None:
    followed, retained = row["followed"], row["retained"]
    if row["to_work_or_studies"] and followed == 0:
        return f"Ingen uppföljning efter 12 månader {until} av dem som gick till arbete eller studier"
    if not followed:
        return None
    if followed < 5:
        status = "Färre än 5 av dem som gick till arbete eller studier är uppföljda efter 12 månader"
    else:
        share = f" ({percent(row['retention'])})" if retained >= 5 and followed - retained >= 5 else ""
        status = f"Efter 12 månader hade {people(retained)} av {followed} uppföljda{share} kvar arbete eller studier"
    gate = f"gränsen {percent(rules.min_retention)}"
    if followed < rules.min_followed:
        return f"{status}, färre uppföljda än de {rules.min_followed} som krävs för att bedöma varaktigheten"
    if row["gains_gone"]:
        return f"{status}, under {gate}: vinsterna är till största delen borta"
    return f"{status} ({gate}): vinsterna består"


def _outcome_sentences(row: dict, year: int, rules: Rules) -> list[str]:
    until = f"t.o.m. {year}-12-31"
    if row["exits"] == 0:
        if row["orientation"] == "strukturovergripande":
            return ["Strukturövergripande insats utan avslutade deltagare: deltagarnas utfall prövas inte"]
        return [f"Inga avslutade deltagare {until}: deltagarnas utfall kan inte prövas"]
    interval = f"{rules.confidence * 100:g} % Wilson-intervall".replace(".", ",")
    sentences = [_headline(row, until, interval)]
    if row["unknown_after"]:
        sentences.append(f"{people(row['unknown_after'])} avslut saknar uppgift om sysselsättning efter "
                         f"och räknas som inte i arbete eller studier")
    sentences.append(_effect_sentence(row, rules))
    if pd.notna(row["target"]) and _shown(row):
        relation = "når" if row["share"] >= row["target"] else "når inte"
        sentences.append(f"Andelen {relation} insatsens mål {percent(row['target'])}")
    if attributable_sentence(row):
        sentences.append(attributable_sentence(row))
    follow_up = _follow_up_sentence(row, rules, until)
    return [*sentences, follow_up] if follow_up else sentences


def _why_apparent(row: dict, rules: Rules) -> str:
    if row["exits"] < rules.min_exits:
        return "för få deltagare för att avgöra"
    if row["gains_gone"] and row["ci_low"] > row["reference"]:
        return "vinsterna är till största delen borta vid uppföljningen efter 12 månader"
    return "effekten netto efter dödvikt är inte säkerställt positiv"


def _headline_reached(row: dict, rules: Rules) -> str:
    parts = []
    if pd.notna(row["target"]) and row["share"] >= row["target"]:
        parts.append("insatsens mål")
    if row["share"] >= row["reference"]:
        parts.append("det kontrafaktiska utfallet p0")
    return " och ".join(parts)


def _verdict(row: dict, year: int, rules: Rules) -> str:
    level = row["level"]
    if level == "3":
        return ("Nivå 3: nivå 2 är uppfylld, systembrister har rapporterats och ett beslut ändrar regler, "
                "strukturer, styrning eller finansiering")
    if level == "2":
        return ("Nivå 2: nivå 1 är uppfylld, metoden är dokumenterad och minst en medlemsorganisation "
                "har beslutat att genomföra den")
    if level == "1":
        grounds = []
        if row["outcome_beyond_counterfactual"]:
            grounds.append("deltagarnas utfall ligger säkerställt över det kontrafaktiska")
        if row["method_documented"]:
            grounds.append("en metod har utvecklats, dokumenterats och används i insatsen")
        return "Nivå 1: " + " och ".join(grounds)
    if level == "skenbar":
        return (f"Skenbar framgång: andelen i arbete eller studier når {_headline_reached(row, rules)}, "
                f"men {_why_apparent(row, rules)}")
    return (f"Ingen påvisad framgång t.o.m. {year}-12-31: varken deltagarnas utfall eller en dokumenterad "
            f"metod visar framgång")


def _missing(row: dict) -> str | None:
    level = row["level"]
    if level in ("0", "skenbar"):
        return ("För nivå 1 saknas en säkerställd effekt utöver det kontrafaktiska eller en dokumenterad metod "
                "som används i insatsen")
    if level == "1":
        lacking = [MISSING_WORDS[c] for c in ("method_documented", "member_implementation_decision") if not row[c]]
        return "För nivå 2 saknas " + " och ".join(lacking)
    if level == "2":
        lacking = [MISSING_WORDS[c] for c in ("system_finding", "system_change_decision") if not row[c]]
        return "För nivå 3 saknas " + " och ".join(lacking)
    return None


def _reasons(row: dict, events: list[dict], year: int, rules: Rules) -> list[str]:
    sentences = [_verdict(row, year, rules)]
    sentences += _outcome_sentences(row, year, rules)
    if row["headline_good"] and not row["outcome_beyond_counterfactual"] and row["level"] != "skenbar":
        sentences.append(f"Obs: andelen når {_headline_reached(row, rules)} men {_why_apparent(row, rules)} "
                         f"(skenbar framgång i deltagarsiffrorna)")
    for event in (e for e in events if e["status"] == "counted"):
        sentence = _event_sentence(event)
        if event["kind"] == "implementation_decision" and pd.isna(event["member"]):
            sentence += " räknas inte: inte en medlemsorganisation"
        sentences.append(sentence)
    late = sum(e["status"] == "late" for e in events)
    if late:
        sentences.append(f"{late} händelse{'r' if late > 1 else ''} daterad{'e' if late > 1 else ''} efter "
                         f"{year}-12-31 räknas inte detta år")
    early = sum(e["status"] == "early" for e in events)
    if early:
        start = pd.Timestamp(row["start_date"]).strftime("%Y-%m-%d")
        sentences.append(f"{early} händelse{'r' if early > 1 else ''} daterad{'e' if early > 1 else ''} före "
                         f"insatsens start {start} räknas inte")
    if row["cost_shifting"]:
        sentences.append(shifting_sentence(row))
    missing = _missing(row)
    if missing:
        sentences.append(missing)
    return [_clean(s) for s in sentences]


def level_counts(success: pd.DataFrame) -> pd.DataFrame:
    """Projects per level in a fixed order, with the Swedish label."""
    counts = success["level"].value_counts().reindex(list(LEVEL_ORDER), fill_value=0)
    return pd.DataFrame({"level": list(LEVEL_ORDER), "label": [LEVEL_LABELS[k] for k in LEVEL_ORDER],
                         "projects": counts.to_numpy().astype("int64")})


def level_problems(success: pd.DataFrame, projects: pd.DataFrame, year: int, rules: Rules) -> list[str]:
    """What breaks "exactly one level per assessed project, with reasons"; empty when all is well."""
    problems = []
    expected = set(assessed_projects(projects, year, rules)["project_id"])
    found = success["project_id"]
    if found.duplicated().any():
        problems.append(f"flera nivåer för {', '.join(sorted(found[found.duplicated()].unique()))}")
    missing = sorted(expected - set(found))
    if missing:
        problems.append(f"ingen nivå för {', '.join(missing)}")
    unknown = sorted(set(success["level"]) - set(LEVEL_ORDER))
    if unknown:
        problems.append(f"okända nivåer {', '.join(unknown)}")
    if (success["reasons"].fillna("").str.strip() == "").any():
        problems.append("nivå utan skäl")
    return problems
