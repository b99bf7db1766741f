"""Every Swedish word the report uses for a code in the data: datasets, orientations, levels, grades.

The validation rules' labels are the rule registry's own (``samverkan.validation_rules``)."""

from __future__ import annotations

from samverkan.success.levels import LEVEL_LABELS

# One wording for the levels everywhere: the success stage's own labels.
LEVEL_NAMES = dict(LEVEL_LABELS)

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
