"""Success levels (framgångsnivåer) per project and report year, from a versioned rules file."""

from samverkan.success.levels import (
    DETAIL_COLUMNS,
    LEVEL_LABELS,
    LEVEL_ORDER,
    SUCCESS_COLUMNS,
    classify,
    level_counts,
    level_problems,
)
from samverkan.success.outcomes import project_outcomes, wilson_interval
from samverkan.success.rules import DEFAULT_RULES_FILE, Rules, RulesError, load_rules, parse_rules

__all__ = [
    "DEFAULT_RULES_FILE",
    "DETAIL_COLUMNS",
    "LEVEL_LABELS",
    "LEVEL_ORDER",
    "SUCCESS_COLUMNS",
    "Rules",
    "RulesError",
    "classify",
    "level_counts",
    "level_problems",
    "load_rules",
    "parse_rules",
    "project_outcomes",
    "wilson_interval",
]
