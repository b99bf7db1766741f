"""The data contract, version 1.2: one schema per input dataset.

Readers, type conversion, Great Expectations suites and the documentation all
read these definitions, so a column is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CONTRACT_VERSION = "1.2"
# 1.1 (additive): projects.target_group_code, a code for the target group the ledger prices with.
# 1.2 (additive): participants.kommun and project_costs.kommun, to split the Kommun line per member kommun.

ColumnType = Literal["text", "code", "integer", "decimal", "date", "boolean", "support"]

# Provenance columns carried on every row from the reader onwards.
SOURCE_COLUMNS = ("source_file", "source_row")

GENDER = ("K", "M", "X", "okand")
OCCUPATION = ("arbete", "subventionerat_arbete", "studier", "arbetssokande", "ovrigt")
WORK_OR_STUDIES = ("arbete", "subventionerat_arbete", "studier")
EDUCATION_LEVEL = ("forgymnasial", "gymnasial", "eftergymnasial", "okand")
# Target groups of the ledger's catalogue; a participant's own data decides first, the project's code second.
TARGET_GROUP = ("langtidsarbetslos", "langtidssjuk", "unga_vuxna", "nyanlanda", "ovrig")
EXIT_REASON = (
    "arbete",
    "studier",
    "arbetssokande",
    "annan_insats",
    "sjukdom",
    "flytt",
    "avbrott",
    "felregistrering",
    "ovrigt",
)
ORIENTATION = ("individinriktad", "strukturovergripande")
FINANCIER = ("samordningsforbund", "af", "fk", "kommun", "region", "esf", "ovrig")
EVENT_KIND = (
    "method_documented",
    "implementation_plan",
    "implementation_decision",
    "system_finding",
    "system_change_decision",
)
SUPPORT_CODES = (
    "lon",
    "a_kassa",
    "aktivitetsstod",
    "etableringsersattning",
    "sjukpenning",
    "sjukersattning",
    "aktivitetsersattning",
    "forsorjningsstod",
    "studiemedel",
    "annan",
    "ingen",
)
SUPPORT_EXTENTS = (25, 50, 75, 100)
EXIT_REASON_MISREGISTERED = "felregistrering"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    description: str
    example: str
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references_projects: bool = field(default=True)
    # An optional dataset may be left out of an inbox altogether; it is then read as empty.
    optional: bool = field(default=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


PROJECTS = Dataset(
    name="projects",
    description="One row per insats (project) funded by a samordningsförbund.",
    key=("project_id",),
    references_projects=False,
    columns=(
        Column("project_id", "text", True, "Stable identifier of the project.", "SF01-P003"),
        Column("forbund", "text", True, "Name of the samordningsförbund.", "Samordningsförbundet Norrdal"),
        Column("name", "text", True, "Project name as it should appear in the report.", "Steg till arbete"),
        Column("start_date", "date", True, "First day of the project.", "2021-01-01"),
        Column("end_date", "date", False, "Last day; empty while the project is ongoing.", "2023-12-31"),
        Column("target_group", "text", False, "Who the project is for, in words.", "Unga 16-29 utan sysselsättning"),
        Column("target_group_code", "code", False,
               "The target group as a code: långtidsarbetslösa (often on försörjningsstöd), långtidssjuka "
               "(sjukpenning, sjuk- or aktivitetsersättning), unga vuxna utanför arbete och studier, nyanlända, "
               "övriga. The ledger uses it for participants whose own data name no group; a `target_group` "
               "that is itself one of these codes counts the same.", "unga_vuxna", codes=TARGET_GROUP),
        Column("orientation", "code", True, "Individual-oriented or structural project.", "individinriktad",
               codes=ORIENTATION),
        Column("planned_participants", "integer", False, "Participants planned over the project's life.", "60",
               minimum=0),
        Column("target_share_work_or_studies", "decimal", False,
               "The project's own target for the share leaving to work or studies (0-1).", "0.35",
               minimum=0, maximum=1),
    ),
)

PROJECT_COSTS = Dataset(
    name="project_costs",
    description="Money and in-kind contributions per project, year and financier.",
    key=("project_id", "year", "financier", "in_kind"),
    columns=(
        Column("project_id", "text", True, "Project the cost belongs to.", "SF01-P003"),
        Column("year", "integer", True, "Calendar year of the cost.", "2024", minimum=2000, maximum=2100),
        Column("financier", "code", True, "Who paid; förbund money is apportioned to the members.",
               "samordningsforbund", codes=FINANCIER),
        Column("amount_sek", "decimal", True, "Amount in SEK, current prices.", "1250000", minimum=0),
        Column("in_kind", "boolean", True, "True for staff or premises lent rather than money paid.", "false"),
        Column("kommun", "text", False,
               "The member kommun that paid, for financier kommun; splits the Kommun line per member kommun.",
               "Borås"),
    ),
)

PARTICIPANTS = Dataset(
    name="participants",
    description="One row per participant episode in a project, modelled on SUS.",
    key=("participant_id", "project_id", "enrolled_on"),
    columns=(
        Column("participant_id", "text", True,
               "Pseudonym for the person. A personnummer or samordningsnummer is refused.", "P-7Q2K9X"),
        Column("project_id", "text", True, "Project of the episode.", "SF01-P003"),
        Column("gender", "code", True, "Kön.", "K", codes=GENDER),
        Column("birth_year", "integer", True, "Year of birth.", "1994", minimum=1900, maximum=2100),
        Column("enrolled_on", "date", True, "Day the episode started.", "2024-02-12"),
        Column("exited_on", "date", False, "Day the episode ended; empty while ongoing.", "2024-11-30"),
        Column("support_before", "support", True,
               "Support at enrolment: codes joined by '|', each optionally ':extent' (25/50/75/100).",
               "forsorjningsstod|sjukpenning:50", codes=SUPPORT_CODES),
        Column("support_after", "support", False, "Support at exit, same notation.", "lon", codes=SUPPORT_CODES),
        Column("occupation_before", "code", True, "Occupation at enrolment.", "arbetssokande", codes=OCCUPATION),
        Column("occupation_after", "code", False, "Occupation at exit.", "arbete", codes=OCCUPATION),
        Column("months_on_support_before", "integer", False,
               "Months on public support before enrolment.", "36", minimum=0, maximum=600),
        Column("education_level", "code", False, "Highest education.", "gymnasial", codes=EDUCATION_LEVEL),
        Column("exit_reason", "code", False, "Why the episode ended.", "arbete", codes=EXIT_REASON),
        Column("occupation_12m", "code", False, "Occupation at follow-up one year after exit.", "arbete",
               codes=OCCUPATION),
        Column("kommun", "text", False,
               "The person's home kommun; splits the Kommun line's effects per member kommun.", "Borås"),
    ),
)

PROJECT_EVENTS = Dataset(
    name="project_events",
    description="Evidence for success levels: documented methods, decisions and system findings.",
    key=("project_id", "date", "kind", "organisation", "reference"),
    columns=(
        Column("project_id", "text", True, "Project the event belongs to.", "SF01-P003"),
        Column("date", "date", True, "Day of the decision or document.", "2024-05-20"),
        Column("kind", "code", True, "What happened.", "implementation_decision", codes=EVENT_KIND),
        Column("organisation", "text", True,
               "Who decided or documented: af, fk, kommun, region, samordningsforbund or a name.", "kommun"),
        Column("reference", "text", False, "Diary number, link text or document title.", "KS 2024/118"),
    ),
)

PROJECT_ASSESSMENTS = Dataset(
    name="project_assessments",
    description=(
        "Optional: the project's own scores on the 12 prerequisites for lasting collaboration, 0 (absent) to 3 "
        "(fully in place), per year. Criteria: 1 top managers drive it; 2 a management structure; 3 strategy and "
        "a concrete plan; 4 co-financing; 5 incentives; 6 a follow-up system; 7 co-location; 8 joint competence "
        "development; 9 a trying, risk-taking attitude; 10 building on what works; 11 persistence; 12 the "
        "enthusiasts (eldsjälar). Reported as a profile, never as a success level. An inbox without it is fine."
    ),
    key=("project_id", "year", "criterion"),
    optional=True,
    columns=(
        Column("project_id", "text", True, "Project assessed.", "SF01-P003"),
        Column("year", "integer", True, "Year the assessment describes.", "2024", minimum=2000, maximum=2100),
        Column("criterion", "integer", True, "Prerequisite number, 1-12 (see above).", "4", minimum=1, maximum=12),
        Column("score", "integer", True, "0 absent, 1 weak, 2 partly in place, 3 fully in place.", "2",
               minimum=0, maximum=3),
        Column("comment", "text", False, "Why the score, in words.", "Kommunen och regionen bidrar med personal"),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (PROJECTS, PROJECT_COSTS, PARTICIPANTS, PROJECT_EVENTS, PROJECT_ASSESSMENTS)
}


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
