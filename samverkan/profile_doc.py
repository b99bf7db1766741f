"""The import-profile part of ``docs/data-contract.md``: the profile format and the shipped Uppföljning Finsam
profile, its field list generated from the shipped file, each field with the public source it rests on or
marked as our assumption."""

from __future__ import annotations

from samverkan.overrides import read_yaml
from samverkan.profile import SHIPPED, load_profile

FINSAM_PROFILE = SHIPPED / "uppfoljning_finsam.yaml"

# The pages the field list was worked from. They were read as stored copies of the public pages (the
# project has no network); their date is not known, so check them against the system before relying on them.
SOURCES = {
    "F1": ("Finsam, Uppföljning Finsam: Användarhandledning (sammanfattning)",
           "https://www.finsam.se/uppfoljning/anvandarhandledning"),
    "S1": ("Susam, SUS för insatsansvarig: Hur fungerar det?",
           "https://www.susam.se/finsam/insatsansvarig/hur-fungerar-det"),
    "S2": ("Susam, SUS för deltagaransvarig: Hur fungerar det?",
           "https://www.susam.se/finsam/deltagaransvarig/hur-fungerar-det"),
    "S3": ("Susam, Utregistrering av deltagare", "https://www.susam.se/finsam/deltagaransvarig/utregistrering-av-deltagare"),
    "S4": ("Susam, Deltagarrapport", "https://www.susam.se/finsam/susrapport/deltagarrapport"),
    "S5": ("Susam, Standardrapport deltagare", "https://www.susam.se/finsam/susrapport/standardrapport-deltagare"),
    "S6": ("Samordningsförbundet Centrala Östergötland, Uppföljning/SUS",
           "https://samordning.org/centrala-ostergotland/uppfoljning-sus"),
}

# Contract column -> what the field rests on. "Antagande" where no source names the field.
BASIS = {
    ("projects", "project_id"): "Antagande: the sources describe insatser by name; we assume the export carries an id.",
    ("projects", "name"): "F1, S1: an insats has a name.",
    ("projects", "forbund"): "S1: every insats is run by a samordningsförbund.",
    ("projects", "orientation"): "F1: insatsinriktning individinriktad or strukturövergripande, fixed when created.",
    ("projects", "start_date"): "S1: an insats has a start and an end date.",
    ("projects", "end_date"): "S1.",
    ("projects", "target_group"): "Antagande.",
    ("projects", "planned_participants"): "Antagande.",
    ("participants", "participant_id"): "Antagande: the system registers participants by personnummer (S3); an export "
                                        "for this pipeline must carry a pseudonym instead. A personnummer is refused.",
    ("participants", "project_id"): "Antagande, as for projects.",
    ("participants", "gender"): "S6 (kön registered for every participant), S4.",
    ("participants", "birth_year"): "Antagande: S4 and S6 report age; we assume the export gives the year of birth.",
    ("participants", "enrolled_on"): "S2 (inregistrering when the participant starts), S6 (startdatum).",
    ("participants", "exited_on"): "S3 (utregistrering when the participant leaves), S6.",
    ("participants", "kommun"): "S3 (folkbokföringskommun fetched at registration).",
    ("participants", "support_before"): "S2, S4: försörjningskällor before and after the insats. The exact labels "
                                        "of the export are our assumption; several sources in one cell must be joined "
                                        "by `|`.",
    ("participants", "support_after"): "S2, S4; as support_before.",
    ("participants", "occupation_before"): "S4, S5: sysselsättning before and after; S5 names förvärvsarbete, studier, "
                                           "aktivt arbetssökande som ej arbetar och studerar, övriga.",
    ("participants", "occupation_after"): "S4, S5.",
    ("participants", "education_level"): "S4: högsta slutförda utbildningsnivå. Labels assumed.",
    ("participants", "exit_reason"): "S3 (avslutsanledning, including felregistrering), S4. Labels assumed.",
}

FORMAT = """
## Import profiles

A förbund whose export has its own layout maps it with an import profile, a YAML file, instead of code. The
profile used is `samverkan run --profile FILE`, else a `profile.yaml` in the inbox. `samverkan profile check
--inbox DIR --profile FILE` shows, before a run, which dataset each file becomes (or why not), which contract
column each column becomes (`profilen`, `kontraktet` or `svenskt namn`, or "okänd kolumn, menade du …?"), and how
many values the value mapping hits and misses; it exits 2 when a file cannot be read, lacks a required column or
is not read at all.

| key | what it holds |
|---|---|
| `name`, `description`, `source` | text for people |
| `files` | per dataset, file-name patterns (`*`, `?`, case-insensitive) for files that do not start with the \
dataset's name; a file matched by two datasets' patterns is not read |
| `columns` | per dataset, the file's column name → the contract's column name (matched like the contract's names) |
| `values` | per dataset and contract column, the file's value → the contract's code (or any value for text columns) |
| `date_formats` | formats tried for dates that are not `YYYY-MM-DD`, e.g. `"%d/%m/%Y"`, `"%Y%m%d"` |
| `decimal` | `","` or `"."`: the decimal mark, so the other mark is a thousands separator |

Any other key is refused naming the allowed ones; every problem in a profile is one Swedish line naming the file
and, for YAML errors, the line. A value the mapping does not know is left as written, so the rules quarantine it
with the usual message.
"""


def profile_markdown() -> str:
    profile = load_profile(FINSAM_PROFILE)  # checked as every profile is, before it is described
    written, _raw = read_yaml(FINSAM_PROFILE, "importprofilen")
    rows = []
    for dataset, mapping in written["columns"].items():
        by_target: dict[str, list[str]] = {}
        for header, target in mapping.items():
            by_target.setdefault(target, []).append(header)
        for target, headers in by_target.items():
            basis = BASIS.get((dataset, target), "Antagande.")
            rows.append(f"| {dataset} | `{target}` | {', '.join(headers)} | {basis} |")
    sources = "\n".join(f"- {key}: {title}, <{url}>" for key, (title, url) in SOURCES.items())
    patterns = "; ".join(f"{d}: {', '.join(f'`{p}`' for p in ps)}" for d, ps in profile.files.items())
    return FORMAT + f"""
## Uppföljning Finsam

`samverkan/data/profiles/uppfoljning_finsam.yaml` maps the national participant follow-up's export. SUS was
replaced by Uppföljning Finsam, where individinriktade insatser are no longer split into volume and individual
follow-up (F1). No public list of the export's column headings or value spellings was found, so the headings
below are the names of the registration fields as the user guides describe them, matched after folding (case,
diacritics, separators); where no source names a field, it says *Antagande* (our assumption). Check a real
export with `samverkan profile check` and correct the profile where it differs.

Files: {patterns}. Dates `YYYY-MM-DD`, `YYYYMMDD` or `DD/MM/YYYY`; decimal comma.

| dataset | contract column | headings in the profile | basis |
|---|---|---|---|
""" + "\n".join(rows) + f"""

Not mapped: *tid i offentlig försörjning före insats* (S4) is reported in intervals, not the months
`months_on_support_before` holds, so it is left out rather than guessed; `occupation_12m` is not in the sources;
uppföljningsmetod and ESF-finansiering (F1) have no contract column.

Sources (read from stored copies of the public pages; their date is not known):

{sources}
"""
