"""Every Swedish word the report uses for a code in the data: datasets, orientations, rules, levels, grades."""

from __future__ import annotations

from samverkan.success.levels import LEVEL_LABELS

# One wording for the levels everywhere: the success stage's own labels.
LEVEL_NAMES = dict(LEVEL_LABELS)

# The validation rules' names; a rule registry with labels and messages will take this over.
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

# In this order in the data quality chapter.
DATASET_NAMES = {
    "projects": "Projekt",
    "project_costs": "Projektkostnader",
    "participants": "Deltagare",
    "project_events": "Projekthändelser",
    "project_assessments": "Projektbedömningar",
}

ORIENTATION_NAMES = {"individinriktad": "Individinriktad", "strukturovergripande": "Strukturövergripande"}

CONFIDENCE_NAMES = {"high": "hög", "medium": "medel", "low": "låg"}

OCCUPATION_NAMES = {"arbete": "arbete", "subventionerat_arbete": "subventionerat arbete", "studier": "studier",
                    "arbetssokande": "arbetssökande", "ovrigt": "övrigt"}
