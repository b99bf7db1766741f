"""The method appendix: parameters, the unit-cost catalogue, versions and the input files with their hashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samverkan.breakdowns import AGE_BANDS, SUPPORT_BANDS
from samverkan.comparison import MIN_FORBUND
from samverkan.flow import LONG_SUPPORT_MONTHS
from samverkan.ledger.actors import ACTORS
from samverkan.ledger.catalogue import AMOUNT_COLUMNS
from samverkan.privacy import SMALL_COUNT_LIMIT
from samverkan.report.frames import has, plain, records, whole
from samverkan.report.inputs import ReportInputs
from samverkan.report.labels import CONFIDENCE_NAMES, OCCUPATION_NAMES
from samverkan.report.summary import CERTAINTY_WORDS

# The catalogue's amount columns, in the actors' order.
ACTOR_AMOUNT_COLUMNS = dict(zip(AMOUNT_COLUMNS, ACTORS, strict=True))


@dataclass(frozen=True)
class UnitCostRow:
    code: str
    occupation: str
    amounts: list[float | None]  # one per MethodSection.unit_cost_actors
    price_year: int | None
    confidence: str | None
    source: str | None


@dataclass(frozen=True)
class Entry:
    name: str
    value: Any


@dataclass(frozen=True)
class Definition:
    """A criterion that is the tool's own reading, not the field's or a source's: what it is and its basis."""

    term: str
    reading: str
    basis: str


@dataclass(frozen=True)
class MethodSection:
    # Rows of the parameter table as the report asset gathered them (group, parameter, value, basis, version).
    parameters: list[dict[str, Any]]
    unit_cost_actors: list[str]
    unit_costs: list[UnitCostRow]
    rules_version: str | None
    input_files: list[dict[str, Any]]  # dataset, file, sha256, bytes
    software_version: str
    small_count_limit: int
    extra: list[Entry] = field(default_factory=list)  # further versions and file hashes, by name
    own_definitions: list[Definition] = field(default_factory=list)


def unit_cost_rows(catalogue: pd.DataFrame | None) -> tuple[list[str], list[UnitCostRow]]:
    """The unit-cost catalogue as (actor columns, rows with amounts in actor order, source, price year, confidence)."""
    if not has(catalogue):
        return [], []
    columns = [c for c in ACTOR_AMOUNT_COLUMNS if c in catalogue.columns]
    rows = []
    for rec in catalogue.to_dict("records"):
        occupation = plain(rec.get("occupation")) or ""
        confidence = plain(rec.get("confidence"))
        rows.append(UnitCostRow(
            code=plain(rec.get("support_code", rec.get("code"))) or "",
            occupation=OCCUPATION_NAMES.get(occupation, occupation),
            amounts=[None if plain(rec.get(c)) in (None, "") else float(rec[c]) for c in columns],
            price_year=whole(rec.get("price_year")) if plain(rec.get("price_year")) not in (None, "") else None,
            confidence=CONFIDENCE_NAMES.get(str(confidence), confidence),
            source=plain(rec.get("source")),
        ))
    return [ACTOR_AMOUNT_COLUMNS[c] for c in columns], rows


def _rule(parameters: pd.DataFrame | None, name: str, default: str) -> str:
    """A rule's value as the run used it (the parameter table), else the packaged default."""
    if has(parameters) and "parameter" in parameters.columns:
        found = parameters.loc[parameters["parameter"] == name, "value"]
        if len(found):
            return str(plain(found.iloc[0]))
    return default


def _share(text: str) -> str:
    try:
        return f"{round(float(text) * 100)}\u00a0%"
    except ValueError:
        return text


def own_definitions(parameters: pd.DataFrame | None) -> list[Definition]:
    """Where the report's criteria are ours, said so with their basis (issue 20, item 8)."""
    min_exits = _rule(parameters, "outcome.min_exits", "20")
    confidence = _share(_rule(parameters, "outcome.confidence", "0.9")).replace("\u00a0%", "-procentigt")
    reference = _share(_rule(parameters, "national_reference.share_work_or_studies", "0.18"))
    retention = _share(_rule(parameters, "follow_up.min_retention", "0.5"))
    ages = ", ".join(band[0] for band in AGE_BANDS)
    supports = ", ".join(band[0].lower() for band in SUPPORT_BANDS)
    return [
        Definition(
            "Skenbar framgång och effekt utöver det som ändå hade hänt",
            f"En insats har en påvisad effekt när minst {min_exits} deltagare har avslutat och den nedre gränsen i "
            f"ett tvåsidigt {confidence} Wilson-intervall för andelen till arbete eller studier ligger över den "
            f"nationella referensen ({reference}, dödvikten), och när minst {retention} av de uppföljda fortfarande "
            "är i arbete eller studier efter 12 månader. Skenbar framgång är en andel som ser bra ut (minst "
            "insatsens mål eller referensen) utan att effekten håller enligt detta test.",
            "Verktygets egen läsning: framgångsnivåerna anger inget statistiskt test. Testet, gränserna och "
            "referensvärdet står i regelfilen (parametrarna ovan); Wilson-intervallet valdes för att det håller "
            "sig inom 0–100 % och fungerar för de små tal en insats har (docs/success-levels.md).",
        ),
        Definition(
            "Åldersband",
            f"{ages}; åldern är rapportåret minus födelseåret.",
            "Vår indelning, efter arbetsmarknadsstatistikens vanliga uppdelning med unga 16–24 år för sig och "
            "därefter tioårsband.",
        ),
        Definition(
            "Tid med offentlig försörjning före insatsen",
            f"{supports[0].upper()}{supports[1:]}, räknat i månader före inskrivningen; mer än 3 år är mer än "
            f"{LONG_SUPPORT_MONTHS} månader, som i deltagarflödet.",
            "Vår indelning: mer än tre år som eget band motsvarar fältets mått på långvarigt beroende av "
            "offentlig försörjning.",
        ),
        Definition(
            "Komplementär undertryckning",
            f"Antal från 1 till {SMALL_COUNT_LIMIT - 1} döljs. Där en summa redovisas döljs dessutom de minsta "
            "cellerna i samma kolumn (för tabellen före → efter: i samma rad och kolumn) tills inget dolt antal "
            "kan räknas fram ur summan och de visade cellerna; en andel döljs när något av dess antal är dolt.",
            "Verktygets egen regel, byggd som statistikproducenters sekundära röjandekontroll; gränsen fem är "
            "rapportens integritetsgräns.",
        ),
        Definition(
            "Percentil bland förbunden (mittrang)",
            "Andelen förbund med lägre värde plus hälften av dem med samma värde, bland förbunden i "
            "inleveransen samma år och bara för individinriktade insatser. Med färre än "
            f"{MIN_FORBUND} förbund ges ingen percentil och ingen median.",
            "Verktygets val: mittrangen ger medianförbundet 50 oavsett lika värden. Jämförelsen gäller "
            "förbunden i inleveransen, inte en nationell referensfil.",
        ),
        Definition(
            "De tolv förutsättningarna under Lings fyra dimensioner",
            "Varje förutsättning förs till den av Tom Lings fyra dimensioner för samverkan där dess "
            "huvudsakliga mekanism ligger; förbundets profil är medelvärdet av insatsernas bedömningar (0–3) "
            "under varje dimension.",
            "Vår läsning, inte Lings eller förutsättningarnas upphovspersoners: T. Ling, Public Administration "
            "80(4), 2002; motiveringen per förutsättning står i docs/prerequisites.md.",
        ),
        Definition(
            "Orden för sannolikhet i sammanfattningen",
            ("; ".join(f"{word}: minst {round(low * 100)}\u00a0%" for low, word in CERTAINTY_WORDS if low > 0)
             + f"; {CERTAINTY_WORDS[-1][1]}: under {round(CERTAINTY_WORDS[-2][0] * 100)}\u00a0% av simuleringarna "
             "går jämnt ut.").capitalize(),
            "Vår ordval för klarspråk; sannolikheterna själva står i bokslutskapitlet.",
        ),
    ]


def method_section(inputs: ReportInputs) -> MethodSection:
    unit_cost_actors, unit_costs = unit_cost_rows(inputs.unit_costs)
    return MethodSection(
        parameters=records(inputs.parameters),
        unit_cost_actors=unit_cost_actors,
        unit_costs=unit_costs,
        rules_version=inputs.rules_version,
        input_files=records(inputs.input_files),
        software_version=inputs.software_version,
        small_count_limit=SMALL_COUNT_LIMIT,
        extra=[Entry(k, v) for k, v in sorted(inputs.extra.items())],
        own_definitions=own_definitions(inputs.parameters),
    )
