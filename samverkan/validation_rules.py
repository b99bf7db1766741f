"""Every validation rule in one place: its name, Swedish label, Swedish message and severity.

A rule's name is what a quarantine row carries in its ``rule`` column (and
``quality.csv``), what a Great Expectations expectation carries in its
``meta.rule``, and what the report and the steward notice translate with
``rule_label``. A new rule is written here once; ``samverkan.conform``,
``samverkan.quality`` and ``samverkan.ingest`` take their names and messages
from here, and the GX suites (``pipelines/gx/suites.py``) their severities.

Severity is Great Expectations' own vocabulary: a ``warning`` rule sends the
failing row to quarantine and the accepted rows flow on; a ``critical`` rule
makes the whole dataset unusable, and the data gate stops the ledger and the
report.

Messages are ``str.format`` templates. ``Rule.text`` fills them with plain
values or, for a vectorised rule, with pandas Series of one value per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter

import pandas as pd

WARNING = "warning"
CRITICAL = "critical"


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    message: str
    severity: str = WARNING
    # Other wordings of the same rule, by name, where one message cannot say it (see ``range``).
    variants: Mapping[str, str] = field(default_factory=dict)

    @property
    def makes_dataset_unusable(self) -> bool:
        return self.severity == CRITICAL

    def text(self, variant: str | None = None, **values: object) -> str | pd.Series:
        """The message with ``values`` filled in: a string, or a Series when any value is one."""
        template = self.variants[variant] if variant else self.message
        parts: list[object] = []
        for literal, name, spec, conversion in Formatter().parse(template):
            if literal:
                parts.append(literal)
            if name is not None:
                value = values[name]
                if isinstance(value, pd.Series):
                    parts.append(value.map(repr) if conversion == "r" else value.astype("str"))
                else:
                    parts.append(format(repr(value) if conversion == "r" else value, spec or ""))
        if not any(isinstance(p, pd.Series) for p in parts):
            return "".join(str(p) for p in parts)
        out: object = ""
        for part in parts:
            out = out + part  # str + Series and Series + str both give a Series
        return out


# ------------------------------------------------------------------ row rules: the row goes to quarantine

ROW_SHAPE = Rule("row_shape", "fel antal fält på raden", "{reason}")
PERSONNUMMER = Rule("personnummer", "personnummer i data (avvisat)",
                    "värdet ser ut som ett personnummer eller samordningsnummer och tas inte emot ({masked})")
TYPE = Rule("type", "fel datatyp", "ogiltigt värde {value!r}")
REQUIRED = Rule("required", "obligatoriskt värde saknas", "obligatoriskt värde saknas")
ALLOWED_CODES = Rule("allowed_codes", "okänd kod", "okänd kod {value!r}; tillåtna: {codes}")
SUPPORT_CODE = Rule("support_code", "ogiltig försörjningskod", "{reason}")
DATE_FORMAT = Rule("date_format", "ogiltigt datum", "datum ska skrivas ÅÅÅÅ-MM-DD, fick {value!r}")
RANGE = Rule("range", "värde utanför tillåtet intervall", "värdet {value!r} ligger utanför {bounds}",
             variants={"birth_year": "födelseåret {value} är inte rimligt för en deltagare (senast {latest})"})
UNKNOWN_PROJECT = Rule("unknown_project", "okänt projekt-id",
                       "projektet {project} finns inte bland de godkända raderna i projects")
DUPLICATE_KEY = Rule("duplicate_key", "dubblett av nyckel",
                     "samma nyckel ({key}) som {file} rad {row}; den första raden behålls")
DATE_ORDER = Rule("date_order", "datum i fel ordning", "{later} {later_date} är före {earlier} {earlier_date}")
NEEDS_VALUE = Rule("needs_value", "värde krävs av annan kolumn", "{present} {value} kräver att {needed} är ifyllt")
FUTURE_DATE = Rule("future_date", "datum i framtiden", "datumet {date} ligger efter i dag ({today})")
FORMULA = Rule("formula", "text som ser ut som kalkylbladsformel",
               "texten ser ut som en kalkylbladsformel och tas inte emot: {start}")
TOO_LONG = Rule("too_long", "för lång text", "texten har {length} tecken; högst {limit} tas emot")
# ------------------------------------------------------------------ consequences: quarantined because another row is

# An unknown project whose own row is in quarantine: the steward fixes that row, not this one.
PROJECT_IN_QUARANTINE = Rule("project_in_quarantine", "projektet ligger i karantän",
                             "projektet är i karantän: {cause}")

# Not a rule of its own: GX's summary expectation that every row passed all the rules above.
QUARANTINED = Rule("quarantined", "raden ligger i karantän", "raden bryter mot minst en regel")

# ------------------------------------------------------------------ dataset rules: the dataset cannot be used

# A dataset rule's ``message`` is its quarantine row's, the ``file`` variant the dataset error naming the file.
UNREADABLE_FILE = Rule(
    "unreadable_file", "filen kan inte läsas", "{reason}", CRITICAL,
    variants={"file": "{reason}. Filen kan inte läsas; spara om den (CSV UTF-8, XLSX eller Parquet) och kör igen."})
MISSING_COLUMN = Rule(
    "missing_column", "obligatorisk kolumn saknas",
    "filen saknar den obligatoriska kolumnen {columns}; raden kan inte tas emot", CRITICAL,
    variants={"file": "{file}: obligatorisk kolumn saknas: {columns} (rubriker i filen: {headers}). Alla {rows} "
                      "rader i filen ligger i karantän tills kolumnen finns."})
NO_ROWS = Rule(
    "no_rows", "inga användbara rader",
    "ingen av de {rows} raderna i {files} kunde godkännas", CRITICAL,
    variants={"no_file": "inkorgen har ingen fil för projects; utan projekt kan inget år redovisas",
              "no_projects": "inga projekt kunde godkännas i {files}; utan projekt kan inget år redovisas"})
QUARANTINE_SHARE = Rule(
    "quarantine_share", "för stor del i karantän",
    "{quarantined} av {rows} rader i {files} ligger i karantän; när mer än {share:.0%} av raderna gör det kan "
    "datasetet inte användas", CRITICAL)

RULES: dict[str, Rule] = {rule.name: rule for rule in (
    ROW_SHAPE, PERSONNUMMER, TYPE, REQUIRED, ALLOWED_CODES, SUPPORT_CODE, DATE_FORMAT, RANGE, UNKNOWN_PROJECT,
    DUPLICATE_KEY, DATE_ORDER, NEEDS_VALUE, FUTURE_DATE, FORMULA, TOO_LONG, QUARANTINED, PROJECT_IN_QUARANTINE,
    UNREADABLE_FILE, MISSING_COLUMN, NO_ROWS, QUARANTINE_SHARE,
)}
RULE_LABELS: dict[str, str] = {name: rule.label for name, rule in RULES.items()}


def rule_label(name: str) -> str:
    """The Swedish label of a rule; an unknown name is shown as it is."""
    return RULE_LABELS.get(name, name)


def severity(name: str) -> str:
    return RULES[name].severity
