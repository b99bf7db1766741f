"""Swedish names beside the contract: header aliases per column and labels per code.

Real exports say ``Deltagar-ID``, ``Kön`` and ``Försörjningsstöd`` where the contract says ``participant_id``,
``gender`` and ``forsorjningsstod``. Both are accepted. Matching is on ``fold``: case folded, diacritics
stripped (å, ä and ö become a and o, as the contract's own codes spell them), and runs of spaces, dashes,
underscores and slashes made one space, so ``Deltagar-ID``, ``deltagar id`` and ``DELTAGAR_ID`` are one name.
A name that matches nothing gets ``suggest``: the nearest code, label or header by ``difflib``, for a
"menade du …?" in the message.

The lists are written once, here; ``samverkan.conform`` and ``samverkan.profile`` read them, and
``docs/data-contract.md`` prints them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from samverkan.contract import DATASETS, Column

_SEPARATORS = re.compile(r"[\s\-_/]+")
# Nearer than this and a name counts as a near miss worth naming (difflib's ratio, 0-1).
SUGGESTION_CUTOFF = 0.75

# Column -> Swedish header names, per dataset: "Datum" is a date in events but not elsewhere.
_ID = ("Projekt-ID", "Projektid", "Projektnummer", "Insats-ID", "Insatsid", "Insatsnummer")
HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "projects": {
        "project_id": _ID,
        "forbund": ("Förbund", "Samordningsförbund"),
        "name": ("Namn", "Projektnamn", "Insatsnamn", "Insatsens namn"),
        "start_date": ("Startdatum", "Start"),
        "end_date": ("Slutdatum", "Slut"),
        "target_group": ("Målgrupp",),
        "target_group_code": ("Målgruppskod",),
        "orientation": ("Inriktning", "Insatsinriktning"),
        "planned_participants": ("Planerat antal deltagare", "Planerade deltagare"),
        "target_share_work_or_studies": ("Mål andel arbete eller studier", "Målandel arbete eller studier"),
    },
    "project_costs": {
        "project_id": _ID,
        "year": ("År", "Kostnadsår"),
        "financier": ("Finansiär", "Finansiar"),
        "amount_sek": ("Belopp", "Belopp kr", "Belopp (kr)", "Belopp SEK", "Kostnad"),
        "in_kind": ("I natura", "Natura", "Insats i natura"),
        "kommun": ("Kommun", "Medlemskommun"),
    },
    "participants": {
        "participant_id": ("Deltagar-ID", "Deltagarid", "Deltagarnummer", "Pseudonym"),
        "project_id": _ID,
        "gender": ("Kön",),
        "birth_year": ("Födelseår",),
        "enrolled_on": ("Inskrivningsdatum", "Inskriven", "Inregistreringsdatum", "Startdatum"),
        "exited_on": ("Utskrivningsdatum", "Utskriven", "Utregistreringsdatum", "Avslutsdatum", "Slutdatum"),
        "support_before": ("Försörjning före", "Försörjning vid inskrivning", "Försörjningskälla före insats"),
        "support_after": ("Försörjning efter", "Försörjning vid utskrivning", "Försörjningskälla efter insats"),
        "occupation_before": ("Sysselsättning före", "Sysselsättning vid inskrivning", "Sysselsättning före insats"),
        "occupation_after": ("Sysselsättning efter", "Sysselsättning vid utskrivning", "Sysselsättning efter insats"),
        "months_on_support_before": ("Månader med försörjning före", "Tid i offentlig försörjning (månader)",
                                     "Månader i offentlig försörjning"),
        "education_level": ("Utbildningsnivå", "Högsta utbildning", "Högsta slutförda utbildning"),
        "exit_reason": ("Avslutsorsak", "Avslutsanledning", "Orsak till avslut"),
        "occupation_12m": ("Sysselsättning efter 12 månader", "Sysselsättning 12 mån"),
        "kommun": ("Kommun", "Hemkommun", "Folkbokföringskommun"),
    },
    "project_events": {
        "project_id": _ID,
        "date": ("Datum", "Beslutsdatum"),
        "kind": ("Typ", "Händelse", "Händelsetyp"),
        "organisation": ("Organisation", "Huvudman"),
        "reference": ("Referens", "Diarienummer"),
    },
    "project_assessments": {
        "project_id": _ID,
        "year": ("År",),
        "criterion": ("Kriterium", "Förutsättning"),
        "score": ("Poäng", "Bedömning"),
        "comment": ("Kommentar",),
    },
}

# Dataset -> Swedish names a file may be called by; used for "menade du …?" on a file no dataset reads.
DATASET_ALIASES: dict[str, tuple[str, ...]] = {
    "projects": ("Projekt", "Insatser"),
    "project_costs": ("Projektkostnader", "Kostnader"),
    "participants": ("Deltagare",),
    "project_events": ("Projekthändelser", "Händelser"),
    "project_assessments": ("Projektbedömningar", "Bedömningar"),
}

# Code -> Swedish labels. A code means the same in every list it is in (``arbete`` as occupation and exit reason).
CODE_LABELS: dict[str, tuple[str, ...]] = {
    # gender
    "K": ("Kvinna", "Kvinnor"),
    "M": ("Man", "Män"),
    "X": ("Annat kön", "Icke-binär"),
    "okand": ("Okänd", "Uppgift saknas", "Vill ej uppge"),
    # occupation, exit reason
    "arbete": ("Arbete", "Förvärvsarbete", "Anställning"),
    "subventionerat_arbete": ("Subventionerat arbete", "Subventionerad anställning", "Arbete med stöd"),
    "studier": ("Studier", "Studerar", "Utbildning"),
    "arbetssokande": ("Arbetssökande", "Aktivt arbetssökande"),
    "ovrigt": ("Övrigt", "Övriga avslutade"),
    "annan_insats": ("Annan insats", "Till annan insats"),
    "sjukdom": ("Sjukdom", "Sjukskrivning"),
    "flytt": ("Flytt", "Flyttat"),
    "avbrott": ("Avbrott", "Avbrutit", "Eget avbrott"),
    "felregistrering": ("Felregistrering", "Felregistrerad"),
    # education
    "forgymnasial": ("Förgymnasial", "Förgymnasial utbildning", "Grundskola"),
    "gymnasial": ("Gymnasial", "Gymnasial utbildning", "Gymnasium"),
    "eftergymnasial": ("Eftergymnasial", "Eftergymnasial utbildning", "Högskola", "Universitet"),
    # target groups
    "langtidsarbetslos": ("Långtidsarbetslösa", "Långtidsarbetslös"),
    "langtidssjuk": ("Långtidssjuka", "Långtidssjukskrivna"),
    "unga_vuxna": ("Unga vuxna",),
    "nyanlanda": ("Nyanlända",),
    "ovrig": ("Övriga", "Övrig"),
    # orientation
    "individinriktad": ("Individinriktad", "Individinriktad insats"),
    "strukturovergripande": ("Strukturövergripande", "Strukturövergripande insats"),
    # financier
    "samordningsforbund": ("Samordningsförbund", "Samordningsförbundet", "Förbundet"),
    "af": ("Arbetsförmedlingen",),
    "fk": ("Försäkringskassan",),
    "kommun": ("Kommun", "Kommunen"),
    "region": ("Region", "Regionen", "Landsting"),
    "esf": ("Europeiska socialfonden", "ESF-rådet"),
    # events
    "method_documented": ("Metod dokumenterad", "Dokumenterad metod"),
    "implementation_plan": ("Implementeringsplan", "Plan för implementering"),
    "implementation_decision": ("Implementeringsbeslut", "Beslut om implementering"),
    "system_finding": ("Systembrist", "Iakttagelse om systemet"),
    "system_change_decision": ("Beslut om systemförändring", "Systemförändringsbeslut"),
    # support
    "lon": ("Lön",),
    "a_kassa": ("A-kassa", "Arbetslöshetsersättning"),
    "aktivitetsstod": ("Aktivitetsstöd",),
    "etableringsersattning": ("Etableringsersättning",),
    "sjukpenning": ("Sjukpenning",),
    "sjukersattning": ("Sjukersättning",),
    "aktivitetsersattning": ("Aktivitetsersättning",),
    "forsorjningsstod": ("Försörjningsstöd", "Ekonomiskt bistånd"),
    "studiemedel": ("Studiemedel",),
    "annan": ("Annan", "Annan försörjning"),
    "ingen": ("Ingen", "Ingen ersättning", "Ingen försörjning"),
}


def fold(text: object) -> str:
    """The form names are compared in: casefolded, diacritics stripped, separators one space."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare).strip()


def _table(pairs: Iterable[tuple[str, str]], what: str) -> dict[str, str]:
    """Folded name -> target; two targets for one folded name is a mistake in the lists above."""
    table: dict[str, str] = {}
    for name, target in pairs:
        key = fold(name)
        if table.setdefault(key, target) != target:
            raise ValueError(f"{what}: {name!r} leder till både {table[key]!r} och {target!r}")
    return table


def header_table(dataset: str) -> dict[str, str]:
    """Folded header (contract name or Swedish alias) -> contract column of ``dataset``."""
    columns = DATASETS[dataset].column_names
    aliases = HEADER_ALIASES.get(dataset, {})
    return _table([(c, c) for c in columns] + [(a, c) for c in columns for a in aliases.get(c, ())],
                  f"rubriker för {dataset}")


def code_table(codes: Iterable[str]) -> dict[str, str]:
    """Folded code or Swedish label -> code, for one code list."""
    codes = tuple(codes)
    return _table([(c, c) for c in codes] + [(label, c) for c in codes for label in CODE_LABELS.get(c, ())],
                  f"koder {', '.join(codes)}")


def column_codes(column: Column) -> dict[str, str]:
    return code_table(column.codes)


def suggest(value: str, names: Mapping[str, str] | Iterable[str]) -> str | None:
    """The name nearest ``value`` among ``names`` (shown as written), or None when nothing is near."""
    shown = list(names.values()) if isinstance(names, Mapping) else list(names)
    by_fold: dict[str, str] = {}
    for name in shown:
        by_fold.setdefault(fold(name), name)
    match = difflib.get_close_matches(fold(value), list(by_fold), n=1, cutoff=SUGGESTION_CUTOFF)
    return by_fold[match[0]] if match else None


def code_candidates(codes: Iterable[str]) -> list[str]:
    """Every label and code of a list, as a person writes them, for ``suggest``: the label first, so that a near
    miss of ``forsorjningsstod`` is shown as the Swedish word."""
    codes = tuple(codes)
    return [*(label for c in codes for label in CODE_LABELS.get(c, ())), *codes]


def header_candidates(dataset: str) -> list[str]:
    aliases = HEADER_ALIASES.get(dataset, {})
    return [n for c in DATASETS[dataset].column_names for n in (c, *aliases.get(c, ()))]


def did_you_mean(value: str, candidates: Iterable[str], target: Mapping[str, str] | None = None) -> str:
    """`` menade du 'Arbetssökande' (arbetssokande)?`` or empty; ``target`` maps a folded name to what it means."""
    found = suggest(value, candidates)
    if found is None:
        return ""
    meant = (target or {}).get(fold(found))
    return f"; menade du {found!r}" + (f" ({meant})" if meant and meant != found else "") + "?"
